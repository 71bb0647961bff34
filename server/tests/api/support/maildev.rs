//! A real SMTP server for the tests: the npm package `maildev` (installed in end2end/ by
//! scripts/setup.sh), run by the test itself on free ports of 127.0.0.1, with what it received
//! read back through its HTTP API.
//!
//! maildev runs without TLS, authentication or outgoing relay, keeps its mails in a temporary
//! directory of its own, and dies with the test process even if that process is killed.

use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const MAILDEV_BIN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../end2end/node_modules/maildev/bin/maildev"
);

/// Runs maildev's own entry point, but exits once our end of its stdin closes: a test process
/// killed by a signal runs no Drop, and maildev would otherwise outlive it holding its ports.
const LIFELINE: &str = "process.stdin.on('end', () => process.exit(0)); \
                        process.stdin.on('error', () => process.exit(0)); \
                        process.stdin.resume(); \
                        require(process.argv[1]);";

/// Node starts in under a second here, but the machine's two cores are shared with builds.
const STARTUP: Duration = Duration::from_secs(30);

/// One message as maildev received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedEmail {
    /// The addresses of the `To` header (not the envelope: a Bcc recipient is not here).
    pub to: Vec<String>,
    pub from: Vec<String>,
    /// Decoded (RFC 2047 encoded words come back as UTF-8).
    pub subject: String,
    /// The text/plain part, decoded from its transfer encoding.
    pub text: String,
    /// The text/html part exactly as sent ("" if none).
    pub html: String,
    pub attachments: Vec<Attachment>,
    /// Without the angle brackets.
    pub message_id: Option<String>,
    /// The top-level headers by lower-cased name; a repeated header's values joined by "\n".
    pub headers: HashMap<String, String>,
}

impl ReceivedEmail {
    /// The attachment with this (original) file name.
    pub fn attachment(&self, filename: &str) -> Option<&Attachment> {
        self.attachments.iter().find(|a| a.filename == filename)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The name the sender gave it.
    pub filename: String,
    /// Without parameters, e.g. `text/calendar`.
    pub content_type: String,
    /// The decoded bytes.
    pub content: Vec<u8>,
}

/// A maildev process of this test's own.
pub struct MailDev {
    /// Holding it holds its stdin open, which keeps maildev alive (see `LIFELINE`).
    child: Option<Child>,
    smtp_port: u16,
    web_port: u16,
    dir: PathBuf,
    http: reqwest::Client,
    /// Messages already read, by maildev id: reading an attachment makes maildev rewrite the
    /// stored HTML in place (DOMPurify), so later reads would no longer return what was sent.
    seen: tokio::sync::Mutex<HashMap<String, ReceivedEmail>>,
}

impl MailDev {
    /// Starts maildev on two free ports of 127.0.0.1 and waits until both answer.
    pub async fn start() -> MailDev {
        Self::launch(None).await
    }

    /// Starts it on a given SMTP port (to bring it "back" after an outage on the same port).
    pub async fn start_on(smtp_port: u16) -> MailDev {
        Self::launch(Some(smtp_port)).await
    }

    pub fn smtp_port(&self) -> u16 {
        self.smtp_port
    }

    /// `smtp://127.0.0.1:PORT`: what the app's SMTP_URL would be (no TLS, no auth).
    pub fn smtp_url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.smtp_port)
    }

    /// The web UI and REST API, handy to look at a failing test's mail in a browser.
    pub fn web_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.web_port)
    }

    /// Every message received so far, oldest first, parsed from maildev's HTTP API.
    pub async fn emails(&self) -> Vec<ReceivedEmail> {
        // Held throughout so that two readers cannot both fetch, and so sanitise, one message.
        let mut seen = self.seen.lock().await;
        let list: Vec<Value> = self
            .get(&["email"])
            .await
            .json()
            .await
            .unwrap_or_else(|e| panic!("maildev's GET /email did not answer a JSON list: {e}"));
        let mut emails = Vec::with_capacity(list.len());
        for raw in &list {
            let id = text_field(raw, "id");
            if !seen.contains_key(&id) {
                let email = self.parse(&id, raw).await;
                seen.insert(id.clone(), email);
            }
            emails.push(seen[&id].clone());
        }
        emails
    }

    /// Waits until at least `n` messages have arrived (panics with what did arrive after
    /// `within`).
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<ReceivedEmail> {
        let deadline = Instant::now() + within;
        loop {
            let emails = self.emails().await;
            if emails.len() >= n {
                return emails;
            }
            if Instant::now() >= deadline {
                let arrived: Vec<String> = emails
                    .iter()
                    .map(|e| format!("to {:?}: {:?}", e.to, e.subject))
                    .collect();
                panic!(
                    "expected at least {n} email(s) at {} within {within:?}, but {} arrived: {arrived:#?}",
                    self.smtp_url(),
                    emails.len()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The messages whose subject starts with `prefix`, once at least `n` have arrived, or
    /// those that arrived within `within` (the caller counts them).
    pub async fn wait_for_subject(
        &self,
        prefix: &str,
        n: usize,
        within: Duration,
    ) -> Vec<ReceivedEmail> {
        let deadline = Instant::now() + within;
        loop {
            let found: Vec<ReceivedEmail> = self
                .emails()
                .await
                .into_iter()
                .filter(|e| e.subject.starts_with(prefix))
                .collect();
            if found.len() >= n || Instant::now() >= deadline {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Stops the server (the SMTP port stops answering); Drop stops it too.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGKILL and reap: once wait returns, the kernel has closed both listening sockets.
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    async fn launch(fixed_smtp: Option<u16>) -> MailDev {
        if !Path::new(MAILDEV_BIN).exists() {
            panic!(
                "maildev is not installed ({MAILDEV_BIN} is missing): run scripts/setup.sh, \
                 which runs `npm ci` in end2end/"
            );
        }
        // A free port can be taken by someone else before maildev binds it: try fresh ones.
        let mut failures = Vec::new();
        for attempt in 0..3 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            let smtp_port = fixed_smtp.unwrap_or_else(super::free_port);
            let web_port = loop {
                let port = super::free_port();
                if port != smtp_port {
                    break port;
                }
            };
            match Self::try_launch(smtp_port, web_port).await {
                Ok(maildev) => return maildev,
                Err(failure) => failures.push(failure),
            }
        }
        panic!(
            "maildev did not start in 3 attempts:\n{}",
            failures.join("\n---\n")
        );
    }

    async fn try_launch(smtp_port: u16, web_port: u16) -> Result<MailDev, String> {
        let dir = std::env::temp_dir().join(super::unique_name("maildev"));
        std::fs::create_dir_all(&dir).expect("create maildev's temporary directory");
        let log = std::fs::File::create(dir.join("maildev.log")).expect("create maildev's log");
        let mut command = Command::new("node");
        command
            .arg("-e")
            .arg(LIFELINE)
            .arg(MAILDEV_BIN)
            .args(["--smtp", &smtp_port.to_string()])
            .args(["--web", &web_port.to_string()])
            .args(["--ip", "127.0.0.1", "--web-ip", "127.0.0.1", "--silent"])
            // Its default mail directory is $TMPDIR/maildev-PID, never removed: keep it in ours.
            // (--mail-directory would also reload old mail from it, which we never want.)
            .env("TMPDIR", &dir)
            .stdin(Stdio::piped())
            .stdout(log.try_clone().expect("clone the log handle"))
            .stderr(log);
        // Every option falls back to a MAILDEV_* variable: one set on the machine (an outgoing
        // host, auto-relay, incoming auth) must not change the server the tests talk to.
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("MAILDEV_") {
                command.env_remove(key);
            }
        }
        let child = command.spawn().unwrap_or_else(|e| {
            panic!("could not run `node` from PATH for maildev ({e}): install Node.js 20")
        });
        let mut maildev = MailDev {
            child: Some(child),
            smtp_port,
            web_port,
            dir,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("http client"),
            seen: tokio::sync::Mutex::new(HashMap::new()),
        };
        match maildev.wait_until_ready().await {
            Ok(()) => Ok(maildev),
            Err(why) => {
                maildev.stop();
                Err(format!(
                    "maildev on smtp {smtp_port} / web {web_port}: {why}\nits output:\n{}",
                    maildev.log()
                ))
            }
        }
    }

    async fn wait_until_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + STARTUP;
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                return Err(format!("exited during startup ({status})"));
            }
            // Both checks, so that a port some other process answers on is not taken for ours.
            if self.web_answers_for_our_smtp().await && smtp_greets(self.smtp_port).await {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!("did not answer within {STARTUP:?}"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn web_answers_for_our_smtp(&self) -> bool {
        let url = format!("{}/config", self.web_url());
        let Ok(response) = self.http.get(url).send().await else {
            return false;
        };
        let Ok(config) = response.json::<Value>().await else {
            return false;
        };
        // maildev reports the port as it got it on the command line: a string.
        let reported = match &config["smtpPort"] {
            Value::String(s) => s.parse::<u16>().ok(),
            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            _ => None,
        };
        reported == Some(self.smtp_port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("maildev.log")).unwrap_or_default()
    }

    async fn get(&self, segments: &[&str]) -> reqwest::Response {
        let mut url = reqwest::Url::parse(&self.web_url()).expect("maildev's URL");
        // Pushed one by one so that each segment is percent-encoded.
        url.path_segments_mut()
            .expect("a base URL")
            .extend(segments);
        let response = self.http.get(url.clone()).send().await.unwrap_or_else(|e| {
            let state = if self.child.is_some() {
                "running"
            } else {
                "stopped"
            };
            panic!("maildev ({state}) did not answer GET {url}: {e}")
        });
        assert!(
            response.status().is_success(),
            "maildev answered GET {url} with {}",
            response.status()
        );
        response
    }

    async fn parse(&self, id: &str, raw: &Value) -> ReceivedEmail {
        let mut attachments = Vec::new();
        for meta in raw["attachments"].as_array().into_iter().flatten() {
            attachments.push(self.attachment(id, meta).await);
        }
        let headers = raw["headers"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, value)| {
                let value = match value {
                    Value::String(s) => s.clone(),
                    Value::Array(values) => values
                        .iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                        .collect::<Vec<_>>()
                        .join("\n"),
                    other => other.to_string(),
                };
                (name.to_lowercase(), value)
            })
            .collect();
        ReceivedEmail {
            to: addresses(&raw["to"]),
            from: addresses(&raw["from"]),
            subject: text_field(raw, "subject"),
            text: text_field(raw, "text"),
            html: text_field(raw, "html"),
            attachments,
            message_id: raw["messageId"].as_str().map(str::to_owned),
            headers,
        }
    }

    /// Downloads one attachment. maildev serves it under `generatedFileName` (a hash of its
    /// content id plus the original extension), not under the name it was sent with.
    async fn attachment(&self, id: &str, meta: &Value) -> Attachment {
        let stored = text_field(meta, "generatedFileName");
        let expected = meta["length"].as_u64().map(|n| n as usize);
        // maildev lists a message before it has finished writing its attachments to disk.
        let deadline = Instant::now() + Duration::from_secs(5);
        let content = loop {
            let content = self
                .get(&["email", id, "attachment", &stored])
                .await
                .bytes()
                .await
                .expect("read an attachment from maildev")
                .to_vec();
            let complete = expected.is_none_or(|n| content.len() >= n);
            if complete || Instant::now() >= deadline {
                break content;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        Attachment {
            filename: text_field(meta, "fileName"),
            content_type: text_field(meta, "contentType"),
            content,
        }
    }
}

impl Drop for MailDev {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Whether something on the port greets like an SMTP server ("220 ...").
async fn smtp_greets(port: u16) -> bool {
    let probe = async {
        let stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .ok()?;
        let mut greeting = Vec::new();
        let mut buf = [0u8; 256];
        // The whole line: closing with unread bytes would reset the connection instead.
        while !greeting.ends_with(b"\n") && greeting.len() < 1024 {
            stream.readable().await.ok()?;
            match stream.try_read(&mut buf) {
                Ok(0) => return None,
                Ok(n) => greeting.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(_) => return None,
            }
        }
        Some(greeting.starts_with(b"220 "))
    };
    tokio::time::timeout(Duration::from_secs(2), probe)
        .await
        .ok()
        .flatten()
        .unwrap_or(false)
}

/// The addresses of a maildev address list (`[{"address": ..., "name": ...}]`).
fn addresses(list: &Value) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["address"].as_str().map(str::to_owned))
        .collect()
}

/// A string field of maildev's JSON, "" when absent.
fn text_field(value: &Value, name: &str) -> String {
    value[name].as_str().unwrap_or_default().to_owned()
}

/// A slow link in front of an SMTP server: what the client sends goes through at once, each
/// answer of the server only after `delay`. A mail server that takes its time, for real.
pub struct SlowRelay {
    pub port: u16,
    accept: tokio::task::JoinHandle<()>,
}

impl SlowRelay {
    pub async fn start(upstream_port: u16, delay: Duration) -> Self {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = tokio::net::TcpStream::connect(("127.0.0.1", upstream_port)).await
                else {
                    continue;
                };
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
                    let _ = server_write.shutdown().await;
                });
                tokio::spawn(async move {
                    let mut buffer = vec![0u8; 8192];
                    loop {
                        match server_read.read(&mut buffer).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                tokio::time::sleep(delay).await;
                                if client_write.write_all(&buffer[..n]).await.is_err() {
                                    break;
                                }
                            }
                        }
                    }
                    let _ = client_write.shutdown().await;
                });
            }
        });
        Self { port, accept }
    }

    /// `smtp://127.0.0.1:PORT` of the slow link.
    pub fn smtp_url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }
}

impl Drop for SlowRelay {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

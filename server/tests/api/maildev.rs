//! The maildev harness against the real maildev: what a hand-written SMTP client sends comes
//! back parsed (recipients, subject, text, HTML, the calendar attachment's bytes); waiting for
//! mail that never comes fails with what did come; a stopped server refuses connections and
//! comes back on the same port.

use crate::support::maildev::MailDev;
use futures_util::FutureExt;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

const CALENDAR: &str = "BEGIN:VCALENDAR\r\n\
VERSION:2.0\r\n\
PRODID:-//booking//tests//EN\r\n\
METHOD:REQUEST\r\n\
BEGIN:VEVENT\r\n\
UID:booking-42@example.com\r\n\
DTSTART:20300105T100000Z\r\n\
SUMMARY:Sprint technique\r\n\
LOCATION:Piste 2 \u{2014} Stade\r\n\
END:VEVENT\r\n\
END:VCALENDAR\r\n";

const HTML: &str = "<p>Bonjour <b>Pat</b>, votre séance est confirmée.</p>";

/// A minimal SMTP client: one connection, one message, as plain as maildev accepts.
struct SmtpClient {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl SmtpClient {
    fn connect(port: u16) -> std::io::Result<Self> {
        let writer = TcpStream::connect(("127.0.0.1", port))?;
        writer.set_read_timeout(Some(Duration::from_secs(10)))?;
        let mut client = Self {
            reader: BufReader::new(writer.try_clone()?),
            writer,
        };
        client.expect("220");
        Ok(client)
    }

    /// Reads one reply (all lines of a multi-line one) and checks its code.
    fn expect(&mut self, code: &str) {
        loop {
            let mut line = String::new();
            self.reader
                .read_line(&mut line)
                .expect("read an SMTP reply");
            assert!(
                line.starts_with(code),
                "expected an SMTP {code} reply, got {line:?}"
            );
            // "250-..." continues a reply; "250 ..." ends it.
            if line.as_bytes().get(3) != Some(&b'-') {
                return;
            }
        }
    }

    fn command(&mut self, line: &str, code: &str) {
        write!(self.writer, "{line}\r\n").expect("write an SMTP command");
        self.expect(code);
    }

    fn send(mut self, from: &str, to: &[&str], message: &str) {
        self.command("HELO tests.example.com", "250");
        self.command(&format!("MAIL FROM:<{from}>"), "250");
        for rcpt in to {
            self.command(&format!("RCPT TO:<{rcpt}>"), "250");
        }
        self.command("DATA", "354");
        // A final CRLF ends the last line; splitting on it would add an empty one.
        let body = message.strip_suffix("\r\n").unwrap_or(message);
        for line in body.split("\r\n") {
            // Dot-stuffing: a line of the message must never read as the end of DATA.
            let stuffed = if line.starts_with('.') { "." } else { "" };
            write!(self.writer, "{stuffed}{line}\r\n").expect("write the message");
        }
        self.command(".", "250");
        self.command("QUIT", "221");
    }
}

/// Sends one message from coach@example.com to `to`, from a blocking thread (the client is
/// plain std I/O).
async fn send(port: u16, to: &'static str, message: String) {
    tokio::task::spawn_blocking(move || {
        SmtpClient::connect(port)
            .expect("connect to maildev's SMTP port")
            .send("coach@example.com", &[to], &message)
    })
    .await
    .expect("the SMTP client thread");
}

/// Standard base64 in 76-column lines, as MIME bodies carry it.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    let lines: Vec<&str> = out
        .as_bytes()
        .chunks(76)
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect();
    lines.join("\r\n")
}

/// A booking confirmation as a mailer would build it: the text part quoted-printable (with a
/// soft line break), the HTML part base64, the invitation a base64 `session.ics` attachment.
fn confirmation(subject_utf8: &str, message_id: &str) -> String {
    let subject = format!("=?UTF-8?B?{}?=", base64(subject_utf8.as_bytes()));
    [
        "From: Coach Sam <coach@example.com>",
        "To: Pat Parent <pat@example.com>",
        &format!("Subject: {subject}"),
        &format!("Message-ID: <{message_id}>"),
        "X-Booking-Id: 42",
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"outer\"",
        "",
        "--outer",
        "Content-Type: multipart/alternative; boundary=\"inner\"",
        "",
        "--inner",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: quoted-printable",
        "",
        "Bonjour Pat, votre s=C3=A9ance est confirm=C3=A9e. =",
        "=C3=80 bient=C3=B4t !",
        "--inner",
        "Content-Type: text/html; charset=utf-8",
        "Content-Transfer-Encoding: base64",
        "",
        &base64(HTML.as_bytes()),
        "--inner--",
        "",
        "--outer",
        "Content-Type: text/calendar; charset=utf-8; method=REQUEST",
        "Content-Transfer-Encoding: base64",
        "Content-Disposition: attachment; filename=\"session.ics\"",
        "",
        &base64(CALENDAR.as_bytes()),
        "--outer--",
        "",
    ]
    .join("\r\n")
}

fn plain(to: &str, subject: &str) -> String {
    format!("From: coach@example.com\r\nTo: {to}\r\nSubject: {subject}\r\n\r\nHello.\r\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmation_with_an_ics_attachment_comes_back_parsed() {
    crate::support::bounded(async {
        let maildev = MailDev::start().await;
        assert_eq!(
            maildev.smtp_url(),
            format!("smtp://127.0.0.1:{}", maildev.smtp_port())
        );
        let message = confirmation("Réservation confirmée", "confirm-42@example.com");
        send(maildev.smtp_port(), "pat@example.com", message).await;

        let emails = maildev.wait_for(1, Duration::from_secs(10)).await;
        assert_eq!(emails.len(), 1, "{emails:#?}");
        let email = &emails[0];
        assert_eq!(email.to, ["pat@example.com"]);
        assert_eq!(email.from, ["coach@example.com"]);
        assert_eq!(email.subject, "Réservation confirmée");
        assert_eq!(
            email.text,
            "Bonjour Pat, votre séance est confirmée. À bientôt !"
        );
        assert_eq!(email.html, HTML);
        assert_eq!(email.message_id.as_deref(), Some("confirm-42@example.com"));
        assert_eq!(email.headers["x-booking-id"], "42");
        assert_eq!(email.headers["message-id"], "<confirm-42@example.com>");

        assert_eq!(email.attachments.len(), 1, "{:#?}", email.attachments);
        let ics = email.attachment("session.ics").expect("session.ics");
        assert_eq!(ics.content_type, "text/calendar");
        assert_eq!(ics.content, CALENDAR.as_bytes());
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_come_oldest_first_and_read_the_same_every_time() {
    crate::support::bounded(async {
        let maildev = MailDev::start().await;
        let port = maildev.smtp_port();
        send(port, "a@example.com", plain("a@example.com", "first")).await;
        let first = maildev.wait_for(1, Duration::from_secs(10)).await;
        send(
            port,
            "pat@example.com",
            confirmation("second", "second@example.com"),
        )
        .await;
        send(port, "c@example.com", plain("c@example.com", "third")).await;

        let emails = maildev.wait_for(3, Duration::from_secs(10)).await;
        let subjects: Vec<&str> = emails.iter().map(|e| e.subject.as_str()).collect();
        assert_eq!(subjects, ["first", "second", "third"]);
        assert_eq!(emails[0], first[0]);
        assert_eq!(emails[0].text, "Hello.\n");
        assert_eq!(emails[0].html, "");
        assert!(emails[0].attachments.is_empty());
        // Fetching the attachment made maildev sanitise its stored copy of the HTML.
        assert_eq!(maildev.emails().await, emails);
        assert_eq!(emails[1].html, HTML);
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_mail_that_never_comes_fails_with_what_came() {
    crate::support::bounded(async {
        let maildev = MailDev::start().await;
        send(
            maildev.smtp_port(),
            "only@example.com",
            plain("only@example.com", "the only one"),
        )
        .await;

        let waited = AssertUnwindSafe(maildev.wait_for(2, Duration::from_millis(500)))
            .catch_unwind()
            .await;
        let payload = waited.expect_err("wait_for(2) with one message must panic");
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(
            message.contains("expected at least 2 email(s)"),
            "{message}"
        );
        assert!(message.contains("but 1 arrived"), "{message}");
        assert!(message.contains("only@example.com"), "{message}");
        assert!(message.contains("the only one"), "{message}");
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[should_panic(expected = "expected at least 1 email(s)")]
async fn waiting_on_an_empty_inbox_panics() {
    let maildev = MailDev::start().await;
    maildev.wait_for(1, Duration::from_millis(200)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_server_refuses_mail_and_comes_back_on_the_same_port() {
    crate::support::bounded(async {
        let mut maildev = MailDev::start().await;
        let port = maildev.smtp_port();
        send(port, "a@example.com", plain("a@example.com", "before")).await;
        maildev.wait_for(1, Duration::from_secs(10)).await;

        maildev.stop();
        let refused = TcpStream::connect(("127.0.0.1", port));
        assert!(refused.is_err(), "port {port} still answers after stop()");

        let back = MailDev::start_on(port).await;
        assert_eq!(back.smtp_port(), port);
        assert_eq!(back.smtp_url(), maildev.smtp_url());
        send(port, "b@example.com", plain("b@example.com", "after")).await;
        let emails = back.wait_for(1, Duration::from_secs(10)).await;
        // A new process: what the old one received is gone.
        assert_eq!(emails.len(), 1, "{emails:#?}");
        assert_eq!(emails[0].subject, "after");
        assert_eq!(emails[0].to, ["b@example.com"]);

        drop(back);
        assert!(
            TcpStream::connect(("127.0.0.1", port)).is_err(),
            "port {port} still answers after drop"
        );
    })
    .await
}

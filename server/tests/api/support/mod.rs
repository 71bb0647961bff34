//! Test support: a fresh database on either backend and the real application on a free port.

pub use app::db::Backend;
use app::db::{Db, DbOptions};
use server::{config::Config, Application};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

pub mod fake_stripe;
pub mod maildev;
pub mod stripe_spec;

pub const WEBHOOK_SECRET: &str = "whsec_test_secret_for_the_suite_0123456789";

/// Runs one async test body against SQLite and against PostgreSQL, as two test functions
/// (`<module>::sqlite::<name>` and `<module>::postgres::<name>`). `main.rs` declares this module
/// first with `#[macro_use]`, which puts the macro in scope in every test module.
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    $crate::support::bounded(super::$name($crate::support::Backend::Sqlite)).await
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    $crate::support::bounded(super::$name($crate::support::Backend::Postgres)).await
                }
            )+
        }
    };
}

/// Fails a test that runs past three minutes instead of letting it hang the suite.
pub async fn bounded(test: impl std::future::Future<Output = ()>) {
    if tokio::time::timeout(std::time::Duration::from_secs(180), test)
        .await
        .is_err()
    {
        panic!("the test ran for over three minutes");
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}_{}_{}_{n}", std::process::id(), nanos)
}

/// The URL of the PostgreSQL server the suite runs against (scripts/test.sh starts one).
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "TEST_POSTGRES_URL is not set: the PostgreSQL half of the suite needs a server; \
             run scripts/test.sh, which starts a throwaway cluster"
        )
    })
}

/// A database of its own for one test: a new SQLite file, or a new PostgreSQL database.
pub struct TestDatabase {
    pub backend: Backend,
    pub url: String,
    dir: Option<PathBuf>,
}

impl TestDatabase {
    /// A second handle on this database, for another server on it (the first one cleans up).
    pub fn shared(&self) -> Self {
        Self {
            backend: self.backend,
            url: self.url.clone(),
            dir: None,
        }
    }

    pub async fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(unique_name("booking_test"));
                std::fs::create_dir_all(&dir).expect("temp dir");
                let url = format!("sqlite://{}/test.db", dir.display());
                Self {
                    backend,
                    url,
                    dir: Some(dir),
                }
            }
            Backend::Postgres => Self::create_on(&postgres_admin_url()).await,
        }
    }

    /// A new database on the PostgreSQL server at `admin`.
    pub async fn create_on(admin: &str) -> Self {
        let name = unique_name("t");
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(admin)
            .await
            .expect("connect to the test PostgreSQL server");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create the test database");
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
        Self {
            backend: Backend::Postgres,
            url: format!("{base}/{name}"),
            dir: None,
        }
    }

    /// A migrated connection to this database, outside any server.
    pub async fn connect(&self) -> Db {
        let db = Db::connect(&self.url, &DbOptions::default())
            .await
            .expect("connect to the test database");
        db.migrate().await.expect("migrate the test database");
        db
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The family data key of the suite's apps (64 hex digits).
pub const TEST_FAMILY_DATA_KEY: &str =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// The real application, serving on a free port of 127.0.0.1.
pub struct TestApp {
    pub address: String,
    pub db: Db,
    pub client: reqwest::Client,
    pub database: TestDatabase,
    server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, &[]).await
    }

    /// Starts the app with the suite's defaults plus `overrides` (variable, value).
    pub async fn spawn_with(backend: Backend, overrides: &[(&str, &str)]) -> Self {
        let database = TestDatabase::create(backend).await;
        Self::spawn_on(database, overrides).await
    }

    pub async fn spawn_on(database: TestDatabase, overrides: &[(&str, &str)]) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .expect("http client");
        Self::spawn_on_with_client(database, overrides, client).await
    }

    /// Starts the app with a given HTTP client (to keep its cookies across servers).
    pub async fn spawn_on_with_client(
        database: TestDatabase,
        overrides: &[(&str, &str)],
        client: reqwest::Client,
    ) -> Self {
        let mut vars: Vec<(String, String)> = vec![
            ("DATABASE_URL".into(), database.url.clone()),
            ("LEPTOS_SITE_ADDR".into(), "127.0.0.1:0".into()),
            ("STRIPE_WEBHOOK_SECRET".into(), WEBHOOK_SECRET.into()),
            ("PAYMENT_MODE".into(), "simulated".into()),
            // Most tests book many times from one address and one email; the limits have
            // tests of their own, which set these back.
            (
                "BOOKING_REQUESTS_PER_CLIENT_PER_HOUR".into(),
                "1000000".into(),
            ),
            (
                "BOOKING_REQUESTS_PER_EMAIL_PER_HOUR".into(),
                "1000000".into(),
            ),
            ("MAX_UNPAID_HOLDS_PER_EMAIL".into(), "10000".into()),
            ("MAX_UNPAID_SESSION_SHARE_PERCENT".into(), "100".into()),
            // A booking's first mail at once, as most tests count it; the tests of the one
            // confirmation for an instant payment set the wait back (`words_true`).
            ("BOOKING_MAIL_DELAY_SECS".into(), "0".into()),
            // A fixed key, so no test writes a development key file (the families tests make
            // one on purpose).
            ("FAMILY_DATA_KEY".into(), TEST_FAMILY_DATA_KEY.into()),
        ];
        for (key, value) in overrides {
            vars.retain(|(k, _)| k != key);
            vars.push(((*key).into(), (*value).into()));
        }
        let config = Config::from_source(&vars).expect("test configuration");
        let app = Application::build(config).await.expect("build the app");
        let address = format!("http://127.0.0.1:{}", app.port());
        let db = app.state().db.clone();
        let server = tokio::spawn(async move {
            let _ = app.run_until_stopped().await;
        });
        Self {
            address,
            db,
            client,
            database,
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A page as this app's client (and its cookies) gets it: the status and the HTML.
    pub async fn get_page(&self, path: &str) -> (reqwest::StatusCode, String) {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Seconds since the epoch.
pub fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A `Stripe-Signature` header for `body`, made by our signer (agreement with Stripe's own is
/// proven separately, against the official library).
pub fn sign(body: &str, secret: &str, timestamp: i64) -> String {
    domain::stripe_signature::header_value(secret, timestamp, body.as_bytes())
}

/// A training session starting tomorrow: `capacity` places at 45.00 USD.
pub async fn seed_session(db: &Db, capacity: i64) -> i64 {
    seed_session_in(db, capacity, 1).await
}

/// A training session starting `days` from now: `capacity` places at 45.00 USD.
pub async fn seed_session_in(db: &Db, capacity: i64, days: i64) -> i64 {
    app::services::sessions::create(
        db,
        &domain::session_form::NewTrainingSession {
            title: "Sprint technique".into(),
            starts_at: (chrono::Utc::now() + chrono::Duration::days(days)).timestamp_millis(),
            duration_minutes: 60,
            location: "Track 2".into(),
            capacity,
            price_amount: 4500,
            currency: "USD".into(),
        },
    )
    .await
    .expect("create a training session")
}

/// A child's name not given before in this test process (`Alex 1 (Pat Parent)`, ...): one
/// email may not book the same athlete twice into a session.
pub fn another_child(parent: &str) -> String {
    static CHILDREN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = CHILDREN.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
    format!("Alex {n} ({parent})")
}

pub fn new_booking(session: i64, parent: &str) -> domain::booking_form::BookingRequest {
    domain::booking_form::BookingRequest {
        training_session_id: session,
        parent_name: parent.into(),
        parent_email: format!("{}@example.com", parent.to_lowercase().replace(' ', ".")),
        parent_phone: None,
        athlete_name: another_child(parent),
        athlete_age: 12,
        notes: None,
        track: Default::default(),
    }
}

/// Books `request` online, through the booking use case.
pub async fn create_booking(
    db: &Db,
    request: &domain::booking_form::BookingRequest,
) -> Result<app::db::bookings::CreatedBooking, app::services::booking::BookError> {
    // Tests that make many bookings for one email are not testing the hold limits.
    let generous = domain::HoldPolicy {
        max_unpaid_per_email: 10_000,
        max_session_share_percent: 100,
        first_mail_delay_ms: 0,
    };
    app::services::booking::book(db, request, app::services::booking::Entry::Online, generous).await
}

/// One booking in a fresh session; returns its id.
pub async fn seed_booking(db: &Db) -> i64 {
    let session = seed_session(db, 10).await;
    create_booking(db, &new_booking(session, "Pat Parent"))
        .await
        .expect("create a booking")
        .id
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LogRow {
    pub booking_id: Option<i64>,
    pub level: String,
    pub event_type: Option<String>,
    pub message: Option<String>,
}

/// The statuses of a booking, straight from the database.
pub async fn statuses(db: &Db, booking: i64) -> (String, String) {
    sqlx::query_as("SELECT payment_status, attendance_status FROM bookings WHERE id = $1")
        .bind(booking)
        .fetch_one(db.reader())
        .await
        .expect("read the booking")
}

pub async fn payment_logs(db: &Db) -> Vec<LogRow> {
    sqlx::query_as(
        "SELECT booking_id, level, event_type, error_message AS message FROM payment_logs ORDER BY id",
    )
    .fetch_all(db.reader())
    .await
    .expect("read payment_logs")
}

pub async fn count(db: &Db, table: &'static str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(db.reader())
        .await
        .expect("count rows")
}

impl TestApp {
    /// Posts `body` to the webhook with the given `Stripe-Signature` header (or none).
    pub async fn post_webhook(&self, body: &str, signature: Option<&str>) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.url("/api/stripe/webhook"))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(signature) = signature {
            request = request.header("stripe-signature", signature);
        }
        request.send().await.expect("webhook request")
    }

    /// Delivers `event` as Stripe would: signed with the suite's secret, now.
    pub async fn deliver(&self, event: &serde_json::Value) -> reqwest::Response {
        let body = event.to_string();
        let signature = sign(&body, WEBHOOK_SECRET, now_secs());
        self.post_webhook(&body, Some(&signature)).await
    }
}

/// A PostgreSQL cluster of a test's own (for outages: stopping it touches no other test).
pub struct PgCluster {
    dir: PathBuf,
    pub admin_url: String,
}

fn postgres_script(args: &[&str]) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/postgres.sh");
    let out = std::process::Command::new(script)
        .args(args)
        .output()
        .expect("run scripts/postgres.sh");
    assert!(
        out.status.success(),
        "postgres.sh {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

impl PgCluster {
    pub fn start() -> Self {
        let dir = std::env::temp_dir().join(unique_name("booking_pg"));
        let admin_url = postgres_script(&["start", dir.to_str().unwrap()]);
        Self { dir, admin_url }
    }

    /// Stops the server, keeping its data: the database is down.
    pub fn pause(&self) {
        postgres_script(&["pause", self.dir.to_str().unwrap()]);
    }

    /// Starts it again on the same port.
    pub fn resume(&self) {
        postgres_script(&["resume", self.dir.to_str().unwrap()]);
    }

    /// A new database on this cluster.
    pub async fn database(&self) -> TestDatabase {
        TestDatabase::create_on(&self.admin_url).await
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = std::process::Command::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scripts/postgres.sh"
        ))
        .args(["stop", self.dir.to_str().unwrap()])
        .output();
    }
}

/// A server function's answer, as the browser's JavaScript client sees it.
#[derive(Debug)]
pub struct FnAnswer {
    pub status: u16,
    /// Where the function redirected the browser (`leptos_axum::redirect`).
    pub redirect: Option<String>,
    pub body: String,
}

impl FnAnswer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

impl TestApp {
    /// Calls a server function as the hydrated page does: a form-encoded POST asking for JSON.
    pub async fn server_fn(&self, endpoint: &str, form: &[(&str, &str)]) -> FnAnswer {
        let response = self
            .client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("accept", "application/json")
            .header("origin", &self.address)
            .form(form)
            .send()
            .await
            .expect("server function request");
        let status = response.status().as_u16();
        let redirect = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        FnAnswer {
            status,
            redirect,
            body: response.text().await.unwrap_or_default(),
        }
    }
}

/// A complete, valid booking form for `session`.
pub fn booking_form(session: i64, parent: &str) -> Vec<(String, String)> {
    vec![
        ("session".into(), session.to_string()),
        ("parent_name".into(), parent.into()),
        ("parent_email".into(), "parent@example.com".into()),
        ("parent_phone".into(), "".into()),
        // Another child each time: one email may not book the same athlete twice into a
        // session (`words_true` tests that), and these forms share an email.
        ("athlete_name".into(), another_child(parent)),
        ("athlete_age".into(), "12".into()),
        ("notes".into(), "".into()),
        ("emergency_name".into(), "Robin Parent".into()),
        ("emergency_phone".into(), "+44 7700 900123".into()),
        ("consent".into(), "on".into()),
    ]
}

pub fn as_pairs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// Books through the form, with an email made of `parent`'s name; returns the booking's id, reference and checkout session.
pub async fn book_online(app: &TestApp, session: i64, parent: &str) -> (i64, String, String) {
    let mut form = booking_form(session, parent);
    let email = format!("{}@example.com", parent.to_lowercase().replace(' ', "."));
    for (key, value) in &mut form {
        if key == "parent_email" {
            *value = email.clone();
        }
    }
    let answer = app.server_fn("book", &as_pairs(&form)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let checkout = answer.redirect.unwrap();
    let session_id = checkout.rsplit('/').next().unwrap().to_owned();
    let booking = app::db::bookings::by_checkout_session(&app.db, &session_id)
        .await
        .unwrap()
        .unwrap();
    (booking.id, booking.reference, session_id)
}

/// Presses a button of the simulated checkout page.
pub async fn press_simulated(app: &TestApp, session_id: &str, outcome: &str) {
    let response = app
        .client
        .post(app.url(&format!("/api/simulated/checkout/{session_id}/{outcome}")))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "{outcome}");
}

pub const ADMIN_EMAIL: &str = "coach@example.com";
pub const ADMIN_PASSWORD: &str = "correct-horse-battery";

impl TestApp {
    /// Creates the suite's admin and logs this app's client in (the cookie is kept).
    pub async fn login_admin(&self) {
        // Created once: setting the password again would end the sessions already open.
        app::services::admins::ensure_admin(&self.db, ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .expect("create the admin");
        let answer = self
            .server_fn(
                "admin/login",
                &[
                    ("email", ADMIN_EMAIL),
                    ("password", ADMIN_PASSWORD),
                    ("next", "/admin"),
                ],
            )
            .await;
        assert_eq!(answer.status, 200, "login: {}", answer.body);
    }
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The real server binary in a child process (for crashes, restarts and its logs).
pub struct ServerProcess {
    child: std::process::Child,
    pub address: String,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts `server` with these variables (plus a site address) and waits for `/healthz`.
    pub async fn start(vars: &[(&str, &str)], log: PathBuf) -> Self {
        let port = free_port();
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("log file");
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env(
                "LEPTOS_SITE_ROOT",
                concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site"),
            )
            // As in `TestApp`: a booking's first mail at once unless a test says otherwise.
            .env("BOOKING_MAIL_DELAY_SECS", "0")
            // As in `TestApp`: no development key file written beside the sources.
            .env("FAMILY_DATA_KEY", TEST_FAMILY_DATA_KEY)
            .stdout(file.try_clone().unwrap())
            .stderr(file);
        for (k, v) in vars {
            command.env(k, v);
        }
        let server = Self {
            child: command.spawn().expect("start the server binary"),
            address: format!("http://127.0.0.1:{port}"),
            log,
        };
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if let Ok(r) = client
                .get(format!("{}/healthz", server.address))
                .send()
                .await
            {
                if r.status().is_success() {
                    return server;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the server did not start: {}", server.log());
    }

    /// SIGKILL: no shutdown, no flush, nothing.
    pub fn kill_9(&mut self) {
        self.child.kill().expect("kill -9");
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for the process to exit.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().expect("wait for the server")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Posts `event`, signed, to a server at `address`.
pub async fn deliver_to(
    client: &reqwest::Client,
    address: &str,
    event: &serde_json::Value,
) -> Result<u16, String> {
    let body = event.to_string();
    client
        .post(format!("{address}/api/stripe/webhook"))
        .header("content-type", "application/json")
        .header("stripe-signature", sign(&body, WEBHOOK_SECRET, now_secs()))
        .body(body)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_err(|e| e.to_string())
}

/// A `checkout.session.completed` (paid) event for `booking`.
pub fn paid_event(id: &str, booking: i64) -> serde_json::Value {
    use server::simulated::events::{checkout_session, event, SessionState};
    event(
        id,
        "checkout.session.completed",
        now_secs(),
        checkout_session(&SessionState {
            session_id: &format!("cs_{id}"),
            booking_id: booking,
            amount: 4500,
            currency: "usd",
            status: "complete",
            payment_status: "paid",
            payment_intent: Some(&format!("pi_{id}")),
            url: None,
            created: now_secs(),
            expires_at: now_secs() + 1800,
        }),
    )
}

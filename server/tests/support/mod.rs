//! Test support: a fresh database on either backend and the real application on a free port.
#![allow(dead_code)]

pub use app::db::Backend;
use app::db::{Db, DbOptions};
use server::{config::Config, Application};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

pub const WEBHOOK_SECRET: &str = "whsec_test_secret_for_the_suite_0123456789";

/// Runs one async test body against SQLite and against PostgreSQL, as two test functions.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name($crate::support::Backend::Sqlite).await
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name($crate::support::Backend::Postgres).await
                }
            )+
        }
    };
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
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let name = unique_name("t");
                sqlx::any::install_default_drivers();
                let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
                    .await
                    .expect("connect to the test PostgreSQL server");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create the test database");
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                Self {
                    backend,
                    url: format!("{base}/{name}"),
                    dir: None,
                }
            }
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
        let mut vars: Vec<(String, String)> = vec![
            ("DATABASE_URL".into(), database.url.clone()),
            ("LEPTOS_SITE_ADDR".into(), "127.0.0.1:0".into()),
            ("STRIPE_WEBHOOK_SECRET".into(), WEBHOOK_SECRET.into()),
            ("PAYMENT_MODE".into(), "simulated".into()),
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
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .expect("http client");
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
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

//! The database: the only home of SQL. One connection type for SQLite and PostgreSQL,
//! migrations, one module per table or aggregate, and the commit that also announces which
//! bookings changed. Every query is written once, with `$n` placeholders both databases accept.
//!
//! Functions here read or write rows and return plain data; they decide nothing. The use cases
//! that decide (and call these inside one transaction) are in `crate::services`.

pub mod admin_list;
pub mod admins;
pub mod athletes;
pub mod attendance;
pub mod bookings;
pub mod checkout;
pub mod consent;
pub mod emergency;
pub mod families;
pub mod feeds;
pub mod groups;
pub mod ledger;
pub mod live;
pub mod messages;
pub mod moves;
pub mod outbox;
pub mod payment_logs;
pub mod payments;
pub mod refunds;
pub mod reminders;
pub mod returned_forms;
pub mod roster;
pub mod sessions;
mod sql;
pub mod terms;
pub mod timeline;
pub mod waitlist;

pub use live::LiveHub;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Transaction};
use std::sync::Arc;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// Pool settings chosen by the server's configuration.
#[derive(Debug, Clone)]
pub struct DbOptions {
    pub max_connections: u32,
    /// How long a request waits for a connection before the database counts as unavailable.
    pub acquire_timeout: Duration,
    /// SQLite `synchronous`: NORMAL survives a process crash, FULL also a power cut.
    pub sqlite_synchronous_full: bool,
    /// SQLite `mmap_size`: how much of the database file reads map into the process (bytes;
    /// 0 reads through each connection's own page cache instead).
    pub sqlite_mmap_bytes: u64,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            acquire_timeout: Duration::from_secs(3),
            sqlite_synchronous_full: false,
            sqlite_mmap_bytes: 256 << 20,
        }
    }
}

/// A transaction on the writer; the use cases hold one across several calls of this module.
pub type Tx = Transaction<'static, Any>;

/// Connections to the one database. SQLite gets a single writer connection (its writes are
/// serial anyway, and one writer never meets SQLITE_BUSY) beside a pool of readers;
/// PostgreSQL uses one pool for both. `live` carries the announcements of committed changes.
#[derive(Clone, Debug)]
pub struct Db {
    backend: Backend,
    write: AnyPool,
    read: AnyPool,
    url: Arc<str>,
    live: LiveHub,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database URL must start with sqlite: or postgres://")]
    UnsupportedUrl,
    #[error("could not create the directory for the SQLite file: {0}")]
    CreateDir(std::io::Error),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

fn sqlite_url_with_create(url: &str) -> String {
    if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

fn sqlite_file_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
}

impl Db {
    /// Opens the pools (creating the SQLite file and its directory when missing). Connections
    /// are made lazily, so a server can start while PostgreSQL is still coming up.
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url).ok_or(DbError::UnsupportedUrl)?;
        match backend {
            Backend::Sqlite => {
                if let Some(parent) =
                    sqlite_file_path(url).and_then(|p| p.parent().map(|d| d.to_owned()))
                {
                    if !parent.as_os_str().is_empty() {
                        std::fs::create_dir_all(&parent).map_err(DbError::CreateDir)?;
                    }
                }
                let url = sqlite_url_with_create(url);
                let synchronous = if options.sqlite_synchronous_full {
                    "PRAGMA synchronous = FULL"
                } else {
                    "PRAGMA synchronous = NORMAL"
                };
                let mmap = format!("PRAGMA mmap_size = {}", options.sqlite_mmap_bytes);
                let pool = |max: u32| {
                    let mmap = mmap.clone();
                    AnyPoolOptions::new()
                        .max_connections(max)
                        .acquire_timeout(options.acquire_timeout)
                        .after_connect(move |conn, _meta| {
                            let mmap = mmap.clone();
                            Box::pin(async move {
                                use sqlx::Executor;
                                conn.execute("PRAGMA journal_mode = WAL").await?;
                                conn.execute(synchronous).await?;
                                conn.execute("PRAGMA busy_timeout = 5000").await?;
                                conn.execute("PRAGMA foreign_keys = ON").await?;
                                conn.execute("PRAGMA temp_store = MEMORY").await?;
                                // Reads through the OS page cache, shared by every connection,
                                // instead of copying pages into each connection's own small
                                // cache (a search scan is three times faster). Mapped file pages
                                // count in the process's RSS, though they are the OS's cache:
                                // `SQLITE_MMAP_MB` bounds them (docs/OPERATIONS.md).
                                sqlx::raw_sql(sqlx::AssertSqlSafe(mmap))
                                    .execute(&mut *conn)
                                    .await?;
                                Ok(())
                            })
                        })
                };
                let write = pool(1).connect(&url).await?;
                let read = pool(options.max_connections.max(1)).connect_lazy(&url)?;
                Ok(Self {
                    backend,
                    write,
                    read,
                    url: url.into(),
                    live: LiveHub::new(),
                })
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(options.max_connections)
                    .min_connections(0)
                    .acquire_timeout(options.acquire_timeout)
                    .connect_lazy(url)?;
                Ok(Self {
                    backend,
                    write: pool.clone(),
                    read: pool,
                    url: url.into(),
                    live: LiveHub::new(),
                })
            }
        }
    }

    /// Applies the migration set of this database; a second run changes nothing.
    pub async fn migrate(&self) -> Result<(), DbError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.write).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The pool for statements that write (a single connection on SQLite). Within the app only
    /// this module's files use it; tools outside the app (the benchmark) may too.
    pub fn writer(&self) -> &AnyPool {
        &self.write
    }

    /// The pool for reads.
    pub fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// The announcements of committed booking changes, for the pages open on this instance.
    pub fn live(&self) -> &LiveHub {
        &self.live
    }

    /// On PostgreSQL, starts the task that hands other instances' announcements to this
    /// instance's hub (SQLite serves one instance: nothing to listen to).
    pub fn listen_for_changes(&self) {
        if self.backend == Backend::Postgres {
            live::spawn_postgres_listener(self.url.to_string(), self.live.clone());
        }
    }

    /// Starts a transaction on the writer.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        self.write.begin().await
    }

    /// Commits `tx` and announces the bookings it changed, once the change is durable: on
    /// PostgreSQL one NOTIFY inside the transaction (delivered on commit to every instance), on
    /// SQLite (one instance) straight to this instance's hub after the commit.
    pub async fn commit(&self, mut tx: Tx, booking_ids: &[i64]) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres && !booking_ids.is_empty() {
            live::notify(&mut tx, booking_ids).await?;
        }
        tx.commit().await?;
        if self.backend == Backend::Sqlite {
            for id in booking_ids {
                self.live.publish_local(*id);
            }
        }
        Ok(())
    }

    /// Whether the database answers a trivial query right now.
    pub async fn ping(&self) -> bool {
        sqlx::query_scalar::<_, i64>("SELECT 1")
            .fetch_one(&self.read)
            .await
            .is_ok()
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

/// Current time as UTC milliseconds, the unit of every timestamp column.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Whether an error means the database could not be reached (as opposed to a refused statement).
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed
    ) || error
        .as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| {
            // PostgreSQL: admin shutdown, crash shutdown, cannot connect now, connection failures.
            code.starts_with("08") || code == "57P01" || code == "57P02" || code == "57P03"
        })
}

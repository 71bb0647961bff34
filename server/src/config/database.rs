//! The database section: `DATABASE_URL` (SQLite under `DATA_DIR` by default, or PostgreSQL)
//! and the pool size.

use super::{bad, parse_number, ConfigError, Source};

/// The database: SQLite (a file under `DATA_DIR` by default) or PostgreSQL.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    pub url: String,
    pub max_connections: u32,
    /// How much of a SQLite file its reads map into memory, in MiB (`SQLITE_MMAP_MB`).
    pub sqlite_mmap_mb: u64,
}

impl DatabaseConfig {
    pub fn from_source(source: &dyn Source) -> Result<Self, ConfigError> {
        let url = match source.get("DATABASE_URL") {
            None => {
                let data_dir = source.get("DATA_DIR").unwrap_or_else(|| "data".into());
                format!("sqlite://{}/bookings.db", data_dir.trim())
            }
            Some(url) => {
                let url = url.trim().to_owned();
                if app::db::Backend::of_url(&url).is_none() {
                    return Err(bad(
                        "DATABASE_URL",
                        "must start with sqlite: or postgres:// (the two supported databases)",
                    ));
                }
                url
            }
        };
        let max_connections = parse_number(
            source,
            "DATABASE_MAX_CONNECTIONS",
            if url.starts_with("sqlite:") { 4 } else { 16 },
            |n: &u32| (1..=1000).contains(n),
            "a whole number from 1 to 1000",
        )?;
        let sqlite_mmap_mb = parse_number(
            source,
            "SQLITE_MMAP_MB",
            256,
            |n: &u64| *n <= 65_536,
            "a whole number of MiB from 0 (no mapping) to 65536",
        )?;
        Ok(Self {
            url,
            max_connections,
            sqlite_mmap_mb,
        })
    }

    /// Pool settings for this database.
    pub fn options(&self) -> app::db::DbOptions {
        app::db::DbOptions {
            max_connections: self.max_connections,
            sqlite_mmap_bytes: self.sqlite_mmap_mb << 20,
            ..app::db::DbOptions::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_defaults_to_a_file_under_the_data_dir() {
        let db = DatabaseConfig::from_source(&[("DATA_DIR", "/var/lib/bookings")]).unwrap();
        assert_eq!(db.url, "sqlite:///var/lib/bookings/bookings.db");
        assert_eq!(db.max_connections, 4);
        let pg =
            DatabaseConfig::from_source(&[("DATABASE_URL", "postgres://db/bookings")]).unwrap();
        assert_eq!((pg.max_connections, pg.options().max_connections), (16, 16));
        let err = DatabaseConfig::from_source(&[("DATABASE_MAX_CONNECTIONS", "0")]).unwrap_err();
        assert_eq!(err.variable, "DATABASE_MAX_CONNECTIONS");
        assert_eq!(db.options().sqlite_mmap_bytes, 256 << 20);
        let small = DatabaseConfig::from_source(&[("SQLITE_MMAP_MB", "16")]).unwrap();
        assert_eq!(small.options().sqlite_mmap_bytes, 16 << 20);
        let err = DatabaseConfig::from_source(&[("SQLITE_MMAP_MB", "-1")]).unwrap_err();
        assert_eq!(err.variable, "SQLITE_MMAP_MB");
    }
}

//! The family accounts' section (issue 22): how long a sign-in link lasts, the key that seals
//! what families keep (`FAMILY_DATA_KEY`), and how long bookings' personal data is kept.

use super::{bad, parse_number, ConfigError, Environment, Source};
use app::settings::DataKey;
use std::path::PathBuf;
use std::time::Duration;

/// Where the family data key comes from.
#[derive(Debug, Clone)]
pub enum FamilyKey {
    /// `FAMILY_DATA_KEY`.
    Given(DataKey),
    /// Development on this machine without a key: the key in this file, made (mode 0600) on
    /// the first start.
    LocalFile(PathBuf),
}

/// The name of the file a development key is kept in, in the data directory.
pub const KEY_FILE: &str = "family_data.key";

#[derive(Debug, Clone)]
pub struct FamilyConfig {
    /// `SIGN_IN_LINK_MINUTES` (15 by default).
    pub sign_in_link: Duration,
    pub data_key: FamilyKey,
    /// `DATA_RETENTION_MONTHS`: unset, personal data is kept.
    pub retention_months: Option<u32>,
}

/// The directory data is kept in: `DATA_DIR`, else the SQLite file's, else `data`.
fn data_dir(source: &dyn Source, database_url: &str) -> PathBuf {
    if let Some(dir) = source.get("DATA_DIR") {
        return PathBuf::from(dir.trim());
    }
    database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .and_then(|file| std::path::Path::new(file).parent().map(PathBuf::from))
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("data"))
}

impl FamilyConfig {
    pub fn from_source(
        source: &dyn Source,
        environment: Environment,
        public_base_url: &url::Url,
        database_url: &str,
    ) -> Result<Self, ConfigError> {
        let minutes = parse_number(
            source,
            "SIGN_IN_LINK_MINUTES",
            15,
            |n: &u64| (1..=24 * 60).contains(n),
            "a number of minutes from 1 to 1440",
        )?;
        let local = matches!(
            public_base_url.host_str(),
            Some("localhost" | "127.0.0.1" | "[::1]" | "0.0.0.0")
        );
        let data_key = match source.get("FAMILY_DATA_KEY") {
            Some(text) => FamilyKey::Given(
                DataKey::from_text(&text).map_err(|problem| bad("FAMILY_DATA_KEY", problem))?,
            ),
            None if environment == Environment::Development && local => {
                FamilyKey::LocalFile(data_dir(source, database_url).join(KEY_FILE))
            }
            None => {
                return Err(bad(
                    "FAMILY_DATA_KEY",
                    "is required (32 bytes as 64 hex digits or base64, e.g. `openssl rand -hex 32`): it encrypts the athletes' medical notes",
                ))
            }
        };
        let retention_months = match source.get("DATA_RETENTION_MONTHS") {
            None => None,
            Some(_) => Some(parse_number(
                source,
                "DATA_RETENTION_MONTHS",
                0,
                |n: &u32| (1..=1200).contains(n),
                "a number of months from 1 to 1200",
            )?),
        };
        Ok(Self {
            sign_in_link: Duration::from_secs(60 * minutes),
            data_key,
            retention_months,
        })
    }

    /// The key: given, or read from its local file (made now, readable by this user only, if
    /// it is not there yet).
    pub fn key(&self) -> Result<DataKey, String> {
        match &self.data_key {
            FamilyKey::Given(key) => Ok(key.clone()),
            FamilyKey::LocalFile(path) => {
                if !path.exists() {
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir)
                            .map_err(|e| format!("{}: {e}", dir.display()))?;
                    }
                    write_private(path, &DataKey::random_text())
                        .map_err(|e| format!("{}: {e}", path.display()))?;
                    tracing::warn!(
                        file = %path.display(),
                        "FAMILY_DATA_KEY is not set: made a development key (keep this file; production needs FAMILY_DATA_KEY)"
                    );
                }
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                DataKey::from_text(&text).map_err(|e| format!("{}: {e}", path.display()))
            }
        }
    }
}

fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local() -> url::Url {
        url::Url::parse("http://127.0.0.1:3000").unwrap()
    }

    #[test]
    fn production_needs_the_key_and_development_keeps_one_beside_its_data() {
        let prod = FamilyConfig::from_source(
            &[("APP_ENV", "production")],
            Environment::Production,
            &url::Url::parse("https://book.example.com").unwrap(),
            "postgres://db/x",
        )
        .unwrap_err();
        assert_eq!(prod.variable, "FAMILY_DATA_KEY");
        let dev = FamilyConfig::from_source(
            &[("SIGN_IN_LINK_MINUTES", "5")],
            Environment::Development,
            &local(),
            "sqlite:///tmp/x/bookings.db",
        )
        .unwrap();
        assert_eq!(dev.sign_in_link, Duration::from_secs(300));
        assert!(dev.retention_months.is_none());
        match dev.data_key {
            FamilyKey::LocalFile(path) => {
                assert_eq!(path, PathBuf::from("/tmp/x/family_data.key"))
            }
            FamilyKey::Given(_) => panic!("no key was given"),
        }
        let bad_key = FamilyConfig::from_source(
            &[("FAMILY_DATA_KEY", "short")],
            Environment::Development,
            &local(),
            "sqlite://data/bookings.db",
        )
        .unwrap_err();
        assert_eq!(bad_key.variable, "FAMILY_DATA_KEY");
        let months = FamilyConfig::from_source(
            &[("DATA_RETENTION_MONTHS", "0")],
            Environment::Development,
            &local(),
            "sqlite://data/bookings.db",
        )
        .unwrap_err();
        assert_eq!(months.variable, "DATA_RETENTION_MONTHS");
    }

    #[test]
    fn a_development_key_is_made_once_readable_by_its_owner_only() {
        let dir = std::env::temp_dir().join(format!("family-key-{}", rand::random::<u64>()));
        let config = FamilyConfig {
            sign_in_link: Duration::from_secs(900),
            data_key: FamilyKey::LocalFile(dir.join(KEY_FILE)),
            retention_months: None,
        };
        let first = config.key().unwrap();
        assert_eq!(
            config.key().unwrap().0,
            first.0,
            "the same key on the next start"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}

//! The admin section: the first admin, created on start when no admin has that email.

use super::{bad, parse_number, ConfigError, Source};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

/// The first admin, created on start when no admin has that email.
#[derive(Debug, Clone)]
pub struct AdminConfig {
    pub email: Option<String>,
    pub password: Option<SecretString>,
    /// An admin session ends after this long without use (`ADMIN_IDLE_MINUTES`).
    pub idle: Duration,
}

impl AdminConfig {
    pub fn from_source(source: &dyn Source) -> Result<Self, ConfigError> {
        let email = source.get("ADMIN_EMAIL").map(|e| e.trim().to_owned());
        let password = source.get("ADMIN_PASSWORD").map(SecretString::from);
        match (&email, &password) {
            (Some(email), Some(password)) => {
                if !email.contains('@') {
                    return Err(bad("ADMIN_EMAIL", "is not an email address"));
                }
                if password.expose_secret().chars().count()
                    < app::services::admins::MIN_PASSWORD_CHARS
                {
                    return Err(bad("ADMIN_PASSWORD", "must be at least 10 characters"));
                }
            }
            (Some(_), None) => {
                return Err(bad("ADMIN_PASSWORD", "is required when ADMIN_EMAIL is set"))
            }
            (None, Some(_)) => {
                return Err(bad("ADMIN_EMAIL", "is required when ADMIN_PASSWORD is set"))
            }
            (None, None) => {}
        }
        let idle = Duration::from_secs(
            60 * parse_number(
                source,
                "ADMIN_IDLE_MINUTES",
                60,
                |n: &u64| (1..=24 * 60).contains(n),
                "a number of minutes from 1 to 1440",
            )?,
        );
        Ok(Self {
            email,
            password,
            idle,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::NONE;

    #[test]
    fn admin_needs_both_halves_and_a_long_password() {
        assert!(AdminConfig::from_source(&NONE).unwrap().email.is_none());
        let short = AdminConfig::from_source(&[
            ("ADMIN_EMAIL", "a@example.com"),
            ("ADMIN_PASSWORD", "short"),
        ])
        .unwrap_err();
        assert_eq!(short.variable, "ADMIN_PASSWORD");
        let alone = AdminConfig::from_source(&[("ADMIN_PASSWORD", "long enough pw")]).unwrap_err();
        assert_eq!(alone.variable, "ADMIN_EMAIL");
    }
}

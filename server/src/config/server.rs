//! The server section: where it listens, the site files it serves, the address parents reach,
//! the business's time zone, logging and the metrics token.

use super::{bad, parse_url, ConfigError, Environment, LogFormat, Source};
use secrecy::SecretString;
use std::net::SocketAddr;

/// Where the server listens, the address parents reach, how it logs and tells the time.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub site_addr: SocketAddr,
    /// The built site (`LEPTOS_SITE_ROOT`, default `target/site`): `pkg/` and the public files.
    pub site_root: std::path::PathBuf,
    pub public_base_url: url::Url,
    pub business_timezone: chrono_tz::Tz,
    pub log_format: LogFormat,
    pub metrics_token: Option<SecretString>,
    /// The proxies whose `X-Forwarded-For` names the client (`TRUSTED_PROXIES`, CIDRs).
    pub trusted_proxies: domain::client::TrustedProxies,
    /// Parents may cancel (or move) up to this long before their session
    /// (`CANCELLATION_CUTOFF_HOURS`).
    pub cancellation_cutoff: std::time::Duration,
    /// How long a freed place is held for the first person waiting (`WAITLIST_OFFER_MINUTES`).
    pub waitlist_offer: std::time::Duration,
    /// Families are reminded this long before a session (`REMINDER_HOURS`; zero: never).
    pub reminder_ahead: std::time::Duration,
    /// The second child of a family booked at once, and each after, this much less
    /// (`SIBLING_DISCOUNT_PERCENT`, 0 to 100; 0: off).
    pub sibling_discount_percent: u8,
}

impl ServerConfig {
    pub fn from_source(source: &dyn Source, environment: Environment) -> Result<Self, ConfigError> {
        let site_addr: SocketAddr = match source.get("LEPTOS_SITE_ADDR") {
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
            Some(text) => text.trim().parse().map_err(|_| {
                bad(
                    "LEPTOS_SITE_ADDR",
                    format!("{text:?} is not an address like 127.0.0.1:3000"),
                )
            })?,
        };
        let site_root = source
            .get("LEPTOS_SITE_ROOT")
            .map(|root| std::path::PathBuf::from(root.trim()))
            .unwrap_or_else(|| "target/site".into());
        let public_base_url = match source.get("PUBLIC_BASE_URL") {
            Some(text) => parse_url(&text, "PUBLIC_BASE_URL")?,
            None if environment == Environment::Production => {
                return Err(bad(
                    "PUBLIC_BASE_URL",
                    "is required in production (the https address parents use)",
                ))
            }
            None => parse_url(&format!("http://{site_addr}"), "PUBLIC_BASE_URL")?,
        };
        let business_timezone = match source.get("BUSINESS_TIMEZONE") {
            None => chrono_tz::UTC,
            Some(name) => name.trim().parse::<chrono_tz::Tz>().map_err(|_| {
                bad(
                    "BUSINESS_TIMEZONE",
                    format!("{name:?} is not an IANA time zone like Europe/London"),
                )
            })?,
        };
        let log_format = LogFormat::from_source(source)?;
        let trusted_proxies = domain::client::TrustedProxies::parse(
            &source.get("TRUSTED_PROXIES").unwrap_or_default(),
        )
        .map_err(|problem| bad("TRUSTED_PROXIES", problem))?;
        let cutoff_hours = super::parse_number(
            source,
            "CANCELLATION_CUTOFF_HOURS",
            24,
            |n: &u64| *n <= 24 * 60,
            "a number of hours up to 1440",
        )?;
        let offer_minutes = super::parse_number(
            source,
            "WAITLIST_OFFER_MINUTES",
            120,
            |n: &u64| (1..=7 * 24 * 60).contains(n),
            "a number of minutes from 1 to 10080",
        )?;
        let reminder_hours = super::parse_number(
            source,
            "REMINDER_HOURS",
            24,
            |n: &u64| *n <= 14 * 24,
            "a number of hours up to 336 (0 sends no reminders)",
        )?;
        let sibling_discount_percent = super::parse_number(
            source,
            "SIBLING_DISCOUNT_PERCENT",
            0,
            |n: &u64| *n <= 100,
            "a percentage from 0 to 100 (0: no discount)",
        )?;
        Ok(Self {
            site_addr,
            site_root,
            public_base_url,
            business_timezone,
            log_format,
            metrics_token: source.get("METRICS_TOKEN").map(SecretString::from),
            trusted_proxies,
            cancellation_cutoff: std::time::Duration::from_secs(cutoff_hours * 3600),
            waitlist_offer: std::time::Duration::from_secs(offer_minutes * 60),
            reminder_ahead: std::time::Duration::from_secs(reminder_hours * 3600),
            sibling_discount_percent: u8::try_from(sibling_discount_percent).unwrap_or(100),
        })
    }
}

impl LogFormat {
    /// `LOG_FORMAT`: text (the default) or json. Read on its own too, so that commands whose
    /// configuration is refused still log in the format asked for.
    pub fn from_source(source: &dyn Source) -> Result<Self, ConfigError> {
        match source.get("LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => Ok(Self::Text),
            Some("json") => Ok(Self::Json),
            Some(other) => Err(bad("LOG_FORMAT", format!("{other:?} is not text or json"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::NONE;

    #[test]
    fn server_needs_a_public_address_in_production_and_reads_the_zone() {
        let err = ServerConfig::from_source(&NONE, Environment::Production).unwrap_err();
        assert_eq!(err.variable, "PUBLIC_BASE_URL");
        let server = ServerConfig::from_source(
            &[
                ("LEPTOS_SITE_ADDR", "0.0.0.0:8080"),
                ("BUSINESS_TIMEZONE", "Europe/London"),
                ("LOG_FORMAT", "json"),
                ("LEPTOS_SITE_ROOT", "/srv/booking/site"),
            ],
            Environment::Development,
        )
        .unwrap();
        assert_eq!(server.site_root, std::path::Path::new("/srv/booking/site"));
        assert_eq!(server.public_base_url.as_str(), "http://0.0.0.0:8080/");
        assert_eq!(server.business_timezone, chrono_tz::Europe::London);
        assert_eq!(server.log_format, LogFormat::Json);
        assert_eq!(server.waitlist_offer.as_secs(), 120 * 60);
        let err =
            ServerConfig::from_source(&[("WAITLIST_OFFER_MINUTES", "0")], Environment::Development)
                .unwrap_err();
        assert_eq!(err.variable, "WAITLIST_OFFER_MINUTES");
    }
}

//! Configuration from the environment (and an optional `.env`): parsed once, at start, into
//! sections whose types are valid by construction. A bad value stops the server with one line
//! naming the variable. Each section reads its own variables and has its own tests; what is
//! worth a warning (but not a refusal) is kept in `Config::warnings`, for the log once it runs.

mod admin;
mod database;
mod family;
mod limits;
mod mail;
mod server;
mod stripe;

pub use admin::AdminConfig;
pub use database::DatabaseConfig;
pub use family::{FamilyConfig, FamilyKey};
pub use limits::LimitsConfig;
pub use mail::MailConfig;
pub use server::ServerConfig;
pub use stripe::StripeConfig;

/// A configuration problem: the variable and what is wrong with it, in one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

fn bad(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMode {
    /// Real Stripe Checkout through the API at `api_base`.
    Stripe,
    /// A local checkout page that posts correctly signed events through the real webhook.
    Simulated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Where the configuration is read from: the process environment, or a list in tests.
pub trait Source {
    fn get(&self, name: &str) -> Option<String>;
}

pub struct ProcessEnv;

impl Source for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl<const N: usize> Source for [(&str, &str); N] {
    fn get(&self, name: &str) -> Option<String> {
        self.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
            .filter(|v| !v.trim().is_empty())
    }
}

impl Source for Vec<(String, String)> {
    fn get(&self, name: &str) -> Option<String> {
        self.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.trim().is_empty())
    }
}

fn parse_number<T: std::str::FromStr>(
    source: &dyn Source,
    variable: &'static str,
    default: T,
    valid: impl Fn(&T) -> bool,
    expectation: &str,
) -> Result<T, ConfigError> {
    match source.get(variable) {
        None => Ok(default),
        Some(text) => match text.trim().parse::<T>() {
            Ok(value) if valid(&value) => Ok(value),
            _ => Err(bad(variable, format!("{text:?} is not {expectation}"))),
        },
    }
}

fn parse_bool(source: &dyn Source, variable: &'static str) -> Result<bool, ConfigError> {
    match source.get(variable).as_deref().map(str::trim) {
        None => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(bad(variable, format!("{other:?} is not true or false"))),
    }
}

fn parse_url(text: &str, variable: &'static str) -> Result<url::Url, ConfigError> {
    let parsed = url::Url::parse(text.trim())
        .map_err(|e| bad(variable, format!("{text:?} is not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(bad(
            variable,
            format!("{text:?} must be an http(s) URL with a host"),
        ));
    }
    Ok(parsed)
}

impl Environment {
    /// `APP_ENV`: development (the default) or production.
    pub fn from_source(source: &dyn Source) -> Result<Self, ConfigError> {
        match source.get("APP_ENV").as_deref().map(str::trim) {
            None | Some("development") | Some("dev") | Some("test") => Ok(Self::Development),
            Some("production") | Some("prod") => Ok(Self::Production),
            Some(other) => Err(bad(
                "APP_ENV",
                format!("{other:?} is not development or production"),
            )),
        }
    }
}

/// The whole configuration of `server serve`.
#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub stripe: StripeConfig,
    pub admin: AdminConfig,
    pub limits: LimitsConfig,
    pub mail: MailConfig,
    pub family: FamilyConfig,
    /// Worth telling the operator, not worth refusing to start: logged once logging runs.
    pub warnings: Vec<String>,
}

/// Said at start when no zone is set: every session time is then shown in UTC.
pub const UNSET_TIMEZONE: &str = "BUSINESS_TIMEZONE is not set: session times are shown and typed in UTC (the default). Set it to the business's IANA zone, like Europe/London.";

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_source(&ProcessEnv)
    }

    pub fn from_source(source: &dyn Source) -> Result<Self, ConfigError> {
        let environment = Environment::from_source(source)?;
        let mut warnings = Vec::new();
        let server = ServerConfig::from_source(source, environment)?;
        if source.get("BUSINESS_TIMEZONE").is_none() {
            warnings.push(UNSET_TIMEZONE.to_owned());
        }
        let stripe =
            StripeConfig::from_source(source, environment, &server.public_base_url, &mut warnings)?;
        let database = DatabaseConfig::from_source(source)?;
        let admin = AdminConfig::from_source(source)?;
        let limits = LimitsConfig::from_source(source)?;
        let mail = MailConfig::from_source(source, environment)?;
        let family =
            FamilyConfig::from_source(source, environment, &server.public_base_url, &database.url)?;
        Ok(Self {
            environment,
            stripe,
            server,
            database,
            admin,
            limits,
            mail,
            family,
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::time::Duration;

    pub(super) const NONE: [(&str, &str); 0] = [];

    #[test]
    fn defaults_run_simulated_on_a_sqlite_file() {
        let config = Config::from_source(&NONE).unwrap();
        assert_eq!(config.stripe.mode, PaymentMode::Simulated);
        assert_eq!(config.database.url, "sqlite://data/bookings.db");
        assert_eq!(config.server.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.server.site_root, std::path::Path::new("target/site"));
        assert_eq!(
            config.server.public_base_url.as_str(),
            "http://127.0.0.1:3000/"
        );
        assert_eq!(config.stripe.webhook_tolerance, Duration::from_secs(300));
        assert_eq!(config.limits.webhook_body_limit, 2 * 1024 * 1024);
        assert!(config.stripe.reconcile_interval.is_none());
        // The one warning of a default start: times in UTC, the zone unset.
        assert_eq!(config.warnings, vec![UNSET_TIMEZONE.to_owned()]);
        let zoned = Config::from_source(&[("BUSINESS_TIMEZONE", "Europe/London")]).unwrap();
        assert!(zoned.warnings.is_empty(), "{:?}", zoned.warnings);
    }

    #[test]
    fn a_stripe_key_selects_stripe_and_needs_a_webhook_secret() {
        let err = Config::from_source(&[("STRIPE_SECRET_KEY", "sk_test_abc")]).unwrap_err();
        assert_eq!(err.variable, "STRIPE_WEBHOOK_SECRET");
        let config = Config::from_source(&[
            ("STRIPE_SECRET_KEY", "sk_test_abc"),
            (
                "STRIPE_WEBHOOK_SECRET",
                "whsec_one1234567, whsec_two1234567",
            ),
        ])
        .unwrap();
        assert_eq!(config.stripe.mode, PaymentMode::Stripe);
        assert_eq!(config.stripe.webhook_secrets.len(), 2);
        assert_eq!(
            config.stripe.webhook_secrets[1].expose_secret(),
            "whsec_two1234567"
        );
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        let cases: [(&str, &str, &str); 12] = [
            ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
            ("LEPTOS_SITE_ADDR", "localhost", "LEPTOS_SITE_ADDR"),
            ("PUBLIC_BASE_URL", "not a url", "PUBLIC_BASE_URL"),
            ("STRIPE_SECRET_KEY", "pk_test_123", "STRIPE_SECRET_KEY"),
            (
                "STRIPE_WEBHOOK_SECRET",
                "whsec_good12345,oops",
                "STRIPE_WEBHOOK_SECRET",
            ),
            ("STRIPE_API_BASE", "ftp://x", "STRIPE_API_BASE"),
            (
                "STRIPE_WEBHOOK_TOLERANCE_SECS",
                "-5",
                "STRIPE_WEBHOOK_TOLERANCE_SECS",
            ),
            ("BUSINESS_TIMEZONE", "Mars/Olympus", "BUSINESS_TIMEZONE"),
            ("APP_ENV", "staging", "APP_ENV"),
            ("PAYMENT_MODE", "paypal", "PAYMENT_MODE"),
            ("ADMIN_EMAIL", "admin@example.com", "ADMIN_PASSWORD"),
            ("LOG_FORMAT", "xml", "LOG_FORMAT"),
        ];
        for (variable, value, named) in cases {
            let err = Config::from_source(&[(variable, value)]).unwrap_err();
            assert_eq!(err.variable, named, "{variable}={value}");
            let line = err.to_string();
            assert!(line.starts_with(named) && !line.contains('\n'), "{line}");
        }
    }

    #[test]
    fn production_refuses_simulated_payments_unless_told() {
        let prod = [
            ("APP_ENV", "production"),
            ("PUBLIC_BASE_URL", "https://book.example.com"),
        ];
        assert_eq!(
            Config::from_source(&prod).unwrap_err().variable,
            "PAYMENT_MODE"
        );
        let told = [
            ("APP_ENV", "production"),
            ("PUBLIC_BASE_URL", "https://book.example.com"),
            ("ALLOW_SIMULATED_PAYMENTS", "true"),
            ("MAIL_DISABLED", "true"),
            (
                "FAMILY_DATA_KEY",
                "abababababababababababababababababababababababababababababababab",
            ),
        ];
        assert_eq!(
            Config::from_source(&told).unwrap().stripe.mode,
            PaymentMode::Simulated
        );
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let config = Config::from_source(&[
            ("STRIPE_SECRET_KEY", "sk_test_verysecretvalue"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_verysecretvalue"),
            ("ADMIN_EMAIL", "admin@example.com"),
            ("ADMIN_PASSWORD", "a-long-admin-password"),
        ])
        .unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains("verysecretvalue"));
        assert!(!printed.contains("a-long-admin-password"));
    }
}

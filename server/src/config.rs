//! Configuration from the environment (and an optional `.env`): parsed once, at start, into types
//! that are valid by construction. A bad value stops the server with one line naming the variable.

use secrecy::{ExposeSecret, SecretString};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

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
    /// Real Stripe Checkout through the API at `stripe_api_base`.
    Stripe,
    /// A local checkout page that posts correctly signed events through the real webhook.
    Simulated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    pub database_url: String,
    pub database_max_connections: u32,
    pub site_addr: SocketAddr,
    pub public_base_url: url::Url,
    pub payment_mode: PaymentMode,
    pub stripe_secret_key: Option<SecretString>,
    /// Every secret accepted for webhook signatures (more than one during a rotation).
    pub webhook_secrets: Vec<SecretString>,
    pub stripe_api_base: url::Url,
    pub stripe_timeout: Duration,
    pub webhook_tolerance: Duration,
    pub webhook_body_limit: usize,
    pub business_timezone: chrono_tz::Tz,
    pub admin_email: Option<String>,
    pub admin_password: Option<SecretString>,
    /// 0 turns the periodic reconciliation off.
    pub reconcile_interval: Option<Duration>,
    pub reconcile_after: Duration,
    pub log_format: LogFormat,
    pub metrics_token: Option<SecretString>,
    pub max_in_flight: usize,
    pub request_timeout: Duration,
    pub data_dir: PathBuf,
    /// How long the simulated bank payment takes to clear.
    pub simulated_delay: Duration,
}

/// Where the configuration is read from: the process environment, or a map in tests.
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

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_source(&ProcessEnv)
    }

    pub fn from_source(source: &dyn Source) -> Result<Self, ConfigError> {
        let environment = match source.get("APP_ENV").as_deref().map(str::trim) {
            None | Some("development") | Some("dev") | Some("test") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => {
                return Err(bad(
                    "APP_ENV",
                    format!("{other:?} is not development or production"),
                ))
            }
        };

        let data_dir = PathBuf::from(source.get("DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = match source.get("DATABASE_URL") {
            None => format!("sqlite://{}/bookings.db", data_dir.display()),
            Some(url) => {
                let url = url.trim().to_owned();
                if !(url.starts_with("sqlite:")
                    || url.starts_with("postgres://")
                    || url.starts_with("postgresql://"))
                {
                    return Err(bad(
                        "DATABASE_URL",
                        "must start with sqlite: or postgres:// (the two supported databases)",
                    ));
                }
                url
            }
        };
        let database_max_connections = parse_number(
            source,
            "DATABASE_MAX_CONNECTIONS",
            if database_url.starts_with("sqlite:") {
                4
            } else {
                16
            },
            |n: &u32| (1..=1000).contains(n),
            "a whole number from 1 to 1000",
        )?;

        let site_addr: SocketAddr = match source.get("LEPTOS_SITE_ADDR") {
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
            Some(text) => text.trim().parse().map_err(|_| {
                bad(
                    "LEPTOS_SITE_ADDR",
                    format!("{text:?} is not an address like 127.0.0.1:3000"),
                )
            })?,
        };
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

        let stripe_secret_key = match source.get("STRIPE_SECRET_KEY") {
            None => None,
            Some(key) => {
                let key = key.trim().to_owned();
                if !(key.starts_with("sk_") || key.starts_with("rk_")) {
                    return Err(bad(
                        "STRIPE_SECRET_KEY",
                        "must be a Stripe secret or restricted key (sk_... or rk_...)",
                    ));
                }
                Some(SecretString::from(key))
            }
        };
        let webhook_secrets: Vec<SecretString> = match source.get("STRIPE_WEBHOOK_SECRET") {
            None => Vec::new(),
            Some(list) => {
                let mut secrets = Vec::new();
                for (index, part) in list.split(',').map(str::trim).enumerate() {
                    if !part.starts_with("whsec_") || part.len() < 12 {
                        return Err(bad(
                            "STRIPE_WEBHOOK_SECRET",
                            format!(
                                "secret number {} is not a webhook signing secret (whsec_...)",
                                index + 1
                            ),
                        ));
                    }
                    secrets.push(SecretString::from(part.to_owned()));
                }
                secrets
            }
        };

        let allow_simulated = parse_bool(source, "ALLOW_SIMULATED_PAYMENTS")?;
        let payment_mode = match source.get("PAYMENT_MODE").as_deref().map(str::trim) {
            Some("stripe") => PaymentMode::Stripe,
            Some("simulated") => PaymentMode::Simulated,
            None if stripe_secret_key.is_some() => PaymentMode::Stripe,
            None => PaymentMode::Simulated,
            Some(other) => {
                return Err(bad(
                    "PAYMENT_MODE",
                    format!("{other:?} is not stripe or simulated"),
                ))
            }
        };
        match payment_mode {
            PaymentMode::Stripe if stripe_secret_key.is_none() => {
                return Err(bad(
                    "STRIPE_SECRET_KEY",
                    "is required when payments go through Stripe",
                ))
            }
            PaymentMode::Stripe if webhook_secrets.is_empty() => {
                return Err(bad(
                    "STRIPE_WEBHOOK_SECRET",
                    "is required when payments go through Stripe (whsec_... from the dashboard or `stripe listen`)",
                ))
            }
            PaymentMode::Simulated
                if environment == Environment::Production && !allow_simulated =>
            {
                return Err(bad(
                    "PAYMENT_MODE",
                    "payments would be simulated in production; set STRIPE_SECRET_KEY, or ALLOW_SIMULATED_PAYMENTS=true to mean it",
                ))
            }
            _ => {}
        }
        if environment == Environment::Production
            && stripe_secret_key
                .as_ref()
                .is_some_and(|k| k.expose_secret().starts_with("sk_test_"))
        {
            tracing::warn!("production is running with a Stripe test key");
        }

        let stripe_api_base = parse_url(
            &source
                .get("STRIPE_API_BASE")
                .unwrap_or_else(|| "https://api.stripe.com/".into()),
            "STRIPE_API_BASE",
        )?;
        let stripe_timeout = Duration::from_millis(parse_number(
            source,
            "STRIPE_TIMEOUT_MS",
            10_000,
            |n: &u64| (100..=120_000).contains(n),
            "a number of milliseconds from 100 to 120000",
        )?);
        let webhook_tolerance = Duration::from_secs(parse_number(
            source,
            "STRIPE_WEBHOOK_TOLERANCE_SECS",
            300,
            |n: &u64| (1..=86_400).contains(n),
            "a number of seconds from 1 to 86400",
        )?);
        let webhook_body_limit = parse_number(
            source,
            "WEBHOOK_BODY_LIMIT_BYTES",
            2 * 1024 * 1024,
            |n: &usize| (1024..=64 * 1024 * 1024).contains(n),
            "a number of bytes from 1024 to 67108864",
        )?;

        let business_timezone = match source.get("BUSINESS_TIMEZONE") {
            None => chrono_tz::UTC,
            Some(name) => name.trim().parse::<chrono_tz::Tz>().map_err(|_| {
                bad(
                    "BUSINESS_TIMEZONE",
                    format!("{name:?} is not an IANA time zone like Europe/London"),
                )
            })?,
        };

        let admin_email = source.get("ADMIN_EMAIL").map(|e| e.trim().to_owned());
        let admin_password = source.get("ADMIN_PASSWORD").map(SecretString::from);
        match (&admin_email, &admin_password) {
            (Some(email), Some(password)) => {
                if !email.contains('@') {
                    return Err(bad("ADMIN_EMAIL", "is not an email address"));
                }
                if password.expose_secret().chars().count() < 10 {
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

        let reconcile_secs = parse_number(
            source,
            "RECONCILE_INTERVAL_SECS",
            0,
            |n: &u64| *n <= 86_400,
            "a number of seconds up to 86400 (0 turns it off)",
        )?;
        let reconcile_after = Duration::from_secs(parse_number(
            source,
            "RECONCILE_AFTER_SECS",
            600,
            |n: &u64| *n <= 7 * 86_400,
            "a number of seconds up to 604800",
        )?);
        let log_format = match source.get("LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(bad("LOG_FORMAT", format!("{other:?} is not text or json"))),
        };
        let metrics_token = source.get("METRICS_TOKEN").map(SecretString::from);
        let max_in_flight = parse_number(
            source,
            "MAX_IN_FLIGHT_REQUESTS",
            512,
            |n: &usize| (1..=100_000).contains(n),
            "a whole number from 1 to 100000",
        )?;
        let request_timeout = Duration::from_secs(parse_number(
            source,
            "REQUEST_TIMEOUT_SECS",
            30,
            |n: &u64| (1..=600).contains(n),
            "a number of seconds from 1 to 600",
        )?);

        let simulated_delay = Duration::from_millis(parse_number(
            source,
            "SIMULATED_DELAY_MS",
            3000,
            |n: &u64| *n <= 600_000,
            "a number of milliseconds up to 600000",
        )?);

        Ok(Self {
            environment,
            database_url,
            database_max_connections,
            site_addr,
            public_base_url,
            payment_mode,
            stripe_secret_key,
            webhook_secrets,
            stripe_api_base,
            stripe_timeout,
            webhook_tolerance,
            webhook_body_limit,
            business_timezone,
            admin_email,
            admin_password,
            reconcile_interval: (reconcile_secs > 0).then(|| Duration::from_secs(reconcile_secs)),
            reconcile_after,
            log_format,
            metrics_token,
            max_in_flight,
            request_timeout,
            data_dir,
            simulated_delay,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_run_simulated_on_a_sqlite_file() {
        let config = Config::from_source(&[] as &[(&str, &str); 0]).unwrap();
        assert_eq!(config.payment_mode, PaymentMode::Simulated);
        assert_eq!(config.database_url, "sqlite://data/bookings.db");
        assert_eq!(config.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.public_base_url.as_str(), "http://127.0.0.1:3000/");
        assert_eq!(config.webhook_tolerance, Duration::from_secs(300));
        assert_eq!(config.webhook_body_limit, 2 * 1024 * 1024);
        assert!(config.reconcile_interval.is_none());
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
        assert_eq!(config.payment_mode, PaymentMode::Stripe);
        assert_eq!(config.webhook_secrets.len(), 2);
        assert_eq!(
            config.webhook_secrets[1].expose_secret(),
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
        ];
        assert_eq!(
            Config::from_source(&told).unwrap().payment_mode,
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

//! Configuration from the environment (and an optional `.env`): parsed once, at start, into
//! sections whose types are valid by construction. A bad value stops the server with one line
//! naming the variable. Each section reads its own variables and has its own tests; what is
//! worth a warning (but not a refusal) is kept in `Config::warnings`, for the log once it runs.

use secrecy::{ExposeSecret, SecretString};
use std::net::SocketAddr;
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

/// Where the server listens, the address parents reach, how it logs and tells the time.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub site_addr: SocketAddr,
    pub public_base_url: url::Url,
    pub business_timezone: chrono_tz::Tz,
    pub log_format: LogFormat,
    pub metrics_token: Option<SecretString>,
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
        Ok(Self {
            site_addr,
            public_base_url,
            business_timezone,
            log_format,
            metrics_token: source.get("METRICS_TOKEN").map(SecretString::from),
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

/// The database: SQLite (a file under `DATA_DIR` by default) or PostgreSQL.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    pub url: String,
    pub max_connections: u32,
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
        Ok(Self {
            url,
            max_connections,
        })
    }

    /// Pool settings for this database.
    pub fn options(&self) -> app::db::DbOptions {
        app::db::DbOptions {
            max_connections: self.max_connections,
            ..app::db::DbOptions::default()
        }
    }
}

/// Payments: Stripe (its keys, API, webhook) or simulated, and reconciliation.
#[derive(Debug, Clone)]
pub struct StripeConfig {
    pub mode: PaymentMode,
    pub secret_key: Option<SecretString>,
    /// Every secret accepted for webhook signatures (more than one during a rotation).
    pub webhook_secrets: Vec<SecretString>,
    pub api_base: url::Url,
    pub timeout: Duration,
    pub webhook_tolerance: Duration,
    /// `None` turns the periodic reconciliation off.
    pub reconcile_interval: Option<Duration>,
    pub reconcile_after: Duration,
    /// How long the simulated bank payment takes to clear.
    pub simulated_delay: Duration,
}

impl StripeConfig {
    /// Reads the section; a warning that should not stop the server goes to `warnings`.
    pub fn from_source(
        source: &dyn Source,
        environment: Environment,
        warnings: &mut Vec<String>,
    ) -> Result<Self, ConfigError> {
        let secret_key = match source.get("STRIPE_SECRET_KEY") {
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
        let webhook_secrets = match source.get("STRIPE_WEBHOOK_SECRET") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .enumerate()
                .map(|(index, part)| {
                    if part.starts_with("whsec_") && part.len() >= 12 {
                        Ok(SecretString::from(part.to_owned()))
                    } else {
                        Err(bad(
                            "STRIPE_WEBHOOK_SECRET",
                            format!(
                                "secret number {} is not a webhook signing secret (whsec_...)",
                                index + 1
                            ),
                        ))
                    }
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        let mode = match source.get("PAYMENT_MODE").as_deref().map(str::trim) {
            Some("stripe") => PaymentMode::Stripe,
            Some("simulated") => PaymentMode::Simulated,
            None if secret_key.is_some() => PaymentMode::Stripe,
            None => PaymentMode::Simulated,
            Some(other) => {
                return Err(bad(
                    "PAYMENT_MODE",
                    format!("{other:?} is not stripe or simulated"),
                ))
            }
        };
        let allow_simulated = parse_bool(source, "ALLOW_SIMULATED_PAYMENTS")?;
        match mode {
            PaymentMode::Stripe if secret_key.is_none() => {
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
            && secret_key
                .as_ref()
                .is_some_and(|k| k.expose_secret().starts_with("sk_test_"))
        {
            warnings.push(
                "production is running with a Stripe test key (STRIPE_SECRET_KEY=sk_test_...)"
                    .to_owned(),
            );
        }

        let api_base = parse_url(
            &source
                .get("STRIPE_API_BASE")
                .unwrap_or_else(|| "https://api.stripe.com/".into()),
            "STRIPE_API_BASE",
        )?;
        let timeout = Duration::from_millis(parse_number(
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
        let simulated_delay = Duration::from_millis(parse_number(
            source,
            "SIMULATED_DELAY_MS",
            3000,
            |n: &u64| *n <= 600_000,
            "a number of milliseconds up to 600000",
        )?);
        Ok(Self {
            mode,
            secret_key,
            webhook_secrets,
            api_base,
            timeout,
            webhook_tolerance,
            reconcile_interval: (reconcile_secs > 0).then(|| Duration::from_secs(reconcile_secs)),
            reconcile_after,
            simulated_delay,
        })
    }
}

/// The first admin, created on start when no admin has that email.
#[derive(Debug, Clone, Default)]
pub struct AdminConfig {
    pub email: Option<String>,
    pub password: Option<SecretString>,
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
        Ok(Self { email, password })
    }
}

/// What one request may take: time, a place among those in flight, webhook body bytes.
#[derive(Debug, Clone)]
pub struct LimitsConfig {
    pub max_in_flight: usize,
    pub request_timeout: Duration,
    pub webhook_body_limit: usize,
}

impl LimitsConfig {
    pub fn from_source(source: &dyn Source) -> Result<Self, ConfigError> {
        Ok(Self {
            max_in_flight: parse_number(
                source,
                "MAX_IN_FLIGHT_REQUESTS",
                512,
                |n: &usize| (1..=100_000).contains(n),
                "a whole number from 1 to 100000",
            )?,
            request_timeout: Duration::from_secs(parse_number(
                source,
                "REQUEST_TIMEOUT_SECS",
                30,
                |n: &u64| (1..=600).contains(n),
                "a number of seconds from 1 to 600",
            )?),
            webhook_body_limit: parse_number(
                source,
                "WEBHOOK_BODY_LIMIT_BYTES",
                2 * 1024 * 1024,
                |n: &usize| (1024..=64 * 1024 * 1024).contains(n),
                "a number of bytes from 1024 to 67108864",
            )?,
        })
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
    /// Worth telling the operator, not worth refusing to start: logged once logging runs.
    pub warnings: Vec<String>,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_source(&ProcessEnv)
    }

    pub fn from_source(source: &dyn Source) -> Result<Self, ConfigError> {
        let environment = Environment::from_source(source)?;
        let mut warnings = Vec::new();
        Ok(Self {
            environment,
            server: ServerConfig::from_source(source, environment)?,
            database: DatabaseConfig::from_source(source)?,
            stripe: StripeConfig::from_source(source, environment, &mut warnings)?,
            admin: AdminConfig::from_source(source)?,
            limits: LimitsConfig::from_source(source)?,
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: [(&str, &str); 0] = [];

    #[test]
    fn defaults_run_simulated_on_a_sqlite_file() {
        let config = Config::from_source(&NONE).unwrap();
        assert_eq!(config.stripe.mode, PaymentMode::Simulated);
        assert_eq!(config.database.url, "sqlite://data/bookings.db");
        assert_eq!(config.server.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(
            config.server.public_base_url.as_str(),
            "http://127.0.0.1:3000/"
        );
        assert_eq!(config.stripe.webhook_tolerance, Duration::from_secs(300));
        assert_eq!(config.limits.webhook_body_limit, 2 * 1024 * 1024);
        assert!(config.stripe.reconcile_interval.is_none());
        assert!(config.warnings.is_empty());
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

    mod sections {
        use super::super::*;
        use super::NONE;

        #[test]
        fn server_needs_a_public_address_in_production_and_reads_the_zone() {
            let err = ServerConfig::from_source(&NONE, Environment::Production).unwrap_err();
            assert_eq!(err.variable, "PUBLIC_BASE_URL");
            let server = ServerConfig::from_source(
                &[
                    ("LEPTOS_SITE_ADDR", "0.0.0.0:8080"),
                    ("BUSINESS_TIMEZONE", "Europe/London"),
                    ("LOG_FORMAT", "json"),
                ],
                Environment::Development,
            )
            .unwrap();
            assert_eq!(server.public_base_url.as_str(), "http://0.0.0.0:8080/");
            assert_eq!(server.business_timezone, chrono_tz::Europe::London);
            assert_eq!(server.log_format, LogFormat::Json);
        }

        #[test]
        fn database_defaults_to_a_file_under_the_data_dir() {
            let db = DatabaseConfig::from_source(&[("DATA_DIR", "/var/lib/bookings")]).unwrap();
            assert_eq!(db.url, "sqlite:///var/lib/bookings/bookings.db");
            assert_eq!(db.max_connections, 4);
            let pg =
                DatabaseConfig::from_source(&[("DATABASE_URL", "postgres://db/bookings")]).unwrap();
            assert_eq!((pg.max_connections, pg.options().max_connections), (16, 16));
            let err =
                DatabaseConfig::from_source(&[("DATABASE_MAX_CONNECTIONS", "0")]).unwrap_err();
            assert_eq!(err.variable, "DATABASE_MAX_CONNECTIONS");
        }

        #[test]
        fn a_test_key_in_production_is_a_warning_not_a_refusal() {
            let mut warnings = Vec::new();
            let stripe = StripeConfig::from_source(
                &[
                    ("STRIPE_SECRET_KEY", "sk_test_abc"),
                    ("STRIPE_WEBHOOK_SECRET", "whsec_one1234567"),
                    ("RECONCILE_INTERVAL_SECS", "60"),
                ],
                Environment::Production,
                &mut warnings,
            )
            .unwrap();
            assert_eq!(stripe.mode, PaymentMode::Stripe);
            assert_eq!(stripe.reconcile_interval, Some(Duration::from_secs(60)));
            assert_eq!(warnings.len(), 1);
            assert!(warnings[0].contains("test key"), "{warnings:?}");
            assert!(!warnings[0].contains("sk_test_abc"));

            let mut none = Vec::new();
            StripeConfig::from_source(
                &[
                    ("STRIPE_SECRET_KEY", "sk_live_abc"),
                    ("STRIPE_WEBHOOK_SECRET", "whsec_one1234567"),
                ],
                Environment::Production,
                &mut none,
            )
            .unwrap();
            assert!(none.is_empty());
        }

        #[test]
        fn admin_needs_both_halves_and_a_long_password() {
            assert!(AdminConfig::from_source(&NONE).unwrap().email.is_none());
            let short = AdminConfig::from_source(&[
                ("ADMIN_EMAIL", "a@example.com"),
                ("ADMIN_PASSWORD", "short"),
            ])
            .unwrap_err();
            assert_eq!(short.variable, "ADMIN_PASSWORD");
            let alone =
                AdminConfig::from_source(&[("ADMIN_PASSWORD", "long enough pw")]).unwrap_err();
            assert_eq!(alone.variable, "ADMIN_EMAIL");
        }

        #[test]
        fn limits_have_bounds() {
            let limits = LimitsConfig::from_source(&NONE).unwrap();
            assert_eq!(
                (limits.max_in_flight, limits.request_timeout),
                (512, Duration::from_secs(30))
            );
            for (variable, value) in [
                ("MAX_IN_FLIGHT_REQUESTS", "0"),
                ("REQUEST_TIMEOUT_SECS", "601"),
                ("WEBHOOK_BODY_LIMIT_BYTES", "10"),
            ] {
                let err = LimitsConfig::from_source(&[(variable, value)]).unwrap_err();
                assert_eq!(err.variable, variable);
            }
        }
    }
}

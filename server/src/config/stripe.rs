//! The Stripe section: the payment mode, keys and webhook secrets, the API address and
//! timeout, the webhook's tolerance, reconciliation, and the simulated bank's delay.

use super::{
    bad, parse_bool, parse_number, parse_url, ConfigError, Environment, PaymentMode, Source,
};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

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
    /// Checkout offers Stripe's promotion-code field (`PROMOTION_CODES`, default false).
    pub promotion_codes: bool,
}

impl StripeConfig {
    /// Reads the section; a warning that should not stop the server goes to `warnings`.
    /// `public_base_url` is where parents reach the site: simulated payments are chosen
    /// without being asked for only when that is this machine.
    pub fn from_source(
        source: &dyn Source,
        environment: Environment,
        public_base_url: &url::Url,
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
        let allow_simulated = parse_bool(source, "ALLOW_SIMULATED_PAYMENTS")?;
        let mode = match source.get("PAYMENT_MODE").as_deref().map(str::trim) {
            Some("stripe") => PaymentMode::Stripe,
            Some("simulated") => PaymentMode::Simulated,
            None if secret_key.is_some() => PaymentMode::Stripe,
            None if is_loopback(public_base_url) || allow_simulated => PaymentMode::Simulated,
            None => {
                return Err(bad(
                    "PAYMENT_MODE",
                    format!(
                        "is required when the site is reached at {public_base_url} (not this machine): \
                         set STRIPE_SECRET_KEY, or PAYMENT_MODE=simulated to let anyone mark bookings paid with fake payments"
                    ),
                ))
            }
            Some(other) => {
                return Err(bad(
                    "PAYMENT_MODE",
                    format!("{other:?} is not stripe or simulated"),
                ))
            }
        };
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
        let promotion_codes = parse_bool(source, "PROMOTION_CODES")?;
        Ok(Self {
            promotion_codes,
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

/// Whether `url` points at this machine (a loopback address or `localhost`).
fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost" || name.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            &public(),
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
            &public(),
            &mut none,
        )
        .unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn promotion_codes_are_off_unless_asked_for() {
        let read = |vars: &[(&str, &str)]| {
            let vars: Vec<(String, String)> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            StripeConfig::from_source(
                &vars,
                Environment::Development,
                &"http://127.0.0.1:3000".parse().unwrap(),
                &mut Vec::new(),
            )
            .map(|s| s.promotion_codes)
        };
        assert_eq!(read(&[]), Ok(false));
        assert_eq!(read(&[("PROMOTION_CODES", "true")]), Ok(true));
        assert_eq!(read(&[("PROMOTION_CODES", "off")]), Ok(false));
        assert_eq!(
            read(&[("PROMOTION_CODES", "maybe")]).unwrap_err().variable,
            "PROMOTION_CODES"
        );
    }

    fn public() -> url::Url {
        "https://book.example.com".parse().unwrap()
    }

    #[test]
    fn simulated_payments_are_chosen_silently_only_on_this_machine() {
        let mode = |url: &str, vars: &[(&str, &str)]| {
            let vars: Vec<(String, String)> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            StripeConfig::from_source(
                &vars,
                Environment::Development,
                &url.parse().unwrap(),
                &mut Vec::new(),
            )
            .map(|s| s.mode)
        };
        for local in [
            "http://127.0.0.1:3000",
            "http://localhost:3000",
            "http://[::1]:3000",
        ] {
            assert_eq!(mode(local, &[]), Ok(PaymentMode::Simulated), "{local}");
        }
        for reached in [
            "http://0.0.0.0:3000",
            "http://192.168.1.20:3000",
            "https://book.example.com",
        ] {
            let err = mode(reached, &[]).unwrap_err();
            assert_eq!(err.variable, "PAYMENT_MODE", "{reached}");
            assert_eq!(
                mode(reached, &[("PAYMENT_MODE", "simulated")]),
                Ok(PaymentMode::Simulated)
            );
        }
    }
}

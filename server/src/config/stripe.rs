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
}

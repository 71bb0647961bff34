//! The limits section: requests in flight, the request timeout, the webhook body bound.

use super::{parse_number, ConfigError, Source};
use std::time::Duration;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::NONE;

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

//! The limits section: requests in flight (the public's, each client's and the webhook's), the
//! request timeout and the body deadline, the webhook body bound, connections per client and
//! streams per connection, and how often a client or an email may book (and how many places
//! an email may hold unpaid).

use super::{parse_number, ConfigError, Source};
use std::time::Duration;

/// What one request may take: time, a place among those in flight, webhook body bytes.
#[derive(Debug, Clone)]
pub struct LimitsConfig {
    pub max_in_flight: usize,
    /// Requests one client (IPv6: its /64) may have in flight at once.
    pub max_in_flight_per_client: usize,
    /// How long a request's whole body may take to arrive.
    pub body_deadline: Duration,
    /// Requests one HTTP/2 connection may carry at once.
    pub max_streams_per_connection: u32,
    /// The webhook's own budget: public traffic cannot take Stripe's places.
    pub webhook_max_in_flight: usize,
    pub request_timeout: Duration,
    pub webhook_body_limit: usize,
    /// Open connections one client may hold (trusted proxies excepted).
    pub max_connections_per_client: usize,
    /// Bookings and payment starts per hour, per client and per email (or booking).
    pub booking_requests_per_client_per_hour: u32,
    pub booking_requests_per_email_per_hour: u32,
    pub hold_policy: domain::HoldPolicy,
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
            max_in_flight_per_client: parse_number(
                source,
                "MAX_IN_FLIGHT_PER_CLIENT",
                32,
                |n: &usize| (1..=100_000).contains(n),
                "a whole number from 1 to 100000",
            )?,
            body_deadline: Duration::from_secs(parse_number(
                source,
                "REQUEST_BODY_TIMEOUT_SECS",
                5,
                |n: &u64| (1..=600).contains(n),
                "a number of seconds from 1 to 600",
            )?),
            max_streams_per_connection: parse_number(
                source,
                "MAX_STREAMS_PER_CONNECTION",
                32,
                |n: &u32| (1..=1000).contains(n),
                "a whole number from 1 to 1000",
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
            webhook_max_in_flight: parse_number(
                source,
                "WEBHOOK_MAX_IN_FLIGHT",
                256,
                |n: &usize| (1..=100_000).contains(n),
                "a whole number from 1 to 100000",
            )?,
            max_connections_per_client: parse_number(
                source,
                "MAX_CONNECTIONS_PER_CLIENT",
                64,
                |n: &usize| (1..=100_000).contains(n),
                "a whole number from 1 to 100000",
            )?,
            booking_requests_per_client_per_hour: parse_number(
                source,
                "BOOKING_REQUESTS_PER_CLIENT_PER_HOUR",
                60,
                |n: &u32| (1..=1_000_000).contains(n),
                "a whole number from 1 to 1000000",
            )?,
            booking_requests_per_email_per_hour: parse_number(
                source,
                "BOOKING_REQUESTS_PER_EMAIL_PER_HOUR",
                20,
                |n: &u32| (1..=1_000_000).contains(n),
                "a whole number from 1 to 1000000",
            )?,
            hold_policy: domain::HoldPolicy {
                max_unpaid_per_email: parse_number(
                    source,
                    "MAX_UNPAID_HOLDS_PER_EMAIL",
                    domain::HoldPolicy::default().max_unpaid_per_email,
                    |n: &i64| (1..=10_000).contains(n),
                    "a whole number from 1 to 10000",
                )?,
                max_session_share_percent: parse_number(
                    source,
                    "MAX_UNPAID_SESSION_SHARE_PERCENT",
                    domain::HoldPolicy::default().max_session_share_percent,
                    |n: &i64| (1..=100).contains(n),
                    "a percentage from 1 to 100",
                )?,
                first_mail_delay_ms: parse_number(
                    source,
                    "BOOKING_MAIL_DELAY_SECS",
                    domain::booking::FIRST_MAIL_DELAY_MS / 1000,
                    |n: &i64| (0..=1_800).contains(n),
                    "a number of seconds from 0 to 1800",
                )? * 1000,
            },
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
        assert_eq!(
            (
                limits.max_in_flight_per_client,
                limits.body_deadline,
                limits.max_streams_per_connection
            ),
            (32, Duration::from_secs(5), 32)
        );
        for (variable, value) in [
            ("MAX_IN_FLIGHT_REQUESTS", "0"),
            ("REQUEST_TIMEOUT_SECS", "601"),
            ("WEBHOOK_BODY_LIMIT_BYTES", "10"),
            ("MAX_IN_FLIGHT_PER_CLIENT", "0"),
            ("REQUEST_BODY_TIMEOUT_SECS", "0"),
            ("MAX_STREAMS_PER_CONNECTION", "1001"),
        ] {
            let err = LimitsConfig::from_source(&[(variable, value)]).unwrap_err();
            assert_eq!(err.variable, variable);
        }
    }
}

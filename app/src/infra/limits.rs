//! How often one client, or one email, may book or start a payment: enough for a family, too
//! few for a script that would hold every place and spend the Stripe rate limit real parents
//! need. Counted in memory per server instance (a token bucket per key, `governor`).

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;

/// Past this many keys, the ones whose buckets are full again are forgotten.
const KEYS_KEPT: usize = 10_000;

/// Requests allowed per hour, per client and per email (or booking).
#[derive(Debug)]
pub struct RequestLimits {
    per_client: DefaultKeyedRateLimiter<String>,
    per_email: DefaultKeyedRateLimiter<String>,
}

fn per_hour(n: u32) -> Quota {
    let n = NonZeroU32::new(n.max(1)).expect("at least one");
    // The whole hour's allowance may be used at once; it comes back a little at a time.
    Quota::per_hour(n).allow_burst(n)
}

impl RequestLimits {
    pub fn new(per_client_per_hour: u32, per_email_per_hour: u32) -> Self {
        Self {
            per_client: RateLimiter::keyed(per_hour(per_client_per_hour)),
            per_email: RateLimiter::keyed(per_hour(per_email_per_hour)),
        }
    }

    /// Takes one request from `client`'s allowance, then one from `email`'s (however it is
    /// written); `Err` is how long to wait (ms) when either is used up. A request refused for
    /// its email has still spent one of its client's.
    pub fn check(&self, client: &str, email: &str) -> Result<(), i64> {
        let wait = |limiter: &DefaultKeyedRateLimiter<String>, key: String| {
            if limiter.len() > KEYS_KEPT {
                limiter.retain_recent();
            }
            limiter.check_key(&key).map_err(|not_until| {
                not_until
                    .wait_time_from(DefaultClock::default().now())
                    .as_millis() as i64
            })
        };
        wait(&self.per_client, client.to_owned())?;
        wait(&self.per_email, email.trim().to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_or_an_email_past_its_allowance_waits() {
        let limits = RequestLimits::new(3, 2);
        assert_eq!(limits.check("1.2.3.4", "a@example.com"), Ok(()));
        assert_eq!(limits.check("1.2.3.4", " A@Example.com"), Ok(()));
        // The email is used up, however it is written and whichever client sends it.
        let wait = limits.check("5.6.7.8", "a@example.com").unwrap_err();
        assert!(wait > 0 && wait <= 30 * 60 * 1000, "{wait}");
        // The first client has one request left, then waits too.
        assert_eq!(limits.check("1.2.3.4", "b@example.com"), Ok(()));
        assert!(limits.check("1.2.3.4", "c@example.com").is_err());
        assert_eq!(limits.check("9.9.9.9", "c@example.com"), Ok(()));
    }
}

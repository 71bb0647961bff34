//! How failed admin logins slow further attempts down. Nothing locks an account: the delay
//! grows per email *and* client (so a stranger guessing elsewhere never delays the admin) and,
//! more gently, per client whatever the email (so one client cannot try every address).

/// The window failures are remembered for.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// The longest wait between two attempts.
pub const MAX_DELAY_MS: i64 = 15 * 60 * 1000;

/// One kind of attempt counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Failures allowed before any wait.
    pub free: usize,
}

/// Per email and client: three tries, then 1 s, 2 s, 4 s… between attempts.
pub const PER_EMAIL_AND_CLIENT: Throttle = Throttle { free: 3 };
/// Per client, whatever the email: twenty tries, then the same growth.
pub const PER_CLIENT: Throttle = Throttle { free: 20 };

impl Throttle {
    /// The wait after `failures` failures (none until `free` is used up; then it doubles).
    pub fn delay_ms(self, failures: usize) -> i64 {
        if failures < self.free {
            return 0;
        }
        let doublings = (failures - self.free).min(20) as u32;
        (1000_i64 << doublings).min(MAX_DELAY_MS)
    }

    /// How long an attempt at `now` must still wait, given the times of the earlier failures
    /// within the window (any order); `None` when it may go ahead.
    pub fn wait_ms(self, failures: &[i64], now: i64) -> Option<i64> {
        let recent: Vec<i64> = failures
            .iter()
            .copied()
            .filter(|at| *at > now - WINDOW_MS)
            .collect();
        let last = recent.iter().copied().max()?;
        let allowed_at = last + self.delay_ms(recent.len());
        (allowed_at > now).then_some(allowed_at - now)
    }
}

/// "12 seconds", "3 minutes": how long to wait, for the person at the form.
pub fn wait_text(ms: i64) -> String {
    let seconds = (ms + 999) / 1000;
    if seconds < 60 {
        format!("{seconds} second{}", if seconds == 1 { "" } else { "s" })
    } else {
        let minutes = (seconds + 59) / 60;
        format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_starts_after_the_free_tries_and_doubles_to_a_cap() {
        let t = PER_EMAIL_AND_CLIENT;
        assert_eq!(
            (0..7).map(|n| t.delay_ms(n)).collect::<Vec<_>>(),
            [0, 0, 0, 1000, 2000, 4000, 8000]
        );
        assert_eq!(t.delay_ms(40), MAX_DELAY_MS);
        assert_eq!(PER_CLIENT.delay_ms(19), 0);
        assert_eq!(PER_CLIENT.delay_ms(20), 1000);
    }

    #[test]
    fn only_recent_failures_count_and_the_wait_runs_from_the_last() {
        let t = PER_EMAIL_AND_CLIENT;
        let now = 100 * 60 * 1000;
        assert_eq!(t.wait_ms(&[], now), None);
        assert_eq!(t.wait_ms(&[now - 10, now - 20], now), None);
        // Five failures: 4 s after the last one.
        let five = [now - 500, now - 400, now - 300, now - 200, now - 100];
        assert_eq!(t.wait_ms(&five, now), Some(3900));
        assert_eq!(t.wait_ms(&five, now + 3900), None);
        // Old failures are forgotten.
        let old = [now - WINDOW_MS - 1; 10];
        assert_eq!(t.wait_ms(&old, now), None);
    }

    #[test]
    fn waits_read_in_whole_units() {
        assert_eq!(wait_text(1), "1 second");
        assert_eq!(wait_text(4000), "4 seconds");
        assert_eq!(wait_text(61_000), "2 minutes");
        assert_eq!(wait_text(MAX_DELAY_MS), "15 minutes");
    }
}

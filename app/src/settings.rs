//! Settings the use cases and pages need, decided by the server's configuration at start.

/// Settings the pages and use cases read.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The address parents reach, used for links sent to Stripe.
    pub public_base_url: String,
    /// Times are stored in UTC and shown in this zone.
    pub timezone: chrono_tz::Tz,
    /// Payments go through the local simulated checkout instead of Stripe.
    pub simulated_payments: bool,
    /// Cookies get `Secure` (the site is served over https).
    pub secure_cookies: bool,
    /// An admin session ends after this long without use.
    pub admin_idle_ms: i64,
    /// How many places one email may hold unpaid.
    pub hold_policy: domain::HoldPolicy,
}

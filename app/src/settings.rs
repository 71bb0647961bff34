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
    /// Who the mails are from, and how they sign.
    pub mail: MailIdentity,
    /// Mails are sent (an SMTP server is configured and mail is not disabled).
    pub mail_sending: bool,
    /// How long one mail may take on the wire; a sender holds a mail twice this long per try.
    pub mail_send_timeout_ms: i64,
    /// Parents may cancel (or move their booking) up to this long before their session.
    pub cancellation_cutoff_ms: i64,
    /// How long a freed place is held for the first person on the waitlist.
    pub waitlist_offer_ms: i64,
    /// Families are reminded this long before a session (zero: never).
    pub reminder_ahead_ms: i64,
    /// The second child of a family booked in one form, and each after, costs this much less
    /// (percent; zero: no discount).
    pub sibling_discount_percent: u8,
}

/// Who the mails are from.
#[derive(Debug, Clone)]
pub struct MailIdentity {
    /// `MAIL_FROM`: `Riverside Coaching <bookings@example.com>`.
    pub from: String,
    pub business_name: String,
    /// Where parents write to (`CONTACT_EMAIL`, else the address of `MAIL_FROM`).
    pub contact: String,
}

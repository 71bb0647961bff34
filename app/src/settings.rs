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
    /// Checkout offers Stripe's promotion-code field (`PROMOTION_CODES`; the codes are made in
    /// Stripe's Dashboard).
    pub promotion_codes: bool,
    /// The family accounts: sign-in links, the data key, how long data is kept.
    pub family: FamilySettings,
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

/// The key that seals what a family keeps that only it may read (an athlete's medical notes):
/// 32 bytes for ChaCha20-Poly1305 (`FAMILY_DATA_KEY`). Never printed.
#[derive(Clone)]
pub struct DataKey(pub [u8; 32]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

impl DataKey {
    /// A key written as 64 hex digits or as base64 (standard or URL-safe, padded or not).
    pub fn from_text(text: &str) -> Result<Self, String> {
        use base64::Engine;
        let text = text.trim();
        let bytes = if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
            hex::decode(text).map_err(|e| e.to_string())?
        } else {
            let engines = [
                base64::engine::general_purpose::STANDARD,
                base64::engine::general_purpose::STANDARD_NO_PAD,
                base64::engine::general_purpose::URL_SAFE,
                base64::engine::general_purpose::URL_SAFE_NO_PAD,
            ];
            engines
                .iter()
                .find_map(|engine| engine.decode(text).ok())
                .ok_or("is neither 64 hex digits nor base64")?
        };
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| format!("holds {} bytes; it must be 32", b.len()))?;
        Ok(Self(key))
    }

    /// A new random key, as 64 hex digits.
    pub fn random_text() -> String {
        hex::encode(rand::random::<[u8; 32]>())
    }
}

/// What the family accounts need (issue 22).
#[derive(Debug, Clone)]
pub struct FamilySettings {
    /// How long a mailed sign-in link lasts (`SIGN_IN_LINK_MINUTES`).
    pub sign_in_link_ms: i64,
    /// Seals the athletes' medical notes.
    pub data_key: DataKey,
    /// Personal data of bookings whose session ended longer ago is erased
    /// (`DATA_RETENTION_MONTHS`; `None`: kept).
    pub retention_months: Option<u32>,
}

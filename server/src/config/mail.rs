//! The mail section: the SMTP server (`SMTP_URL`, credentials in it), who mails are from, how
//! they sign, and whether production may run without sending any (`MAIL_DISABLED`).

use super::{bad, parse_bool, ConfigError, Environment, Source};
use secrecy::{ExposeSecret, SecretString};

/// Where mails go out, and who they are from.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtps://...` (TLS); none keeps
    /// mails in the outbox.
    pub smtp_url: Option<SecretString>,
    pub from: String,
    pub business_name: String,
    pub contact: String,
    pub disabled: bool,
    /// How long one mail may take on the wire (`MAIL_SEND_TIMEOUT_SECS`).
    pub send_timeout: std::time::Duration,
}

/// The address inside `Name <address>` (or the whole text).
fn address_of(mailbox: &str) -> &str {
    match (mailbox.rfind('<'), mailbox.rfind('>')) {
        (Some(open), Some(close)) if open < close => mailbox[open + 1..close].trim(),
        _ => mailbox.trim(),
    }
}

fn plausible_address(address: &str) -> bool {
    domain::booking_form::is_plausible_email(address)
}

impl MailConfig {
    pub fn from_source(source: &dyn Source, environment: Environment) -> Result<Self, ConfigError> {
        let disabled = parse_bool(source, "MAIL_DISABLED")?;
        let smtp_url = match source.get("SMTP_URL") {
            None => None,
            Some(url) => {
                let parsed = url::Url::parse(url.trim()).map_err(|_| {
                    bad(
                        "SMTP_URL",
                        "is not a URL like smtp://user:password@host:587",
                    )
                })?;
                if !matches!(parsed.scheme(), "smtp" | "smtps") || parsed.host().is_none() {
                    return Err(bad(
                        "SMTP_URL",
                        "must be smtp://host:port (STARTTLS with ?tls=required) or smtps://host:port",
                    ));
                }
                // Without TLS (or with STARTTLS only if offered, which anyone on the path can
                // strip) the password and every parent's mail cross the network readable.
                let encrypted = parsed.scheme() == "smtps"
                    || parsed
                        .query_pairs()
                        .any(|(key, value)| key == "tls" && value == "required");
                if !encrypted
                    && environment == Environment::Production
                    && !parse_bool(source, "SMTP_ALLOW_PLAINTEXT")?
                {
                    return Err(bad(
                        "SMTP_URL",
                        "sends without TLS: use smtps://host:465 or smtp://host:587?tls=required \
                         (or SMTP_ALLOW_PLAINTEXT=true for a relay on this machine)",
                    ));
                }
                Some(SecretString::from(url.trim().to_owned()))
            }
        };
        if smtp_url.is_none() && environment == Environment::Production && !disabled {
            return Err(bad(
                "SMTP_URL",
                "is required in production (or MAIL_DISABLED=true to send no mail at all)",
            ));
        }
        let business_name = source
            .get("BUSINESS_NAME")
            .map(|n| n.trim().to_owned())
            .unwrap_or_else(|| "Coaching sessions".to_owned());
        let from = match source.get("MAIL_FROM") {
            Some(from) => from.trim().to_owned(),
            None if smtp_url.is_some() => {
                return Err(bad("MAIL_FROM", "is required when SMTP_URL is set"))
            }
            None => format!("{business_name} <bookings@localhost>"),
        };
        if !plausible_address(address_of(&from)) && !from.ends_with("@localhost>") {
            return Err(bad(
                "MAIL_FROM",
                format!(
                    "{from:?} is not an address like Riverside Coaching <bookings@example.com>"
                ),
            ));
        }
        let contact = match source.get("CONTACT_EMAIL") {
            Some(contact) if plausible_address(contact.trim()) => contact.trim().to_owned(),
            Some(contact) => {
                return Err(bad(
                    "CONTACT_EMAIL",
                    format!("{contact:?} is not an email address"),
                ))
            }
            None => address_of(&from).to_owned(),
        };
        let send_timeout = std::time::Duration::from_secs(super::parse_number(
            source,
            "MAIL_SEND_TIMEOUT_SECS",
            15,
            |n: &u64| (1..=300).contains(n),
            "a number of seconds from 1 to 300",
        )?);
        Ok(Self {
            smtp_url,
            from,
            business_name,
            contact,
            disabled,
            send_timeout,
        })
    }

    /// The SMTP URL to send through, unless mail is disabled.
    pub fn sending_to(&self) -> Option<&str> {
        (!self.disabled)
            .then_some(self.smtp_url.as_ref())
            .flatten()
            .map(|url| url.expose_secret())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::NONE;

    #[test]
    fn development_keeps_mails_and_production_needs_a_server() {
        let dev = MailConfig::from_source(&NONE, Environment::Development).unwrap();
        assert!(dev.sending_to().is_none());
        assert_eq!(dev.from, "Coaching sessions <bookings@localhost>");
        let err = MailConfig::from_source(&NONE, Environment::Production).unwrap_err();
        assert_eq!(err.variable, "SMTP_URL");
        let off =
            MailConfig::from_source(&[("MAIL_DISABLED", "true")], Environment::Production).unwrap();
        assert!(off.sending_to().is_none());
    }

    #[test]
    fn production_refuses_mail_without_tls_unless_asked_for() {
        let from = ("MAIL_FROM", "Riverside Coaching <bookings@example.com>");
        for plaintext in [
            "smtp://mail.example.com:25",
            "smtp://user:pw@mail.example.com:587?tls=opportunistic",
        ] {
            let err =
                MailConfig::from_source(&[("SMTP_URL", plaintext), from], Environment::Production)
                    .unwrap_err();
            assert_eq!(err.variable, "SMTP_URL");
            assert!(err.to_string().contains("without TLS"), "{err}");
            // Development may, and production when it is asked for explicitly.
            MailConfig::from_source(&[("SMTP_URL", plaintext), from], Environment::Development)
                .unwrap();
            MailConfig::from_source(
                &[
                    ("SMTP_URL", plaintext),
                    from,
                    ("SMTP_ALLOW_PLAINTEXT", "true"),
                ],
                Environment::Production,
            )
            .unwrap();
        }
        for encrypted in [
            "smtps://mail.example.com:465",
            "smtp://mail.example.com:587?tls=required",
        ] {
            MailConfig::from_source(&[("SMTP_URL", encrypted), from], Environment::Production)
                .unwrap();
        }
    }

    #[test]
    fn a_server_needs_a_sender_and_keeps_its_password_secret() {
        let err = MailConfig::from_source(
            &[("SMTP_URL", "smtp://user:hunter22@mail.example.com:587")],
            Environment::Development,
        )
        .unwrap_err();
        assert_eq!(err.variable, "MAIL_FROM");
        let mail = MailConfig::from_source(
            &[
                (
                    "SMTP_URL",
                    "smtp://user:hunter22@mail.example.com:587?tls=required",
                ),
                ("MAIL_FROM", "Riverside Coaching <bookings@example.com>"),
            ],
            Environment::Production,
        )
        .unwrap();
        assert_eq!(mail.contact, "bookings@example.com");
        assert!(mail.sending_to().unwrap().contains("mail.example.com"));
        assert!(!format!("{mail:?}").contains("hunter22"));
        for (variable, value) in [
            ("SMTP_URL", "http://mail.example.com"),
            ("MAIL_FROM", "not an address"),
            ("CONTACT_EMAIL", "nope"),
        ] {
            let err = MailConfig::from_source(&[(variable, value)], Environment::Development)
                .unwrap_err();
            assert_eq!(err.variable, variable);
        }
    }
}

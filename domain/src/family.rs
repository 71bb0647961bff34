//! A family's account (issue 22): its bookings are those of its email address; it signs in by a
//! link mailed to that address (no password), keeps its athletes' profiles, and may take its
//! data away or have it erased. The rules here need no I/O: how long links and logins last, what
//! an athlete's profile may hold, and what an erased booking says instead of a family's words.

use serde::{Deserialize, Serialize};

/// A family's login lasts this long at most…
pub const LOGIN_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// …and ends after this long unused.
pub const LOGIN_IDLE_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// An address change's confirmation link lasts this long.
pub const ADDRESS_LINK_MS: i64 = 24 * 60 * 60 * 1000;
/// What an erased booking says in place of a name.
pub const ERASED: &str = "Erased";
/// The longest medical note kept.
pub const MAX_NOTES_CHARS: usize = 2000;

/// An erased family's address: unique per family (`key`), and in a domain that never receives
/// mail (`.invalid`, RFC 2606).
pub fn erased_email(key: &str) -> String {
    format!("erased-{key}@erased.invalid")
}

/// Whether `email` is one written by [`erased_email`].
pub fn is_erased_email(email: &str) -> bool {
    email.starts_with("erased-") && email.ends_with("@erased.invalid")
}

/// What a link mailed to a family is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkPurpose {
    SignIn,
    AddressChange,
}

impl LinkPurpose {
    pub const ALL: [Self; 2] = [Self::SignIn, Self::AddressChange];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::AddressChange => "address_change",
        }
    }
}

impl TryFrom<String> for LinkPurpose {
    type Error = crate::UnknownStatus;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        crate::status::by_spelling(&Self::ALL, Self::as_str, &text, "link purpose")
    }
}

/// Why a mailed link opens nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkRefusal {
    /// No such link (mistyped, or never made).
    Unknown,
    /// Opened once already: each link opens once.
    Used,
    /// Its time ran out.
    Expired,
}

impl LinkRefusal {
    /// What the page says, in one sentence.
    pub const fn sentence(self) -> &'static str {
        match self {
            Self::Unknown => "This link is not one of ours. Check that it was copied whole.",
            Self::Used => "This link was used already: each link opens once.",
            Self::Expired => "This link has expired.",
        }
    }

    /// Why a link read back as (`used`, `expired`) cannot open, if it cannot.
    pub fn of(used: bool, expires_at: i64, now: i64) -> Option<Self> {
        if used {
            Some(Self::Used)
        } else if expires_at <= now {
            Some(Self::Expired)
        } else {
            None
        }
    }
}

/// An athlete's profile as the family types it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AthleteForm {
    pub name: String,
    pub date_of_birth: String,
    pub emergency_name: String,
    pub emergency_phone: String,
    pub medical_notes: String,
}

/// A profile that reads: trimmed, empty fields `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AthleteProfile {
    pub name: String,
    /// YYYY-MM-DD.
    pub date_of_birth: Option<String>,
    pub emergency_name: Option<String>,
    pub emergency_phone: Option<String>,
    pub medical_notes: Option<String>,
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Whether `text` is a date written YYYY-MM-DD that exists.
fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    if y.to_string().len() != 4 || !(1..=12).contains(&m) || d == 0 {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    d <= days
}

impl AthleteForm {
    /// The profile, or the first problem in one sentence naming its field. `today` is
    /// YYYY-MM-DD: a birth date is not after it.
    pub fn validate(&self, today: &str) -> Result<AthleteProfile, String> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err("Name: enter the athlete's name.".into());
        }
        if name.chars().count() > 100 {
            return Err("Name: 100 characters at most.".into());
        }
        let date_of_birth = optional(&self.date_of_birth);
        if let Some(date) = &date_of_birth {
            if !is_date(date) {
                return Err("Date of birth: write it as YYYY-MM-DD, like 2014-05-30.".into());
            }
            if date.as_str() > today || date.as_str() < "1900-01-01" {
                return Err("Date of birth: it cannot be in the future.".into());
            }
        }
        let emergency_name = optional(&self.emergency_name);
        if emergency_name
            .as_ref()
            .is_some_and(|n| n.chars().count() > 100)
        {
            return Err("Emergency contact: 100 characters at most.".into());
        }
        let emergency_phone = optional(&self.emergency_phone);
        if let Some(phone) = &emergency_phone {
            let digits = phone.chars().filter(char::is_ascii_digit).count();
            let plain = phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c));
            if !plain || !(6..=20).contains(&digits) {
                return Err(
                    "Emergency phone: digits, spaces and + - ( ) only, like +44 7700 900123."
                        .into(),
                );
            }
        }
        let medical_notes = optional(&self.medical_notes);
        if medical_notes
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_NOTES_CHARS)
        {
            return Err(format!(
                "Medical notes: {MAX_NOTES_CHARS} characters at most."
            ));
        }
        Ok(AthleteProfile {
            name: name.to_owned(),
            date_of_birth,
            emergency_name,
            emergency_phone,
            medical_notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> AthleteForm {
        AthleteForm {
            name: "  Alex Doe ".into(),
            date_of_birth: "2014-02-28".into(),
            emergency_name: "Sam Doe".into(),
            emergency_phone: "+44 7700 900123".into(),
            medical_notes: " Peanut allergy ".into(),
        }
    }

    #[test]
    fn a_profile_is_trimmed_and_each_bad_field_is_named() {
        let profile = form().validate("2026-12-06").unwrap();
        assert_eq!(profile.name, "Alex Doe");
        assert_eq!(profile.medical_notes.as_deref(), Some("Peanut allergy"));
        let empty = AthleteForm {
            name: "Alex".into(),
            ..AthleteForm::default()
        };
        assert_eq!(empty.validate("2026-12-06").unwrap().date_of_birth, None);
        let refused = |f: AthleteForm| f.validate("2026-12-06").unwrap_err();
        assert!(refused(AthleteForm {
            name: " ".into(),
            ..form()
        })
        .starts_with("Name"));
        for date in ["2014-02-30", "14-02-01", "2014/02/01", "2027-01-01"] {
            let f = AthleteForm {
                date_of_birth: date.into(),
                ..form()
            };
            assert!(refused(f).starts_with("Date of birth"), "{date}");
        }
        assert!(form().validate("2026-12-06").is_ok());
        let leap = AthleteForm {
            date_of_birth: "2016-02-29".into(),
            ..form()
        };
        assert!(leap.validate("2026-12-06").is_ok());
        let phone = AthleteForm {
            emergency_phone: "call me".into(),
            ..form()
        };
        assert!(refused(phone).starts_with("Emergency phone"));
        let notes = AthleteForm {
            medical_notes: "x".repeat(MAX_NOTES_CHARS + 1),
            ..form()
        };
        assert!(refused(notes).starts_with("Medical notes"));
    }

    #[test]
    fn links_open_once_and_in_time() {
        assert_eq!(LinkRefusal::of(false, 2_000, 1_000), None);
        assert_eq!(LinkRefusal::of(true, 2_000, 1_000), Some(LinkRefusal::Used));
        assert_eq!(
            LinkRefusal::of(false, 1_000, 1_000),
            Some(LinkRefusal::Expired)
        );
        assert_eq!(
            LinkPurpose::try_from("sign_in".to_owned()),
            Ok(LinkPurpose::SignIn)
        );
        assert!(LinkPurpose::try_from("other".to_owned()).is_err());
    }

    #[test]
    fn an_erased_address_never_receives_mail_and_is_known_as_erased() {
        let email = erased_email("f12");
        assert_eq!(email, "erased-f12@erased.invalid");
        assert!(is_erased_email(&email));
        assert!(!is_erased_email("parent@example.com"));
    }
}

/// What a coach sees of an athlete at the track, from the profile its family keeps: whom to
/// call, and whether medical notes are kept (their words are opened apart, and recorded).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Emergency {
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub has_notes: bool,
}

/// The age in whole years on `at` (UTC ms) of someone born on `born` (YYYY-MM-DD).
pub fn age_on(born: &str, at: i64) -> Option<i64> {
    use chrono::Datelike;
    let born = chrono::NaiveDate::parse_from_str(born, "%Y-%m-%d").ok()?;
    let today = chrono::DateTime::from_timestamp_millis(at)?.date_naive();
    let mut age = i64::from(today.year() - born.year());
    if (today.month(), today.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    (age >= 0).then_some(age)
}

#[cfg(test)]
mod age_tests {
    use super::age_on;

    #[test]
    fn an_age_counts_whole_years_from_the_birthday() {
        // 2026-12-06.
        let at = 1_796_515_200_000;
        assert_eq!(age_on("2014-05-30", at), Some(12));
        assert_eq!(age_on("2014-12-07", at), Some(11));
        assert_eq!(age_on("2014-12-06", at), Some(12));
        assert_eq!(age_on("2030-01-01", at), None);
        assert_eq!(age_on("not a date", at), None);
    }
}

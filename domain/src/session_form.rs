//! The admin's training-session form, parsed: every field checked in the business's time zone,
//! each problem named back to its field, what was typed kept.

use crate::booking_form::FieldErrors;
use crate::money::Money;
use crate::schedule;
use serde::{Deserialize, Serialize};

/// The session form's fields as text, as typed (or as stored, for editing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionFields {
    pub title: String,
    pub date: String,
    pub time: String,
    pub duration: String,
    pub location: String,
    pub capacity: String,
    pub price: String,
    pub currency: String,
}

/// A training session whose every field is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTrainingSession {
    pub title: String,
    /// UTC milliseconds.
    pub starts_at: i64,
    pub duration_minutes: i64,
    pub location: String,
    pub capacity: i64,
    /// Minor units of `currency`.
    pub price_amount: i64,
    pub currency: String,
}

/// The form's fields in the order it shows them.
pub const FORM_ORDER: [&str; 8] = [
    "title", "date", "time", "duration", "location", "capacity", "price", "currency",
];

const MAX_TEXT: usize = 200;

impl SessionFields {
    /// The fields of a stored session, as the form shows them in `tz`.
    pub fn of(session: &NewTrainingSession, tz: chrono_tz::Tz) -> Self {
        let (date, time) = schedule::date_and_time(session.starts_at, tz);
        Self {
            title: session.title.clone(),
            date,
            time,
            duration: session.duration_minutes.to_string(),
            location: session.location.clone(),
            capacity: session.capacity.to_string(),
            price: Money::format_major(session.price_amount, &session.currency),
            currency: session.currency.clone(),
        }
    }

    /// The values to show again when the form comes back with errors (bounded).
    pub fn values(&self) -> std::collections::BTreeMap<String, String> {
        [
            ("title", &self.title),
            ("date", &self.date),
            ("time", &self.time),
            ("duration", &self.duration),
            ("location", &self.location),
            ("capacity", &self.capacity),
            ("price", &self.price),
            ("currency", &self.currency),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.chars().take(MAX_TEXT).collect()))
        .collect()
    }

    /// Parses the form in the business's time zone into a session, naming each problem.
    pub fn parse(&self, tz: chrono_tz::Tz) -> Result<NewTrainingSession, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = self.title.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.is_empty() || title.chars().count() > MAX_TEXT {
            errors.add("title", "Enter a title of at most 200 characters.");
        }
        // Date and time are checked apart, so each empty or malformed one is named.
        let date = schedule::parse_date(&self.date)
            .map_err(|message| errors.add("date", message))
            .ok();
        let time = schedule::parse_time(&self.time)
            .map_err(|message| errors.add("time", message))
            .ok();
        let starts_at = match (date, time) {
            (Some(date), Some(time)) => schedule::at(date, time, tz)
                .map_err(|message| errors.add("time", message))
                .ok(),
            _ => None,
        };
        let mut number =
            |text: &str, field: &str, range: std::ops::RangeInclusive<i64>, message: &str| {
                match text.trim().parse::<i64>() {
                    Ok(n) if range.contains(&n) => Some(n),
                    _ => {
                        errors.add(field, message);
                        None
                    }
                }
            };
        let duration = number(
            &self.duration,
            "duration",
            1..=1440,
            "Enter the length in minutes (1 to 1440).",
        );
        let capacity = number(
            &self.capacity,
            "capacity",
            1..=10_000,
            "Enter how many athletes can come (1 to 10000).",
        );
        let location = self.location.trim().to_owned();
        if location.is_empty() || location.chars().count() > MAX_TEXT {
            errors.add("location", "Enter where the session takes place.");
        }
        let currency = self.currency.trim().to_ascii_uppercase();
        if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_alphabetic()) {
            errors.add("currency", "Enter a three-letter currency code, like USD.");
        }
        let price = match Money::parse_major(&self.price, &currency) {
            Ok(amount) => Some(amount),
            Err(message) => {
                errors.add("price", format!("Price: {message}."));
                None
            }
        };
        match (starts_at, duration, capacity, price) {
            (Some(starts_at), Some(duration_minutes), Some(capacity), Some(price_amount))
                if errors.is_empty() =>
            {
                Ok(NewTrainingSession {
                    title,
                    starts_at,
                    duration_minutes,
                    location,
                    capacity,
                    price_amount,
                    currency,
                })
            }
            _ => {
                errors.values = self.values();
                Err(errors)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> SessionFields {
        SessionFields {
            title: "  Sprint   technique ".into(),
            date: "2026-07-04".into(),
            time: "10:30".into(),
            duration: "60".into(),
            location: "Track 2".into(),
            capacity: "12".into(),
            price: "45.5".into(),
            currency: "usd".into(),
        }
    }

    #[test]
    fn a_valid_form_becomes_a_session_in_the_business_zone() {
        let london: chrono_tz::Tz = "Europe/London".parse().unwrap();
        let session = valid().parse(london).unwrap();
        assert_eq!(session.title, "Sprint technique");
        assert_eq!(session.starts_at, 1_783_157_400_000);
        assert_eq!(
            (session.price_amount, session.currency.as_str()),
            (4550, "USD")
        );
        let shown = SessionFields::of(&session, london);
        assert_eq!(
            (
                shown.date.as_str(),
                shown.time.as_str(),
                shown.price.as_str()
            ),
            ("2026-07-04", "10:30", "45.50")
        );
        assert_eq!(shown.parse(london).unwrap(), session);
    }

    #[test]
    fn an_empty_date_and_time_are_each_named() {
        let mut form = valid();
        form.date.clear();
        form.time = " ".into();
        let errors = form.parse(chrono_tz::UTC).unwrap_err();
        assert_eq!(errors.errors["date"], "Enter the date.");
        assert_eq!(errors.errors["time"], "Enter the start time.");
    }

    #[test]
    fn every_rule_names_its_field_and_keeps_what_was_typed() {
        type Edit = fn(&mut SessionFields);
        let cases: [(Edit, &str); 9] = [
            (|f| f.title = " ".into(), "title"),
            (|f| f.date = "04/07/2026".into(), "date"),
            (|f| f.time = "".into(), "time"),
            (|f| f.duration = "0".into(), "duration"),
            (|f| f.capacity = "many".into(), "capacity"),
            (|f| f.location = "".into(), "location"),
            (|f| f.currency = "US".into(), "currency"),
            (|f| f.price = "4.555".into(), "price"),
            (|f| f.price = "12.5".into(), "price"),
        ];
        for (index, (edit, field)) in cases.into_iter().enumerate() {
            let mut form = valid();
            if index == 8 {
                form.currency = "JPY".into();
            }
            edit(&mut form);
            let errors = form.parse(chrono_tz::UTC).unwrap_err();
            assert_eq!(
                errors.errors.keys().collect::<Vec<_>>(),
                vec![field],
                "{form:?}"
            );
            assert_eq!(errors.values["title"], form.title);
        }
    }
}

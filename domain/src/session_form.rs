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
    /// Optional: what the session is about.
    #[serde(default)]
    pub description: String,
    /// Optional: the youngest and oldest athlete it is for.
    #[serde(default)]
    pub min_age: String,
    #[serde(default)]
    pub max_age: String,
    /// Optional: the coach's name.
    #[serde(default)]
    pub coach: String,
}

/// What a session says of itself beyond its time, place and price; each part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDetails {
    pub description: Option<String>,
    pub min_age: Option<i64>,
    pub max_age: Option<i64>,
    pub coach: Option<String>,
}

impl SessionDetails {
    /// "ages 8 to 12", when the session has a range.
    pub fn age_range(&self) -> Option<String> {
        crate::booking_form::age_range_text(self.min_age, self.max_age)
    }
}

/// Why an edit may not move a session's start to `new` (UTC ms) from `previous` at `now`: a
/// start already past stays as it is, but none is moved into the past, least of all one
/// with `active_bookings` (families would lose their session without a word).
pub fn start_change_refused(
    previous: i64,
    new: i64,
    now: i64,
    active_bookings: i64,
) -> Option<String> {
    // The form shows whole minutes: a start with seconds comes back as its minute, unchanged.
    let unchanged = new == previous || new == previous - previous.rem_euclid(60_000);
    if unchanged || new > now {
        return None;
    }
    Some(match active_bookings {
        0 => "A session cannot be moved into the past: choose a date and time still to come."
            .to_owned(),
        n => format!(
            "This session has {n} active booking{}: it cannot be moved into the past. Choose a date and time still to come, or cancel the session.",
            if n == 1 { "" } else { "s" }
        ),
    })
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
pub const FORM_ORDER: [&str; 12] = [
    "title",
    "date",
    "time",
    "duration",
    "location",
    "capacity",
    "price",
    "currency",
    "coach",
    "min_age",
    "max_age",
    "description",
];

const MAX_TEXT: usize = 200;
/// The longest description kept.
pub const MAX_DESCRIPTION: usize = 1000;

impl SessionFields {
    /// The fields of a stored session, as the form shows them in `tz`.
    pub fn of(session: &NewTrainingSession, details: &SessionDetails, tz: chrono_tz::Tz) -> Self {
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
            description: details.description.clone().unwrap_or_default(),
            min_age: details.min_age.map(|a| a.to_string()).unwrap_or_default(),
            max_age: details.max_age.map(|a| a.to_string()).unwrap_or_default(),
            coach: details.coach.clone().unwrap_or_default(),
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
            ("coach", &self.coach),
            ("min_age", &self.min_age),
            ("max_age", &self.max_age),
            ("description", &self.description),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.chars().take(MAX_DESCRIPTION).collect()))
        .collect()
    }

    /// Parses the form in the business's time zone into a session and its details, naming
    /// each problem.
    pub fn parse(
        &self,
        tz: chrono_tz::Tz,
    ) -> Result<(NewTrainingSession, SessionDetails), FieldErrors> {
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
        let Terms {
            duration,
            capacity,
            currency,
            price,
        } = Terms::parse(
            &self.duration,
            &self.capacity,
            &self.currency,
            &self.price,
            &mut errors,
        );
        let location = self.location.trim().to_owned();
        if location.is_empty() || location.chars().count() > MAX_TEXT {
            errors.add("location", "Enter where the session takes place.");
        }
        let details = self.details(&mut errors);
        match (starts_at, duration, capacity, price) {
            (Some(starts_at), Some(duration_minutes), Some(capacity), Some(price_amount))
                if errors.is_empty() =>
            {
                Ok((
                    NewTrainingSession {
                        title,
                        starts_at,
                        duration_minutes,
                        location,
                        capacity,
                        price_amount,
                        currency,
                    },
                    details,
                ))
            }
            _ => {
                errors.values = self.values();
                Err(errors)
            }
        }
    }
}

/// A session's (or a term's) length, places, currency and price as the admin's forms read
/// them, each problem named on its field (`duration`, `capacity`, `currency`, `price`).
pub(crate) struct Terms {
    pub duration: Option<i64>,
    pub capacity: Option<i64>,
    pub currency: String,
    /// Minor units of `currency`.
    pub price: Option<i64>,
}

impl Terms {
    pub(crate) fn parse(
        duration: &str,
        capacity: &str,
        currency: &str,
        price: &str,
        errors: &mut FieldErrors,
    ) -> Self {
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
            duration,
            "duration",
            1..=1440,
            "Enter the length in minutes (1 to 1440).",
        );
        let capacity = number(
            capacity,
            "capacity",
            1..=10_000,
            "Enter how many athletes can come (1 to 10000).",
        );
        let currency = currency.trim().to_ascii_uppercase();
        if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_alphabetic()) {
            errors.add("currency", "Enter a three-letter currency code, like USD.");
        }
        let price = match Money::parse_major(price, &currency) {
            Ok(amount) => Some(amount),
            Err(message) => {
                errors.add("price", format!("Price: {message}."));
                None
            }
        };
        Self {
            duration,
            capacity,
            currency,
            price,
        }
    }
}

impl SessionFields {
    /// The optional details: description, age range (within the booking form's ages, the
    /// youngest not above the oldest) and coach.
    fn details(&self, errors: &mut FieldErrors) -> SessionDetails {
        use crate::booking_form::{MAX_AGE, MIN_AGE};
        let description = self.description.trim().to_owned();
        if description.chars().count() > MAX_DESCRIPTION {
            errors.add(
                "description",
                format!("Keep the description to {MAX_DESCRIPTION} characters or fewer."),
            );
        }
        let coach = self.coach.split_whitespace().collect::<Vec<_>>().join(" ");
        if coach.chars().count() > MAX_TEXT {
            errors.add("coach", "Enter a coach's name of at most 200 characters.");
        }
        let mut age = |text: &str, field: &str, which: &str| match text.trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(age) if (MIN_AGE..=MAX_AGE).contains(&age) => Some(age),
                _ => {
                    errors.add(
                        field,
                        format!("Enter the {which} age as a whole number from {MIN_AGE} to {MAX_AGE}, or leave it empty."),
                    );
                    None
                }
            },
        };
        let min_age = age(&self.min_age, "min_age", "youngest");
        let max_age = age(&self.max_age, "max_age", "oldest");
        if let (Some(min), Some(max)) = (min_age, max_age) {
            if min > max {
                errors.add(
                    "max_age",
                    format!("The oldest age ({max}) cannot be below the youngest ({min})."),
                );
            }
        }
        SessionDetails {
            description: Some(description).filter(|d| !d.is_empty()),
            min_age,
            max_age,
            coach: Some(coach).filter(|c| !c.is_empty()),
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
            ..SessionFields::default()
        }
    }

    #[test]
    fn a_valid_form_becomes_a_session_in_the_business_zone() {
        let london: chrono_tz::Tz = "Europe/London".parse().unwrap();
        let (session, details) = valid().parse(london).unwrap();
        assert_eq!(details, SessionDetails::default());
        assert_eq!(session.title, "Sprint technique");
        assert_eq!(session.starts_at, 1_783_157_400_000);
        assert_eq!(
            (session.price_amount, session.currency.as_str()),
            (4550, "USD")
        );
        let shown = SessionFields::of(&session, &details, london);
        assert_eq!(
            (
                shown.date.as_str(),
                shown.time.as_str(),
                shown.price.as_str()
            ),
            ("2026-07-04", "10:30", "45.50")
        );
        assert_eq!(shown.parse(london).unwrap(), (session, details));
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

    #[test]
    fn the_details_are_optional_kept_and_their_ages_checked() {
        let mut form = valid();
        form.description = "  Starts, bends and relays. ".into();
        form.min_age = "8".into();
        form.max_age = " 12".into();
        form.coach = " Sam   Rivers ".into();
        let (session, details) = form.parse(chrono_tz::UTC).unwrap();
        assert_eq!(
            details,
            SessionDetails {
                description: Some("Starts, bends and relays.".into()),
                min_age: Some(8),
                max_age: Some(12),
                coach: Some("Sam Rivers".into()),
            }
        );
        assert_eq!(details.age_range().as_deref(), Some("ages 8 to 12"));
        let shown = SessionFields::of(&session, &details, chrono_tz::UTC);
        assert_eq!(
            (shown.min_age.as_str(), shown.coach.as_str()),
            ("8", "Sam Rivers")
        );

        type Edit = fn(&mut SessionFields);
        let cases: [(Edit, &str, &str); 5] = [
            (
                |f| {
                    f.min_age = "13".into();
                    f.max_age = "12".into();
                },
                "max_age",
                "cannot be below the youngest",
            ),
            (|f| f.min_age = "2".into(), "min_age", "from 3 to 99"),
            (|f| f.max_age = "100".into(), "max_age", "from 3 to 99"),
            (|f| f.min_age = "eight".into(), "min_age", "whole number"),
            (
                |f| f.description = "x".repeat(1001),
                "description",
                "1000 characters",
            ),
        ];
        for (edit, field, message) in cases {
            let mut form = valid();
            edit(&mut form);
            let errors = form.parse(chrono_tz::UTC).unwrap_err();
            assert_eq!(
                errors.errors.keys().collect::<Vec<_>>(),
                vec![field],
                "{form:?}"
            );
            assert!(errors.errors[field].contains(message), "{errors:?}");
            assert_eq!(errors.values["min_age"], form.min_age);
        }
    }

    #[test]
    fn a_start_is_never_moved_into_the_past() {
        let now = 1_800_000_000_000;
        let hour = 3_600_000;
        // Unchanged, or moved to a time still to come: fine.
        assert_eq!(start_change_refused(now - hour, now - hour, now, 3), None);
        assert_eq!(
            start_change_refused(now - hour + 1_234, now - hour, now, 3),
            None,
            "the same minute, as the form shows it"
        );
        assert_eq!(
            start_change_refused(now + hour, now + 2 * hour, now, 3),
            None
        );
        assert_eq!(start_change_refused(now - hour, now + hour, now, 0), None);
        // Into the past: refused, naming the bookings it has.
        let with = start_change_refused(now + hour, now - hour, now, 2).unwrap();
        assert!(with.contains("2 active bookings"), "{with}");
        let without = start_change_refused(now + hour, now - 2 * hour, now, 0).unwrap();
        assert!(
            without.contains("cannot be moved into the past"),
            "{without}"
        );
        assert!(start_change_refused(now + hour, now, now, 1).is_some());
    }
}

//! A term (issue 23): a block of weekly sessions sold together ("Tuesdays 17:00, ten weeks from
//! 6 January, not on 17 February"). The admin's form, parsed in the business's time zone (each
//! session at the same local time, across a daylight-saving change), and the term's price shared
//! out over its sessions, so that one session's share can be refunded alone.

use crate::booking_form::FieldErrors;
use crate::money::Money;
use crate::schedule;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// The most sessions one term holds (one Checkout line per session and child stays well under
/// Stripe's hundred).
pub const MAX_SESSIONS: usize = 24;
const MAX_TEXT: usize = 200;

/// The term form's fields as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermFields {
    pub title: String,
    /// The first session's date (YYYY-MM-DD): the term's weekday is that date's.
    pub first_date: String,
    /// The local start time (HH:MM).
    pub time: String,
    pub duration: String,
    /// How many weeks (counted from the first date, skipped ones included)…
    #[serde(default)]
    pub weeks: String,
    /// …or the last date (YYYY-MM-DD): one of the two.
    #[serde(default)]
    pub last_date: String,
    /// Dates without a session, separated by commas or spaces.
    #[serde(default)]
    pub skip: String,
    pub location: String,
    pub capacity: String,
    /// The whole term's price, per athlete.
    pub price: String,
    pub currency: String,
    /// One session's price when sold alone ("drop-in"); empty: sold only as the term.
    #[serde(default)]
    pub dropin_price: String,
}

/// The fields in the order the form shows them, for the error summary.
pub const FORM_ORDER: [&str; 12] = [
    "title",
    "first_date",
    "time",
    "duration",
    "weeks",
    "last_date",
    "skip",
    "location",
    "capacity",
    "price",
    "dropin_price",
    "currency",
];

/// A term that reads: its sessions' starts (UTC ms) and what they share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTerm {
    pub title: String,
    pub location: String,
    pub duration_minutes: i64,
    pub capacity: i64,
    /// Minor units, for the whole term, per athlete.
    pub price_amount: i64,
    pub currency: String,
    /// One session's price when sold alone; `None`: sold only as the term.
    pub dropin_price_amount: Option<i64>,
    /// The sessions' starts, in order.
    pub starts: Vec<i64>,
}

/// The local dates of a term: weekly from `first`, `weeks` of them or up to `last`, without the
/// `skip` dates. Each skipped date must be one of the term's.
pub fn dates(
    first: NaiveDate,
    weeks: Option<u32>,
    last: Option<NaiveDate>,
    skip: &[NaiveDate],
) -> Result<Vec<NaiveDate>, String> {
    let mut all = Vec::new();
    let mut day = first;
    loop {
        let within = match (weeks, last) {
            (Some(weeks), _) => all.len() < weeks as usize,
            (None, Some(last)) => day <= last,
            (None, None) => false,
        };
        if !within || all.len() > MAX_SESSIONS + skip.len() {
            break;
        }
        all.push(day);
        day += Duration::weeks(1);
    }
    if let Some(stray) = skip.iter().find(|d| !all.contains(d)) {
        return Err(format!(
            "{stray} is not one of the term's dates (every {} from {first}).",
            first.format("%A")
        ));
    }
    all.retain(|d| !skip.contains(d));
    Ok(all)
}

/// The term's price shared out over `sessions` sessions: equal shares in minor units, the
/// cents left over on the first ones; they add up to `price`.
pub fn shares(price: i64, sessions: usize) -> Vec<i64> {
    let n = i64::try_from(sessions.max(1)).unwrap_or(i64::MAX);
    let (each, left) = (price / n, price % n);
    (0..n).map(|i| each + i64::from(i < left)).collect()
}

/// The dates to skip as typed (YYYY-MM-DD, separated by commas or spaces); each one that is not
/// a date named on the `skip` field.
pub(crate) fn parse_skip(text: &str, errors: &mut FieldErrors) -> Vec<NaiveDate> {
    let mut skip = Vec::new();
    for text in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
    {
        match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(date) => skip.push(date),
            Err(_) => {
                errors.add(
                    "skip",
                    format!("\"{text}\" is not a date: write the dates to skip as YYYY-MM-DD."),
                );
            }
        }
    }
    skip
}

/// The drop-in price as typed (empty: sold only as the term), named on `dropin_price`.
pub(crate) fn parse_dropin(text: &str, currency: &str, errors: &mut FieldErrors) -> Option<i64> {
    match text.trim() {
        "" => None,
        text => match Money::parse_major(text, currency) {
            Ok(amount) => Some(amount),
            Err(message) => {
                errors.add("dropin_price", format!("Drop-in price: {message}."));
                None
            }
        },
    }
}

impl TermFields {
    /// What was typed, to show again.
    pub fn values(&self) -> std::collections::BTreeMap<String, String> {
        [
            ("title", &self.title),
            ("first_date", &self.first_date),
            ("time", &self.time),
            ("duration", &self.duration),
            ("weeks", &self.weeks),
            ("last_date", &self.last_date),
            ("skip", &self.skip),
            ("location", &self.location),
            ("capacity", &self.capacity),
            ("price", &self.price),
            ("currency", &self.currency),
            ("dropin_price", &self.dropin_price),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.chars().take(MAX_TEXT * 4).collect()))
        .collect()
    }

    /// The term, its sessions at the same local time in `tz`; each problem named on its field.
    pub fn parse(&self, tz: chrono_tz::Tz) -> Result<NewTerm, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = self.title.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.is_empty() || title.chars().count() > MAX_TEXT {
            errors.add("title", "Enter a title of at most 200 characters.");
        }
        let first = schedule::parse_date(&self.first_date)
            .map_err(|message| errors.add("first_date", message))
            .ok();
        let time = schedule::parse_time(&self.time)
            .map_err(|message| errors.add("time", message))
            .ok();
        let weeks = match self.weeks.trim() {
            "" => None,
            text => match text.parse::<u32>() {
                Ok(n) if (1..=MAX_SESSIONS as u32 * 2).contains(&n) => Some(n),
                _ => {
                    errors.add(
                        "weeks",
                        format!("Enter the number of weeks (1 to {}).", MAX_SESSIONS * 2),
                    );
                    None
                }
            },
        };
        let last = match self.last_date.trim() {
            "" => None,
            text => schedule::parse_date(text)
                .map_err(|message| errors.add("last_date", message))
                .ok(),
        };
        if self.weeks.trim().is_empty() == self.last_date.trim().is_empty() {
            errors.add(
                "weeks",
                "Give either the number of weeks or the last date (one of the two).",
            );
        }
        if let (Some(first), Some(last)) = (first, last) {
            if last < first {
                errors.add("last_date", "The last date comes before the first.");
            }
        }
        let skip = parse_skip(&self.skip, &mut errors);
        let mut starts = Vec::new();
        if let (Some(first), Some(time), true) = (first, time, errors.is_empty()) {
            match dates(first, weeks, last, &skip) {
                Ok(days) if days.is_empty() => {
                    errors.add("skip", "Every date is skipped: the term has no session.")
                }
                Ok(days) if days.len() > MAX_SESSIONS => errors.add(
                    "weeks",
                    format!(
                        "A term holds at most {MAX_SESSIONS} sessions (this one {}).",
                        days.len()
                    ),
                ),
                Ok(days) => {
                    for day in days {
                        match schedule::at(day, time, tz) {
                            Ok(start) => starts.push(start),
                            Err(message) => errors.add("time", format!("{day}: {message}")),
                        }
                    }
                }
                Err(message) => errors.add("skip", message),
            }
        }
        let crate::session_form::Terms {
            duration,
            capacity,
            currency,
            price,
        } = crate::session_form::Terms::parse(
            &self.duration,
            &self.capacity,
            &self.currency,
            &self.price,
            &mut errors,
        );
        let location = self.location.trim().to_owned();
        if location.is_empty() || location.chars().count() > MAX_TEXT {
            errors.add("location", "Enter where the sessions take place.");
        }
        let dropin_price_amount = parse_dropin(&self.dropin_price, &currency, &mut errors);
        match (duration, capacity, price) {
            (Some(duration_minutes), Some(capacity), Some(price_amount)) if errors.is_empty() => {
                Ok(NewTerm {
                    dropin_price_amount,
                    title,
                    location,
                    duration_minutes,
                    capacity,
                    price_amount,
                    currency,
                    starts,
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

    fn fields() -> TermFields {
        TermFields {
            title: "Tuesday sprinters".into(),
            first_date: "2026-10-06".into(),
            time: "17:00".into(),
            duration: "60".into(),
            weeks: "10".into(),
            skip: "2026-10-27".into(),
            location: "Riverside Track".into(),
            capacity: "12".into(),
            price: "300".into(),
            currency: "GBP".into(),
            ..Default::default()
        }
    }

    #[test]
    fn ten_weeks_less_one_skipped_keep_their_local_time_across_the_clock_change() {
        let london: chrono_tz::Tz = "Europe/London".parse().unwrap();
        let term = fields().parse(london).unwrap();
        assert_eq!(term.starts.len(), 9);
        // The clocks go back on 25 October 2026: 17:00 is 16:00 UTC before, 17:00 UTC after.
        let utc = |ms: i64| {
            chrono::DateTime::from_timestamp_millis(ms)
                .unwrap()
                .format("%m-%d %H:%M")
                .to_string()
        };
        assert_eq!(utc(term.starts[0]), "10-06 16:00");
        assert_eq!(utc(term.starts[2]), "10-20 16:00");
        assert_eq!(utc(term.starts[3]), "11-03 17:00", "27 October skipped");
        assert_eq!(utc(term.starts[8]), "12-08 17:00");
        for start in &term.starts {
            assert_eq!(schedule::date_and_time(*start, london).1, "17:00");
        }
    }

    #[test]
    fn a_last_date_ends_the_term_and_stray_or_missing_fields_are_named() {
        let utc = chrono_tz::UTC;
        let by_last = TermFields {
            weeks: String::new(),
            last_date: "2026-10-20".into(),
            skip: String::new(),
            ..fields()
        };
        assert_eq!(by_last.parse(utc).unwrap().starts.len(), 3);
        let both = TermFields {
            last_date: "2026-10-20".into(),
            ..fields()
        };
        assert!(both.parse(utc).unwrap_err().errors.contains_key("weeks"));
        let stray = TermFields {
            skip: "2026-10-28".into(),
            ..fields()
        };
        let refused = stray.parse(utc).unwrap_err();
        assert!(refused.errors["skip"].contains("2026-10-28 is not one of the term's dates"));
        assert_eq!(
            refused.values["skip"], "2026-10-28",
            "what was typed comes back"
        );
        let too_long = TermFields {
            weeks: "30".into(),
            skip: String::new(),
            ..fields()
        };
        assert!(too_long.parse(utc).unwrap_err().errors["weeks"].contains("at most 24"));
    }

    #[test]
    fn shares_add_up_to_the_price() {
        assert_eq!(shares(30000, 9).iter().sum::<i64>(), 30000);
        assert_eq!(shares(1000, 3), vec![334, 333, 333]);
        assert_eq!(shares(0, 4), vec![0, 0, 0, 0]);
    }
}

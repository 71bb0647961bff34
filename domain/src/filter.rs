//! The admin's bookings filter: what the URL's query string says, parsed into valid choices.
//! Shared by the table, its pagination and the CSV export.

use crate::status::{AttendanceStatus, PaymentStatus};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: i64 = 25;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    Created,
    Session,
    Parent,
    Athlete,
    Amount,
    Payment,
    Attendance,
}

impl SortKey {
    pub const ALL: [SortKey; 7] = [
        Self::Created,
        Self::Session,
        Self::Parent,
        Self::Athlete,
        Self::Amount,
        Self::Payment,
        Self::Attendance,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Session => "session",
            Self::Parent => "parent",
            Self::Athlete => "athlete",
            Self::Amount => "amount",
            Self::Payment => "payment",
            Self::Attendance => "attendance",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// A valid filter; anything unrecognised in the URL falls back to "no filter" for that part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingFilter {
    pub payment: Option<PaymentStatus>,
    pub attendance: Option<AttendanceStatus>,
    pub session: Option<i64>,
    /// Session dates, inclusive, "YYYY-MM-DD" in the business's zone.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Matches parent name, athlete name or email.
    pub search: Option<String>,
    pub sort: SortKey,
    pub descending: bool,
    /// 1-based.
    pub page: i64,
}

impl Default for BookingFilter {
    fn default() -> Self {
        Self {
            payment: None,
            attendance: None,
            session: None,
            from: None,
            to: None,
            search: None,
            sort: SortKey::Created,
            descending: true,
            page: 1,
        }
    }
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
}

impl BookingFilter {
    /// Reads the filter from query parameters (`get` returns a parameter's value).
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |name: &str| {
            get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Self {
            payment: text("payment").and_then(|v| v.parse().ok()),
            attendance: text("attendance").and_then(|v| v.parse().ok()),
            session: text("session").and_then(|v| v.parse().ok()),
            from: text("from").filter(|d| is_date(d)),
            to: text("to").filter(|d| is_date(d)),
            search: text("q").map(|q| q.chars().take(100).collect()),
            sort: text("sort")
                .and_then(|s| SortKey::parse(&s))
                .unwrap_or(SortKey::Created),
            descending: text("dir").as_deref() != Some("asc"),
            page: text("page")
                .and_then(|p| p.parse().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1),
        }
    }

    /// Reads the filter from a raw query string ("a=1&b=2", without the `?`).
    pub fn from_query_string(query: &str) -> Self {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        Self::from_query(|name| {
            pairs
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        })
    }

    /// The query string for this filter (without the leading `?`).
    pub fn to_query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(p) = self.payment {
            pairs.push(("payment", p.as_str().to_owned()));
        }
        if let Some(a) = self.attendance {
            pairs.push(("attendance", a.as_str().to_owned()));
        }
        if let Some(s) = self.session {
            pairs.push(("session", s.to_string()));
        }
        if let Some(f) = &self.from {
            pairs.push(("from", f.clone()));
        }
        if let Some(t) = &self.to {
            pairs.push(("to", t.clone()));
        }
        if let Some(q) = &self.search {
            pairs.push(("q", q.clone()));
        }
        if self.sort != SortKey::Created {
            pairs.push(("sort", self.sort.as_str().to_owned()));
        }
        if !self.descending {
            pairs.push(("dir", "asc".to_owned()));
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode_query_value(&v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    pub fn with_page(&self, page: i64) -> Self {
        Self {
            page,
            ..self.clone()
        }
    }

    /// The filter sorted by `key`: flips the direction when already sorted by it.
    pub fn sorted_by(&self, key: SortKey) -> Self {
        Self {
            sort: key,
            descending: if self.sort == key {
                !self.descending
            } else {
                key == SortKey::Created
            },
            page: 1,
            ..self.clone()
        }
    }
}

/// What a query value keeps as it is: RFC 3986's unreserved characters.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a query value (a space is `%20`).
pub fn encode_query_value(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn query(pairs: &[(&str, &str)]) -> BookingFilter {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        BookingFilter::from_query(|k| map.get(k).cloned())
    }

    #[test]
    fn reads_and_writes_the_query_string() {
        let filter = query(&[
            ("payment", "paid"),
            ("attendance", "no-show"),
            ("session", "7"),
            ("from", "2026-11-01"),
            ("to", "2026-11-30"),
            ("q", "Pat & Co"),
            ("sort", "athlete"),
            ("dir", "asc"),
            ("page", "3"),
        ]);
        assert_eq!(filter.payment, Some(PaymentStatus::Paid));
        assert_eq!(filter.attendance, Some(AttendanceStatus::NoShow));
        assert_eq!(filter.sort, SortKey::Athlete);
        assert!(!filter.descending);
        assert_eq!(
            filter.to_query(),
            "payment=paid&attendance=no-show&session=7&from=2026-11-01&to=2026-11-30&q=Pat%20%26%20Co&sort=athlete&dir=asc&page=3"
        );
    }

    #[test]
    fn a_raw_query_string_reads_back_into_the_same_filter() {
        let filter = query(&[("q", "Pat & Co+1"), ("payment", "failed"), ("page", "2")]);
        assert_eq!(BookingFilter::from_query_string(&filter.to_query()), filter);
        let typed = BookingFilter::from_query_string("q=Pat+%26+Co&sort=parent&dir=asc");
        assert_eq!(typed.search.as_deref(), Some("Pat & Co"));
        assert_eq!((typed.sort, typed.descending), (SortKey::Parent, false));
    }

    #[test]
    fn unknown_values_fall_back_to_no_filter() {
        let filter = query(&[
            ("payment", "bogus"),
            ("session", "x"),
            ("from", "yesterday"),
            ("sort", "password"),
            ("page", "-2"),
        ]);
        assert_eq!(filter, BookingFilter::default());
        assert_eq!(filter.to_query(), "");
    }

    #[test]
    fn sorting_twice_flips_the_direction() {
        let by_parent = BookingFilter::default()
            .with_page(4)
            .sorted_by(SortKey::Parent);
        assert_eq!(
            (by_parent.sort, by_parent.descending, by_parent.page),
            (SortKey::Parent, false, 1)
        );
        assert!(by_parent.sorted_by(SortKey::Parent).descending);
    }
}

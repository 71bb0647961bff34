//! A term changed before it starts (issue 23): its places, its price, its drop-in price, and
//! dates it no longer has (each such session cancelled as a session is, its bookings refunded
//! their shares). Its other fields stay as made.

use crate::booking_form::FieldErrors;
use crate::term::{parse_dropin, parse_skip};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The change form's fields as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermChangeFields {
    pub capacity: String,
    /// The whole term's price, per athlete.
    pub price: String,
    /// Empty: its sessions are sold only as the term.
    #[serde(default)]
    pub dropin_price: String,
    /// Dates of the term's sessions that no longer take place.
    #[serde(default)]
    pub skip: String,
}

/// The fields in the order the form shows them.
pub const CHANGE_ORDER: [&str; 4] = ["capacity", "price", "dropin_price", "skip"];

/// A change that reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermChange {
    pub capacity: i64,
    /// Minor units of the term's currency.
    pub price_amount: i64,
    pub dropin_price_amount: Option<i64>,
    /// Local dates whose sessions are to be cancelled.
    pub skip: Vec<NaiveDate>,
}

impl TermChangeFields {
    /// The change, amounts in the term's `currency`; each problem named on its field.
    pub fn parse(&self, currency: &str) -> Result<TermChange, FieldErrors> {
        let mut errors = FieldErrors::default();
        // The length is not changed here: any valid one lets the shared reading check the rest.
        let terms = crate::session_form::Terms::parse(
            "60",
            &self.capacity,
            currency,
            &self.price,
            &mut errors,
        );
        let dropin_price_amount = parse_dropin(&self.dropin_price, currency, &mut errors);
        let skip = parse_skip(&self.skip, &mut errors);
        match (terms.capacity, terms.price) {
            (Some(capacity), Some(price_amount)) if errors.is_empty() => Ok(TermChange {
                capacity,
                price_amount,
                dropin_price_amount,
                skip,
            }),
            _ => {
                errors.values = self.values();
                Err(errors)
            }
        }
    }

    /// What was typed, to show again.
    pub fn values(&self) -> std::collections::BTreeMap<String, String> {
        [
            ("capacity", &self.capacity),
            ("price", &self.price),
            ("dropin_price", &self.dropin_price),
            ("skip", &self.skip),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.chars().take(800).collect()))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(capacity: &str, price: &str, dropin: &str, skip: &str) -> TermChangeFields {
        TermChangeFields {
            capacity: capacity.into(),
            price: price.into(),
            dropin_price: dropin.into(),
            skip: skip.into(),
        }
    }

    #[test]
    fn a_change_reads_its_places_prices_and_dates() {
        let change = fields("14", "280", "35", "2027-01-13, 2027-01-20")
            .parse("GBP")
            .unwrap();
        assert_eq!(change.capacity, 14);
        assert_eq!(change.price_amount, 28000);
        assert_eq!(change.dropin_price_amount, Some(3500));
        assert_eq!(
            change.skip,
            vec![
                NaiveDate::from_ymd_opt(2027, 1, 13).unwrap(),
                NaiveDate::from_ymd_opt(2027, 1, 20).unwrap()
            ]
        );
        assert_eq!(fields("3", "0", "", "").parse("GBP").unwrap().skip, vec![]);
    }

    #[test]
    fn each_problem_is_named_on_its_field_and_the_values_kept() {
        let refused = fields("none", "3x", "-1", "soon").parse("GBP").unwrap_err();
        for field in CHANGE_ORDER {
            assert!(refused.errors.contains_key(field), "{field}: {refused:?}");
        }
        assert_eq!(refused.values.get("skip").map(String::as_str), Some("soon"));
    }
}

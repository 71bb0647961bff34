//! Money as integer minor units plus an ISO 4217 currency code, and how it is shown.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Currencies whose minor unit is the major unit (Stripe's zero-decimal list, the common ones).
const ZERO_DECIMAL: [&str; 16] = [
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// Minor units (cents for USD), as Stripe counts them.
    pub amount: i64,
    /// Upper-case ISO 4217 code.
    pub currency: String,
}

impl Money {
    pub fn new(amount: i64, currency: impl Into<String>) -> Self {
        Self {
            amount,
            currency: currency.into().to_ascii_uppercase(),
        }
    }

    pub fn is_zero_decimal(currency: &str) -> bool {
        ZERO_DECIMAL
            .iter()
            .any(|c| c.eq_ignore_ascii_case(currency))
    }

    fn symbol(&self) -> Option<&'static str> {
        Some(match self.currency.as_str() {
            "USD" | "CAD" | "AUD" | "NZD" => "$",
            "EUR" => "€",
            "GBP" => "£",
            "JPY" => "¥",
            "CHF" => "CHF ",
            _ => return None,
        })
    }

    /// An amount of minor units as typed in a form, in major units: "45.00", or "4500" for a
    /// zero-decimal currency. `parse_major` reads it back.
    pub fn format_major(amount: i64, currency: &str) -> String {
        if Self::is_zero_decimal(currency) {
            amount.to_string()
        } else {
            let sign = if amount < 0 { "-" } else { "" };
            let abs = amount.unsigned_abs();
            format!("{sign}{}.{:02}", abs / 100, abs % 100)
        }
    }

    /// Parses a major-unit amount typed by an admin ("45", "45.5", "45.50") into minor units.
    pub fn parse_major(text: &str, currency: &str) -> Result<i64, String> {
        let text = text.trim();
        let decimals = if Self::is_zero_decimal(currency) {
            0
        } else {
            2
        };
        let (whole, frac) = match text.split_once('.') {
            Some((w, f)) => (w, f),
            None => (text, ""),
        };
        let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || !digits_only(whole) || !digits_only(frac) || frac.len() > decimals {
            return Err(if decimals == 0 {
                format!("enter a whole amount of {currency}, like 4500")
            } else {
                "enter an amount like 45 or 45.50".to_owned()
            });
        }
        let whole: i64 = whole
            .parse()
            .map_err(|_| "the amount is too large".to_owned())?;
        let mut frac_value: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().unwrap_or(0)
        };
        for _ in frac.len()..decimals {
            frac_value *= 10;
        }
        whole
            .checked_mul(10_i64.pow(decimals as u32))
            .and_then(|w| w.checked_add(frac_value))
            .ok_or_else(|| "the amount is too large".to_owned())
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.amount < 0 { "-" } else { "" };
        let number = Self::format_major(self.amount.saturating_abs(), &self.currency);
        match self.symbol() {
            Some(symbol) => write!(f, "{sign}{symbol}{number}"),
            None => write!(f, "{sign}{number} {}", self.currency),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_minor_units_in_the_currency() {
        assert_eq!(Money::new(4500, "usd").to_string(), "$45.00");
        assert_eq!(Money::new(5, "EUR").to_string(), "€0.05");
        assert_eq!(Money::new(123456, "GBP").to_string(), "£1234.56");
        assert_eq!(Money::new(4500, "JPY").to_string(), "¥4500");
        assert_eq!(Money::new(999, "SEK").to_string(), "9.99 SEK");
        assert_eq!(Money::new(-250, "USD").to_string(), "-$2.50");
    }

    #[test]
    fn parses_admin_amounts_into_minor_units() {
        assert_eq!(Money::parse_major("45", "USD"), Ok(4500));
        assert_eq!(Money::parse_major("45.5", "USD"), Ok(4550));
        assert_eq!(Money::parse_major(" 45.05 ", "USD"), Ok(4505));
        assert_eq!(Money::parse_major("4500", "JPY"), Ok(4500));
        for bad in [
            "",
            "abc",
            "4.555",
            "-3",
            "1e3",
            ".5",
            "99999999999999999999",
        ] {
            assert!(Money::parse_major(bad, "USD").is_err(), "{bad:?}");
        }
        assert!(Money::parse_major("45.5", "JPY").is_err());
        for (amount, currency, text) in [
            (4550, "USD", "45.50"),
            (5, "EUR", "0.05"),
            (4500, "JPY", "4500"),
        ] {
            assert_eq!(Money::format_major(amount, currency), text);
            assert_eq!(Money::parse_major(text, currency), Ok(amount));
        }
    }
}

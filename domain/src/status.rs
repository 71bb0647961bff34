//! The two statuses every booking carries side by side, and their spellings. (Their colour
//! tags are the UI's business: `app::components::tag`.)

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An unknown spelling of a status, kept so the error can say what was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {given:?}; expected one of: {expected}")]
pub struct UnknownStatus {
    pub kind: &'static str,
    pub given: String,
    pub expected: String,
}

/// The money side of a booking. Written only from Stripe's word (webhook or reconciliation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaymentStatus {
    Unpaid,
    Paid,
    Failed,
    Refunded,
}

/// The real-world outcome of a booking. Written only by an admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttendanceStatus {
    Pending,
    Confirmed,
    Completed,
    Cancelled,
    NoShow,
    Manual,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 4] = [Self::Unpaid, Self::Paid, Self::Failed, Self::Refunded];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unpaid => "unpaid",
            Self::Paid => "paid",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
        }
    }

    /// No money has (yet) settled the booking: it may still be paid.
    pub const fn is_unsettled(self) -> bool {
        matches!(self, Self::Unpaid | Self::Failed)
    }

    /// Human label shown inside the tag, so colour is never the only signal.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Unpaid => "Unpaid",
            Self::Paid => "Paid",
            Self::Failed => "Failed",
            Self::Refunded => "Refunded",
        }
    }
}

impl AttendanceStatus {
    pub const ALL: [AttendanceStatus; 6] = [
        Self::Pending,
        Self::Confirmed,
        Self::Completed,
        Self::Cancelled,
        Self::NoShow,
        Self::Manual,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::NoShow => "no-show",
            Self::Manual => "manual",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Confirmed => "Confirmed",
            Self::Completed => "Completed",
            Self::Cancelled => "Cancelled",
            Self::NoShow => "No-show",
            Self::Manual => "Manual",
        }
    }
}

/// The status whose spelling is `given`, among `all`.
pub(crate) fn by_spelling<T: Copy>(
    all: &[T],
    spelling: impl Fn(T) -> &'static str,
    given: &str,
    kind: &'static str,
) -> Result<T, UnknownStatus> {
    all.iter()
        .copied()
        .find(|status| spelling(*status) == given)
        .ok_or_else(|| UnknownStatus {
            kind,
            given: given.to_owned(),
            expected: all
                .iter()
                .map(|s| spelling(*s))
                .collect::<Vec<_>>()
                .join(", "),
        })
}

impl FromStr for PaymentStatus {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        by_spelling(&Self::ALL, Self::as_str, s, "payment status")
    }
}

impl FromStr for AttendanceStatus {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        by_spelling(&Self::ALL, Self::as_str, s, "attendance status")
    }
}

/// Read from a database column: an unknown spelling is an error, never a default.
impl TryFrom<String> for PaymentStatus {
    type Error = UnknownStatus;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl TryFrom<String> for AttendanceStatus {
    type Error = UnknownStatus;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for AttendanceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_spellings_round_trip_through_str_serde_and_display() {
        let spellings = ["unpaid", "paid", "failed", "refunded"];
        for (status, spelling) in PaymentStatus::ALL.into_iter().zip(spellings) {
            assert_eq!(status.to_string(), spelling);
            assert_eq!(spelling.parse::<PaymentStatus>().unwrap(), status);
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{spelling}\"")
            );
            let back: PaymentStatus = serde_json::from_str(&format!("\"{spelling}\"")).unwrap();
            assert_eq!(back, status);
        }
    }

    #[test]
    fn attendance_spellings_round_trip_through_str_serde_and_display() {
        let spellings = [
            "pending",
            "confirmed",
            "completed",
            "cancelled",
            "no-show",
            "manual",
        ];
        for (status, spelling) in AttendanceStatus::ALL.into_iter().zip(spellings) {
            assert_eq!(status.to_string(), spelling);
            assert_eq!(spelling.parse::<AttendanceStatus>().unwrap(), status);
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{spelling}\"")
            );
            let back: AttendanceStatus = serde_json::from_str(&format!("\"{spelling}\"")).unwrap();
            assert_eq!(back, status);
        }
    }

    #[test]
    fn unknown_spellings_are_refused_with_what_was_given() {
        for bad in ["Paid", "PAID", "bogus", "", " paid", "no_show", "noshow"] {
            let err = bad.parse::<PaymentStatus>().unwrap_err();
            assert_eq!(err.given, bad);
            assert!(err.to_string().contains("unpaid, paid, failed, refunded"));
        }
        for bad in ["no_show", "NoShow", "Pending", "done", ""] {
            let err = bad.parse::<AttendanceStatus>().unwrap_err();
            assert_eq!(err.given, bad);
            assert!(err.to_string().contains("no-show"));
        }
        assert!(serde_json::from_str::<PaymentStatus>("\"bogus\"").is_err());
        assert!(serde_json::from_str::<AttendanceStatus>("\"no_show\"").is_err());
    }
}

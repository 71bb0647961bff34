//! The statuses and their spellings: the two every booking carries side by side, and those of
//! a refund request, a mail in the outbox and a waitlist place. Each is stored as text with
//! exactly these spellings (and a CHECK constraint) and read back through `TryFrom<String>`,
//! so an unknown spelling is an error, never a default. (The colour tags of the two booking
//! statuses are the UI's business: `app::components::tag`.)

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

/// The spellings of a status enum: `ALL`, `as_str`, and reading back (`FromStr`,
/// `TryFrom<String>` for a database column, `Display`), written once for every status.
macro_rules! spelled {
    ($name:ident, $kind:literal, { $($variant:ident => $spelling:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: [$name; [$($spelling),+].len()] = [$(Self::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $spelling),+
                }
            }
        }

        impl FromStr for $name {
            type Err = UnknownStatus;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                by_spelling(&Self::ALL, Self::as_str, s, $kind)
            }
        }

        /// Read from a database column: an unknown spelling is an error, never a default.
        impl TryFrom<String> for $name {
            type Error = UnknownStatus;

            fn try_from(text: String) -> Result<Self, Self::Error> {
                text.parse()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
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

spelled!(PaymentStatus, "payment status", {
    Unpaid => "unpaid",
    Paid => "paid",
    Failed => "failed",
    Refunded => "refunded",
});

spelled!(AttendanceStatus, "attendance status", {
    Pending => "pending",
    Confirmed => "confirmed",
    Completed => "completed",
    Cancelled => "cancelled",
    NoShow => "no-show",
    Manual => "manual",
});

impl PaymentStatus {
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
    /// Not yet marked at the track: the roster's "mark everyone remaining present" takes it,
    /// and after its session it is attendance still to mark. (A manual booking's child is
    /// marked like any other; how the booking was settled is recorded apart.)
    pub const fn is_unmarked(self) -> bool {
        matches!(self, Self::Pending | Self::Confirmed | Self::Manual)
    }

    /// The words a coach uses, on the tag and in the filters (the stored spelling, the CSV and
    /// the history keep the original specification's values).
    pub const fn label(self) -> &'static str {
        match self {
            Self::Pending => "Not marked yet",
            Self::Confirmed => "Confirmed",
            Self::Completed => "Present",
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

/// A refund request, as kept before it is sent and as Stripe answered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefundStatus {
    /// Kept, not (yet) answered: sent again under its key until it is.
    Requested,
    /// Stripe took it; the money is on its way.
    Pending,
    Succeeded,
    Failed,
}

spelled!(RefundStatus, "refund status", {
    Requested => "requested",
    Pending => "pending",
    Succeeded => "succeeded",
    Failed => "failed",
});

impl RefundStatus {
    /// Stripe's status of a refund (`pending`, `requires_action`, `succeeded`, `failed`,
    /// `canceled`) as ours: anything not yet over is pending.
    pub fn of_stripe(status: Option<&str>) -> Self {
        match status {
            Some("succeeded") => Self::Succeeded,
            Some("failed" | "canceled") => Self::Failed,
            _ => Self::Pending,
        }
    }

    /// Its money counts as given back, or on its way (so it cannot be refunded again).
    pub const fn commits_money(self) -> bool {
        !matches!(self, Self::Failed)
    }

    /// Not answered or not finished: a refund on its way.
    pub const fn on_its_way(self) -> bool {
        matches!(self, Self::Requested | Self::Pending)
    }

    /// How the admin's booking page says it.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Requested | Self::Pending => "refund pending",
            Self::Succeeded => "refunded",
            Self::Failed => "refund failed",
        }
    }
}

/// A mail in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MailStatus {
    /// To send (again, after a failed try, once its wait is over).
    Pending,
    Sent,
    /// Given up after its tries; an admin may send it again.
    Failed,
}

spelled!(MailStatus, "mail status", {
    Pending => "pending",
    Sent => "sent",
    Failed => "failed",
});

/// A place on a full session's waitlist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaitlistStatus {
    Waiting,
    /// A freed place is held for it until its offer expires.
    Offered,
    /// The offered place was booked.
    Booked,
    /// The offer ran out: the place went to the next person.
    Expired,
    /// Its holder left the waitlist.
    Withdrawn,
    /// The session was cancelled.
    Closed,
}

spelled!(WaitlistStatus, "waitlist status", {
    Waiting => "waiting",
    Offered => "offered",
    Booked => "booked",
    Expired => "expired",
    Withdrawn => "withdrawn",
    Closed => "closed",
});

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
    #[test]
    fn the_other_statuses_round_trip_and_refuse_unknown_spellings() {
        fn round_trip<T>(all: &[T], spellings: &[&str])
        where
            T: Copy + PartialEq + std::fmt::Debug + std::fmt::Display + FromStr,
            T: TryFrom<String, Error = UnknownStatus> + Serialize,
            <T as FromStr>::Err: std::fmt::Debug,
        {
            assert_eq!(all.len(), spellings.len());
            for (status, spelling) in all.iter().zip(spellings) {
                assert_eq!(status.to_string(), *spelling);
                assert_eq!(spelling.parse::<T>().unwrap(), *status);
                assert_eq!(T::try_from((*spelling).to_owned()).unwrap(), *status);
                assert_eq!(
                    serde_json::to_string(status).unwrap(),
                    format!("\"{spelling}\"")
                );
            }
            let err = T::try_from("Bogus".to_owned()).unwrap_err();
            assert_eq!(err.given, "Bogus");
            assert!(err.expected.contains(spellings[0]));
        }
        round_trip(
            &RefundStatus::ALL,
            &["requested", "pending", "succeeded", "failed"],
        );
        round_trip(&MailStatus::ALL, &["pending", "sent", "failed"]);
        round_trip(
            &WaitlistStatus::ALL,
            &[
                "waiting",
                "offered",
                "booked",
                "expired",
                "withdrawn",
                "closed",
            ],
        );
    }

    #[test]
    fn refunds_read_stripe_statuses_and_say_what_they_commit() {
        assert_eq!(
            RefundStatus::of_stripe(Some("succeeded")),
            RefundStatus::Succeeded
        );
        assert_eq!(
            RefundStatus::of_stripe(Some("failed")),
            RefundStatus::Failed
        );
        assert_eq!(
            RefundStatus::of_stripe(Some("canceled")),
            RefundStatus::Failed
        );
        assert_eq!(
            RefundStatus::of_stripe(Some("requires_action")),
            RefundStatus::Pending
        );
        assert_eq!(RefundStatus::of_stripe(None), RefundStatus::Pending);
        assert!(!RefundStatus::Failed.commits_money());
        assert!(RefundStatus::Requested.commits_money() && RefundStatus::Succeeded.commits_money());
        assert!(RefundStatus::Pending.on_its_way() && !RefundStatus::Succeeded.on_its_way());
    }
}

//! The booking domain: what a booking is and which changes it may go through, with no I/O.
//!
//! Everything here is a pure function of its arguments (no database, network, clock or UI), so
//! the browser build, the server, the fuzz targets and the tests all use the same rules. The
//! layers around it are described in `docs/ARCHITECTURE.md`.

pub mod booking;
pub mod booking_form;
pub mod client;
pub mod discount;
pub mod family;
pub mod filter;
pub mod ics;
pub mod login;
pub mod mail;
pub mod money;
pub mod outcome;
pub mod payment_change;
pub mod payment_check;
pub mod payment_progress;
pub mod redact;
pub mod refund;
pub mod schedule;
pub mod session_form;
pub mod siblings;
pub mod status;
pub mod stripe_event;
pub mod stripe_signature;
pub mod term;
pub mod term_change;
pub mod timeline;
pub mod track_details;
pub mod transition;

pub use booking::{
    payable, Actor, BookingSource, CheckoutRefusal, HoldLimit, HoldPolicy, ManualPayment,
    NotPayable,
};
pub use money::Money;
pub use outcome::{Applied, EventSource, LogLevel, LogLine};
pub use payment_change::PaymentChange;
pub use payment_check::{Mismatch, StripeMode};
pub use payment_progress::PaymentProgress;
pub use status::{
    AttendanceStatus, MailStatus, PaymentStatus, RefundStatus, UnknownStatus, WaitlistStatus,
};
pub use stripe_event::{EventObject, EventParseError, Interpretation, StripeEvent};
pub use transition::{
    decide, status_after, Decision, EventKind, PaymentSignal, Refusal, SessionPayment,
};

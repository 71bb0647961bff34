//! The booking domain: statuses, the payment transition table, money. Pure, shared by server and browser.

pub mod booking_form;
pub mod money;
pub mod status;
pub mod stripe_event;
pub mod transition;

pub use money::Money;
pub use status::{AttendanceStatus, PaymentStatus, UnknownStatus};
pub use stripe_event::{EventObject, EventParseError, Interpretation, StripeEvent};
pub use transition::{decide, status_after, Decision, PaymentSignal, Refusal, SessionPayment};

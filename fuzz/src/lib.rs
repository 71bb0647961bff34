//! The parsers under fuzzing, compiled from the project's own sources (no copy): the pure
//! domain modules of `app` and the signature module of `server`, without their heavy crates.
//! They sit at the crate root so their `super::` paths resolve as in `app::domain`.

#[path = "../../app/src/domain/booking_form.rs"]
pub mod booking_form;
#[path = "../../app/src/domain/status.rs"]
pub mod status;
#[path = "../../app/src/domain/stripe_event.rs"]
pub mod stripe_event;
#[path = "../../app/src/domain/transition.rs"]
pub mod transition;

#[path = "../../server/src/webhook/signature.rs"]
pub mod signature;

//! The one error every server function returns: problems by field (a form comes back as it
//! was left), or one sentence for the person reading it. On the server, building one also
//! picks the answer's status (and `Retry-After`) once, here: each service error has one
//! `From` below, so a server function ends in `?` and the same failure answers the same
//! status everywhere. It travels back on the no-JavaScript path too, through the redirect
//! that server functions answer plain form posts with.

use domain::booking_form::FieldErrors;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// A refused form: its problems by field, with what was typed.
    #[error("{}", .0.form.clone().unwrap_or_else(|| "Some fields need attention.".to_owned()))]
    Invalid(FieldErrors),
    /// Refused, or failed, in one sentence.
    #[error("{0}")]
    Message(String),
    /// The call itself failed (the network, the encoding): nothing of ours answered.
    #[error("Something went wrong sending the request ({0}). Please try again.")]
    ServerFn(ServerFnErrorErr),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::ServerFn(value)
    }
}

impl AppError {
    /// The problems of a refused form, by field (`None` for any other error).
    pub fn fields(&self) -> Option<&FieldErrors> {
        match self {
            Self::Invalid(fields) => Some(fields),
            _ => None,
        }
    }

    /// The message shown above a form, when the problem is not one of its fields.
    pub fn message(&self) -> Option<String> {
        match self {
            Self::Invalid(fields) => fields.form.clone(),
            other => Some(other.to_string()),
        }
    }
}

/// What to wait, in whole seconds for `Retry-After`, before trying again after `wait_ms`
/// (rounded up, at least one second).
pub fn retry_after_secs(wait_ms: i64) -> i64 {
    ((wait_ms + 999) / 1000).max(1)
}

/// The constructors that answer the current server function (status, `Retry-After`), and
/// the conversions from each service's error.
#[cfg(feature = "ssr")]
mod server {
    use super::{retry_after_secs, AppError};
    use axum::http::StatusCode;
    use domain::booking_form::FieldErrors;

    /// Sets the status (and a `Retry-After`) of the answer the current server function gives.
    fn answer_with(status: StatusCode, retry_after_ms: Option<i64>) {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(status);
            if let Some(wait_ms) = retry_after_ms {
                response.insert_header(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(retry_after_secs(wait_ms)),
                );
            }
        }
    }

    impl AppError {
        /// Refused with `status` (a 4xx: what was wrong with the request), in one sentence.
        pub fn refused(status: StatusCode, message: impl Into<String>) -> Self {
            answer_with(status, None);
            Self::Message(message.into())
        }

        /// 404: what the request names does not exist.
        pub fn not_found(message: impl Into<String>) -> Self {
            Self::refused(StatusCode::NOT_FOUND, message)
        }

        /// 409: the thing exists, but its state does not allow what was asked.
        pub fn conflict(message: impl Into<String>) -> Self {
            Self::refused(StatusCode::CONFLICT, message)
        }

        /// 422: an input that cannot be taken.
        pub fn unprocessable(message: impl Into<String>) -> Self {
            Self::refused(StatusCode::UNPROCESSABLE_ENTITY, message)
        }

        /// A refused form, answered 422, its problems named on its fields.
        pub fn invalid(fields: FieldErrors) -> Self {
            answer_with(StatusCode::UNPROCESSABLE_ENTITY, None);
            Self::Invalid(fields)
        }

        /// One problem on one form field, with the values to show again.
        pub fn field(
            field: &str,
            message: &str,
            values: std::collections::BTreeMap<String, String>,
        ) -> Self {
            let mut errors = FieldErrors::default();
            errors.add(field, message);
            errors.values = values;
            Self::invalid(errors)
        }

        /// 429: too many, try again after `wait_ms` (sent as `Retry-After`, whole seconds);
        /// `message` is told the wait in words.
        pub fn too_many(wait_ms: i64, message: impl FnOnce(String) -> String) -> Self {
            answer_with(StatusCode::TOO_MANY_REQUESTS, Some(wait_ms));
            Self::Message(message(domain::login::wait_text(wait_ms)))
        }

        /// A form refused for a limit: 429 with `Retry-After`, the form kept with its problems.
        pub fn too_many_forms(fields: FieldErrors, wait_ms: i64) -> Self {
            answer_with(StatusCode::TOO_MANY_REQUESTS, Some(wait_ms));
            Self::Invalid(fields)
        }

        /// A booking (or waitlist) form sent too often from this client or for this email:
        /// 429, the wait in words, the form kept as typed.
        pub fn limited_form(input: &domain::booking_form::BookingFormInput, wait_ms: i64) -> Self {
            tracing::warn!("form refused: too many requests");
            Self::too_many_forms(
                FieldErrors::whole_form(
                    format!(
                        "Too many attempts from this connection or email. Please try again in {}.",
                        domain::login::wait_text(wait_ms)
                    ),
                    input.values(),
                ),
                wait_ms,
            )
        }

        /// 401: the request needs a login it does not carry.
        pub fn unauthorized(message: impl Into<String>) -> Self {
            Self::refused(StatusCode::UNAUTHORIZED, message)
        }

        /// 503 with `Retry-After`: a part we depend on (the database, Stripe) did not answer;
        /// `error` is logged, `message` is told.
        pub fn unavailable(error: impl std::fmt::Display, message: impl Into<String>) -> Self {
            tracing::error!(%error, "a request could not be answered: a dependency is unavailable");
            answer_with(StatusCode::SERVICE_UNAVAILABLE, Some(1000));
            Self::Message(message.into())
        }

        /// 500: a fault of ours; `error` is logged, the person reads a plain sentence.
        pub fn internal(error: impl std::fmt::Display) -> Self {
            tracing::error!(%error, "a request failed");
            answer_with(StatusCode::INTERNAL_SERVER_ERROR, None);
            Self::Message(
                "Something went wrong on our side; nothing was changed. Please try again.".into(),
            )
        }
    }

    /// The database did not answer: 503, try again (nothing was written, since every change
    /// is one transaction).
    impl From<sqlx::Error> for AppError {
        fn from(error: sqlx::Error) -> Self {
            Self::unavailable(
                error,
                "We could not reach our database just now; nothing was changed. Please try again.",
            )
        }
    }

    /// Capitalises a service's refusal (written as a clause) into a sentence.
    fn sentence(clause: impl std::fmt::Display) -> String {
        let clause = clause.to_string();
        let mut chars = clause.chars();
        let mut out: String = chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        if !out.ends_with('.') {
            out.push('.');
        }
        out
    }

    impl From<crate::services::booking::FormRefused> for AppError {
        fn from(refused: crate::services::booking::FormRefused) -> Self {
            use crate::services::booking::FormRefused;
            match refused {
                FormRefused::Invalid(fields) => Self::invalid(fields),
                FormRefused::Limited {
                    fields,
                    retry_after_ms,
                } => Self::too_many_forms(fields, retry_after_ms),
                FormRefused::Database(error) => Self::unavailable(
                    error,
                    "We could not save the booking just now. Nothing was charged; please try again.",
                ),
            }
        }
    }

    impl From<crate::services::messages::MessageError> for AppError {
        fn from(error: crate::services::messages::MessageError) -> Self {
            use crate::services::messages::MessageError;
            match error {
                MessageError::NoSuchSession => Self::not_found("We could not find that session."),
                MessageError::NobodyToWrite => Self::conflict(sentence(&error)),
                MessageError::Database(error) => error.into(),
            }
        }
    }

    impl From<crate::services::cancellation::CancelError> for AppError {
        fn from(error: crate::services::cancellation::CancelError) -> Self {
            use crate::services::cancellation::CancelError;
            match error {
                CancelError::NoSuchBooking => Self::not_found("We could not find that booking."),
                CancelError::Cannot(why) => Self::conflict(format!("Not cancelled: {why}.")),
                CancelError::Refund(refused) => refused.into(),
                CancelError::Database(error) => error.into(),
            }
        }
    }

    impl From<crate::services::refunds::RefundError> for AppError {
        fn from(error: crate::services::refunds::RefundError) -> Self {
            use crate::services::refunds::RefundError;
            match error {
                RefundError::NoSuchBooking => Self::not_found("We could not find that booking."),
                RefundError::Database(error) => error.into(),
                refused => Self::unprocessable(format!("Not refunded: {refused}.")),
            }
        }
    }

    impl From<crate::services::moves::MoveError> for AppError {
        fn from(error: crate::services::moves::MoveError) -> Self {
            use crate::services::moves::MoveError;
            match error {
                MoveError::NoSuchBooking => Self::not_found("We could not find that booking."),
                MoveError::Cannot(why) => {
                    Self::conflict(format!("The booking was not moved: {why}."))
                }
                MoveError::Database(error) => error.into(),
            }
        }
    }

    impl From<crate::services::attendance::AttendanceError> for AppError {
        fn from(error: crate::services::attendance::AttendanceError) -> Self {
            use crate::services::attendance::AttendanceError;
            match error {
                AttendanceError::NoSuchBooking => Self::not_found("That booking no longer exists."),
                AttendanceError::Full => Self::conflict(
                    "Not changed: the session is full, and this cancelled booking's place has gone to someone else.",
                ),
                AttendanceError::Database(error) => error.into(),
            }
        }
    }

    impl From<crate::services::admins::LoginError> for AppError {
        fn from(error: crate::services::admins::LoginError) -> Self {
            use crate::services::admins::LoginError;
            match error {
                LoginError::Invalid => {
                    tracing::warn!("admin login refused");
                    Self::unauthorized("Wrong email or password.")
                }
                LoginError::TooManyAttempts { retry_after_ms } => {
                    tracing::warn!("admin login slowed down");
                    Self::too_many(retry_after_ms, |wait| {
                        format!("Too many failed attempts. Try again in {wait}.")
                    })
                }
                LoginError::Database(error) => error.into(),
            }
        }
    }

    impl From<crate::services::waitlist::OfferProblem> for AppError {
        fn from(problem: crate::services::waitlist::OfferProblem) -> Self {
            use crate::services::waitlist::OfferProblem;
            match problem {
                OfferProblem::NotFound => Self::not_found("This waitlist place does not exist."),
                OfferProblem::Database(error) => Self::unavailable(
                    error,
                    "We could not book the place just now; it is still held for you. Please try again.",
                ),
                refused => Self::conflict(sentence(refused)),
            }
        }
    }

    /// A checkout that could not start, told as the parent reads it on the booking's page.
    impl From<crate::services::checkout::CheckoutProblem> for AppError {
        fn from(problem: crate::services::checkout::CheckoutProblem) -> Self {
            use domain::CheckoutRefusal;
            let refusal = problem.refusal();
            let message = refusal.for_parent();
            match refusal {
                CheckoutRefusal::NotFound => Self::not_found(message),
                CheckoutRefusal::ProviderUnavailable | CheckoutRefusal::Ours => {
                    Self::unavailable(problem, message)
                }
                CheckoutRefusal::ProviderRefused => {
                    tracing::warn!(%problem, "the payment provider refused a checkout");
                    Self::refused(StatusCode::BAD_GATEWAY, message)
                }
                _ => Self::conflict(message),
            }
        }
    }

    impl From<crate::services::families::FamilyError> for AppError {
        fn from(error: crate::services::families::FamilyError) -> Self {
            use crate::services::families::FamilyError;
            match error {
                FamilyError::Link(refusal) => Self::refused(StatusCode::GONE, refusal.sentence()),
                FamilyError::AddressTaken => Self::conflict(sentence(&error)),
                FamilyError::Database(error) => error.into(),
            }
        }
    }

    impl From<crate::services::family_data::FamilyDataError> for AppError {
        fn from(error: crate::services::family_data::FamilyDataError) -> Self {
            use crate::services::family_data::FamilyDataError;
            match error {
                FamilyDataError::NoSuchAthlete => {
                    Self::not_found("That athlete is not one of your family's.")
                }
                // The key is not the one the notes were sealed with: ours to fix.
                FamilyDataError::Sealed(error) => Self::internal(error),
                FamilyDataError::Database(error) => error.into(),
            }
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn a_clause_becomes_a_sentence() {
            assert_eq!(super::sentence("this place is gone"), "This place is gone.");
            assert_eq!(super::sentence("Done."), "Done.");
            assert_eq!(super::sentence(""), ".");
        }
    }
}

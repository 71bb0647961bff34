//! The error a form's server function returns: problems by field (with what was typed, so the
//! form comes back as it was left), or one message. It travels back on the no-JavaScript path
//! too, through the redirect that server functions answer plain form posts with.

use domain::booking_form::FieldErrors;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum FormError {
    #[error("some fields need attention")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Message(String),
    #[error("{0}")]
    ServerFn(ServerFnErrorErr),
}

impl FromServerFnError for FormError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::ServerFn(value)
    }
}

impl FormError {
    /// One problem on one field, with the values to show again.
    pub fn field(
        field: &str,
        message: &str,
        values: std::collections::BTreeMap<String, String>,
    ) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        errors.values = values;
        Self::Invalid(errors)
    }

    pub fn fields(&self) -> Option<&FieldErrors> {
        match self {
            Self::Invalid(fields) => Some(fields),
            _ => None,
        }
    }

    /// The message shown above the form, when the problem is not one of its fields.
    pub fn message(&self) -> Option<String> {
        match self {
            Self::Invalid(fields) => fields.form.clone(),
            Self::Message(m) => Some(m.clone()),
            Self::ServerFn(e) => Some(format!(
                "Something went wrong sending the form ({e}). Please try again."
            )),
        }
    }
}

/// A booking form the booking use case refused: field problems go back on the form; a fault
/// of ours is logged and told in one sentence.
#[cfg(feature = "ssr")]
impl From<crate::services::booking::FormRefused> for FormError {
    fn from(refused: crate::services::booking::FormRefused) -> Self {
        use crate::services::booking::FormRefused;
        match refused {
            FormRefused::Invalid(fields) => Self::Invalid(fields),
            FormRefused::Limited {
                fields,
                retry_after_ms,
            } => {
                crate::state::answer_with(
                    axum::http::StatusCode::TOO_MANY_REQUESTS,
                    Some((retry_after_ms + 999) / 1000),
                );
                Self::Invalid(fields)
            }
            FormRefused::Database(error) => {
                tracing::error!(%error, "booking not saved");
                Self::Message(
                    "We could not save the booking just now. Nothing was charged; please try again."
                        .into(),
                )
            }
        }
    }
}

//! The error a form's server function returns: problems by field (with what was typed, so the
//! form comes back as it was left), or one message. It travels back on the no-JavaScript path
//! too, through the redirect that server functions answer plain form posts with.

use domain::booking_form::FieldErrors;
use leptos::prelude::*;
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
    /// A refused input: the form comes back with its problems, answered 422 (a refusal, not
    /// a fault of ours).
    pub fn invalid(fields: FieldErrors) -> Self {
        #[cfg(feature = "ssr")]
        crate::state::answer_with(axum::http::StatusCode::UNPROCESSABLE_ENTITY, None);
        Self::Invalid(fields)
    }

    /// One problem on one field, with the values to show again.
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
            FormRefused::Invalid(fields) => Self::invalid(fields),
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

/// A form posted without JavaScript that came back refused: the server function's path and
/// its encoded error. The server keeps it out of the page's address (see the server's
/// `form_return` layer) and hands it to the render as a request extension; the page carries
/// it in a hidden element so the browser, once it takes over, shows the same form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnedForm {
    pub path: String,
    pub err: String,
}

const RETURNED_FORM_ID: &str = "form-return";

/// Provides the returned form (if any) to the page's actions, and renders its hidden carrier.
pub fn provide_returned_form() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let returned = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ReturnedForm>().cloned());
    #[cfg(not(feature = "ssr"))]
    let returned = document()
        .get_element_by_id(RETURNED_FORM_ID)
        .and_then(|element| {
            Some(ReturnedForm {
                path: element.get_attribute("data-path")?,
                err: element.get_attribute("data-err")?,
            })
        });
    if let Some(form) = &returned {
        provide_context(leptos::server::ServerActionError::new(
            &form.path, &form.err,
        ));
    }
    returned.map(|form| {
        view! { <div hidden id=RETURNED_FORM_ID data-path=form.path data-err=form.err></div> }
    })
}

//! What every server function and handler reaches through context: the database, the
//! settings, the payment provider and the payment writer.

use crate::db::Db;
use crate::services::gateway::PaymentGateway;
use crate::services::limits::RequestLimits;
use crate::services::payment_writer::PaymentWriter;
use crate::settings::Settings;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    /// The database, and (through `db.live()`) the announcements of its committed changes.
    pub db: Db,
    pub settings: Arc<Settings>,
    /// Stripe, or the simulated checkout.
    pub checkout: Arc<dyn PaymentGateway>,
    /// Applies Stripe's events in batched transactions.
    pub payments: PaymentWriter,
    /// How often a client or an email may book and start a payment.
    pub limits: Arc<RequestLimits>,
}

/// Who a request comes from, as limits count it (`domain::client::client_key` of the address
/// the server's middleware resolved through the trusted proxies); a request extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientKey(pub String);

/// The client of the request a server function is answering.
pub fn request_client() -> String {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientKey>().cloned())
        .map(|ClientKey(key)| key)
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Where a page render leaves its CSP nonce for the server's layer that writes the header.
#[derive(Debug, Clone, Default)]
pub struct PageNonce(pub std::sync::Arc<std::sync::OnceLock<String>>);

/// A refusal of the current server function: answered with `status` (a 4xx names what was
/// wrong with the request; a 5xx is a fault of ours) and `message` for the person.
pub fn refuse(
    status: axum::http::StatusCode,
    message: impl Into<String>,
) -> leptos::prelude::ServerFnError {
    answer_with(status, None);
    leptos::prelude::ServerFnError::new(message.into())
}

/// Answers the current server function with `status`, and a `Retry-After` when given.
pub fn answer_with(status: axum::http::StatusCode, retry_after_secs: Option<i64>) {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
        if let Some(secs) = retry_after_secs {
            response.insert_header(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(secs.max(1)),
            );
        }
    }
}

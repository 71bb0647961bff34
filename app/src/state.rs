//! What every server function and handler reaches through context: the database, the
//! settings, the payment provider and the payment writer.

use crate::db::Db;
use crate::infra::limits::RequestLimits;
use crate::services::gateway::PaymentGateway;
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

impl AppState {
    /// Counts a request of the current client about `key` (an email, a booking) against the
    /// limits: `Err(wait_ms)` when one is reached.
    pub fn limit(&self, key: &str) -> Result<(), i64> {
        self.limits.check(&request_client(), key)
    }

    /// Sends the browser of a booking just made to its checkout (or to the booking's page,
    /// which says why none could be started).
    pub async fn go_to_checkout(&self, reference: &str) {
        let destination = crate::services::checkout::checkout_or_booking_page(
            &self.db,
            &self.settings,
            self.checkout.as_ref(),
            reference,
        )
        .await;
        leptos_axum::redirect(&destination);
    }
}

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

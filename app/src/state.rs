//! What every server function and handler reaches through context: the database, the
//! settings, the payment provider and the payment writer.

use crate::db::Db;
use crate::services::gateway::CheckoutGateway;
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
    pub checkout: Arc<dyn CheckoutGateway>,
    /// Applies Stripe's events in batched transactions.
    pub payments: PaymentWriter,
}

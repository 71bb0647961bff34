//! What every server function and handler reaches through context: the database and settings.

use crate::checkout::CheckoutGateway;
use crate::db::payment_writer::PaymentWriter;
use crate::db::Db;
use crate::live::LiveHub;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

/// Settings the pages and server functions need, decided by the server's configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The address parents reach, used for links sent to Stripe.
    pub public_base_url: String,
    /// Times are stored in UTC and shown in this zone.
    pub timezone: chrono_tz::Tz,
    /// Payments go through the local simulated checkout instead of Stripe.
    pub simulated_payments: bool,
    /// Cookies get `Secure` (the site is served over https).
    pub secure_cookies: bool,
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub settings: Arc<Settings>,
    pub live: LiveHub,
    /// Stripe, or the simulated checkout.
    pub checkout: Arc<dyn CheckoutGateway>,
    /// Applies Stripe's events in batched transactions.
    pub payments: PaymentWriter,
}

//! Builds the application from a configuration: database, state, router, listener.

use crate::config::{Config, Environment, PaymentMode};
use crate::simulated::{self, Simulator};
use crate::stripe_gateway::StripeGateway;
use crate::webhook::{self, WebhookSettings};
use app::db::Db;
use app::services::gateway::PaymentGateway;
use app::services::payment_writer::PaymentWriter;
use app::settings::Settings;
use app::state::AppState;
use app::{shell, App};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use tokio::net::TcpListener;

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    trusted_proxies: Arc<domain::client::TrustedProxies>,
    max_connections_per_client: usize,
    max_streams_per_connection: u32,
}

/// How long a client may take to send its request headers.
const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// How long shutdown waits for open connections to finish.
const DRAIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Database(#[from] app::db::DbError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("leptos configuration: {0}")]
    Leptos(String),
    #[error("stripe: {0}")]
    Stripe(String),
    #[error("mail: {0}")]
    Mail(String),
    #[error("FAMILY_DATA_KEY: {0}")]
    FamilyKey(String),
}

/// Leptos' own options (output name) with the address and site root from our configuration.
/// A site built with hashed file names has its `hash.txt` in its root: then the pages link the
/// hashed names (Leptos reads the file; its path is absolute, so it is found wherever the
/// binary runs from).
fn leptos_options(config: &Config) -> Result<LeptosOptions, StartError> {
    let mut options = get_configuration(None)
        .map(|c| c.leptos_options)
        .map_err(|e| StartError::Leptos(e.to_string()))?;
    options.site_addr = config.server.site_addr;
    options.site_root = config.server.site_root.to_string_lossy().into();
    match crate::assets::hash_file(&config.server.site_root) {
        Some(path) => {
            options.hash_files = true;
            options.hash_file = path.to_string_lossy().into();
        }
        None => options.hash_files = false,
    }
    Ok(options)
}

impl Application {
    /// Connects and migrates the database, then binds the listener (port 0 picks a free port).
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let db = Db::connect(&config.database.url, &config.database.options()).await?;
        db.migrate().await?;
        if let (Some(email), Some(password)) = (&config.admin.email, &config.admin.password) {
            use secrecy::ExposeSecret;
            if app::services::admins::ensure_admin(&db, email, password.expose_secret())
                .await
                .map_err(app::db::DbError::from)?
            {
                tracing::info!("created the first admin from ADMIN_EMAIL");
            }
        }

        let site_addr = config.server.site_addr;
        let listener = TcpListener::bind(site_addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: site_addr,
                source,
            })?;
        let mut public_base_url = config.server.public_base_url.clone();
        if public_base_url.port() == Some(0) {
            // Bound to port 0 (tests): links must carry the port actually chosen.
            let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
            let _ = public_base_url.set_port(Some(port));
        }

        let settings = Settings {
            public_base_url: public_base_url.as_str().trim_end_matches('/').to_owned(),
            timezone: config.server.business_timezone,
            simulated_payments: config.stripe.mode == PaymentMode::Simulated,
            secure_cookies: config.server.public_base_url.scheme() == "https"
                || config.environment == Environment::Production,
            admin_idle_ms: config.admin.idle.as_millis() as i64,
            hold_policy: config.limits.hold_policy,
            mail: app::settings::MailIdentity {
                from: config.mail.from.clone(),
                business_name: config.mail.business_name.clone(),
                contact: config.mail.contact.clone(),
            },
            cancellation_cutoff_ms: config.server.cancellation_cutoff.as_millis() as i64,
            waitlist_offer_ms: config.server.waitlist_offer.as_millis() as i64,
            reminder_ahead_ms: config.server.reminder_ahead.as_millis() as i64,
            sibling_discount_percent: config.server.sibling_discount_percent,
            promotion_codes: config.stripe.promotion_codes,
            mail_sending: config.mail.sending_to().is_some(),
            mail_send_timeout_ms: config.mail.send_timeout.as_millis() as i64,
            family: app::settings::FamilySettings {
                sign_in_link_ms: config.family.sign_in_link.as_millis() as i64,
                data_key: config.family.key().map_err(StartError::FamilyKey)?,
                retention_months: config.family.retention_months,
            },
        };
        db.listen_for_changes();

        let secrets = webhook_secrets(&config);
        let bound = listener.local_addr().map_err(|source| StartError::Bind {
            addr: site_addr,
            source,
        })?;
        let (checkout, simulator): (Arc<dyn PaymentGateway>, Option<Arc<Simulator>>) =
            match config.stripe.mode {
                PaymentMode::Stripe => {
                    let key = config
                        .stripe
                        .secret_key
                        .as_ref()
                        .ok_or_else(|| StartError::Stripe("no secret key".into()))?;
                    let gateway =
                        StripeGateway::new(key, &config.stripe.api_base, config.stripe.timeout)
                            .map_err(StartError::Stripe)?;
                    (Arc::new(gateway), None)
                }
                PaymentMode::Simulated => {
                    // Events go to this very process, on the address it listens on.
                    let host = if bound.ip().is_unspecified() {
                        "127.0.0.1".to_owned()
                    } else {
                        bound.ip().to_string()
                    };
                    let simulator = Arc::new(Simulator::new(
                        settings.public_base_url.clone(),
                        format!("http://{host}:{}{}", bound.port(), webhook::PATH),
                        secrets[0].clone(),
                        config.stripe.simulated_delay,
                    ));
                    let seeded =
                        simulated::demo::seed_if_empty(&db, config.server.business_timezone)
                            .await
                            .map_err(app::db::DbError::from)?;
                    if seeded > 0 {
                        tracing::info!(seeded, "created demo training sessions");
                    }
                    (simulator.clone(), Some(simulator))
                }
            };

        if let Some(interval) = config.stripe.reconcile_interval {
            app::jobs::reconcile_payments(
                db.clone(),
                checkout.clone(),
                interval,
                config.stripe.reconcile_after,
            );
        }
        let payments = PaymentWriter::start(db.clone(), checkout.mode());
        app::jobs::resume_refunds(db.clone(), checkout.clone());
        let settings = Arc::new(settings);
        app::jobs::offer_waitlist_places(db.clone(), settings.waitlist_offer_ms);
        app::jobs::forget_unconfirmed_waitlist_places(db.clone());
        app::jobs::queue_reminders(db.clone(), settings.reminder_ahead_ms);
        if let Some(months) = settings.family.retention_months {
            app::jobs::erase_past_personal_data(db.clone(), months);
        }
        match config.mail.sending_to() {
            Some(url) => {
                let transport =
                    app::infra::smtp::Smtp::new(url, &settings.mail.from, config.mail.send_timeout)
                        .map_err(StartError::Mail)?;
                app::jobs::send_mail(db.clone(), settings.clone(), Arc::new(transport));
            }
            None if config.mail.disabled => tracing::warn!("mail is disabled (MAIL_DISABLED)"),
            None => tracing::info!("no SMTP_URL: mails are kept in the outbox (admin: Emails)"),
        }
        let state = AppState {
            leptos_options: leptos_options(&config)?,
            db,
            settings,
            checkout,
            payments,
            limits: Arc::new(app::infra::limits::RequestLimits::new(
                config.limits.booking_requests_per_client_per_hour,
                config.limits.booking_requests_per_email_per_hour,
            )),
        };
        let metrics = crate::metrics::Metrics::default();
        let webhook = WebhookSettings {
            secrets: Arc::new(secrets),
            tolerance_secs: config.stripe.webhook_tolerance.as_secs() as i64,
            body_limit: config.limits.webhook_body_limit,
            metrics: metrics.clone(),
        };
        let secure = state.settings.secure_cookies;
        let trusted_proxies = Arc::new(config.server.trusted_proxies.clone());
        // Stripe's deliveries get a router of their own: none of the pages' layers (the
        // admin's login, the cross-origin check, the pages' CSP) has anything to do with them.
        let webhook = webhook::router(webhook).with_state(state.clone());
        let router = crate::http::layered(
            router(state.clone(), simulator).merge(crate::metrics::router(
                metrics,
                config.server.metrics_token.clone(),
            )),
            webhook,
            crate::http::Layers {
                max_in_flight: config.limits.max_in_flight,
                max_in_flight_per_client: config.limits.max_in_flight_per_client,
                body_deadline: config.limits.body_deadline,
                webhook_max_in_flight: config.limits.webhook_max_in_flight,
                timeout: config.limits.request_timeout,
                secure,
                trusted_proxies: trusted_proxies.clone(),
                db: state.db.clone(),
            },
        );
        Ok(Self {
            listener,
            router,
            state,
            trusted_proxies,
            max_connections_per_client: config.limits.max_connections_per_client,
            max_streams_per_connection: config.limits.max_streams_per_connection,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGINT or SIGTERM: stops accepting, finishes in-flight requests, closes the pool.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let db = self.state.db.clone();
        crate::serve::serve(
            self.listener,
            self.router,
            crate::serve::ServeOptions {
                header_read_timeout: HEADER_READ_TIMEOUT,
                first_request_timeout: HEADER_READ_TIMEOUT,
                drain_timeout: DRAIN_TIMEOUT,
                max_connections_per_client: self.max_connections_per_client,
                max_streams_per_connection: self.max_streams_per_connection,
                trusted_proxies: self.trusted_proxies,
            },
            shutdown_signal(),
        )
        .await?;
        db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// The whole HTTP surface, built from a ready state.
pub fn router(state: AppState, simulator: Option<Arc<Simulator>>) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    let files = crate::assets::site_files(std::path::Path::new(leptos_options.site_root.as_ref()));
    // leptos_axum provides each page render a fresh nonce; `shell` puts it in the CSP.
    let mut router = Router::new().merge(crate::health::router());
    if let Some(simulator) = simulator {
        router = router.merge(simulated::checkout::router(simulator));
    }
    router
        .merge(crate::admin::router())
        .merge(crate::calendar::router())
        .merge(crate::family_export::router())
        .leptos_routes_with_context(&state, routes, || {}, move || shell(leptos_options.clone()))
        .fallback(move |state, request| {
            crate::assets::file_or_not_found(files.clone(), state, request)
        })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::admin::require_login,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::admin::refuse_cross_origin,
        ))
        .layer(axum::middleware::from_fn(crate::http::page_csp))
        .with_state(state)
}

/// The configured webhook secrets; simulated payments without one get a fresh random secret,
/// known only to this process, which signs its own events with it.
fn webhook_secrets(config: &Config) -> Vec<secrecy::SecretString> {
    if !config.stripe.webhook_secrets.is_empty() {
        return config.stripe.webhook_secrets.clone();
    }
    let random: [u8; 24] = rand::random();
    vec![secrecy::SecretString::from(format!(
        "whsec_simulated_{}",
        hex::encode(random)
    ))]
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown requested: finishing in-flight requests");
}

//! The application shared by server and browser, in layers (see `docs/ARCHITECTURE.md`):
//!
//! - `db` (server only): the only home of SQL;
//! - `services` (server only): the use cases, which decide with the pure `domain` crate and
//!   write through `db`;
//! - `pages`, `admin`, `components`: what people see, and the server functions behind it,
//!   which parse input, call a use case (or read through `db`) and render; they answer with
//!   `error::AppError`, and `access` (server only) tells who a request comes from.
// A server function takes one argument per form field, and the macro's generated client
// function cannot carry an item-level allow.
#![allow(clippy::too_many_arguments)]
// The admin bookings table's row type nests deeply enough that the release build (which does
// not erase component types) passes the default limit of 128.
#![recursion_limit = "256"]

pub mod admin;
pub mod components;
pub mod error;
pub mod form_return;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod access;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod infra;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod settings;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, Lazy, SsrMode,
};

/// The Content-Security-Policy of a page: scripts only from this site or carrying the page's
/// nonce (Leptos marks its own inline scripts with it), wasm allowed, no framing.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self' https://checkout.stripe.com"
    )
}

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The page's nonce goes to the server's CSP layer, which writes the header from it. (Set
    // through `ResponseOptions`, the header was lost on a few percent of page loads.)
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(slot)) = (
        leptos::nonce::use_nonce(),
        use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<state::PageNonce>().cloned()),
    ) {
        let _ = slot.0.set(nonce.to_string());
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // `/pkg/booking.<hash>.css` when the site is built with hashed names.
                <HashedStylesheet options=options.clone() id="leptos"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run in the browser only, once the page (and any lazy chunk) is hydrated: the mark
    // tells a test that the page is live.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    let returned_form = form_return::provide_returned_form();

    view! {
        {returned_form}
        <Title text="Coaching sessions"/>
        <Router>
            <pages::layout::SiteHeader/>
            <main id="main" class="mx-auto w-full max-w-5xl px-4 py-8">
                <Routes fallback=pages::layout::NotFound>
                    <Route path=path!("/") view=pages::landing::Landing ssr=SsrMode::Async/>
                    <Route path=path!("/book") view=pages::book::BookPage ssr=SsrMode::Async/>
                    <Route path=path!("/book/term/:id") view={Lazy::<pages::routes::BookTermRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/find") view={Lazy::<pages::routes::FindRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/terms") view={Lazy::<pages::routes::TermsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/bookings/:reference") view={Lazy::<pages::routes::BookingRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/bookings/:reference/paid") view={Lazy::<pages::routes::PaidRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/bookings/:reference/cancelled") view={Lazy::<pages::routes::CancelledRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/bookings/:reference/cancel") view={Lazy::<pages::routes::CancelRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/bookings/:reference/cancel-term") view={Lazy::<pages::routes::TermCancelRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/bookings/:reference/move") view={Lazy::<pages::routes::MoveRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/waitlist/join") view={Lazy::<pages::routes::JoinWaitlistRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/waitlist/joined") view={Lazy::<pages::routes::WaitlistJoinedRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/waitlist/:token") view={Lazy::<pages::routes::WaitlistPlaceRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in") view={Lazy::<pages::routes::SignInRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in/:token") view={Lazy::<pages::routes::SignInLinkRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/family") view={Lazy::<pages::routes::FamilyRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/family/address/:token") view={Lazy::<pages::routes::AddressLinkRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/checkout/simulated/:session_id") view={Lazy::<pages::routes::SimulatedCheckoutRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/login") view={Lazy::<admin::routes::LoginRoute>::new()} ssr=SsrMode::Async/>
                    <ParentRoute path=path!("/admin") view={Lazy::<admin::routes::LayoutRoute>::new()} ssr=SsrMode::Async>
                        <Route path=path!("") view={Lazy::<admin::routes::BookingsRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("issues") view={Lazy::<admin::routes::IssuesRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("sessions") view={Lazy::<admin::routes::SessionsRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("sessions/new") view={Lazy::<admin::routes::NewSessionRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("sessions/:id") view={Lazy::<admin::routes::EditSessionRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("terms/new") view={Lazy::<admin::routes::NewTermRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("terms/:id/change") view={Lazy::<admin::routes::ChangeTermRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("terms/:id") view={Lazy::<admin::routes::TermRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("sessions/:id/cancel") view={Lazy::<admin::routes::CancelSessionRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("sessions/:id/roster") view={Lazy::<admin::routes::RosterRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("sessions/:id/message") view={Lazy::<admin::routes::MessageRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("emails") view={Lazy::<admin::routes::EmailsRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("bookings/new") view={Lazy::<admin::routes::ManualBookingRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("bookings/:id/confirm") view={Lazy::<admin::routes::ConfirmMoneyRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("bookings/:id") view={Lazy::<admin::routes::BookingDetailRoute>::new()} ssr=SsrMode::Async/>
                    </ParentRoute>
                </Routes>
            </main>
        </Router>
    }
}

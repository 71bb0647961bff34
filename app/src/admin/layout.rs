//! The frame of every admin page: navigation, who is logged in, the simulated-payments banner,
//! and the live connection that tells open pages when a booking changed.

use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminIdentity {
    pub email: String,
    pub simulated_payments: bool,
}

#[server(endpoint = "admin/context")]
pub async fn admin_context() -> Result<AdminIdentity, ServerFnError> {
    let admin = super::require_admin().await?;
    let state = expect_context::<crate::state::AppState>();
    Ok(AdminIdentity {
        email: admin.email,
        simulated_payments: state.settings.simulated_payments,
    })
}

#[server(endpoint = "admin/logout")]
pub async fn logout() -> Result<(), ServerFnError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    if let Some(parts) = use_context::<axum::http::request::Parts>() {
        if let Some(token) = super::session::request_token(&parts.headers) {
            crate::services::admins::logout(&state.db, &token)
                .await
                .map_err(super::internal)?;
        }
    }
    let response = expect_context::<leptos_axum::ResponseOptions>();
    if let Ok(cookie) = axum::http::HeaderValue::from_str(&super::session::session_cookie(
        None,
        state.settings.secure_cookies,
    )) {
        response.append_header(axum::http::header::SET_COOKIE, cookie);
    }
    leptos_axum::redirect("/admin/login");
    Ok(())
}

/// Bumped whenever the server says a booking changed; admin pages refetch on it.
#[derive(Debug, Clone, Copy)]
pub struct LiveVersion(pub ReadSignal<u64>);

/// Opens the live connection (in the browser only) and bumps the version on each message.
fn connect_live(set_version: WriteSignal<u64>) {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::{closure::Closure, JsCast};
            let Ok(source) = web_sys::EventSource::new("/api/admin/live") else {
                return;
            };
            let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |_event: web_sys::MessageEvent| set_version.update(|v| *v += 1),
            );
            let _ = source
                .add_event_listener_with_callback("booking", on_message.as_ref().unchecked_ref());
            on_message.forget();
            let source = send_wrapper::SendWrapper::new(source);
            on_cleanup(move || source.close());
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = set_version;
    });
}

const NAV_LINK: &str = "rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100 aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-800";

#[component]
pub fn AdminLayout() -> impl IntoView {
    let context = Resource::new(|| (), |_| admin_context());
    let (version, set_version) = signal(0u64);
    provide_context(LiveVersion(version));
    connect_live(set_version);
    let logout = ServerAction::<Logout>::new();

    view! {
        <div class="space-y-4" data-testid="admin-layout">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    context.await.ok().map(|c| view! {
                        {c.simulated_payments.then(|| view! {
                            <p class="rounded-lg border border-amber-300 bg-amber-100 p-3 font-medium text-amber-900 print:hidden" role="status" data-testid="simulated-banner">
                                "Simulated payments: no real money moves. Set STRIPE_SECRET_KEY to take real payments."
                            </p>
                        })}
                        <div class="flex flex-wrap items-center justify-between gap-2 print:hidden">
                            <nav class="flex flex-wrap gap-1" aria-label="Admin">
                                <A href="/admin" exact=true attr:class=NAV_LINK>"Bookings"</A>
                                <A href="/admin/issues" attr:class=NAV_LINK>"Payment issues"</A>
                                <A href="/admin/sessions" attr:class=NAV_LINK>"Sessions"</A>
                                <A href="/admin/bookings/new" attr:class=NAV_LINK>"Manual booking"</A>
                                <A href="/admin/emails" attr:class=NAV_LINK>"Emails"</A>
                            </nav>
                            <div class="flex items-center gap-3 text-sm text-slate-600">
                                <span>{c.email}</span>
                                <ActionForm action=logout>
                                    <button type="submit" class="rounded-md border border-slate-300 px-3 py-1.5 font-medium hover:bg-slate-100">"Log out"</button>
                                </ActionForm>
                            </div>
                        </div>
                    })
                })}
            </Suspense>
            <Outlet/>
        </div>
    }
}

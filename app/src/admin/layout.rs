//! The frame of every admin page: navigation, who is logged in, the simulated-payments banner,
//! and the live connection that tells open pages when a booking changed.

use crate::components::live::{connect_live, LiveVersion};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminIdentity {
    pub email: String,
    pub simulated_payments: bool,
}

#[server(endpoint = "admin/context")]
pub async fn admin_context() -> Result<AdminIdentity, AppError> {
    let admin = crate::access::require_admin().await?;
    let state = expect_context::<crate::state::AppState>();
    Ok(AdminIdentity {
        email: admin.email,
        simulated_payments: state.settings.simulated_payments,
    })
}

#[server(endpoint = "admin/logout")]
pub async fn admin_logout() -> Result<(), AppError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    if let Some(parts) = use_context::<axum::http::request::Parts>() {
        if let Some(token) = crate::access::request_token(&parts.headers) {
            crate::services::admins::logout(&state.db, &token).await?;
        }
    }
    let response = expect_context::<leptos_axum::ResponseOptions>();
    if let Ok(cookie) = axum::http::HeaderValue::from_str(&crate::access::login_cookie(
        None,
        state.settings.secure_cookies,
    )) {
        response.append_header(axum::http::header::SET_COOKIE, cookie);
    }
    leptos_axum::redirect("/admin/login");
    Ok(())
}

const NAV_LINK: &str = "rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100 aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-800";

/// The admin's pages, in the menu's order.
#[component]
fn AdminLinks() -> impl IntoView {
    view! {
        <A href="/admin" exact=true attr:class=NAV_LINK>"Bookings"</A>
        <A href="/admin/issues" attr:class=NAV_LINK>"Payment issues"</A>
        <A href="/admin/sessions" attr:class=NAV_LINK>"Sessions"</A>
        <A href="/admin/bookings/new" attr:class=NAV_LINK>"Manual booking"</A>
        <A href="/admin/emails" attr:class=NAV_LINK>"Emails"</A>
    }
}

#[component]
pub fn AdminLayout() -> impl IntoView {
    let context = Resource::new(|| (), |_| admin_context());
    let (version, set_version) = signal(0u64);
    provide_context(LiveVersion(version));
    connect_live(set_version);
    let logout = ServerAction::<AdminLogout>::new();
    // The phone's menu folds again on each new page.
    let pathname = leptos_router::hooks::use_location().pathname;
    let menu = NodeRef::<leptos::html::Details>::new();
    Effect::new(move |_| {
        pathname.track();
        if let Some(menu) = menu.get_untracked() {
            let _ = menu.remove_attribute("open");
        }
    });

    view! {
        <div class="space-y-3 md:space-y-4" data-testid="admin-layout">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    context.await.ok().map(|c| view! {
                        {c.simulated_payments.then(|| view! {
                            <p class="rounded-lg border border-amber-300 bg-amber-100 px-3 py-1.5 text-sm font-medium text-amber-900 sm:p-3 sm:text-base print:hidden" role="status" data-testid="simulated-banner">
                                "Simulated payments: no real money moves."
                                <span class="hidden sm:inline">" Set STRIPE_SECRET_KEY to take real payments."</span>
                            </p>
                        })}
                        // On a phone: one line, the links behind "Menu" (a native disclosure,
                        // so it opens without JavaScript too).
                        <details node_ref=menu class="rounded-lg border border-slate-200 bg-white md:hidden print:hidden" data-testid="admin-menu">
                            <summary class="flex cursor-pointer items-center justify-between px-3 py-2 text-sm font-medium text-slate-800">
                                <span>"Menu"</span>
                                <span class="truncate pl-3 font-normal text-slate-600">{c.email.clone()}</span>
                            </summary>
                            <nav class="flex flex-col border-t border-slate-200 p-1" aria-label="Admin (phone)">
                                <AdminLinks/>
                                <ActionForm action=logout>
                                    <button type="submit" class=format!("{NAV_LINK} w-full text-left")>"Log out"</button>
                                </ActionForm>
                            </nav>
                        </details>
                        <div class="hidden flex-wrap items-center justify-between gap-2 md:flex print:hidden">
                            <nav class="flex flex-wrap gap-1" aria-label="Admin">
                                <AdminLinks/>
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

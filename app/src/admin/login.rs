//! The admin login page.

use crate::components::form::{TextField, BUTTON_CLASS};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Only paths of this site are followed after login (never another origin).
#[cfg(feature = "ssr")]
fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with("/admin") && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/admin".to_owned())
}

#[server(endpoint = "admin/login")]
pub async fn admin_login(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::state::{request_client, AppState};
    let state = expect_context::<AppState>();
    let token =
        crate::services::admins::login(&state.db, &email, &password, &request_client()).await?;
    let response = expect_context::<leptos_axum::ResponseOptions>();
    let cookie = crate::access::login_cookie(Some(&token), state.settings.secure_cookies);
    if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
        response.append_header(axum::http::header::SET_COOKIE, value);
    }
    tracing::info!("admin logged in");
    leptos_axum::redirect(&safe_next(next));
    Ok(())
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<AdminLogin>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = Signal::derive(move || match action.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    });
    let no_error = Signal::derive(|| None::<String>);
    view! {
        <section class="mx-auto max-w-sm">
            <h1 class="text-2xl font-bold">"Admin login"</h1>
            {move || error.get().map(|e| view! {
                <p class="mt-4 rounded-lg bg-red-50 p-3 text-red-800" role="alert" data-testid="login-error">{e}</p>
            })}
            <ActionForm action=action attr:class="mt-6 space-y-4 rounded-2xl bg-white p-6 shadow-sm">
                <input type="hidden" name="next" value=next/>
                <TextField name="email" label="Email" kind="email" value=Signal::derive(String::new) error=no_error autocomplete="username"/>
                <TextField name="password" label="Password" kind="password" value=Signal::derive(String::new) error=no_error autocomplete="current-password"/>
                <button type="submit" class=BUTTON_CLASS disabled=move || action.pending().get()>"Log in"</button>
            </ActionForm>
        </section>
    }
}

//! A family signs in without a password: its address gets a link (`/sign-in`), and the link's
//! page (`/sign-in/{token}`) opens the family's login with a "Continue" button (a POST: a mail
//! scanner fetching the link does not spend it). The page that confirms a family's new address
//! (`/family/address/{token}`) works the same way. A used or expired link says so, with a way
//! to ask for a new one.

use crate::components::form::{TextField, BUTTON_CLASS};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// What the page says after any valid request, whatever the address.
pub const SENT: &str = "If that address is right, a sign-in link is on its way to it. Check your inbox (and the spam folder) in a minute. The link works once.";

#[server(endpoint = "family/sign-in")]
pub async fn request_sign_in_link(email: String) -> Result<(), AppError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let email = email.trim().to_lowercase();
    if !domain::booking_form::is_plausible_email(&email) || email.len() > 254 {
        return Err(AppError::unprocessable(
            "Enter your email address, like name@example.com.",
        ));
    }
    state
        .limit(&format!("sign-in:{email}"))
        .map_err(|wait_ms| {
            AppError::too_many(wait_ms, |wait| {
                format!("Too many sign-in requests. Please try again in {wait}.")
            })
        })?;
    crate::services::families::mail_sign_in_link(&state.db, &state.settings, &email).await?;
    leptos_axum::redirect("/sign-in?sent=1");
    Ok(())
}

/// Why the link of `token` would not open (`None`: it would), without spending it.
#[server(endpoint = "family/link")]
pub async fn sign_in_link_status(token: String, address: bool) -> Result<Option<String>, AppError> {
    use domain::family::LinkPurpose;
    let state = expect_context::<crate::state::AppState>();
    let purpose = if address {
        LinkPurpose::AddressChange
    } else {
        LinkPurpose::SignIn
    };
    Ok(
        crate::services::families::link_refusal(&state.db, &token, purpose)
            .await?
            .map(|refusal| refusal.sentence().to_owned()),
    )
}

#[server(endpoint = "family/open")]
pub async fn open_sign_in_link(token: String) -> Result<(), AppError> {
    let state = expect_context::<crate::state::AppState>();
    let login = crate::services::families::sign_in(&state.db, &token).await?;
    crate::access::set_family_cookie(Some(&login), state.settings.secure_cookies);
    leptos_axum::redirect("/family");
    Ok(())
}

#[server(endpoint = "family/address/confirm")]
pub async fn confirm_new_address(token: String) -> Result<(), AppError> {
    let state = expect_context::<crate::state::AppState>();
    crate::services::families::confirm_address(&state.db, &token).await?;
    leptos_axum::redirect("/family?address=changed");
    Ok(())
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<RequestSignInLink>::new();
    let query = use_query_map();
    let notice = move || {
        let q = query.read();
        if q.get("sent").is_some() || action.value().get().is_some_and(|r| r.is_ok()) {
            Some(SENT)
        } else if q.get("signed_out").is_some() {
            Some("You are signed out.")
        } else if q.get("erased").is_some() {
            Some("Your family's data is erased, and you are signed out.")
        } else {
            None
        }
    };
    let no_error = Signal::derive(|| None::<String>);
    view! {
        <section class="mx-auto max-w-md">
            <h1 class="text-2xl font-bold">"Sign in"</h1>
            <p class="mt-2 text-slate-700">"Type the email address you book with: we send it a link that signs you in to your family's page, with your bookings and your athletes. No password."</p>
            {move || notice().map(|message| view! {
                <p class="mt-4 rounded-lg bg-green-50 p-4 text-green-900" role="status" data-testid="sign-in-sent">{message}</p>
            })}
            <ActionForm action=action attr:class="mt-6 space-y-4 rounded-2xl bg-white p-6 shadow-sm">
                <TextField name="email" label="Email" kind="email" value=Signal::derive(String::new) error=no_error autocomplete="email"/>
                <button type="submit" class=BUTTON_CLASS disabled=move || action.pending().get()>"Email me a sign-in link"</button>
            </ActionForm>
            {move || action.value().get().and_then(|r| r.err()).map(|e| view! {
                <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p>
            })}
        </section>
    }
}

/// The page of a mailed link: `address` for an address change's, else a sign-in link's.
#[component]
fn LinkPage(address: bool) -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let open = ServerAction::<OpenSignInLink>::new();
    let confirm = ServerAction::<ConfirmNewAddress>::new();
    let status = Resource::new(
        move || (token(), open.version().get(), confirm.version().get()),
        move |(token, _, _)| sign_in_link_status(token, address),
    );
    let failed = move || {
        open.value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| confirm.value().get().and_then(|r| r.err()))
            .map(|e| e.to_string())
    };
    let (title, ask_again, button) = if address {
        (
            "Confirm your new address",
            "/family",
            "Confirm this address",
        )
    } else {
        ("Sign in", "/sign-in", "Continue")
    };
    view! {
        <section class="mx-auto max-w-md">
            <h1 class="text-2xl font-bold">{title}</h1>
            {move || failed().map(|e| view! {
                <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e}</p>
            })}
            <Suspense fallback=|| view! { <p class="text-slate-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Err(e) => view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(Some(refusal)) => view! {
                            <div class="mt-4 rounded-2xl bg-amber-50 p-5 text-amber-950" role="status" data-testid="link-refused">
                                <p class="font-semibold">{refusal}</p>
                                <p class="mt-2">
                                    <a href=ask_again class="text-indigo-700 underline">
                                        {if address { "Ask for a new link from your family page" } else { "Ask for a new sign-in link" }}
                                    </a>
                                </p>
                            </div>
                        }.into_any(),
                        Ok(None) => {
                            let token = token();
                            if address {
                                view! {
                                    <p class="mt-2 text-slate-700">"Your family's bookings and athletes move to this address when you confirm."</p>
                                    <ActionForm action=confirm attr:class="mt-6">
                                        <input type="hidden" name="token" value=token/>
                                        <button type="submit" class=BUTTON_CLASS data-testid="link-continue">{button}</button>
                                    </ActionForm>
                                }.into_any()
                            } else {
                                view! {
                                    <p class="mt-2 text-slate-700">"Continue to your family's page: your bookings and your athletes."</p>
                                    <ActionForm action=open attr:class="mt-6">
                                        <input type="hidden" name="token" value=token/>
                                        <button type="submit" class=BUTTON_CLASS data-testid="link-continue">{button}</button>
                                    </ActionForm>
                                }.into_any()
                            }
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// `/sign-in/{token}`.
#[component]
pub fn SignInLinkPage() -> impl IntoView {
    view! { <LinkPage address=false/> }
}

/// `/family/address/{token}`.
#[component]
pub fn AddressLinkPage() -> impl IntoView {
    view! { <LinkPage address=true/> }
}

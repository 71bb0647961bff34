//! A form posted without JavaScript that came back refused: the server keeps its error out of
//! the page's address (see the server's `form_return` layer) and hands it to the render, which
//! gives it to the page's actions and leaves a copy for the browser.

use leptos::prelude::*;

/// A form posted without JavaScript that came back refused: the server function's path and
/// its encoded error. The server keeps it out of the page's address (see the server's
/// `form_return` layer) and hands it to the render as a request extension; the page carries
/// it in a hidden element so the browser, once it takes over, shows the same form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnedForm {
    pub path: String,
    pub err: String,
}

const RETURNED_FORM_ID: &str = "form-return";

/// Provides the returned form (if any) to the page's actions, and renders its hidden carrier.
pub fn provide_returned_form() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let returned = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ReturnedForm>().cloned());
    #[cfg(not(feature = "ssr"))]
    let returned = document()
        .get_element_by_id(RETURNED_FORM_ID)
        .and_then(|element| {
            Some(ReturnedForm {
                path: element.get_attribute("data-path")?,
                err: element.get_attribute("data-err")?,
            })
        });
    if let Some(form) = &returned {
        provide_context(leptos::server::ServerActionError::new(
            &form.path, &form.err,
        ));
    }
    returned.map(|form| {
        view! { <div hidden id=RETURNED_FORM_ID data-path=form.path data-err=form.err></div> }
    })
}

/// The cookie that carries a kept form's token; under https it takes the `__Host-` prefix
/// (Secure, this host only, path `/`), so no other site of the domain can set or read it.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-form_return"
    } else {
        "form_return"
    }
}

/// Long enough to follow the redirect; short enough that nothing lingers.
pub const COOKIE_LIFETIME_SECS: u32 = 60;

/// The `Set-Cookie` value that hands the browser `token` (or, with `None`, takes it back).
pub fn cookie(token: Option<&str>, secure: bool) -> String {
    let name = cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(token) => format!(
            "{name}={token}; Path=/; Max-Age={COOKIE_LIFETIME_SECS}; HttpOnly; SameSite=Lax{secure}"
        ),
        None => format!("{name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"),
    }
}

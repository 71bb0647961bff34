//! What the sessions page says once, after a save, a cancel or a new term: carried across the
//! redirect in a short-lived cookie (so it works without JavaScript), read once and cleared.

const COOKIE: &str = "session_notice";

/// Leaves `what` ("saved", "term.N", "cancelled.N.M" or "madeup.N.M") for the sessions page.
pub fn set(state: &crate::state::AppState, what: &str) {
    put(state, &format!("{COOKIE}={what}; Max-Age=60"));
}

fn put(state: &crate::state::AppState, cookie: &str) {
    let secure = if state.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let response = leptos::prelude::expect_context::<leptos_axum::ResponseOptions>();
    if let Ok(value) = axum::http::HeaderValue::from_str(&format!(
        "{cookie}; Path=/; HttpOnly; SameSite=Lax{secure}"
    )) {
        response.append_header(axum::http::header::SET_COOKIE, value);
    }
}

/// The notice left for this request, in words, cleared as it is read.
pub fn take(state: &crate::state::AppState) -> Option<String> {
    let parts = leptos::prelude::use_context::<axum::http::request::Parts>()?;
    let value = parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|h| h.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == COOKIE && !value.is_empty()).then(|| value.to_owned())
        })?;
    put(state, &format!("{COOKIE}=; Max-Age=0"));
    words(&value)
}

fn words(value: &str) -> Option<String> {
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match value.split('.').collect::<Vec<_>>().as_slice() {
        ["saved"] => Some("Session saved.".to_owned()),
        ["term", sessions] => {
            let sessions = sessions.parse().ok()?;
            Some(format!(
                "Term saved: {} made.",
                plural(sessions, "session", "sessions")
            ))
        }
        ["madeup", moved, refunds] => {
            let moved = moved.parse().ok()?;
            let refunds = refunds.parse().ok()?;
            Some(format!(
                "Session cancelled: {} moved to the make-up session, {} sent.",
                plural(moved, "booking", "bookings"),
                plural(refunds, "refund", "refunds")
            ))
        }
        ["cancelled", bookings, refunds] => {
            let bookings = bookings.parse().ok()?;
            let refunds = refunds.parse().ok()?;
            Some(format!(
                "Session cancelled: {} cancelled, {} sent.",
                plural(bookings, "booking", "bookings"),
                plural(refunds, "refund", "refunds")
            ))
        }
        _ => None,
    }
}

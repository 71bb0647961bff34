//! A term booking's page offers to cancel the family's whole term: what it takes (every child,
//! every session to come), what comes back, and until when it can be done online.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What cancelling the whole term would do, as the booking's page and the confirmation say it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermCancelOffer {
    pub reference: String,
    pub term_title: String,
    /// How many sessions, and for whom ("Alex and Sam").
    pub sessions: usize,
    pub children: String,
    /// What is refunded ("£270.00"), when anything was paid.
    pub refund: Option<String>,
    /// Until when it can be done online (written out); `None`: no longer online.
    pub until: Option<String>,
}

/// The offer for the booking `reference`, if it is part of a term with sessions still to come.
#[cfg(feature = "ssr")]
pub async fn offer(
    state: &crate::state::AppState,
    reference: &str,
) -> Result<Option<TermCancelOffer>, sqlx::Error> {
    use crate::services::term_families::{of_booking, parent_may_cancel_term};
    let Some(part) = of_booking(&state.db, reference).await? else {
        return Ok(None);
    };
    let now = crate::db::now_ms();
    let open = parent_may_cancel_term(&part, &state.settings, now).is_ok();
    let cutoff = domain::booking::cancellation_cutoff(
        state.settings.cancellation_cutoff_ms,
        part.bookings[0].schedule_changes,
    );
    let mut names = part.children.clone();
    let children = match names.pop() {
        Some(last) if !names.is_empty() => format!("{} and {last}", names.join(", ")),
        Some(only) => only,
        None => String::new(),
    };
    Ok(Some(TermCancelOffer {
        reference: reference.to_owned(),
        sessions: part.sessions(),
        children,
        refund: (part.refund > 0)
            .then(|| domain::Money::new(part.refund, part.currency.clone()).to_string()),
        until: open.then(|| {
            domain::schedule::when(part.first_starts_at - cutoff, state.settings.timezone)
        }),
        term_title: part.term_title,
    }))
}

/// The line on a term booking's page: the link to cancel the whole term while it can be done
/// online.
#[component]
pub fn TermCancelLink(offer: TermCancelOffer) -> impl IntoView {
    offer.until.clone().map(|until| {
        view! {
            <p class="mt-2 text-sm text-slate-700" data-testid="term-cancel-offer">
                {format!("This booking is part of the term {}. ", offer.term_title)}
                <a href=format!("/bookings/{}/cancel-term", offer.reference) class="text-red-700 underline" data-testid="cancel-term-link">
                    {format!("Cancel the whole term ({} sessions)", offer.sessions)}
                </a>
                {format!(" until {until}.")}
            </p>
        }
    })
}

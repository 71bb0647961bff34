//! Terms as parents see them (issue 23): what each is (its weekday and time, its dates, its
//! place), its price for the whole term and the places left in it (the fewest of its sessions),
//! and the way to book it. The booking page lists them; the term's own booking page shows one.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A term open for booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermOffer {
    pub id: i64,
    pub title: String,
    /// "Tuesdays at 17:00 (60 min)".
    pub schedule: String,
    /// Each session's date, in order ("Tue 6 Jan").
    pub dates: Vec<String>,
    pub location: String,
    /// The whole term's price, per athlete.
    pub price: String,
    pub places_left: i64,
}

/// Term `id` as offered, `None` when it cannot be booked (cancelled, started, or no session).
#[cfg(feature = "ssr")]
pub async fn offer(
    db: &crate::db::Db,
    tz: chrono_tz::Tz,
    id: i64,
) -> Result<Option<TermOffer>, sqlx::Error> {
    let Some(price) = crate::db::terms::price_now(db, id).await? else {
        return Ok(None);
    };
    let sessions: Vec<_> = crate::db::sessions::of_term(db, id)
        .await?
        .into_iter()
        .filter(|s| s.cancelled_at.is_none())
        .collect();
    let now = crate::db::now_ms();
    let Some(first) = sessions.first() else {
        return Ok(None);
    };
    if price.cancelled_at.is_some() || first.starts_at <= now {
        return Ok(None);
    }
    let local = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .with_timezone(&tz)
    };
    let start = local(first.starts_at);
    Ok(Some(TermOffer {
        id,
        schedule: format!(
            "{}s at {} ({} min)",
            start.format("%A"),
            start.format("%H:%M"),
            first.duration_minutes
        ),
        dates: sessions
            .iter()
            .map(|s| local(s.starts_at).format("%a %-d %b").to_string())
            .collect(),
        location: first.location.clone(),
        price: domain::Money::new(price.price_amount, price.currency).to_string(),
        places_left: sessions.iter().map(|s| s.places_left()).min().unwrap_or(0),
        title: price.title,
    }))
}

/// The terms parents can book now.
#[server(endpoint = "terms/open")]
pub async fn open_terms() -> Result<Vec<TermOffer>, AppError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let mut offers = Vec::new();
    for id in crate::db::terms::open(&state.db, crate::db::now_ms()).await? {
        if let Some(offer) = offer(&state.db, state.settings.timezone, id).await? {
            offers.push(offer);
        }
    }
    Ok(offers)
}

fn places_text(left: i64) -> String {
    match left {
        0 => "Full".to_owned(),
        1 => "1 place left".to_owned(),
        n => format!("{n} places left"),
    }
}

/// What a term is, in a few lines (the list's cards and the term's booking page).
#[component]
pub fn TermFacts(term: TermOffer) -> impl IntoView {
    let count = term.dates.len();
    view! {
        <p class="text-slate-800">{term.schedule.clone()} " · " {term.location.clone()}</p>
        <p class="text-sm text-slate-700" data-testid="term-dates">
            {format!("{count} session{}: {}", if count == 1 { "" } else { "s" }, term.dates.join(", "))}
        </p>
        <p class="mt-1 font-semibold">
            <span data-testid="term-price">{format!("{} for the whole term", term.price)}</span>
            " · " {places_text(term.places_left)}
        </p>
    }
}

/// The terms open for booking, each with its "Book the term" link (or, full, its waitlist's);
/// nothing when there are none.
#[component]
pub fn TermList(terms: Resource<Result<Vec<TermOffer>, AppError>>) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = terms.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <section class="mt-6" aria-labelledby="terms-heading">
                        <h2 id="terms-heading" class="text-xl font-semibold">"Book a whole term"</h2>
                        <ul class="mt-2 space-y-3">
                            {list.into_iter().map(|term| {
                                let href = format!("/book/term/{}", term.id);
                                let wait = format!("/waitlist/join?term={}", term.id);
                                let full = term.places_left == 0;
                                view! {
                                    <li class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-term-id=term.id>
                                        <h3 class="font-semibold">{term.title.clone()}</h3>
                                        <TermFacts term=term.clone()/>
                                        {if full {
                                            view! { <a class="mt-2 inline-block py-1 font-semibold text-indigo-700 underline" href=wait>"Join the waitlist"</a> }.into_any()
                                        } else {
                                            view! { <a class="mt-2 inline-block py-1 font-semibold text-indigo-700 underline" href=href>"Book the term"</a> }.into_any()
                                        }}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Suspense>
    }
}

//! The family's page (`/family`, signed in only: otherwise to `/sign-in`): every booking of its
//! address, upcoming and past, with both tags and the link to each booking's own page; the
//! athletes it keeps (medical notes shown to the family only); its address, its data to take
//! away or erase; signing out.

use crate::components::feed_link::FamilyFeedLink;
use crate::components::form::{BUTTON_CLASS, INPUT_CLASS, SECONDARY_BUTTON_CLASS};
use crate::components::tag::{AttendanceTag, HeadlineTag};
use crate::error::AppError;
use domain::payment_progress::MoneyTagWord;
use domain::AttendanceStatus;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyBooking {
    pub reference: String,
    pub session_title: String,
    pub when: String,
    pub athlete_name: String,
    /// The money tag, as the booking's own page shows it.
    pub money: Option<MoneyTagWord>,
    pub settled: Option<String>,
    pub attendance: AttendanceStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AthleteView {
    pub id: i64,
    pub name: String,
    pub date_of_birth: String,
    pub emergency_name: String,
    pub emergency_phone: String,
    pub medical_notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyView {
    pub email: String,
    pub upcoming: Vec<FamilyBooking>,
    pub past: Vec<FamilyBooking>,
    pub athletes: Vec<AthleteView>,
}

/// The signed-in family's page; `None` when no family is signed in.
#[server(endpoint = "family/view")]
pub async fn family_overview() -> Result<Option<FamilyView>, AppError> {
    use domain::payment_progress::{Headline, PageFacts, Visit};
    use domain::PaymentProgress;
    let state = expect_context::<crate::state::AppState>();
    let Some(family) = (match use_context::<axum::http::request::Parts>() {
        Some(parts) => crate::access::request_family(&state.db, &parts.headers).await?,
        None => None,
    }) else {
        // A page load answers with the redirect itself (a browser without JavaScript too).
        leptos_axum::redirect("/sign-in");
        return Ok(None);
    };
    let now = crate::db::now_ms();
    let (mut upcoming, mut past) = (Vec::new(), Vec::new());
    for b in crate::db::families::bookings_of(&state.db, &family.email).await? {
        let last_failure = crate::db::payment_logs::last_failure(&state.db, b.id).await?;
        let refund_on_its_way = crate::db::refunds::of_booking(&state.db, b.id)
            .await?
            .iter()
            .any(|r| r.status.on_its_way());
        let progress = PaymentProgress {
            payment_status: b.payment_status,
            attendance_status: b.attendance_status,
            awaited: PaymentProgress::is_awaited(
                b.payment_awaited_at,
                last_failure.as_ref().map(|f| f.created_at),
            ),
            in_flight: PaymentProgress::is_in_flight(
                b.payment_status,
                b.stripe_checkout_session_id.is_some(),
                b.stripe_checkout_expires_at,
                now,
            ),
            source: b.source,
        };
        let facts = PageFacts {
            session_cancelled: b.session_cancelled_at.is_some(),
            hold_over: b.held_until <= now,
            refund_on_its_way,
        };
        let ends_at = b.session_starts_at + b.session_duration_minutes * 60_000;
        let row = FamilyBooking {
            when: domain::schedule::when(b.session_starts_at, state.settings.timezone),
            money: Headline::of(&progress, Visit::Details, facts).money_tag(&progress, facts),
            settled: (b.source == domain::BookingSource::Manual)
                .then(|| domain::ManualPayment::label_of(b.manual_payment.as_deref()).to_owned()),
            attendance: b.attendance_status,
            reference: b.reference,
            session_title: b.session_title,
            athlete_name: b.athlete_name,
        };
        if ends_at > now {
            upcoming.push(row);
        } else {
            past.push(row);
        }
    }
    // Upcoming: the next first; past: the latest first.
    upcoming.reverse();
    let athletes = crate::services::family_data::athletes(
        &state.db,
        &state.settings.family.data_key,
        family.id,
    )
    .await?
    .into_iter()
    .map(|a| AthleteView {
        id: a.id,
        name: a.name,
        date_of_birth: a.date_of_birth.unwrap_or_default(),
        emergency_name: a.emergency_name.unwrap_or_default(),
        emergency_phone: a.emergency_phone.unwrap_or_default(),
        medical_notes: a.medical_notes.unwrap_or_default(),
    })
    .collect();
    Ok(Some(FamilyView {
        email: family.email,
        upcoming,
        past,
        athletes,
    }))
}

/// Adds an athlete (no `id`) or rewrites one of the family's.
#[server(endpoint = "family/athletes/save")]
pub async fn save_athlete(
    id: Option<i64>,
    name: String,
    date_of_birth: String,
    emergency_name: String,
    emergency_phone: String,
    medical_notes: String,
) -> Result<(), AppError> {
    use crate::services::family_data::{add_athlete, update_athlete};
    let family = crate::access::require_family().await?;
    let state = expect_context::<crate::state::AppState>();
    let today = chrono::Utc::now()
        .with_timezone(&state.settings.timezone)
        .format("%Y-%m-%d")
        .to_string();
    let profile = domain::family::AthleteForm {
        name,
        date_of_birth,
        emergency_name,
        emergency_phone,
        medical_notes,
    }
    .validate(&today)
    .map_err(AppError::unprocessable)?;
    let key = &state.settings.family.data_key;
    match id {
        Some(id) => update_athlete(&state.db, key, family.id, id, &profile).await?,
        None => {
            add_athlete(&state.db, key, family.id, &profile).await?;
        }
    }
    leptos_axum::redirect("/family#athletes");
    Ok(())
}

/// Opens the booking form filled for the family's athlete `id`: the family's details and the
/// athlete's, without retyping.
#[server(endpoint = "family/athletes/book")]
pub async fn book_my_athlete(id: i64) -> Result<(), AppError> {
    let family = crate::access::require_family().await?;
    let state = expect_context::<crate::state::AppState>();
    let values = crate::services::rebook::from_athlete(&state.db, &family, id)
        .await?
        .ok_or_else(|| AppError::not_found("That athlete is not one of your family's."))?;
    crate::components::booking_fields::fill_booking_form("/book", values).await
}

#[server(endpoint = "family/athletes/remove")]
pub async fn delete_athlete(id: i64) -> Result<(), AppError> {
    let family = crate::access::require_family().await?;
    let state = expect_context::<crate::state::AppState>();
    crate::services::family_data::remove_athlete(&state.db, family.id, id).await?;
    leptos_axum::redirect("/family#athletes");
    Ok(())
}

#[server(endpoint = "family/address")]
pub async fn change_family_address(new_email: String) -> Result<(), AppError> {
    let family = crate::access::require_family().await?;
    let state = expect_context::<crate::state::AppState>();
    let new_email = new_email.trim().to_lowercase();
    if !domain::booking_form::is_plausible_email(&new_email) || new_email.len() > 254 {
        return Err(AppError::unprocessable(
            "New address: enter an email address, like name@example.com.",
        ));
    }
    if new_email == family.email {
        return Err(AppError::unprocessable(
            "New address: this is already your family's address.",
        ));
    }
    state
        .limit(&format!("sign-in:{new_email}"))
        .map_err(|wait_ms| {
            AppError::too_many(wait_ms, |wait| {
                format!("Too many requests. Please try again in {wait}.")
            })
        })?;
    crate::services::families::ask_address_change(&state.db, family.id, &new_email).await?;
    leptos_axum::redirect("/family?address=sent");
    Ok(())
}

#[server(endpoint = "family/sign-out")]
pub async fn sign_out_family() -> Result<(), AppError> {
    let state = expect_context::<crate::state::AppState>();
    if let Some(token) = use_context::<axum::http::request::Parts>()
        .and_then(|parts| crate::access::family_token(&parts.headers))
    {
        crate::services::families::sign_out(&state.db, &token).await?;
    }
    crate::access::set_family_cookie(None, state.settings.secure_cookies);
    leptos_axum::redirect("/sign-in?signed_out=1");
    Ok(())
}

/// Erases the family's data (`confirm` must be ticked) and signs it out.
#[server(endpoint = "family/erase")]
pub async fn erase_family_data(confirm: Option<String>) -> Result<(), AppError> {
    let family = crate::access::require_family().await?;
    let state = expect_context::<crate::state::AppState>();
    if confirm.as_deref() != Some("yes") {
        return Err(AppError::unprocessable(
            "Tick the box to confirm that everything is to be erased.",
        ));
    }
    crate::services::family_data::erase(&state.db, &family.email).await?;
    crate::access::set_family_cookie(None, state.settings.secure_cookies);
    leptos_axum::redirect("/sign-in?erased=1");
    Ok(())
}

const LABEL: &str = "block font-medium text-slate-800";

/// The fields of an athlete's profile, their ids prefixed by `prefix` (one form per athlete).
#[component]
fn AthleteFields(prefix: String, athlete: Option<AthleteView>) -> impl IntoView {
    let a = athlete.unwrap_or(AthleteView {
        id: 0,
        name: String::new(),
        date_of_birth: String::new(),
        emergency_name: String::new(),
        emergency_phone: String::new(),
        medical_notes: String::new(),
    });
    let field = |name: &'static str,
                 label: &'static str,
                 value: String,
                 kind: &'static str,
                 required: bool| {
        let id = format!("{prefix}-{name}");
        view! {
            <div>
                <label for=id.clone() class=LABEL>
                    {label}
                    {(!required).then(|| view! { <span class="font-normal text-slate-500">" (optional)"</span> })}
                </label>
                <input id=id name=name type=kind class=INPUT_CLASS value=value required=required/>
            </div>
        }
    };
    let notes_id = format!("{prefix}-medical_notes");
    view! {
        {field("name", "Name", a.name, "text", true)}
        {field("date_of_birth", "Date of birth", a.date_of_birth, "date", false)}
        {field("emergency_name", "Emergency contact", a.emergency_name, "text", false)}
        {field("emergency_phone", "Emergency phone", a.emergency_phone, "tel", false)}
        <div>
            <label for=notes_id.clone() class=LABEL>
                "Medical notes and allergies" <span class="font-normal text-slate-500">" (optional; kept encrypted, shown to your family and the coaches only)"</span>
            </label>
            <textarea id=notes_id name="medical_notes" rows="3" maxlength=domain::family::MAX_NOTES_CHARS class=INPUT_CLASS>{a.medical_notes}</textarea>
        </div>
    }
}

#[component]
fn BookingList(
    title: &'static str,
    testid: &'static str,
    bookings: Vec<FamilyBooking>,
) -> impl IntoView {
    view! {
        <section class="mt-8" aria-labelledby=format!("{testid}-title")>
            <h2 id=format!("{testid}-title") class="text-xl font-semibold">{title}</h2>
            {if bookings.is_empty() {
                view! { <p class="mt-2 text-slate-600">"None."</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-3 space-y-3" data-testid=testid>
                        {bookings.into_iter().map(|b| view! {
                            <li class="rounded-2xl bg-white p-4 shadow-sm" data-testid="family-booking">
                                <div class="flex flex-wrap items-center justify-between gap-2">
                                    <a href=format!("/bookings/{}", b.reference) class="font-semibold text-indigo-700 underline">{b.session_title.clone()}</a>
                                    <span class="flex flex-wrap gap-2">
                                        {b.money.map(|word| view! { <HeadlineTag word=word settled=b.settled.clone()/> })}
                                        <AttendanceTag status=b.attendance/>
                                    </span>
                                </div>
                                <p class="mt-1 text-slate-700">{b.when.clone()}</p>
                                <p class="text-slate-700">{format!("Athlete: {}", b.athlete_name)}</p>
                                // A plain form: the filled booking form waits on the server.
                                <form method="post" action="/api/book/again" class="mt-2">
                                    <input type="hidden" name="reference" value=b.reference.clone()/>
                                    <button type="submit" class="py-1 text-indigo-700 underline" data-testid="book-again">
                                        {format!("Book {} again", b.athlete_name)}
                                    </button>
                                </form>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn FamilyPage() -> impl IntoView {
    let save = ServerAction::<SaveAthlete>::new();
    let remove = ServerAction::<DeleteAthlete>::new();
    let address = ServerAction::<ChangeFamilyAddress>::new();
    let sign_out = ServerAction::<SignOutFamily>::new();
    let erase = ServerAction::<EraseFamilyData>::new();
    let query = use_query_map();
    let view_data = Resource::new(
        move || (save.version().get(), remove.version().get()),
        |_| family_overview(),
    );
    let failed = move || {
        save.value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| remove.value().get().and_then(|r| r.err()))
            .or_else(|| address.value().get().and_then(|r| r.err()))
            .or_else(|| erase.value().get().and_then(|r| r.err()))
            .map(|e| e.to_string())
    };
    let notice = move || match query.read().get("address").as_deref() {
        Some("sent") => Some(
            "We sent a link to the new address: your bookings move to it when you open that link.",
        ),
        Some("changed") => Some("Your family's address is changed."),
        _ => None,
    };
    view! {
        <section class="mx-auto max-w-3xl">
            <Suspense fallback=|| view! { <p class="text-slate-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match view_data.await {
                        Err(e) => view! { <p class="rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(None) => view! { <Redirect path="/sign-in"/> }.into_any(),
                        Ok(Some(family)) => view! {
                            <div class="flex flex-wrap items-center justify-between gap-3">
                                <div>
                                    <h1 class="text-2xl font-bold">"Your family"</h1>
                                    <p class="break-all text-slate-700" data-testid="family-email">{family.email.clone()}</p>
                                </div>
                                <ActionForm action=sign_out>
                                    <button type="submit" class=SECONDARY_BUTTON_CLASS>"Sign out"</button>
                                </ActionForm>
                            </div>
                            {notice().map(|m| view! { <p class="mt-4 rounded-lg bg-green-50 p-4 text-green-900" role="status">{m}</p> })}
                            {failed().map(|e| view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e}</p> })}
                            <BookingList title="Upcoming bookings" testid="upcoming" bookings=family.upcoming/>
                            <BookingList title="Past bookings" testid="past" bookings=family.past/>
                            <FamilyFeedLink/>
                            <section id="athletes" class="mt-8" aria-labelledby="athletes-title">
                                <h2 id="athletes-title" class="text-xl font-semibold">"Athletes"</h2>
                                <ul class="mt-3 space-y-3">
                                    {family.athletes.into_iter().map(|a| {
                                        let prefix = format!("athlete-{}", a.id);
                                        let (id, remove_id) = (a.id.to_string(), a.id.to_string());
                                        let edit_label = format!("Edit {}", a.name);
                                        let remove_label = format!("Remove {}", a.name);
                                        let book_label = format!("Book {}", a.name);
                                        let a_id_for_book = a.id.to_string();
                                        let born = if a.date_of_birth.is_empty() { "—".to_owned() } else { a.date_of_birth.clone() };
                                        let emergency = format!("{} {}", a.emergency_name, a.emergency_phone).trim().to_owned();
                                        let (name, notes, editable) = (a.name.clone(), a.medical_notes.clone(), a);
                                        view! {
                                            <li class="rounded-2xl bg-white p-4 shadow-sm" data-testid="athlete">
                                                <h3 class="font-semibold">{name}</h3>
                                                <dl class="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-slate-700">
                                                    <dt class="font-medium">"Born"</dt><dd>{born}</dd>
                                                    <dt class="font-medium">"Emergency"</dt><dd class="break-words">{emergency}</dd>
                                                    <dt class="font-medium">"Medical"</dt><dd class="break-words whitespace-pre-line" data-testid="athlete-notes">{notes}</dd>
                                                </dl>
                                                // A plain form: the filled booking form waits on the server.
                                                <form method="post" action="/api/family/athletes/book" class="mt-2">
                                                    <input type="hidden" name="id" value=a_id_for_book/>
                                                    <button type="submit" class="py-1 font-semibold text-indigo-700 underline" data-testid="book-athlete">{book_label}</button>
                                                </form>
                                                <details class="mt-3">
                                                    <summary class="cursor-pointer font-medium text-indigo-700">{edit_label}</summary>
                                                    <ActionForm action=save attr:class="mt-3 space-y-3">
                                                        <input type="hidden" name="id" value=id/>
                                                        <AthleteFields prefix=prefix athlete=Some(editable)/>
                                                        <button type="submit" class=BUTTON_CLASS>"Save"</button>
                                                    </ActionForm>
                                                </details>
                                                <ActionForm action=remove attr:class="mt-3">
                                                    <input type="hidden" name="id" value=remove_id/>
                                                    <button type="submit" class=SECONDARY_BUTTON_CLASS>{remove_label}</button>
                                                </ActionForm>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                <details class="mt-4 rounded-2xl bg-white p-4 shadow-sm">
                                    <summary class="cursor-pointer font-medium text-indigo-700">"Add an athlete"</summary>
                                    <ActionForm action=save attr:class="mt-3 space-y-3">
                                        <AthleteFields prefix="new-athlete".to_owned() athlete=None/>
                                        <button type="submit" class=BUTTON_CLASS>"Add athlete"</button>
                                    </ActionForm>
                                </details>
                            </section>
                            <section class="mt-8" aria-labelledby="address-title">
                                <h2 id="address-title" class="text-xl font-semibold">"Your address"</h2>
                                <ActionForm action=address attr:class="mt-3 space-y-3 rounded-2xl bg-white p-4 shadow-sm">
                                    <div>
                                        <label for="new-email" class=LABEL>"New email address"</label>
                                        <input id="new-email" name="new_email" type="email" autocomplete="email" required class=INPUT_CLASS/>
                                    </div>
                                    <p class="text-sm text-slate-600">"We email the new address a link; your bookings and athletes move to it when you open it."</p>
                                    <button type="submit" class=SECONDARY_BUTTON_CLASS>"Change address"</button>
                                </ActionForm>
                            </section>
                            <section class="mt-8" aria-labelledby="data-title">
                                <h2 id="data-title" class="text-xl font-semibold">"Your data"</h2>
                                <p class="mt-2">
                                    <a href="/family/data.json" download="our-data.json" rel="external" class="font-medium text-indigo-700 underline">"Download our data"</a>
                                    " (bookings, payments, athletes and the emails we sent you, as JSON)"
                                </p>
                                <details class="mt-4 rounded-2xl border border-red-200 bg-white p-4">
                                    <summary class="cursor-pointer font-medium text-red-800">"Erase our data…"</summary>
                                    <ActionForm action=erase attr:class="mt-3 space-y-3">
                                        <p class="text-slate-700">"Your names, contacts and notes are removed from every booking, your athletes are deleted and you are signed out. What you paid and refunds stay on our books, without your names."</p>
                                        <label class="flex items-start gap-2">
                                            <input type="checkbox" name="confirm" value="yes" required class="mt-1"/>
                                            <span>"I understand: erase everything about our family."</span>
                                        </label>
                                        <button type="submit" class="inline-flex items-center justify-center rounded-lg bg-red-700 px-5 py-2.5 font-semibold text-white hover:bg-red-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-700 focus-visible:ring-offset-2">"Erase our data"</button>
                                    </ActionForm>
                                </details>
                            </section>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

//! The coach's day: a session's roster to take attendance at the track (thumb-sized buttons,
//! counts, everyone remaining marked present at once with an undo, printable, its CSV, its
//! waitlist). The "today" panel of the admin's start page is `components::today`.

use crate::components::attendance::admin_set_attendance;
use crate::components::form::SECONDARY_BUTTON_CLASS;
use crate::components::live::LiveVersion;
use crate::components::medical::EmergencyDetails;
use crate::components::tag::{AttendanceTag, MoneyTag};
use crate::error::AppError;
use domain::{AttendanceStatus, PaymentStatus};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterEntry {
    pub id: i64,
    pub athlete_name: String,
    pub athlete_age: i64,
    pub parent_name: String,
    pub parent_phone: Option<String>,
    pub notes: Option<String>,
    /// Whom to call, and whether medical notes are kept, when the family keeps a profile.
    pub emergency: Option<domain::family::Emergency>,
    /// Its parent has not accepted the waiver's current wording.
    pub consent_missing: bool,
    /// Neither the booking nor the athlete's profile names whom to call.
    pub contact_missing: bool,
    pub payment_status: PaymentStatus,
    pub attendance_status: AttendanceStatus,
    pub settled: Option<String>,
}

/// The roster's counts: bookings holding a place, and how they stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterCounts {
    pub booked: i64,
    pub paid: i64,
    pub unpaid: i64,
    pub present: i64,
    pub no_show: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingPerson {
    pub position: usize,
    pub athlete_name: String,
    pub parent_name: String,
    pub parent_email: String,
    pub joined: String,
    /// Its state in words: waiting, offered until…, booked, expired, withdrawn.
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterData {
    pub session_id: i64,
    pub title: String,
    pub when: String,
    pub location: String,
    pub capacity: i64,
    /// The term the session is part of, if any: its id and title.
    pub term: Option<(i64, String)>,
    pub counts: RosterCounts,
    pub entries: Vec<RosterEntry>,
    pub waitlist: Vec<WaitingPerson>,
}

#[server(endpoint = "admin/roster")]
pub async fn admin_roster(id: i64) -> Result<Option<RosterData>, AppError> {
    use crate::state::AppState;
    use domain::schedule::when;
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let tz = state.settings.timezone;
    let Some(session) = crate::db::sessions::get(&state.db, id).await? else {
        return Ok(None);
    };
    let rows = crate::db::roster::of_session(&state.db, id, crate::db::now_ms()).await?;
    let mut counts = RosterCounts::default();
    for row in rows.iter().filter(|r| r.holds_place == 1) {
        counts.booked += 1;
        // An admin's entry is settled outside Stripe: it counts as paid, never as owed.
        match (row.payment_status, row.source) {
            (PaymentStatus::Paid, _) | (_, domain::BookingSource::Manual) => counts.paid += 1,
            (PaymentStatus::Unpaid | PaymentStatus::Failed, _) => counts.unpaid += 1,
            _ => {}
        }
        match row.attendance_status {
            AttendanceStatus::Completed => counts.present += 1,
            AttendanceStatus::NoShow => counts.no_show += 1,
            _ => {}
        }
    }
    let waitlist = crate::db::waitlist::of_session(&state.db, id)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, w)| WaitingPerson {
            position: i + 1,
            state: match (w.status, w.offer_expires_at) {
                (domain::WaitlistStatus::Offered, Some(until)) => {
                    format!("offered, held until {}", when(until, tz))
                }
                (domain::WaitlistStatus::Waiting, _) if w.confirmed_at.is_none() => {
                    "unconfirmed, not offered a place until its address confirms it".to_owned()
                }
                (status, _) => status.as_str().to_owned(),
            },
            athlete_name: w.athlete_name,
            parent_name: w.parent_name,
            parent_email: w.parent_email,
            joined: when(w.created_at, tz),
        })
        .collect();
    let mut entries = Vec::new();
    for r in rows
        .into_iter()
        .filter(|r| r.holds_place == 1 || r.attendance_status != AttendanceStatus::Cancelled)
    {
        let emergency = crate::services::medical::emergency(&state.db, r.id).await?;
        entries.push(RosterEntry {
            id: r.id,
            contact_missing: emergency
                .as_ref()
                .is_none_or(|e| e.contact_name.is_none() && e.contact_phone.is_none()),
            emergency,
            consent_missing: r.consent_current == 0,
            settled: (r.source == domain::BookingSource::Manual)
                .then(|| domain::ManualPayment::label_of(r.manual_payment.as_deref()).to_owned()),
            athlete_name: r.athlete_name,
            athlete_age: r.athlete_age,
            parent_name: r.parent_name,
            parent_phone: r.parent_phone,
            notes: r.notes,
            payment_status: r.payment_status,
            attendance_status: r.attendance_status,
        });
    }
    Ok(Some(RosterData {
        session_id: id,
        when: when(session.starts_at, tz),
        title: session.title,
        location: session.location,
        capacity: session.capacity,
        term: session.term_id.zip(session.term_title),
        counts,
        entries,
        waitlist,
    }))
}

/// What "mark everyone remaining present" changed, for its undo: `id:status` pairs.
#[server(endpoint = "admin/roster/complete")]
pub async fn admin_complete_remaining(session: i64) -> Result<String, AppError> {
    use crate::state::AppState;
    let admin = crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let changed = crate::services::attendance::complete_remaining(
        &state.db,
        session,
        &domain::Actor::Admin(admin.email),
    )
    .await?;
    Ok(changed
        .iter()
        .map(|(id, from)| format!("{id}:{}", from.as_str()))
        .collect::<Vec<_>>()
        .join(","))
}

/// Puts back what [`admin_complete_remaining`] changed (`changes` as it returned them).
#[server(endpoint = "admin/roster/undo")]
pub async fn admin_undo_complete(changes: String) -> Result<usize, AppError> {
    use crate::state::AppState;
    let admin = crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let parsed: Option<Vec<(i64, AttendanceStatus)>> = changes
        .split(',')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (id, status) = pair.split_once(':')?;
            Some((id.parse().ok()?, status.parse().ok()?))
        })
        .collect();
    let parsed = parsed.ok_or_else(|| AppError::unprocessable("Nothing to undo."))?;
    Ok(crate::services::attendance::undo_complete(
        &state.db,
        &parsed,
        &domain::Actor::Admin(admin.email),
    )
    .await?)
}

const TAP: &str = "min-h-12 min-w-12 flex-1 rounded-lg border-2 px-3 py-3 text-base font-semibold focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2";

/// `/admin/sessions/:id/roster`.
#[component]
pub fn RosterPage() -> impl IntoView {
    let params = use_params_map();
    let live = use_context::<LiveVersion>().map(|v| v.0);
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|i| i.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let complete = ServerAction::<AdminCompleteRemaining>::new();
    let undo = ServerAction::<AdminUndoComplete>::new();
    let data = Resource::new(
        move || {
            (
                id(),
                live.map(|v| v.get()).unwrap_or(0),
                complete.version().get(),
                undo.version().get(),
            )
        },
        |(id, _, _, _)| admin_roster(id),
    );
    // The undo is offered for the last "mark remaining present", until it is used.
    let last_marked = move || {
        complete
            .value()
            .get()
            .and_then(|r| r.ok())
            .filter(|changes| !changes.is_empty())
            .filter(|_| undo.version().get() < complete.version().get())
    };
    view! {
        <section class="roster">
            <a href="/admin/sessions" class="text-indigo-700 underline print:hidden">"← Sessions"</a>
            <Transition fallback=|| view! { <p class="mt-4 text-slate-600">"Loading roster…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(None) => view! { <h1 class="mt-4 text-2xl font-bold">"Session not found"</h1> }.into_any(),
                        Ok(Some(r)) => {
                            let session = r.session_id;
                            let c = r.counts;
                            let remaining = r.entries.iter().any(|e| e.attendance_status.is_unmarked());
                            view! {
                                <h1 class="mt-3 text-2xl font-bold">{r.title.clone()}</h1>
                                <p class="text-slate-700">{format!("{} · {} · {} places", r.when, r.location, r.capacity)}</p>
                                {r.term.clone().map(|(term, title)| view! {
                                    <p class="text-sm"><a class="text-indigo-700 underline" href=format!("/admin/terms/{term}") data-testid="roster-term">{format!("Term: {title}")}</a></p>
                                })}
                                <dl class="mt-3 grid grid-cols-5 gap-1 text-center sm:mt-4 sm:gap-2" data-testid="roster-counts">
                                    {[("Booked", c.booked, "booked"), ("Paid", c.paid, "paid"), ("Unpaid", c.unpaid, "unpaid"), ("Present", c.present, "present"), ("No-show", c.no_show, "no-show")]
                                        .into_iter().map(|(label, n, key)| view! {
                                            <div class="rounded-lg bg-white p-1 shadow-sm sm:p-2 print:shadow-none" data-count=key>
                                                <dt class="text-xs font-semibold text-slate-700">{label}</dt>
                                                <dd class="text-xl font-bold sm:text-2xl">{n}</dd>
                                            </div>
                                        }).collect_view()}
                                </dl>
                                <div class="mt-4 flex flex-wrap gap-3 print:hidden">
                                    {remaining.then(|| view! {
                                        <ActionForm action=complete>
                                            <input type="hidden" name="session" value=session/>
                                            <button type="submit" class="rounded-lg bg-green-800 px-4 py-3 font-semibold text-white hover:bg-green-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-green-600 focus-visible:ring-offset-2" data-testid="complete-remaining">"Mark everyone not yet marked as present"</button>
                                        </ActionForm>
                                    })}
                                    {move || last_marked().map(|changes| view! {
                                        <ActionForm action=undo>
                                            <input type="hidden" name="changes" value=changes/>
                                            <button type="submit" class=SECONDARY_BUTTON_CLASS data-testid="undo-complete">"Undo"</button>
                                        </ActionForm>
                                    })}
                                    <a href=format!("/admin/sessions/{session}/message") class=SECONDARY_BUTTON_CLASS data-testid="write-to-families">"Write to the families"</a>
                                    <a href=format!("/admin/sessions/{session}/roster.csv") class=SECONDARY_BUTTON_CLASS download>"CSV"</a>
                                    <button type="button" class=SECONDARY_BUTTON_CLASS on:click=move |_| { let _ = window().print(); } data-testid="print-roster">"Print"</button>
                                </div>
                                <ul class="mt-4 space-y-3" data-testid="roster">
                                    {r.entries.into_iter().map(|e| view! { <RosterCard entry=e/> }).collect_view()}
                                </ul>
                                <Waitlist people=r.waitlist/>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn RosterCard(entry: RosterEntry) -> impl IntoView {
    let id = entry.id;
    let current = RwSignal::new(entry.attendance_status);
    let (problem, set_problem) = signal(None::<String>);
    let set = move |next: AttendanceStatus| {
        // A live refresh may have replaced this row a moment ago: the change still reaches the
        // server (and the new row shows it once it lands), it is only not shown here.
        let before = current.try_get_untracked().unwrap_or(next);
        current.try_set(next);
        set_problem.try_set(None);
        leptos::task::spawn_local(async move {
            match admin_set_attendance(id, next.as_str().to_owned()).await {
                Ok(stored) => {
                    current.try_set(stored);
                }
                Err(e) => {
                    current.try_set(before);
                    set_problem.try_set(Some(e.to_string()));
                }
            }
        });
    };
    let button = move |status: AttendanceStatus, label: &'static str, on: &'static str| {
        let pressed = move || current.get() == status;
        view! {
            <form method="post" action="/api/admin/attendance" class="flex flex-1" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); set(status); }>
                <input type="hidden" name="booking_id" value=id/>
                <input type="hidden" name="status" value=status.as_str()/>
                <button
                    type="submit"
                    class=move || format!("{TAP} {}", if pressed() { on } else { "border-slate-300 bg-white text-slate-900" })
                    aria-pressed=move || pressed().to_string()
                    data-testid=format!("mark-{}", status.as_str())
                >{label}</button>
            </form>
        }
    };
    view! {
        <li class="rounded-xl bg-white p-3 shadow-sm print:break-inside-avoid print:shadow-none" data-roster-id=id>
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h2 class="text-lg font-semibold">{format!("{}, {}", entry.athlete_name, entry.athlete_age)}</h2>
                <div class="flex flex-wrap items-center gap-1">
                    <MoneyTag status=entry.payment_status settled=entry.settled.clone()/>
                    <AttendanceTag status=current/>
                </div>
            </div>
            <p class="text-sm text-slate-700">
                {entry.parent_name.clone()}
                {entry.parent_phone.clone().map(|phone| view! {
                    " · " <a class="text-indigo-700 underline" href=format!("tel:{}", phone.replace(' ', ""))>{phone.clone()}</a>
                })}
            </p>
            {entry.notes.clone().map(|notes| view! { <p class="mt-1 rounded bg-amber-50 p-2 text-sm text-amber-900">{notes}</p> })}
            {entry.consent_missing.then(|| view! {
                <p class="mt-1 inline-block rounded bg-red-100 px-2 py-0.5 text-sm font-semibold text-red-900" data-testid="consent-missing">"No consent to the current waiver"</p>
            })}
            {entry.contact_missing.then(|| view! {
                <p class="mt-1 inline-block rounded bg-red-100 px-2 py-0.5 text-sm font-semibold text-red-900" data-testid="contact-missing">"No emergency contact"</p>
            })}
            {entry.emergency.clone().map(|emergency| view! { <EmergencyDetails booking_id=entry.id emergency=emergency/> })}
            <div class="mt-2 flex gap-2 print:hidden">
                {button(AttendanceStatus::Completed, AttendanceStatus::Completed.label(), "border-green-700 bg-green-700 text-white")}
                {button(AttendanceStatus::NoShow, AttendanceStatus::NoShow.label(), "border-red-700 bg-red-700 text-white")}
                {button(AttendanceStatus::Pending, AttendanceStatus::Pending.label(), "border-slate-700 bg-slate-700 text-white")}
            </div>
            {move || problem.get().map(|m| view! { <p class="mt-1 text-sm text-red-700" role="alert">{m}</p> })}
        </li>
    }
}

#[component]
fn Waitlist(people: Vec<WaitingPerson>) -> impl IntoView {
    (!people.is_empty()).then(|| {
        view! {
            <section class="mt-6" aria-labelledby="waitlist-heading">
                <h2 id="waitlist-heading" class="text-xl font-bold">"Waitlist"</h2>
                <ol class="mt-2 space-y-2" data-testid="waitlist">
                    {people.into_iter().map(|p| view! {
                        <li class="rounded-lg bg-white p-3 text-sm shadow-sm" data-waitlist-state=p.state.split(',').next().unwrap_or_default().to_owned()>
                            <span class="font-semibold">{format!("{}. {}", p.position, p.athlete_name)}</span>
                            {format!(" · {} <{}> · joined {} · {}", p.parent_name, p.parent_email, p.joined, p.state)}
                        </li>
                    }).collect_view()}
                </ol>
            </section>
        }
    })
}

//! The live bookings table: both status tags, attendance control on each row, filters, search,
//! sorting, server-side pagination and the CSV export of the filtered rows.

use crate::components::attendance::AttendanceControl;
use crate::components::form::{BUTTON_CLASS, INPUT_CLASS, SECONDARY_BUTTON_CLASS};
use crate::components::live::LiveVersion;
use crate::components::tag::MoneyTag;
use crate::components::today::TodayPanel;
use crate::error::AppError;
use domain::filter::{BookingFilter, SortKey};
use domain::{AttendanceStatus, PaymentStatus};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminRow {
    pub id: i64,
    pub reference: String,
    pub parent_name: String,
    pub parent_email: String,
    pub athlete_name: String,
    pub session_title: String,
    pub session_when: String,
    pub amount: String,
    pub payment_status: PaymentStatus,
    pub attendance_status: AttendanceStatus,
    pub created: String,
    /// How a manual booking was settled, in words ("Paid outside Stripe", "Free"); `None` for
    /// a parent's booking.
    pub settled: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionOption {
    pub id: i64,
    pub label: String,
    /// It has started: listed apart, after the sessions to come.
    pub past: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminBookingsPage {
    pub rows: Vec<AdminRow>,
    /// Matching bookings, exact up to the count cap.
    pub total: i64,
    /// More match than the cap: `total` and `pages` are lower bounds.
    pub more: bool,
    pub pages: i64,
    pub filter: BookingFilter,
    pub sessions: Vec<SessionOption>,
}

#[server(endpoint = "admin/bookings")]
pub async fn admin_bookings(query: String) -> Result<AdminBookingsPage, AppError> {
    use crate::state::AppState;
    use domain::schedule::when;
    use domain::{BookingSource, Money};
    crate::access::require_admin().await?;
    let state = expect_context::<AppState>();
    let tz = state.settings.timezone;
    let filter = BookingFilter::from_query_string(&query);
    let (rows, count) = crate::db::admin_list::bookings_page(&state.db, &filter, tz).await?;
    let now = crate::db::now_ms();
    let sessions = crate::db::sessions::options(&state.db, 500)
        .await?
        .into_iter()
        .map(|(id, title, starts_at)| SessionOption {
            id,
            label: format!("{title} – {}", when(starts_at, tz)),
            past: starts_at <= now,
        })
        .collect();
    let crate::db::admin_list::Count { total, more } = count;
    let counted_pages =
        ((total + domain::filter::PAGE_SIZE - 1) / domain::filter::PAGE_SIZE).max(1);
    // Past the cap the count is a floor: the page being looked at always exists.
    let pages = if more {
        counted_pages.max(filter.page + 1)
    } else {
        counted_pages
    };
    Ok(AdminBookingsPage {
        rows: rows
            .into_iter()
            .map(|r| AdminRow {
                id: r.id,
                session_when: when(r.session_starts_at, tz),
                amount: Money::new(r.amount, r.currency.clone()).to_string(),
                created: when(r.created_at, tz),
                settled: (r.source == BookingSource::Manual).then(|| {
                    domain::ManualPayment::label_of(r.manual_payment.as_deref()).to_owned()
                }),
                reference: r.reference,
                parent_name: r.parent_name,
                parent_email: r.parent_email,
                athlete_name: r.athlete_name,
                session_title: r.session_title,
                payment_status: r.payment_status,
                attendance_status: r.attendance_status,
            })
            .collect(),
        total,
        more,
        pages,
        filter,
        sessions,
    })
}

#[component]
pub fn BookingsPage() -> impl IntoView {
    let query = use_query_map();
    let live = use_context::<LiveVersion>().map(|v| v.0);
    let query_string = move || {
        let map = query.read();
        BookingFilter::from_query(|k| map.get(k)).to_query()
    };
    let page = Resource::new(
        move || (query_string(), live.map(|v| v.get()).unwrap_or(0)),
        |(query, _)| admin_bookings(query),
    );
    // The rows last read: a refetch that fails (the login ended, the database is away) says
    // why above them instead of taking them away.
    let last_read = RwSignal::new(None);

    view! {
        <section>
            <TodayPanel/>
            <div class="flex flex-wrap items-end justify-between gap-3">
                <h1 class="text-2xl font-bold">"Bookings"</h1>
                <a
                    class=SECONDARY_BUTTON_CLASS
                    href=move || format!("/admin/bookings.csv?{}", query_string())
                    data-testid="csv-export"
                    download
                >"Export CSV"</a>
            </div>
            <Transition fallback=|| view! { <p class="mt-4 text-slate-600">"Loading bookings…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => view! {
                            <p class="mt-4 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{e.to_string()}</p>
                            {last_read.get_untracked().map(|data: AdminBookingsPage| view! { <Filters data=data.clone()/> <Table data=data/> })}
                        }.into_any(),
                        Ok(data) => {
                            last_read.set(Some(data.clone()));
                            view! { <Filters data=data.clone()/> <Table data=data/> }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Filters(data: AdminBookingsPage) -> impl IntoView {
    let f = data.filter.clone();
    let selected_payment = f.payment;
    let selected_attendance = f.attendance;
    let selected_session = f.session;
    view! {
        <form method="get" action="/admin" class="mt-4 grid gap-3 rounded-xl bg-white p-4 shadow-sm md:grid-cols-6" role="search" aria-label="Filter bookings">
            <div class="md:col-span-2">
                <label for="filter-q" class="text-sm font-medium">"Search"</label>
                <input id="filter-q" name="q" type="search" class=INPUT_CLASS placeholder="Parent, athlete or email" value=f.search.clone().unwrap_or_default()/>
            </div>
            <div>
                <label for="filter-payment" class="text-sm font-medium">"Payment"</label>
                <select id="filter-payment" name="payment" class=INPUT_CLASS>
                    <option value="">"Any"</option>
                    {PaymentStatus::ALL.into_iter().map(|p| view! {
                        <option value=p.as_str() selected=selected_payment == Some(p)>{p.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="filter-attendance" class="text-sm font-medium">"Attendance"</label>
                <select id="filter-attendance" name="attendance" class=INPUT_CLASS>
                    <option value="">"Any"</option>
                    {AttendanceStatus::ALL.into_iter().map(|a| view! {
                        <option value=a.as_str() selected=selected_attendance == Some(a)>{a.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="md:col-span-2">
                <label for="filter-session" class="text-sm font-medium">"Session"</label>
                <select id="filter-session" name="session" class=INPUT_CLASS>
                    <option value="">"Any"</option>
                    {
                        let option = move |s: SessionOption| view! {
                            <option value=s.id.to_string() selected=selected_session == Some(s.id)>{s.label}</option>
                        };
                        let (past, upcoming): (Vec<_>, Vec<_>) = data.sessions.into_iter().partition(|s| s.past);
                        view! {
                            {upcoming.into_iter().map(option).collect_view()}
                            {(!past.is_empty()).then(|| view! {
                                <optgroup label="Past sessions">{past.into_iter().map(option).collect_view()}</optgroup>
                            })}
                        }
                    }
                </select>
            </div>
            <div>
                <label for="filter-from" class="text-sm font-medium">"Session from"</label>
                <input id="filter-from" name="from" type="date" class=INPUT_CLASS value=f.from.clone().unwrap_or_default()/>
            </div>
            <div>
                <label for="filter-to" class="text-sm font-medium">"Session to"</label>
                <input id="filter-to" name="to" type="date" class=INPUT_CLASS value=f.to.clone().unwrap_or_default()/>
            </div>
            <input type="hidden" name="sort" value=f.sort.as_str()/>
            <input type="hidden" name="dir" value=if f.descending { "desc" } else { "asc" }/>
            <div class="flex items-end gap-2 md:col-span-4">
                <button type="submit" class=BUTTON_CLASS>"Apply"</button>
                <a href="/admin" class=SECONDARY_BUTTON_CLASS>"Clear"</a>
            </div>
        </form>
    }
}

#[component]
fn Table(data: AdminBookingsPage) -> impl IntoView {
    let filter = data.filter.clone();
    let header = move |label: &'static str, key: SortKey| {
        let sorted = filter.sort == key;
        let arrow = match (sorted, filter.descending) {
            (false, _) => "",
            (true, true) => " ↓",
            (true, false) => " ↑",
        };
        let aria = match (sorted, filter.descending) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        };
        let href = format!("/admin?{}", filter.sorted_by(key).to_query());
        view! {
            <th scope="col" class="px-3 py-2 text-left" aria-sort=aria>
                <a href=href class="hover:underline">{label}{arrow}</a>
            </th>
        }
    };
    let page = data.filter.page;
    let pages = data.pages;
    let prev = (page > 1).then(|| format!("/admin?{}", data.filter.with_page(page - 1).to_query()));
    let next =
        (page < pages).then(|| format!("/admin?{}", data.filter.with_page(page + 1).to_query()));
    // Past the count cap both figures are floors, and say so.
    let plus = if data.more { "+" } else { "" };
    let noun = if data.total == 1 && !data.more {
        "booking"
    } else {
        "bookings"
    };
    view! {
        <p class="mt-4 text-sm text-slate-600" data-testid="bookings-total">
            {format!("{}{plus} {noun} · page {page} of {pages}{plus}", data.total)}
        </p>
        // On a phone each booking is a card (the table's rows laid out as blocks, each cell
        // with its label); from `md` up, the table.
        <div class="relative mt-2 md:overflow-x-auto md:rounded-xl md:bg-white md:shadow-sm">
            <table class="block w-full text-sm md:table md:min-w-full" data-testid="bookings-table">
                <thead class="sr-only border-b border-slate-200 bg-slate-50 text-slate-700 md:not-sr-only md:table-header-group">
                    <tr>
                        <th scope="col" class="px-3 py-2 text-left">"Reference"</th>
                        {header("Parent", SortKey::Parent)}
                        {header("Athlete", SortKey::Athlete)}
                        {header("Session", SortKey::Session)}
                        {header("Amount", SortKey::Amount)}
                        {header("Payment", SortKey::Payment)}
                        {header("Attendance", SortKey::Attendance)}
                        {header("Created", SortKey::Created)}
                    </tr>
                </thead>
                <tbody class="block space-y-3 md:table-row-group md:space-y-0">
                    {if data.rows.is_empty() {
                        view! { <tr class="block md:table-row"><td colspan="8" class="block px-3 py-6 text-center text-slate-600 md:table-cell">"No bookings match."</td></tr> }.into_any()
                    } else {
                        data.rows.into_iter().map(|row| view! { <Row row=row/> }).collect_view().into_any()
                    }}
                </tbody>
            </table>
        </div>
        // One page holds them all: no pager.
        {(pages > 1).then(|| view! {
        <nav class="mt-3 flex items-center gap-3" aria-label="Pages">
            {match prev {
                Some(href) => view! { <a href=href class=SECONDARY_BUTTON_CLASS rel="prev">"Previous"</a> }.into_any(),
                None => view! { <span class="text-slate-600" aria-disabled="true">"Previous"</span> }.into_any(),
            }}
            {match next {
                Some(href) => view! { <a href=href class=SECONDARY_BUTTON_CLASS rel="next">"Next"</a> }.into_any(),
                None => view! { <span class="text-slate-600" aria-disabled="true">"Next"</span> }.into_any(),
            }}
        </nav>
        })}
    }
}

#[component]
fn Row(row: AdminRow) -> impl IntoView {
    let id = row.id;
    view! {
        <tr class="grid grid-cols-2 gap-x-3 gap-y-2 rounded-xl bg-white p-3 shadow-sm md:table-row md:rounded-none md:border-b md:border-slate-100 md:bg-transparent md:p-0 md:align-top md:shadow-none" data-booking-id=id>
            <td class="col-span-2 font-mono text-xs md:px-3 md:py-2">
                <CellLabel text="Reference"/>
                <a href=format!("/admin/bookings/{id}") class="text-indigo-700 underline">{row.reference[..8].to_owned()}</a>
            </td>
            <td class="min-w-0 break-words md:px-3 md:py-2">
                <CellLabel text="Parent"/>
                <div>{row.parent_name.clone()}</div>
                <div class="text-xs break-words text-slate-600" data-testid="parent-email">
                    {email_parts(&row.parent_email).into_iter().enumerate().map(|(i, part)| view! {
                        {(i > 0).then(|| view! { <wbr/> })}
                        {part}
                    }).collect_view()}
                </div>
            </td>
            <td class="min-w-0 break-words md:px-3 md:py-2">
                <CellLabel text="Athlete"/>
                {row.athlete_name.clone()}
            </td>
            <td class="min-w-0 md:px-3 md:py-2">
                <CellLabel text="Session"/>
                <div>{row.session_title.clone()}</div>
                <div class="text-xs text-slate-600">{row.session_when.clone()}</div>
            </td>
            <td class="md:px-3 md:py-2 md:whitespace-nowrap">
                <CellLabel text="Amount"/>
                {row.amount.clone()}
            </td>
            <td class="md:px-3 md:py-2">
                <CellLabel text="Payment"/>
                <MoneyTag status=row.payment_status settled=row.settled.clone()/>
            </td>
            <td class="md:px-3 md:py-2">
                <CellLabel text="Attendance"/>
                <AttendanceControl booking_id=id initial=row.attendance_status/>
            </td>
            <td class="col-span-2 text-xs text-slate-600 md:px-3 md:py-2 md:whitespace-nowrap">
                <CellLabel text="Created"/>
                {row.created.clone()}
            </td>
        </tr>
    }
}

/// A cell's column name, shown on a phone where the table's header is not.
#[component]
fn CellLabel(text: &'static str) -> impl IntoView {
    view! { <span class="block text-xs font-semibold text-slate-600 md:hidden" aria-hidden="true">{text}</span> }
}

/// An address in pieces that may break between them: after its `@` and before each dot, so
/// that a narrow column never breaks it mid-word (unless one piece alone is too long).
fn email_parts(email: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    for c in email.chars() {
        if c == '.' && parts.last().is_some_and(|p| !p.is_empty()) {
            parts.push(String::new());
        }
        if let Some(part) = parts.last_mut() {
            part.push(c);
        }
        if c == '@' {
            parts.push(String::new());
        }
    }
    parts.retain(|p| !p.is_empty());
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_breaks_only_after_its_at_and_before_its_dots() {
        assert_eq!(
            email_parts("phone.parent@example.co.uk"),
            ["phone", ".parent@", "example", ".co", ".uk"]
        );
        assert_eq!(email_parts("a@b"), ["a@", "b"]);
        assert_eq!(email_parts(""), Vec::<String>::new());
    }
}

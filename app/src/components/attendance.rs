//! Setting a booking's attendance from the admin's pages: the server function (the bookings
//! table and the roster both call it) and the table's control: a select that looks like the
//! attendance tag (its colour, its words), so the value is shown once.

use crate::components::tag::attendance_tag_class;
use crate::error::AppError;
use domain::AttendanceStatus;
use leptos::prelude::*;

/// Sets a booking's attendance (never its payment); returns the stored value.
#[server(endpoint = "admin/attendance")]
pub async fn admin_set_attendance(
    booking_id: i64,
    status: String,
) -> Result<AttendanceStatus, AppError> {
    use crate::state::AppState;
    let admin = crate::access::require_admin().await?;
    let status: AttendanceStatus = status
        .parse()
        .map_err(|e: domain::UnknownStatus| AppError::unprocessable(e.to_string()))?;
    let state = expect_context::<AppState>();
    Ok(crate::services::attendance::set(
        &state.db,
        booking_id,
        status,
        &domain::Actor::Admin(admin.email.clone()),
    )
    .await?)
}

/// The attendance tag and its control: the change shows at once and rolls back with a message
/// if the server refuses. Without JavaScript the form posts and the page comes back.
#[component]
pub fn AttendanceControl(booking_id: i64, initial: AttendanceStatus) -> impl IntoView {
    let current = RwSignal::new(initial);
    let (problem, set_problem) = signal(None::<String>);
    let on_change = move |ev: leptos::ev::Event| {
        let Ok(next) = event_target_value(&ev).parse::<AttendanceStatus>() else {
            return;
        };
        // A live refresh may have replaced this row a moment ago: the change still reaches the
        // server (and the new row shows it once it lands), it is only not shown here.
        let before = current.try_get_untracked().unwrap_or(next);
        current.try_set(next);
        set_problem.try_set(None);
        leptos::task::spawn_local(async move {
            match admin_set_attendance(booking_id, next.as_str().to_owned()).await {
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
    let select_id = format!("attendance-{booking_id}");
    view! {
        <div class="flex flex-col gap-1">
            <form method="post" action="/api/admin/attendance" class="flex items-center gap-1">
                <input type="hidden" name="booking_id" value=booking_id/>
                <label for=select_id.clone() class="sr-only">"Set attendance"</label>
                // The tag is what shows; the select lies over it, unseen, and opens on a click
                // or from the keyboard (the ring says it has the focus).
                <span class="relative inline-flex items-center gap-1 whitespace-nowrap rounded-full focus-within:ring-2 focus-within:ring-indigo-500 focus-within:ring-offset-1">
                    <span
                        class=move || attendance_tag_class(current.get())
                        data-attendance-status=move || current.get().as_str()
                        aria-hidden="true"
                    >
                        {move || current.get().label()}
                    </span>
                    <span class="text-xs text-slate-700" aria-hidden="true">"▾"</span>
                    <select
                        id=select_id
                        name="status"
                        class="absolute inset-0 h-full w-full cursor-pointer appearance-none opacity-0"
                        on:change=on_change
                        prop:value=move || current.get().as_str()
                        data-testid="attendance-select"
                    >
                        {AttendanceStatus::ALL.into_iter().map(|a| view! {
                            <option value=a.as_str() selected=move || current.get() == a>{a.label()}</option>
                        }).collect_view()}
                    </select>
                </span>
                <noscript><button type="submit" class="rounded border border-slate-300 px-1 text-xs">"Save"</button></noscript>
            </form>
            {move || problem.get().map(|p| view! { <p class="text-xs text-red-700" role="alert">{p}</p> })}
        </div>
    }
}

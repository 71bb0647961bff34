//! Colour tags for the two statuses; each carries its text so colour is never the only signal.

use crate::domain::{AttendanceStatus, PaymentStatus};
use leptos::prelude::*;

const TAG_BASE: &str = "inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold";

#[component]
pub fn PaymentTag(#[prop(into)] status: Signal<PaymentStatus>) -> impl IntoView {
    view! {
        <span
            class=move || format!("{TAG_BASE} {}", status.get().tag_class())
            data-payment-status=move || status.get().as_str()
        >
            {move || status.get().label()}
        </span>
    }
}

#[component]
pub fn AttendanceTag(#[prop(into)] status: Signal<AttendanceStatus>) -> impl IntoView {
    view! {
        <span
            class=move || format!("{TAG_BASE} {}", status.get().tag_class())
            data-attendance-status=move || status.get().as_str()
        >
            {move || status.get().label()}
        </span>
    }
}

//! Colour tags for the two statuses (each carries its text so colour is never the only signal),
//! and the tag of a booking settled outside Stripe.

use domain::{AttendanceStatus, PaymentStatus};
use leptos::prelude::*;

const TAG_BASE: &str = "inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold";

/// The Tailwind classes of a payment tag; the background colours are fixed by the original
/// specification (`docs/ARCHITECTURE.md`), the text colours chosen so that every tag reads at
/// 4.5:1 or better (WCAG AA for small text): black on the mid-tone backgrounds, white only on
/// the dark ones.
pub const fn payment_class(status: PaymentStatus) -> &'static str {
    match status {
        PaymentStatus::Paid => "bg-green-500 text-black",
        PaymentStatus::Failed => "bg-red-500 text-black",
        PaymentStatus::Unpaid => "bg-yellow-400 text-gray-900",
        PaymentStatus::Refunded => "bg-slate-500 text-white",
    }
}

/// The Tailwind classes of an attendance tag; pending, completed and no-show colours are fixed
/// by the original specification.
pub const fn attendance_class(status: AttendanceStatus) -> &'static str {
    match status {
        AttendanceStatus::Pending => "bg-gray-300 text-gray-900",
        AttendanceStatus::Confirmed => "bg-indigo-500 text-black",
        AttendanceStatus::Completed => "bg-blue-500 text-black",
        AttendanceStatus::Cancelled => "bg-gray-600 text-white",
        AttendanceStatus::NoShow => "bg-red-300 text-gray-900",
        AttendanceStatus::Manual => "bg-purple-500 text-black",
    }
}

#[component]
pub fn PaymentTag(#[prop(into)] status: Signal<PaymentStatus>) -> impl IntoView {
    view! {
        <span
            class=move || format!("{TAG_BASE} {}", payment_class(status.get()))
            data-payment-status=move || status.get().as_str()
        >
            {move || status.get().label()}
        </span>
    }
}

/// All the classes of an attendance tag (its shape and its colours).
pub fn attendance_tag_class(status: AttendanceStatus) -> String {
    format!("{TAG_BASE} {}", attendance_class(status))
}

#[component]
pub fn AttendanceTag(#[prop(into)] status: Signal<AttendanceStatus>) -> impl IntoView {
    view! {
        <span
            class=move || attendance_tag_class(status.get())
            data-attendance-status=move || status.get().as_str()
        >
            {move || status.get().label()}
        </span>
    }
}

/// The Tailwind classes of the tag of a booking settled outside Stripe (an admin's entry).
pub const SETTLED_CLASS: &str = "bg-teal-200 text-gray-900";

/// The money tag of a booking settled outside Stripe (an admin's entry), in place of its
/// payment tag: how it was settled ("Paid outside Stripe", "Free"). Its `payment_status` stays
/// Stripe's word (`unpaid`); what people read is that nothing is owed.
#[component]
pub fn SettledTag(#[prop(into)] label: String) -> impl IntoView {
    view! {
        <span class=format!("{TAG_BASE} {SETTLED_CLASS}") data-payment-status="settled" data-testid="manual-payment">
            {label}
        </span>
    }
}

/// A booking's money tag: how it was settled when an admin entered it (`settled`), else
/// Stripe's payment status.
#[component]
pub fn MoneyTag(
    #[prop(into)] status: Signal<PaymentStatus>,
    #[prop(into)] settled: Option<String>,
) -> impl IntoView {
    match settled {
        Some(label) => view! { <SettledTag label=label/> }.into_any(),
        None => view! { <PaymentTag status=status/> }.into_any(),
    }
}

/// The Tailwind classes of the parent page's tags for money on its way (a payment being
/// confirmed, a refund after a cancellation): neither owed nor settled.
pub const ON_ITS_WAY_CLASS: &str = "bg-sky-200 text-gray-900";

/// The money tag beside the parent page's headline, agreeing with it
/// (`domain::payment_progress::Headline::money_tag`).
#[component]
pub fn HeadlineTag(
    word: domain::payment_progress::MoneyTagWord,
    #[prop(into)] settled: Option<String>,
) -> impl IntoView {
    use domain::payment_progress::MoneyTagWord;
    let on_its_way = |label: &'static str, status: &'static str| {
        view! {
            <span class=format!("{TAG_BASE} {ON_ITS_WAY_CLASS}") data-payment-status=status>{label}</span>
        }
        .into_any()
    };
    match word {
        MoneyTagWord::Status(status) => view! { <PaymentTag status=status/> }.into_any(),
        MoneyTagWord::Settled => {
            view! { <SettledTag label=settled.unwrap_or_default()/> }.into_any()
        }
        MoneyTagWord::PaymentOnItsWay => on_its_way("Payment on its way", "confirming"),
        MoneyTagWord::RefundOnItsWay => on_its_way("Refund on its way", "refunding"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_use_the_design_colours_and_are_all_distinct() {
        assert!(payment_class(PaymentStatus::Paid).contains("bg-green-500"));
        assert!(payment_class(PaymentStatus::Failed).contains("bg-red-500"));
        assert!(payment_class(PaymentStatus::Unpaid).contains("bg-yellow-400"));
        assert!(attendance_class(AttendanceStatus::Pending).contains("bg-gray-300"));
        assert!(attendance_class(AttendanceStatus::Completed).contains("bg-blue-500"));
        assert!(attendance_class(AttendanceStatus::NoShow).contains("bg-red-300"));

        let background = |class: &str| {
            class
                .split_whitespace()
                .find(|c| c.starts_with("bg-"))
                .map(str::to_owned)
        };
        let payment: std::collections::HashSet<_> = PaymentStatus::ALL
            .iter()
            .map(|s| background(payment_class(*s)).expect("every payment tag has a background"))
            .collect();
        assert_eq!(payment.len(), PaymentStatus::ALL.len());
        assert!(
            !payment.contains(&background(SETTLED_CLASS).unwrap()),
            "a settled booking's tag is told from every payment tag"
        );
        let attendance: std::collections::HashSet<_> = AttendanceStatus::ALL
            .iter()
            .map(|s| {
                background(attendance_class(*s)).expect("every attendance tag has a background")
            })
            .collect();
        assert_eq!(attendance.len(), AttendanceStatus::ALL.len());
    }
}

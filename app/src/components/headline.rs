//! The top of a parent's booking page: what just happened (the headline, decided by
//! `domain::payment_progress::Headline`), in words, in the tone of the news.

use domain::payment_progress::Headline;
use leptos::prelude::*;

/// What the headline's words name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BannerWords {
    pub athlete_name: String,
    pub session_title: String,
    pub when: String,
    pub business_name: String,
    /// How an admin's entry was settled, if it was one.
    pub settled: Option<String>,
    /// Stripe's words for the last failed payment.
    pub failure: Option<String>,
    /// Until when an unpaid place is held (written out).
    pub held_until: Option<String>,
}

/// The page's headline (what just happened), and the money tag that agrees with it.
#[component]
pub fn HeadlineBanner(headline: Headline, words: BannerWords) -> impl IntoView {
    let booking = words;
    let athlete = booking.athlete_name.clone();
    let held_until = booking.held_until.clone().unwrap_or_default();
    const NEUTRAL: &str = "border-slate-300 bg-slate-50 text-slate-900";
    const GOOD: &str = "border-green-300 bg-green-50 text-green-900";
    const WAITING: &str = "border-indigo-300 bg-indigo-50 text-indigo-900";
    const OWED: &str = "border-amber-300 bg-amber-50 text-amber-900";
    let (tone, title, detail): (&str, &str, String) = match headline {
        Headline::SessionCancelled => (
            NEUTRAL,
            "Session cancelled by the coach",
            format!(
                "{} cancelled {} on {}, so {athlete}'s booking is cancelled. Nothing is owed.",
                booking.business_name, booking.session_title, booking.when
            ),
        ),
        Headline::Cancelled => (
            NEUTRAL,
            "Booking cancelled",
            format!("{athlete}'s place is released."),
        ),
        Headline::Moved => (
            GOOD,
            "Booking moved",
            format!(
                "{athlete} is now booked into {} on {}. The new calendar entry is on its way by email.",
                booking.session_title, booking.when
            ),
        ),
        // An admin's entry, settled outside online payment: nothing is owed here.
        Headline::Settled => (
            GOOD,
            "Booking confirmed",
            format!(
                "{athlete}'s place is booked ({}): there is nothing to pay online.",
                booking.settled.clone().unwrap_or_default().to_lowercase()
            ),
        ),
        Headline::ConfirmingBankPayment => (
            WAITING,
            "Confirming your payment",
            "Your bank payment is on its way; bank transfers can take a few days. This page updates by itself, and we will email you when it lands.".into(),
        ),
        Headline::Confirming => (
            WAITING,
            "Confirming your payment",
            "This usually takes a few seconds. This page updates by itself.".into(),
        ),
        Headline::Paid => (
            GOOD,
            "Payment received",
            format!("Thank you! {athlete}'s place is confirmed."),
        ),
        Headline::Refunded => (NEUTRAL, "Refunded", "This booking was refunded.".into()),
        Headline::Failed => (
            "border-red-300 bg-red-50 text-red-900",
            "Payment failed",
            format!(
                "{} Your booking is saved; you can try again.",
                booking
                    .failure
                    .clone()
                    .unwrap_or_else(|| "The payment did not go through.".into())
            ),
        ),
        // The hold ran out: the place is no longer kept; paying books it again if one is left.
        Headline::HoldOver => (
            OWED,
            "Your place is no longer held",
            format!("The hold on {athlete}'s place ended at {held_until}. Pay now to book it again while places are left."),
        ),
        Headline::CheckoutLeft => (
            OWED,
            "Payment cancelled",
            format!("Nothing was charged. Your booking is saved but unpaid, and its place is held until {held_until}: pay by then to confirm it."),
        ),
        Headline::Awaiting => (
            OWED,
            "Awaiting payment",
            format!("{athlete}'s place is held until {held_until}: pay by then to confirm it."),
        ),
    };
    view! {
        <div class=format!("rounded-2xl border p-5 {tone}") role="status" aria-live="polite" data-testid="payment-banner" data-headline=format!("{headline:?}")>
            <h1 class="text-2xl font-bold">{title}</h1>
            <p class="mt-1">{detail}</p>
        </div>
    }
}

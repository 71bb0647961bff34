//! The landing page: what the service is, and the way in for parents.

use crate::components::form::BUTTON_CLASS;
use crate::components::session_list::SessionList;
use leptos::prelude::*;

#[component]
pub fn Landing() -> impl IntoView {
    let (show_steps, set_show_steps) = signal(false);

    view! {
        <section class="rounded-2xl bg-white p-6 shadow-sm md:p-10">
            <h1 class="text-3xl font-bold tracking-tight md:text-4xl">"Book a coaching session"</h1>
            <p class="mt-3 max-w-2xl text-slate-600">
                "Pick a session for your athlete, fill in one short form and pay securely with Stripe. "
                "You get a booking page you can come back to at any time."
            </p>
            <div class="mt-6 flex flex-wrap gap-3">
                <a href="/book" class=BUTTON_CLASS>"Book a session"</a>
                <button
                    type="button"
                    id="how-it-works-toggle"
                    class="rounded-lg border border-slate-300 px-4 py-2 font-medium hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
                    aria-expanded=move || show_steps.get().to_string()
                    aria-controls="how-it-works"
                    on:click=move |_| set_show_steps.update(|open| *open = !*open)
                >
                    {move || if show_steps.get() { "Hide how it works" } else { "How it works" }}
                </button>
            </div>
            <Show when=move || show_steps.get()>
                <ol id="how-it-works" class="mt-6 list-decimal space-y-2 pl-6 text-slate-700">
                    <li>"Choose an upcoming session with places left."</li>
                    <li>"Tell us about you and your athlete."</li>
                    <li>"Pay on Stripe's secure checkout page."</li>
                    <li>"Your booking page confirms the payment as soon as it lands."</li>
                </ol>
            </Show>
        </section>
        <SessionList/>
    }
}

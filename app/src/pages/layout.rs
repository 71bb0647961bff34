//! The frame around every page: header, navigation, not-found.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

#[component]
pub fn SiteHeader() -> impl IntoView {
    // Admin pages show the admin's menu only: the parent's link is not theirs.
    let pathname = use_location().pathname;
    let admin = move || pathname.with(|p| p == "/admin" || p.starts_with("/admin/"));
    view! {
        <a href="#main" class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2">
            "Skip to content"
        </a>
        <header class="border-b border-slate-200 bg-white print:hidden">
            <nav class="mx-auto flex w-full max-w-5xl flex-wrap items-center justify-between gap-2 px-4 py-3" aria-label="Main">
                <A href="/" attr:class="text-lg font-bold text-slate-900 hover:text-indigo-700">"Coaching sessions"</A>
                <Show when=move || !admin()>
                    <span class="flex flex-wrap items-center gap-4">
                        <A href="/find" attr:class="text-sm font-medium text-indigo-700 underline">"Find my booking"</A>
                        <A href="/sign-in" attr:class="text-sm font-medium text-indigo-700 underline">"Sign in"</A>
                    </span>
                </Show>
            </nav>
        </header>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <section class="py-16 text-center">
            <h1 class="text-2xl font-bold">"Page not found"</h1>
            <p class="mt-2 text-slate-600">"The address may be mistyped, or the page has moved."</p>
            <a class="mt-6 inline-block text-indigo-700 underline" href="/">"Back to the start"</a>
        </section>
    }
}

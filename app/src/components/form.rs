//! Form fields with their label, hint and error tied together for screen readers.

use leptos::prelude::*;

pub const INPUT_CLASS: &str = "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base shadow-sm focus:border-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 aria-[invalid=true]:border-red-600";
pub const BUTTON_CLASS: &str = "inline-flex items-center justify-center rounded-lg bg-indigo-600 px-5 py-2.5 font-semibold text-white hover:bg-indigo-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:cursor-wait disabled:opacity-60";
pub const SECONDARY_BUTTON_CLASS: &str = "inline-flex items-center justify-center rounded-lg border border-slate-300 bg-white px-5 py-2.5 font-semibold text-slate-800 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2";

/// The error line under a field; its id is what the field's `aria-describedby` points at.
#[component]
pub fn FieldError(
    #[prop(into)] id: String,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <p id=id class="mt-1 text-sm font-medium text-red-700" aria-live="polite">
            {move || error.get().map(|e| view! { <span>{e}</span> })}
        </p>
    }
}

/// A labelled text-like input.
#[component]
pub fn TextField(
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = true)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = if hint.is_some() {
        format!("{hint_id} {error_id}")
    } else {
        error_id.clone()
    };
    view! {
        <div>
            <label for=id.clone() class="block font-medium text-slate-800">
                {label}
                {(!required).then(|| view! { <span class="font-normal text-slate-500">" (optional)"</span> })}
            </label>
            {hint.map(|h| view! { <p id=hint_id.clone() class="text-sm text-slate-600">{h}</p> })}
            <input
                id=id
                name=name
                type=kind
                class=INPUT_CLASS
                value=move || value.get()
                required=required
                autocomplete=autocomplete
                inputmode=inputmode
                aria-describedby=described
                aria-invalid=move || error.get().is_some().to_string()
            />
            <FieldError id=error_id error=error/>
        </div>
    }
}

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

/// An optional text (the notes, by default), bounded by `maxlength` (the browser stops at the
/// limit, so nothing typed is cut later) with a count of what is used, live once the page's
/// script runs.
#[component]
pub fn NotesField(
    #[prop(into)] label: String,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = "notes")] name: &'static str,
    #[prop(default = domain::booking_form::MAX_NOTES)] max: usize,
    #[prop(optional_no_strip)] hint: Option<String>,
) -> impl IntoView {
    let (typed, set_typed) = signal(None::<usize>);
    let used = move || typed.get().unwrap_or_else(|| value.get().chars().count());
    // The count is live only in the browser: before the script runs the page says the limit.
    let (live, set_live) = signal(false);
    Effect::new(move |_| set_live.set(true));
    let id = format!("field-{name}");
    let count_id = format!("{id}-count");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = match hint {
        Some(_) => format!("{hint_id} {count_id} {error_id}"),
        None => format!("{count_id} {error_id}"),
    };
    view! {
        <div>
            <label for=id.clone() class="block font-medium text-slate-800">
                {label} <span class="font-normal text-slate-500">" (optional)"</span>
            </label>
            {hint.map(|h| view! { <p id=hint_id.clone() class="text-sm text-slate-600">{h}</p> })}
            <textarea
                id=id.clone()
                name=name
                rows="3"
                maxlength=max
                class=INPUT_CLASS
                aria-describedby=described
                aria-invalid=move || error.get().is_some().to_string()
                prop:value=move || value.get()
                on:input=move |event| set_typed.set(Some(event_target_value(&event).chars().count()))
            >{move || value.get()}</textarea>
            <p id=count_id class="mt-1 text-sm text-slate-600" data-testid=format!("{name}-count")>
                {move || if live.get() {
                    format!("{} of {max} characters", used())
                } else {
                    format!("Up to {max} characters")
                }}
            </p>
            <FieldError id=error_id error=error/>
        </div>
    }
}

/// One entry of a session picker: the value sent, the text shown, and whether it can be chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionChoice {
    pub id: i64,
    pub label: String,
    pub disabled: bool,
    /// It has started: listed apart, under "Past sessions", after those to come.
    pub past: bool,
}

/// The labelled `session` select, filled once `choices` has loaded.
#[component]
pub fn SessionSelect<C, F>(
    choices: C,
    #[prop(into)] chosen: Signal<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView
where
    C: Fn() -> F + Send + Sync + 'static,
    F: std::future::Future<Output = Vec<SessionChoice>> + Send + 'static,
{
    view! {
        <div>
            <label for="field-session" class="block font-medium text-slate-800">"Session"</label>
            <Suspense fallback=|| view! { <p class="text-slate-600">"Loading sessions…"</p> }>
                {move || {
                    let list = choices();
                    Suspend::new(async move {
                        let list = list.await;
                        view! {
                            <select
                                id="field-session"
                                name="session"
                                class=INPUT_CLASS
                                aria-describedby="field-session-error"
                                aria-invalid=move || error.get().is_some().to_string()
                            >
                                <option value="">"Choose a session"</option>
                                {
                                    let option = move |choice: SessionChoice| {
                                        let id = choice.id.to_string();
                                        let selected = {
                                            let id = id.clone();
                                            move || chosen.get() == id
                                        };
                                        view! { <option value=id selected=selected disabled=choice.disabled>{choice.label}</option> }
                                    };
                                    let (past, upcoming): (Vec<_>, Vec<_>) = list.into_iter().partition(|c| c.past);
                                    view! {
                                        {upcoming.into_iter().map(option).collect_view()}
                                        {(!past.is_empty()).then(|| view! {
                                            <optgroup label="Past sessions">{past.into_iter().map(option).collect_view()}</optgroup>
                                        })}
                                    }
                                }
                            </select>
                        }
                    })
                }}
            </Suspense>
            <FieldError id="field-session-error" error=error/>
        </div>
    }
}

/// What a form's last submission said, field by field: the values to show again, each
/// field's problem, and a message for the whole form.
#[derive(Debug, Clone, Copy)]
pub struct FormFeedback {
    invalid: Signal<Option<domain::booking_form::FieldErrors>>,
    message: Signal<Option<String>>,
}

impl FormFeedback {
    pub fn new<T: Send + Sync + 'static>(
        result: impl Fn() -> Option<Result<T, crate::error::AppError>> + Send + Sync + Copy + 'static,
    ) -> Self {
        Self {
            invalid: Signal::derive(move || {
                result()
                    .and_then(|r| r.err())
                    .and_then(|e| e.fields().cloned())
            }),
            message: Signal::derive(move || {
                result().and_then(|r| r.err()).and_then(|e| e.message())
            }),
        }
    }

    /// What was typed in `field` when the form came back, or `fallback`.
    pub fn value_or(
        self,
        field: &'static str,
        fallback: impl Fn() -> String + Send + Sync + 'static,
    ) -> Signal<String> {
        Signal::derive(move || {
            self.invalid
                .get()
                .and_then(|f| f.values.get(field).cloned())
                .unwrap_or_else(&fallback)
        })
    }

    pub fn value(self, field: &'static str) -> Signal<String> {
        self.value_or(field, String::new)
    }

    pub fn error(self, field: &'static str) -> Signal<Option<String>> {
        Signal::derive(move || {
            self.invalid
                .get()
                .and_then(|f| f.errors.get(field).cloned())
        })
    }

    /// Whether the form came back with errors and `field` was sent (a ticked checkbox).
    pub fn was_sent(self, field: &'static str) -> Signal<bool> {
        Signal::derive(move || {
            self.invalid
                .get()
                .is_some_and(|f| f.values.contains_key(field))
        })
    }

    pub fn returned(self) -> Signal<bool> {
        Signal::derive(move || self.invalid.get().is_some())
    }
}

/// Moves the keyboard (and a screen reader's attention) to the element `id`, in the browser.
pub fn focus_element(id: &str) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

/// The list of a form's problems at its top, each linking to its field, in form order. When a
/// submission comes back refused, the summary takes the focus (and, as an alert, is read out);
/// each link moves the focus to its field.
#[component]
pub fn ErrorSummary(feedback: FormFeedback, order: &'static [&'static str]) -> impl IntoView {
    let summary = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let refused = feedback
            .invalid
            .get()
            .is_some_and(|fields| !fields.errors.is_empty());
        if let (true, Some(element)) = (refused, summary.get()) {
            let _ = element.focus();
        }
    });
    view! {
        {move || feedback.invalid.get().filter(|fields| !fields.errors.is_empty()).map(|fields| view! {
            <div node_ref=summary tabindex="-1" class="mt-6 rounded-lg border border-red-300 bg-red-50 p-4 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-600" role="alert" aria-labelledby="error-summary-title" data-testid="error-summary">
                <h2 id="error-summary-title" class="font-semibold text-red-800">
                    {match fields.errors.len() { 1 => "There is a problem with 1 field".to_owned(), n => format!("There are problems with {n} fields") }}
                </h2>
                <ul class="mt-2 list-disc pl-5 text-red-800">
                    {order.iter().filter_map(|field| fields.errors.get(*field).map(|m| (*field, m.clone()))).map(|(field, message)| {
                        let target = format!("field-{field}");
                        let href = format!("#{target}");
                        let focus = move |event: leptos::ev::MouseEvent| {
                            event.prevent_default();
                            focus_element(&target);
                        };
                        view! { <li><a href=href class="underline" on:click=focus>{message}</a></li> }
                    }).collect_view()}
                </ul>
            </div>
        })}
        {move || feedback.message.get().map(|m| view! {
            <p class="mt-6 rounded-lg bg-red-50 p-4 text-red-800" role="alert">{m}</p>
        })}
    }
}

//! The hydrate entry point: the browser picks up the server-rendered page and makes it live.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panic messages in the browser console while developing; a release build leaves the hook
    // (and the formatting it needs) out of the wasm a parent downloads.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    // Lazy: an admin page's code is a separate chunk, loaded before that page hydrates.
    leptos::mount::hydrate_lazy(app::App);
}

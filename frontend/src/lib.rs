//! The hydrate entry point: the browser picks up the server-rendered page and makes it live.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Lazy: an admin page's code is a separate chunk, loaded before that page hydrates.
    leptos::mount::hydrate_lazy(app::App);
}

//! The live connection of the admin's pages: the server tells open pages when a booking
//! changed, and each page that shows bookings refetches.

use leptos::prelude::*;

/// Bumped whenever the server says a booking changed; admin pages refetch on it.
#[derive(Debug, Clone, Copy)]
pub struct LiveVersion(pub ReadSignal<u64>);

/// Opens the live connection (in the browser only) and bumps the version on each message, and
/// once each time it (re)connects.
pub fn connect_live(set_version: WriteSignal<u64>) {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::{closure::Closure, JsCast};
            let Ok(source) = web_sys::EventSource::new("/api/admin/live") else {
                return;
            };
            let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |_event: web_sys::MessageEvent| set_version.update(|v| *v += 1),
            );
            let _ = source
                .add_event_listener_with_callback("booking", on_message.as_ref().unchecked_ref());
            on_message.forget();
            // Whatever changed between the page's render and this connection (or while it was
            // down, before a reconnect) was never announced to it: look again once connected.
            let on_open =
                Closure::<dyn FnMut(web_sys::Event)>::new(move |_event: web_sys::Event| {
                    set_version.update(|v| *v += 1)
                });
            let _ =
                source.add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref());
            on_open.forget();
            let source = send_wrapper::SendWrapper::new(source);
            on_cleanup(move || source.close());
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = set_version;
    });
}

//! Pages as lazily loaded routes (`cargo leptos build --split`): each page's code is a wasm
//! chunk of its own, fetched when that page is shown, so the main module a browser loads first
//! holds only the pages most visits need.

/// Defines, for each `Route => page component`, a lazy route with no route data of its own
/// (each page loads its data) whose view is the page, in its own chunk.
macro_rules! lazy_pages {
    ($($(#[$doc:meta])* $route:ident => $page:path,)*) => {$(
        $(#[$doc])*
        pub struct $route;

        #[::leptos_router::lazy_route]
        impl ::leptos_router::LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> ::leptos::prelude::AnyView {
                ::leptos::prelude::IntoAny::into_any(::leptos::prelude::view! { <$page/> })
            }
        }
    )*};
}
pub(crate) use lazy_pages;

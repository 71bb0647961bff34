//! The admin's pages as lazily loaded routes: their code is a separate wasm chunk that a
//! parent's browser never downloads (`cargo leptos build --split`).

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// One admin page as a lazy route: no route data of its own (each page loads its data), the
/// view in the lazily loaded chunk.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident => $page:path) => {
        $(#[$doc])*
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    };
}

lazy_page!(
    /// `/admin/login`.
    LoginRoute => super::login::LoginPage
);
lazy_page!(
    /// `/admin`: the frame around every admin page.
    LayoutRoute => super::layout::AdminLayout
);
lazy_page!(
    /// `/admin` (index): the bookings table.
    BookingsRoute => super::bookings::BookingsPage
);
lazy_page!(
    /// `/admin/issues`.
    IssuesRoute => super::issues::IssuesPage
);
lazy_page!(
    /// `/admin/sessions`.
    SessionsRoute => super::sessions::SessionsPage
);
lazy_page!(
    /// `/admin/sessions/new`.
    NewSessionRoute => super::sessions::NewSessionPage
);
lazy_page!(
    /// `/admin/sessions/:id`.
    EditSessionRoute => super::sessions::EditSessionPage
);
lazy_page!(
    /// `/admin/bookings/new`.
    ManualBookingRoute => super::manual::ManualBookingPage
);
lazy_page!(
    /// `/admin/bookings/:id`.
    BookingDetailRoute => super::detail::BookingDetailPage
);

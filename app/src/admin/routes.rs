//! The admin's pages as lazily loaded routes: their code is a separate wasm chunk that a
//! parent's browser never downloads (`cargo leptos build --split`).

use crate::components::lazy::lazy_pages;

lazy_pages! {
    /// `/admin/login`.
    LoginRoute => super::login::LoginPage,
    /// `/admin`: the frame around every admin page.
    LayoutRoute => super::layout::AdminLayout,
    /// `/admin` (index): the bookings table.
    BookingsRoute => super::bookings::BookingsPage,
    /// `/admin/issues`.
    IssuesRoute => super::issues::IssuesPage,
    /// `/admin/sessions`.
    SessionsRoute => super::sessions::SessionsPage,
    /// `/admin/sessions/new`.
    NewSessionRoute => super::sessions::NewSessionPage,
    /// `/admin/terms/new`.
    NewTermRoute => super::terms::NewTermPage,
    /// `/admin/terms/:id/change`.
    ChangeTermRoute => super::terms::ChangeTermPage,
    /// `/admin/terms/:id`.
    TermRoute => super::term_page::TermPage,
    /// `/admin/sessions/:id`.
    EditSessionRoute => super::sessions::EditSessionPage,
    /// `/admin/sessions/:id/cancel`.
    CancelSessionRoute => super::sessions::CancelSessionPage,
    /// `/admin/sessions/:id/message`.
    MessageRoute => super::message::SessionMessagePage,
    /// `/admin/sessions/:id/roster`.
    RosterRoute => super::roster::RosterPage,
    /// `/admin/emails`.
    EmailsRoute => super::emails::EmailsPage,
    /// `/admin/bookings/new`.
    ManualBookingRoute => super::manual::ManualBookingPage,
    /// `/admin/bookings/:id/confirm`.
    ConfirmMoneyRoute => super::money::ConfirmMoneyPage,
    /// `/admin/bookings/:id`.
    BookingDetailRoute => super::detail::BookingDetailPage,
}

//! The parent's pages other than the start page and the booking form, as lazily loaded routes:
//! a parent who books downloads only the code of the pages on the way to booking; the booking's
//! own pages, the waitlist, moving and finding a booking come as chunks when visited.

use crate::components::lazy::lazy_pages;

lazy_pages! {
    /// `/book/term/:id`.
    BookTermRoute => super::book_term::BookTermPage,
    /// `/find`.
    FindRoute => super::find::FindBookingPage,
    /// `/bookings/:reference`.
    BookingRoute => super::booking::BookingDetailsPage,
    /// `/bookings/:reference/paid`.
    PaidRoute => super::booking::BookingPaidPage,
    /// `/bookings/:reference/cancelled`.
    CancelledRoute => super::booking::BookingCancelledPage,
    /// `/bookings/:reference/cancel`.
    CancelRoute => super::booking::BookingCancelPage,
    /// `/bookings/:reference/cancel-term`.
    TermCancelRoute => super::term_cancel::TermCancelPage,
    /// `/bookings/:reference/move`.
    MoveRoute => super::moving::MoveBookingPage,
    /// `/waitlist/join`.
    JoinWaitlistRoute => super::waitlist::JoinWaitlistPage,
    /// `/waitlist/joined`.
    WaitlistJoinedRoute => super::waitlist::WaitlistJoinedPage,
    /// `/waitlist/:token`.
    WaitlistPlaceRoute => super::waitlist::WaitlistPlacePage,
    /// `/terms`.
    TermsRoute => super::terms::TermsPage,
    /// `/sign-in`.
    SignInRoute => super::sign_in::SignInPage,
    /// `/sign-in/:token`.
    SignInLinkRoute => super::sign_in::SignInLinkPage,
    /// `/family`.
    FamilyRoute => super::family::FamilyPage,
    /// `/family/address/:token`.
    AddressLinkRoute => super::sign_in::AddressLinkPage,
    /// `/checkout/simulated/:session_id`.
    SimulatedCheckoutRoute => super::simulated::SimulatedCheckoutPage,
}

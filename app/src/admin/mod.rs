//! The admin's side: login, the live bookings table with both status tags, attendance,
//! booking detail, payment issues, training sessions and manual bookings. Every page and
//! server function here checks the admin's login on the server (`crate::access`).
//!
//! Each file is one page (or, for `layout`, the frame around them) with its server functions;
//! pages never import each other: what two pages share is in `crate::components` or a service.
//! Every server function here is named `admin_...`.

pub mod bookings;
pub mod detail;
pub mod emails;
pub mod issues;
pub mod layout;
pub mod login;
pub mod manual;
pub mod message;
pub mod money;
pub mod roster;
pub mod routes;
pub mod sessions;
pub mod term_page;
pub mod terms;

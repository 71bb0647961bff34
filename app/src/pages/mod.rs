//! The parent's pages, one module per page or group of pages, each with its server functions.
//! Pages never import each other: what two pages share is in `crate::components` or a
//! service.

pub mod book;
pub mod book_term;
pub mod booking;
pub mod family;
pub mod find;
pub mod landing;
pub mod layout;
pub mod moving;
pub mod routes;
pub mod sign_in;
pub mod simulated;
pub mod term_cancel;
pub mod terms;
pub mod waitlist;

//! The pages of the site, one module per page or group of pages.

pub mod book;
pub mod booking;
pub mod find;
pub mod landing;
pub mod layout;
pub mod moving;
pub mod routes;
pub mod sessions;
pub mod simulated;
pub mod waitlist;

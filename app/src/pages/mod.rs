//! The pages of the site, one module per page or group of pages.

pub mod landing;
pub mod layout;

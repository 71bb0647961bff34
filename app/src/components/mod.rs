//! Small pieces of UI used on several pages.

pub mod form;
pub mod lazy;
pub mod tag;

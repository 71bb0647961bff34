//! Small pieces of UI used on several pages.

pub mod tag;

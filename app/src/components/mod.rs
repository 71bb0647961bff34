//! The pieces of UI that more than one page uses. A component never imports a page
//! (`crate::pages`, `crate::admin`): what two pages share lives here, or in a service.

pub mod admin_sessions;
pub mod attendance;
pub mod booking_fields;
pub mod family_request;
pub mod feed_link;
pub mod form;
pub mod headline;
pub mod lazy;
pub mod live;
pub mod medical;
pub mod move_choice;
pub mod reminder_switch;
pub mod session_list;
#[cfg(feature = "ssr")]
pub mod sessions_notice;
pub mod tag;
pub mod term_cancel;
pub mod term_list;
pub mod today;
pub mod waiver;

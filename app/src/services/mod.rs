//! The use cases: one function per thing a parent, an admin, Stripe or the command line can
//! make happen. Each takes what it needs (the database, the settings, the payment provider),
//! decides with the pure rules of `domain`, and writes through `crate::db` (never SQL of its
//! own), inside one transaction where the change must be atomic. Pages, server functions, the
//! webhook and the CLI call these; nothing here renders.
//!
//! | use case                          | function                                   |
//! |-----------------------------------|--------------------------------------------|
//! | book (parent or manual)           | `booking::book`, `booking::book_from_form` |
//! | start or resume a checkout        | `checkout::start_checkout`                 |
//! | apply a Stripe event              | `payments::apply_event`, `payment_writer`  |
//! | set attendance                    | `attendance::set`                          |
//! | reconcile with Stripe             | `reconcile::reconcile_booking`, `_due`     |
//! | training sessions                 | `sessions::{create, save}`                 |
//! | admin accounts and logins         | `admins::{login, logout, upsert_admin}`    |
//! | mail (queue, send)                | `mail::{queue, spawn_sender}`              |
//! | cancel (parent, admin, session)   | `cancellation::{cancel_by_parent, ...}`    |
//! | refund                            | `refunds::{refund_by_admin, send, resume}` |
//! | a family signs in, changes address | `families::{mail_sign_in_link, sign_in, confirm_address}` |
//! | a family's athletes, export, erase | `family_data::{athletes, export, erase, erase_past}` |

pub mod admins;
pub mod attendance;
pub mod booking;
pub mod cancellation;
pub mod checkout;
pub mod families;
pub mod family_data;
pub mod family_refunds;
pub mod feeds;
pub mod gateway;
pub mod issues;
pub mod lookup;
pub mod mail;
pub mod make_up;
pub mod medical;
pub mod messages;
pub mod moves;
pub mod payment_writer;
pub mod payments;
pub mod rebook;
pub mod reconcile;
pub mod refunds;
pub mod reminders;
pub mod returned_forms;
pub mod sealed;
pub mod sessions;
pub mod term_booking;
pub mod term_families;
pub mod terms;
pub mod waitlist;

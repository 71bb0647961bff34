//! The server's integration tests, in one test binary: each module below was a binary of its
//! own, and each compiled `support` and linked the whole server again. One module runs with
//! `cargo test -p server --test api webhook::`, one database with `... -- postgres::`.
//!
//! Run them one at a time (`-- --test-threads=1`, as scripts/test.sh does): each starts a whole
//! app in this process, and Leptos keeps process-wide state. The tests that need a process of
//! their own (a `kill -9`, SIGTERM, the command line, the logs) start the real `server` binary
//! as a child (`support::ServerProcess`), never this one.

// First, so that its `on_both_databases!` is in scope in every module after it.
#[macro_use]
mod support;

mod abuse;
mod admin;
mod admin_words;
mod after_payment;
mod booking;
mod checkout_stripe;
mod cli;
mod coach_day;
mod fake_stripe;
mod families;
mod feed;
mod fixtures;
mod foundation;
mod lifecycle_edges;
mod list_search;
mod maildev;
mod messages;
mod one_message;
mod payment_integrity;
mod payment_writer;
mod place_counts;
mod promotion_codes;
mod rebook;
mod reliability;
mod reminders;
mod session_change;
mod sessions_words;
mod siblings;
mod static_files;
mod term_changes;
mod terms;
mod track;
mod track_form;
mod webhook;
mod webhook_order;
mod webhook_outage;
mod words_true;

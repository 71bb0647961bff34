//! The server: configuration, the HTTP application, and the commands of the binary.

pub mod admin;
pub mod assets;
pub mod calendar;
pub mod client_limits;
pub mod config;
pub mod family_export;
pub mod form_return;
pub mod health;
pub mod http;
pub mod metrics;
pub mod serve;
pub mod simulated;
pub mod startup;
pub mod stripe_gateway;
pub mod telemetry;
pub mod webhook;

pub use config::Config;
pub use startup::Application;

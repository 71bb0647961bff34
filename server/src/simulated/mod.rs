//! Simulated payments: a stand-in for Stripe's hosted checkout whose buttons deliver correctly
//! signed Stripe events through the real webhook, for development and tests where Stripe
//! cannot be reached. Never used in production unless explicitly allowed.

pub mod checkout;
pub mod demo;
pub mod events;

pub use checkout::Simulator;

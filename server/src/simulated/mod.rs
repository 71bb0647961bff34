//! Simulated payments: Stripe's events, built and signed here and delivered through the real
//! webhook, for development and tests where Stripe cannot be reached.

pub mod events;

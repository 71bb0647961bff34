//! What the use cases stand on but is not a use case: the in-memory rate limiter and the SMTP
//! transport (behind `services::mail::MailTransport`). (The payment provider's client is the
//! server's: `server::stripe_gateway`, behind `services::gateway::PaymentGateway`.)

pub mod limits;
pub mod smtp;

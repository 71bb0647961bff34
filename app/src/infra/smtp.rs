//! The SMTP transport (`lettre`): a rendered mail as a message on the wire (plain text and
//! HTML, the calendar entry attached, a Message-ID made from its outbox row), sent with a
//! timeout so a stuck server cannot hold a mail (or the sender) forever.

use crate::services::mail::{MailTransport, NotSent, Outgoing};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Smtp {
    /// The transport to `url` (`smtp://user:pass@host:587?tls=required`, `smtps://...`),
    /// writing from `from` (`MAIL_FROM`), each exchange with the server within `timeout`.
    pub fn new(url: &str, from: &str, timeout: Duration) -> Result<Self, String> {
        Ok(Self {
            transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map_err(|e| format!("SMTP_URL: {e}"))?
                .timeout(Some(timeout))
                .build(),
            from: from.parse().map_err(|e| format!("MAIL_FROM: {e}"))?,
        })
    }

    /// The message on the wire.
    fn message(&self, outgoing: &Outgoing<'_>) -> Result<Message, String> {
        let to: Mailbox = outgoing.to.parse().map_err(|e| format!("recipient: {e}"))?;
        let mail = outgoing.mail;
        let domain = self.from.email.domain().to_owned();
        let alternative = MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone());
        let body = match &mail.ics {
            Some(ics) => {
                // The part's method is the file's own (`PUBLISH`, or `CANCEL` withdrawing it).
                let method = if ics.contains("\r\nMETHOD:CANCEL\r\n") {
                    "CANCEL"
                } else {
                    "PUBLISH"
                };
                MultiPart::mixed().multipart(alternative).singlepart(
                    Attachment::new("session.ics".to_owned()).body(
                        ics.clone(),
                        ContentType::parse(&format!(
                            "text/calendar; charset=utf-8; method={method}"
                        ))
                        .expect("a valid content type"),
                    ),
                )
            }
            None => alternative,
        };
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!(
                "<outbox-{}-{}@{domain}>",
                outgoing.row, outgoing.created_at
            )))
            .multipart(body)
            .map_err(|e| e.to_string())
    }
}

#[async_trait::async_trait]
impl MailTransport for Smtp {
    async fn send(&self, outgoing: Outgoing<'_>) -> Result<(), NotSent> {
        // A message that cannot be built will not be built next time either.
        let message = self.message(&outgoing).map_err(|error| NotSent {
            error,
            permanent: true,
        })?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| NotSent {
                permanent: e.is_permanent(),
                error: e.to_string(),
            })
    }
}

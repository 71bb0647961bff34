//! A session's time or place changed by an admin (issue 24), on both databases: every family
//! booked is mailed the change with a calendar entry that replaces the old one (the same uid, a
//! newer sequence, again for a second change), and may cancel with a full refund whatever the
//! cut-off; a family that cancelled before is not told.

use crate::support::maildev::MailDev;
use crate::support::*;
use domain::session_form::{NewTrainingSession, SessionDetails};
use std::time::Duration;

async fn changed_mails(mail: &MailDev, n: usize) -> Vec<crate::support::maildev::ReceivedEmail> {
    mail.wait_for_subject("Session changed:", n, Duration::from_secs(30))
        .await
}

async fn a_changed_time_is_mailed_with_a_replacing_calendar_entry_and_frees_the_cut_off(
    backend: Backend,
) {
    let mail = MailDev::start().await;
    let url = mail.smtp_url();
    let app = TestApp::spawn_with(
        backend,
        &[
            ("SMTP_URL", url.as_str()),
            ("MAIL_FROM", "Riverside Coaching <bookings@example.com>"),
            ("BUSINESS_NAME", "Riverside Coaching"),
            ("CANCELLATION_CUTOFF_HOURS", "48"),
        ],
    )
    .await;
    let starts_at = app::db::now_ms() + 30 * 3_600_000;
    let mut session = NewTrainingSession {
        title: "Sprint technique".into(),
        starts_at,
        duration_minutes: 60,
        location: "Track 2".into(),
        capacity: 10,
        price_amount: 4500,
        currency: "USD".into(),
    };
    let id = app::services::sessions::create(&app.db, &session)
        .await
        .unwrap();
    let (paid_id, paid_ref, checkout) = book_online(&app, id, "Paid Family").await;
    press_simulated(&app, &checkout, "pay").await;
    for _ in 0..100 {
        if statuses(&app.db, paid_id).await.0 == "paid" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, unpaid_ref, _) = book_online(&app, id, "Unpaid Family").await;
    let (gone_id, _, _) = book_online(&app, id, "Gone Family").await;
    app::services::cancellation::cancel_by_admin(&app.db, &NoGateway, gone_id, ADMIN_EMAIL, false)
        .await
        .unwrap();
    // Within the 48-hour cut-off: cancelling online is refused, as always.
    let refused = app
        .server_fn("bookings/cancel", &[("reference", paid_ref.as_str())])
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);

    // Rain: an hour later, in the hall.
    session.starts_at = starts_at + 3_600_000;
    session.location = "Sports hall".into();
    let saved = app::services::sessions::save_from_form(
        &app.db,
        Some(id),
        &session,
        &SessionDetails::default(),
    )
    .await
    .unwrap();
    assert_eq!(saved, app::services::sessions::Saved::Done(id));
    let told = changed_mails(&mail, 2).await;
    assert_eq!(told.len(), 2, "the cancelled family is not told");
    for (address, reference) in [
        ("paid.family@example.com", &paid_ref),
        ("unpaid.family@example.com", &unpaid_ref),
    ] {
        let m = told.iter().find(|m| m.to == [address.to_owned()]).unwrap();
        assert!(
            m.text.contains("at Track 2 to ") && m.text.contains("at Sports hall."),
            "{}",
            m.text
        );
        let ics = String::from_utf8(m.attachment("session.ics").unwrap().content.clone()).unwrap();
        assert!(ics.contains(&format!("UID:booking-{reference}@")), "{ics}");
        assert!(ics.contains("SEQUENCE:1"), "{ics}");
        assert!(ics.contains("LOCATION:Sports hall"), "{ics}");
    }
    // The booking page's calendar entry is the new one too.
    let entry = app
        .client
        .get(app.url(&format!("/bookings/{paid_ref}/calendar.ics")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        entry.contains("SEQUENCE:1") && entry.contains("Sports hall"),
        "{entry}"
    );

    // A second change: a newer entry again. A change of price or title only tells no one.
    session.starts_at += 3_600_000;
    app::services::sessions::save_from_form(
        &app.db,
        Some(id),
        &session,
        &SessionDetails::default(),
    )
    .await
    .unwrap();
    let told = changed_mails(&mail, 4).await;
    let latest = told
        .iter()
        .filter(|m| m.to == ["paid.family@example.com".to_owned()])
        .filter_map(|m| m.attachment("session.ics"))
        .map(|a| String::from_utf8(a.content.clone()).unwrap())
        .find(|ics| ics.contains("SEQUENCE:2"));
    assert!(latest.is_some(), "the second change's entry is newer");
    session.title = "Sprint technique (hall)".into();
    app::services::sessions::save_from_form(
        &app.db,
        Some(id),
        &session,
        &SessionDetails::default(),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(changed_mails(&mail, 4).await.len(), 4);

    // The family the change does not suit cancels, within the cut-off, with a full refund.
    let cancelled = app
        .server_fn("bookings/cancel", &[("reference", paid_ref.as_str())])
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    let refund: i64 = sqlx::query_scalar("SELECT amount FROM refunds WHERE booking_id = $1")
        .bind(paid_id)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert_eq!(refund, 4500);
}

/// A gateway the admin's cancellation of an unpaid booking never calls.
struct NoGateway;

#[async_trait::async_trait]
impl app::services::gateway::PaymentGateway for NoGateway {
    fn mode(&self) -> domain::StripeMode {
        domain::StripeMode::Test
    }
    async fn create_session(
        &self,
        _: &app::services::gateway::CheckoutRequest,
    ) -> Result<app::services::gateway::CreatedSession, app::services::gateway::GatewayError> {
        unreachable!("no checkout here")
    }
    async fn retrieve_session(
        &self,
        _: &str,
    ) -> Result<app::services::gateway::RetrievedSession, app::services::gateway::GatewayError>
    {
        unreachable!("no checkout here")
    }
    async fn expire_session(&self, _: &str) -> Result<(), app::services::gateway::GatewayError> {
        Ok(())
    }
    async fn create_refund(
        &self,
        _: &app::services::gateway::RefundRequest,
    ) -> Result<app::services::gateway::CreatedRefund, app::services::gateway::GatewayError> {
        unreachable!("no refund here")
    }
}

on_both_databases!(a_changed_time_is_mailed_with_a_replacing_calendar_entry_and_frees_the_cut_off);

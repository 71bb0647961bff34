//! One true message at a time (issue 26): an instant payment gets one confirmation (the
//! receipt, with the booking's reference and the calendar entry), the "place held" mail goes
//! only while a payment is really awaited; the booking page offers its calendar entry as it
//! stands; each page's headline says what just happened and its tag agrees; "Change session"
//! is offered only when there is a session to change to.

use crate::support::maildev::MailDev;
use crate::support::*;
use std::time::Duration;

async fn mailing_app(backend: Backend, mail: &MailDev, delay_secs: &str) -> TestApp {
    let url = mail.smtp_url();
    TestApp::spawn_with(
        backend,
        &[
            ("SMTP_URL", url.as_str()),
            ("MAIL_FROM", "Riverside Coaching <bookings@example.com>"),
            ("BUSINESS_NAME", "Riverside Coaching"),
            ("BOOKING_MAIL_DELAY_SECS", delay_secs),
            // A bank debit that clears long after this test.
            ("SIMULATED_DELAY_MS", "600000"),
        ],
    )
    .await
}

async fn an_instant_payment_gets_one_confirmation_and_an_awaited_one_the_held_mail(
    backend: Backend,
) {
    let mail = MailDev::start().await;
    let app = mailing_app(backend, &mail, "2").await;
    let session = seed_session_in(&app.db, 10, 3).await;
    let (_, paid, checkout) = book_online(&app, session, "Instant Parent").await;
    press_simulated(&app, &checkout, "pay").await;
    let (_, awaited, bank) = book_online(&app, session, "Bank Parent").await;
    press_simulated(&app, &bank, "delayed").await;
    let (_, _, _) = book_online(&app, session, "Left Parent").await;

    // Past the first mail's wait: the card payer's first mail was dropped, the others went.
    mail.wait_for(3, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let mails = mail.emails().await;
    let to = |address: &str| -> Vec<_> {
        mails
            .iter()
            .filter(|m| m.to == [address.to_owned()])
            .collect()
    };
    let instant = to("instant.parent@example.com");
    assert_eq!(
        instant.len(),
        1,
        "one mail for an instant payment: {instant:#?}"
    );
    let confirmation = instant[0];
    assert!(
        confirmation
            .subject
            .starts_with("Booking confirmed: Sprint technique"),
        "{}",
        confirmation.subject
    );
    for fact in [
        "Amount paid: $45.00",
        &format!("Reference: {paid}"),
        "The calendar entry is attached.",
    ] {
        assert!(
            confirmation.text.contains(fact),
            "{fact} in {}",
            confirmation.text
        );
    }
    assert!(!confirmation.text.contains("pi_"), "{}", confirmation.text);
    assert!(
        !confirmation.text.contains("held until"),
        "{}",
        confirmation.text
    );
    let ics = String::from_utf8(
        confirmation
            .attachment("session.ics")
            .expect("the calendar entry")
            .content
            .clone(),
    )
    .unwrap();
    assert!(ics.contains(&format!("UID:booking-{paid}@")), "{ics}");
    assert!(!ics.contains("STATUS:CANCELLED"), "{ics}");

    // A bank payment on its way, and a checkout left unpaid: the place is held, and said so.
    for (address, parent) in [
        ("bank.parent@example.com", "Bank Parent"),
        ("left.parent@example.com", "Left Parent"),
    ] {
        let theirs = to(address);
        assert_eq!(theirs.len(), 1, "{parent}: {theirs:#?}");
        assert!(
            theirs[0].subject.starts_with("Your booking: "),
            "{}",
            theirs[0].subject
        );
        assert!(
            theirs[0].text.contains("Your place is held until"),
            "{}",
            theirs[0].text
        );
    }
    let (_, page) = app.get_page(&format!("/bookings/{awaited}")).await;
    assert!(
        page.contains("data-headline=\"ConfirmingBankPayment\""),
        "{page}"
    );
}

async fn the_booking_page_offers_its_calendar_entry_as_it_stands(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session_in(&app.db, 10, 3).await;
    let (_, reference, checkout) = book_online(&app, session, "Calendar Parent").await;
    let entry = |reference: String| {
        let app = &app;
        async move {
            let answer = app
                .client
                .get(app.url(&format!("/bookings/{reference}/calendar.ics")))
                .send()
                .await
                .unwrap();
            let status = answer.status().as_u16();
            let headers = answer.headers().clone();
            (status, headers, answer.text().await.unwrap())
        }
    };
    // Unpaid, the page does not offer it yet.
    let (_, page) = app.get_page(&format!("/bookings/{reference}")).await;
    assert!(!page.contains("add-to-calendar"), "{page}");
    press_simulated(&app, &checkout, "pay").await;
    let (_, page) = app.get_page(&format!("/bookings/{reference}")).await;
    assert!(
        page.contains(&format!("href=\"/bookings/{reference}/calendar.ics\"")),
        "{page}"
    );
    let (status, headers, ics) = entry(reference.clone()).await;
    assert_eq!(status, 200);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    assert!(headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("no-store"));
    assert!(ics.contains("BEGIN:VEVENT"), "{ics}");
    assert!(
        ics.contains("SUMMARY:Sprint technique (Alex ") && ics.contains("(Calendar Parent))"),
        "{ics}"
    );
    assert!(!ics.contains("STATUS:CANCELLED"), "{ics}");

    // Cancelled, the same address withdraws the event.
    let cancel = app
        .server_fn("bookings/cancel", &[("reference", &reference)])
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    let (_, _, ics) = entry(reference.clone()).await;
    assert!(ics.contains("METHOD:CANCEL"), "{ics}");
    assert!(ics.contains("STATUS:CANCELLED"), "{ics}");
    let (status, _, _) = entry("abcdefghjkmnpqrstvwx".into()).await;
    assert_eq!(status, 404);
}

/// The `data-headline` and the money tag's `data-payment-status` of a parent's page.
async fn headline_and_tag(app: &TestApp, path: &str) -> (String, Option<String>, String) {
    let (status, page) = app.get_page(path).await;
    assert_eq!(status, 200, "{page}");
    let attribute = |name: &str| {
        page.split(&format!("{name}=\""))
            .nth(1)
            .map(|rest| rest.split('"').next().unwrap().to_owned())
    };
    (
        attribute("data-headline").expect("a headline"),
        attribute("data-payment-status"),
        page,
    )
}

async fn each_page_says_what_just_happened_and_its_tag_agrees(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("SIMULATED_DELAY_MS", "600000")]).await;
    app.login_admin().await;
    let session = seed_session_in(&app.db, 10, 3).await;

    // Paid, then cancelled by the parent: never "cancelled" beside a green Paid.
    let (_, cancelled, checkout) = book_online(&app, session, "Cancel Parent").await;
    press_simulated(&app, &checkout, "pay").await;
    let (headline, tag, _) = headline_and_tag(&app, &format!("/bookings/{cancelled}")).await;
    assert_eq!((headline.as_str(), tag.as_deref()), ("Paid", Some("paid")));
    let cancel = app
        .server_fn("bookings/cancel", &[("reference", &cancelled)])
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    let (headline, tag, page) = headline_and_tag(&app, &format!("/bookings/{cancelled}")).await;
    assert_eq!(headline, "Cancelled");
    assert!(
        matches!(tag.as_deref(), Some("refunding" | "refunded")),
        "{tag:?}: {page}"
    );

    // A bank payment on its way: "on its way", not Unpaid.
    let (_, bank, checkout) = book_online(&app, session, "Bank Parent").await;
    press_simulated(&app, &checkout, "delayed").await;
    let (headline, tag, page) = headline_and_tag(&app, &format!("/bookings/{bank}")).await;
    assert_eq!(
        (headline.as_str(), tag.as_deref()),
        ("ConfirmingBankPayment", Some("confirming")),
        "{page}"
    );
    assert!(page.contains("Payment on its way"), "{page}");

    // Nowhere to move (the demo sessions of simulated payments cost more now): the page says
    // so instead of a link that ends at "no other session".
    sqlx::query("UPDATE training_sessions SET price_amount = 9900 WHERE id <> $1")
        .bind(session)
        .execute(app.db.writer())
        .await
        .unwrap();
    let (_, mover, checkout) = book_online(&app, session, "Move Parent").await;
    press_simulated(&app, &checkout, "pay").await;
    let (_, _, page) = headline_and_tag(&app, &format!("/bookings/{mover}")).await;
    assert!(!page.contains("data-testid=\"move-link\""), "{page}");
    assert!(
        page.contains("No other session at this price has a free place"),
        "{page}"
    );
    let other = seed_session_in(&app.db, 10, 4).await;
    let (_, _, page) = headline_and_tag(&app, &format!("/bookings/{mover}")).await;
    assert!(
        page.contains("Change session (1 with a free place at this price)"),
        "{page}"
    );
    // After the move, the page says the move (not "Payment received").
    let moved = app
        .server_fn(
            "bookings/move",
            &[("reference", &mover), ("session", &other.to_string())],
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let landing = moved.redirect.expect("back to the booking");
    assert!(landing.ends_with("?moved=1"), "{landing}");
    let (headline, tag, page) = headline_and_tag(&app, &landing).await;
    assert_eq!((headline.as_str(), tag.as_deref()), ("Moved", Some("paid")));
    assert!(page.contains("Booking moved"), "{page}");
    assert!(!page.contains("Payment received"), "{page}");

    // The coach cancels the session: said as the coach's doing, not the family's.
    let (_, in_other, checkout) = book_online(&app, other, "Other Parent").await;
    press_simulated(&app, &checkout, "pay").await;
    let cancelled = app
        .server_fn("admin/sessions/cancel", &[("id", &other.to_string())])
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    let (headline, _, page) = headline_and_tag(&app, &format!("/bookings/{in_other}")).await;
    assert_eq!(headline, "SessionCancelled", "{page}");
    assert!(page.contains("Session cancelled by the coach"), "{page}");
}

on_both_databases!(
    an_instant_payment_gets_one_confirmation_and_an_awaited_one_the_held_mail,
    the_booking_page_offers_its_calendar_entry_as_it_stands,
    each_page_says_what_just_happened_and_its_tag_agrees,
);

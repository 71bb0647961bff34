//! Every word true for a coach at a desk: the booking's timeline in words (amounts in the
//! currency, each Stripe event once, the raw event one click away), a declined card later paid
//! leaves no open payment issue, the Emails page says what each mail said, the bookings table
//! (addresses that break only at @ and dots, one attendance control, no pager for one page),
//! and a manual booking says it was saved.

use crate::support::*;
use serde_json::Value;
use server::simulated::events::{
    checkout_session, event, payment_intent, refunded_charge, SessionState,
};

fn paid(event_id: &str, booking: i64) -> Value {
    let session_id = format!("cs_{event_id}");
    event(
        event_id,
        "checkout.session.completed",
        now_secs(),
        checkout_session(&SessionState {
            session_id: &session_id,
            booking_id: booking,
            amount: 4500,
            currency: "usd",
            status: "complete",
            payment_status: "paid",
            payment_intent: Some("pi_for_words"),
            url: None,
            created: now_secs(),
            expires_at: now_secs() + 1800,
        }),
    )
}

fn declined(event_id: &str, booking: i64) -> Value {
    event(
        event_id,
        "payment_intent.payment_failed",
        now_secs(),
        payment_intent(
            "pi_for_words",
            Some(booking),
            4500,
            "usd",
            Some("Your card was declined."),
        ),
    )
}

fn partly_refunded(event_id: &str, booking: i64, refunded: i64) -> Value {
    event(
        event_id,
        "charge.refunded",
        now_secs(),
        refunded_charge(
            "ch_for_words",
            "pi_for_words",
            Some(booking),
            4500,
            refunded,
            "usd",
        ),
    )
}

async fn deliver_ok(app: &TestApp, event: &Value) {
    let response = app.deliver(event).await;
    let status = response.status();
    assert_eq!(status, 200, "{}", response.text().await.unwrap());
}

async fn open_issues(app: &TestApp, resolved: bool) -> Vec<Value> {
    let answer = app
        .server_fn(
            "admin/issues",
            &[
                ("resolved", if resolved { "true" } else { "false" }),
                ("page", "1"),
            ],
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()[0].as_array().unwrap().clone()
}

async fn the_booking_detail_tells_its_story_in_words(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let booking = seed_booking(&app.db).await;
    deliver_ok(&app, &declined("evt_words_declined", booking)).await;
    deliver_ok(&app, &paid("evt_words_paid", booking)).await;
    deliver_ok(&app, &partly_refunded("evt_words_refund", booking, 1000)).await;

    let detail = app
        .server_fn("admin/booking", &[("id", &booking.to_string())])
        .await;
    assert_eq!(detail.status, 200, "{}", detail.body);
    let timeline = detail.json()["timeline"].as_array().unwrap().clone();
    let texts: Vec<&str> = timeline
        .iter()
        .map(|t| t["entry"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "Payment failed: Your card was declined.",
            "Payment received: $45.00",
            "Partly refunded: $10.00 of $45.00 so far",
        ],
        "{timeline:#?}"
    );
    for id in ["evt_words_declined", "evt_words_paid", "evt_words_refund"] {
        let entries = timeline
            .iter()
            .filter(|t| t["entry"]["event_id"] == id)
            .count();
        assert_eq!(entries, 1, "{id} once: {timeline:#?}");
    }

    let (status, page) = app.get_page(&format!("/admin/bookings/{booking}")).await;
    assert_eq!(status, 200);
    assert_eq!(page.matches(r#"data-testid="timeline-entry""#).count(), 3);
    for words in [
        "Payment failed: Your card was declined.",
        "Payment received: $45.00",
        "Partly refunded: $10.00 of $45.00 so far",
    ] {
        assert!(page.contains(words), "{words}: {page}");
    }
    // The raw event, one click away, once for each.
    assert_eq!(page.matches("What Stripe sent</summary>").count(), 3);
    assert!(page.contains("checkout.session.completed · evt_words_paid · via webhook"));
    for stripes in [
        "()",
        "(1000)",
        "-&gt; paid",
        "partly refunded (",
        "via webhook</span>",
    ] {
        let visible = page.split("<script").next().unwrap();
        assert!(!visible.contains(stripes), "{stripes} on the page: {page}");
    }
}

async fn moves_and_attendance_have_no_empty_raw_event(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let booking = seed_booking(&app.db).await;
    let set = app
        .server_fn(
            "admin/attendance",
            &[
                ("booking_id", &booking.to_string()),
                ("status", "completed"),
            ],
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    let (_, page) = app.get_page(&format!("/admin/bookings/{booking}")).await;
    assert!(
        page.contains(&format!("Attendance: Present (by {ADMIN_EMAIL})")),
        "{page}"
    );
    assert!(
        !page.contains("What Stripe sent"),
        "nothing came from Stripe"
    );
}

async fn a_declined_card_later_paid_leaves_no_open_issue(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let retried = seed_booking(&app.db).await;
    let stuck = seed_booking(&app.db).await;
    deliver_ok(&app, &declined("evt_issue_declined", retried)).await;
    deliver_ok(&app, &declined("evt_issue_stuck", stuck)).await;
    let open = open_issues(&app, false).await;
    assert_eq!(open.len(), 2, "{open:#?}");

    deliver_ok(&app, &paid("evt_issue_paid_since", retried)).await;
    let open = open_issues(&app, false).await;
    assert_eq!(open.len(), 1, "{open:#?}");
    assert_eq!(open[0]["booking"]["id"], stuck, "the unpaid one stays open");
    let resolved = open_issues(&app, true).await;
    assert_eq!(resolved.len(), 1, "{resolved:#?}");
    assert_eq!(resolved[0]["booking"]["id"], retried);
    let said = resolved[0]["resolved"].as_str().unwrap();
    assert!(
        said.starts_with("Resolved by the later payment on "),
        "{said}"
    );
    let by: Option<String> = sqlx::query_scalar(
        "SELECT resolved_by FROM payment_logs WHERE booking_id = $1 AND level = 'error'",
    )
    .bind(retried)
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(by.as_deref(), Some("the later payment"));
}

async fn the_emails_page_says_what_each_mail_said(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let booking = seed_booking(&app.db).await;
    deliver_ok(&app, &declined("evt_mail_declined", booking)).await;
    // Admins only.
    let refused = app
        .server_fn("admin/emails", &[("status", ""), ("page", "1")])
        .await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert!(!refused.body.contains("declined"), "{}", refused.body);

    app.login_admin().await;
    let list = app
        .server_fn("admin/emails", &[("status", ""), ("page", "1")])
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    let rows = list.json()["rows"].as_array().unwrap().clone();
    let failed = rows
        .iter()
        .find(|r| r["kind"] == "payment failed")
        .unwrap_or_else(|| panic!("{rows:#?}"));
    let written = &failed["said"]["Written"];
    assert!(
        !written["subject"].as_str().unwrap().is_empty(),
        "{failed:#?}"
    );
    let text = written["text"].as_str().unwrap();
    assert!(text.contains("Your card was declined."), "{text}");

    let (status, page) = app.get_page("/admin/emails").await;
    assert_eq!(status, 200);
    assert!(page.contains("What it says</summary>"), "{page}");
    assert!(page.contains(r#"data-testid="email-text""#), "{page}");
    assert!(page.contains("Your card was declined."), "{page}");
}

async fn a_manual_booking_says_it_was_saved(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let session = seed_session(&app.db, 5).await;
    let form = [
        ("session", session.to_string()),
        ("parent_name", "Cash Parent".into()),
        ("parent_email", "cash@example.com".into()),
        ("athlete_name", "Casey".into()),
        ("athlete_age", "11".into()),
        ("settled", "outside".into()),
    ];
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // With JavaScript: the answer sends the browser to the booking, saying so.
    let answer = app.server_fn("admin/bookings/manual", &pairs).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let to = answer.redirect.unwrap();
    assert!(
        to.starts_with("/admin/bookings/") && to.ends_with("?done=saved"),
        "{to}"
    );
    let (status, page) = app.get_page(&to).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Booking saved for Casey in Sprint technique, "),
        "{page}"
    );
    // Without: the form posts and the browser is sent the same way.
    let plain = app
        .client
        .post(app.url("/api/admin/bookings/manual"))
        .header("accept", "text/html")
        .header("origin", &app.address)
        .header("referer", app.url("/admin/bookings/new"))
        .form(&pairs)
        .send()
        .await
        .unwrap();
    let status = plain.status();
    let to = plain
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    assert!(
        status.is_redirection(),
        "{status} {to:?}: {}",
        plain
            .text()
            .await
            .unwrap()
            .chars()
            .take(300)
            .collect::<String>()
    );
    let to = to.unwrap();
    assert!(to.ends_with("?done=saved"), "{to}");
    let (_, page) = app.get_page(&to).await;
    assert!(page.contains("Booking saved for Casey in"), "{page}");
    // Without the word, no message.
    let (_, page) = app.get_page(to.trim_end_matches("?done=saved")).await;
    assert!(!page.contains("Booking saved for"), "{page}");
}

async fn the_bookings_table_shows_each_thing_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let session = seed_session(&app.db, 100).await;
    book_online(&app, session, "Long Parent Name").await;
    let (status, page) = app.get_page("/admin").await;
    assert_eq!(status, 200);
    // The address breaks only after its @ and before its dots.
    let bare = page.replace("<!>", "");
    assert!(
        bare.contains(">long<wbr>.parent<wbr>.name@<wbr>example<wbr>.com<"),
        "the address in pieces"
    );
    assert!(!page.contains("break-all"), "no address broken mid-word");
    // One attendance value per row: the control, coloured as the tag.
    assert_eq!(page.matches("data-attendance-status=").count(), 1);
    assert_eq!(
        page.matches(r#"data-testid="attendance-select""#).count(),
        1
    );
    // Everything fits on one page: no pager.
    assert!(!page.contains(r#"aria-label="Pages""#), "no pager");
    assert!(!bare.contains(">Previous<"), "no Previous");

    for n in 0..domain::filter::PAGE_SIZE {
        create_booking(&app.db, &new_booking(session, &format!("Parent {n}")))
            .await
            .unwrap();
    }
    let (_, page) = app.get_page("/admin").await;
    assert!(page.contains(r#"aria-label="Pages""#), "two pages: a pager");
    assert!(page.contains(r#"rel="next""#));
}

on_both_databases!(
    the_booking_detail_tells_its_story_in_words,
    moves_and_attendance_have_no_empty_raw_event,
    a_declined_card_later_paid_leaves_no_open_issue,
    the_emails_page_says_what_each_mail_said,
    a_manual_booking_says_it_was_saved,
    the_bookings_table_shows_each_thing_once,
);

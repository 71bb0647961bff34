//! An admin's message to a session (issue 24), on both databases: one mail per family booked
//! (each to that address alone), those waiting only when asked, the message kept with who sent
//! it and how its mails stand; refusals named.

use crate::support::maildev::{MailDev, ReceivedEmail};
use crate::support::*;
use std::collections::BTreeSet;
use std::time::Duration;

async fn messages_received(mail: &MailDev, subject: &str, n: usize) -> Vec<ReceivedEmail> {
    mail.wait_for_subject(subject, n, Duration::from_secs(60))
        .await
}

fn form_for(session: i64, parent: &str, email: &str, athlete: &str) -> Vec<(String, String)> {
    let mut form = booking_form(session, parent);
    for (key, value) in &mut form {
        match key.as_str() {
            "parent_email" => *value = email.to_owned(),
            "athlete_name" => *value = athlete.to_owned(),
            _ => {}
        }
    }
    form
}

async fn a_message_to_a_session_of_30_families_is_30_mails_each_to_one_address(backend: Backend) {
    let mail = MailDev::start().await;
    let url = mail.smtp_url();
    let app = TestApp::spawn_with(
        backend,
        &[
            ("SMTP_URL", url.as_str()),
            ("MAIL_FROM", "Riverside Coaching <bookings@example.com>"),
            ("BUSINESS_NAME", "Riverside Coaching"),
        ],
    )
    .await;
    let session = seed_session_in(&app.db, 40, 5).await;
    for n in 1..=30 {
        let email = format!("family{n}@example.com");
        let answer = app
            .server_fn(
                "book",
                &as_pairs(&form_for(session, "Parent", &email, "First")),
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    // A second child of one family (one address: one mail), and a family that cancelled.
    let answer = app
        .server_fn(
            "book",
            &as_pairs(&form_for(
                session,
                "Parent",
                "FAMILY7@example.com",
                "Second",
            )),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let (_, cancelled, _) = book_online(&app, session, "Gone Family").await;
    let answer = app
        .server_fn("bookings/cancel", &[("reference", cancelled.as_str())])
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);

    app.login_admin().await;
    let id = session.to_string();
    let answer = app
        .server_fn(
            "admin/sessions/message",
            &[
                ("id", id.as_str()),
                ("subject", "Rain: we train in the hall"),
                ("text", "Bring indoor shoes.\n\nSame time as always."),
            ],
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.redirect.as_deref(),
        Some(&*format!("/admin/sessions/{session}/message?sent=30"))
    );

    let got = messages_received(&mail, "Rain: we train in the hall", 30).await;
    assert_eq!(got.len(), 30);
    let mut addresses = BTreeSet::new();
    for message in &got {
        assert_eq!(message.to.len(), 1, "one recipient: {:?}", message.to);
        assert!(!message.headers.contains_key("cc") && !message.headers.contains_key("bcc"));
        assert!(
            message.text.contains("Bring indoor shoes."),
            "{}",
            message.text
        );
        assert!(message.text.contains("Same time as always."));
        addresses.insert(message.to[0].to_lowercase());
    }
    let expected: BTreeSet<String> = (1..=30).map(|n| format!("family{n}@example.com")).collect();
    assert_eq!(addresses, expected);
    // Nothing more arrives (the cancelled family, or a second mail to family 7).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let all = mail.emails().await;
    assert_eq!(
        all.iter()
            .filter(|m| m.subject.starts_with("Rain: we train in the hall"))
            .count(),
        30
    );

    // The session keeps the message: who, when, to how many, and how its mails stand.
    let page = app
        .server_fn("admin/sessions/messages", &[("id", id.as_str())])
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let sent = &page.json()["sent"][0];
    assert_eq!(sent["subject"], "Rain: we train in the hall");
    assert_eq!(sent["by"], ADMIN_EMAIL);
    assert_eq!(sent["to"], "30 families");
    assert_eq!(sent["state"], "30 delivered");
    let (status, html) = app
        .get_page(&format!("/admin/sessions/{session}/message"))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("Rain: we train in the hall"));
    assert!(html.contains("30 delivered"));
}

async fn a_message_names_its_problems_needs_an_admin_and_reaches_the_waitlist_when_asked(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session_in(&app.db, 1, 5).await;
    let id = session.to_string();
    let message = [
        ("id", id.as_str()),
        ("subject", "Rain"),
        ("text", "In the hall."),
    ];
    let anonymous = app.server_fn("admin/sessions/message", &message).await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);

    app.login_admin().await;
    let nobody = app.server_fn("admin/sessions/message", &message).await;
    assert_eq!(nobody.status, 409, "{}", nobody.body);
    assert!(nobody
        .body
        .contains("Nobody is booked into this session yet."));
    let unknown = app
        .server_fn(
            "admin/sessions/message",
            &[("id", "999999"), ("subject", "Rain"), ("text", "Hall")],
        )
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    let blank = app
        .server_fn(
            "admin/sessions/message",
            &[("id", id.as_str()), ("subject", " "), ("text", "")],
        )
        .await;
    assert_eq!(blank.status, 422, "{}", blank.body);
    let fields = blank.json();
    let errors = &fields["Invalid"]["errors"];
    assert_eq!(errors["subject"], "Write a subject.", "{fields}");
    assert_eq!(errors["text"], "Write the message.", "{fields}");

    // One family booked (the session is full), one waiting with a confirmed address.
    let answer = app
        .server_fn(
            "book",
            &as_pairs(&form_for(session, "Booked", "booked@example.com", "Kid")),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let joined = app
        .server_fn(
            "waitlist/join",
            &as_pairs(&form_for(session, "Waiting", "waiting@example.com", "Kid")),
        )
        .await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    let token: String = sqlx::query_scalar("SELECT token FROM waitlist")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let confirmed = app
        .server_fn("waitlist/confirm", &[("token", token.as_str())])
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);

    let booked_only = app.server_fn("admin/sessions/message", &message).await;
    assert_eq!(booked_only.status, 200, "{}", booked_only.body);
    let mut with_waitlist = message.to_vec();
    with_waitlist.push(("include_waitlist", "yes"));
    let both = app
        .server_fn("admin/sessions/message", &with_waitlist)
        .await;
    assert_eq!(both.status, 200, "{}", both.body);
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT dedupe_key, recipient FROM outbox WHERE kind = 'session_message' ORDER BY id",
    )
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    let recipients: Vec<&str> = rows.iter().map(|(_, to)| to.as_str()).collect();
    assert_eq!(
        recipients,
        [
            "booked@example.com",
            "booked@example.com",
            "waiting@example.com"
        ],
        "{rows:?}"
    );
    assert_ne!(rows[0].0, rows[1].0, "each message its own mails");
}

on_both_databases!(
    a_message_to_a_session_of_30_families_is_30_mails_each_to_one_address,
    a_message_names_its_problems_needs_an_admin_and_reaches_the_waitlist_when_asked,
);

//! At the track (issues 22 and 24), on both databases: the athlete's emergency contact from
//! its family's profile on the roster and the booking page, the medical notes opened only by an
//! admin who asks, each opening recorded (who, when), and never in a page before that, the CSV
//! or a mail.

use crate::families::sign_in_as;
use crate::support::*;

const NOTE: &str = "Asthma PLUM-77: inhaler in the blue bag";

async fn the_roster_shows_whom_to_call_and_opens_medical_notes_on_request_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session(&app.db, 10).await;
    let mut form = booking_form(session, "Medic Family");
    for (key, value) in &mut form {
        match key.as_str() {
            "parent_email" => *value = "medic.family@example.com".into(),
            "athlete_name" => *value = "Robin Medic".into(),
            "emergency_name" => *value = "Pat Medic".into(),
            _ => {}
        }
    }
    let booked = app.server_fn("book", &as_pairs(&form)).await;
    assert_eq!(booked.status, 200, "{}", booked.body);
    let booking: i64 =
        sqlx::query_scalar("SELECT id FROM bookings WHERE athlete_name = 'Robin Medic'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    // Another family's child of no profile: the contact given with its booking, no notes.
    book_online(&app, session, "Plain Family").await;

    // The family keeps the athlete's profile (its name as booked, whatever the case).
    sign_in_as(&app, "Medic.Family@example.com").await;
    let saved = app
        .server_fn(
            "family/athletes/save",
            &[
                ("name", "robin medic"),
                ("date_of_birth", "2014-05-30"),
                ("emergency_name", "Pat Medic"),
                ("emergency_phone", "+44 7700 900123"),
                ("medical_notes", NOTE),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);

    // Not an admin: the notes stay shut.
    let stranger = reqwest::Client::new()
        .post(app.url("/api/admin/medical-notes"))
        .header("accept", "application/json")
        .header("origin", &app.address)
        .form(&[("booking_id", booking.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 401);

    app.login_admin().await;
    let id = session.to_string();
    let roster = app.server_fn("admin/roster", &[("id", id.as_str())]).await;
    assert_eq!(roster.status, 200, "{}", roster.body);
    assert!(
        !roster.body.contains("PLUM-77"),
        "no notes before they are asked for"
    );
    let entries = roster.json()["entries"].as_array().unwrap().clone();
    let robin = entries
        .iter()
        .find(|e| e["athlete_name"] == "Robin Medic")
        .unwrap();
    assert_eq!(
        robin["emergency"],
        serde_json::json!({"contact_name": "Pat Medic", "contact_phone": "+44 7700 900123", "has_notes": true})
    );
    let plain = entries
        .iter()
        .find(|e| e["athlete_name"] != "Robin Medic")
        .unwrap();
    assert_eq!(
        plain["emergency"],
        serde_json::json!({"contact_name": "Robin Parent", "contact_phone": "+44 7700 900123", "has_notes": false})
    );
    let (_, page) = app
        .get_page(&format!("/admin/sessions/{session}/roster"))
        .await;
    assert!(page.contains("In an emergency: ") && page.contains("tel:+447700900123"));
    assert!(!page.contains("PLUM-77"));
    let (_, detail) = app.get_page(&format!("/admin/bookings/{booking}")).await;
    assert!(detail.contains("Pat Medic") && !detail.contains("PLUM-77"));

    // Asked for: opened, and recorded.
    let booking_id = booking.to_string();
    let opened = app
        .server_fn(
            "admin/medical-notes",
            &[("booking_id", booking_id.as_str())],
        )
        .await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    assert_eq!(opened.json(), serde_json::json!(NOTE));
    let views: Vec<(i64, String)> =
        sqlx::query_as("SELECT booking_id, viewed_by FROM medical_note_views")
            .fetch_all(app.db.reader())
            .await
            .unwrap();
    assert_eq!(views, [(booking, ADMIN_EMAIL.to_owned())]);
    let (_, detail) = app.get_page(&format!("/admin/bookings/{booking}")).await;
    assert!(
        detail.contains(&format!("{ADMIN_EMAIL}, ")),
        "the opening is shown"
    );

    // Never in the CSV nor in any mail.
    for csv in [
        format!("/admin/sessions/{session}/roster.csv"),
        "/admin/bookings.csv".to_owned(),
    ] {
        let (status, body) = app.get_page(&csv).await;
        assert_eq!(status, 200, "{csv}");
        assert!(!body.contains("PLUM-77"), "{csv}");
    }
    let in_mail: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE payload LIKE '%PLUM-77%'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(in_mail, 0);
}

async fn an_admin_downloads_or_erases_a_familys_data_on_its_request(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session(&app.db, 10).await;
    let (booking, reference, checkout) = book_online(&app, session, "Asking Family").await;
    press_simulated(&app, &checkout, "pay").await;
    for _ in 0..100 {
        if statuses(&app.db, booking).await.0 == "paid" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let download = format!("/admin/bookings/{booking}/family-data.json");
    let (status, _) = app.get_page(&download).await;
    assert!(status.is_redirection(), "an admin's only: {status}");

    app.login_admin().await;
    let (status, json) = app.get_page(&download).await;
    assert_eq!(status, 200);
    let data: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        json.contains(&reference) && json.contains("asking.family@example.com"),
        "{data}"
    );

    let id = booking.to_string();
    let unconfirmed = app
        .server_fn("admin/bookings/erase-family", &[("id", id.as_str())])
        .await;
    assert_eq!(unconfirmed.status, 422, "{}", unconfirmed.body);
    assert_eq!(statuses(&app.db, booking).await.0, "paid");
    let erased = app
        .server_fn(
            "admin/bookings/erase-family",
            &[("id", id.as_str()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    assert_eq!(
        erased.redirect.as_deref(),
        Some(&*format!("/admin/bookings/{booking}?done=erased"))
    );
    let (name, email, amount_paid, status): (String, String, Option<i64>, String) = sqlx::query_as(
        "SELECT parent_name, parent_email, amount_paid, payment_status FROM bookings WHERE id = $1",
    )
    .bind(booking)
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_ne!(name, "Asking Family");
    assert!(!email.contains("asking.family"));
    assert_eq!(
        (amount_paid, status.as_str()),
        (Some(4500), "paid"),
        "the payment is kept"
    );
}

/// The roster's consent flags, by athlete name.
async fn consent_flags(app: &TestApp, session: i64) -> Vec<(String, bool)> {
    let id = session.to_string();
    let roster = app.server_fn("admin/roster", &[("id", id.as_str())]).await;
    assert_eq!(roster.status, 200, "{}", roster.body);
    let mut flags: Vec<(String, bool)> = roster.json()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["athlete_name"].as_str().unwrap().to_owned(),
                e["consent_missing"].as_bool().unwrap(),
            )
        })
        .collect();
    flags.sort();
    flags
}

async fn the_roster_flags_an_athlete_without_consent_to_the_current_waiver(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session(&app.db, 10).await;
    let book = |athlete: &'static str| {
        let mut form = booking_form(session, "Waiver Family");
        for (key, value) in &mut form {
            if key == "athlete_name" {
                *value = athlete.into();
            }
        }
        form
    };
    let answer = app.server_fn("book", &as_pairs(&book("Before Any"))).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    app.login_admin().await;
    assert_eq!(
        consent_flags(&app, session).await,
        [("Before Any".to_owned(), false)],
        "no waiver: nothing to consent to"
    );

    let blank = app.server_fn("admin/waiver/save", &[("text", "  ")]).await;
    assert_eq!(blank.status, 422, "{}", blank.body);
    let saved = app
        .server_fn(
            "admin/waiver/save",
            &[("text", "Sport has risks. WAIVER-ONE")],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let answer = app.server_fn("book", &as_pairs(&book("After One"))).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        consent_flags(&app, session).await,
        [
            ("After One".to_owned(), false),
            ("Before Any".to_owned(), true)
        ]
    );
    let (_, terms) = app.get_page("/terms").await;
    assert!(terms.contains("Waiver (version 1)") && terms.contains("WAIVER-ONE"));

    // New words: everyone booked before is asked again at their next booking, and flagged.
    let saved = app
        .server_fn("admin/waiver/save", &[("text", "New words. WAIVER-TWO")])
        .await;
    assert_eq!(saved.json(), serde_json::json!(2));
    let answer = app.server_fn("book", &as_pairs(&book("After Two"))).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        consent_flags(&app, session).await,
        [
            ("After One".to_owned(), true),
            ("After Two".to_owned(), false),
            ("Before Any".to_owned(), true)
        ]
    );
    let (_, roster) = app
        .get_page(&format!("/admin/sessions/{session}/roster"))
        .await;
    assert_eq!(
        roster.matches("No consent to the current waiver").count(),
        2
    );
}

on_both_databases!(
    the_roster_flags_an_athlete_without_consent_to_the_current_waiver,
    the_roster_shows_whom_to_call_and_opens_medical_notes_on_request_only,
    an_admin_downloads_or_erases_a_familys_data_on_its_request,
);

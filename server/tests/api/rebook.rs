//! "Book again" (issue 22), on both databases: from a booking, the booking form filled with
//! the same parent and athlete and the next session of its kind, what it is filled with kept on
//! the server (never in the address), the consent asked again.

use crate::support::*;

async fn book_again_fills_the_form_with_the_athlete_and_the_next_session_of_its_kind(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    // A title of their own: the demo sessions of simulated mode (one "Sprint technique" two
    // days ahead at 10:00 local) must not fall between them.
    let first = titled_session_in(&app, "Relay changeovers", 2).await;
    let next = titled_session_in(&app, "Relay changeovers", 9).await;
    // Another kind of session in between is not "the next of its kind".
    titled_session_in(&app, "Hurdles", 5).await;
    let (_, reference, _) = book_online(&app, first, "Again Family").await;

    // The family page's plain form post.
    let response = app
        .client
        .post(app.url("/api/book/again"))
        .header("accept", "text/html")
        .header("origin", &app.address)
        .form(&[("reference", reference.as_str())])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("/book?session={next}"));
    let (status, page) = app.get_page(&location).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("value=\"Again Family\""),
        "the parent's name is filled"
    );
    assert!(page.contains("value=\"again.family@example.com\""));
    assert!(!page.contains("error-summary"), "nothing refused");
    assert!(!location.contains("Again"), "nothing typed in the address");
    // Taken once: the form is empty on the next visit.
    let (_, again) = app.get_page(&location).await;
    assert!(!again.contains("value=\"Again Family\""));
    // And booking it is a booking of the next session.
    let athlete: String =
        sqlx::query_scalar("SELECT athlete_name FROM bookings WHERE reference = $1")
            .bind(&reference)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert!(
        page.contains(&format!("value=\"{athlete}\"")),
        "the athlete is filled"
    );

    let unknown = app
        .server_fn("book/again", &[("reference", "nosuchbookingreferen")])
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
}

async fn titled_session_in(app: &TestApp, title: &str, days: i64) -> i64 {
    app::services::sessions::create(
        &app.db,
        &domain::session_form::NewTrainingSession {
            title: title.into(),
            starts_at: (chrono::Utc::now() + chrono::Duration::days(days)).timestamp_millis(),
            duration_minutes: 60,
            location: "Track 1".into(),
            capacity: 10,
            price_amount: 4500,
            currency: "USD".into(),
        },
    )
    .await
    .unwrap()
}

async fn a_signed_in_family_books_an_athlete_of_its_profiles_without_retyping(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session_in(&app.db, 10, 2).await;
    book_online(&app, session, "Profile Family").await;
    crate::families::sign_in_as(&app, "profile.family@example.com").await;
    let saved = app
        .server_fn(
            "family/athletes/save",
            &[
                ("name", "Kim Profile"),
                ("date_of_birth", "2015-01-15"),
                ("emergency_name", ""),
                ("emergency_phone", ""),
                ("medical_notes", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let athlete: i64 = sqlx::query_scalar("SELECT id FROM athletes WHERE name = 'Kim Profile'")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let response = app
        .client
        .post(app.url("/api/family/athletes/book"))
        .header("accept", "text/html")
        .header("origin", &app.address)
        .form(&[("id", athlete.to_string())])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()["location"], "/book");
    let (_, page) = app.get_page("/book").await;
    for filled in [
        "value=\"Kim Profile\"",
        "value=\"profile.family@example.com\"",
        "value=\"Profile Family\"",
    ] {
        assert!(page.contains(filled), "{filled}");
    }
    let age = domain::family::age_on("2015-01-15", app::db::now_ms()).unwrap();
    assert!(
        page.contains(&format!("value=\"{age}\"")),
        "the age from the date of birth"
    );

    // Another family's athlete is not this family's to book.
    let other = app
        .server_fn("family/athletes/book", &[("id", "999999")])
        .await;
    assert_eq!(other.status, 404, "{}", other.body);
}

on_both_databases!(
    book_again_fills_the_form_with_the_athlete_and_the_next_session_of_its_kind,
    a_signed_in_family_books_an_athlete_of_its_profiles_without_retyping,
);

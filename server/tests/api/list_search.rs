//! The admin list's search keeps up with the bookings on both databases: a booking is found by
//! its names and email once made, still after its payment changes, by its new text once that
//! changes (the old no longer finds it), and no more once deleted. On PostgreSQL the text and
//! its trigram index live in `booking_search`, kept by triggers (migration `search_table`);
//! on SQLite the full-text index reads `bookings` itself.

use crate::support::*;

async fn found(db: &app::db::Db, term: &str) -> Vec<String> {
    let filter = domain::filter::BookingFilter {
        search: Some(term.to_owned()),
        ..Default::default()
    };
    let (rows, count) = app::db::admin_list::bookings_page(db, &filter, chrono_tz::UTC)
        .await
        .unwrap();
    assert_eq!(count.total, rows.len() as i64);
    let mut references: Vec<String> = rows.into_iter().map(|r| r.reference).collect();
    references.sort();
    references
}

async fn the_search_follows_each_change_of_a_booking(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let db = &app.db;
    let session = app::services::sessions::create(
        db,
        &domain::session_form::NewTrainingSession {
            title: "Searched session".into(),
            starts_at: app::db::now_ms() + 86_400_000,
            duration_minutes: 60,
            location: "Track 5".into(),
            capacity: 10,
            price_amount: 4500,
            currency: "USD".into(),
        },
    )
    .await
    .unwrap();
    let now = app::db::now_ms();
    for (reference, parent, athlete) in [
        ("srch-1", "Ana Quarrington", "Milo"),
        ("srch-2", "Ben Quarrington", "Ada"),
        ("srch-3", "Cy Hollowell", "Ivo"),
    ] {
        let email = format!("{}@example.com", reference);
        sqlx::query(
            "INSERT INTO bookings (reference, training_session_id, parent_name, parent_email,
               athlete_name, athlete_age, consent_at, amount, currency, held_until, search_text,
               created_at, updated_at, session_starts_at)
             VALUES ($1, $2, $3, $4, $5, 10, $6, 4500, 'USD', 0, $7, $6, $6, $6)",
        )
        .bind(reference)
        .bind(session)
        .bind(parent)
        .bind(&email)
        .bind(athlete)
        .bind(now)
        .bind(format!("{parent} {athlete} {email}").to_lowercase())
        .execute(db.writer())
        .await
        .unwrap();
    }
    assert_eq!(found(db, "quarrington").await, ["srch-1", "srch-2"]);
    assert_eq!(found(db, "hollowell").await, ["srch-3"]);

    // A payment changes the booking, not its text: still found.
    sqlx::query(
        "UPDATE bookings SET payment_status = 'paid', amount_paid = 4500, updated_at = $1
         WHERE reference = 'srch-1'",
    )
    .bind(now)
    .execute(db.writer())
    .await
    .unwrap();
    assert_eq!(found(db, "quarrington").await, ["srch-1", "srch-2"]);

    // The family's address changes as `families::move_address` writes it.
    sqlx::query(
        "UPDATE bookings SET parent_email = 'ben.new@example.com',
                search_text = lower(parent_name || ' ' || athlete_name || ' ' || 'ben.new@example.com')
         WHERE reference = 'srch-2'",
    )
    .execute(db.writer())
    .await
    .unwrap();
    assert_eq!(found(db, "ben.new").await, ["srch-2"]);
    assert!(found(db, "srch-2@example").await.is_empty());
    assert_eq!(found(db, "quarrington").await, ["srch-1", "srch-2"]);

    sqlx::query("DELETE FROM bookings WHERE reference = 'srch-3'")
        .execute(db.writer())
        .await
        .unwrap();
    assert!(found(db, "hollowell").await.is_empty());
}

on_both_databases!(the_search_follows_each_change_of_a_booking);

//! The foundation on both databases: migrations, schema defaults and constraints, health, pages.

use crate::support::{Backend, TestApp, TestDatabase};

async fn insert_session(db: &app::db::Db) -> i64 {
    sqlx::query_scalar::<_, i64>(
        "INSERT INTO training_sessions
            (title, starts_at, duration_minutes, location, capacity, price_amount, currency, created_at, updated_at)
         VALUES ('Sprint drills', 1900000000000, 60, 'Track 1', 10, 4500, 'USD', 0, 0)
         RETURNING id",
    )
    .fetch_one(db.writer())
    .await
    .expect("insert a training session")
}

async fn insert_booking(
    db: &app::db::Db,
    session: i64,
    reference: &str,
    status_column: Option<(&str, &str)>,
) -> Result<i64, sqlx::Error> {
    let (column, value) = status_column.unwrap_or(("notes", "none"));
    let sql = format!(
        "INSERT INTO bookings
            (reference, training_session_id, parent_name, parent_email, athlete_name, athlete_age,
             amount, currency, held_until, created_at, updated_at, session_starts_at, {column})
         VALUES ($1, $2, 'Pat Parent', 'pat@example.com', 'Alex', 12, 4500, 'USD', 0, 0, 0, 0, $3)
         RETURNING id"
    );
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
        .bind(reference)
        .bind(session)
        .bind(value)
        .fetch_one(db.writer())
        .await
}

async fn schema_defaults_and_checks(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let db = database.connect().await;
    // A second migration run is a no-op.
    db.migrate().await.expect("migrations are idempotent");

    let session = insert_session(&db).await;
    let id = insert_booking(&db, session, "ref-default", None)
        .await
        .expect("a booking with only the required columns");
    let (payment, attendance): (String, String) =
        sqlx::query_as("SELECT payment_status, attendance_status FROM bookings WHERE id = $1")
            .bind(id)
            .fetch_one(db.reader())
            .await
            .unwrap();
    assert_eq!(payment, "unpaid");
    assert_eq!(attendance, "pending");

    for (n, (column, value)) in [
        ("payment_status", "bogus"),
        ("payment_status", "Paid"),
        ("attendance_status", "bogus"),
        ("attendance_status", "no_show"),
    ]
    .into_iter()
    .enumerate()
    {
        let err = insert_booking(&db, session, &format!("ref-bad-{n}"), Some((column, value)))
            .await
            .expect_err("the CHECK constraint refuses an unknown spelling");
        let kind = err.as_database_error().map(|e| e.kind());
        assert!(
            matches!(kind, Some(sqlx::error::ErrorKind::CheckViolation)),
            "{column} = {value:?} on {}: {err}",
            backend.name()
        );
    }
    for (n, (column, value)) in [
        ("payment_status", "paid"),
        ("payment_status", "refunded"),
        ("attendance_status", "no-show"),
        ("attendance_status", "manual"),
    ]
    .into_iter()
    .enumerate()
    {
        insert_booking(
            &db,
            session,
            &format!("ref-good-{n}"),
            Some((column, value)),
        )
        .await
        .unwrap_or_else(|e| panic!("{column} = {value:?} is a valid spelling: {e}"));
    }

    let duplicate = insert_booking(&db, session, "ref-default", None)
        .await
        .expect_err("references are unique");
    assert!(matches!(
        duplicate.as_database_error().map(|e| e.kind()),
        Some(sqlx::error::ErrorKind::UniqueViolation)
    ));
}

async fn ledger_primary_key_refuses_a_second_row(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let db = database.connect().await;
    let insert = "INSERT INTO stripe_events (id, event_type, source, outcome, summary, received_at)
                  VALUES ($1, 'charge.refunded', 'webhook', 'applied', '{}', 0)
                  ON CONFLICT (id) DO NOTHING";
    let first = sqlx::query(insert)
        .bind("evt_1")
        .execute(db.writer())
        .await
        .unwrap();
    let second = sqlx::query(insert)
        .bind("evt_1")
        .execute(db.writer())
        .await
        .unwrap();
    assert_eq!(first.rows_affected(), 1);
    assert_eq!(second.rows_affected(), 0);
}

async fn healthz_reports_the_database(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["database"], "up");
    assert_eq!(body["backend"], backend.name());
}

async fn landing_page_is_rendered_on_the_server(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("Book a coaching session"), "{html}");
    assert!(
        html.contains("/pkg/booking.js"),
        "hydration script is linked: {html}"
    );

    let missing = app
        .client
        .get(app.url("/no-such-page"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("Page not found"));
}

on_both_databases!(
    schema_defaults_and_checks,
    ledger_primary_key_refuses_a_second_row,
    healthz_reports_the_database,
    landing_page_is_rendered_on_the_server,
);

/// Both migration sets describe the same tables and columns. The search stands apart: SQLite's
/// full-text index (a virtual table and its shadow tables) and the narrow index it counts
/// common terms with, where PostgreSQL has `booking_search` and its trigram index.
#[tokio::test]
async fn the_two_schemas_have_the_same_tables_and_columns() {
    let sqlite = TestDatabase::create(Backend::Sqlite).await;
    let postgres = TestDatabase::create(Backend::Postgres).await;
    let sqlite_db = sqlite.connect().await;
    let postgres_db = postgres.connect().await;

    let sqlite_columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'
           AND m.name NOT LIKE 'bookings_fts%'
         ORDER BY 1, 2",
    )
    .fetch_all(sqlite_db.reader())
    .await
    .unwrap();
    let postgres_columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'
           AND table_name <> 'booking_search'
         ORDER BY 1, 2",
    )
    .fetch_all(postgres_db.reader())
    .await
    .unwrap();
    let (mut sqlite_columns, mut postgres_columns) = (sqlite_columns, postgres_columns);
    sqlite_columns.sort();
    postgres_columns.sort();
    assert!(sqlite_columns.len() > 40, "{sqlite_columns:?}");
    let index_names = |rows: Vec<(String,)>| {
        let mut names: Vec<String> = rows.into_iter().map(|(n,)| n).collect();
        names.sort();
        names
    };
    let sqlite_indexes = index_names(
        sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'
               AND name <> 'bookings_search'",
        )
        .fetch_all(sqlite_db.reader())
        .await
        .unwrap(),
    );
    let postgres_indexes = index_names(
        sqlx::query_as(
            "SELECT CAST(i.indexname AS TEXT) FROM pg_indexes i
             WHERE i.schemaname = 'public' AND i.tablename <> 'booking_search'
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        )
        .fetch_all(postgres_db.reader())
        .await
        .unwrap(),
    );
    assert_eq!(
        sqlite_indexes, postgres_indexes,
        "the same indexes, search apart"
    );
    assert_eq!(sqlite_columns, postgres_columns);
}

/// `SQLITE_MMAP_MB` bounds how much of the SQLite file the server's connections map (and so
/// its resident memory after large reads); 0 maps nothing.
#[tokio::test]
async fn sqlite_maps_at_most_what_sqlite_mmap_mb_allows() {
    for (setting, bytes) in [
        (None, 256_i64 << 20),
        (Some("16"), 16 << 20),
        (Some("0"), 0),
    ] {
        let overrides: Vec<(&str, &str)> = setting
            .map(|mb| ("SQLITE_MMAP_MB", mb))
            .into_iter()
            .collect();
        let app = TestApp::spawn_with(Backend::Sqlite, &overrides).await;
        for pool in [app.db.reader(), app.db.writer()] {
            let mapped: i64 = sqlx::query_scalar("PRAGMA mmap_size")
                .fetch_one(pool)
                .await
                .unwrap();
            assert_eq!(mapped, bytes, "{setting:?}");
        }
    }
}

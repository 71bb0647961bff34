//! A session's counts, on both databases: the places its bookings hold, the "today" panel's
//! booked, paid and present, for every combination of a booking's statuses, source and hold;
//! and read through the partial indexes that hold only what they count, so that a session with
//! thousands of bookings costs what its places cost (docs/ARCHITECTURE.md, "Counting a
//! session's places").

use crate::support::*;
use sqlx::Row;

const DAY_MS: i64 = 86_400_000;

async fn session_in(db: &app::db::Db, days: i64) -> i64 {
    app::services::sessions::create(
        db,
        &domain::session_form::NewTrainingSession {
            title: format!("Counted session in {days} days"),
            starts_at: app::db::now_ms() + days * DAY_MS,
            duration_minutes: 60,
            location: "Track 4".into(),
            capacity: 10_000,
            price_amount: 4500,
            currency: "USD".into(),
        },
    )
    .await
    .unwrap()
}

/// One booking's state, as stored.
#[derive(Debug, Clone, Copy)]
struct State {
    payment: &'static str,
    attendance: &'static str,
    source: &'static str,
    held_until: i64,
}

impl State {
    /// Whether it holds a place at `now`, as the booking rules say it in words: not cancelled
    /// or refunded, and paid, entered by an admin, or still within its hold.
    fn holds_place(self, now: i64) -> bool {
        self.attendance != "cancelled"
            && self.payment != "refunded"
            && (self.payment == "paid" || self.source == "manual" || self.held_until > now)
    }

    fn firm(self) -> bool {
        self.attendance != "cancelled"
            && self.payment != "refunded"
            && (self.payment == "paid" || self.source == "manual")
    }
}

/// Every combination of payment, attendance, source and hold (over or still running).
fn every_state(now: i64) -> Vec<State> {
    let mut all = Vec::new();
    for payment in domain::PaymentStatus::ALL.map(|s| s.as_str()) {
        for attendance in domain::AttendanceStatus::ALL.map(|s| s.as_str()) {
            for source in domain::BookingSource::ALL.map(|s| s.as_str()) {
                for held_until in [0, now - 1, now + DAY_MS] {
                    all.push(State {
                        payment,
                        attendance,
                        source,
                        held_until,
                    });
                }
            }
        }
    }
    all
}

/// Stores `states` as bookings of `session`, in one statement; returns their ids in order.
async fn insert(db: &app::db::Db, session: i64, tag: &str, states: &[State]) -> Vec<i64> {
    let starts: i64 = sqlx::query_scalar("SELECT starts_at FROM training_sessions WHERE id = $1")
        .bind(session)
        .fetch_one(db.reader())
        .await
        .unwrap();
    let now = app::db::now_ms();
    let mut ids = Vec::new();
    for chunk in states.chunks(400) {
        let mut sql = String::from(
            "INSERT INTO bookings (reference, training_session_id, parent_name, parent_email,
               athlete_name, athlete_age, consent_at, payment_status, attendance_status, source,
               amount, currency, held_until, search_text, created_at, updated_at,
               session_starts_at) VALUES ",
        );
        for (i, state) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            let reference = format!("{tag}{session}x{}x{i}", ids.len());
            sql.push_str(&format!(
                "('{reference}', {session}, 'Parent {reference}', '{reference}@example.com',
                  'Athlete {reference}', 10, {now}, '{}', '{}', '{}', 4500, 'USD', {}, '{reference}',
                  {now}, {now}, {starts})",
                state.payment, state.attendance, state.source, state.held_until
            ));
        }
        sql.push_str(" RETURNING id");
        let mut made: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_all(db.writer())
            .await
            .unwrap();
        made.sort_unstable();
        ids.extend(made);
    }
    ids
}

async fn places_taken(db: &app::db::Db, session: i64, now: i64, except: i64) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let taken = app::db::bookings::places_taken(&mut tx, session, now, except)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    taken
}

/// Every combination of statuses counts as the rules say: in the session's places (the
/// session's page and every list of sessions), in the count a new booking is checked against
/// (with and without the booking itself), and in the "today" panel.
async fn every_state_is_counted_as_the_rules_say(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let db = &app.db;
    let session = session_in(db, 1).await;
    let other = session_in(db, 1).await;
    let now = app::db::now_ms();
    let states = every_state(now);
    let ids = insert(db, session, "all", &states).await;
    // Bookings of another session, holding places, count only there.
    insert(db, other, "other", &states[..20]).await;

    let holding: Vec<(i64, State)> = ids
        .iter()
        .copied()
        .zip(states.iter().copied())
        .filter(|(_, s)| s.holds_place(now))
        .collect();
    let expected = holding.len() as i64;
    // Both kinds of place, and bookings holding none, must be there for the test to mean
    // anything.
    assert!(holding.iter().any(|(_, s)| s.firm()));
    assert!(holding.iter().any(|(_, s)| !s.firm()));
    assert!(expected < states.len() as i64);

    let read = app::db::sessions::get(db, session).await.unwrap().unwrap();
    assert_eq!(read.places_taken, expected);
    assert_eq!(places_taken(db, session, now, 0).await, expected);
    // Not counting a booking that holds a place takes one off; one that holds none, nothing.
    let (holder, _) = holding[0];
    assert_eq!(places_taken(db, session, now, holder).await, expected - 1);
    let idle = ids
        .iter()
        .zip(&states)
        .find(|(_, s)| !s.holds_place(now))
        .map(|(id, _)| *id)
        .unwrap();
    assert_eq!(places_taken(db, session, now, idle).await, expected);
    // A day later every hold is over: only the firm ones still count.
    let firm = states.iter().filter(|s| s.firm()).count() as i64;
    assert!(firm < expected);
    assert_eq!(places_taken(db, session, now + 2 * DAY_MS, 0).await, firm);

    let listed = app::db::sessions::list(db, app::db::sessions::Listing::All, 100)
        .await
        .unwrap();
    let listed = listed.iter().find(|s| s.id == session).unwrap();
    assert_eq!(listed.places_taken, expected);

    let today = app::db::roster::sessions_between(db, now, now + 2 * DAY_MS, now)
        .await
        .unwrap();
    let day = today.iter().find(|s| s.id == session).unwrap();
    assert_eq!(day.booked, expected);
    assert_eq!(day.paid, firm);
    let present = states
        .iter()
        .filter(|s| s.attendance == "completed")
        .count() as i64;
    assert_eq!(day.present, present);
    let other_day = today.iter().find(|s| s.id == other).unwrap();
    let other_expected = states[..20].iter().filter(|s| s.holds_place(now)).count() as i64;
    assert_eq!(other_day.booked, other_expected);
}

/// The plan of a query, one line per step, as the database explains it.
async fn plan(db: &app::db::Db, sql: &str, session: i64, now: i64) -> String {
    let (explain, column) = match db.backend() {
        Backend::Postgres => ("EXPLAIN ", "QUERY PLAN"),
        Backend::Sqlite => ("EXPLAIN QUERY PLAN ", "detail"),
    };
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{explain}{sql}")))
        .bind(session)
        .bind(0_i64)
        .bind(now)
        .fetch_all(db.reader())
        .await
        .unwrap();
    rows.iter()
        .map(|row| row.try_get::<String, _>(column).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A session of 2,000 bookings of which 30 hold a place: the count a booking is checked
/// against reads the two partial indexes, not the session's bookings, and is right.
async fn a_count_reads_the_places_not_the_sessions_bookings(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let db = &app.db;
    let session = session_in(db, 3).await;
    let now = app::db::now_ms();
    let mut states = Vec::new();
    for i in 0..2000 {
        let state = match i % 100 {
            // 20 paid, 10 still held: 30 places.
            0 => State {
                payment: "paid",
                attendance: "confirmed",
                source: "online",
                held_until: 0,
            },
            1 if i < 1000 => State {
                payment: "unpaid",
                attendance: "pending",
                source: "online",
                held_until: now + DAY_MS,
            },
            // The rest: holds long over, cancellations, refunds.
            n if n % 3 == 0 => State {
                payment: "refunded",
                attendance: "cancelled",
                source: "online",
                held_until: 0,
            },
            _ => State {
                payment: "unpaid",
                attendance: "pending",
                source: "online",
                held_until: now - DAY_MS,
            },
        };
        states.push(state);
    }
    insert(db, session, "many", &states).await;
    sqlx::query("ANALYZE").execute(db.writer()).await.unwrap();

    assert_eq!(places_taken(db, session, now, 0).await, 30);
    let plan = plan(db, app::db::bookings::PLACES_TAKEN_SQL, session, now).await;
    assert!(plan.contains("bookings_firm"), "{plan}");
    assert!(plan.contains("bookings_held"), "{plan}");
    assert!(!plan.contains("bookings_session"), "{plan}");
}

on_both_databases!(
    every_state_is_counted_as_the_rules_say,
    a_count_reads_the_places_not_the_sessions_bookings,
);

//! The coach's day, on both databases: the waitlist (joining a full session, a freed place
//! offered in order and held, an offer expiring to the next person, two places freed at once,
//! two offerers and a restarted instance never offering one place twice, an offer booked, the
//! waitlist of a cancelled session closed and each person waiting told once);
//! moving a booking (payment kept, price and capacity checked, the parent's cut-off, the mail
//! and the timeline); the roster (everyone remaining marked present and undone, counts, CSV).

use crate::support::*;
use app::services::waitlist::offer_free_places;

const OFFER_MS: i64 = 120 * 60 * 1000;

/// A session starting in `days` days: `capacity` places at `price` minor units of USD.
async fn session_in(db: &app::db::Db, days: i64, capacity: i64, price: i64) -> i64 {
    app::services::sessions::create(
        db,
        &domain::session_form::NewTrainingSession {
            title: format!("Session in {days} days at {price}"),
            starts_at: (chrono::Utc::now() + chrono::Duration::days(days)).timestamp_millis(),
            duration_minutes: 60,
            location: "Track 2".into(),
            capacity,
            price_amount: price,
            currency: "USD".into(),
        },
    )
    .await
    .unwrap()
}

fn form(session: i64, parent: &str) -> Vec<(String, String)> {
    let mut form = booking_form(session, parent);
    let email = format!("{}@example.com", parent.to_lowercase().replace(' ', "."));
    for (key, value) in &mut form {
        if key == "parent_email" {
            *value = email.clone();
        }
        if key == "athlete_name" {
            *value = format!("Kid of {parent}");
        }
    }
    form
}

/// Books through the public form; returns the booking's id.
async fn book(app: &TestApp, session: i64, parent: &str) -> i64 {
    let answer = app
        .server_fn("book", &as_pairs(&form(session, parent)))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let email = format!("{}@example.com", parent.to_lowercase().replace(' ', "."));
    sqlx::query_scalar("SELECT id FROM bookings WHERE parent_email = $1 ORDER BY id DESC")
        .bind(email)
        .fetch_one(app.db.reader())
        .await
        .unwrap()
}

/// Joins the waitlist through its form, then confirms the place as its address does (the
/// link of the mail it gets); returns the place's token.
async fn join(app: &TestApp, session: i64, parent: &str) -> String {
    let answer = app
        .server_fn("waitlist/join", &as_pairs(&form(session, parent)))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.redirect.as_deref(), Some("/waitlist/joined"));
    let email = format!("{}@example.com", parent.to_lowercase().replace(' ', "."));
    let token: String = sqlx::query_scalar(
        "SELECT token FROM waitlist WHERE parent_email = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(email)
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    let confirmed = app
        .server_fn("waitlist/confirm", &[("token", token.as_str())])
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    token
}

async fn states(db: &app::db::Db, session: i64) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT parent_name, status FROM waitlist WHERE training_session_id = $1 ORDER BY id",
    )
    .bind(session)
    .fetch_all(db.reader())
    .await
    .unwrap()
}

async fn offer_mails(db: &app::db::Db) -> Vec<String> {
    sqlx::query_scalar("SELECT recipient FROM outbox WHERE kind = 'waitlist_offer' ORDER BY id")
        .fetch_all(db.reader())
        .await
        .unwrap()
}

async fn cancel(app: &TestApp, booking: i64) {
    let answer = app
        .server_fn("admin/bookings/cancel", &[("id", &booking.to_string())])
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

async fn a_freed_place_goes_to_the_first_waiting_and_is_held_until_it_expires(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let session = session_in(&app.db, 3, 1, 4500).await;
    // A session with a free place is booked, not waited for.
    let early = app
        .server_fn("waitlist/join", &as_pairs(&form(session, "Too Early")))
        .await;
    assert_eq!(early.status, 422, "{}", early.body);
    assert!(early.body.contains("book it instead"), "{}", early.body);

    let taken = book(&app, session, "First Booker").await;
    let first = join(&app, session, "Wendy Wait").await;
    join(&app, session, "Walt Wait").await;
    // One athlete waits once.
    let again = app
        .server_fn("waitlist/join", &as_pairs(&form(session, "Wendy Wait")))
        .await;
    assert_eq!(again.status, 422, "{}", again.body);
    assert!(again.body.contains("already on this session's waitlist"));
    let joined: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'waitlist_joined'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(joined, 2);

    // Nothing is free: nothing is offered.
    assert_eq!(
        offer_free_places(&app.db, OFFER_MS, app::db::now_ms())
            .await
            .unwrap(),
        0
    );
    cancel(&app, taken).await;
    let now = app::db::now_ms();
    let offered = offer_free_places(&app.db, OFFER_MS, now).await.unwrap()
        + offer_free_places(&app.db, OFFER_MS, now).await.unwrap();
    // The background offerer may have made it first: either way, one offer, to Wendy.
    assert!(offered <= 1);
    assert_eq!(
        states(&app.db, session).await,
        [
            ("Wendy Wait".to_owned(), "offered".to_owned()),
            ("Walt Wait".to_owned(), "waiting".to_owned())
        ]
    );
    assert_eq!(offer_mails(&app.db).await, ["wendy.wait@example.com"]);
    // The offer holds the place: the public form finds the session full.
    let late = app
        .server_fn("book", &as_pairs(&form(session, "Late Comer")))
        .await;
    assert_eq!(late.status, 422, "{}", late.body);
    assert!(late.body.contains("full"), "{}", late.body);
    let (status, page) = app.get_page(&format!("/waitlist/{first}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("A place is free for you"), "{page}");

    // Wendy lets it run out: the place goes to Walt, once.
    let later = now + OFFER_MS + 1;
    offer_free_places(&app.db, OFFER_MS, later).await.unwrap();
    offer_free_places(&app.db, OFFER_MS, later).await.unwrap();
    assert_eq!(
        states(&app.db, session).await,
        [
            ("Wendy Wait".to_owned(), "expired".to_owned()),
            ("Walt Wait".to_owned(), "offered".to_owned())
        ]
    );
    assert_eq!(
        offer_mails(&app.db).await,
        ["wendy.wait@example.com", "walt.wait@example.com"]
    );
    let expired = app
        .server_fn("waitlist/book", &[("token", first.as_str())])
        .await;
    assert_eq!(expired.status, 409, "{}", expired.body);
    assert_eq!(count(&app.db, "bookings").await, 1);
}

async fn an_offered_place_is_booked_and_paid_like_any_other(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let session = session_in(&app.db, 3, 1, 4500).await;
    let taken = book(&app, session, "Leaver").await;
    let token = join(&app, session, "Olive Offer").await;
    cancel(&app, taken).await;
    offer_free_places(&app.db, OFFER_MS, app::db::now_ms())
        .await
        .unwrap();
    let booked = app
        .server_fn("waitlist/book", &[("token", token.as_str())])
        .await;
    assert_eq!(booked.status, 200, "{}", booked.body);
    assert!(
        booked
            .redirect
            .as_deref()
            .unwrap()
            .contains("/checkout/simulated/"),
        "{booked:?}"
    );
    let (status, booking): (String, Option<i64>) =
        sqlx::query_as("SELECT status, booking_id FROM waitlist WHERE token = $1")
            .bind(&token)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(status, "booked");
    let booking = app::db::bookings::by_id(&app.db, booking.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(booking.parent_name, "Olive Offer");
    assert_eq!(booking.training_session_id, session);
    assert_eq!(booking.payment_status, domain::PaymentStatus::Unpaid);
    // Taken once: a second press books nothing more.
    let again = app
        .server_fn("waitlist/book", &[("token", token.as_str())])
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    let active: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings WHERE training_session_id = $1 AND attendance_status <> 'cancelled'",
    )
    .bind(session)
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(active, 1);
}

async fn two_places_freed_at_once_make_two_offers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let session = session_in(&app.db, 3, 2, 4500).await;
    let a = book(&app, session, "Booker A").await;
    let b = book(&app, session, "Booker B").await;
    for parent in ["Wait One", "Wait Two", "Wait Three"] {
        join(&app, session, parent).await;
    }
    cancel(&app, a).await;
    cancel(&app, b).await;
    offer_free_places(&app.db, OFFER_MS, app::db::now_ms())
        .await
        .unwrap();
    let got: Vec<String> = states(&app.db, session)
        .await
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    assert_eq!(got, ["offered", "offered", "waiting"]);
    assert_eq!(offer_mails(&app.db).await.len(), 2);
}

/// Several offerers at once (two instances on one database): each freed place is offered once.
async fn concurrent_offerers_offer_each_place_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let other = app.database.connect().await;
    let session = session_in(&app.db, 3, 3, 4500).await;
    let mut booked = Vec::new();
    for n in 0..3 {
        booked.push(book(&app, session, &format!("Holder {n}")).await);
    }
    for n in 0..6 {
        join(&app, session, &format!("Queue {n}")).await;
    }
    for id in booked {
        cancel(&app, id).await;
    }
    let now = app::db::now_ms();
    let mut runs = Vec::new();
    for n in 0..8 {
        let db = if n % 2 == 0 {
            app.db.clone()
        } else {
            other.clone()
        };
        runs.push(tokio::spawn(async move {
            offer_free_places(&db, OFFER_MS, now).await
        }));
    }
    for run in runs {
        run.await.unwrap().unwrap();
    }
    let got: Vec<String> = states(&app.db, session)
        .await
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    assert_eq!(
        got,
        ["offered", "offered", "offered", "waiting", "waiting", "waiting"]
    );
    assert_eq!(offer_mails(&app.db).await.len(), 3);
}

async fn a_paid_booking_moves_with_its_payment_to_a_session_of_its_price(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let from = session_in(&app.db, 3, 5, 4500).await;
    let to = session_in(&app.db, 4, 1, 4500).await;
    let dearer = session_in(&app.db, 5, 5, 5000).await;
    let id = book(&app, from, "Mover Parent").await;
    let paid = app.deliver(&paid_event("evt_move_paid", id)).await;
    assert_eq!(paid.status(), 200);
    let before = app::db::bookings::by_id(&app.db, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before.payment_status, domain::PaymentStatus::Paid);

    let refused = app
        .server_fn(
            "admin/bookings/move",
            &[("id", &id.to_string()), ("session", &dearer.to_string())],
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(
        refused.body.contains("costs $50.00, not $45.00"),
        "{}",
        refused.body
    );

    let moved = app
        .server_fn(
            "admin/bookings/move",
            &[("id", &id.to_string()), ("session", &to.to_string())],
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let after = app::db::bookings::by_id(&app.db, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.training_session_id, to);
    assert_eq!(after.session_starts_at, after_start(&app.db, to).await);
    assert_eq!(after.payment_status, domain::PaymentStatus::Paid);
    assert_eq!(
        after.stripe_payment_intent_id,
        before.stripe_payment_intent_id
    );
    assert_eq!(
        after.stripe_checkout_session_id,
        before.stripe_checkout_session_id
    );
    assert_eq!(after.amount_paid, before.amount_paid);
    assert_eq!(after.attendance_status, before.attendance_status);
    let mails: Vec<String> =
        sqlx::query_scalar("SELECT recipient FROM outbox WHERE kind = 'booking_moved'")
            .fetch_all(app.db.reader())
            .await
            .unwrap();
    assert_eq!(mails, ["mover.parent@example.com"]);
    let timeline = app::db::timeline::of_booking(&app.db, id, chrono_tz::UTC)
        .await
        .unwrap();
    assert!(
        timeline
            .iter()
            .any(|e| e.text.starts_with("Moved from Session in 3 days")
                && e.text.contains("by coach@example.com")),
        "{timeline:#?}"
    );

    // The new session is now full: another booking cannot move in.
    let other = book(&app, from, "Second Mover").await;
    let full = app
        .server_fn(
            "admin/bookings/move",
            &[("id", &other.to_string()), ("session", &to.to_string())],
        )
        .await;
    assert_eq!(full.status, 409, "{}", full.body);
    assert!(full.body.contains("that session is full"), "{}", full.body);
}

async fn after_start(db: &app::db::Db, session: i64) -> i64 {
    app::db::sessions::get(db, session)
        .await
        .unwrap()
        .unwrap()
        .starts_at
}

async fn a_parent_moves_before_the_cut_off_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let soon = session_in(&app.db, 0, 5, 4500).await; // starts now-ish: inside the cut-off
    let far = session_in(&app.db, 3, 5, 4500).await;
    let farther = session_in(&app.db, 6, 5, 4500).await;
    // Move the "soon" session to start in two hours (inside the 24-hour cut-off).
    sqlx::query("UPDATE training_sessions SET starts_at = $1 WHERE id = $2")
        .bind(app::db::now_ms() + 2 * 3_600_000)
        .bind(soon)
        .execute(app.db.writer())
        .await
        .unwrap();
    let late = book(&app, soon, "Late Parent").await;
    let late_ref = app::db::bookings::by_id(&app.db, late)
        .await
        .unwrap()
        .unwrap()
        .reference;
    let refused = app
        .server_fn(
            "bookings/move",
            &[("reference", &late_ref), ("session", &far.to_string())],
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("too close"), "{}", refused.body);

    let early = book(&app, far, "Early Parent").await;
    let early_ref = app::db::bookings::by_id(&app.db, early)
        .await
        .unwrap()
        .unwrap()
        .reference;
    let (status, page) = app.get_page(&format!("/bookings/{early_ref}/move")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Session in 6 days"), "{page}");
    let moved = app
        .server_fn(
            "bookings/move",
            &[("reference", &early_ref), ("session", &farther.to_string())],
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let after = app::db::bookings::by_id(&app.db, early)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.training_session_id, farther);
    let timeline = app::db::timeline::of_booking(&app.db, early, chrono_tz::UTC)
        .await
        .unwrap();
    assert!(
        timeline.iter().any(|e| e.text.contains("by the parent")),
        "{timeline:#?}"
    );
}

async fn the_roster_marks_everyone_remaining_present_and_undoes_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let session = session_in(&app.db, 1, 10, 4500).await;
    let mut ids = Vec::new();
    for parent in ["Roster A", "Roster B", "Roster C"] {
        ids.push(book(&app, session, parent).await);
    }
    let set = app
        .server_fn(
            "admin/attendance",
            &[("booking_id", &ids[2].to_string()), ("status", "no-show")],
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);

    let marked = app
        .server_fn(
            "admin/roster/complete",
            &[("session", &session.to_string())],
        )
        .await;
    assert_eq!(marked.status, 200, "{}", marked.body);
    let changes: String = serde_json::from_str(&marked.body).unwrap();
    assert_eq!(changes.split(',').count(), 2, "{changes}");
    let roster = app
        .server_fn("admin/roster", &[("id", &session.to_string())])
        .await;
    assert_eq!(roster.status, 200, "{}", roster.body);
    let counts = &roster.json()["counts"];
    assert_eq!(counts["booked"], 3);
    assert_eq!(counts["present"], 2);
    assert_eq!(counts["no_show"], 1);
    assert_eq!(counts["unpaid"], 3);

    // Someone changes one booking meanwhile: the undo leaves that one alone.
    app.server_fn(
        "admin/attendance",
        &[("booking_id", &ids[0].to_string()), ("status", "no-show")],
    )
    .await;
    let undone = app
        .server_fn("admin/roster/undo", &[("changes", changes.as_str())])
        .await;
    assert_eq!(undone.status, 200, "{}", undone.body);
    assert_eq!(undone.body, "1");
    assert_eq!(statuses(&app.db, ids[0]).await.1, "no-show");
    assert_eq!(statuses(&app.db, ids[1]).await.1, "pending");
    // Every change went through the one writer, into the history.
    let history: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attendance_changes")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert_eq!(history, 5);

    let csv = app
        .client
        .get(app.url(&format!("/admin/sessions/{session}/roster.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("athlete_name,athlete_age,parent_name"));
    assert_eq!(lines.len(), 4);
    assert!(text.contains("\"Kid of Roster B\",\"12\""), "{text}");
}

async fn a_cancelled_session_closes_its_waitlist_and_tells_who_waited(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let session = session_in(&app.db, 3, 1, 4500).await;
    let taken = book(&app, session, "First Booker").await;
    let first = join(&app, session, "Wendy Wait").await;
    join(&app, session, "Walt Wait").await;
    cancel(&app, taken).await;
    offer_free_places(&app.db, OFFER_MS, app::db::now_ms())
        .await
        .unwrap();
    assert_eq!(
        states(&app.db, session).await,
        [
            ("Wendy Wait".to_owned(), "offered".to_owned()),
            ("Walt Wait".to_owned(), "waiting".to_owned())
        ]
    );

    // The admin cancels the session, twice (a retry): both places are closed, each parent is
    // told once, and nothing is offered or bookable any more.
    for _ in 0..2 {
        let answer = app
            .server_fn("admin/sessions/cancel", &[("id", &session.to_string())])
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    assert_eq!(
        states(&app.db, session).await,
        [
            ("Wendy Wait".to_owned(), "closed".to_owned()),
            ("Walt Wait".to_owned(), "closed".to_owned())
        ]
    );
    let closed: Vec<String> = sqlx::query_scalar(
        "SELECT recipient FROM outbox WHERE kind = 'waitlist_closed' ORDER BY id",
    )
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    assert_eq!(closed, ["wendy.wait@example.com", "walt.wait@example.com"]);
    assert_eq!(
        offer_free_places(&app.db, OFFER_MS, app::db::now_ms())
            .await
            .unwrap(),
        0
    );
    let (status, page) = app.get_page(&format!("/waitlist/{first}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("This session is cancelled"), "{page}");
    let refused = app
        .server_fn("waitlist/book", &[("token", first.as_str())])
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(count(&app.db, "bookings").await, 1);
}

async fn a_waitlist_place_never_confirmed_is_forgotten_after_a_day(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = session_in(&app.db, 3, 1, 4500).await;
    book(&app, session, "Place Holder").await;
    // Confirmed from its address, never confirmed, and never confirmed but only just joined.
    join(&app, session, "Kept Confirmed").await;
    for parent in ["Never Confirmed", "Just Joined"] {
        let answer = app
            .server_fn("waitlist/join", &as_pairs(&form(session, parent)))
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    let day_and_more = 25 * 60 * 60 * 1000;
    sqlx::query(
        "UPDATE waitlist SET created_at = created_at - $1 WHERE parent_name <> 'Just Joined'",
    )
    .bind(day_and_more)
    .execute(app.db.writer())
    .await
    .unwrap();

    let gone = app::services::waitlist::forget_unconfirmed(&app.db, app::db::now_ms())
        .await
        .unwrap();
    assert_eq!(gone, 1);
    let left: Vec<String> = sqlx::query_scalar("SELECT parent_name FROM waitlist ORDER BY id")
        .fetch_all(app.db.reader())
        .await
        .unwrap();
    assert_eq!(left, ["Kept Confirmed", "Just Joined"]);
    // Nothing typed into the forgotten place is kept anywhere (its joined mail had none).
    let kept: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE payload LIKE '%Never Confirmed%' OR payload LIKE '%Kid of Never%'",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(kept, 0);
}

on_both_databases!(
    a_freed_place_goes_to_the_first_waiting_and_is_held_until_it_expires,
    an_offered_place_is_booked_and_paid_like_any_other,
    two_places_freed_at_once_make_two_offers,
    concurrent_offerers_offer_each_place_once,
    a_paid_booking_moves_with_its_payment_to_a_session_of_its_price,
    a_parent_moves_before_the_cut_off_only,
    the_roster_marks_everyone_remaining_present_and_undoes_it,
    a_cancelled_session_closes_its_waitlist_and_tells_who_waited,
    a_waitlist_place_never_confirmed_is_forgotten_after_a_day,
);

/// An instance killed right after its offers leaves them made once: the next instance's
/// offerer finds the place held and offers nothing more.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_restarted_instance_does_not_offer_a_place_again() {
    bounded(async {
        let database = TestDatabase::create(Backend::Postgres).await;
        let log = std::env::temp_dir().join(format!("waitlist-crash-{}.log", std::process::id()));
        let vars = [
            ("DATABASE_URL", database.url.as_str()),
            ("PAYMENT_MODE", "simulated"),
            ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ];
        let mut first = ServerProcess::start(&vars, log.clone()).await;
        let db = database.connect().await;
        let session = session_in(&db, 3, 1, 4500).await;
        let holder = create_booking(&db, &new_booking(session, "Holder"))
            .await
            .unwrap()
            .id;
        for parent in ["Queue One", "Queue Two"] {
            let mut request = new_booking(session, parent);
            request.athlete_name = parent.into();
            let token = app::db::bookings::new_reference();
            let mut tx = db.begin().await.unwrap();
            app::db::waitlist::insert(&mut tx, &request, None, &token, app::db::now_ms())
                .await
                .unwrap();
            tx.commit().await.unwrap();
            assert!(app::services::waitlist::confirm(&db, &token).await.unwrap());
        }
        // The place frees; the running instance's offerer (every 2 s) offers it.
        sqlx::query("UPDATE bookings SET attendance_status = 'cancelled' WHERE id = $1")
            .bind(holder)
            .execute(db.writer())
            .await
            .unwrap();
        let mut offered = false;
        for _ in 0..100 {
            if offer_mails(&db).await.len() == 1 {
                offered = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(offered, "the offerer made no offer: {}", first.log());
        first.kill_9();
        let _second = ServerProcess::start(&vars, log.clone()).await;
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        let got: Vec<String> = states(&db, session)
            .await
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(got, ["offered", "waiting"]);
        assert_eq!(offer_mails(&db).await.len(), 1);
        let _ = std::fs::remove_file(&log);
    })
    .await
}

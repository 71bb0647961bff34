//! Reminders before a session (issue 24), on both databases: each family booked is mailed once
//! per booking and start, `REMINDER_HOURS` ahead, however many instances look and across a
//! restart; a moved booking is reminded of its new time; a cancelled one, one made within the
//! window, or one whose family turned reminders off, never.

use crate::support::maildev::MailDev;
use crate::support::*;
use app::services::reminders::queue_due;
use std::time::Duration;

const HOUR_MS: i64 = 60 * 60 * 1000;
const AHEAD_MS: i64 = 24 * HOUR_MS;

/// A session starting `hours` from now, at the suite's usual price.
async fn session_in_hours(db: &app::db::Db, hours: i64, title: &str) -> i64 {
    app::services::sessions::create(
        db,
        &domain::session_form::NewTrainingSession {
            title: title.into(),
            starts_at: app::db::now_ms() + hours * HOUR_MS,
            duration_minutes: 60,
            location: "Track 2".into(),
            capacity: 20,
            price_amount: 4500,
            currency: "USD".into(),
        },
    )
    .await
    .unwrap()
}

/// The booking was made two days ago (long before the reminder window).
async fn made_days_ago(db: &app::db::Db, booking: i64) {
    sqlx::query("UPDATE bookings SET created_at = created_at - $1 WHERE id = $2")
        .bind(2 * AHEAD_MS)
        .bind(booking)
        .execute(db.writer())
        .await
        .unwrap();
}

async fn paid(app: &TestApp, session: i64, parent: &str) -> (i64, String) {
    let (id, reference, checkout) = book_online(app, session, parent).await;
    press_simulated(app, &checkout, "pay").await;
    for _ in 0..100 {
        if statuses(&app.db, id).await.0 == "paid" {
            return (id, reference);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{parent}'s booking was never paid");
}

/// The outbox's reminder rows: (booking, key), in order.
async fn reminder_rows(db: &app::db::Db) -> Vec<(i64, String)> {
    sqlx::query_as(
        "SELECT booking_id, dedupe_key FROM outbox WHERE kind = 'reminder' ORDER BY booking_id, id",
    )
    .fetch_all(db.reader())
    .await
    .unwrap()
}

/// The reminders `mail` received, once it has `n` of them (or after 30 s).
async fn reminders_received(
    mail: &MailDev,
    n: usize,
) -> Vec<crate::support::maildev::ReceivedEmail> {
    mail.wait_for_subject("Reminder:", n, Duration::from_secs(30))
        .await
}

/// An instance that sends mail to `mail` and queues no reminders by itself (the tests call
/// the job's one round, `queue_due`, when they choose).
async fn instance(database: &TestDatabase, mail: Option<&MailDev>) -> TestApp {
    let url = mail.map(MailDev::smtp_url);
    let mut vars = vec![
        ("REMINDER_HOURS", "0"),
        // Families may cancel until two hours before (the sessions here are a day away).
        ("CANCELLATION_CUTOFF_HOURS", "2"),
        ("MAIL_FROM", "Riverside Coaching <bookings@example.com>"),
        ("BUSINESS_NAME", "Riverside Coaching"),
    ];
    if let Some(url) = url.as_deref() {
        vars.push(("SMTP_URL", url));
    }
    TestApp::spawn_on(database.shared(), &vars).await
}

async fn a_session_23_hours_away_reminds_each_booking_once_across_instances_and_a_restart(
    backend: Backend,
) {
    let database = TestDatabase::create(backend).await;
    let app = instance(&database, None).await;
    let session = session_in_hours(&app.db, 23, "Sprint technique").await;
    let (paid_id, paid_ref) = paid(&app, session, "Paid Family").await;
    let (unpaid_id, unpaid_ref, _) = book_online(&app, session, "Unpaid Family").await;
    let (cancelled_id, cancelled_ref, _) = book_online(&app, session, "Cancelled Family").await;
    let answer = app
        .server_fn("bookings/cancel", &[("reference", cancelled_ref.as_str())])
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    // Booked an hour ago, within the window: its confirmation was its reminder.
    let (late_id, ..) = book_online(&app, session, "Late Family").await;
    for id in [paid_id, unpaid_id, cancelled_id] {
        made_days_ago(&app.db, id).await;
    }
    // A session two days away is not due yet.
    let later = session_in_hours(&app.db, 48, "Later session").await;
    let (later_id, ..) = book_online(&app, later, "Later Family").await;
    made_days_ago(&app.db, later_id).await;

    // Two instances look at the same moment (SQLite serves one instance: two rounds of it);
    // then the instance restarts and looks again.
    let other = match backend {
        Backend::Postgres => Some(instance(&database, None).await),
        Backend::Sqlite => None,
    };
    let other_db = other
        .as_ref()
        .map_or(app.db.clone(), |other| other.db.clone());
    let now = app::db::now_ms();
    let (a, b) = tokio::join!(
        queue_due(&app.db, AHEAD_MS, now),
        queue_due(&other_db, AHEAD_MS, now)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 2);
    drop(other);
    drop(app);
    let restarted = instance(&database, None).await;
    assert_eq!(
        queue_due(&restarted.db, AHEAD_MS, app::db::now_ms())
            .await
            .unwrap(),
        0
    );
    let rows = reminder_rows(&restarted.db).await;
    let reminded: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    assert_eq!(reminded, [paid_id, unpaid_id], "{rows:?}");
    assert!(!reminded.contains(&late_id) && !reminded.contains(&cancelled_id));
    drop(restarted);

    // An instance with a mail server sends them: one each, true to the booking.
    let mail = MailDev::start().await;
    let sender = instance(&database, Some(&mail)).await;
    let reminders = reminders_received(&mail, 2).await;
    assert_eq!(reminders.len(), 2, "{reminders:#?}");
    assert!(reminders
        .iter()
        .all(|m| m.subject.starts_with("Reminder: Sprint technique")));
    let to = |address: &str| {
        reminders
            .iter()
            .find(|m| m.to == [address.to_owned()])
            .unwrap_or_else(|| panic!("a reminder to {address}"))
    };
    let paid_mail = to("paid.family@example.com");
    assert!(paid_mail.text.contains(&paid_ref), "{}", paid_mail.text);
    assert!(
        !paid_mail.text.contains("not paid yet"),
        "{}",
        paid_mail.text
    );
    assert!(paid_mail.attachment("session.ics").is_some());
    let unpaid_mail = to("unpaid.family@example.com");
    assert!(
        unpaid_mail
            .text
            .contains("This booking is not paid yet ($45.00)"),
        "{}",
        unpaid_mail.text
    );
    assert!(unpaid_mail
        .text
        .contains(&format!("/bookings/{unpaid_ref}")));
    // Nothing more goes, however long the sender runs.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        queue_due(&sender.db, AHEAD_MS, app::db::now_ms())
            .await
            .unwrap(),
        0
    );
    let all = mail.emails().await;
    assert_eq!(
        all.iter()
            .filter(|m| m.subject.starts_with("Reminder:"))
            .count(),
        2
    );
}

async fn a_moved_booking_is_reminded_at_its_new_time_and_a_cancelled_one_never(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let app = instance(&database, None).await;
    let first = session_in_hours(&app.db, 23, "Sprint technique").await;
    let second = session_in_hours(&app.db, 20, "Hurdles").await;
    let (moved_id, _) = paid(&app, first, "Moving Family").await;
    let (cancelled_id, cancelled_ref, _) = book_online(&app, first, "Cancelling Family").await;
    for id in [moved_id, cancelled_id] {
        made_days_ago(&app.db, id).await;
    }
    assert_eq!(
        queue_due(&app.db, AHEAD_MS, app::db::now_ms())
            .await
            .unwrap(),
        2
    );
    // After the reminders were queued (not sent: this instance has no mail server), one
    // booking moves and the other is cancelled.
    app::services::moves::move_booking(
        &app.db,
        moved_id,
        second,
        &app::services::moves::Mover::Admin("coach@example.com".into()),
    )
    .await
    .unwrap();
    let answer = app
        .server_fn("bookings/cancel", &[("reference", cancelled_ref.as_str())])
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    // The moved booking gets a reminder of its new start; the cancelled one nothing new.
    assert_eq!(
        queue_due(&app.db, AHEAD_MS, app::db::now_ms())
            .await
            .unwrap(),
        1
    );
    let second_start: i64 =
        sqlx::query_scalar("SELECT starts_at FROM training_sessions WHERE id = $1")
            .bind(second)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    let rows = reminder_rows(&app.db).await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(
        rows[1],
        (moved_id, format!("reminder:{moved_id}:{second_start}"))
    );

    // Sent now: only the moved booking's reminder, of Hurdles; the two untrue ones are dropped.
    let mail = MailDev::start().await;
    let _sender = instance(&database, Some(&mail)).await;
    reminders_received(&mail, 1).await;
    for _ in 0..100 {
        if reminder_rows(&app.db).await.len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Whatever else was pending (the bookings' first mails) has gone by now.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mails: Vec<_> = reminders_received(&mail, 1)
        .await
        .into_iter()
        .map(|m| (m.to, m.subject))
        .collect();
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert_eq!(mails[0].0, ["moving.family@example.com"]);
    assert!(
        mails[0].1.starts_with("Reminder: Hurdles"),
        "{}",
        mails[0].1
    );
    assert_eq!(
        reminder_rows(&app.db).await,
        [(moved_id, format!("reminder:{moved_id}:{second_start}"))],
        "the untrue reminders were dropped unsent"
    );
}

async fn a_family_turns_reminders_off_from_its_booking_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = session_in_hours(&app.db, 23, "Sprint technique").await;
    let (id, reference, _) = book_online(&app, session, "Quiet Family").await;
    made_days_ago(&app.db, id).await;

    let state = app
        .server_fn(
            "bookings/reminders-state",
            &[("reference", reference.as_str())],
        )
        .await;
    assert_eq!(state.status, 200, "{}", state.body);
    assert_eq!(state.json(), serde_json::json!([true, 24]));
    let (_, page) = app.get_page(&format!("/bookings/{reference}")).await;
    assert!(
        page.contains("We email you a reminder 24 hours before the session."),
        "the switch is on the booking page"
    );

    let refused = app
        .server_fn(
            "bookings/reminders",
            &[("reference", reference.as_str()), ("on", "maybe")],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let unknown = app
        .server_fn(
            "bookings/reminders",
            &[("reference", "nosuchbookingreferen"), ("on", "false")],
        )
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);

    let off = app
        .server_fn(
            "bookings/reminders",
            &[("reference", reference.as_str()), ("on", "false")],
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.body);
    assert_eq!(
        off.redirect.as_deref(),
        Some(&*format!("/bookings/{reference}"))
    );
    let (_, page) = app.get_page(&format!("/bookings/{reference}")).await;
    assert!(page.contains("Reminders before the session are off."));
    // Off for the family's address, whatever its case.
    let mut form = booking_form(session, "Quiet Family");
    for (key, value) in &mut form {
        if key == "parent_email" {
            *value = "QUIET.family@example.com".into();
        }
        if key == "athlete_name" {
            *value = "Second Child".into();
        }
    }
    let second = app.server_fn("book", &as_pairs(&form)).await;
    assert_eq!(second.status, 200, "{}", second.body);
    sqlx::query("UPDATE bookings SET created_at = created_at - $1")
        .bind(2 * AHEAD_MS)
        .execute(app.db.writer())
        .await
        .unwrap();
    assert_eq!(
        queue_due(&app.db, AHEAD_MS, app::db::now_ms())
            .await
            .unwrap(),
        0
    );

    // Back on: reminded.
    let on = app
        .server_fn(
            "bookings/reminders",
            &[("reference", reference.as_str()), ("on", "true")],
        )
        .await;
    assert_eq!(on.status, 200, "{}", on.body);
    assert_eq!(
        queue_due(&app.db, AHEAD_MS, app::db::now_ms())
            .await
            .unwrap(),
        2
    );
}

async fn a_session_moved_is_reminded_at_its_new_time_and_a_cancelled_session_never(
    backend: Backend,
) {
    let database = TestDatabase::create(backend).await;
    let app = instance(&database, None).await;
    let moved = session_in_hours(&app.db, 23, "Relay changeovers").await;
    let cancelled = session_in_hours(&app.db, 22, "Throws").await;
    let (moved_booking, _) = paid(&app, moved, "Relay Family").await;
    let (cancelled_booking, _) = paid(&app, cancelled, "Throwing Family").await;
    for id in [moved_booking, cancelled_booking] {
        made_days_ago(&app.db, id).await;
    }
    assert_eq!(
        queue_due(&app.db, AHEAD_MS, app::db::now_ms())
            .await
            .unwrap(),
        2
    );
    // After the reminders were queued, the coach moves one session two hours earlier and
    // cancels the other.
    let new_start = app::db::now_ms() + 21 * HOUR_MS;
    let saved = app::services::sessions::save_from_form(
        &app.db,
        Some(moved),
        &domain::session_form::NewTrainingSession {
            title: "Relay changeovers".into(),
            starts_at: new_start,
            duration_minutes: 60,
            location: "Track 2".into(),
            capacity: 20,
            price_amount: 4500,
            currency: "USD".into(),
        },
        &domain::session_form::SessionDetails::default(),
    )
    .await
    .unwrap();
    assert_eq!(saved, app::services::sessions::Saved::Done(moved));
    app.login_admin().await;
    let id = cancelled.to_string();
    let answer = app
        .server_fn("admin/sessions/cancel", &[("id", id.as_str())])
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    // The moved session's booking is reminded of its new start; the cancelled one of nothing.
    assert_eq!(
        queue_due(&app.db, AHEAD_MS, app::db::now_ms())
            .await
            .unwrap(),
        1
    );
    let new_key = format!("reminder:{moved_booking}:{new_start}");
    assert!(reminder_rows(&app.db)
        .await
        .contains(&(moved_booking, new_key.clone())));

    // Sent now: one reminder, of the new time; the two untrue ones are dropped unsent.
    let mail = MailDev::start().await;
    let _sender = instance(&database, Some(&mail)).await;
    reminders_received(&mail, 1).await;
    for _ in 0..100 {
        if reminder_rows(&app.db).await.len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mails = reminders_received(&mail, 1).await;
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert_eq!(mails[0].to, ["relay.family@example.com"]);
    assert!(mails[0].subject.starts_with("Reminder: Relay changeovers"));
    assert_eq!(reminder_rows(&app.db).await, [(moved_booking, new_key)]);
}

on_both_databases!(
    a_session_23_hours_away_reminds_each_booking_once_across_instances_and_a_restart,
    a_moved_booking_is_reminded_at_its_new_time_and_a_cancelled_one_never,
    a_session_moved_is_reminded_at_its_new_time_and_a_cancelled_session_never,
    a_family_turns_reminders_off_from_its_booking_page,
);

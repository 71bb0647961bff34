//! Terms, the admin's side (issue 23), on both databases: a term's sessions made at once at the
//! same local time across a clock change, dates skipped, each problem of the form named on its
//! field with nothing made; a term without a drop-in price sells no session alone (absent from
//! the parents' list, refused by the form), one with it sells them at that price.

use crate::support::*;
use chrono::{Datelike, TimeZone};

/// The term form's fields: ten Tuesdays from the first Tuesday at least a week ahead, at 17:00,
/// the fourth week skipped, with `changes`.
pub(crate) fn term_form(
    changes: &[(&str, &str)],
) -> (Vec<(String, String)>, Vec<chrono::NaiveDate>) {
    let london = chrono_tz::Europe::London;
    let mut first =
        chrono::Utc::now().with_timezone(&london).date_naive() + chrono::Duration::days(7);
    while first.weekday() != chrono::Weekday::Tue {
        first += chrono::Duration::days(1);
    }
    let skipped = first + chrono::Duration::weeks(3);
    let mut form: Vec<(String, String)> = [
        ("title", "Tuesday sprinters".to_owned()),
        ("first_date", first.to_string()),
        ("time", "17:00".to_owned()),
        ("duration", "60".to_owned()),
        ("weeks", "10".to_owned()),
        ("skip", skipped.to_string()),
        ("location", "Riverside Track".to_owned()),
        ("capacity", "12".to_owned()),
        ("price", "300".to_owned()),
        ("currency", "GBP".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (field, value) in changes {
        form.retain(|(k, _)| k != field);
        form.push(((*field).to_owned(), (*value).to_owned()));
    }
    let dates = (0..10)
        .map(|w| first + chrono::Duration::weeks(w))
        .filter(|d| *d != skipped)
        .collect();
    (form, dates)
}

async fn a_term_makes_its_weekly_sessions_at_one_local_time(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("BUSINESS_TIMEZONE", "Europe/London")]).await;
    app.login_admin().await;
    let before = count(&app.db, "training_sessions").await;

    // Each problem named, nothing made.
    let (bad, _) = term_form(&[("weeks", ""), ("skip", "someday"), ("price", "")]);
    let refused = app.server_fn("admin/terms/create", &as_pairs(&bad)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let errors = &refused.json()["Invalid"]["errors"];
    assert!(errors["weeks"]
        .as_str()
        .unwrap()
        .contains("either the number of weeks or the last date"));
    assert!(errors["skip"]
        .as_str()
        .unwrap()
        .contains("\"someday\" is not a date"));
    assert!(errors["price"].as_str().unwrap().starts_with("Price:"));
    assert_eq!(count(&app.db, "terms").await, 0);
    assert_eq!(count(&app.db, "training_sessions").await, before);

    let (form, dates) = term_form(&[]);
    let made = app.server_fn("admin/terms/create", &as_pairs(&form)).await;
    assert_eq!(made.status, 200, "{}", made.body);
    assert_eq!(made.redirect.as_deref(), Some("/admin/sessions"));
    let (_, page) = app.get_page("/admin/sessions").await;
    assert!(
        page.contains("Term saved: 9 sessions made."),
        "the list says so"
    );
    assert!(page.contains("Term: Tuesday sprinters"));

    let sessions: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT s.starts_at, s.price_amount, s.capacity, t.price_amount
         FROM training_sessions s JOIN terms t ON t.id = s.term_id ORDER BY s.starts_at",
    )
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    assert_eq!(sessions.len(), 9, "ten weeks, one skipped");
    let london = chrono_tz::Europe::London;
    for ((start, _, capacity, _), date) in sessions.iter().zip(&dates) {
        let local = london.timestamp_millis_opt(*start).unwrap();
        assert_eq!(local.date_naive(), *date);
        assert_eq!(local.format("%H:%M").to_string(), "17:00", "{local}");
        assert_eq!(*capacity, 12);
    }
    // The term's price shared out over its sessions, to the penny.
    let shares: i64 = sessions.iter().map(|s| s.1).sum();
    assert_eq!(shares, 30000);
    assert_eq!(sessions[0].3, 30000);

    // Sold only as the term: not in the parents' list, refused by the form.
    let (_, book) = app.get_page("/book").await;
    assert!(book.contains("Book the term"), "offered as the term");
    assert!(!book.contains("Tuesday sprinters – "), "not offered alone");
    let first: i64 = sqlx::query_scalar(
        "SELECT id FROM training_sessions WHERE term_id IS NOT NULL ORDER BY starts_at LIMIT 1",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    let single = booking_form(first, "Single Parent");
    let refused = app.server_fn("book", &as_pairs(&single)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.json()["Invalid"]["errors"]["session"]
            .as_str()
            .unwrap()
            .contains("sold only with its term"),
        "{}",
        refused.body
    );
    assert_eq!(count(&app.db, "bookings").await, 0);
}

async fn a_term_with_a_drop_in_price_sells_single_sessions_at_it(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("BUSINESS_TIMEZONE", "Europe/London")]).await;
    app.login_admin().await;
    let (form, _) = term_form(&[("title", "Thursday jumps"), ("dropin_price", "40")]);
    let made = app.server_fn("admin/terms/create", &as_pairs(&form)).await;
    assert_eq!(made.status, 200, "{}", made.body);
    let (_, book) = app.get_page("/book").await;
    assert!(book.contains("Thursday jumps"), "offered alone");
    assert!(book.contains("£40.00"), "at the drop-in price");
    let first: i64 = sqlx::query_scalar(
        "SELECT id FROM training_sessions WHERE term_id IS NOT NULL ORDER BY starts_at LIMIT 1",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    let (booking, _, _) = book_online(&app, first, "Dropin Parent").await;
    let amount: i64 = sqlx::query_scalar("SELECT amount FROM bookings WHERE id = $1")
        .bind(booking)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert_eq!(amount, 4000);
}

/// A parent's term booking form, for `email`.
pub(crate) fn term_booking(term: i64, email: &str) -> Vec<(String, String)> {
    let mut form = booking_form(0, "Term Parent");
    form.retain(|(k, _)| k != "session" && k != "parent_email");
    form.push(("term".into(), term.to_string()));
    form.push(("parent_email".into(), email.to_owned()));
    form
}

/// Term bookings of `email`: id, session, amount, paid_with, payment and attendance status,
/// amount refunded; in session order.
pub(crate) async fn term_rows(db: &app::db::Db, email: &str) -> Vec<TermRow> {
    sqlx::query_as(
        "SELECT id, training_session_id, amount, paid_with, payment_status, attendance_status,
                amount_refunded
         FROM bookings WHERE parent_email = $1 ORDER BY session_starts_at, id",
    )
    .bind(email.to_owned())
    .fetch_all(db.reader())
    .await
    .unwrap()
}

pub(crate) type TermRow = (i64, i64, i64, Option<i64>, String, String, i64);

async fn a_term_is_booked_all_or_none_paid_once_and_one_session_refunded_alone(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("BUSINESS_TIMEZONE", "Europe/London")]).await;
    app.login_admin().await;
    let (form, _) = term_form(&[]);
    let made = app.server_fn("admin/terms/create", &as_pairs(&form)).await;
    assert_eq!(made.status, 200, "{}", made.body);
    let term: i64 = sqlx::query_scalar("SELECT id FROM terms")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let (_, book) = app.get_page("/book").await;
    assert!(book.contains("Book the term") && book.contains("£300.00 for the whole term"));

    // Twenty parents at once, through two instances, for twelve places: twelve whole terms.
    let other = TestApp::spawn_on(app.database.shared(), &[]).await;
    let forms: Vec<Vec<(String, String)>> = (0..20)
        .map(|n| term_booking(term, &format!("rush{n}@example.com")))
        .collect();
    let pairs: Vec<Vec<(&str, &str)>> = forms.iter().map(|f| as_pairs(f)).collect();
    let answers = futures_util::future::join_all(pairs.iter().enumerate().map(|(n, form)| {
        let instance = if n % 2 == 0 { &app } else { &other };
        instance.server_fn("book/term", form)
    }))
    .await;
    let booked = answers.iter().filter(|a| a.status == 200).count();
    assert_eq!(
        booked,
        12,
        "{:?}",
        answers.iter().map(|a| &a.body).collect::<Vec<_>>()
    );
    let full = answers.iter().find(|a| a.status == 422).unwrap();
    assert!(full.body.contains("This term is full."), "{}", full.body);
    let mut whole = 0;
    for n in 0..20 {
        let rows = term_rows(&app.db, &format!("rush{n}@example.com")).await;
        assert!(rows.len() == 9 || rows.is_empty(), "all or none: {rows:?}");
        if rows.len() == 9 {
            whole += 1;
            // One lead, the others paying with it; the shares add up to the term's price.
            assert!(rows[1..].iter().all(|r| r.3 == Some(rows[0].0)));
            assert_eq!(rows.iter().map(|r| r.2).sum::<i64>(), 30000);
        }
    }
    assert_eq!(whole, 12);

    // One checkout for the whole term; its payment marks every session paid.
    let n = (0..20).find(|n| answers[*n].status == 200).unwrap();
    let winner = format!("rush{n}@example.com");
    let checkout = answers[n].redirect.clone().unwrap();
    let session_id = checkout.rsplit('/').next().unwrap().to_owned();
    let amount: i64 =
        sqlx::query_scalar("SELECT amount FROM bookings WHERE stripe_checkout_session_id = $1")
            .bind(&session_id)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert!(amount < 30000, "the lead holds its own share");
    press_simulated(&app, &session_id, "pay").await;
    let mut rows = Vec::new();
    for _ in 0..100 {
        rows = term_rows(&app.db, &winner).await;
        if rows.iter().all(|r| r.4 == "paid") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(rows.iter().all(|r| r.4 == "paid"), "{rows:?}");

    // The coach is ill for the third session: it is cancelled and its share alone refunded.
    let third = rows[2].1.to_string();
    let cancelled = app
        .server_fn("admin/sessions/cancel", &[("id", third.as_str())])
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    for _ in 0..100 {
        rows = term_rows(&app.db, &winner).await;
        if rows[2].4 == "refunded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(rows[2].4, "refunded", "{rows:?}");
    assert_eq!(rows[2].6, rows[2].2, "that session's share");
    assert_eq!(rows[2].5, "cancelled");
    for (i, row) in rows.iter().enumerate().filter(|(i, _)| *i != 2) {
        assert_eq!(
            (row.4.as_str(), row.6),
            ("paid", 0),
            "session {i} untouched"
        );
    }
}

async fn a_cancelled_term_refunds_every_family_what_it_paid(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("BUSINESS_TIMEZONE", "Europe/London")]).await;
    app.login_admin().await;
    let (form, _) = term_form(&[]);
    let made = app.server_fn("admin/terms/create", &as_pairs(&form)).await;
    assert_eq!(made.status, 200, "{}", made.body);
    let term: i64 = sqlx::query_scalar("SELECT id FROM terms")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let paying = app
        .server_fn(
            "book/term",
            &as_pairs(&term_booking(term, "paying@example.com")),
        )
        .await;
    assert_eq!(paying.status, 200, "{}", paying.body);
    let checkout = paying.redirect.unwrap();
    press_simulated(&app, checkout.rsplit('/').next().unwrap(), "pay").await;
    let unpaid = app
        .server_fn(
            "book/term",
            &as_pairs(&term_booking(term, "unpaid@example.com")),
        )
        .await;
    assert_eq!(unpaid.status, 200, "{}", unpaid.body);
    for _ in 0..100 {
        if term_rows(&app.db, "paying@example.com")
            .await
            .iter()
            .all(|r| r.4 == "paid")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // The term's page: its sessions with their places, its families.
    let id = term.to_string();
    let page = app.server_fn("admin/term", &[("id", id.as_str())]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let view = page.json();
    assert_eq!(view["sessions"].as_array().unwrap().len(), 9);
    assert_eq!(view["sessions"][0]["places_taken"], 2);
    let families = view["families"].as_array().unwrap();
    assert_eq!(families.len(), 2);
    let paying_family = families
        .iter()
        .find(|f| f["parent_email"] == "paying@example.com")
        .unwrap();
    assert_eq!(
        (
            paying_family["booked"].as_i64(),
            paying_family["paid"].as_i64()
        ),
        (Some(9), Some(9))
    );
    let (_, html) = app.get_page(&format!("/admin/terms/{term}")).await;
    assert!(
        html.contains("9 sessions booked: 9 paid, 0 refunded"),
        "the page says so"
    );
    // Each session's roster names its term, with the way to its page.
    let first = view["sessions"][0]["id"].as_i64().unwrap();
    let (_, roster) = app
        .get_page(&format!("/admin/sessions/{first}/roster"))
        .await;
    assert!(roster.contains(&format!("href=\"/admin/terms/{term}\"")));
    assert!(roster.contains("Term: Tuesday sprinters"));

    // Not without the box ticked; then every session and booking cancelled, the paid ones
    // refunded their shares: the whole term's price.
    let unconfirmed = app
        .server_fn("admin/terms/cancel", &[("id", id.as_str())])
        .await;
    assert_eq!(unconfirmed.status, 422, "{}", unconfirmed.body);
    assert_eq!(
        count_where(&app.db, "training_sessions", "cancelled_at IS NOT NULL").await,
        0
    );
    let cancelled = app
        .server_fn(
            "admin/terms/cancel",
            &[("id", id.as_str()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(
        count_where(&app.db, "training_sessions", "cancelled_at IS NOT NULL").await,
        9
    );
    assert_eq!(
        count_where(&app.db, "terms", "cancelled_at IS NOT NULL").await,
        1
    );
    let mut rows = Vec::new();
    for _ in 0..100 {
        rows = term_rows(&app.db, "paying@example.com").await;
        if rows.iter().all(|r| r.4 == "refunded") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        rows.iter().all(|r| r.4 == "refunded" && r.5 == "cancelled"),
        "{rows:?}"
    );
    assert_eq!(rows.iter().map(|r| r.6).sum::<i64>(), 30000);
    let unpaid_rows = term_rows(&app.db, "unpaid@example.com").await;
    assert!(
        unpaid_rows.iter().all(|r| r.5 == "cancelled" && r.6 == 0),
        "{unpaid_rows:?}"
    );
    let (_, book) = app.get_page("/book").await;
    assert!(!book.contains("Book the term"), "no longer offered");
}

/// How many rows of `table` meet `condition`.
pub(crate) async fn count_where(db: &app::db::Db, table: &str, condition: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM {table} WHERE {condition}"
    )))
    .fetch_one(db.reader())
    .await
    .unwrap()
}

async fn the_first_session_cancelled_refunds_the_lead_share_alone(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("BUSINESS_TIMEZONE", "Europe/London")]).await;
    app.login_admin().await;
    let (form, _) = term_form(&[]);
    let made = app.server_fn("admin/terms/create", &as_pairs(&form)).await;
    assert_eq!(made.status, 200, "{}", made.body);
    let term: i64 = sqlx::query_scalar("SELECT id FROM terms")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let booked = app
        .server_fn(
            "book/term",
            &as_pairs(&term_booking(term, "lead@example.com")),
        )
        .await;
    assert_eq!(booked.status, 200, "{}", booked.body);
    press_simulated(
        &app,
        booked.redirect.unwrap().rsplit('/').next().unwrap(),
        "pay",
    )
    .await;
    let mut rows = Vec::new();
    for _ in 0..100 {
        rows = term_rows(&app.db, "lead@example.com").await;
        if rows.iter().all(|r| r.4 == "paid") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(rows.iter().all(|r| r.4 == "paid"), "{rows:?}");
    assert_eq!(rows[0].3, None, "the first session's booking is the lead");

    // The first session (the lead's) is cancelled: its share alone comes back.
    let first = rows[0].1.to_string();
    let cancelled = app
        .server_fn("admin/sessions/cancel", &[("id", first.as_str())])
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    for _ in 0..100 {
        rows = term_rows(&app.db, "lead@example.com").await;
        if rows[0].4 == "refunded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        (rows[0].4.as_str(), rows[0].6),
        ("refunded", rows[0].2),
        "{rows:?}"
    );
    // Whatever the charge's news says afterwards, the other sessions stay paid.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let rows = term_rows(&app.db, "lead@example.com").await;
    for row in &rows[1..] {
        assert_eq!((row.4.as_str(), row.6), ("paid", 0), "{rows:?}");
    }
}

on_both_databases!(
    the_first_session_cancelled_refunds_the_lead_share_alone,
    a_cancelled_term_refunds_every_family_what_it_paid,
    a_term_makes_its_weekly_sessions_at_one_local_time,
    a_term_with_a_drop_in_price_sells_single_sessions_at_it,
    a_term_is_booked_all_or_none_paid_once_and_one_session_refunded_alone,
);

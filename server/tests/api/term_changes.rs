//! A term after it is booked (issue 23), on both databases: a family cancels its whole term
//! (every child, every session) before the first session's cut-off and gets back what it paid,
//! in one mail; too late, it is refused with nothing changed; once the term has started, the
//! admin refunds a child's sessions still to come, the amount shown before it is confirmed.

use crate::support::*;
use crate::terms::{count_where, term_booking, term_form, term_rows, TermRow};

/// Makes the test's term (nine sessions, £300) and returns its id.
async fn a_term(app: &TestApp) -> i64 {
    let (form, _) = term_form(&[]);
    let made = app.server_fn("admin/terms/create", &as_pairs(&form)).await;
    assert_eq!(made.status, 200, "{}", made.body);
    sqlx::query_scalar("SELECT id FROM terms ORDER BY id DESC LIMIT 1")
        .fetch_one(app.db.reader())
        .await
        .unwrap()
}

/// Books term `term` for the children `names` of the parent at `email` and pays it; the rows
/// once all are paid.
async fn book_and_pay(app: &TestApp, term: i64, email: &str, names: &[&str]) -> Vec<TermRow> {
    let mut form = term_booking(term, email);
    for (key, value) in &mut form {
        if key == "athlete_name" {
            *value = names[0].to_owned();
        }
    }
    for (i, name) in names.iter().enumerate().skip(1) {
        form.push((format!("athlete_name_{}", i + 1), (*name).to_owned()));
        form.push((format!("athlete_age_{}", i + 1), "11".to_owned()));
    }
    let booked = app.server_fn("book/term", &as_pairs(&form)).await;
    assert_eq!(booked.status, 200, "{}", booked.body);
    eprintln!("REDIRECT {:?}", booked.redirect);
    press_simulated(
        app,
        booked.redirect.unwrap().rsplit('/').next().unwrap(),
        "pay",
    )
    .await;
    until_rows(app, email, |r| r.4 == "paid").await
}

/// The rows of `email` once every one meets `done` (or as they are after ten seconds).
async fn until_rows(app: &TestApp, email: &str, done: impl Fn(&TermRow) -> bool) -> Vec<TermRow> {
    let mut rows = Vec::new();
    for _ in 0..100 {
        rows = term_rows(&app.db, email).await;
        if !rows.is_empty() && rows.iter().all(&done) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    rows
}

async fn reference_of(app: &TestApp, booking: i64) -> String {
    sqlx::query_scalar("SELECT reference FROM bookings WHERE id = $1")
        .bind(booking)
        .fetch_one(app.db.reader())
        .await
        .unwrap()
}

/// The kinds of mail queued for `email`, in order.
async fn mails_to(app: &TestApp, email: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT kind FROM outbox WHERE recipient = $1 ORDER BY id")
        .bind(email.to_owned())
        .fetch_all(app.db.reader())
        .await
        .unwrap()
}

/// Moves the first `n` sessions of term `term` into the past (the term has started).
async fn hold_first_sessions(app: &TestApp, term: i64, n: i64) {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM training_sessions WHERE term_id = $1 ORDER BY starts_at LIMIT $2",
    )
    .bind(term)
    .bind(n)
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    let week = 7 * 86_400_000_i64;
    for (i, id) in ids.iter().enumerate() {
        let at = app::db::now_ms() - week * (n - i64::try_from(i).unwrap());
        for sql in [
            "UPDATE training_sessions SET starts_at = $1 WHERE id = $2",
            "UPDATE bookings SET session_starts_at = $1 WHERE training_session_id = $2",
        ] {
            sqlx::query(sql)
                .bind(at)
                .bind(*id)
                .execute(app.db.writer())
                .await
                .unwrap();
        }
    }
}

async fn a_family_cancels_its_whole_term_before_the_first_cut_off(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("BUSINESS_TIMEZONE", "Europe/London")]).await;
    app.login_admin().await;
    let term = a_term(&app).await;
    let rows = book_and_pay(&app, term, "two@example.com", &["Alex", "Sam"]).await;
    assert_eq!(rows.len(), 18, "two children, nine sessions");
    assert!(rows.iter().all(|r| r.4 == "paid"), "{rows:?}");
    let other = book_and_pay(&app, term, "other@example.com", &["Kim"]).await;

    // From any of the family's bookings (here the second child's last session): the offer.
    let reference = reference_of(&app, rows[17].0).await;
    let (_, page) = app.get_page(&format!("/bookings/{reference}")).await;
    assert!(
        page.contains("Cancel the whole term (9 sessions)"),
        "offered on the booking's page"
    );
    let offer = app
        .server_fn(
            "bookings/term-cancel-offer",
            &[("reference", reference.as_str())],
        )
        .await;
    assert_eq!(offer.status, 200, "{}", offer.body);
    let offer = offer.json();
    assert_eq!(offer["sessions"], 9);
    assert_eq!(offer["children"], "Alex and Sam");
    assert_eq!(offer["refund"], "£600.00");
    let (_, confirm) = app
        .get_page(&format!("/bookings/{reference}/cancel-term"))
        .await;
    assert!(
        confirm.contains("the £600.00 you paid for them is refunded"),
        "the amount before the button"
    );

    let cancelled = app
        .server_fn("bookings/cancel-term", &[("reference", reference.as_str())])
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(
        cancelled.redirect.as_deref(),
        Some(format!("/bookings/{reference}").as_str())
    );
    let rows = until_rows(&app, "two@example.com", |r| r.4 == "refunded").await;
    assert!(
        rows.iter().all(|r| r.4 == "refunded" && r.5 == "cancelled"),
        "{rows:?}"
    );
    assert_eq!(rows.iter().map(|r| r.6).sum::<i64>(), 60000, "all it paid");
    assert_eq!(
        count_where(&app.db, "refunds", "idempotency_key LIKE '%-term'").await,
        18,
        "each booking its share"
    );
    // One mail a child, with its nine sessions and its refund: no mail per share refunded.
    let mails = mails_to(&app, "two@example.com").await;
    assert!(!mails.iter().any(|k| k == "refund_completed"), "{mails:?}");
    let told: Vec<String> = sqlx::query_scalar(
        "SELECT payload FROM outbox WHERE recipient = $1 AND kind = 'booking_cancelled'",
    )
    .bind("two@example.com")
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    assert_eq!(told.len(), 2, "{mails:?}");
    for payload in &told {
        assert!(payload.contains("\"sessions\":9"), "{payload}");
        assert!(payload.contains("\"amount\":30000"), "{payload}");
    }

    // Another family untouched; the places free; a second time there is nothing to cancel.
    let again = term_rows(&app.db, "other@example.com").await;
    assert_eq!(again, other);
    let view = app
        .server_fn("admin/term", &[("id", term.to_string().as_str())])
        .await
        .json();
    assert_eq!(view["sessions"][0]["places_taken"], 1);
    let twice = app
        .server_fn("bookings/cancel-term", &[("reference", reference.as_str())])
        .await;
    assert!(twice.status >= 400, "{}", twice.body);
    assert_eq!(
        count_where(&app.db, "refunds", "idempotency_key LIKE '%-term'").await,
        18
    );
}

async fn too_close_to_the_first_session_the_whole_term_is_refused(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("BUSINESS_TIMEZONE", "Europe/London")]).await;
    app.login_admin().await;
    let term = a_term(&app).await;
    let rows = book_and_pay(&app, term, "late@example.com", &["Lee"]).await;
    // The first session in two hours: inside the cut-off.
    let soon = app::db::now_ms() + 2 * 3_600_000;
    for sql in [
        "UPDATE training_sessions SET starts_at = $1 WHERE id = $2",
        "UPDATE bookings SET session_starts_at = $1 WHERE training_session_id = $2",
    ] {
        sqlx::query(sql)
            .bind(soon)
            .bind(rows[0].1)
            .execute(app.db.writer())
            .await
            .unwrap();
    }
    let reference = reference_of(&app, rows[4].0).await;
    let (_, page) = app.get_page(&format!("/bookings/{reference}")).await;
    assert!(!page.contains("Cancel the whole term"), "no longer offered");
    let refused = app
        .server_fn("bookings/cancel-term", &[("reference", reference.as_str())])
        .await;
    assert!(refused.status >= 400, "{}", refused.body);
    assert!(refused.body.contains("too close"), "{}", refused.body);
    let after = term_rows(&app.db, "late@example.com").await;
    assert!(
        after.iter().all(|r| r.4 == "paid" && r.5 != "cancelled"),
        "{after:?}"
    );
    assert_eq!(count(&app.db, "refunds").await, 0);
}

async fn once_started_the_admin_refunds_a_childs_sessions_to_come(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("BUSINESS_TIMEZONE", "Europe/London")]).await;
    app.login_admin().await;
    let term = a_term(&app).await;
    let rows = book_and_pay(&app, term, "mid@example.com", &["Max"]).await;
    hold_first_sessions(&app, term, 3).await;
    let to_come: i64 = rows[3..].iter().map(|r| r.2).sum();
    let shown = domain::Money::new(to_come, "GBP").to_string();

    // The page shows the six sessions to come and what they give back, before anything.
    let id = term.to_string();
    let view = app
        .server_fn("admin/term", &[("id", id.as_str())])
        .await
        .json();
    let family = &view["families"][0];
    assert_eq!(family["to_come"], 6);
    assert_eq!(family["refund_to_come"], shown.as_str());
    let (_, html) = app.get_page(&format!("/admin/terms/{term}")).await;
    assert!(
        html.contains(&format!(
            "Cancel Max&#x27;s 6 sessions to come and refund {shown}."
        )) || html.contains(&format!(
            "Cancel Max's 6 sessions to come and refund {shown}."
        )),
        "the amount before it is confirmed"
    );

    let form = [
        ("id", id.as_str()),
        ("email", "mid@example.com"),
        ("athlete", "Max"),
    ];
    let unconfirmed = app.server_fn("admin/terms/refund-to-come", &form).await;
    assert_eq!(unconfirmed.status, 422, "{}", unconfirmed.body);
    assert_eq!(count(&app.db, "refunds").await, 0);
    let mut confirmed = form.to_vec();
    confirmed.push(("confirm", "yes"));
    let done = app
        .server_fn("admin/terms/refund-to-come", &confirmed)
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.redirect, Some(format!("/admin/terms/{term}")));
    let mut after = Vec::new();
    for _ in 0..100 {
        after = term_rows(&app.db, "mid@example.com").await;
        if after[3..].iter().all(|r| r.4 == "refunded") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for row in &after[..3] {
        assert_eq!((row.4.as_str(), row.6), ("paid", 0), "held: {after:?}");
    }
    for row in &after[3..] {
        assert_eq!((row.4.as_str(), row.5.as_str()), ("refunded", "cancelled"));
        assert_eq!(row.6, row.2, "its share: {after:?}");
    }
    assert_eq!(after[3..].iter().map(|r| r.6).sum::<i64>(), to_come);
    let mails = mails_to(&app, "mid@example.com").await;
    assert_eq!(
        mails.iter().filter(|k| *k == "booking_cancelled").count(),
        1,
        "{mails:?}"
    );
    let view = app
        .server_fn("admin/term", &[("id", id.as_str())])
        .await
        .json();
    assert_eq!(view["families"][0]["to_come"], 0);
}

async fn before_it_starts_the_admin_changes_places_prices_and_drops_a_date(backend: Backend) {
    use chrono::TimeZone;
    let app = TestApp::spawn_with(backend, &[("BUSINESS_TIMEZONE", "Europe/London")]).await;
    app.login_admin().await;
    let term = a_term(&app).await;
    let id = term.to_string();
    let rows = book_and_pay(&app, term, "early@example.com", &["Ada"]).await;
    let start = app
        .server_fn("admin/terms/change-start", &[("id", id.as_str())])
        .await
        .json();
    assert_eq!(start["fields"]["capacity"], "12");
    assert_eq!(start["fields"]["price"], "300.00");
    assert_eq!(start["closed"], false);

    // The fifth session's local date is dropped; a date of no session is refused.
    let fifth: i64 = sqlx::query_scalar("SELECT starts_at FROM training_sessions WHERE id = $1")
        .bind(rows[4].1)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let london = chrono_tz::Europe::London;
    let date = london.timestamp_millis_opt(fifth).unwrap().date_naive();
    let stray = (date + chrono::Duration::days(1)).to_string();
    let date = date.to_string();
    let form = |capacity: &'static str, skip: &str| {
        vec![
            ("id".to_owned(), id.clone()),
            ("capacity".to_owned(), capacity.to_owned()),
            ("price".to_owned(), "280".to_owned()),
            ("dropin_price".to_owned(), String::new()),
            ("skip".to_owned(), skip.to_owned()),
        ]
    };
    for (capacity, skip, field, says) in [
        ("none", date.as_str(), "capacity", "how many athletes"),
        (
            "14",
            stray.as_str(),
            "skip",
            "is not the date of one of this term's sessions",
        ),
    ] {
        let refused = app
            .server_fn("admin/terms/change", &as_pairs(&form(capacity, skip)))
            .await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        let said = refused.json()["Invalid"]["errors"][field]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(said.contains(says), "{field}: {said}");
    }
    assert_eq!(
        count_where(&app.db, "training_sessions", "capacity = 14").await,
        0,
        "nothing changed"
    );

    let changed = app
        .server_fn("admin/terms/change", &as_pairs(&form("14", &date)))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.redirect, Some(format!("/admin/terms/{term}")));
    let standing: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT capacity, price_amount FROM training_sessions
         WHERE term_id = $1 AND cancelled_at IS NULL ORDER BY starts_at",
    )
    .bind(term)
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    assert_eq!(standing.len(), 8, "the dropped date's session cancelled");
    assert!(standing.iter().all(|s| s.0 == 14));
    assert_eq!(standing.iter().map(|s| s.1).sum::<i64>(), 28000);
    // The family booked keeps what it paid; the dropped session's share comes back.
    let after = until_rows(&app, "early@example.com", |r| {
        r.4 == "paid" || r.4 == "refunded"
    })
    .await;
    let mut refunded = Vec::new();
    for _ in 0..100 {
        refunded = term_rows(&app.db, "early@example.com").await;
        if refunded[4].4 == "refunded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        (
            refunded[4].4.as_str(),
            refunded[4].5.as_str(),
            refunded[4].6
        ),
        ("refunded", "cancelled", after[4].2)
    );
    assert_eq!(
        refunded.iter().filter(|r| r.4 == "paid").count(),
        8,
        "{refunded:?}"
    );

    // A family booking now pays the new price for the eight sessions left.
    let (_, book) = app.get_page("/book").await;
    assert!(
        book.contains("£280.00 for the whole term"),
        "the new price offered"
    );
    let new = book_and_pay(&app, term, "late@example.com", &["Bea"]).await;
    assert_eq!(new.len(), 8);
    assert_eq!(new.iter().map(|r| r.2).sum::<i64>(), 28000);

    // Once the term has started, it is changed session by session only.
    hold_first_sessions(&app, term, 1).await;
    let closed = app
        .server_fn("admin/terms/change-start", &[("id", id.as_str())])
        .await
        .json();
    assert_eq!(closed["closed"], true);
    let refused = app
        .server_fn("admin/terms/change", &as_pairs(&form("16", "")))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("This term has started"),
        "{}",
        refused.body
    );
}

async fn a_session_cancelled_with_make_up_places_moves_its_families_there(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("BUSINESS_TIMEZONE", "Europe/London")]).await;
    app.login_admin().await;
    let term = a_term(&app).await;
    let ada = book_and_pay(&app, term, "ada@example.com", &["Ada"]).await;
    let bea = book_and_pay(&app, term, "bea@example.com", &["Bea"]).await;
    // The coach adds a make-up session of the term's kind, at another price; Bea is already
    // booked into it.
    let extra = app::services::sessions::create(
        &app.db,
        &domain::session_form::NewTrainingSession {
            title: "Tuesday sprinters".into(),
            starts_at: (chrono::Utc::now() + chrono::Duration::days(20)).timestamp_millis(),
            duration_minutes: 60,
            location: "Riverside Track".into(),
            capacity: 6,
            price_amount: 4000,
            currency: "GBP".into(),
        },
    )
    .await
    .unwrap();
    let mut form = booking_form(extra, "Bea Parent");
    for (key, value) in &mut form {
        match key.as_str() {
            "parent_email" => *value = "bea@example.com".into(),
            "athlete_name" => *value = "Bea".into(),
            _ => {}
        }
    }
    let booked = app.server_fn("book", &as_pairs(&form)).await;
    assert_eq!(booked.status, 200, "{}", booked.body);

    let third = ada[2].1;
    let id = third.to_string();
    let options = app
        .server_fn("admin/sessions/make-up-options", &[("id", id.as_str())])
        .await
        .json();
    let offered: Vec<i64> = options
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o[0].as_i64().unwrap())
        .collect();
    assert!(offered.contains(&extra), "{options}");
    assert!(!offered.contains(&third));
    let (_, page) = app
        .get_page(&format!("/admin/sessions/{third}/cancel"))
        .await;
    assert!(page.contains("Instead of refunds, a make-up place for everyone in"));

    let bogus = app
        .server_fn(
            "admin/sessions/cancel",
            &[("id", id.as_str()), ("make_up", third.to_string().as_str())],
        )
        .await;
    assert_eq!(bogus.status, 422, "{}", bogus.body);
    assert_eq!(
        count_where(&app.db, "training_sessions", "cancelled_at IS NOT NULL").await,
        0,
        "nothing cancelled"
    );
    let done = app
        .server_fn(
            "admin/sessions/cancel",
            &[("id", id.as_str()), ("make_up", extra.to_string().as_str())],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    let (_, list) = app.get_page("/admin/sessions").await;
    assert!(
        list.contains("Session cancelled: 1 booking moved to the make-up session, 1 refund sent."),
        "the list says what was done"
    );
    // Ada's place moved there, still paid its share; Bea, already there, refunded instead.
    let (session, payment, attendance, amount, refunded): (i64, String, String, i64, i64) =
        sqlx::query_as(
            "SELECT training_session_id, payment_status, attendance_status, amount, amount_refunded
             FROM bookings WHERE id = $1",
        )
        .bind(ada[2].0)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert_eq!(
        (
            session,
            payment.as_str(),
            attendance.as_str(),
            amount,
            refunded
        ),
        (extra, "paid", ada[2].5.as_str(), ada[2].2, 0)
    );
    let after = until_rows(&app, "bea@example.com", |r| {
        r.1 != third || r.4 == "refunded"
    })
    .await;
    let moved_out = after.iter().find(|r| r.0 == bea[2].0).unwrap();
    assert_eq!(
        (moved_out.4.as_str(), moved_out.5.as_str(), moved_out.6),
        ("refunded", "cancelled", bea[2].2)
    );
    let payload: String = sqlx::query_scalar(
        "SELECT payload FROM outbox WHERE recipient = 'ada@example.com' AND kind = 'booking_moved'",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert!(payload.contains("\"make_up\":true"), "{payload}");
    assert_eq!(
        mails_to(&app, "bea@example.com")
            .await
            .iter()
            .filter(|k| *k == "session_cancelled")
            .count(),
        1
    );
}

async fn a_full_terms_waitlist_offers_the_whole_term_when_a_family_leaves(backend: Backend) {
    use app::services::waitlist::offer_free_places;
    const OFFER_MS: i64 = 3_600_000;
    let app = TestApp::spawn_with(backend, &[("BUSINESS_TIMEZONE", "Europe/London")]).await;
    app.login_admin().await;
    let (form, _) = term_form(&[("capacity", "1")]);
    let made = app.server_fn("admin/terms/create", &as_pairs(&form)).await;
    assert_eq!(made.status, 200, "{}", made.body);
    let term: i64 = sqlx::query_scalar("SELECT id FROM terms")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let wait_form = |email: &str| {
        let mut form = term_booking(term, email);
        form.retain(|(k, _)| k != "term");
        form.push(("term".into(), term.to_string()));
        form.push(("session".into(), String::new()));
        form.retain(|(k, _)| !k.starts_with("emergency"));
        form
    };
    // Not while it has a place.
    let early = app
        .server_fn("waitlist/join", &as_pairs(&wait_form("early@example.com")))
        .await;
    assert_eq!(early.status, 422, "{}", early.body);
    assert!(
        early.body.contains("This term has a free place"),
        "{}",
        early.body
    );

    let first = book_and_pay(&app, term, "first@example.com", &["Fay"]).await;
    let (_, book) = app.get_page("/book").await;
    assert!(
        book.contains(&format!("/waitlist/join?term={term}")),
        "the list offers the waitlist"
    );
    let (_, page) = app.get_page(&format!("/book/term/{term}")).await;
    assert!(
        page.contains("This term is full."),
        "the term's page says so"
    );

    let joined = app
        .server_fn("waitlist/join", &as_pairs(&wait_form("wait@example.com")))
        .await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    let token: String = sqlx::query_scalar("SELECT token FROM waitlist WHERE term_id = $1")
        .bind(term)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let confirmed = app
        .server_fn("waitlist/confirm", &[("token", token.as_str())])
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert_eq!(
        offer_free_places(&app.db, OFFER_MS, app::db::now_ms())
            .await
            .unwrap(),
        0,
        "nothing free yet"
    );

    // The first family cancels its whole term: the whole term is offered, once, and while the
    // offer holds no one else can book it.
    let reference = reference_of(&app, first[0].0).await;
    let cancelled = app
        .server_fn("bookings/cancel-term", &[("reference", reference.as_str())])
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    let now = app::db::now_ms();
    let offered = offer_free_places(&app.db, OFFER_MS, now).await.unwrap()
        + offer_free_places(&app.db, OFFER_MS, now).await.unwrap();
    assert_eq!(offered, 1);
    let offer: String = sqlx::query_scalar(
        "SELECT payload FROM outbox WHERE kind = 'waitlist_offer' AND recipient = 'wait@example.com'",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert!(offer.contains("the whole term"), "{offer}");
    let other = app
        .server_fn(
            "book/term",
            &as_pairs(&term_booking(term, "sneak@example.com")),
        )
        .await;
    assert_eq!(other.status, 422, "{}", other.body);
    assert!(other.body.contains("This term is full."), "{}", other.body);

    // Booked from the offer: every session, one checkout, paid at once.
    let booked = app
        .server_fn("waitlist/book", &[("token", token.as_str())])
        .await;
    assert_eq!(booked.status, 200, "{}", booked.body);
    assert!(
        booked
            .redirect
            .as_deref()
            .unwrap_or_default()
            .contains("/checkout/simulated/"),
        "{booked:?}"
    );
    let checkout = booked.redirect.clone().unwrap();
    let response = app
        .client
        .post(app.url(&format!(
            "/api/simulated/checkout/{}/pay",
            checkout.rsplit('/').next().unwrap()
        )))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        303,
        "{checkout}: {}",
        response.text().await.unwrap()
    );
    let rows = until_rows(&app, "wait@example.com", |r| r.4 == "paid").await;
    assert_eq!(rows.len(), 9, "{rows:?} {booked:?}");
    assert!(rows.iter().all(|r| r.4 == "paid"), "{rows:?}");
    assert_eq!(rows.iter().map(|r| r.2).sum::<i64>(), 30000);
    let status: String = sqlx::query_scalar("SELECT status FROM waitlist WHERE token = $1")
        .bind(&token)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert_eq!(status, "booked");
}

on_both_databases!(
    a_family_cancels_its_whole_term_before_the_first_cut_off,
    too_close_to_the_first_session_the_whole_term_is_refused,
    once_started_the_admin_refunds_a_childs_sessions_to_come,
    before_it_starts_the_admin_changes_places_prices_and_drops_a_date,
    a_session_cancelled_with_make_up_places_moves_its_families_there,
    a_full_terms_waitlist_offers_the_whole_term_when_a_family_leaves,
);

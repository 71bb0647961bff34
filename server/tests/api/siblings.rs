//! Several children booked in one form and paid in one checkout (issue 22), on both
//! databases: each child its own booking and statuses, all places taken or none (also under
//! concurrency), the payment checked against the sum of the children's prices, the sibling
//! discount, one child cancelled and refunded its share only, the whole charge refunded.

use crate::support::maildev::MailDev;
use crate::support::*;
use server::simulated::events::{checkout_session, event, refunded_charge, SessionState};
use std::time::Duration;

/// The booking form of one family with more children (`(name, age)` each).
fn family_form(session: i64, email: &str, children: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form = booking_form(session, "Pat Family");
    for (key, value) in &mut form {
        match key.as_str() {
            "parent_email" => *value = email.to_owned(),
            "athlete_name" => *value = children[0].0.to_owned(),
            "athlete_age" => *value = children[0].1.to_owned(),
            _ => {}
        }
    }
    for (i, (name, age)) in children.iter().enumerate().skip(1) {
        form.push((format!("athlete_name_{}", i + 1), (*name).to_owned()));
        form.push((format!("athlete_age_{}", i + 1), (*age).to_owned()));
    }
    form
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
struct Row {
    id: i64,
    reference: String,
    athlete_name: String,
    amount: i64,
    paid_with: Option<i64>,
    payment_status: String,
    attendance_status: String,
    amount_paid: Option<i64>,
    amount_refunded: i64,
    stripe_payment_intent_id: Option<String>,
}

async fn family(db: &app::db::Db, email: &str) -> Vec<Row> {
    sqlx::query_as(
        "SELECT id, reference, athlete_name, amount, paid_with, payment_status,
                attendance_status, amount_paid, amount_refunded, stripe_payment_intent_id
         FROM bookings WHERE parent_email = $1 ORDER BY id",
    )
    .bind(email.to_owned())
    .fetch_all(db.reader())
    .await
    .unwrap()
}

/// Waits until `check` holds of the family's bookings (or fails after 10 s).
async fn until(
    db: &app::db::Db,
    email: &str,
    what: &str,
    check: impl Fn(&[Row]) -> bool,
) -> Vec<Row> {
    for _ in 0..100 {
        let rows = family(db, email).await;
        if check(&rows) {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: {:#?}", family(db, email).await);
}

async fn two_children_are_booked_in_one_form_paid_in_one_checkout_and_one_refunded_alone(
    backend: Backend,
) {
    let mail = MailDev::start().await;
    let url = mail.smtp_url();
    let app = TestApp::spawn_with(
        backend,
        &[
            ("SIBLING_DISCOUNT_PERCENT", "10"),
            ("SMTP_URL", url.as_str()),
            ("MAIL_FROM", "Riverside Coaching <bookings@example.com>"),
        ],
    )
    .await;
    let session = seed_session_in(&app.db, 5, 3).await;
    let email = "two.children@example.com";
    let (_, page) = app.get_page("/book").await;
    assert!(
        page.contains("Sibling discount: 10% off the second child and each after."),
        "the form says the discount"
    );
    let answer = app
        .server_fn(
            "book",
            &as_pairs(&family_form(
                session,
                email,
                &[("Alex", "12"), ("Sam", "9")],
            )),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let checkout = answer.redirect.expect("to the checkout");
    let rows = family(&app.db, email).await;
    assert_eq!(rows.len(), 2, "{rows:#?}");
    let (lead, sibling) = (&rows[0], &rows[1]);
    assert_eq!(
        (lead.athlete_name.as_str(), lead.amount, lead.paid_with),
        ("Alex", 4500, None)
    );
    assert_eq!(
        (
            sibling.athlete_name.as_str(),
            sibling.amount,
            sibling.paid_with
        ),
        ("Sam", 4050, Some(lead.id))
    );
    // One checkout for both: the sum of their prices.
    let session_id = checkout.rsplit('/').next().unwrap().to_owned();
    let (status, simulated) = app
        .get_page(&format!("/checkout/simulated/{session_id}"))
        .await;
    assert_eq!(status, 200);
    assert!(
        simulated.contains("$85.50"),
        "the checkout asks for both children"
    );
    // Paying from the second child's page goes to the same checkout.
    let pay = app
        .server_fn("bookings/pay", &[("reference", sibling.reference.as_str())])
        .await;
    assert_eq!(
        pay.redirect.as_deref(),
        Some(checkout.as_str()),
        "{}",
        pay.body
    );

    press_simulated(&app, &session_id, "pay").await;
    let rows = until(&app.db, email, "both paid", |rows| {
        rows.iter().all(|r| r.payment_status == "paid")
    })
    .await;
    assert_eq!(
        rows[0].amount_paid,
        Some(4500),
        "each child's share is what it paid"
    );
    assert_eq!(rows[1].amount_paid, Some(4050));
    assert_eq!(
        rows[0].stripe_payment_intent_id,
        rows[1].stripe_payment_intent_id
    );
    assert!(rows.iter().all(|r| r.attendance_status == "pending"));
    // One receipt, for both children and the whole payment.
    let receipts = mail
        .wait_for_subject("Booking confirmed", 1, Duration::from_secs(20))
        .await;
    assert_eq!(receipts.len(), 1, "{receipts:#?}");
    assert!(
        receipts[0]
            .text
            .contains("The places of Alex and Sam are confirmed."),
        "{}",
        receipts[0].text
    );
    assert!(
        receipts[0].text.contains("Amount paid: $85.50"),
        "{}",
        receipts[0].text
    );
    app.login_admin().await;
    let (_, detail) = app
        .get_page(&format!("/admin/bookings/{}", rows[0].id))
        .await;
    assert!(detail.contains(&format!("One payment with Sam (#{})", rows[1].id)));

    // The second child is cancelled from its page: its share only comes back.
    let cancel = app
        .server_fn(
            "bookings/cancel",
            &[("reference", rows[1].reference.as_str())],
        )
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    let rows = until(&app.db, email, "the second child refunded", |rows| {
        rows[1].payment_status == "refunded"
    })
    .await;
    assert_eq!(rows[1].amount_refunded, 4050);
    assert_eq!(rows[1].attendance_status, "cancelled");
    // The first child's booking is untouched, whatever the charge's news says.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let rows = family(&app.db, email).await;
    assert_eq!(
        (
            rows[0].payment_status.as_str(),
            rows[0].attendance_status.as_str(),
            rows[0].amount_refunded
        ),
        ("paid", "pending", 0)
    );
    let asked: Vec<(i64, i64)> =
        sqlx::query_as("SELECT booking_id, amount FROM refunds ORDER BY id")
            .fetch_all(app.db.reader())
            .await
            .unwrap();
    assert_eq!(asked, [(rows[1].id, 4050)]);
    let issues: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM payment_logs WHERE level IN ('warning', 'error')")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(issues, 0, "{:#?}", payment_logs(&app.db).await);
}

async fn the_places_for_several_children_are_taken_all_or_none(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // Three places: a family of two books, then a family of two does not fit.
    let session = seed_session_in(&app.db, 3, 3).await;
    let first = app
        .server_fn(
            "book",
            &as_pairs(&family_form(
                session,
                "first@example.com",
                &[("A", "10"), ("B", "10")],
            )),
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    let second = app
        .server_fn(
            "book",
            &as_pairs(&family_form(
                session,
                "second@example.com",
                &[("C", "10"), ("D", "10")],
            )),
        )
        .await;
    assert_eq!(second.status, 422, "{}", second.body);
    assert!(
        second
            .body
            .contains("Only 1 place is left in this session, and this form books 2"),
        "{}",
        second.body
    );
    assert!(
        family(&app.db, "second@example.com").await.is_empty(),
        "none booked"
    );

    // Eight places, eight families of two at the same moment: four fit, each whole.
    let wide = seed_session_in(&app.db, 8, 3).await;
    let forms: Vec<Vec<(String, String)>> = (0..8)
        .map(|n| {
            family_form(
                wide,
                &format!("rush{n}@example.com"),
                &[("Kid", "10"), ("Sib", "11")],
            )
        })
        .collect();
    let pairs: Vec<Vec<(&str, &str)>> = forms.iter().map(|form| as_pairs(form)).collect();
    let answers =
        futures_util::future::join_all(pairs.iter().map(|form| app.server_fn("book", form))).await;
    let booked = answers.iter().filter(|a| a.status == 200).count();
    assert_eq!(
        booked,
        4,
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert!(answers.iter().all(|a| a.status == 200 || a.status == 422));
    for n in 0..8 {
        let rows = family(&app.db, &format!("rush{n}@example.com")).await;
        assert!(rows.len() == 2 || rows.is_empty(), "all or none: {rows:#?}");
    }
    let taken: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM bookings WHERE training_session_id = $1")
            .bind(wide)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(taken, 8);

    // A further child is checked on its own fields.
    let refused = app
        .server_fn(
            "book",
            &as_pairs(&family_form(
                wide,
                "x@example.com",
                &[("E", "10"), ("F", "")],
            )),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.json()["Invalid"]["errors"]["athlete_age_2"],
        "Enter the athlete's age."
    );
}

/// A `checkout.session.completed` for the family's lead, of `amount`.
fn paid_for(id: &str, lead: i64, amount: i64) -> serde_json::Value {
    event(
        id,
        "checkout.session.completed",
        now_secs(),
        checkout_session(&SessionState {
            session_id: &format!("cs_{id}"),
            booking_id: lead,
            amount,
            currency: "usd",
            status: "complete",
            payment_status: "paid",
            payment_intent: Some("pi_family"),
            url: None,
            created: now_secs(),
            expires_at: now_secs() + 1800,
        }),
    )
}

async fn the_payment_must_come_to_the_sum_of_the_children_and_a_whole_refund_refunds_them_all(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session_in(&app.db, 5, 3).await;
    let email = "sum@example.com";
    let answer = app
        .server_fn(
            "book",
            &as_pairs(&family_form(
                session,
                email,
                &[("One", "10"), ("Two", "10"), ("Three", "10")],
            )),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let lead = family(&app.db, email).await[0].id;

    // One child's price is not the family's payment: refused, nothing paid.
    let short = app.deliver(&paid_for("evt_short", lead, 4500)).await;
    assert_eq!(short.status(), 200);
    let rows = family(&app.db, email).await;
    assert!(
        rows.iter().all(|r| r.payment_status == "unpaid"),
        "{rows:#?}"
    );
    let logs = payment_logs(&app.db).await;
    assert!(
        logs.iter()
            .any(|l| l.message.as_deref().is_some_and(
                |m| m.contains("amount mismatch: got 45.00 USD, booking is 135.00 USD")
            )),
        "{logs:#?}"
    );

    // The sum of the three: all three paid.
    let paid = app.deliver(&paid_for("evt_paid", lead, 13500)).await;
    assert_eq!(paid.status(), 200);
    let rows = family(&app.db, email).await;
    assert!(rows.iter().all(|r| r.payment_status == "paid"), "{rows:#?}");
    assert!(rows.iter().all(|r| r.amount_paid == Some(4500)));

    // The whole charge refunded (from Stripe's Dashboard, say): every child refunded.
    let refund = event(
        "evt_refund",
        "charge.refunded",
        now_secs(),
        refunded_charge("ch_family", "pi_family", Some(lead), 13500, 13500, "usd"),
    );
    assert_eq!(app.deliver(&refund).await.status(), 200);
    let rows = family(&app.db, email).await;
    assert!(
        rows.iter().all(|r| r.payment_status == "refunded"),
        "{rows:#?}"
    );
}

async fn a_child_cancelled_before_paying_leaves_the_familys_checkout(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("CANCELLATION_CUTOFF_HOURS", "1")]).await;
    let session = seed_session_in(&app.db, 5, 3).await;
    let email = "leaving@example.com";
    let answer = app
        .server_fn(
            "book",
            &as_pairs(&family_form(
                session,
                email,
                &[("Stays", "10"), ("Goes", "10")],
            )),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let rows = family(&app.db, email).await;
    let cancel = app
        .server_fn(
            "bookings/cancel",
            &[("reference", rows[1].reference.as_str())],
        )
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    let rows = family(&app.db, email).await;
    assert_eq!(rows[1].paid_with, None, "out of the family's payment");
    // The next checkout is for the child left alone.
    let pay = app
        .server_fn("bookings/pay", &[("reference", rows[0].reference.as_str())])
        .await;
    let session_id = pay
        .redirect
        .expect("a checkout")
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let (_, simulated) = app
        .get_page(&format!("/checkout/simulated/{session_id}"))
        .await;
    assert!(simulated.contains("$45.00") && !simulated.contains("$90.00"));

    // Cancelling the first child of an unpaid family hands the payment to the next one.
    let answer = app
        .server_fn(
            "book",
            &as_pairs(&family_form(
                session,
                "hand@example.com",
                &[("First", "10"), ("Next", "10"), ("Last", "10")],
            )),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let rows = family(&app.db, "hand@example.com").await;
    let cancel = app
        .server_fn(
            "bookings/cancel",
            &[("reference", rows[0].reference.as_str())],
        )
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    let rows = family(&app.db, "hand@example.com").await;
    assert_eq!(
        rows.iter().map(|r| r.paid_with).collect::<Vec<_>>(),
        [None, None, Some(rows[1].id)]
    );
}

on_both_databases!(
    two_children_are_booked_in_one_form_paid_in_one_checkout_and_one_refunded_alone,
    the_places_for_several_children_are_taken_all_or_none,
    the_payment_must_come_to_the_sum_of_the_children_and_a_whole_refund_refunds_them_all,
    a_child_cancelled_before_paying_leaves_the_familys_checkout,
);

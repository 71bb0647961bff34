//! Families (issue 22), on the real app and both databases: signing in by a link mailed
//! through a real SMTP server (maildev), the same answer and work for any address, one opening
//! per link and only in time, only the link's hash kept; the family page with its own bookings
//! only; signing out; athletes' medical notes sealed in the database; the export; erasure and
//! the retention job keeping the payment records; an address changed only once confirmed.

use crate::support::maildev::{MailDev, ReceivedEmail};
use crate::support::*;
use app::services::families::token_hash;
use domain::family::LinkPurpose;
use std::time::Duration;

async fn mailing_app(backend: Backend, mail: &MailDev) -> TestApp {
    let url = mail.smtp_url();
    TestApp::spawn_with(
        backend,
        &[
            ("SMTP_URL", url.as_str()),
            ("MAIL_FROM", "Riverside Coaching <bookings@example.com>"),
            ("BUSINESS_NAME", "Riverside Coaching"),
            ("SIMULATED_DELAY_MS", "200"),
        ],
    )
    .await
}

/// The token of the link to `path` (`/sign-in/`, `/family/address/`) a mail carries.
fn token_in(mail: &ReceivedEmail, path: &str) -> String {
    let at = mail
        .text
        .find(path)
        .unwrap_or_else(|| panic!("{}", mail.text))
        + path.len();
    mail.text[at..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

/// Signs `app`'s client in as the family of `email`, through a link made as the mail sender
/// makes it (its hash kept), opened with the page's button.
pub(crate) async fn sign_in_as(app: &TestApp, email: &str) {
    let token = hex::encode(rand::random::<[u8; 32]>());
    let now = app::db::now_ms();
    app::db::families::insert_link(
        &app.db,
        &token_hash(&token),
        LinkPurpose::SignIn,
        email,
        None,
        now,
        now + 15 * 60_000,
    )
    .await
    .unwrap();
    let opened = app.server_fn("family/open", &[("token", &token)]).await;
    assert_eq!(opened.status, 200, "{}", opened.body);
}

/// The signed-in family's page data (`null` when none is signed in).
async fn family_view(app: &TestApp) -> serde_json::Value {
    let answer = app.server_fn("family/view", &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

/// Everything the database holds of `token`, as text: the SQLite file (and its WAL) or every
/// text column of the tables a link touches.
pub(crate) async fn stored_text(app: &TestApp) -> String {
    match app.db.backend() {
        Backend::Sqlite => {
            let path = app.database.url.trim_start_matches("sqlite://").to_owned();
            let mut bytes = std::fs::read(&path).unwrap();
            bytes.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Backend::Postgres => {
            let rows: Vec<(String,)> = sqlx::query_as(
                "SELECT token_hash || ' ' || email FROM family_links
                 UNION ALL SELECT token_hash FROM family_logins
                 UNION ALL SELECT payload || ' ' || COALESCE(subject, '') FROM outbox
                 UNION ALL SELECT name || ' ' || COALESCE(medical_notes_sealed, '') FROM athletes
                 UNION ALL SELECT COALESCE(contact_name, '') || ' ' || COALESCE(medical_notes_sealed, '')
                    FROM booking_emergency",
            )
            .fetch_all(app.db.reader())
            .await
            .unwrap();
            rows.into_iter()
                .map(|(t,)| t)
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

async fn a_mailed_link_signs_the_family_in_once_and_only_its_hash_is_kept(backend: Backend) {
    let mail = MailDev::start().await;
    let app = mailing_app(backend, &mail).await;
    let session = seed_session(&app.db, 10).await;
    let (_, reference, _) = book_online(&app, session, "Fam Parent").await;
    let (_, other_reference, _) = book_online(&app, session, "Other Family").await;
    mail.wait_for(2, Duration::from_secs(20)).await;

    // The same answer, and the same work (one queued mail), for an address with bookings and
    // one without.
    let known = app
        .server_fn("family/sign-in", &[("email", " Fam.Parent@Example.com ")])
        .await;
    let unknown = app
        .server_fn("family/sign-in", &[("email", "nobody@example.com")])
        .await;
    assert_eq!((known.status, unknown.status), (200, 200));
    assert_eq!(
        (&known.body, &known.redirect),
        (&unknown.body, &unknown.redirect)
    );
    assert_eq!(known.redirect.as_deref(), Some("/sign-in?sent=1"));
    let queued: Vec<String> = sqlx::query_scalar(
        "SELECT recipient FROM outbox WHERE kind = 'family_sign_in' ORDER BY recipient",
    )
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    assert_eq!(queued, ["fam.parent@example.com", "nobody@example.com"]);
    let bad = app
        .server_fn("family/sign-in", &[("email", "not-an-email")])
        .await;
    assert_eq!(bad.status, 422);

    mail.wait_for(4, Duration::from_secs(20)).await;
    let mails = mail.emails().await;
    let link_mail = mails
        .iter()
        .find(|m| {
            m.subject == "Sign in to Riverside Coaching" && m.to == ["fam.parent@example.com"]
        })
        .unwrap_or_else(|| panic!("{mails:#?}"));
    let token = token_in(link_mail, "/sign-in/");
    assert_eq!(token.len(), 64, "{}", link_mail.text);
    assert!(link_mail
        .text
        .contains(&format!("{}/sign-in/{token}", app.address)));

    // Only the hash is kept: the token itself is nowhere in the database.
    let stored = stored_text(&app).await;
    assert!(stored.contains(&token_hash(&token)), "the hash is kept");
    assert!(!stored.contains(&token), "the token is not");

    // Fetching the link (a mail scanner does) spends nothing: the page offers a button.
    let (status, page) = app.get_page(&format!("/sign-in/{token}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("data-testid=\"link-continue\""), "{page}");
    assert_eq!(
        family_view(&app).await,
        serde_json::Value::Null,
        "not signed in yet"
    );

    let opened = app
        .client
        .post(app.url("/api/family/open"))
        .header("accept", "application/json")
        .header("origin", &app.address)
        .form(&[("token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 200);
    let cookie = opened
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("family="))
        .expect("a family cookie")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let login_token = cookie["family=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        !stored_text(&app).await.contains(&login_token),
        "the login is kept hashed"
    );

    // The family page lists that address's bookings, whatever its case, and no other.
    let view = family_view(&app).await;
    assert_eq!(view["email"], "fam.parent@example.com");
    let upcoming = view["upcoming"].as_array().unwrap();
    assert_eq!(upcoming.len(), 1, "{view}");
    assert_eq!(upcoming[0]["reference"], reference.as_str());
    assert_eq!(upcoming[0]["attendance"], "pending");
    let (status, page) = app.get_page("/family").await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("/bookings/{reference}")), "{page}");
    assert!(!page.contains(&other_reference));
    assert!(page.contains("data-attendance-status=\"pending\""));

    // A link opens once.
    let again = app.server_fn("family/open", &[("token", &token)]).await;
    assert_eq!(again.status, 410);
    assert!(again.body.contains("used already"), "{}", again.body);
    let (_, used_page) = app.get_page(&format!("/sign-in/{token}")).await;
    assert!(used_page.contains("used already") && used_page.contains("href=\"/sign-in\""));

    // Signing out ends the login, for good.
    let out = app.server_fn("family/sign-out", &[]).await;
    assert_eq!(out.status, 200);
    assert_eq!(family_view(&app).await, serde_json::Value::Null);
    assert_eq!(count(&app.db, "family_logins").await, 0);
    // A browser asking for the page is sent to sign in.
    let page = app
        .client
        .get(app.url("/family"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 302);
    assert_eq!(page.headers()["location"], "/sign-in");
}

async fn a_late_or_unknown_link_or_an_idle_login_is_refused_and_asking_is_limited(
    backend: Backend,
) {
    let app = TestApp::spawn_with(backend, &[("BOOKING_REQUESTS_PER_EMAIL_PER_HOUR", "3")]).await;
    let token = "ab".repeat(32);
    let now = app::db::now_ms();
    app::db::families::insert_link(
        &app.db,
        &token_hash(&token),
        LinkPurpose::SignIn,
        "late@example.com",
        None,
        now - 20 * 60_000,
        now - 5 * 60_000,
    )
    .await
    .unwrap();
    let late = app.server_fn("family/open", &[("token", &token)]).await;
    assert_eq!(late.status, 410);
    assert!(late.body.contains("expired"), "{}", late.body);
    let (_, page) = app.get_page(&format!("/sign-in/{token}")).await;
    assert!(page.contains("This link has expired.") && page.contains("Ask for a new sign-in link"));
    let unknown = app
        .server_fn("family/open", &[("token", &"cd".repeat(32))])
        .await;
    assert_eq!(unknown.status, 410);
    assert_eq!(count(&app.db, "family_logins").await, 0);

    // A login unused for more than a week has ended (and one past its 30 days, used or not).
    sign_in_as(&app, "idle@example.com").await;
    assert_eq!(family_view(&app).await["email"], "idle@example.com");
    sqlx::query("UPDATE family_logins SET last_seen_at = $1")
        .bind(now - 8 * 24 * 60 * 60 * 1000)
        .execute(app.db.writer())
        .await
        .unwrap();
    assert_eq!(family_view(&app).await, serde_json::Value::Null, "idle");
    sign_in_as(&app, "idle@example.com").await;
    sqlx::query("UPDATE family_logins SET expires_at = $1")
        .bind(now - 1)
        .execute(app.db.writer())
        .await
        .unwrap();
    assert_eq!(
        family_view(&app).await,
        serde_json::Value::Null,
        "past its time"
    );

    // Per address: the fourth ask within the hour waits; the three before queued one mail.
    for _ in 0..3 {
        let ok = app
            .server_fn("family/sign-in", &[("email", "often@example.com")])
            .await;
        assert_eq!(ok.status, 200);
    }
    let waits = app
        .server_fn("family/sign-in", &[("email", "Often@example.com")])
        .await;
    assert_eq!(waits.status, 429);
    let queued: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = 'often@example.com'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(queued, 1, "one link a minute, however many ask");
}

const NOTE: &str = "Severe peanut allergy XYZZY-42, EpiPen in the bag";

async fn athletes_notes_are_sealed_and_the_export_holds_everything(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session(&app.db, 10).await;
    let (_, reference, _) = book_online(&app, session, "Sealed Family").await;
    sign_in_as(&app, "sealed.family@example.com").await;
    let saved = app
        .server_fn(
            "family/athletes/save",
            &[
                ("name", "Robin Family"),
                ("date_of_birth", "2014-05-30"),
                ("emergency_name", "Pat Family"),
                ("emergency_phone", "+44 7700 900123"),
                ("medical_notes", NOTE),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let bad = app
        .server_fn(
            "family/athletes/save",
            &[
                ("name", "Robin"),
                ("date_of_birth", "2099-01-01"),
                ("emergency_name", ""),
                ("emergency_phone", ""),
                ("medical_notes", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Date of birth"), "{}", bad.body);

    let view = family_view(&app).await;
    assert_eq!(view["athletes"][0]["medical_notes"], NOTE);
    let (_, page) = app.get_page("/family").await;
    assert!(page.contains("XYZZY-42"), "shown to the family");

    // Sealed in the database: the note's words are in neither the file nor the column.
    let sealed: String = sqlx::query_scalar("SELECT medical_notes_sealed FROM athletes")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert!(
        sealed.starts_with("v1:") && !sealed.contains("XYZZY"),
        "{sealed}"
    );
    let stored = stored_text(&app).await;
    assert!(stored.contains("Robin Family"), "the file is the one read");
    assert!(!stored.contains("XYZZY"), "the note is sealed");

    // Another family cannot touch it.
    let id = view["athletes"][0]["id"].as_i64().unwrap().to_string();
    let stranger = TestApp::spawn_on(app.database.shared(), &[]).await;
    sign_in_as(&stranger, "someone.else@example.com").await;
    let refused = stranger
        .server_fn("family/athletes/remove", &[("id", &id)])
        .await;
    assert_eq!(refused.status, 404);

    // The export: the bookings, the athletes with their notes opened, the mails.
    let export = app
        .client
        .get(app.url("/family/data.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    let export: serde_json::Value = export.json().await.unwrap();
    assert_eq!(export["bookings"][0]["reference"], reference.as_str());
    assert_eq!(export["bookings"][0]["amount"], 4500);
    assert_eq!(export["athletes"][0]["medical_notes"], NOTE);
    assert_eq!(export["athletes"][0]["emergency_phone"], "+44 7700 900123");
    assert_eq!(export["mails"][0]["kind"], "booking_created");

    // Edited, then removed.
    let edited = app
        .server_fn(
            "family/athletes/save",
            &[
                ("id", &id),
                ("name", "Robin F."),
                ("date_of_birth", ""),
                ("emergency_name", ""),
                ("emergency_phone", ""),
                ("medical_notes", ""),
            ],
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(family_view(&app).await["athletes"][0]["name"], "Robin F.");
    let removed = app
        .server_fn("family/athletes/remove", &[("id", &id)])
        .await;
    assert_eq!(removed.status, 200);
    assert_eq!(count(&app.db, "athletes").await, 0);
    let anonymous = TestApp::spawn_on(app.database.shared(), &[]).await;
    let response = anonymous
        .client
        .get(anonymous.url("/family/data.json"))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection());
}

async fn wait_paid(app: &TestApp, booking: i64) {
    for _ in 0..100 {
        if statuses(&app.db, booking).await.0 == "paid" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the payment never landed");
}

#[derive(Debug, sqlx::FromRow)]
struct Kept {
    parent_name: String,
    athlete_name: String,
    parent_email: String,
    parent_phone: Option<String>,
    notes: Option<String>,
    search_text: String,
    payment_status: String,
    amount_paid: Option<i64>,
    stripe_payment_intent_id: Option<String>,
}

async fn kept(app: &TestApp, id: i64) -> Kept {
    sqlx::query_as(
        "SELECT parent_name, athlete_name, parent_email, parent_phone, notes, search_text,
                payment_status, amount_paid, stripe_payment_intent_id
         FROM bookings WHERE id = $1",
    )
    .bind(id)
    .fetch_one(app.db.reader())
    .await
    .unwrap()
}

async fn erasing_removes_names_contacts_and_notes_and_keeps_the_payments(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session(&app.db, 10).await;
    let (id, _, checkout) = book_online(&app, session, "Gone Family").await;
    press_simulated(&app, &checkout, "pay").await;
    wait_paid(&app, id).await;
    let (other, _, _) = book_online(&app, session, "Staying Family").await;
    let before = kept(&app, id).await;
    assert!(before.stripe_payment_intent_id.is_some() && before.amount_paid == Some(4500));
    let ledger = count(&app.db, "stripe_events").await;
    sign_in_as(&app, "gone.family@example.com").await;
    app.server_fn(
        "family/athletes/save",
        &[
            ("name", "Kid Gone"),
            ("date_of_birth", ""),
            ("emergency_name", ""),
            ("emergency_phone", ""),
            ("medical_notes", NOTE),
        ],
    )
    .await;

    let unconfirmed = app.server_fn("family/erase", &[]).await;
    assert_eq!(unconfirmed.status, 422, "a confirmation first");
    assert_eq!(kept(&app, id).await.parent_name, "Gone Family");
    let erased = app.server_fn("family/erase", &[("confirm", "yes")]).await;
    assert_eq!(erased.status, 200, "{}", erased.body);

    let after = kept(&app, id).await;
    assert_eq!(
        (after.parent_name.as_str(), after.athlete_name.as_str()),
        ("Erased", "Erased")
    );
    assert!(
        domain::family::is_erased_email(&after.parent_email),
        "{}",
        after.parent_email
    );
    assert_eq!((after.parent_phone, after.notes), (None, None));
    assert_eq!(after.search_text, "");
    assert_eq!(after.payment_status, "paid");
    assert_eq!(after.amount_paid, before.amount_paid);
    assert_eq!(
        after.stripe_payment_intent_id,
        before.stripe_payment_intent_id
    );
    assert_eq!(
        count(&app.db, "stripe_events").await,
        ledger,
        "the ledger stays"
    );
    assert_eq!(count(&app.db, "athletes").await, 0);
    assert_eq!(count(&app.db, "families").await, 0);
    let to_them: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE lower(recipient) = 'gone.family@example.com'
            OR payload LIKE '%Gone%'",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(to_them, 0, "their mails keep nothing of them");
    assert_eq!(kept(&app, other).await.parent_name, "Staying Family");
    assert_eq!(
        family_view(&app).await,
        serde_json::Value::Null,
        "signed out"
    );
}

async fn the_retention_job_erases_old_bookings_and_keeps_recent_ones(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let old_session = seed_session(&app.db, 10).await;
    let recent_session = seed_session(&app.db, 10).await;
    let old = create_booking(&app.db, &new_booking(old_session, "Long Ago"))
        .await
        .unwrap()
        .id;
    let recent = create_booking(&app.db, &new_booking(recent_session, "Last Month"))
        .await
        .unwrap()
        .id;
    let day = 24 * 60 * 60 * 1000_i64;
    let now = app::db::now_ms();
    for (session, ago) in [(old_session, 400 * day), (recent_session, 30 * day)] {
        sqlx::query("UPDATE training_sessions SET starts_at = $1 WHERE id = $2")
            .bind(now - ago)
            .bind(session)
            .execute(app.db.writer())
            .await
            .unwrap();
    }
    let erased = app::services::family_data::erase_past(&app.db, 12, now)
        .await
        .unwrap();
    assert_eq!(erased, 1);
    let old = kept(&app, old).await;
    assert_eq!(old.parent_name, "Erased");
    assert!(domain::family::is_erased_email(&old.parent_email));
    assert_eq!(kept(&app, recent).await.parent_name, "Last Month");
    assert_eq!(
        app::services::family_data::erase_past(&app.db, 12, now)
            .await
            .unwrap(),
        0,
        "erased once"
    );
}

async fn an_address_changes_only_once_the_new_one_is_confirmed(backend: Backend) {
    let mail = MailDev::start().await;
    let app = mailing_app(backend, &mail).await;
    let session = seed_session(&app.db, 10).await;
    let (id, _, _) = book_online(&app, session, "Moving Family").await;
    mail.wait_for(1, Duration::from_secs(20)).await;
    sign_in_as(&app, "moving.family@example.com").await;
    let asked = app
        .server_fn("family/address", &[("new_email", "New.Home@example.com")])
        .await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    mail.wait_for(2, Duration::from_secs(20)).await;
    let mails = mail.emails().await;
    let confirm = mails
        .iter()
        .find(|m| m.to == ["new.home@example.com"])
        .unwrap_or_else(|| panic!("{mails:#?}"));
    let token = token_in(confirm, "/family/address/");
    assert_eq!(token.len(), 64, "{}", confirm.text);

    // Asked and mailed, not confirmed: nothing moved; the page (a prefetch) moves nothing.
    let (status, _) = app.get_page(&format!("/family/address/{token}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        kept(&app, id).await.parent_email,
        "moving.family@example.com"
    );
    assert_eq!(
        family_view(&app).await["email"],
        "moving.family@example.com"
    );

    let confirmed = app
        .server_fn("family/address/confirm", &[("token", &token)])
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    let moved = kept(&app, id).await;
    assert_eq!(moved.parent_email, "new.home@example.com");
    assert!(moved.search_text.contains("new.home@example.com"));
    let view = family_view(&app).await;
    assert_eq!(view["email"], "new.home@example.com");
    assert_eq!(view["upcoming"].as_array().unwrap().len(), 1);
    let again = app
        .server_fn("family/address/confirm", &[("token", &token)])
        .await;
    assert_eq!(again.status, 410);
}

async fn without_a_key_development_makes_one_beside_its_data(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("FAMILY_DATA_KEY", "")]).await;
    if backend == Backend::Sqlite {
        let path = app.database.url.trim_start_matches("sqlite://").to_owned();
        let dir = std::path::Path::new(&path).parent().unwrap();
        let key = std::fs::read_to_string(dir.join("family_data.key")).unwrap();
        assert_eq!(key.trim().len(), 64);
    }
    sign_in_as(&app, "keyed@example.com").await;
    let saved = app
        .server_fn(
            "family/athletes/save",
            &[
                ("name", "Kim"),
                ("date_of_birth", ""),
                ("emergency_name", ""),
                ("emergency_phone", ""),
                ("medical_notes", NOTE),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(
        family_view(&app).await["athletes"][0]["medical_notes"],
        NOTE
    );
}

on_both_databases!(
    a_mailed_link_signs_the_family_in_once_and_only_its_hash_is_kept,
    a_late_or_unknown_link_or_an_idle_login_is_refused_and_asking_is_limited,
    athletes_notes_are_sealed_and_the_export_holds_everything,
    erasing_removes_names_contacts_and_notes_and_keeps_the_payments,
    the_retention_job_erases_old_bookings_and_keeps_recent_ones,
    an_address_changes_only_once_the_new_one_is_confirmed,
);

mod key {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn without_a_key_development_makes_one_beside_its_data_sqlite() {
        bounded(without_a_key_development_makes_one_beside_its_data(
            Backend::Sqlite,
        ))
        .await
    }
}

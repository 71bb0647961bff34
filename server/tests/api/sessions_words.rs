//! Every word true about training sessions: lists put those to come first and the past ones
//! apart, a session says what it is about, for which ages and with which coach, an edit never
//! moves a session into the past, the admin is told what a save or a cancel did, and the
//! booking form says when the session asked for cannot be booked.

use crate::support::*;

/// The session form's fields, for `admin/sessions/save`, with `changes` over the defaults.
fn session_form<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("title", "Relay day"),
        ("date", "2030-07-04"),
        ("time", "10:30"),
        ("duration", "60"),
        ("location", "Track 3"),
        ("capacity", "8"),
        ("price", "20"),
        ("currency", "USD"),
    ];
    for (key, value) in changes {
        form.retain(|(k, _)| k != key);
        form.push((key, value));
    }
    form
}

async fn titled(app: &TestApp, id: i64, title: &str) {
    sqlx::query("UPDATE training_sessions SET title = $1 WHERE id = $2")
        .bind(title)
        .bind(id)
        .execute(app.db.writer())
        .await
        .unwrap();
}

async fn lists_put_sessions_to_come_first_and_the_past_ones_apart(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    // Made in a muddled order: far, past, soon, long past.
    let far = seed_session_in(&app.db, 5, 9).await;
    let past = seed_session_in(&app.db, 5, -2).await;
    let soon = seed_session_in(&app.db, 5, 2).await;
    let long_past = seed_session_in(&app.db, 5, -20).await;
    for (id, title) in [
        (far, "Far away"),
        (past, "Just gone"),
        (soon, "Coming soon"),
        (long_past, "Long gone"),
    ] {
        titled(&app, id, title).await;
    }

    // The admin's list: to come, soonest first; then the past, most recent first.
    let list = app.server_fn("admin/sessions", &[]).await.json();
    // (A fresh simulated install has demo sessions of its own, to come: left out here.)
    let mine = [far, past, soon, long_past];
    let order: Vec<(i64, bool)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_i64().unwrap(), s["past"].as_bool().unwrap()))
        .filter(|(id, _)| mine.contains(id))
        .collect();
    assert_eq!(
        order,
        vec![(soon, false), (far, false), (past, true), (long_past, true)]
    );
    // The page shows them under two headings, in that order.
    let (_, page) = app.get_page("/admin/sessions").await;
    let at = |text: &str| page.find(text).unwrap_or_else(|| panic!("{text}: {page}"));
    assert!(at("Upcoming sessions") < at("Coming soon"));
    assert!(at("Coming soon") < at("Far away"));
    assert!(at("Far away") < at("Past sessions"));
    assert!(at("Past sessions") < at("Just gone"));
    assert!(at("Just gone") < at("Long gone"));

    // The bookings list's session filter: the same order.
    let bookings = app
        .server_fn("admin/bookings", &[("query", "")])
        .await
        .json();
    let filter: Vec<i64> = bookings["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .filter(|id| mine.contains(id))
        .collect();
    assert_eq!(filter, vec![soon, far, past, long_past]);
    // ... the past ones in their own group there too.
    let (_, list_page) = app.get_page("/admin").await;
    let at = |text: &str| {
        list_page
            .find(text)
            .unwrap_or_else(|| panic!("{text}: {list_page}"))
    };
    assert!(at(&format!("<option value=\"{far}\"")) < at("<optgroup label=\"Past sessions\""));
    assert!(at("<optgroup label=\"Past sessions\"") < at(&format!("<option value=\"{past}\"")));

    // The manual booking's select: those to come, then the past ones in their own group.
    let (_, manual) = app.get_page("/admin/bookings/new").await;
    let option = |id: i64| {
        manual
            .find(&format!("<option value=\"{id}\""))
            .unwrap_or_else(|| panic!("{id}: {manual}"))
    };
    let group = manual
        .find("<optgroup label=\"Past sessions\"")
        .expect("a group of past sessions");
    assert!(option(soon) < option(far) && option(far) < group);
    assert!(group < option(past) && option(past) < option(long_past));
}

async fn a_session_says_what_it_is_for_whom_and_with_which_coach(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("BUSINESS_TIMEZONE", "Europe/London")]).await;
    app.login_admin().await;
    let saved = app
        .server_fn(
            "admin/sessions/save",
            &session_form(&[
                ("description", "Baton passes and bends."),
                ("min_age", "8"),
                ("max_age", "12"),
                ("coach", "Sam Rivers"),
            ]),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let (id, description, min_age, max_age, coach): (
        i64,
        Option<String>,
        Option<i64>,
        Option<i64>,
        Option<String>,
    ) = sqlx::query_as(
        "SELECT id, description, min_age, max_age, coach FROM training_sessions WHERE title = 'Relay day'",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(
        (description.as_deref(), min_age, max_age, coach.as_deref()),
        (
            Some("Baton passes and bends."),
            Some(8),
            Some(12),
            Some("Sam Rivers")
        )
    );
    // The edit form shows them again.
    let form = app
        .server_fn("admin/session", &[("id", &id.to_string())])
        .await
        .json();
    assert_eq!(
        (&form["min_age"], &form["max_age"], &form["coach"]),
        (&"8".into(), &"12".into(), &"Sam Rivers".into())
    );

    // The public list and the booking form for it say them, the time with its zone.
    for path in ["/".to_owned(), format!("/book?session={id}")] {
        let (status, page) = app.get_page(&path).await;
        assert_eq!(status, 200);
        for words in [
            "Baton passes and bends.",
            "ages 8 to 12",
            "Sam Rivers",
            "10:30 BST",
        ] {
            assert!(page.contains(words), "{path}: {words}: {page}");
        }
    }
    let (_, admin) = app.get_page("/admin/sessions").await;
    assert!(admin.contains("10:30 BST"), "{admin}");

    // Saved again without them: gone (each is optional).
    let cleared = app
        .server_fn(
            "admin/sessions/save",
            &session_form(&[("id", &id.to_string()), ("coach", "")]),
        )
        .await;
    assert_eq!(cleared.status, 200, "{}", cleared.body);
    let session = app::db::sessions::get(&app.db, id).await.unwrap().unwrap();
    assert_eq!(session.extra(), Default::default());

    // An age range upside down, or outside the form's ages, is named on its field.
    let upside_down = app
        .server_fn(
            "admin/sessions/save",
            &session_form(&[("min_age", "12"), ("max_age", "8")]),
        )
        .await;
    assert_eq!(upside_down.status, 422, "{}", upside_down.body);
    let errors = upside_down.json()["Invalid"]["errors"].clone();
    assert!(
        errors["max_age"]
            .as_str()
            .unwrap()
            .contains("cannot be below the youngest"),
        "{errors}"
    );
    let too_young = app
        .server_fn("admin/sessions/save", &session_form(&[("min_age", "1")]))
        .await;
    assert_eq!(too_young.status, 422);
    assert!(too_young.json()["Invalid"]["errors"]["min_age"].is_string());
    let relays: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM training_sessions WHERE title = 'Relay day'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(relays, 1, "nothing saved");
}

async fn the_booking_form_refuses_an_athlete_outside_the_sessions_ages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session(&app.db, 5).await;
    let mut tx = app.db.begin().await.unwrap();
    app::db::sessions::set_details(
        &mut tx,
        session,
        &domain::session_form::SessionDetails {
            min_age: Some(14),
            max_age: Some(17),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let form = booking_form(session, "Young Parent"); // The athlete is 12.
    let refused = app.server_fn("book", &as_pairs(&form)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let fields = refused.json()["Invalid"].clone();
    assert_eq!(
        fields["errors"]["athlete_age"],
        "This session is for ages 14 to 17: an athlete of 12 cannot book it. Choose another session."
    );
    assert_eq!(fields["values"]["athlete_age"], "12");
    assert_eq!(count(&app.db, "bookings").await, 0);

    let mut fits = booking_form(session, "Teen Parent");
    for (key, value) in &mut fits {
        if key == "athlete_age" {
            *value = "15".into();
        }
    }
    let booked = app.server_fn("book", &as_pairs(&fits)).await;
    assert_eq!(booked.status, 200, "{}", booked.body);
    assert_eq!(count(&app.db, "bookings").await, 1);
}

async fn an_edit_never_moves_a_session_into_the_past(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let booked = seed_session(&app.db, 5).await;
    book_online(&app, booked, "Pat Parent").await;
    let before = app::db::sessions::get(&app.db, booked)
        .await
        .unwrap()
        .unwrap();
    let id = booked.to_string();
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let moved = app
        .server_fn(
            "admin/sessions/save",
            &session_form(&[("id", &id), ("date", &yesterday)]),
        )
        .await;
    assert_eq!(moved.status, 422, "{}", moved.body);
    let invalid = moved.json()["Invalid"].clone();
    assert!(
        invalid["errors"]["date"]
            .as_str()
            .unwrap()
            .contains("This session has 1 active booking: it cannot be moved into the past"),
        "{invalid}"
    );
    assert_eq!(
        invalid["values"]["date"],
        yesterday.as_str(),
        "kept as typed"
    );
    let after = app::db::sessions::get(&app.db, booked)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after, before, "nothing changed");

    // Without bookings: refused all the same.
    let empty = seed_session(&app.db, 5).await.to_string();
    let moved = app
        .server_fn(
            "admin/sessions/save",
            &session_form(&[("id", &empty), ("date", &yesterday)]),
        )
        .await;
    assert_eq!(moved.status, 422, "{}", moved.body);
    assert!(moved.json()["Invalid"]["errors"]["date"]
        .as_str()
        .unwrap()
        .contains("cannot be moved into the past"));

    // A session already past keeps its start through an edit of something else.
    let gone = seed_session_in(&app.db, 5, -3).await;
    let fields = app
        .server_fn("admin/session", &[("id", &gone.to_string())])
        .await
        .json();
    let renamed = app
        .server_fn(
            "admin/sessions/save",
            &session_form(&[
                ("id", &gone.to_string()),
                ("title", "Renamed"),
                ("date", fields["date"].as_str().unwrap()),
                ("time", fields["time"].as_str().unwrap()),
            ]),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    let gone = app::db::sessions::get(&app.db, gone)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(gone.title, "Renamed");
}

async fn the_admin_is_told_what_a_save_and_a_cancel_did(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let saved = app
        .server_fn("admin/sessions/save", &session_form(&[]))
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    // Without JavaScript: the page the save redirects to says it, once.
    let (_, page) = app.get_page("/admin/sessions").await;
    assert!(page.contains("Session saved."), "{page}");
    let (_, again) = app.get_page("/admin/sessions").await;
    assert!(!again.contains("Session saved."), "said once: {again}");

    let session = seed_session(&app.db, 5).await;
    let (_, _, checkout) = book_online(&app, session, "Paid Parent").await;
    press_simulated(&app, &checkout, "pay").await;
    book_online(&app, session, "Unpaid Parent").await;
    let cancelled = app
        .server_fn("admin/sessions/cancel", &[("id", &session.to_string())])
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    // With JavaScript: the page asks for it after the redirect, once.
    let notice = app.server_fn("admin/sessions/notice", &[]).await;
    assert_eq!(
        notice.json(),
        "Session cancelled: 2 bookings cancelled, 1 refund sent."
    );
    assert!(app
        .server_fn("admin/sessions/notice", &[])
        .await
        .json()
        .is_null());
}

async fn the_booking_form_says_when_the_session_asked_for_cannot_be_booked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let past = seed_session_in(&app.db, 5, -1).await;
    let full = seed_session(&app.db, 1).await;
    create_booking(&app.db, &new_booking(full, "Early Parent"))
        .await
        .unwrap();
    let open = seed_session(&app.db, 5).await;
    let unavailable =
        "That session is not available (it has passed or does not exist); choose another.";
    for path in [
        "/book?session=999".to_owned(),
        format!("/book?session={past}"),
    ] {
        let (status, page) = app.get_page(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(page.contains(unavailable), "{path}: {page}");
        assert!(page.contains("Choose a session"), "the form is there");
    }
    let (_, page) = app.get_page(&format!("/book?session={full}")).await;
    assert!(page.contains("That session is full."), "{page}");
    assert!(
        page.contains(&format!("/waitlist/join?session={full}")),
        "{page}"
    );
    assert!(!page.contains(unavailable));
    // On the start page a full session reads as a status, not as a button that does nothing.
    let (_, start) = app.get_page("/").await;
    let at = start
        .find("data-testid=\"fully-booked\"")
        .expect("a full session is tagged");
    let tag = &start[start[..at].rfind('<').unwrap()..at + start[at..].find('>').unwrap()];
    assert!(
        tag.contains("rounded-full") && !tag.contains("px-4 py-2"),
        "{tag}"
    );
    let (_, page) = app.get_page(&format!("/book?session={open}")).await;
    assert!(page.contains("data-testid=\"chosen-session\""), "{page}");
    assert!(!page.contains(unavailable) && !page.contains("That session is full."));
}

async fn admin_pages_show_the_admins_menu_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, public) = app.get_page("/").await;
    assert!(public.contains("Find my booking"), "{public}");
    app.login_admin().await;
    for path in ["/admin", "/admin/sessions", "/admin/sessions/new"] {
        let (status, page) = app.get_page(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!page.contains("Find my booking"), "{path}: {page}");
        assert!(page.contains("data-testid=\"admin-menu\""), "{path}");
    }
}

on_both_databases!(
    lists_put_sessions_to_come_first_and_the_past_ones_apart,
    a_session_says_what_it_is_for_whom_and_with_which_coach,
    the_booking_form_refuses_an_athlete_outside_the_sessions_ages,
    an_edit_never_moves_a_session_into_the_past,
    the_admin_is_told_what_a_save_and_a_cancel_did,
    the_booking_form_says_when_the_session_asked_for_cannot_be_booked,
    admin_pages_show_the_admins_menu_only,
);

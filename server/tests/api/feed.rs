//! The coach's calendar feed (issue 24), on both databases: the upcoming sessions with their
//! counts, a cancelled one kept as cancelled, read by a library's iCalendar parser as a calendar
//! app would; a new link from the admin ends the old one.

use crate::support::*;

/// The feed at `url` parsed: each event's UID, STATUS, SUMMARY and DESCRIPTION.
async fn events(url: &str) -> (u16, Vec<std::collections::HashMap<String, String>>) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    if status != 200 {
        return (status, Vec::new());
    }
    assert_eq!(
        response.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let body = response.text().await.unwrap();
    let mut found = Vec::new();
    for calendar in ical::IcalParser::new(std::io::BufReader::new(body.as_bytes())) {
        let calendar = calendar.expect("an iCalendar a parser reads");
        for event in calendar.events {
            found.push(
                event
                    .properties
                    .into_iter()
                    .map(|p| (p.name, p.value.unwrap_or_default()))
                    .collect(),
            );
        }
    }
    (status, found)
}

async fn the_coach_subscribes_to_the_sessions_and_a_new_link_ends_the_old(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let kept = seed_session_in(&app.db, 10, 2).await;
    let dropped = seed_session_in(&app.db, 10, 3).await;
    let (booking, _, checkout) = book_online(&app, kept, "Feed Family").await;
    press_simulated(&app, &checkout, "pay").await;
    for _ in 0..100 {
        if statuses(&app.db, booking).await.0 == "paid" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    book_online(&app, kept, "Unpaid Feed Family").await;
    app::db::sessions::cancel(&app.db, dropped).await.unwrap();

    let refused = app.server_fn("admin/calendar-feed", &[]).await;
    assert_eq!(refused.status, 401);
    app.login_admin().await;
    let made = app.server_fn("admin/calendar-feed", &[]).await;
    assert_eq!(made.status, 200, "{}", made.body);
    let first: String = serde_json::from_str(&made.body).unwrap();
    assert!(first.ends_with("/sessions.ics"), "{first}");
    let token = first.split('/').rev().nth(1).unwrap().to_owned();
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM calendar_feeds WHERE token_hash = $1")
            .bind(&token)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(stored, 0, "only the token's hash is kept");

    let (status, feed) = events(&first).await;
    assert_eq!(status, 200);
    let of = |id: i64| {
        feed.iter()
            .find(|e| e["UID"].starts_with(&format!("session-{id}@")))
            .unwrap_or_else(|| panic!("session {id} in {feed:#?}"))
            .clone()
    };
    let kept_event = of(kept);
    assert_eq!(kept_event["STATUS"], "CONFIRMED");
    assert_eq!(kept_event["SUMMARY"], "Sprint technique");
    assert!(
        kept_event["DESCRIPTION"].starts_with("2 booked\\, 1 paid."),
        "{kept_event:?}"
    );
    assert_eq!(of(dropped)["STATUS"], "CANCELLED");

    // A new link: the old one is refused from now on.
    let again = app.server_fn("admin/calendar-feed", &[]).await;
    let second: String = serde_json::from_str(&again.body).unwrap();
    assert_ne!(first, second);
    assert_eq!(events(&first).await.0, 404);
    assert_eq!(events(&second).await.0, 200);
}

async fn a_family_subscribes_to_its_own_bookings(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session_in(&app.db, 10, 2).await;
    let (_, mine, _) = book_online(&app, session, "Feed Family").await;
    let (_, cancelled, _) = book_online(&app, session, "Feed Family").await;
    let (_, theirs, _) = book_online(&app, session, "Other Family").await;
    let answer = app
        .server_fn("bookings/cancel", &[("reference", cancelled.as_str())])
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);

    let anonymous = app.server_fn("family/calendar-feed", &[]).await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
    crate::families::sign_in_as(&app, "feed.family@example.com").await;
    let made = app.server_fn("family/calendar-feed", &[]).await;
    assert_eq!(made.status, 200, "{}", made.body);
    let url: String = serde_json::from_str(&made.body).unwrap();
    let (status, feed) = events(&url).await;
    assert_eq!(status, 200);
    let uids: Vec<&str> = feed.iter().map(|e| e["UID"].as_str()).collect();
    assert_eq!(feed.len(), 2, "{uids:?}");
    assert!(
        !uids.iter().any(|u| u.contains(&theirs)),
        "another family's booking"
    );
    let of = |reference: &str| feed.iter().find(|e| e["UID"].contains(reference)).unwrap();
    assert_eq!(of(&mine)["STATUS"], "CONFIRMED");
    assert_eq!(of(&cancelled)["STATUS"], "CANCELLED");

    // The coach's feed link is another; the family's new link ends only its own old one.
    let again = app.server_fn("family/calendar-feed", &[]).await;
    let second: String = serde_json::from_str(&again.body).unwrap();
    assert_eq!(events(&url).await.0, 404);
    assert_eq!(events(&second).await.0, 200);
}

on_both_databases!(
    the_coach_subscribes_to_the_sessions_and_a_new_link_ends_the_old,
    a_family_subscribes_to_its_own_bookings,
);

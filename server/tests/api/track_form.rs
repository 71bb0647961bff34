//! The booking form's emergency details (issue 24), on both databases: every parent booking
//! online names whom to call; optional medical notes are sealed with the booking, shown to an
//! admin only on request (each opening recorded), never in a mail, the CSV or the database's
//! plain text; brothers and sisters share the contact, not the notes; the roster flags a booking
//! with no contact; the family's export holds them and its erasure removes them.

use crate::families::stored_text;
use crate::support::*;

/// A booking's athlete and what is kept with it: contact name, phone, sealed notes.
type KeptRow = (String, Option<String>, Option<String>, Option<String>);

const NOTE: &str = "Peanut allergy QUINCE-19: epipen in the front pocket";

/// The booking form for `session`, with `changes` made to its fields (an empty value removes
/// the field).
fn form_with(session: i64, parent: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form = booking_form(session, parent);
    for (field, value) in changes {
        form.retain(|(key, _)| key != field);
        if !value.is_empty() {
            form.push(((*field).to_owned(), (*value).to_owned()));
        }
    }
    form
}

async fn a_parent_names_whom_to_call_and_the_notes_are_sealed_with_the_booking(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session(&app.db, 10).await;

    // Without a contact the form comes back, each field named, nothing booked.
    let none = form_with(
        session,
        "Track Family",
        &[("emergency_name", ""), ("emergency_phone", "")],
    );
    let refused = app.server_fn("book", &as_pairs(&none)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let errors = &refused.json()["Invalid"]["errors"];
    assert_eq!(
        errors["emergency_name"],
        "Enter the name of someone we can call in an emergency."
    );
    assert_eq!(errors["emergency_phone"], "Enter their phone number.");
    let half = form_with(
        session,
        "Track Family",
        &[("emergency_name", "Sam Track"), ("emergency_phone", "")],
    );
    let refused = app.server_fn("book", &as_pairs(&half)).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.json()["Invalid"]["errors"]["emergency_phone"],
        "Enter a phone number for Sam Track."
    );
    assert_eq!(
        refused.json()["Invalid"]["values"]["emergency_name"],
        "Sam Track",
        "what was typed comes back"
    );
    assert_eq!(count(&app.db, "bookings").await, 0);

    // Two children in one form: one contact for both, the notes the first child's.
    let mut form = form_with(
        session,
        "Track Family",
        &[
            ("parent_email", "track.family@example.com"),
            ("athlete_name", "Jo Track"),
            ("emergency_name", "Sam Track"),
            ("emergency_phone", "+44 7700 900456"),
            ("medical_notes", NOTE),
        ],
    );
    form.push(("athlete_name_2".into(), "Kit Track".into()));
    form.push(("athlete_age_2".into(), "9".into()));
    let booked = app.server_fn("book", &as_pairs(&form)).await;
    assert_eq!(booked.status, 200, "{}", booked.body);
    let kept: Vec<KeptRow> = sqlx::query_as(
        "SELECT b.athlete_name, e.contact_name, e.contact_phone, e.medical_notes_sealed
         FROM bookings b JOIN booking_emergency e ON e.booking_id = b.id ORDER BY b.id",
    )
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert_eq!(kept[0].0, "Jo Track");
    assert_eq!(kept[1].0, "Kit Track");
    for (_, name, phone, _) in &kept {
        assert_eq!(
            (name.as_deref(), phone.as_deref()),
            (Some("Sam Track"), Some("+44 7700 900456"))
        );
    }
    let sealed = kept[0].3.clone().expect("the first child's notes are kept");
    assert!(sealed.starts_with("v1:") && !sealed.contains("QUINCE"));
    assert_eq!(kept[1].3, None, "the notes are the first child's only");
    let stored = stored_text(&app).await;
    assert!(stored.contains("Sam Track"), "the file is the one read");
    assert!(!stored.contains("QUINCE-19"), "the notes are sealed");

    // An admin's entry may go without a contact: the roster flags it.
    app.login_admin().await;
    let id = session.to_string();
    let manual = app
        .server_fn(
            "admin/bookings/manual",
            &[
                ("session", id.as_str()),
                ("parent_name", "Walk In"),
                ("parent_email", "walk.in@example.com"),
                ("athlete_name", "Lee Walk"),
                ("athlete_age", "12"),
                ("settled", "outside"),
            ],
        )
        .await;
    assert_eq!(manual.status, 200, "{}", manual.body);
    let roster = app.server_fn("admin/roster", &[("id", id.as_str())]).await;
    assert_eq!(roster.status, 200, "{}", roster.body);
    assert!(!roster.body.contains("QUINCE"), "no notes until asked");
    let entries = roster.json()["entries"].as_array().unwrap().clone();
    let entry = |name: &str| {
        entries
            .iter()
            .find(|e| e["athlete_name"] == name)
            .unwrap_or_else(|| panic!("{name} on the roster"))
            .clone()
    };
    assert_eq!(
        entry("Jo Track")["emergency"],
        serde_json::json!({"contact_name": "Sam Track", "contact_phone": "+44 7700 900456", "has_notes": true})
    );
    assert_eq!(entry("Kit Track")["emergency"]["has_notes"], false);
    assert_eq!(entry("Jo Track")["contact_missing"], false);
    assert_eq!(entry("Lee Walk")["contact_missing"], true);
    let (_, page) = app
        .get_page(&format!("/admin/sessions/{session}/roster"))
        .await;
    assert_eq!(page.matches("No emergency contact").count(), 1, "one flag");
    assert!(page.contains("tel:+447700900456") && !page.contains("QUINCE"));

    // Opened on request, and the opening recorded (no profile: no athlete).
    let jo: i64 = sqlx::query_scalar("SELECT id FROM bookings WHERE athlete_name = 'Jo Track'")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let jo_id = jo.to_string();
    let opened = app
        .server_fn("admin/medical-notes", &[("booking_id", jo_id.as_str())])
        .await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    assert_eq!(opened.json(), serde_json::json!(NOTE));
    let views: Vec<(Option<i64>, i64, String)> =
        sqlx::query_as("SELECT athlete_id, booking_id, viewed_by FROM medical_note_views")
            .fetch_all(app.db.reader())
            .await
            .unwrap();
    assert_eq!(views, [(None, jo, ADMIN_EMAIL.to_owned())]);

    // Never in a mail nor the CSV.
    let in_mail: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE payload LIKE '%QUINCE%' OR payload LIKE '%Sam Track%'
            OR payload LIKE '%900456%'",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(in_mail, 0);
    for csv in [
        format!("/admin/sessions/{session}/roster.csv"),
        "/admin/bookings.csv".to_owned(),
    ] {
        let (status, body) = app.get_page(&csv).await;
        assert_eq!(status, 200, "{csv}");
        assert!(
            !body.contains("QUINCE") && !body.contains("900456"),
            "{csv}"
        );
    }

    // The family saves the athlete's profile later: its contact, the newer, is the one shown;
    // the notes given with the booking stay the ones opened (the profile keeps none).
    let family = TestApp::spawn_on(app.database.shared(), &[]).await;
    crate::families::sign_in_as(&family, "track.family@example.com").await;
    let saved = family
        .server_fn(
            "family/athletes/save",
            &[
                ("name", "Jo Track"),
                ("date_of_birth", ""),
                ("emergency_name", "Newer Contact"),
                ("emergency_phone", "07700 900999"),
                ("medical_notes", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let roster = app.server_fn("admin/roster", &[("id", id.as_str())]).await;
    let jo_entry = roster.json()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["athlete_name"] == "Jo Track")
        .unwrap()
        .clone();
    assert_eq!(
        jo_entry["emergency"],
        serde_json::json!({"contact_name": "Newer Contact", "contact_phone": "07700 900999", "has_notes": true})
    );

    // The family's export holds them; its erasure removes them.
    let download = format!("/admin/bookings/{jo}/family-data.json");
    let (status, json) = app.get_page(&download).await;
    assert_eq!(status, 200);
    let data: serde_json::Value = serde_json::from_str(&json).unwrap();
    let exported = data["bookings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["athlete_name"] == "Jo Track")
        .unwrap()
        .clone();
    assert_eq!(exported["medical_notes"], NOTE);
    assert_eq!(exported["emergency_contact_name"], "Sam Track");
    let erased = app
        .server_fn(
            "admin/bookings/erase-family",
            &[("id", jo_id.as_str()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    assert_eq!(count(&app.db, "booking_emergency").await, 0);
}

async fn book_again_brings_the_contact_and_never_the_notes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = seed_session(&app.db, 10).await;
    let form = form_with(
        session,
        "Again Track",
        &[
            ("emergency_name", "Ari Again"),
            ("emergency_phone", "07700 900789"),
            ("medical_notes", NOTE),
        ],
    );
    let booked = app.server_fn("book", &as_pairs(&form)).await;
    assert_eq!(booked.status, 200, "{}", booked.body);
    let reference: String = sqlx::query_scalar("SELECT reference FROM bookings")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let response = app
        .client
        .post(app.url("/api/book/again"))
        .header("accept", "text/html")
        .header("origin", &app.address)
        .form(&[("reference", reference.as_str())])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let (status, page) = app.get_page(&location).await;
    assert_eq!(status, 200);
    assert!(page.contains("value=\"Ari Again\"") && page.contains("value=\"07700 900789\""));
    assert!(
        !page.contains("QUINCE"),
        "the notes are not copied out of their seal"
    );
    let kept: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM returned_forms WHERE err LIKE '%QUINCE%'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(kept, 0);
}

on_both_databases!(
    a_parent_names_whom_to_call_and_the_notes_are_sealed_with_the_booking,
    book_again_brings_the_contact_and_never_the_notes,
);

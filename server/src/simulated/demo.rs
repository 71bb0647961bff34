//! Demo training sessions, created on the first start in simulated mode so the app is usable
//! at once.

use app::db::Db;
use chrono::{Datelike, Duration, TimeZone};
use chrono_tz::Tz;
use domain::session_form::NewTrainingSession;

/// A few upcoming sessions, from two to eight days after today in `tz`.
pub fn plan(tz: Tz) -> Vec<NewTrainingSession> {
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let plan = [
        (
            "Sprint technique",
            2,
            10,
            60,
            "Riverside Track, lane 1-4",
            12,
            4500,
        ),
        (
            "Jumps and plyometrics",
            3,
            16,
            75,
            "Riverside Track, jumps area",
            8,
            5000,
        ),
        ("Endurance base", 5, 9, 90, "Oak Park loop", 15, 3500),
        ("Junior all-round", 8, 10, 60, "Riverside Track", 10, 3000),
    ];
    plan.into_iter()
        .filter_map(|(title, days, hour, minutes, location, capacity, price)| {
            let day = today + Duration::days(days);
            let start = tz
                .with_ymd_and_hms(day.year(), day.month(), day.day(), hour, 0, 0)
                .earliest()?;
            Some(NewTrainingSession {
                title: title.to_owned(),
                starts_at: start.timestamp_millis(),
                duration_minutes: minutes,
                location: location.to_owned(),
                capacity,
                price_amount: price,
                currency: "USD".to_owned(),
            })
        })
        .collect()
}

/// Creates the demo sessions when there are none at all.
pub async fn seed_if_empty(db: &Db, tz: Tz) -> Result<usize, sqlx::Error> {
    app::services::sessions::seed_if_empty(db, &plan(tz)).await
}

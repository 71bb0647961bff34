//! Session times: stored as UTC milliseconds, shown (and typed by admins) in the business's zone.

use chrono::{NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;

/// "Sat 28 Nov 2026, 10:00 GMT" in the business's time zone.
pub fn when(utc_ms: i64, tz: Tz) -> String {
    match chrono::DateTime::from_timestamp_millis(utc_ms) {
        Some(utc) => utc
            .with_timezone(&tz)
            .format("%a %-d %b %Y, %H:%M %Z")
            .to_string(),
        None => "unknown time".to_owned(),
    }
}

/// ISO 8601 with the business zone's offset ("2026-11-28T10:00:00+00:00"), for spreadsheets.
pub fn iso(utc_ms: i64, tz: Tz) -> String {
    chrono::DateTime::from_timestamp_millis(utc_ms)
        .map(|utc| {
            utc.with_timezone(&tz)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
        })
        .unwrap_or_default()
}

/// "2026-11-28" and "10:00" in the business's zone, for form inputs.
pub fn date_and_time(utc_ms: i64, tz: Tz) -> (String, String) {
    match chrono::DateTime::from_timestamp_millis(utc_ms) {
        Some(utc) => {
            let local = utc.with_timezone(&tz);
            (
                local.format("%Y-%m-%d").to_string(),
                local.format("%H:%M").to_string(),
            )
        }
        None => (String::new(), String::new()),
    }
}

/// Parses a date ("2026-11-28") and time ("10:00") typed in the business's zone into UTC ms.
pub fn parse_local(date: &str, time: &str, tz: Tz) -> Result<i64, String> {
    at(parse_date(date)?, parse_time(time)?, tz)
}

/// A date typed in a form ("2026-11-28"); an empty one and a malformed one say so apart.
pub fn parse_date(date: &str) -> Result<NaiveDate, String> {
    match date.trim() {
        "" => Err("Enter the date.".to_owned()),
        text => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| "Enter the date as YYYY-MM-DD.".to_owned()),
    }
}

/// A time of day typed in a form ("10:00", 24-hour).
pub fn parse_time(time: &str) -> Result<NaiveTime, String> {
    match time.trim() {
        "" => Err("Enter the start time.".to_owned()),
        text => NaiveTime::parse_from_str(text, "%H:%M")
            .map_err(|_| "Enter the time as HH:MM (24-hour).".to_owned()),
    }
}

/// The instant of a local date and time in `tz` (the earlier of two in a repeated hour).
pub fn at(date: NaiveDate, time: NaiveTime, tz: Tz) -> Result<i64, String> {
    tz.from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|local| local.timestamp_millis())
        .ok_or_else(|| "That time does not exist in this time zone (a clock change).".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times_carry_the_zone_offset() {
        let ms = 1_784_905_200_000; // 2026-07-24T15:00:00Z
        assert_eq!(
            iso(ms, chrono_tz::Europe::London),
            "2026-07-24T16:00:00+01:00"
        );
        assert_eq!(iso(ms, chrono_tz::UTC), "2026-07-24T15:00:00+00:00");
    }

    #[test]
    fn shows_and_reads_times_in_the_business_zone() {
        let london: Tz = "Europe/London".parse().unwrap();
        // 2026-07-04 09:30 UTC is 10:30 BST.
        let ms = parse_local("2026-07-04", "10:30", london).unwrap();
        assert_eq!(ms, 1_783_157_400_000);
        assert_eq!(when(ms, london), "Sat 4 Jul 2026, 10:30 BST");
        assert_eq!(when(ms, chrono_tz::UTC), "Sat 4 Jul 2026, 09:30 UTC");
        assert_eq!(
            date_and_time(ms, london),
            ("2026-07-04".to_owned(), "10:30".to_owned())
        );
        assert!(parse_local("04/07/2026", "10:30", london).is_err());
        assert!(parse_local("2026-07-04", "25:00", london).is_err());
        // 01:30 on the spring-forward night does not exist in London.
        assert!(parse_local("2026-03-29", "01:30", london).is_err());
    }
}

//! A calendar entry for a session (iCalendar, RFC 5545): one event with its start, end and
//! place, that any calendar app imports from a mail attachment.

/// What the calendar entry says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent<'a> {
    /// Unique and stable for the booking (a second entry for the same booking replaces the
    /// first in most calendars).
    pub uid: &'a str,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    /// UTC milliseconds.
    pub starts_at: i64,
    pub ends_at: i64,
    /// When the entry was made (UTC milliseconds).
    pub stamp: i64,
    /// Increases with each new version of the entry (a moved booking).
    pub sequence: i64,
    /// The entry is withdrawn (`METHOD:CANCEL`, `STATUS:CANCELLED`): a calendar that holds the
    /// same `uid` removes or strikes the event.
    pub cancelled: bool,
}

/// `20261128T100000Z`.
fn utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_else(|| "19700101T000000Z".to_owned())
}

/// Text as a property value: backslash, comma, semicolon and newlines escaped.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded at 75 octets (continuations start with a space), ended by CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

impl CalendarEvent<'_> {
    /// The iTIP method of the file: `PUBLISH` for an entry, `CANCEL` for its withdrawal.
    pub const fn method(&self) -> &'static str {
        if self.cancelled {
            "CANCEL"
        } else {
            "PUBLISH"
        }
    }

    /// The event's own lines (`BEGIN:VEVENT` to `END:VEVENT`), folded.
    fn write_event(&self, out: &mut String) {
        for content in [
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}", text(self.uid)),
            format!("SEQUENCE:{}", self.sequence),
            format!(
                "STATUS:{}",
                if self.cancelled {
                    "CANCELLED"
                } else {
                    "CONFIRMED"
                }
            ),
            format!("DTSTAMP:{}", utc(self.stamp)),
            format!("DTSTART:{}", utc(self.starts_at)),
            format!("DTEND:{}", utc(self.ends_at)),
            format!("SUMMARY:{}", text(self.summary)),
            format!("LOCATION:{}", text(self.location)),
            format!("DESCRIPTION:{}", text(self.description)),
            "END:VEVENT".to_owned(),
        ] {
            line(out, &content);
        }
    }

    /// The whole `.ics` file.
    pub fn to_ics(&self) -> String {
        let mut out = String::new();
        for content in [
            "BEGIN:VCALENDAR".to_owned(),
            "VERSION:2.0".to_owned(),
            "PRODID:-//coaching-bookings//booking//EN".to_owned(),
            "CALSCALE:GREGORIAN".to_owned(),
            format!("METHOD:{}", self.method()),
        ] {
            line(&mut out, &content);
        }
        self.write_event(&mut out);
        line(&mut out, "END:VCALENDAR");
        out
    }
}

/// A calendar feed (a subscription's `.ics`): every event of `events`, each cancelled one kept
/// as `STATUS:CANCELLED` so a subscribed calendar strikes it; `name` is the calendar's.
pub fn feed(name: &str, events: &[CalendarEvent<'_>]) -> String {
    let mut out = String::new();
    for content in [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//coaching-bookings//feed//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        format!("X-WR-CALNAME:{}", text(name)),
    ] {
        line(&mut out, &content);
    }
    for event in events {
        event.write_event(&mut out);
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_has_its_times_in_utc_and_its_text_escaped() {
        let ics = CalendarEvent {
            uid: "booking-abc@bookings",
            summary: "Sprint technique, Alex",
            location: "Track 2; lanes 1-4",
            description: "Your booking:\nhttps://book.example.com/bookings/abc",
            starts_at: 1_783_157_400_000,
            ends_at: 1_783_161_000_000,
            stamp: 1_783_000_000_000,
            sequence: 0,
            cancelled: false,
        }
        .to_ics();
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.contains("\r\nMETHOD:PUBLISH\r\n") && ics.contains("\r\nSTATUS:CONFIRMED\r\n"));
        assert!(ics.contains("\r\nDTSTART:20260704T093000Z\r\n"));
        assert!(ics.contains("\r\nDTEND:20260704T103000Z\r\n"));
        assert!(ics.contains("\r\nSUMMARY:Sprint technique\\, Alex\r\n"));
        assert!(ics.contains("\r\nLOCATION:Track 2\\; lanes 1-4\r\n"));
        assert!(ics.contains("DESCRIPTION:Your booking:\\nhttps://book.example.com/bookings/a"));
        assert!(ics.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        // No line is longer than 75 octets; longer ones continue on the next, after a space.
        for l in ics.split("\r\n") {
            assert!(l.len() <= 75, "{l:?}");
        }
    }

    #[test]
    fn a_feed_holds_every_event_a_cancelled_one_struck() {
        let event = |uid, cancelled| CalendarEvent {
            uid,
            summary: "Sprint technique",
            location: "Track 2",
            description: "3 booked, 2 paid",
            starts_at: 1_783_157_400_000,
            ends_at: 1_783_161_000_000,
            stamp: 1_783_000_000_000,
            sequence: 0,
            cancelled,
        };
        let ics = feed(
            "Coaching",
            &[event("session-1@x", false), event("session-2@x", true)],
        );
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2);
        assert_eq!(ics.matches("STATUS:CANCELLED").count(), 1);
        assert!(ics.contains("X-WR-CALNAME:Coaching"));
    }

    #[test]
    fn a_withdrawn_entry_cancels_the_same_event() {
        let event = CalendarEvent {
            uid: "booking-abc@bookings",
            summary: "Sprint technique, Alex",
            location: "Track 2",
            description: "",
            starts_at: 1_783_157_400_000,
            ends_at: 1_783_161_000_000,
            stamp: 1_783_000_000_000,
            sequence: 2,
            cancelled: true,
        };
        let ics = event.to_ics();
        assert_eq!(event.method(), "CANCEL");
        for line in [
            "METHOD:CANCEL",
            "STATUS:CANCELLED",
            "SEQUENCE:2",
            "UID:booking-abc@bookings",
        ] {
            assert!(ics.contains(&format!("\r\n{line}\r\n")), "{line} in {ics}");
        }
    }

    #[test]
    fn folding_never_splits_a_character() {
        let mut out = String::new();
        line(&mut out, &"é".repeat(60));
        for l in out.trim_end().split("\r\n") {
            assert!(l.len() <= 75);
        }
        assert_eq!(out.replace("\r\n ", "").trim_end(), "é".repeat(60));
    }
}

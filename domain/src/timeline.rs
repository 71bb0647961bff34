//! A booking's timeline: what Stripe (or reconciliation) said, the log lines it wrote, and the
//! changes of attendance, in the order they happened.

use crate::outcome::{EventSource, LogLevel};
use serde::{Deserialize, Serialize};

/// Whether an entry is a ledger event or a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    /// A ledger row: what Stripe (or reconciliation) said and what it changed.
    Event,
    /// A payment log line written by that event.
    Log,
    /// An attendance change, and who made it.
    Attendance,
}

/// One entry of a booking's payment timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// UTC milliseconds.
    pub at: i64,
    pub kind: TimelineKind,
    pub event_id: Option<String>,
    pub event_type: Option<String>,
    /// Where a ledger event came from.
    pub source: Option<EventSource>,
    /// A log line's level.
    pub level: Option<LogLevel>,
    /// The event's outcome, or the log line's message.
    pub text: String,
    /// What Stripe sent, as recorded.
    pub detail: String,
}

/// Sorts entries by time, an event before the log lines written with it.
pub fn in_order(entries: &mut [TimelineEntry]) {
    entries.sort_by_key(|e| (e.at, e.kind));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(at: i64, kind: TimelineKind, text: &str) -> TimelineEntry {
        TimelineEntry {
            at,
            kind,
            event_id: None,
            event_type: None,
            source: None,
            level: None,
            text: text.to_owned(),
            detail: String::new(),
        }
    }

    #[test]
    fn an_event_comes_before_its_own_log_line() {
        let mut entries = vec![
            entry(2, TimelineKind::Log, "declined"),
            entry(2, TimelineKind::Event, "unpaid -> failed"),
            entry(1, TimelineKind::Event, "created"),
        ];
        in_order(&mut entries);
        let texts: Vec<&str> = entries.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(texts, ["created", "unpaid -> failed", "declined"]);
    }
}

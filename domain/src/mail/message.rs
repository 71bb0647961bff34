//! A message an admin writes to a session's families ("rain: we train in the hall"): one mail
//! per address, each to that address alone. The admin's words, the session's facts, and
//! nothing about any family (the mail goes to each family the same).

use super::body::{Body, Draft};
use super::Sender;
use crate::booking_form::FieldErrors;
use crate::schedule;
use serde::{Deserialize, Serialize};

/// The longest subject and text an admin may write.
pub const SUBJECT_MAX: usize = 150;
pub const TEXT_MAX: usize = 5000;

/// [`TEXT_MAX`], for a form's `maxlength`.
pub const fn message_text_max() -> usize {
    TEXT_MAX
}

/// What an admin wrote, checked: a subject and a text, neither blank nor too long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionNote {
    pub subject: String,
    pub text: String,
}

impl SessionNote {
    /// The subject and text as typed, trimmed; each problem named on its field.
    pub fn parse(subject: &str, text: &str) -> Result<Self, FieldErrors> {
        let (subject, text) = (subject.trim(), text.trim());
        let mut errors = FieldErrors::default();
        if subject.is_empty() {
            errors.add("subject", "Write a subject.");
        } else if subject.chars().count() > SUBJECT_MAX {
            errors.add(
                "subject",
                format!("Keep the subject under {SUBJECT_MAX} characters."),
            );
        } else if subject.contains(['\r', '\n']) {
            errors.add("subject", "Write the subject on one line.");
        }
        if text.is_empty() {
            errors.add("text", "Write the message.");
        } else if text.chars().count() > TEXT_MAX {
            errors.add(
                "text",
                format!("Keep the message under {TEXT_MAX} characters."),
            );
        }
        if errors.is_empty() {
            Ok(Self {
                subject: subject.to_owned(),
                text: text.to_owned(),
            })
        } else {
            errors.values.insert("subject".into(), subject.to_owned());
            errors.values.insert("text".into(), text.to_owned());
            Err(errors)
        }
    }
}

/// A message's mail as the outbox keeps it: the admin's words and the session's facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageFacts {
    pub subject: String,
    pub text: String,
    pub session_title: String,
    /// UTC ms.
    pub starts_at: i64,
    pub location: String,
}

pub(super) fn message(facts: &MessageFacts, sender: &Sender<'_>) -> Draft {
    let when = schedule::when(facts.starts_at, sender.timezone);
    let mut body = Body::default();
    body.say("Hello,");
    body.say(format!(
        "A message about {} on {when}:",
        facts.session_title
    ));
    for paragraph in facts.text.split("\n\n").filter(|p| !p.trim().is_empty()) {
        body.say(paragraph.trim().to_owned());
    }
    body.facts(vec![
        ("Session", facts.session_title.clone()),
        ("When", when.clone()),
        ("Where", facts.location.clone()),
    ]);
    Draft::new(
        format!("{} ({}, {when})", facts.subject, facts.session_title),
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::sender;
    use super::super::UnbookedMail;
    use super::*;

    #[test]
    fn a_note_needs_a_subject_on_one_line_and_a_text() {
        assert_eq!(
            SessionNote::parse("  Rain ", " We train in the hall. "),
            Ok(SessionNote {
                subject: "Rain".into(),
                text: "We train in the hall.".into()
            })
        );
        let refused = SessionNote::parse("", "").unwrap_err();
        assert_eq!(refused.errors["subject"], "Write a subject.");
        assert_eq!(refused.errors["text"], "Write the message.");
        let refused = SessionNote::parse("a\nb", &"x".repeat(TEXT_MAX + 1)).unwrap_err();
        assert_eq!(refused.errors["subject"], "Write the subject on one line.");
        assert!(refused.errors["text"].starts_with("Keep the message under"));
    }

    #[test]
    fn a_message_says_the_admins_words_and_the_sessions_facts_only() {
        let mail = UnbookedMail::SessionMessage(MessageFacts {
            subject: "Rain".into(),
            text: "We train in the hall.\n\nBring indoor shoes.".into(),
            session_title: "Sprint technique".into(),
            starts_at: 1_783_157_400_000,
            location: "Track 2".into(),
        })
        .render(&sender());
        assert!(
            mail.subject.starts_with("Rain (Sprint technique, "),
            "{}",
            mail.subject
        );
        assert!(mail.text.starts_with("Hello,\n"), "{}", mail.text);
        assert!(mail.text.contains("We train in the hall."));
        assert!(mail.text.contains("Bring indoor shoes."));
        assert!(mail.text.contains("Track 2"));
        assert!(mail.ics.is_none());
    }
}

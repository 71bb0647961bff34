//! The booking form, parsed: every field checked at the edge, each problem named back to its
//! field, and what was typed kept so the form can be shown again as the parent left it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use crate::track_details::TrackDetails;

pub const MIN_AGE: i64 = 3;
pub const MAX_AGE: i64 = 99;
const MAX_NAME: usize = 100;
const MAX_EMAIL: usize = 254;
pub const MAX_NOTES: usize = 1000;
/// What is kept of one field to show again: far past what the form lets a person type (its
/// fields carry `maxlength`), so nothing typed is ever cut; only a hostile post is bounded.
pub const KEPT_CHARS: usize = 5 * MAX_NOTES;

/// The form as submitted: every field a string, as the browser sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingFormInput {
    pub session: String,
    pub parent_name: String,
    pub parent_email: String,
    pub parent_phone: Option<String>,
    pub athlete_name: String,
    pub athlete_age: String,
    pub notes: Option<String>,
    /// Present ("on") when the consent box is ticked.
    pub consent: Option<String>,
    /// The further children of a family booking several at once (`athlete_name_2`,
    /// `athlete_age_2`, ...: name and age as typed); none for one child.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_athletes: Vec<(String, String)>,
    /// Whom to call in an emergency, and the athlete's medical or allergy notes
    /// ([`crate::track_details`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medical_notes: Option<String>,
}

/// A booking request whose every field is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRequest {
    pub training_session_id: i64,
    pub parent_name: String,
    pub parent_email: String,
    pub parent_phone: Option<String>,
    pub athlete_name: String,
    pub athlete_age: i64,
    pub notes: Option<String>,
    /// The emergency contact and medical notes (the notes for the form's first child only).
    pub track: TrackDetails,
}

/// Why the chosen session cannot take a booking, named back on the form's session field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionProblem {
    Full,
    /// It does not exist, or was cancelled.
    Unavailable,
    Started,
    /// It belongs to a term that sells its sessions only together.
    TermOnly,
}

impl SessionProblem {
    pub const fn message(self) -> &'static str {
        match self {
            Self::Full => "That session is now full. Please choose another one.",
            Self::Unavailable => "That session is no longer available. Please choose another one.",
            Self::Started => "That session has already started. Please choose another one.",
            Self::TermOnly => {
                "That session is sold only with its term: book the whole term, or choose another session."
            }
        }
    }
}

/// Problems by field name (the form's `name` attributes), and the values to show again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors {
    pub errors: BTreeMap<String, String>,
    pub values: BTreeMap<String, String>,
    /// A problem with the form as a whole (a limit reached), shown above it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
}

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The form sent back whole with one message about it, what was typed kept.
    pub fn whole_form(message: impl Into<String>, values: BTreeMap<String, String>) -> Self {
        Self {
            errors: BTreeMap::new(),
            values,
            form: Some(message.into()),
        }
    }
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn name(field: &str, label: &str, raw: &str, errors: &mut FieldErrors) -> Option<String> {
    let value = collapse_spaces(raw);
    if value.is_empty() {
        errors.add(field, format!("Enter the {label}."));
        return None;
    }
    if value.chars().count() > MAX_NAME {
        errors.add(
            field,
            format!("The {label} is too long (at most {MAX_NAME} characters)."),
        );
        return None;
    }
    if value.chars().any(|c| c.is_control() || "<>{}".contains(c)) {
        errors.add(
            field,
            format!("The {label} has characters we cannot accept."),
        );
        return None;
    }
    Some(value)
}

fn age(field: &str, raw: &str, errors: &mut FieldErrors) -> Option<i64> {
    let text = raw.trim();
    if text.is_empty() {
        errors.add(field, "Enter the athlete's age.");
        return None;
    }
    match text.parse::<i64>() {
        Ok(age) if (MIN_AGE..=MAX_AGE).contains(&age) => Some(age),
        Ok(_) => {
            errors.add(
                field,
                format!("The athlete's age must be between {MIN_AGE} and {MAX_AGE}."),
            );
            None
        }
        Err(_) => {
            errors.add(field, "Enter the athlete's age as a whole number.");
            None
        }
    }
}

/// A plausible email address: one @, a local part, a domain with a dot, no spaces.
pub fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && email
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[],;:\\\"".contains(c))
}

impl BookingFormInput {
    /// The further children as the form posts them (`athlete_name_2`/`athlete_age_2`, …): a
    /// row left wholly empty is no child.
    pub fn further_children<const N: usize>(
        rows: [(Option<String>, Option<String>); N],
    ) -> Vec<(String, String)> {
        rows.into_iter()
            .map(|(name, age)| (name.unwrap_or_default(), age.unwrap_or_default()))
            .filter(|(name, age)| !name.trim().is_empty() || !age.trim().is_empty())
            .collect()
    }

    /// The values to show again when the form comes back with errors.
    pub fn values(&self) -> BTreeMap<String, String> {
        let mut values = BTreeMap::new();
        let mut keep = |k: &str, v: &str| {
            // Bounded only against hostile posts: the values travel back to the browser.
            let v: String = v.chars().take(KEPT_CHARS).collect();
            values.insert(k.to_owned(), v);
        };
        keep("session", &self.session);
        keep("parent_name", &self.parent_name);
        keep("parent_email", &self.parent_email);
        keep("parent_phone", self.parent_phone.as_deref().unwrap_or(""));
        keep("athlete_name", &self.athlete_name);
        keep("athlete_age", &self.athlete_age);
        keep("notes", self.notes.as_deref().unwrap_or(""));
        keep(
            "emergency_name",
            self.emergency_name.as_deref().unwrap_or(""),
        );
        keep(
            "emergency_phone",
            self.emergency_phone.as_deref().unwrap_or(""),
        );
        keep("medical_notes", self.medical_notes.as_deref().unwrap_or(""));
        if self.consent.is_some() {
            keep("consent", "on");
        }
        for (i, (name, age)) in self.more_athletes.iter().enumerate() {
            keep(&format!("athlete_name_{}", i + 2), name);
            keep(&format!("athlete_age_{}", i + 2), age);
        }
        values
    }

    /// The form sent back with `problem` on its session field.
    pub fn session_refused(&self, problem: SessionProblem) -> FieldErrors {
        let mut errors = FieldErrors::default();
        errors.add("session", problem.message());
        errors.values = self.values();
        errors
    }

    /// The request, the emergency contact optional (an admin's entry, a waitlist place).
    pub fn parse(&self) -> Result<BookingRequest, FieldErrors> {
        self.parse_with(false)
    }

    /// The request; `contact_required`: the emergency contact must be given (a parent
    /// booking online).
    pub fn parse_with(&self, contact_required: bool) -> Result<BookingRequest, FieldErrors> {
        let mut errors = FieldErrors::default();

        let session = match self.session.trim().parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errors.add("session", "Choose a session.");
                None
            }
        };
        let parent_name = name(
            "parent_name",
            "parent's name",
            &self.parent_name,
            &mut errors,
        );

        let email = self.parent_email.trim().to_owned();
        let parent_email = if email.is_empty() {
            errors.add("parent_email", "Enter an email address.");
            None
        } else if email.len() > MAX_EMAIL || !is_plausible_email(&email) {
            errors.add(
                "parent_email",
                "Enter an email address like name@example.com.",
            );
            None
        } else {
            Some(email)
        };

        let phone = self
            .parent_phone
            .as_deref()
            .map(collapse_spaces)
            .filter(|p| !p.is_empty());
        if let Some(phone) = &phone {
            if !crate::track_details::is_plausible_phone(phone) {
                errors.add(
                    "parent_phone",
                    "Enter a phone number of 7 to 15 digits, or leave it empty.",
                );
            }
        }

        let athlete_name = name(
            "athlete_name",
            "athlete's name",
            &self.athlete_name,
            &mut errors,
        );

        let athlete_age = age("athlete_age", &self.athlete_age, &mut errors);

        let notes = self
            .notes
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        let notes_length = notes.as_ref().map_or(0, |n| n.chars().count());
        if notes_length > MAX_NOTES {
            errors.add(
                "notes",
                format!(
                    "Keep the notes to {MAX_NOTES} characters or fewer (they have {notes_length})."
                ),
            );
        }

        let (track, problems) = crate::track_details::parse(
            self.emergency_name.as_deref(),
            self.emergency_phone.as_deref(),
            self.medical_notes.as_deref(),
            contact_required,
        );
        for (field, message) in problems {
            errors.add(field, message);
        }

        if self.consent.is_none() {
            errors.add(
                "consent",
                "Please confirm the athlete may take part and you agree to the terms.",
            );
        }

        match (
            session,
            parent_name,
            parent_email,
            athlete_name,
            athlete_age,
        ) {
            (
                Some(training_session_id),
                Some(parent_name),
                Some(parent_email),
                Some(athlete_name),
                Some(athlete_age),
            ) if errors.is_empty() => Ok(BookingRequest {
                training_session_id,
                parent_name,
                parent_email,
                parent_phone: phone,
                athlete_name,
                athlete_age,
                notes,
                track,
            }),
            _ => {
                errors.values = self.values();
                Err(errors)
            }
        }
    }
}

impl BookingFormInput {
    /// Every child of the form, each as a request of its own (the first from `athlete_*`, the
    /// others from `more_athletes`; a further child left wholly empty is no child). A further
    /// child with a name but no age (or the other way round), or named twice, is refused on
    /// its own field.
    /// `contact_required` as for [`Self::parse_with`]; the emergency contact is every child's,
    /// the medical notes the first child's.
    pub fn parse_children(
        &self,
        contact_required: bool,
    ) -> Result<Vec<BookingRequest>, FieldErrors> {
        let first = self.parse_with(contact_required);
        let mut errors = first.clone().err().unwrap_or_default();
        let mut children = Vec::new();
        let mut names: Vec<String> = vec![collapse_spaces(&self.athlete_name).to_lowercase()];
        for (i, (raw_name, raw_age)) in self.more_athletes.iter().enumerate() {
            if raw_name.trim().is_empty() && raw_age.trim().is_empty() {
                continue;
            }
            let n = i + 2;
            let name_field = format!("athlete_name_{n}");
            let athlete_name = name(&name_field, "athlete's name", raw_name, &mut errors);
            let athlete_age = age(&format!("athlete_age_{n}"), raw_age, &mut errors);
            if let Some(athlete_name) = &athlete_name {
                let key = athlete_name.to_lowercase();
                if names.contains(&key) {
                    errors.add(
                        &name_field,
                        format!("{athlete_name} is already in this form: each child once."),
                    );
                }
                names.push(key);
            }
            children.push((athlete_name, athlete_age));
        }
        if children.len() + 1 > crate::siblings::MAX_CHILDREN {
            errors.add(
                "athlete_name",
                format!(
                    "Book at most {} children in one form.",
                    crate::siblings::MAX_CHILDREN
                ),
            );
        }
        match first {
            Ok(first) if errors.is_empty() => {
                let mut all = vec![first.clone()];
                for (athlete_name, athlete_age) in children {
                    if let (Some(athlete_name), Some(athlete_age)) = (athlete_name, athlete_age) {
                        all.push(BookingRequest {
                            athlete_name,
                            athlete_age,
                            track: TrackDetails {
                                medical_notes: None,
                                ..first.track.clone()
                            },
                            ..first.clone()
                        });
                    }
                }
                Ok(all)
            }
            _ => {
                errors.values = self.values();
                Err(errors)
            }
        }
    }
}

/// The ages a session is for, named for the parent ("ages 8 to 12", "ages 8 and up").
/// Whether an athlete of `age` fits a session for ages `min` to `max` (either may be open).
pub fn age_fits(age: i64, min: Option<i64>, max: Option<i64>) -> bool {
    min.is_none_or(|min| age >= min) && max.is_none_or(|max| age <= max)
}

pub fn age_range_text(min: Option<i64>, max: Option<i64>) -> Option<String> {
    match (min, max) {
        (Some(min), Some(max)) if min == max => Some(format!("age {min}")),
        (Some(min), Some(max)) => Some(format!("ages {min} to {max}")),
        (Some(min), None) => Some(format!("ages {min} and up")),
        (None, Some(max)) => Some(format!("ages up to {max}")),
        (None, None) => None,
    }
}

impl BookingFormInput {
    /// The form sent back when the athlete's `age` is outside the session's age range; `None`
    /// when it fits (or the session has no range).
    pub fn age_refused(&self, age: i64, min: Option<i64>, max: Option<i64>) -> Option<FieldErrors> {
        self.age_refused_on("athlete_age", age, min, max)
    }

    /// [`Self::age_refused`], named on `field` (a further child's age field).
    pub fn age_refused_on(
        &self,
        field: &str,
        age: i64,
        min: Option<i64>,
        max: Option<i64>,
    ) -> Option<FieldErrors> {
        if age_fits(age, min, max) {
            return None;
        }
        let range = age_range_text(min, max)?;
        let mut errors = FieldErrors::default();
        errors.add(
            field,
            format!("This session is for {range}: an athlete of {age} cannot book it. Choose another session."),
        );
        errors.values = self.values();
        Some(errors)
    }
}

#[cfg(test)]
mod children_tests {
    use super::*;

    fn form(more: &[(&str, &str)]) -> BookingFormInput {
        BookingFormInput {
            session: "3".into(),
            parent_name: "Pat Parent".into(),
            parent_email: "pat@example.com".into(),
            athlete_name: "Alex".into(),
            athlete_age: "12".into(),
            consent: Some("on".into()),
            more_athletes: more
                .iter()
                .map(|(n, a)| ((*n).to_owned(), (*a).to_owned()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn children_share_the_contact_and_only_the_first_has_the_notes() {
        let without = form(&[("Sam", "9")]);
        let refused = without.parse_children(true).unwrap_err();
        assert!(refused.errors.contains_key("emergency_name"));
        assert!(refused.errors.contains_key("emergency_phone"));
        assert!(
            without.parse_children(false).is_ok(),
            "an admin's entry may go without"
        );
        let with = BookingFormInput {
            emergency_name: Some("Robin".into()),
            emergency_phone: Some("07700 900123".into()),
            medical_notes: Some("asthma".into()),
            ..form(&[("Sam", "9")])
        };
        let children = with.parse_children(true).unwrap();
        assert_eq!(children[0].track.medical_notes.as_deref(), Some("asthma"));
        assert_eq!(children[1].track.medical_notes, None);
        for child in &children {
            assert_eq!(child.track.contact_name.as_deref(), Some("Robin"));
            assert_eq!(child.track.contact_phone.as_deref(), Some("07700 900123"));
        }
    }

    #[test]
    fn each_child_is_a_request_and_empty_rows_are_no_child() {
        let children = form(&[("Sam", "9"), ("", " "), ("Kim  Lee", "7")])
            .parse_children(false)
            .unwrap();
        let names: Vec<(&str, i64)> = children
            .iter()
            .map(|c| (c.athlete_name.as_str(), c.athlete_age))
            .collect();
        assert_eq!(names, [("Alex", 12), ("Sam", 9), ("Kim Lee", 7)]);
        assert!(children.iter().all(|c| c.parent_email == "pat@example.com"));
        assert_eq!(form(&[]).parse_children(false).unwrap().len(), 1);
    }

    #[test]
    fn a_further_child_is_checked_on_its_own_fields() {
        let refused = form(&[("Sam", ""), ("", "8"), ("alex", "10")])
            .parse_children(false)
            .unwrap_err();
        assert_eq!(refused.errors["athlete_age_2"], "Enter the athlete's age.");
        assert_eq!(
            refused.errors["athlete_name_3"],
            "Enter the athlete's name."
        );
        assert_eq!(
            refused.errors["athlete_name_4"],
            "alex is already in this form: each child once."
        );
        assert_eq!(refused.values["athlete_name_2"], "Sam");
        let too_many = form(&[("B", "5"), ("C", "5"), ("D", "5"), ("E", "5")])
            .parse_children(false)
            .unwrap_err();
        assert_eq!(
            too_many.errors["athlete_name"],
            "Book at most 4 children in one form."
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> BookingFormInput {
        BookingFormInput {
            session: "3".into(),
            parent_name: "  Pat   Parent ".into(),
            parent_email: "pat@example.com".into(),
            parent_phone: Some("+44 (0)20 7946-0000".into()),
            athlete_name: "Alex".into(),
            athlete_age: "12".into(),
            notes: Some("  Asthma inhaler in bag ".into()),
            consent: Some("on".into()),
            more_athletes: Vec::new(),
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_form_becomes_a_request() {
        let request = valid().parse().unwrap();
        assert_eq!(request.training_session_id, 3);
        assert_eq!(request.parent_name, "Pat Parent");
        assert_eq!(request.parent_phone.as_deref(), Some("+44 (0)20 7946-0000"));
        assert_eq!(request.athlete_age, 12);
        assert_eq!(request.notes.as_deref(), Some("Asthma inhaler in bag"));

        let minimal = BookingFormInput {
            parent_phone: Some("   ".into()),
            notes: None,
            ..valid()
        };
        let request = minimal.parse().unwrap();
        assert_eq!(request.parent_phone, None);
        assert_eq!(request.notes, None);
    }

    /// Every rule, each naming its field, with what was typed kept.
    #[test]
    fn every_rule_names_its_field() {
        type Edit = fn(&mut BookingFormInput);
        let cases: Vec<(Edit, &str, &str)> = vec![
            (|f| f.session = "".into(), "session", "Choose a session."),
            (|f| f.session = "abc".into(), "session", "Choose a session."),
            (|f| f.session = "-4".into(), "session", "Choose a session."),
            (
                |f| f.parent_name = "   ".into(),
                "parent_name",
                "Enter the parent's name.",
            ),
            (
                |f| f.parent_name = "x".repeat(101),
                "parent_name",
                "too long",
            ),
            (
                |f| f.parent_name = "<script>".into(),
                "parent_name",
                "cannot accept",
            ),
            (
                |f| f.parent_email = "".into(),
                "parent_email",
                "Enter an email address.",
            ),
            (
                |f| f.parent_email = "pat@".into(),
                "parent_email",
                "like name@example.com",
            ),
            (
                |f| f.parent_email = "pat example.com".into(),
                "parent_email",
                "like name@example.com",
            ),
            (
                |f| f.parent_email = "pat@example".into(),
                "parent_email",
                "like name@example.com",
            ),
            (
                |f| f.parent_email = "a@b@c.com".into(),
                "parent_email",
                "like name@example.com",
            ),
            (
                |f| f.parent_phone = Some("12345".into()),
                "parent_phone",
                "7 to 15 digits",
            ),
            (
                |f| f.parent_phone = Some("call me maybe".into()),
                "parent_phone",
                "7 to 15 digits",
            ),
            (
                |f| f.athlete_name = "".into(),
                "athlete_name",
                "Enter the athlete's name.",
            ),
            (
                |f| f.athlete_age = "".into(),
                "athlete_age",
                "Enter the athlete's age.",
            ),
            (
                |f| f.athlete_age = "twelve".into(),
                "athlete_age",
                "whole number",
            ),
            (
                |f| f.athlete_age = "12.5".into(),
                "athlete_age",
                "whole number",
            ),
            (
                |f| f.athlete_age = "2".into(),
                "athlete_age",
                "between 3 and 99",
            ),
            (
                |f| f.athlete_age = "100".into(),
                "athlete_age",
                "between 3 and 99",
            ),
            (
                |f| f.notes = Some("n".repeat(1001)),
                "notes",
                "1000 characters or fewer (they have 1001)",
            ),
            (|f| f.consent = None, "consent", "Please confirm"),
        ];
        for (edit, field, message) in cases {
            let mut form = valid();
            edit(&mut form);
            let errors = form.parse().unwrap_err();
            assert_eq!(
                errors.errors.keys().collect::<Vec<_>>(),
                vec![field],
                "{field}: {errors:?}"
            );
            assert!(
                errors.errors[field].contains(message),
                "{field}: {:?}",
                errors.errors[field]
            );
            assert_eq!(errors.values["parent_email"], form.parent_email);
            assert_eq!(errors.values["athlete_age"], form.athlete_age);
        }
    }

    #[test]
    fn a_note_too_long_comes_back_whole() {
        let mut form = valid();
        let note = "é".repeat(1_500);
        form.notes = Some(note.clone());
        let errors = form.parse().unwrap_err();
        assert!(errors.errors.contains_key("notes"));
        assert_eq!(errors.values["notes"], note);
    }

    #[test]
    fn an_empty_form_names_every_required_field() {
        let errors = BookingFormInput::default().parse().unwrap_err();
        let fields: Vec<&str> = errors.errors.keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            [
                "athlete_age",
                "athlete_name",
                "consent",
                "parent_email",
                "parent_name",
                "session"
            ]
        );
        assert!(!errors.values.contains_key("consent"));
    }

    #[test]
    fn an_age_outside_the_sessions_range_is_refused_naming_the_range() {
        let form = valid();
        assert_eq!(form.age_refused(12, Some(8), Some(12)), None);
        assert_eq!(form.age_refused(12, None, None), None);
        assert_eq!(form.age_refused(30, Some(18), None), None);
        let young = form.age_refused(7, Some(8), Some(12)).unwrap();
        assert_eq!(
            young.errors["athlete_age"],
            "This session is for ages 8 to 12: an athlete of 7 cannot book it. Choose another session."
        );
        assert_eq!(young.values["athlete_age"], form.athlete_age);
        let old = form.age_refused(13, None, Some(12)).unwrap();
        assert!(
            old.errors["athlete_age"].contains("ages up to 12"),
            "{old:?}"
        );
        let adult = form.age_refused(12, Some(18), None).unwrap();
        assert!(
            adult.errors["athlete_age"].contains("ages 18 and up"),
            "{adult:?}"
        );
        assert_eq!(age_range_text(Some(9), Some(9)).as_deref(), Some("age 9"));
    }
}

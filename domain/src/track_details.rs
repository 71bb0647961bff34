//! What a coach needs of an athlete at the track, as the booking form asks it (issue 24): whom
//! to call in an emergency (a name and a phone, asked of every parent booking online), and
//! optional medical or allergy notes. The notes are sealed before they are stored and, like the
//! contact, never go into a mail, a log line or the CSV.

/// The longest medical note the form takes (as an athlete's profile).
pub const MAX_MEDICAL_NOTES: usize = crate::family::MAX_NOTES_CHARS;
const MAX_CONTACT_NAME: usize = 100;

/// The contact and the notes as typed, trimmed; empty fields `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrackDetails {
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub medical_notes: Option<String>,
}

impl TrackDetails {
    pub fn is_empty(&self) -> bool {
        self.contact_name.is_none() && self.contact_phone.is_none() && self.medical_notes.is_none()
    }
}

/// A phone number a person can dial: digits, spaces and `+ - ( ) .`, 7 to 15 digits.
pub fn is_plausible_phone(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        && (7..=15).contains(&digits)
        && phone.len() <= 30
}

fn filled(text: Option<&str>) -> Option<String> {
    let text = text?.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// A problem with one of the fields: its name, and what to tell the parent.
pub type Problem = (&'static str, String);

/// Reads the form's `emergency_name`, `emergency_phone` and `medical_notes`, each problem named
/// on its field. The contact is a name and a phone together; `required`: the form must have it
/// (a parent booking online; an admin's entry or a waitlist place may go without).
pub fn parse(
    name: Option<&str>,
    phone: Option<&str>,
    notes: Option<&str>,
    required: bool,
) -> (TrackDetails, Vec<Problem>) {
    let mut problems: Vec<Problem> = Vec::new();
    let mut add = |field: &'static str, message: &str| problems.push((field, message.to_owned()));
    let contact_name = filled(name);
    let contact_phone = filled(phone);
    match (&contact_name, &contact_phone) {
        (None, None) if required => {
            add(
                "emergency_name",
                "Enter the name of someone we can call in an emergency.",
            );
            add("emergency_phone", "Enter their phone number.");
        }
        (None, Some(_)) => add(
            "emergency_name",
            "Enter the name of the person this number calls.",
        ),
        (Some(who), None) => add(
            "emergency_phone",
            &format!("Enter a phone number for {who}."),
        ),
        _ => {}
    }
    if let Some(who) = &contact_name {
        if who.chars().count() > MAX_CONTACT_NAME {
            add(
                "emergency_name",
                &format!("The contact's name is too long (at most {MAX_CONTACT_NAME} characters)."),
            );
        } else if who.chars().any(|c| c.is_control() || "<>{}".contains(c)) {
            add(
                "emergency_name",
                "The contact's name has characters we cannot accept.",
            );
        }
    }
    if let Some(number) = &contact_phone {
        if !is_plausible_phone(number) {
            add(
                "emergency_phone",
                "Enter a phone number of 7 to 15 digits, like +44 7700 900123.",
            );
        }
    }
    let medical_notes = notes
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let length = medical_notes.as_ref().map_or(0, |n| n.chars().count());
    if length > MAX_MEDICAL_NOTES {
        add(
            "medical_notes",
            &format!("Keep the medical notes to {MAX_MEDICAL_NOTES} characters or fewer (they have {length})."),
        );
    }
    (
        TrackDetails {
            contact_name,
            contact_phone,
            medical_notes,
        },
        problems,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    type Errors = std::collections::BTreeMap<&'static str, String>;

    fn read(name: &str, phone: &str, notes: &str, required: bool) -> (TrackDetails, Errors) {
        let (details, problems) = parse(Some(name), Some(phone), Some(notes), required);
        (details, problems.into_iter().collect())
    }

    #[test]
    fn a_contact_is_a_name_and_a_phone_together() {
        let (details, errors) = read("  Sam  Rivera ", "+44 7700 900123", " peanuts ", true);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(details.contact_name.as_deref(), Some("Sam Rivera"));
        assert_eq!(details.contact_phone.as_deref(), Some("+44 7700 900123"));
        assert_eq!(details.medical_notes.as_deref(), Some("peanuts"));

        let (_, errors) = read("Sam", "", "", false);
        assert_eq!(errors["emergency_phone"], "Enter a phone number for Sam.");
        let (_, errors) = read("", "07700 900123", "", false);
        assert!(errors["emergency_name"].contains("this number calls"));
        let (_, errors) = read("Sam", "call me", "", false);
        assert!(errors["emergency_phone"].contains("7 to 15 digits"));
    }

    #[test]
    fn only_a_form_that_requires_it_refuses_an_empty_contact() {
        let (details, errors) = read(" ", "", "", false);
        assert!(errors.is_empty());
        assert!(details.is_empty());
        let (_, errors) = read("", " ", "", true);
        assert!(errors.contains_key("emergency_name"));
        assert!(errors.contains_key("emergency_phone"));
    }

    #[test]
    fn long_notes_are_refused_with_their_length() {
        let notes = "x".repeat(MAX_MEDICAL_NOTES + 1);
        let (_, errors) = read("Sam", "07700 900123", &notes, true);
        assert!(errors["medical_notes"].contains(&format!("(they have {})", MAX_MEDICAL_NOTES + 1)));
        let (details, errors) = read("Sam", "07700 900123", &"x".repeat(MAX_MEDICAL_NOTES), true);
        assert!(errors.is_empty());
        assert!(details.medical_notes.is_some());
    }
}

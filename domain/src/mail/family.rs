//! A family's mails (issue 22): the sign-in link, and the link that confirms a new address.
//! Each link is made when the mail goes (its token is never stored, only its hash): until then
//! the facts hold none, and a mail shown before it went (the admin's Emails page) says so.

use super::body::{Body, Draft};
use super::Sender;

fn link_or_note(body: &mut Body, label: &str, link: Option<&str>) {
    match link {
        Some(url) => {
            body.link(label, url);
        }
        None => {
            body.say("(The link is made when this mail is sent: it is never kept.)");
        }
    }
}

pub(super) fn sign_in(link: Option<&str>, minutes: i64, sender: &Sender<'_>) -> Draft {
    let mut body = Body::default();
    body.say("Hello,").say(format!(
        "Open this link to sign in to your family's page: your bookings and your athletes. It works once, for {minutes} minutes."
    ));
    link_or_note(&mut body, "Sign in", link);
    body.say(
        "If you did not ask for this mail, you can ignore it: nobody signs in without the link.",
    );
    Draft::new(format!("Sign in to {}", sender.business_name), body)
}

pub(super) fn address_change(link: Option<&str>, sender: &Sender<'_>) -> Draft {
    let mut body = Body::default();
    body.say("Hello,").say(
        "A family asked to use this address for its bookings. Open this link to confirm it: its bookings and athletes move to this address only then. It works once, for a day.",
    );
    link_or_note(&mut body, "Confirm this address", link);
    body.say("If you did not ask for this, ignore this mail: nothing changes without the link.");
    Draft::new(
        format!("Confirm your address with {}", sender.business_name),
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::sender;
    use super::super::UnbookedMail;

    #[test]
    fn a_link_mail_carries_its_link_once_made_and_never_stores_it() {
        let link = "https://book.example.com/sign-in/tok123";
        let mail = UnbookedMail::FamilySignIn {
            link: Some(link.into()),
            minutes: 15,
        };
        let rendered = mail.render(&sender());
        assert_eq!(rendered.subject, "Sign in to Riverside Coaching");
        assert!(rendered.text.contains(link) && rendered.text.contains("15 minutes"));
        assert!(rendered.html.contains(&format!("href=\"{link}\"")));
        assert!(!mail.to_stored().contains("tok123"), "{}", mail.to_stored());
        let unsent = UnbookedMail::FamilyAddressChange {
            family: 3,
            link: None,
        }
        .render(&sender());
        assert!(unsent.text.contains("made when this mail is sent"));
    }
}

//! A mail written once, as paragraphs, lines of facts and links, then rendered twice: as plain
//! text and as HTML (every piece of text escaped).

use super::{RenderedMail, Sender};
use std::fmt::Write;

/// Text for HTML: the five characters that could change its meaning, escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The body of a mail, in the order it reads.
#[derive(Default)]
pub(super) struct Body {
    parts: Vec<Part>,
}

enum Part {
    Paragraph(String),
    Facts(Vec<(String, String)>),
    Link { label: String, url: String },
}

impl Body {
    pub(super) fn say(&mut self, text: impl Into<String>) -> &mut Self {
        self.parts.push(Part::Paragraph(text.into()));
        self
    }

    pub(super) fn facts(&mut self, facts: Vec<(&str, String)>) -> &mut Self {
        self.parts.push(Part::Facts(
            facts.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        ));
        self
    }

    pub(super) fn link(&mut self, label: impl Into<String>, url: impl Into<String>) -> &mut Self {
        self.parts.push(Part::Link {
            label: label.into(),
            url: url.into(),
        });
        self
    }

    fn text(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Paragraph(text) => {
                    let _ = writeln!(out, "{text}\n");
                }
                Part::Facts(facts) => {
                    for (label, value) in facts {
                        let _ = writeln!(out, "{label}: {value}");
                    }
                    out.push('\n');
                }
                Part::Link { label, url } => {
                    let _ = writeln!(out, "{label}: {url}\n");
                }
            }
        }
        out.trim_end().to_owned() + "\n"
    }

    fn html(&self, title: &str) -> String {
        let mut out = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
             <body style=\"font-family:sans-serif;color:#0f172a;line-height:1.5\">",
            escape(title)
        );
        for part in &self.parts {
            match part {
                Part::Paragraph(text) => {
                    let _ = write!(out, "<p>{}</p>", escape(text));
                }
                Part::Facts(facts) => {
                    out.push_str("<table role=\"presentation\">");
                    for (label, value) in facts {
                        let _ = write!(
                            out,
                            "<tr><th align=\"left\" style=\"padding-right:1em\">{}</th><td>{}</td></tr>",
                            escape(label),
                            escape(value)
                        );
                    }
                    out.push_str("</table>");
                }
                Part::Link { label, url } => {
                    let _ = write!(
                        out,
                        "<p><a href=\"{}\" style=\"color:#3730a3\">{}</a></p>",
                        escape(url),
                        escape(label)
                    );
                }
            }
        }
        out.push_str("</body></html>");
        out
    }
}

/// A mail as one kind's function writes it: its subject, its body without the sign-off, and
/// the calendar entry it carries, if any.
pub(super) struct Draft {
    pub subject: String,
    pub body: Body,
    pub ics: Option<String>,
}

impl Draft {
    pub(super) fn new(subject: String, body: Body) -> Self {
        Self {
            subject,
            body,
            ics: None,
        }
    }

    /// The mail, signed the same way for every kind and rendered as text and HTML.
    pub(super) fn finish(mut self, sender: &Sender<'_>) -> RenderedMail {
        self.body.say(format!(
            "Questions? Write to {}.\n{}",
            sender.contact, sender.business_name
        ));
        RenderedMail {
            html: self.body.html(&self.subject),
            text: self.body.text(),
            subject: self.subject,
            ics: self.ics,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_every_piece_and_text_keeps_it_as_written() {
        let mut body = Body::default();
        body.say("Tom & \"Jerry\" <b>")
            .facts(vec![("It's", "<i>".to_owned())])
            .link("a<b", "https://x.example/?a=1&b=2");
        let html = body.html("A & B");
        assert!(html.contains("<title>A &amp; B</title>"), "{html}");
        assert!(
            html.contains("<p>Tom &amp; &quot;Jerry&quot; &lt;b&gt;</p>"),
            "{html}"
        );
        assert!(html.contains(
            "<th align=\"left\" style=\"padding-right:1em\">It&#39;s</th><td>&lt;i&gt;</td>"
        ));
        assert!(html.contains("href=\"https://x.example/?a=1&amp;b=2\""));
        assert!(!html.contains("<b>") && !html.contains("<i>"));
        assert_eq!(
            body.text(),
            "Tom & \"Jerry\" <b>\n\nIt's: <i>\n\na<b: https://x.example/?a=1&b=2\n"
        );
    }
}

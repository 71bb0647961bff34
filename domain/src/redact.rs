//! What may reach a log line: texts from outside (an SMTP server's error names the recipient,
//! for one) with every email address taken out.

/// `text` with each email address in it replaced by `<address>`.
pub fn without_addresses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_inclusive(|c: char| c.is_whitespace()) {
        let trimmed = word.trim_end();
        let tail = &word[trimmed.len()..];
        // Quoting and brackets around an address stay; the address goes.
        let start = trimmed
            .find(|c: char| !matches!(c, '<' | '(' | '[' | '"' | '\'' | ':'))
            .unwrap_or(trimmed.len());
        let end = trimmed
            .rfind(|c: char| !matches!(c, '>' | ')' | ']' | '"' | '\'' | ',' | ';' | '.' | ':'))
            .map_or(start, |at| at + 1)
            .max(start);
        let core = &trimmed[start..end];
        if looks_like_address(core) {
            out.push_str(&trimmed[..start]);
            out.push_str("<address>");
            out.push_str(&trimmed[end..]);
        } else {
            out.push_str(trimmed);
        }
        out.push_str(tail);
    }
    out
}

fn looks_like_address(word: &str) -> bool {
    match word.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_leave_an_smtp_error_and_the_rest_stays() {
        assert_eq!(
            without_addresses(
                "permanent error (550): 5.1.1 <pat.parent@example.com>: Recipient address rejected"
            ),
            "permanent error (550): 5.1.1 <<address>>: Recipient address rejected"
        );
        assert_eq!(
            without_addresses("mailbox full: pat@example.co.uk, try later"),
            "mailbox full: <address>, try later"
        );
        assert_eq!(
            without_addresses("connection refused at mail.example.com:25"),
            "connection refused at mail.example.com:25"
        );
        assert_eq!(without_addresses("@ alone and a@b"), "@ alone and a@b");
        assert_eq!(without_addresses(""), "");
    }
}

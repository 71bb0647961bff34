//! `Stripe-Signature` verification: HMAC-SHA256 over "{t}.{raw body}", any `v1` against any
//! configured secret, compared in constant time, with a timestamp tolerance in both directions.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Why a delivery was refused; each is answered 400 with its one-line message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing Stripe-Signature header")]
    MissingHeader,
    #[error("malformed Stripe-Signature header: {0}")]
    MalformedHeader(&'static str),
    #[error("no signature matches the payload")]
    NoMatch,
    #[error("timestamp outside the tolerance")]
    TimestampOutsideTolerance,
}

/// The parts of a `Stripe-Signature` header we use: `t` and every `v1` (`v0` and unknown schemes
/// are ignored, as Stripe's own libraries do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    pub timestamp: i64,
    pub v1: Vec<[u8; 32]>,
}

pub fn parse_header(header: &str) -> Result<SignatureHeader, SignatureError> {
    let mut timestamp = None;
    let mut v1 = Vec::new();
    let mut saw_v1 = false;
    for item in header.split(',') {
        let Some((key, value)) = item.trim().split_once('=') else {
            return Err(SignatureError::MalformedHeader("expected key=value pairs"));
        };
        match key.trim() {
            "t" => {
                if timestamp.is_some() {
                    return Err(SignatureError::MalformedHeader("more than one timestamp"));
                }
                let value = value.trim();
                if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(SignatureError::MalformedHeader("timestamp is not a number"));
                }
                timestamp =
                    Some(value.parse::<i64>().map_err(|_| {
                        SignatureError::MalformedHeader("timestamp is not a number")
                    })?);
            }
            "v1" => {
                saw_v1 = true;
                // A signature that is not 64 hex digits can never match; skip it, keep the others.
                let mut bytes = [0u8; 32];
                if hex::decode_to_slice(value.trim(), &mut bytes).is_ok() {
                    v1.push(bytes);
                }
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::MalformedHeader("no timestamp"))?;
    if !saw_v1 {
        return Err(SignatureError::MalformedHeader("no v1 signature"));
    }
    Ok(SignatureHeader { timestamp, v1 })
}

/// The `v1` signature Stripe computes for `payload` sent at `timestamp` with `secret`.
pub fn sign(secret: &str, timestamp: i64, payload: &[u8]) -> [u8; 32] {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac.finalize().into_bytes().into()
}

/// A complete header value for `payload`, as Stripe would send it (used by simulated payments).
pub fn header_value(secret: &str, timestamp: i64, payload: &[u8]) -> String {
    format!(
        "t={timestamp},v1={}",
        hex::encode(sign(secret, timestamp, payload))
    )
}

/// Accepts the delivery when any `v1` matches any secret and the timestamp is within
/// `tolerance_secs` of `now` (seconds since the epoch).
pub fn verify(
    payload: &[u8],
    header: Option<&str>,
    secrets: &[SecretString],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    let header = parse_header(header.ok_or(SignatureError::MissingHeader)?)?;
    let mut matched = subtle::Choice::from(0);
    for secret in secrets {
        let expected = sign(secret.expose_secret(), header.timestamp, payload);
        for candidate in &header.v1 {
            matched |= expected.ct_eq(candidate);
        }
    }
    if !bool::from(matched) {
        return Err(SignatureError::NoMatch);
    }
    if now.abs_diff(header.timestamp) > tolerance_secs.unsigned_abs() {
        return Err(SignatureError::TimestampOutsideTolerance);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn secrets(list: &[&str]) -> Vec<SecretString> {
        list.iter()
            .map(|s| SecretString::from(s.to_string()))
            .collect()
    }

    #[test]
    fn a_known_signature_is_reproduced() {
        // HMAC-SHA256(key "whsec_test", "1700000000.{}"), computed independently with Python's hmac.
        assert_eq!(
            hex::encode(sign("whsec_test", NOW, b"{}")),
            "35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
        assert_eq!(
            header_value("whsec_test", NOW, b"{}"),
            "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }

    #[test]
    fn accepts_any_v1_against_any_secret() {
        let body = br#"{"id":"evt_1"}"#;
        let good = hex::encode(sign("whsec_new", NOW, body));
        let other = hex::encode(sign("whsec_unrelated", NOW, body));
        let keys = secrets(&["whsec_old", "whsec_new"]);
        for header in [
            format!("t={NOW},v1={good}"),
            format!("t={NOW},v1={other},v1={good}"),
            format!("t={NOW},v1={good},v1={other}"),
            format!("t={NOW},v0=abc,v1={good}"),
            format!("t={NOW}, v1={good}"),
            format!("v1={good},t={NOW},scheme=x"),
        ] {
            assert_eq!(
                verify(body, Some(&header), &keys, NOW, 300),
                Ok(()),
                "{header}"
            );
        }
    }

    #[test]
    fn refusals_say_why() {
        let body = br#"{"id":"evt_1"}"#;
        let keys = secrets(&["whsec_a"]);
        let sig = |t: i64| format!("t={t},v1={}", hex::encode(sign("whsec_a", t, body)));
        let cases: Vec<(Option<String>, &[u8], SignatureError)> = vec![
            (None, body, SignatureError::MissingHeader),
            (
                Some("garbage".into()),
                body,
                SignatureError::MalformedHeader("expected key=value pairs"),
            ),
            (
                Some(format!("v1={}", "00".repeat(32))),
                body,
                SignatureError::MalformedHeader("no timestamp"),
            ),
            (
                Some(format!("t={NOW}")),
                body,
                SignatureError::MalformedHeader("no v1 signature"),
            ),
            (
                Some(format!("t=abc,v1={}", "00".repeat(32))),
                body,
                SignatureError::MalformedHeader("timestamp is not a number"),
            ),
            (
                Some(format!("t={NOW},t={NOW},v1=00")),
                body,
                SignatureError::MalformedHeader("more than one timestamp"),
            ),
            (
                Some(format!("t={NOW},v1=zz")),
                body,
                SignatureError::NoMatch,
            ),
            (
                Some(sig(NOW)),
                br#"{"id":"evt_2"}"#,
                SignatureError::NoMatch,
            ),
            (
                Some(sig(NOW - 301)),
                body,
                SignatureError::TimestampOutsideTolerance,
            ),
            (
                Some(sig(NOW + 301)),
                body,
                SignatureError::TimestampOutsideTolerance,
            ),
        ];
        for (header, payload, want) in cases {
            assert_eq!(
                verify(payload, header.as_deref(), &keys, NOW, 300),
                Err(want),
                "{header:?}"
            );
        }
        assert_eq!(verify(body, Some(&sig(NOW - 300)), &keys, NOW, 300), Ok(()));
        assert_eq!(verify(body, Some(&sig(NOW + 300)), &keys, NOW, 300), Ok(()));
        assert_eq!(
            verify(body, Some(&sig(NOW)), &secrets(&["whsec_b"]), NOW, 300),
            Err(SignatureError::NoMatch)
        );
        assert_eq!(
            verify(body, Some(&sig(NOW)), &[], NOW, 300),
            Err(SignatureError::NoMatch)
        );
    }

    mod fuzz {
        //! The header parser and verifier under generated input: they must never panic.
        use super::super::*;
        use proptest::prelude::*;

        fn header_piece() -> impl Strategy<Value = String> {
            prop_oneof![
                "t=[0-9]{0,12}",
                "t=-?[0-9a-z]{0,25}",
                "v1=[0-9a-f]{0,70}",
                "v0=[0-9a-f]{0,64}",
                "[a-z0-9]{0,4}=?.{0,10}",
                ".{0,12}",
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]

            #[test]
            fn any_string_never_panics(header in ".{0,200}") {
                let _ = parse_header(&header);
                let _ = verify(b"{}", Some(&header), &[SecretString::from("whsec_x".to_owned())], super::NOW, 300);
            }

            #[test]
            fn headers_made_of_plausible_pieces_never_panic(
                pieces in prop::collection::vec(header_piece(), 0..8),
                payload in prop::collection::vec(any::<u8>(), 0..64),
                now in any::<i64>(),
                tolerance in any::<i64>(),
            ) {
                let header = pieces.join(",");
                let _ = parse_header(&header);
                let _ = verify(&payload, Some(&header), &[SecretString::from("whsec_x".to_owned())], now, tolerance);
            }
        }
    }
}

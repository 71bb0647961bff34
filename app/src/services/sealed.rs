//! Sealing what only a family may read (an athlete's medical notes) before it is stored:
//! ChaCha20-Poly1305 under the family data key, a random 96-bit nonce per value, kept as
//! `v1:` and the base64 of nonce, ciphertext and tag. A value opens only under its key and
//! only as the kind of value it was sealed as (`what`, the associated data).

use crate::settings::DataKey;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};

const VERSION: &str = "v1:";
/// What medical notes are sealed as (the associated data: a note opens only as a note).
pub const MEDICAL_NOTE: &str = "medical note";

/// A sealed value that does not open: another key, or altered. (It says nothing of the value.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a sealed {what} does not open under the family data key")]
pub struct Unsealable {
    pub what: &'static str,
}

fn cipher(key: &DataKey) -> LessSafeKey {
    LessSafeKey::new(
        UnboundKey::new(&CHACHA20_POLY1305, &key.0).expect("a 32-byte key fits ChaCha20-Poly1305"),
    )
}

/// `plain`, sealed as a `what` (e.g. "medical note").
pub fn seal(key: &DataKey, what: &'static str, plain: &str) -> String {
    let nonce: [u8; NONCE_LEN] = rand::random();
    let mut data = plain.as_bytes().to_vec();
    cipher(key)
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(what.as_bytes()),
            &mut data,
        )
        .expect("a value this small always seals");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&data);
    format!("{VERSION}{}", STANDARD.encode(out))
}

/// The plain text of a value sealed as a `what` under `key`.
pub fn open(key: &DataKey, what: &'static str, sealed: &str) -> Result<String, Unsealable> {
    let refused = Unsealable { what };
    let bytes = sealed
        .strip_prefix(VERSION)
        .and_then(|b64| STANDARD.decode(b64).ok())
        .ok_or(refused.clone())?;
    if bytes.len() < NONCE_LEN {
        return Err(refused);
    }
    let (nonce, data) = bytes.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| refused.clone())?;
    let mut data = data.to_vec();
    let plain = cipher(key)
        .open_in_place(nonce, Aad::from(what.as_bytes()), &mut data)
        .map_err(|_| refused.clone())?;
    String::from_utf8(plain.to_vec()).map_err(|_| refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_opens_under_its_key_only_and_never_shows_its_text() {
        let key = DataKey([7; 32]);
        let a = seal(&key, "medical note", "Peanut allergy: EpiPen in the bag");
        let b = seal(&key, "medical note", "Peanut allergy: EpiPen in the bag");
        assert_ne!(a, b, "a random nonce per value");
        assert!(a.starts_with("v1:") && !a.contains("Peanut"));
        assert_eq!(
            open(&key, "medical note", &a).unwrap(),
            "Peanut allergy: EpiPen in the bag"
        );
        assert!(
            open(&DataKey([8; 32]), "medical note", &a).is_err(),
            "another key"
        );
        assert!(
            open(&key, "other thing", &a).is_err(),
            "another kind of value"
        );
        let mut altered = a.clone();
        altered.replace_range(10..11, if &a[10..11] == "A" { "B" } else { "A" });
        assert!(open(&key, "medical note", &altered).is_err());
        assert!(open(&key, "medical note", "Peanut").is_err());
        let error = open(&key, "medical note", "v1:AAAA")
            .unwrap_err()
            .to_string();
        assert!(!error.contains("Peanut"), "{error}");
    }

    #[test]
    fn keys_read_as_hex_or_base64_of_32_bytes() {
        let hex_key = "00".repeat(31) + "ff";
        assert_eq!(DataKey::from_text(&hex_key).unwrap().0[31], 0xff);
        let b64 = STANDARD.encode([1u8; 32]);
        assert_eq!(DataKey::from_text(&b64).unwrap().0, [1u8; 32]);
        assert!(DataKey::from_text("short").is_err());
        assert!(DataKey::from_text(&STANDARD.encode([1u8; 16]))
            .unwrap_err()
            .contains("16 bytes"));
        assert_eq!(DataKey::random_text().len(), 64);
        assert!(!format!("{:?}", DataKey([9; 32])).contains('9'));
    }
}

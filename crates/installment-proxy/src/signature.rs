//! Every provider's signature, byte for byte, and constant-time comparison.

use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Compares two signatures without leaking where they differ.
///
/// ```
/// use installment_proxy::signature::constant_time_eq;
/// assert!(constant_time_eq("abc", "abc"));
/// assert!(!constant_time_eq("abc", "abd"));
/// ```
pub fn constant_time_eq(expected: &str, received: &str) -> bool {
    expected.as_bytes().ct_eq(received.as_bytes()).into()
}

/// Lowercase hex HMAC-SHA256 of `body`: Karta Pokupok's webhook `X-Signature`.
///
/// ```
/// use installment_proxy::signature::hmac_sha256_hex;
/// assert_eq!(hmac_sha256_hex(b"key", b"The quick brown fox jumps over the lazy dog"),
///     "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
/// ```
pub fn hmac_sha256_hex(key: &[u8], body: &[u8]) -> String {
    hex::encode(hmac_sha256(key, body))
}

/// Base64 HMAC-SHA256: Craftgate's webhook signature.
///
/// ```
/// use installment_proxy::signature::hmac_sha256_base64;
/// assert_eq!(hmac_sha256_base64(b"key", b"The quick brown fox jumps over the lazy dog"),
///     "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=");
/// ```
pub fn hmac_sha256_base64(key: &[u8], message: &[u8]) -> String {
    BASE64.encode(hmac_sha256(key, message))
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// A timestamped signature header, `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`:
/// the proxy's callbacks to the merchant's backend carry it, and so do KartaPay's webhooks,
/// whose signing the seed leaves open (a design of this proxy). The time inside the MAC lets
/// a receiver refuse an old delivery replayed later.
///
/// ```
/// use installment_proxy::signature::timestamped_signature;
/// let body = br#"{"id":"evt_1","type":"payment.updated","data":{"id":"pay_1","status":"approved"}}"#;
/// assert_eq!(timestamped_signature(b"sandbox-kartapay-webhook", 1_700_000_000, body),
///     "t=1700000000,v1=6833b85e0d4871983d537fb69441bc86f87548e9a65100907805b3487987539a");
/// ```
pub fn timestamped_signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut message = format!("{timestamp}.").into_bytes();
    message.extend_from_slice(body);
    format!("t={timestamp},v1={}", hmac_sha256_hex(secret, &message))
}

/// Craftgate's webhook signature over `eventType + eventTimestamp + status + payloadId`.
///
/// ```
/// use installment_proxy::signature::craftgate_webhook_signature;
/// let signature = craftgate_webhook_signature("key", "API_AUTH", "1700000000", "SUCCESS", "42");
/// assert_eq!(signature.len(), 44);
/// ```
pub fn craftgate_webhook_signature(
    webhook_key: &str,
    event_type: &str,
    event_timestamp: &str,
    status: &str,
    payload_id: &str,
) -> String {
    let message = format!("{event_type}{event_timestamp}{status}{payload_id}");
    hmac_sha256_base64(webhook_key.as_bytes(), message.as_bytes())
}

/// Craftgate's request `x-signature`: base64 SHA-256 of the percent-decoded URL, the API key,
/// the secret key, the random key and the exact body (left out when there is none).
///
/// ```
/// use installment_proxy::signature::craftgate_request_signature;
/// let signature = craftgate_request_signature(
///     "https://api.craftgate.io/installment/v1/installments?price=100&name=Zeytinya%C4%9F%C4%B1",
///     "api-key", "secret-key", "rnd", None);
/// assert_eq!(signature.len(), 44);
/// ```
pub fn craftgate_request_signature(
    url: &str,
    api_key: &str,
    secret_key: &str,
    random_key: &str,
    body: Option<&[u8]>,
) -> String {
    let decoded = percent_encoding::percent_decode_str(url).decode_utf8_lossy();
    let mut hasher = Sha256::new();
    for part in [
        decoded.as_bytes(),
        api_key.as_bytes(),
        secret_key.as_bytes(),
        random_key.as_bytes(),
    ] {
        hasher.update(part);
    }
    if let Some(body) = body {
        hasher.update(body);
    }
    BASE64.encode(hasher.finalize())
}

/// A FreedomPay field value: text, or a nested array of fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// A plain value.
    Text(String),
    /// Children in document order (`pg_refund_payments` and the like).
    Nested(Vec<(String, Field)>),
}

/// Flattens fields the way FreedomPay signs them: every key becomes `prefix + key +
/// three-digit counter` (its position from `001` among its level's fields), the top level
/// included, and a nested array's name is its children's prefix; `pg_sig` itself is left out.
/// The keys only order the values: the signature hashes the values alone.
///
/// ```
/// use installment_proxy::signature::{Field, flatten};
/// let fields = vec![("pg_refunds".to_owned(), Field::Nested(vec![
///     ("pg_amount".to_owned(), Field::Text("10".into())),
///     ("pg_amount".to_owned(), Field::Text("20".into())),
/// ]))];
/// assert_eq!(flatten(&fields), [("pg_refunds001pg_amount001".to_owned(), "10".to_owned()),
///     ("pg_refunds001pg_amount002".to_owned(), "20".to_owned())]);
/// ```
pub fn flatten(fields: &[(String, Field)]) -> Vec<(String, String)> {
    let mut flat = Vec::new();
    flatten_into(&mut flat, "", fields);
    flat
}

/// As PayBox's `PG_Signature::makeFlatParamsArray` counts: at every level, the top one
/// included, by position among the level's fields (`pg_sig` counted, then skipped).
fn flatten_into(out: &mut Vec<(String, String)>, prefix: &str, fields: &[(String, Field)]) {
    for (index, (key, value)) in fields.iter().enumerate() {
        if key == "pg_sig" {
            continue;
        }
        let name = format!("{prefix}{key}{:03}", index + 1);
        match value {
            Field::Text(text) => out.push((name, text.clone())),
            Field::Nested(children) => flatten_into(out, &name, children),
        }
    }
}

/// FreedomPay's `pg_sig`: lowercase hex MD5 of `script;values sorted by key;secret`.
///
/// `script` is the last path segment of the URL called (`init`, `get_status3.php`, or the
/// merchant's result URL's). Keys sort by byte order after [`flatten`].
///
/// ```
/// use installment_proxy::signature::{Field, freedompay_signature};
/// let text = |s: &str| Field::Text(s.to_owned());
/// let fields = vec![
///     ("pg_merchant_id".to_owned(), text("545084")), ("pg_order_id".to_owned(), text("12345")),
///     ("pg_amount".to_owned(), text("10000")), ("pg_description".to_owned(), text("test")),
///     ("pg_salt".to_owned(), text("some random string")),
/// ];
/// // md5("init;10000;test;545084;12345;some random string;secret")
/// assert_eq!(freedompay_signature("init", &fields, "secret"), "11c01c808f52326aa1de9f4af8c3b0c4");
/// ```
pub fn freedompay_signature(script: &str, fields: &[(String, Field)], secret_key: &str) -> String {
    let mut flat = flatten(fields);
    flat.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut text = String::from(script);
    for (_, value) in &flat {
        text.push(';');
        text.push_str(value);
    }
    text.push(';');
    text.push_str(secret_key);
    hex::encode(Md5::digest(text.as_bytes()))
}

/// The last path segment of a URL: what FreedomPay signs as the script name.
///
/// ```
/// use installment_proxy::signature::script_name;
/// assert_eq!(script_name("https://api.freedompay.kz/v1/merchant/1/installment/init"), "init");
/// assert_eq!(script_name("https://api.freedompay.kz/get_status3.php?x=1"), "get_status3.php");
/// ```
pub fn script_name(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(pairs: &[(&str, &str)]) -> Vec<(String, Field)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Field::Text((*v).to_owned())))
            .collect()
    }

    // Expected values computed independently with coreutils and openssl, e.g.
    // printf 'init;10000;test;545084;12345;some random string;secret' | md5sum
    #[test]
    fn freedompay_signatures_match_hand_checked_values() {
        let init = text(&[
            ("pg_merchant_id", "545084"),
            ("pg_order_id", "12345"),
            ("pg_amount", "10000"),
            ("pg_description", "test"),
            ("pg_salt", "some random string"),
            ("pg_sig", "ignored"),
        ]);
        assert_eq!(
            freedompay_signature("init", &init, "secret"),
            "11c01c808f52326aa1de9f4af8c3b0c4"
        );
        let nested = vec![
            ("pg_status".to_owned(), Field::Text("ok".into())),
            (
                "pg_refund_payments".to_owned(),
                Field::Nested(vec![(
                    "pg_refund_payment".to_owned(),
                    Field::Nested(text(&[("pg_payment_id", "7"), ("pg_amount", "50")])),
                )]),
            ),
            ("pg_salt".to_owned(), Field::Text("s".into())),
        ];
        // Flattened keys: pg_refund_payments002pg_refund_payment001pg_payment_id001 (7),
        // ...pg_amount002 (50); sorted: ...pg_amount002 < ...pg_payment_id001.
        assert_eq!(
            freedompay_signature("get_status3.php", &nested, "k"),
            "b8fd080eb8c26b52e22deec577902c4d"
        );
    }

    #[test]
    fn craftgate_signature_matches_a_hand_checked_value() {
        // printf '%s' 'https://sandbox-api.craftgate.io/installment/v1/installments?binNumber=54066700&price=100.00&name=Zeytinyağıapi-keysecret-keyrnd' | openssl dgst -sha256 -binary | base64
        let url = "https://sandbox-api.craftgate.io/installment/v1/installments?binNumber=54066700&price=100.00&name=Zeytinya%C4%9F%C4%B1";
        assert_eq!(
            craftgate_request_signature(url, "api-key", "secret-key", "rnd", None),
            "5WPb5v5rGoOsyfWkpy3TOfXhC5FrmxTJwpxxbbPUI0E="
        );
        // With a body, the exact bytes follow the random key.
        assert_eq!(
            craftgate_request_signature(
                "https://api.craftgate.io/payment/v1/card-payments",
                "k",
                "s",
                "r",
                Some(br#"{"price":10}"#)
            ),
            "9KaZ+PJAOTHLncVtGksLJM/CD6ORI9vgQ6ORslQ2/E4="
        );
    }

    #[test]
    fn webhook_signatures_match_hand_checked_values() {
        // printf '%s' '{"application_id":"A1","status":"APPROVED"}' | openssl dgst -sha256 -hmac whsec
        assert_eq!(
            hmac_sha256_hex(b"whsec", br#"{"application_id":"A1","status":"APPROVED"}"#),
            "c50ff6f275021adb354985dad8e9cb78f2e60e0e6d087a64ad31a144809f2768"
        );
        // printf '%s' 'API_AUTH1700000000SUCCESS42' | openssl dgst -sha256 -hmac key -binary | base64
        assert_eq!(
            craftgate_webhook_signature("key", "API_AUTH", "1700000000", "SUCCESS", "42"),
            "Pi7P450sKM/vIg8wyfZiKjIIl2+bqraFgVTF63DHfsc="
        );
    }

    #[test]
    fn flattening_counts_at_every_level_the_top_one_included() {
        let fields = vec![(
            "a".to_owned(),
            Field::Nested(vec![
                ("b".to_owned(), Field::Text("1".into())),
                ("c".to_owned(), Field::Nested(text(&[("d", "2")]))),
            ]),
        )];
        assert_eq!(
            flatten(&fields),
            [
                ("a001b001".to_owned(), "1".to_owned()),
                ("a001c002d001".to_owned(), "2".to_owned())
            ]
        );
    }

    #[test]
    fn comparison_rejects_prefixes_and_case_changes() {
        assert!(!constant_time_eq("abcd", "abc"));
        assert!(!constant_time_eq("ABC", "abc"));
    }
}

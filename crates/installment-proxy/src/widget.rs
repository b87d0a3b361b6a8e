//! The widget's files at `/widget/`, cached by what their names promise.
//!
//! `scripts/build-package` names every file a page loads through the entry after a hash of
//! its content (`installment_embed_bg.1f0c6e2a9b.wasm`): such a name never holds other bytes,
//! so browsers and CDNs keep it a year without asking again. The entries whose URLs
//! merchants write (`embed.js`, `installment-widget.css`) and the package's own modules keep
//! fixed names: they are small, revalidate on every view (`no-cache`) with a weak ETag of
//! their content, and a 304 costs no body. A new release is picked up at the entry's next
//! revalidation, since the new entry names new hashed files.

use axum::{
    extract::Request,
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};
use std::path::Path;

/// What a content-hashed file is served with.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Whether `name` carries a content hash: `stem.<10 or more lowercase hex>.ext`, as
/// `installment_embed_bg.1f0c6e2a9b.wasm` does and `embed.js` does not.
fn content_hashed(name: &str) -> bool {
    // A precompressed twin (`x.<hash>.wasm.br`) is the same file to the browser.
    let name = name
        .strip_suffix(".br")
        .or_else(|| name.strip_suffix(".gz"))
        .unwrap_or(name);
    let mut parts = name.rsplit('.');
    let (Some(_extension), Some(hash), Some(stem)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    !stem.is_empty()
        && hash.len() >= 10
        && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The weak ETag of a file's content: weak, since it is sent as identity, gzip or brotli.
fn etag_of(bytes: &[u8]) -> String {
    format!("W/\"{}\"", hex::encode(&Sha256::digest(bytes)[..12]))
}

/// Sets each widget file's caching: immutable for content-hashed names, else `no-cache` with
/// an ETag, answering a matching `If-None-Match` with 304 without asking ServeDir. An entry
/// that changed is read twice (for its tag, then by ServeDir): a few KB, kept for simplicity.
///
/// `dir` is the widget directory; the request's path is relative to it (axum strips the
/// `/widget` prefix of a nested service).
pub async fn cache_by_name(dir: std::sync::Arc<Path>, request: Request, next: Next) -> Response {
    let name = request.uri().path().trim_start_matches('/').to_owned();
    if content_hashed(&name) {
        let mut response = next.run(request).await;
        // A missing hashed file may appear with the release being deployed: never keep a 404.
        let value = if response.status().is_success() {
            IMMUTABLE
        } else {
            "no-store"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        return response;
    }
    // One plain file name directly in the directory; anything else (a folder, `..`) is left to
    // ServeDir, which refuses what is not there.
    let plain = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && !name.starts_with('.');
    let etag = if plain && matches!(*request.method(), Method::GET | Method::HEAD) {
        tokio::fs::read(dir.join(&name))
            .await
            .ok()
            .map(|bytes| etag_of(&bytes))
    } else {
        None
    };
    let matches = etag
        .as_deref()
        .is_some_and(|ours| crate::api::none_match(request.headers(), ours));
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Some(etag) = etag {
        headers.insert(
            header::ETAG,
            HeaderValue::from_str(&etag).expect("hex is a valid header"),
        );
        // The ETag says what Last-Modified would, and better: a rebuild of the same bytes
        // keeps its tag.
        headers.remove(header::LAST_MODIFIED);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::content_hashed;

    #[test]
    fn names_that_carry_a_content_hash() {
        for (name, hashed) in [
            ("installment_embed_bg.1f0c6e2a9b.wasm", true),
            ("installment_embed.0123456789abcdef.js", true),
            ("installment_embed_bg.1f0c6e2a9b.wasm.br", true),
            ("embed.js", false),
            ("installment-widget.css", false),
            ("installment_embed_bg.wasm", false),
            ("x.1F0C6E2A9B.js", false),
            ("x.12345.js", false),
            (".1f0c6e2a9b.js", false),
            ("1f0c6e2a9b.js", false),
        ] {
            assert_eq!(content_hashed(name), hashed, "{name}");
        }
    }
}

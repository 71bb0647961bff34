//! The site's static files, served the way a CDN would. `cargo leptos build` writes them to the
//! site root with content-hashed names (`hash-files`; the names are listed in `hash.txt`), and
//! `precompress` (the `style` crate) writes a brotli (`.br`) and a gzip (`.gz`) copy beside each
//! one. A request gets the copy its `Accept-Encoding` allows (brotli first), or the file itself.
//! A hashed file never changes under its name, so browsers may keep it for a year without asking
//! again; any other file is revalidated on each use. What is not a file is the app's 404 page.

use app::state::AppState;
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
};
use leptos::prelude::provide_context;
use std::path::{Path, PathBuf};
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// The list of hashed names cargo-leptos writes (`hash-file-name` in Cargo.toml puts it in the
/// site root, so that it always describes the files beside it). Never served.
pub const HASH_FILE: &str = "hash.txt";

/// `Cache-Control` of a file whose name carries its content's hash.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of every other file and of pages: keep it, but ask before each use.
pub const REVALIDATE: &str = "no-cache";

/// The hash file of the site at `site_root`, if the site was built with hashed names.
pub fn hash_file(site_root: &Path) -> Option<PathBuf> {
    let path = site_root.join(HASH_FILE);
    path.is_file()
        .then(|| std::path::absolute(&path).unwrap_or(path))
}

/// Whether a request's `path` names the hash file (or a compressed copy of it) under any
/// spelling the file server would resolve to it: percent-encoded (`/%68ash.txt`), with empty,
/// `.` or `..` segments (`//hash.txt`, `/pkg/../hash.txt`), or a backslash.
pub fn names_hash_file(path: &str) -> bool {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let mut segments: Vec<&str> = Vec::new();
    for segment in decoded.split(['/', '\\']) {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            name => segments.push(name),
        }
    }
    matches!(
        segments.as_slice(),
        [name] if name.strip_prefix(HASH_FILE).is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    )
}

/// Whether the last segment of `path` carries a cargo-leptos content hash: a dot-separated part
/// of 22 base64url characters (an MD5), as in `booking.AbCd….wasm`. The unhashed loader's
/// placeholder (`__wasm_split.______________________.js`) does not count.
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut parts = name.split('.');
    parts.next();
    parts.any(|part| {
        part.len() == 22
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && part.bytes().any(|b| b != b'_')
    })
}

/// The site's files under `site_root`, with their brotli and gzip copies; built once, when the
/// router is.
pub fn site_files(site_root: &Path) -> ServeDir {
    ServeDir::new(site_root)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
}

/// The router's fallback: a file of the site (with its cache policy), else the app's 404 page.
pub async fn file_or_not_found(
    files: ServeDir,
    State(state): State<AppState>,
    request: Request,
) -> Response {
    let path = request.uri().path();
    let servable =
        matches!(*request.method(), Method::GET | Method::HEAD) && !names_hash_file(path);
    if servable {
        let mut file_request = Request::new(Body::empty());
        *file_request.method_mut() = request.method().clone();
        *file_request.uri_mut() = request.uri().clone();
        *file_request.headers_mut() = request.headers().clone();
        let hashed = is_hashed(path);
        let Ok(response) = files.oneshot(file_request).await;
        let status = response.status();
        if status.is_success() || status == StatusCode::NOT_MODIFIED {
            let mut response = response.into_response();
            let policy = if hashed { IMMUTABLE } else { REVALIDATE };
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
            // The body depends on Accept-Encoding: a shared cache must keep one per encoding.
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            return response;
        }
    }
    not_found(state, request).await
}

/// The app's own 404 page for `request` (a route's redirect keeps its status).
async fn not_found(state: AppState, request: Request) -> Response {
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async_stream_with_context(
        move || provide_context(state.clone()),
        move || app::shell(options.clone()),
    );
    let mut response = render(request).await;
    if response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::NOT_FOUND;
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_file_is_named_under_every_spelling() {
        for spelling in [
            "/hash.txt",
            "/%68ash.txt",
            "/hash%2Etxt",
            "//hash.txt",
            "/./hash.txt",
            "/pkg/../hash.txt",
            "/pkg/%2e%2e/hash.txt",
            "/\\hash.txt",
            "/hash.txt.br",
            "/hash.txt.gz",
        ] {
            assert!(names_hash_file(spelling), "{spelling}");
        }
        for other in [
            "/pkg/hash.txt",
            "/hash.txt2",
            "/robots.txt",
            "/",
            "/favicon.svg",
        ] {
            assert!(!names_hash_file(other), "{other}");
        }
    }

    #[test]
    fn hashed_names_are_told_from_plain_ones() {
        for hashed in [
            "/pkg/booking.uKTWWXmnxtK9WCDKxQ1n3g.wasm",
            "/pkg/booking.0Fz-_x2R8mYk5q1D3sV9aA.css",
            "/pkg/chunk_12.AAAAAAAAAAAAAAAAAAAAAA.wasm",
            "/pkg/__wasm_split.Zm9vYmFyYmF6cXV4cXV1eA.js",
            "/pkg/split___login_route_view_1204.AbCdEfGhIjKlMnOpQrStUv.wasm",
        ] {
            assert!(is_hashed(hashed), "{hashed}");
        }
        for plain in [
            "/pkg/booking.wasm",
            "/pkg/booking.css",
            "/pkg/__wasm_split.______________________.js",
            "/favicon.svg",
            "/robots.txt",
            "/pkg/booking.uKTWWXmnxtK9WCDKxQ1n3.wasm",
            "/pkg/booking.uKTWWXmnxtK9WCDKxQ1n3g+.wasm",
            "/pkg/uKTWWXmnxtK9WCDKxQ1n3g",
        ] {
            assert!(!is_hashed(plain), "{plain}");
        }
    }
}

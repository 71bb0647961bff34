//! Static files as a CDN would serve them, on the site `cargo leptos build` and `precompress`
//! wrote (scripts/test.sh builds it first): hashed names linked from the pages, brotli, gzip or
//! the file itself as the client accepts, a year's immutable caching for hashed files, `no-cache`
//! for the rest and for pages, `no-store` for private pages. Not database tests: SQLite only.

use crate::support::{Backend, TestApp};
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, VARY};
use std::io::Read;
use std::path::PathBuf;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn site_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site"))
}

/// The app on the built site; fails (does not skip) when the site was not built with hashes.
async fn spawn_on_site() -> TestApp {
    let root = site_root();
    assert!(
        root.join("hash.txt").is_file(),
        "{} has no hash.txt: build the site first (cargo leptos build --split, then \
         cargo run -p style --bin precompress), as scripts/test.sh does",
        root.display()
    );
    TestApp::spawn_with(
        Backend::Sqlite,
        &[("LEPTOS_SITE_ROOT", root.to_str().expect("a UTF-8 path"))],
    )
    .await
}

/// The `/pkg/...` paths a page links with `attribute="..."` and the given extension.
fn linked(html: &str, extension: &str) -> Vec<String> {
    html.split('"')
        .filter(|part| part.starts_with("/pkg/") && part.ends_with(extension))
        .map(str::to_owned)
        .collect()
}

fn brotli_decoded(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("a valid brotli stream");
    out
}

fn gzip_decoded(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a valid gzip stream");
    out
}

async fn fetch(app: &TestApp, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(accept) = accept {
        request = request.header(ACCEPT_ENCODING, accept);
    }
    request.send().await.expect("a response")
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> &str {
    response
        .headers()
        .get(&name)
        .map(|v| v.to_str().unwrap_or("?"))
        .unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashed_files_come_compressed_as_accepted_and_cached_for_a_year() {
    let app = spawn_on_site().await;
    let (status, html) = app.get_page("/book").await;
    assert_eq!(status, 200);
    let hashes = std::fs::read_to_string(site_root().join("hash.txt")).unwrap();
    let mut files = Vec::new();
    for (extension, key) in [(".css", "css"), (".js", "js"), (".wasm", "wasm")] {
        let found = linked(&html, extension);
        let hash = hashes
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{key}: ")))
            .unwrap_or_else(|| panic!("{key} in hash.txt: {hashes}"));
        let expected = format!("/pkg/booking.{}{extension}", hash.trim());
        assert!(found.contains(&expected), "{expected} in {found:?}");
        files.push(expected);
    }

    for path in &files {
        let plain = fetch(&app, path, None).await;
        assert_eq!(plain.status(), 200, "{path}");
        assert_eq!(
            header(&plain, CONTENT_ENCODING),
            "",
            "{path} without Accept-Encoding"
        );
        assert_eq!(header(&plain, CACHE_CONTROL), IMMUTABLE, "{path}");
        let original = plain.bytes().await.unwrap();
        let on_disk = std::fs::read(site_root().join(path.trim_start_matches('/'))).unwrap();
        assert_eq!(original.as_ref(), on_disk.as_slice(), "{path}");

        let identity = fetch(&app, path, Some("identity")).await;
        assert_eq!(header(&identity, CONTENT_ENCODING), "", "{path}");

        let br = fetch(&app, path, Some("gzip, deflate, br")).await;
        assert_eq!(br.status(), 200, "{path}");
        assert_eq!(header(&br, CONTENT_ENCODING), "br", "{path}");
        assert_eq!(header(&br, CACHE_CONTROL), IMMUTABLE, "{path}");
        assert!(
            header(&br, VARY)
                .to_ascii_lowercase()
                .contains("accept-encoding"),
            "{path}: Vary {:?}",
            header(&br, VARY)
        );
        let br_bytes = br.bytes().await.unwrap();
        assert!(
            br_bytes.len() < original.len(),
            "{path} is smaller in brotli"
        );
        assert_eq!(brotli_decoded(&br_bytes), original.as_ref(), "{path}");

        let gz = fetch(&app, path, Some("gzip")).await;
        assert_eq!(gz.status(), 200, "{path}");
        assert_eq!(header(&gz, CONTENT_ENCODING), "gzip", "{path}");
        assert_eq!(header(&gz, CACHE_CONTROL), IMMUTABLE, "{path}");
        let gz_bytes = gz.bytes().await.unwrap();
        assert!(gz_bytes.len() < original.len(), "{path} is smaller in gzip");
        assert_eq!(gzip_decoded(&gz_bytes), original.as_ref(), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_split_chunks_and_loader_are_hashed_and_immutable_too() {
    let app = spawn_on_site().await;
    let pkg = site_root().join("pkg");
    let mut names: Vec<String> = std::fs::read_dir(&pkg)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with(".br") && !name.ends_with(".gz"))
        .collect();
    names.sort();
    let loader = names
        .iter()
        .find(|n| n.starts_with("__wasm_split.") && n.ends_with(".js"))
        .expect("the chunk loader");
    let chunk = names
        .iter()
        .find(|n| n.contains("login_route_view") && n.ends_with(".wasm"))
        .expect("the login page's chunk");
    for name in [loader, chunk] {
        assert!(server::assets::is_hashed(name), "{name} is hashed");
        let response = fetch(&app, &format!("/pkg/{name}"), Some("br")).await;
        assert_eq!(response.status(), 200, "{name}");
        assert_eq!(header(&response, CONTENT_ENCODING), "br", "{name}");
        assert_eq!(header(&response, CACHE_CONTROL), IMMUTABLE, "{name}");
    }
    // What is not a real file is the app's 404 page, never a file of the build.
    let unhashed = fetch(&app, "/pkg/booking.wasm", Some("br")).await;
    assert_eq!(unhashed.status(), 404);
    // The list of hashed names is served under no spelling the file server would resolve.
    for spelling in [
        "/hash.txt",
        "/%68ash.txt",
        "/hash%2Etxt",
        "//hash.txt",
        "/./hash.txt",
        "/pkg/../hash.txt",
        "/pkg/%2e%2e/hash.txt",
        "/hash.txt.br",
        "/hash.txt.gz",
    ] {
        let list = fetch(&app, spelling, None).await;
        assert_eq!(list.status(), 404, "{spelling}");
        assert!(
            list.text().await.unwrap().contains("Page not found"),
            "{spelling}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_revalidated_private_ones_never_stored_plain_files_revalidated() {
    let app = spawn_on_site().await;
    for path in ["/", "/book", "/find"] {
        let page = fetch(&app, path, Some("br, gzip")).await;
        assert_eq!(page.status(), 200, "{path}");
        assert_eq!(header(&page, CACHE_CONTROL), "no-cache", "{path}");
        // Pages are compressed as they are written.
        assert_eq!(header(&page, CONTENT_ENCODING), "br", "{path}");
        let html = String::from_utf8(brotli_decoded(&page.bytes().await.unwrap())).unwrap();
        assert!(html.contains("</html>"), "{path}");
    }
    let gzipped = fetch(&app, "/book", Some("gzip")).await;
    assert_eq!(header(&gzipped, CONTENT_ENCODING), "gzip");
    let plain = fetch(&app, "/book", None).await;
    assert_eq!(header(&plain, CONTENT_ENCODING), "");
    assert!(plain.text().await.unwrap().contains("</html>"));

    for path in ["/admin/login", "/admin", "/bookings/abcdefghjkmnpqrstvwx"] {
        let page = fetch(&app, path, Some("br")).await;
        assert_eq!(header(&page, CACHE_CONTROL), "no-store", "{path}");
    }
    let missing = fetch(&app, "/no-such-page", Some("br")).await;
    assert_eq!(missing.status(), 404);
    assert_eq!(header(&missing, CACHE_CONTROL), "no-cache");

    // A file without a hash in its name is kept but asked about again: 304 when unchanged.
    let icon = fetch(&app, "/favicon.svg", None).await;
    assert_eq!(icon.status(), 200);
    assert_eq!(header(&icon, CACHE_CONTROL), "no-cache");
    let modified = header(&icon, reqwest::header::LAST_MODIFIED).to_owned();
    assert!(!modified.is_empty());
    let again = app
        .client
        .get(app.url("/favicon.svg"))
        .header(reqwest::header::IF_MODIFIED_SINCE, modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(header(&again, CACHE_CONTROL), "no-cache");
}

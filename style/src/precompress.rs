//! Writes a brotli (`.br`) and a gzip (`.gz`) copy beside each text or wasm file of the built
//! site, for the server to send to browsers that accept them (it never compresses these files
//! itself). Run after `cargo leptos build`, which empties the site first, so no copy outlives its
//! file:
//!
//!     precompress [--quick] [SITE_ROOT]      (default: target/site of the workspace)
//!
//! Brotli at quality 11 and gzip at level 9, the most either format can do: the work is done
//! once per build, the bytes are saved on every download. `--quick` (brotli 5, gzip 6) is for
//! development builds, whose unoptimised wasm is ten times larger and is never sent to a phone:
//! a second instead of half a minute. A copy that would not be smaller than its file is not
//! written. Files are compressed on every core, largest first.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

/// The kinds of file worth compressing; images other than SVG are compressed already.
const COMPRESSIBLE: [&str; 9] = [
    "wasm", "js", "mjs", "css", "svg", "json", "txt", "html", "map",
];

/// Never served, so never compressed (see `server::assets`).
const HASH_FILE: &str = "hash.txt";

/// The levels to compress at: the best, or quick ones for development builds.
#[derive(Clone, Copy)]
struct Levels {
    brotli: i32,
    gzip: u32,
}

const BEST: Levels = Levels {
    brotli: 11,
    gzip: 9,
};
const QUICK: Levels = Levels { brotli: 5, gzip: 6 };

fn compressible_files(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let compressible = |path: &Path| {
        path.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSIBLE.contains(&e))
            && path.file_name().is_some_and(|name| name != HASH_FILE)
    };
    style::files_below(dir, &compressible, found)
}

fn brotli(data: &[u8], levels: Levels) -> std::io::Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: levels.brotli,
        lgwin: 24,
        size_hint: data.len(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(data.len() / 3);
    brotli::BrotliCompress(&mut &data[..], &mut out, &params)?;
    Ok(out)
}

fn gzip(data: &[u8], levels: Levels) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 3),
        flate2::Compression::new(levels.gzip),
    );
    encoder.write_all(data)?;
    encoder.finish()
}

/// The sizes written for one file: (original, brotli, gzip); a copy not written counts as the
/// original.
fn precompress(path: &Path, levels: Levels) -> std::io::Result<(usize, usize, usize)> {
    let data = std::fs::read(path)?;
    let mut sizes = (data.len(), data.len(), data.len());
    for (suffix, compressed) in [("br", brotli(&data, levels)?), ("gz", gzip(&data, levels)?)] {
        let mut target = path.as_os_str().to_owned();
        target.push(".");
        target.push(suffix);
        let target = PathBuf::from(target);
        if compressed.len() < data.len() {
            std::fs::write(&target, &compressed)?;
            if suffix == "br" {
                sizes.1 = compressed.len();
            } else {
                sizes.2 = compressed.len();
            }
        } else if target.exists() {
            std::fs::remove_file(&target)?;
        }
    }
    Ok(sizes)
}

fn main() -> ExitCode {
    let mut args: Vec<_> = std::env::args_os().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    args.retain(|a| a != "--quick");
    let levels = if quick { QUICK } else { BEST };
    let root = match args.first() {
        Some(root) => PathBuf::from(root),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("style/ sits in the workspace")
            .join("target/site"),
    };
    let started = Instant::now();
    let mut files = Vec::new();
    if let Err(error) = compressible_files(&root, &mut files) {
        eprintln!("precompress: cannot read {}: {error}", root.display());
        return ExitCode::FAILURE;
    }
    // Largest first, so that the big wasm modules do not end up last on one core.
    files.sort_by_key(|f| std::cmp::Reverse(f.metadata().map(|m| m.len()).unwrap_or(0)));
    let queue = Mutex::new(files.iter());
    let totals = Mutex::new((0usize, 0usize, 0usize));
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let Some(file) = queue.lock().expect("queue").next() else {
                    return;
                };
                match precompress(file, levels) {
                    Ok((raw, br, gz)) => {
                        let mut totals = totals.lock().expect("totals");
                        totals.0 += raw;
                        totals.1 += br;
                        totals.2 += gz;
                    }
                    Err(error) => failures
                        .lock()
                        .expect("failures")
                        .push(format!("{}: {error}", file.display())),
                }
            });
        }
    });
    let failures = failures.into_inner().expect("failures");
    if !failures.is_empty() {
        for failure in failures {
            eprintln!("precompress: {failure}");
        }
        return ExitCode::FAILURE;
    }
    let (raw, br, gz) = totals.into_inner().expect("totals");
    let kb = |bytes: usize| bytes / 1024;
    println!(
        "precompress: {} files in {}, {} KB -> {} KB brotli, {} KB gzip{}, in {:.1} s",
        files.len(),
        root.display(),
        kb(raw),
        kb(br),
        kb(gz),
        if quick { " (quick levels)" } else { "" },
        started.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}

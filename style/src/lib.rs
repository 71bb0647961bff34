//! Reading Rust sources for what their string literals say: the class names `gen-css` turns
//! into `style/main.css`, and the SQL the architecture test looks for.

use std::path::{Path, PathBuf};

/// Every file below `dir` that `keep` accepts, added to `found`.
pub fn files_below(
    dir: &Path,
    keep: &dyn Fn(&Path) -> bool,
    found: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files_below(&path, keep, found)?;
        } else if keep(&path) {
            found.push(path);
        }
    }
    Ok(())
}

/// Every `.rs` file below `dir`, added to `found`.
pub fn rust_sources(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    files_below(
        dir,
        &|path| path.extension().is_some_and(|e| e == "rs"),
        found,
    )
}

/// The contents of the string literals in Rust source, one entry each (escapes left as
/// written). Class names only ever live there, and leaving out comments and identifiers keeps
/// words like "block" in prose from adding CSS; the architecture test reads SQL from them.
pub fn string_literals(source: &str) -> Vec<String> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' => {
                // A char literal ('"', '\'') or a lifetime: skip past it without opening a string.
                if bytes.get(i + 1) == Some(&b'\\') {
                    i += 2;
                }
                i += 2;
                if bytes.get(i) == Some(&b'\'') {
                    i += 1;
                }
            }
            b'r' if (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
                && matches!(bytes.get(i + 1), Some(b'#') | Some(b'"')) =>
            {
                // A raw string: r"..." or r#"..."#, ended by a quote and as many hashes.
                let hashes = bytes[i + 1..].iter().take_while(|b| **b == b'#').count();
                let open = i + 1 + hashes;
                if bytes.get(open) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let closing: String = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                let start = open + 1;
                let end = source[start..]
                    .find(&closing)
                    .map_or(bytes.len(), |n| start + n);
                out.push(source[start..end].to_owned());
                i = end + closing.len();
            }
            b'"' => {
                i += 1;
                let start = i;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                out.push(source[start..i.min(bytes.len())].to_owned());
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::string_literals;

    #[test]
    fn keeps_literals_and_drops_comments_and_code() {
        let source = r##"
            // a block comment with hidden words
            let class = "flex rounded-full"; let c = '"'; let d = '\'';
            fn f<'a>(x: &'a str) -> &'a str { "bg-red-500 \"quoted\"" }
            let raw = r#"{"json": "p-4"}"#; let after = "text-sm";
        "##;
        let found = string_literals(source).join("\n");
        assert!(found.contains("flex rounded-full"));
        assert!(found.contains("bg-red-500"));
        assert!(!found.contains("block"));
        assert!(!found.contains("hidden"));
        assert!(!found.contains("str"));
        assert!(found.contains("p-4") && found.contains("text-sm"));
        assert!(!found.contains("raw"));
    }
}

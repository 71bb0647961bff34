//! The layers of `docs/ARCHITECTURE.md`, checked on the source itself: the domain crate stays
//! free of I/O, `app`'s modules call each other only downwards (so never in a circle), and SQL
//! is written in `app::db` only, each statement once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("app sits in the workspace")
        .to_owned()
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    style::rust_sources(dir, found).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
}

/// Crates whose presence means a database, the network, an async runtime, logging or the UI
/// framework: none may reach the domain. (Cargo.lock merges every platform and feature of the
/// workspace, so a crate the domain shares with the browser build, such as chrono, shows its
/// wasm bindings there; those are not listed.)
const NOT_IN_THE_DOMAIN: [&str; 14] = [
    "sqlx",
    "sqlx-core",
    "tokio",
    "mio",
    "socket2",
    "axum",
    "hyper",
    "tower",
    "reqwest",
    "leptos",
    "leptos_axum",
    "async-stripe",
    "lettre",
    "tracing",
];

/// What the domain may depend on directly: data formats, time zones, hashing, no I/O.
const DOMAIN_DEPENDENCIES: [&str; 13] = [
    "serde",
    "serde_json",
    "thiserror",
    "chrono",
    "chrono-tz",
    "hmac",
    "sha2",
    "subtle",
    "hex",
    "secrecy",
    "form_urlencoded",
    "percent-encoding",
    "ipnet",
];

/// Each package of `Cargo.lock` and the names of the packages it depends on (every version of
/// a name merged, every platform included: a superset of what any build links).
fn locked_packages() -> BTreeMap<String, BTreeSet<String>> {
    let lock = std::fs::read_to_string(workspace().join("Cargo.lock")).unwrap();
    let mut packages: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for block in lock.split("[[package]]").skip(1) {
        let name = block
            .lines()
            .find_map(|l| l.strip_prefix("name = "))
            .map(|n| n.trim_matches('"').to_owned())
            .expect("every locked package has a name");
        let deps = packages.entry(name).or_default();
        if let Some(list) = block.split("dependencies = [").nth(1) {
            for line in list.lines().take_while(|l| !l.starts_with(']')) {
                let entry = line.trim().trim_end_matches(',').trim_matches('"');
                if let Some(dep) = entry.split_whitespace().next() {
                    deps.insert(dep.to_owned());
                }
            }
        }
    }
    packages
}

/// The names under a `[section]` of a Cargo.toml.
fn manifest_section(manifest: &str, section: &str) -> BTreeSet<String> {
    let header = format!("[{section}]");
    manifest
        .split('\n')
        .skip_while(|l| l.trim() != header)
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with('['))
        .filter_map(|l| l.split_once('='))
        // `serde.workspace = true` names serde.
        .map(|(k, _)| k.split('.').next().unwrap_or(k).trim().to_owned())
        .filter(|k| !k.is_empty() && !k.starts_with('#'))
        .collect()
}

#[test]
fn the_domain_crate_has_no_io_dependency() {
    let manifest = std::fs::read_to_string(workspace().join("domain/Cargo.toml")).unwrap();
    let declared = manifest_section(&manifest, "dependencies");
    let unexpected: Vec<&String> = declared
        .iter()
        .filter(|name| !DOMAIN_DEPENDENCIES.contains(&name.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "the domain crate gained dependencies {unexpected:?}: it must stay pure (docs/ARCHITECTURE.md)"
    );

    // Everything the domain links, through Cargo.lock (its tests' dev-dependencies aside).
    let packages = locked_packages();
    let dev = manifest_section(&manifest, "dev-dependencies");
    let mut todo: Vec<String> = packages["domain"]
        .iter()
        .filter(|name| !dev.contains(*name))
        .cloned()
        .collect();
    assert!(
        todo.len() >= declared.len(),
        "Cargo.lock lists the domain's dependencies"
    );
    let mut reached = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if reached.insert(name.clone()) {
            todo.extend(packages.get(&name).into_iter().flatten().cloned());
        }
    }
    let io: Vec<&String> = reached
        .iter()
        .filter(|name| NOT_IN_THE_DOMAIN.contains(&name.as_str()) || name.starts_with("sqlx"))
        .collect();
    assert!(io.is_empty(), "the domain crate reaches {io:?}");
}

/// The top-level module of `app` a source file belongs to.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_owned()
}

/// The top-level modules a file names through `crate::` paths (in code, not in comments).
fn crate_references(source: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
            rest = after;
        }
    }
    found
}

/// Which top-level modules each layer may name. The UI (pages, admin, components, the form
/// error and the crate root) may name everything; it is never named from below.
fn allowed(module: &str) -> Option<&'static [&'static str]> {
    match module {
        "db" => Some(&["db"]),
        "settings" => Some(&["settings"]),
        "services" => Some(&["services", "db", "settings"]),
        "state" => Some(&["state", "db", "services", "settings"]),
        _ => None,
    }
}

const UI: [&str; 5] = ["pages", "admin", "components", "form_error", "lib"];

#[test]
fn app_modules_call_downwards_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut wrong = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        let source = std::fs::read_to_string(file).unwrap();
        let references = crate_references(&source);
        if let Some(allowed) = allowed(&module) {
            for reference in &references {
                if !allowed.contains(&reference.as_str()) {
                    wrong.push(format!(
                        "{} ({module}) names crate::{reference}",
                        file.display()
                    ));
                }
            }
        } else {
            assert!(
                UI.contains(&module.as_str()),
                "{}: module {module} has no place in the layers; add it to this test and to docs/ARCHITECTURE.md",
                file.display()
            );
        }
        graph
            .entry(module.clone())
            .or_default()
            .extend(references.into_iter().filter(|r| *r != module));
    }
    assert!(wrong.is_empty(), "calls upwards:\n{}", wrong.join("\n"));

    // No circle among the top-level modules (the crate root only assembles them).
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(node) {
            return;
        }
        if let Some(at) = path.iter().position(|n| n == node) {
            panic!("modules call each other in a circle: {:?}", &path[at..]);
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if next != "lib" {
                visit(next, graph, path, done);
            }
        }
        path.pop();
        done.insert(node.to_owned());
    }
    let mut done = BTreeSet::new();
    for node in graph.keys().filter(|n| *n != "lib") {
        visit(node, &graph, &mut Vec::new(), &mut done);
    }
}

/// Whether a string literal is (part of) an SQL statement: the project writes SQL keywords in
/// capitals, so a sentence such as "Select a session." is not one.
fn is_sql(literal: &str) -> bool {
    let text = literal.split_whitespace().collect::<Vec<_>>().join(" ");
    let starts = ["SELECT ", "INSERT INTO ", "DELETE FROM ", "UPDATE "]
        .iter()
        .any(|keyword| text.starts_with(keyword) || text.contains(&format!("({keyword}")));
    let body = [" FROM ", " SET ", " VALUES", " RETURNING "]
        .iter()
        .any(|keyword| text.contains(keyword));
    starts && body && !text.contains('{')
}

#[test]
fn sql_lives_in_the_db_module_only_and_each_statement_once() {
    let root = workspace();
    let db = root.join("app/src/db");
    let mut files = Vec::new();
    rust_files(&root.join("app/src"), &mut files);
    rust_files(&root.join("server/src"), &mut files);
    rust_files(&root.join("domain/src"), &mut files);
    let mut outside = Vec::new();
    let mut statements: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        let in_db = file.starts_with(&db);
        let code: String = source
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        if !in_db && (code.contains("sqlx::query") || code.contains("query_as(")) {
            outside.push(format!("{}: runs a query", file.display()));
        }
        for literal in style::string_literals(&source)
            .into_iter()
            .filter(|l| is_sql(l))
        {
            if in_db {
                let normalised = literal.split_whitespace().collect::<Vec<_>>().join(" ");
                statements
                    .entry(normalised)
                    .or_default()
                    .push(file.display().to_string());
            } else {
                outside.push(format!("{}: SQL text {literal:?}", file.display()));
            }
        }
    }
    assert!(
        outside.is_empty(),
        "SQL outside app::db:\n{}",
        outside.join("\n")
    );
    assert!(
        statements.len() > 20,
        "the scan finds the db module's statements ({} found)",
        statements.len()
    );
    let repeated: Vec<_> = statements.iter().filter(|(_, at)| at.len() > 1).collect();
    assert!(
        repeated.is_empty(),
        "statements written twice: {repeated:#?}"
    );
}

#[test]
fn the_checks_above_would_see_a_violation() {
    // The detectors themselves, on made-up sources: a check that cannot fail proves nothing.
    assert!(is_sql("SELECT id FROM bookings WHERE id = $1"));
    assert!(is_sql(
        "UPDATE bookings SET attendance_status = $1 WHERE id = $2"
    ));
    assert!(is_sql("INSERT INTO payment_logs (a) VALUES ($1)"));
    assert!(!is_sql("Select a session."));
    assert!(!is_sql("update the page"));
    let refs = crate_references(
        "use crate::db::Db; // crate::pages in a comment\nlet x = crate::services::x();",
    );
    assert_eq!(
        refs.into_iter().collect::<Vec<_>>(),
        vec!["db".to_owned(), "services".to_owned()]
    );
    assert_eq!(
        style::string_literals("let q = \"SELECT 1 FROM t\"; // \"not this\"\nlet c = '\"';"),
        vec!["SELECT 1 FROM t".to_owned()]
    );
    assert!(allowed("db").unwrap() == ["db"]);
    let manifest = "[package]\nname = \"x\"\n[dependencies]\nserde.workspace = true\ntokio = { version = \"1\" }\n[dev-dependencies]\nproptest = \"1\"\n";
    assert_eq!(
        manifest_section(manifest, "dependencies")
            .into_iter()
            .collect::<Vec<_>>(),
        vec!["serde".to_owned(), "tokio".to_owned()]
    );
    assert!(locked_packages()["app"].contains("domain"));
}

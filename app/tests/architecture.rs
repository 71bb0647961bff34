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

/// A source file of a crate: its path below the crate's `src`, and its text.
struct Source {
    path: PathBuf,
    text: String,
}

impl Source {
    fn new(path: &str, text: &str) -> Self {
        Self {
            path: PathBuf::from(path),
            text: text.to_owned(),
        }
    }

    /// The top-level module the file belongs to (`admin` for `admin/detail.rs`).
    fn module(&self) -> String {
        let first = self.path.components().next().unwrap().as_os_str();
        first.to_string_lossy().trim_end_matches(".rs").to_owned()
    }

    /// The file's unit inside its module: `detail` for `admin/detail.rs`, `payments` for
    /// `services/payments/batch.rs`, `mod` for `admin/mod.rs` (none for a crate-root file).
    fn unit(&self) -> Option<String> {
        let mut parts = self.path.components().skip(1);
        let unit = parts.next()?.as_os_str().to_string_lossy().into_owned();
        Some(unit.trim_end_matches(".rs").to_owned())
    }

    /// Whether the file sits directly in its module's folder (so `super::` is the module).
    fn directly_in_module(&self) -> bool {
        self.path.components().count() == 2
    }

    /// The lines of code, comments cut.
    fn code(&self) -> impl Iterator<Item = &str> {
        self.text
            .lines()
            .map(|line| line.split("//").next().unwrap_or(""))
    }

    /// The lines before the file's `#[cfg(test)]` module.
    fn lines_outside_tests(&self) -> usize {
        self.text
            .lines()
            .take_while(|line| !line.starts_with("#[cfg(test)]"))
            .count()
    }
}

fn sources(src: &Path) -> Vec<Source> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files
        .into_iter()
        .map(|file| Source {
            text: std::fs::read_to_string(&file).unwrap(),
            path: file.strip_prefix(src).unwrap().to_owned(),
        })
        .collect()
}

fn app_sources() -> Vec<Source> {
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

fn domain_sources() -> Vec<Source> {
    sources(&workspace().join("domain/src"))
}

/// The paths a line of code names after `prefix` (`crate::`, `super::`): each as its
/// segments, a `{a, b::c}` group giving one path per member.
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    fn ident(text: &str) -> String {
        text.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    }
    fn segments(mut rest: &str, mut path: Vec<String>, out: &mut Vec<Vec<String>>) {
        loop {
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 0;
                let mut start = 0;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            segments(group[start..i].trim(), path.clone(), out);
                            return;
                        }
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            segments(group[start..i].trim(), path.clone(), out);
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
                return;
            }
            let name = ident(rest);
            if name.is_empty() {
                break;
            }
            rest = &rest[name.len()..];
            path.push(name);
            match rest.strip_prefix("::") {
                Some(next) => rest = next,
                None => break,
            }
        }
        if !path.is_empty() {
            out.push(path);
        }
    }
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().last();
        let after = &rest[at + prefix.len()..];
        // `super::` inside `crate::x::super::` does not happen; a name ending in the prefix
        // (`mycrate::`) is not it.
        if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            segments(after, Vec::new(), &mut found);
        }
        rest = after;
    }
    found
}

/// The top-level modules a file names through `crate::` paths (in code, not in comments).
fn crate_references(source: &str) -> BTreeSet<String> {
    source
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .flat_map(|code| paths_after(code, "crate::"))
        .filter_map(|path| path.into_iter().next())
        .collect()
}

/// The units of its own module a file names: `super::x` (from a file directly in the module)
/// and `crate::<module>::x`.
fn sibling_references(file: &Source) -> BTreeSet<String> {
    let module = file.module();
    let own = file.unit();
    let mut found = BTreeSet::new();
    for code in file.code() {
        for path in paths_after(code, "crate::") {
            if path.first() == Some(&module) {
                if let Some(unit) = path.get(1) {
                    found.insert(unit.clone());
                }
            }
        }
        if file.directly_in_module() {
            for path in paths_after(code, "super::") {
                if let Some(unit) = path.first() {
                    found.insert(unit.clone());
                }
            }
        }
    }
    // Its own unit, `self` and the module root's own items (`super::f`, a function, not a
    // file) are not siblings.
    found.retain(|unit| Some(unit) != own.as_ref() && unit != "self");
    found
}

/// Which top-level modules of `app` each may name (itself always); `None` for a module the
/// layers do not know. The crate root (`lib`) assembles everything and names anything.
fn allowed(module: &str) -> Option<Vec<String>> {
    // Below what people see, above the use cases: the error of server functions, the
    // returned form, who a request comes from, and what a request handler reaches.
    const UI_SUPPORT: [&str; 8] = [
        "infra",
        "error",
        "form_return",
        "access",
        "state",
        "services",
        "db",
        "settings",
    ];
    let below: Vec<&str> = match module {
        "db" | "settings" | "form_return" => vec![],
        "services" => vec!["db", "settings"],
        // The rate limiter and the SMTP transport (which implements a service's trait).
        "infra" => vec!["services", "settings"],
        // The background loops, each running a use case.
        "jobs" => vec!["services", "db", "settings"],
        "state" => vec!["db", "services", "settings", "infra"],
        "error" => vec!["services"],
        "access" => vec!["error", "state", "services", "db", "settings"],
        // What people see: a component names no page; the parents' pages and the admin's
        // never name each other.
        "components" => UI_SUPPORT.to_vec(),
        "pages" | "admin" => [&["components"][..], &UI_SUPPORT[..]].concat(),
        _ => return None,
    };
    Some(
        std::iter::once(module)
            .chain(below)
            .map(str::to_owned)
            .collect(),
    )
}

/// Calls the layers forbid: a module naming one it may not, or a module unknown to the layers.
fn layer_violations(files: &[Source]) -> Vec<String> {
    let mut wrong = Vec::new();
    for file in files {
        let module = file.module();
        if module == "lib" {
            continue;
        }
        let Some(allowed) = allowed(&module) else {
            wrong.push(format!(
                "{}: module {module} has no place in the layers; add it to this test and to docs/ARCHITECTURE.md",
                file.path.display()
            ));
            continue;
        };
        for reference in crate_references(&file.text) {
            if !allowed.contains(&reference) {
                wrong.push(format!(
                    "{} ({module}) names crate::{reference}",
                    file.path.display()
                ));
            }
        }
    }
    wrong
}

/// Pages (parents' and admin's) that name another page: only `routes.rs` assembles them, and
/// what two pages share is a component or a service.
fn page_violations(files: &[Source]) -> Vec<String> {
    files
        .iter()
        .filter(|file| ["pages", "admin"].contains(&file.module().as_str()))
        .filter(|file| !matches!(file.unit().as_deref(), Some("routes" | "mod")))
        .flat_map(|file| {
            sibling_references(file).into_iter().map(|unit| {
                format!(
                    "{} names the page {}::{unit}: share it through crate::components or a service",
                    file.path.display(),
                    file.module()
                )
            })
        })
        .collect()
}

/// The first circle in a graph, if any.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if done.contains(node) {
            return None;
        }
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

/// Circles among the top-level modules of a crate (the root only assembles them), and among
/// the files of each module.
fn circle_violations(files: &[Source]) -> Vec<String> {
    let mut modules: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut units: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in files {
        let module = file.module();
        if module == "lib" {
            continue;
        }
        modules.entry(module.clone()).or_default().extend(
            crate_references(&file.text)
                .into_iter()
                .filter(|r| *r != module && r != "lib"),
        );
        if let Some(unit) = file.unit() {
            units
                .entry(module)
                .or_default()
                .entry(unit)
                .or_default()
                .extend(sibling_references(file));
        }
    }
    let mut wrong = Vec::new();
    if let Some(found) = circle(&modules) {
        wrong.push(format!("modules name each other in a circle: {found:?}"));
    }
    for (module, graph) in &units {
        if let Some(found) = circle(graph) {
            wrong.push(format!(
                "files of {module} name each other in a circle: {found:?}"
            ));
        }
    }
    wrong
}

/// The server functions of a file: (endpoint, function name).
fn server_functions(file: &Source) -> Vec<(String, String)> {
    let lines: Vec<&str> = file.code().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(at) = line.find("#[server(endpoint = \"") else {
            continue;
        };
        let endpoint = line[at + "#[server(endpoint = \"".len()..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_owned();
        let name = lines[i + 1..]
            .iter()
            .find_map(|l| l.split("async fn ").nth(1))
            .map(|rest| rest.split('(').next().unwrap_or_default().trim().to_owned())
            .unwrap_or_default();
        found.push((endpoint, name));
    }
    found
}

/// The names of every function of the use cases and the database.
fn service_and_db_functions(files: &[Source]) -> BTreeSet<String> {
    files
        .iter()
        .filter(|file| ["services", "db"].contains(&file.module().as_str()))
        .flat_map(|file| {
            file.code()
                .filter_map(|line| line.split("fn ").nth(1))
                .map(|rest| {
                    rest.chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// Server functions named so that a search finds them alone: no two alike, none named as a
/// use case or a query, the admin's (`admin/...` endpoints) `admin_...` and no other.
fn server_function_violations(files: &[Source]) -> Vec<String> {
    let taken = service_and_db_functions(files);
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut wrong = Vec::new();
    for file in files {
        for (endpoint, name) in server_functions(file) {
            let at = format!(
                "{}: server function {name} ({endpoint})",
                file.path.display()
            );
            if let Some(other) = seen.insert(name.clone(), at.clone()) {
                wrong.push(format!("{at} shares its name with {other}"));
            }
            if taken.contains(&name) {
                wrong.push(format!(
                    "{at} shares its name with a function of services or db"
                ));
            }
            if endpoint.starts_with("admin/") != name.starts_with("admin_") {
                wrong.push(format!(
                    "{at}: the admin's server functions, and only they, are named admin_..."
                ));
            }
        }
    }
    wrong
}

const MAX_LINES: usize = 500;

/// Files over `MAX_LINES` lines outside their tests.
fn size_violations(files: &[Source]) -> Vec<String> {
    files
        .iter()
        .filter(|file| file.lines_outside_tests() > MAX_LINES)
        .map(|file| {
            format!(
                "{}: {} lines outside its tests (at most {MAX_LINES}): split it by job",
                file.path.display(),
                file.lines_outside_tests()
            )
        })
        .collect()
}

/// A status compared with a string outside the database module: statuses are types
/// (`domain::status`), read through `TryFrom<String>`.
fn status_text_violations(files: &[Source]) -> Vec<String> {
    let patterns = [
        "status == \"",
        "status != \"",
        "status.as_str() {",
        "status.as_str() ==",
    ];
    files
        .iter()
        .filter(|file| file.module() != "db")
        .flat_map(|file| {
            file.code()
                .filter(|line| patterns.iter().any(|p| line.contains(p)))
                .map(|line| {
                    format!(
                        "{}: a status read as text: {}",
                        file.path.display(),
                        line.trim()
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn app_modules_call_downwards_only() {
    let files = app_sources();
    let wrong = layer_violations(&files);
    assert!(
        wrong.is_empty(),
        "calls the layers forbid:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn pages_never_name_another_page() {
    let wrong = page_violations(&app_sources());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_two_modules_or_files_name_each_other_in_a_circle() {
    let mut wrong = circle_violations(&app_sources());
    wrong.extend(
        circle_violations(&domain_sources())
            .into_iter()
            .map(|line| format!("the domain crate: {line}")),
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn server_functions_have_names_of_their_own() {
    let files = app_sources();
    assert!(
        files
            .iter()
            .map(server_functions)
            .map(|f| f.len())
            .sum::<usize>()
            > 30,
        "the scan finds the server functions"
    );
    let wrong = server_function_violations(&files);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_file_does_several_jobs() {
    let mut wrong = size_violations(&app_sources());
    wrong.extend(
        size_violations(&domain_sources())
            .into_iter()
            .map(|line| format!("domain/src/{line}")),
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn statuses_are_types_outside_the_database() {
    let wrong = status_text_violations(&app_sources());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
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
    assert_eq!(allowed("db").unwrap(), ["db"]);
    assert!(allowed("pages").unwrap().contains(&"components".to_owned()));
    assert!(!allowed("pages").unwrap().contains(&"admin".to_owned()));
    assert!(!allowed("components").unwrap().contains(&"pages".to_owned()));
    assert_eq!(
        paths_after("use super::{a::B, c, d::{e, f}}; x", "super::"),
        vec![
            vec!["a".to_owned(), "B".to_owned()],
            vec!["c".to_owned()],
            vec!["d".to_owned(), "e".to_owned()],
            vec!["d".to_owned(), "f".to_owned()],
        ]
    );
    assert!(paths_after("mycrate::x", "crate::").is_empty());
    let manifest = "[package]\nname = \"x\"\n[dependencies]\nserde.workspace = true\ntokio = { version = \"1\" }\n[dev-dependencies]\nproptest = \"1\"\n";
    assert_eq!(
        manifest_section(manifest, "dependencies")
            .into_iter()
            .collect::<Vec<_>>(),
        vec!["serde".to_owned(), "tokio".to_owned()]
    );
    assert!(locked_packages()["app"].contains("domain"));
}

/// Each rule above, on the real sources with one deliberate violation added: the rule names
/// it. (With the real sources alone, the tests above find nothing.)
#[test]
fn each_rule_names_a_deliberate_violation() {
    // The real sources, with `extra` files in place of (or beside) theirs.
    fn with(extra: Vec<Source>) -> Vec<Source> {
        let mut files = app_sources();
        files.retain(|f| !extra.iter().any(|e| e.path == f.path));
        files.extend(extra);
        files
    }
    fn names(found: Vec<String>, what: &str) {
        assert!(
            found.iter().any(|line| line.contains(what)),
            "expected a violation naming {what:?}, found {found:#?}"
        );
    }
    // A parents' page naming another page.
    names(
        page_violations(&with(vec![Source::new(
            "pages/find.rs",
            "use crate::pages::booking::booking_view;",
        )])),
        "pages/find.rs names the page pages::booking",
    );
    // An admin page naming another (through `super::`).
    names(
        page_violations(&with(vec![Source::new(
            "admin/emails.rs",
            "use super::detail::AdminBookingDetail;",
        )])),
        "admin/emails.rs names the page admin::detail",
    );
    // The admin naming a parents' page, and a parents' page naming the admin.
    names(
        layer_violations(&with(vec![Source::new(
            "admin/emails.rs",
            "use crate::pages::find::SENT;",
        )])),
        "admin/emails.rs (admin) names crate::pages",
    );
    names(
        layer_violations(&with(vec![Source::new(
            "pages/find.rs",
            "let x = crate::admin::layout::AdminLayout;",
        )])),
        "pages/find.rs (pages) names crate::admin",
    );
    // A component naming a page.
    names(
        layer_violations(&with(vec![Source::new(
            "components/tag.rs",
            "use crate::pages::booking::ParentBooking;",
        )])),
        "components/tag.rs (components) names crate::pages",
    );
    // A use case calling upwards.
    names(
        layer_violations(&with(vec![Source::new(
            "services/issues.rs",
            "use crate::state::AppState;",
        )])),
        "services/issues.rs (services) names crate::state",
    );
    // Two files of one module naming each other.
    names(
        circle_violations(&with(vec![
            Source::new("services/issues.rs", "use super::refunds::send;"),
            Source::new(
                "services/refunds.rs",
                "use crate::services::issues::resolve;",
            ),
        ])),
        "files of services name each other in a circle",
    );
    // Two modules naming each other.
    names(
        circle_violations(&with(vec![Source::new(
            "settings.rs",
            "use crate::services::issues;",
        )])),
        "modules name each other in a circle",
    );
    // A server function named as a use case, two alike, an admin's not named admin_.
    names(
        server_function_violations(&with(vec![Source::new(
            "pages/find.rs",
            "#[server(endpoint = \"bookings/cancel-again\")]\npub async fn cancel_by_parent() {}\n#[server(endpoint = \"find\")]\npub async fn booking_view() {}\n#[server(endpoint = \"admin/x\")]\npub async fn export() {}",
        )])),
        "server function cancel_by_parent (bookings/cancel-again) shares its name with a function of services or db",
    );
    names(
        server_function_violations(&with(vec![Source::new(
            "pages/find.rs",
            "#[server(endpoint = \"find\")]\npub async fn booking_view() {}",
        )])),
        "server function booking_view (find) shares its name with pages/booking.rs",
    );
    names(
        server_function_violations(&with(vec![Source::new(
            "pages/find.rs",
            "#[server(endpoint = \"admin/x\")]\npub async fn export() {}",
        )])),
        "are named admin_",
    );
    // A file doing several jobs (its tests do not count).
    let long = format!(
        "{}#[cfg(test)]\nmod tests {{\n{}}}\n",
        "let a = 1;\n".repeat(MAX_LINES + 1),
        "let b = 2;\n".repeat(1000)
    );
    names(
        size_violations(&with(vec![Source::new("pages/long.rs", &long)])),
        "pages/long.rs: 501 lines outside its tests",
    );
    let short_with_long_tests = format!(
        "{}#[cfg(test)]\nmod tests {{\n{}}}\n",
        "let a = 1;\n".repeat(MAX_LINES),
        "let b = 2;\n".repeat(1000)
    );
    assert!(size_violations(&[Source::new("pages/ok.rs", &short_with_long_tests)]).is_empty());
    // A status compared as text.
    names(
        status_text_violations(&with(vec![Source::new(
            "admin/emails.rs",
            "if m.status == \"failed\" {}",
        )])),
        "admin/emails.rs: a status read as text",
    );
    // Inside the database module, SQL's spellings are its own.
    assert!(
        status_text_violations(&[Source::new("db/outbox.rs", "if m.status == \"failed\" {}")])
            .is_empty()
    );
}

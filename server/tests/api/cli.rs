//! The `server` binary's command line: help for every command, `admin create` with its
//! password from the environment, and configuration warnings that reach the log.

use crate::support::*;
use std::process::{Command, Output};

fn server(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "info");
    for (k, v) in vars {
        command.env(k, v);
    }
    command.output().expect("run the server binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_command_documents_itself_and_help_succeeds() {
    for (args, says) in [
        (vec!["--help"], vec!["serve", "admin", "reconcile"]),
        (vec!["serve", "--help"], vec!["Serve the site"]),
        (vec!["reconcile", "--help"], vec!["--older-than <SECS>"]),
        (vec!["admin", "--help"], vec!["create"]),
        (
            vec!["admin", "create", "--help"],
            vec!["--email <EMAIL>", "ADMIN_PASSWORD"],
        ),
    ] {
        let out = server(&args, &[]);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        let help = text(&out.stdout);
        for words in says {
            assert!(
                help.contains(words),
                "{args:?} does not say {words:?}:\n{help}"
            );
        }
    }
    let wrong = server(&["reconcile", "--older-than", "soon"], &[]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(text(&wrong.stderr).contains("--older-than"));
    assert_eq!(server(&["frobnicate"], &[]).status.code(), Some(2));
}

#[tokio::test]
async fn admin_create_takes_its_password_from_the_environment() {
    let database = TestDatabase::create(Backend::Sqlite).await;
    // ADMIN_PASSWORD without ADMIN_EMAIL would stop `serve`; `admin create` reads neither as
    // the first admin's settings, only its own flag and the password.
    let out = server(
        &["admin", "create", "--email", "Coach@Example.com"],
        &[
            ("DATABASE_URL", &database.url),
            ("ADMIN_PASSWORD", "a-long-enough-password"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "admin Coach@Example.com is ready");
    let db = database.connect().await;
    let stored: (String, String) = sqlx::query_as("SELECT email, password_hash FROM admin_users")
        .fetch_one(db.reader())
        .await
        .unwrap();
    assert_eq!(stored.0, "coach@example.com");
    assert!(app::services::admins::verify_password(
        &stored.1,
        "a-long-enough-password"
    ));

    let short = server(
        &["admin", "create", "--email", "coach@example.com"],
        &[("DATABASE_URL", &database.url), ("ADMIN_PASSWORD", "short")],
    );
    assert_eq!(short.status.code(), Some(2));
    assert!(text(&short.stderr).contains("at least 10 characters"));
}

#[test]
fn a_bad_variable_stops_serve_with_one_line() {
    let out = server(&[], &[("STRIPE_WEBHOOK_SECRET", "whsec_good12345,oops")]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).trim(),
        "configuration error: STRIPE_WEBHOOK_SECRET: secret number 2 is not a webhook signing secret (whsec_...)"
    );
}

#[test]
fn a_site_reached_from_elsewhere_never_simulates_payments_unasked() {
    let out = server(&[], &[("PUBLIC_BASE_URL", "https://book.example.com")]);
    assert_eq!(out.status.code(), Some(2));
    let line = text(&out.stderr);
    assert!(
        line.starts_with("configuration error: PAYMENT_MODE: is required when the site is reached at https://book.example.com/"),
        "{line}"
    );
}

#[tokio::test]
async fn a_warning_found_while_reading_the_configuration_reaches_the_log() {
    let database = TestDatabase::create(Backend::Sqlite).await;
    let log = std::env::temp_dir().join(format!("booking_cli_{}.log", std::process::id()));
    let _ = std::fs::remove_file(&log);
    let server = ServerProcess::start(
        &[
            ("APP_ENV", "production"),
            ("PUBLIC_BASE_URL", "https://book.example.com"),
            ("DATABASE_URL", &database.url),
            ("STRIPE_SECRET_KEY", "sk_test_cli_suite_secret_value"),
            ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
            ("STRIPE_API_BASE", "http://127.0.0.1:9"),
            ("MAIL_DISABLED", "true"),
            (
                "FAMILY_DATA_KEY",
                "abababababababababababababababababababababababababababababababab",
            ),
        ],
        log.clone(),
    )
    .await;
    let written = server.log();
    assert!(
        written.contains("production is running with a Stripe test key"),
        "{written}"
    );
    assert!(!written.contains("sk_test_cli_suite_secret_value"));
    let _ = std::fs::remove_file(&log);
}

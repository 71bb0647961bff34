//! The `server` binary: `server` (serve, the default), `server admin create --email E`,
//! `server reconcile [--older-than SECS]`.

use server::{config::Config, telemetry, Application};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    // A missing .env is normal; the environment wins over it.
    let _ = dotenvy::dotenv();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);

    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None | Some("serve") => serve(config).await,
        Some("admin") if args.get(1).map(String::as_str) == Some("create") => {
            admin_create(config, &args[2..]).await
        }
        Some("reconcile") => reconcile(config, &args[1..]).await,
        Some(other) => {
            eprintln!("unknown command {other:?}; expected: serve | admin create --email EMAIL | reconcile");
            ExitCode::from(2)
        }
    }
}

async fn serve(config: Config) -> ExitCode {
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(error) => {
            eprintln!("cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(port = app.port(), "listening");
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("server stopped: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Creates an admin (or resets the password of an existing one). The password comes from
/// ADMIN_PASSWORD or, when that is unset, from the first line of standard input.
async fn admin_create(config: Config, args: &[String]) -> ExitCode {
    let email = match args {
        [flag, email] if flag == "--email" && email.contains('@') => email.trim().to_owned(),
        _ => {
            eprintln!("usage: server admin create --email EMAIL   (password from ADMIN_PASSWORD or stdin)");
            return ExitCode::from(2);
        }
    };
    let password = match std::env::var("ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            eprintln!("password (at least 10 characters), then Enter:");
            let mut line = String::new();
            if std::io::stdin().read_line(&mut line).is_err() {
                eprintln!("could not read the password");
                return ExitCode::from(2);
            }
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    if password.chars().count() < 10 {
        eprintln!("the password must be at least 10 characters");
        return ExitCode::from(2);
    }
    let db = match open_database(&config).await {
        Ok(db) => db,
        Err(code) => return code,
    };
    match app::auth::upsert_admin(&db, &email, &password).await {
        Ok(_) => {
            println!("admin {email} is ready");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("could not save the admin: {error}");
            ExitCode::FAILURE
        }
    }
}

/// One reconciliation pass against Stripe, then exit (for cron or by hand).
async fn reconcile(config: Config, args: &[String]) -> ExitCode {
    let older_than = match args {
        [] => config.reconcile_after,
        [flag, secs] if flag == "--older-than" => match secs.parse::<u64>() {
            Ok(secs) => std::time::Duration::from_secs(secs),
            Err(_) => {
                eprintln!("--older-than takes a number of seconds");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("usage: server reconcile [--older-than SECS]");
            return ExitCode::from(2);
        }
    };
    let Some(key) = config.stripe_secret_key.as_ref() else {
        eprintln!("payments are simulated (no STRIPE_SECRET_KEY): there is nothing to ask Stripe");
        return ExitCode::SUCCESS;
    };
    let gateway = match server::stripe_gateway::StripeGateway::new(
        key,
        &config.stripe_api_base,
        config.stripe_timeout,
    ) {
        Ok(gateway) => gateway,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let db = match open_database(&config).await {
        Ok(db) => db,
        Err(code) => return code,
    };
    let hub = app::live::LiveHub::new();
    let mut total = app::reconcile::Report::default();
    loop {
        match app::reconcile::reconcile_due(
            &db,
            &hub,
            &gateway,
            older_than.as_millis() as i64,
            server::reconcile::BATCH,
        )
        .await
        {
            Ok(report) => {
                total.checked += report.checked;
                total.applied += report.applied;
                total.failed += report.failed;
                // A full batch may mean more are due; a pass that applied nothing new stops.
                if (report.checked as i64) < server::reconcile::BATCH || report.applied == 0 {
                    break;
                }
            }
            Err(error) => {
                eprintln!("reconciliation failed: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!(
        "reconciled: {} checked, {} applied, {} failed",
        total.checked, total.applied, total.failed
    );
    if total.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The database of a one-shot command, migrated; a failure is reported on stderr.
async fn open_database(config: &Config) -> Result<app::db::Db, ExitCode> {
    let db = app::db::Db::connect(&config.database_url, &app::db::DbOptions::default())
        .await
        .map_err(|error| {
            eprintln!("cannot open the database: {error}");
            ExitCode::FAILURE
        })?;
    db.migrate().await.map_err(|error| {
        eprintln!("cannot migrate the database: {error}");
        ExitCode::FAILURE
    })?;
    Ok(db)
}

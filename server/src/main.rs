//! The `server` binary. `server --help` lists the commands; each command's `--help` its flags.

use clap::{Parser, Subcommand};
use server::config::{
    Config, ConfigError, DatabaseConfig, Environment, LogFormat, PaymentMode, ProcessEnv,
    ServerConfig, StripeConfig,
};
use server::{telemetry, Application};
use std::process::ExitCode;

/// Coaching-session bookings: parents book and pay through Stripe Checkout, admins run the
/// sessions. Configuration comes from the environment (and an optional .env file); see
/// .env.example for every variable.
#[derive(Debug, Parser)]
#[command(name = "server", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the site, the admin dashboard and the Stripe webhook (the default command).
    Serve,
    /// Manage admin accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Ask Stripe about checkout sessions whose webhook never came and apply what it says,
    /// then exit (for cron, or by hand). Needs DATABASE_URL and the Stripe settings.
    Reconcile {
        /// Only sessions started at least this many seconds ago [default: RECONCILE_AFTER_SECS, 600].
        #[arg(long, value_name = "SECS")]
        older_than: Option<u64>,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create an admin, or set the password of an existing one. Needs DATABASE_URL. The
    /// password (at least 10 characters) comes from ADMIN_PASSWORD when it is set, otherwise
    /// from the first line of standard input; never from the command line.
    Create {
        /// The admin's email address (their login).
        #[arg(long, value_name = "EMAIL")]
        email: String,
    },
}

/// Exit status for a refused configuration or command line (clap uses 2 for the latter too).
const USAGE: u8 = 2;

#[tokio::main]
async fn main() -> ExitCode {
    // A missing .env is normal; the environment wins over it.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    telemetry::init(LogFormat::from_source(&ProcessEnv).unwrap_or(LogFormat::Text));

    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve().await,
        Command::Admin {
            command: AdminCommand::Create { email },
        } => admin_create(email).await,
        Command::Reconcile { older_than } => reconcile(older_than).await,
    }
}

fn refused(error: ConfigError) -> ExitCode {
    eprintln!("configuration error: {error}");
    ExitCode::from(USAGE)
}

async fn serve() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => return refused(error),
    };
    for warning in &config.warnings {
        tracing::warn!("{warning}");
    }
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

/// Creates an admin (or resets the password of an existing one). Only the database settings
/// are read: the rest of the configuration (ADMIN_EMAIL among it) does not matter here.
async fn admin_create(email: String) -> ExitCode {
    let email = email.trim().to_owned();
    if !email.contains('@') {
        eprintln!("--email: {email:?} is not an email address");
        return ExitCode::from(USAGE);
    }
    let password = match std::env::var("ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
    {
        Some(password) => password,
        None => {
            eprintln!("password (at least 10 characters), then Enter:");
            let mut line = String::new();
            if std::io::stdin().read_line(&mut line).is_err() {
                eprintln!("could not read the password");
                return ExitCode::from(USAGE);
            }
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    if password.chars().count() < app::services::admins::MIN_PASSWORD_CHARS {
        eprintln!("the password must be at least 10 characters");
        return ExitCode::from(USAGE);
    }
    let db = match open_database().await {
        Ok(db) => db,
        Err(code) => return code,
    };
    match app::services::admins::upsert_admin(&db, &email, &password).await {
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

/// One reconciliation run against Stripe, then exit.
async fn reconcile(older_than: Option<u64>) -> ExitCode {
    let mut warnings = Vec::new();
    let stripe = match Environment::from_source(&ProcessEnv).and_then(|env| {
        let server = ServerConfig::from_source(&ProcessEnv, env)?;
        StripeConfig::from_source(&ProcessEnv, env, &server.public_base_url, &mut warnings)
    }) {
        Ok(stripe) => stripe,
        Err(error) => return refused(error),
    };
    for warning in &warnings {
        tracing::warn!("{warning}");
    }
    let older_than = older_than
        .map(std::time::Duration::from_secs)
        .unwrap_or(stripe.reconcile_after);
    let (PaymentMode::Stripe, Some(key)) = (stripe.mode, stripe.secret_key.as_ref()) else {
        eprintln!("payments are simulated (no STRIPE_SECRET_KEY): there is nothing to ask Stripe");
        return ExitCode::SUCCESS;
    };
    let gateway =
        match server::stripe_gateway::StripeGateway::new(key, &stripe.api_base, stripe.timeout) {
            Ok(gateway) => gateway,
            Err(error) => {
                eprintln!("{error}");
                return ExitCode::FAILURE;
            }
        };
    let db = match open_database().await {
        Ok(db) => db,
        Err(code) => return code,
    };
    let total =
        match app::services::reconcile::reconcile_all(&db, &gateway, older_than.as_millis() as i64)
            .await
        {
            Ok(total) => total,
            Err(error) => {
                eprintln!("reconciliation failed: {error}");
                return ExitCode::FAILURE;
            }
        };
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
async fn open_database() -> Result<app::db::Db, ExitCode> {
    let config = DatabaseConfig::from_source(&ProcessEnv).map_err(refused)?;
    let db = app::db::Db::connect(&config.url, &app::db::DbOptions::default())
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn commands_and_flags_parse() {
        let cli = Cli::try_parse_from(["server", "reconcile", "--older-than", "30"]).unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::Reconcile {
                older_than: Some(30)
            })
        ));
        assert!(Cli::try_parse_from(["server"]).unwrap().command.is_none());
        let create =
            Cli::try_parse_from(["server", "admin", "create", "--email", "a@example.com"]).unwrap();
        assert!(matches!(
            create.command,
            Some(Command::Admin {
                command: AdminCommand::Create { .. }
            })
        ));
        assert!(Cli::try_parse_from(["server", "reconcile", "--older-than", "soon"]).is_err());
        assert!(Cli::try_parse_from(["server", "frobnicate"]).is_err());
    }
}

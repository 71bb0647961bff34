//! The `server` binary: `server` (serve, the default), `server admin create`, `server reconcile`.

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
        Some(other) => {
            eprintln!("unknown command {other:?}; expected: serve");
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

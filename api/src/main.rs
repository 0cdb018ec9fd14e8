//! `minhu`: the server binary. Subcommands: `serve` (default), `migrate`, `openapi`.

use std::process::ExitCode;
use std::time::Instant;

use minhu::config::{Config, LogFormat};

const USAGE: &str = "\
minhu — 民呼必应 petition platform

usage: minhu [COMMAND]

commands:
  serve      run the server (default)
  migrate    apply pending database migrations and exit
  openapi    print the OpenAPI document

configuration is read from the environment; see README.md (DATABASE_URL, MINHU_BIND, …).";

fn main() -> ExitCode {
    let started = Instant::now();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().map(String::as_str).unwrap_or("serve");
    if args.len() > 1 {
        eprintln!("minhu: unexpected argument {:?}\n\n{USAGE}", args[1]);
        return ExitCode::from(2);
    }
    match command {
        "openapi" => {
            print!("{}", minhu::http::openapi::document_json());
            ExitCode::SUCCESS
        }
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        "serve" | "migrate" => {
            let config = match Config::from_env() {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("minhu: configuration error: {e}");
                    return ExitCode::from(2);
                }
            };
            init_logging(config.log_format);
            let result = if command == "migrate" {
                minhu::server::open_database(&config).map(|_| ())
            } else {
                actix_web::rt::System::new().block_on(minhu::server::serve(config, started))
            };
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    tracing::error!("{e}");
                    eprintln!("minhu: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        other => {
            eprintln!("minhu: unknown command {other:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.init(),
    }
}

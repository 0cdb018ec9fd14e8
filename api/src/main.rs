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
  seed-demo  add the demo city (units, accounts, a few hundred petitions) to an empty database
  seed-bulk --petitions N
             add N petitions of realistic history (for benchmarks)
  rebuild-figures [--check]
             recompute the figures behind rankings, statistics and briefings from the
             petitions and compare every kept table; replace them, or with --check write
             nothing and exit 1 when any row differs
  run-jobs   run the background jobs once now (auto-close, overdue marks)
  reindex    rebuild the index of open petitions that repeat suggestions search, and the
             masked text that searches match

configuration is read from the environment; see README.md (DATABASE_URL, MINHU_BIND, …).";

fn main() -> ExitCode {
    let started = Instant::now();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().map(String::as_str).unwrap_or("serve");
    if command == "seed-bulk" {
        let n = match (
            args.get(1).map(String::as_str),
            args.get(2).and_then(|n| n.parse::<usize>().ok()),
        ) {
            (Some("--petitions"), Some(n)) if args.len() == 3 => n,
            _ => {
                eprintln!("minhu: usage: minhu seed-bulk --petitions N");
                return ExitCode::from(2);
            }
        };
        return seed(n, false);
    }
    if command == "rebuild-figures" && args.len() == 2 && args[1] == "--check" {
        return rebuild_figures(true);
    }
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
            let Some(config) = load_config() else {
                return ExitCode::from(2);
            };
            let result = if command == "migrate" {
                minhu::server::open_database_for_command(&config).map(|_| ())
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
        "seed-demo" => seed(300, true),
        "rebuild-figures" => rebuild_figures(false),
        "run-jobs" => run_jobs(),
        "reindex" => reindex(),
        other => {
            eprintln!("minhu: unknown command {other:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// `seed-demo` (only into a database without petitions) and `seed-bulk`.
fn seed(petitions: usize, demo: bool) -> ExitCode {
    with_database(|conn| {
        if demo && !minhu::seed::is_empty(conn)? {
            println!("数据库中已有诉求，未添加演示数据。");
            return Ok(());
        }
        let started = Instant::now();
        let creds = minhu::seed::seed(conn, petitions, 90)?;
        println!(
            "已添加 {petitions} 条诉求（{:.1} 秒）。",
            started.elapsed().as_secs_f64()
        );
        if !creds.0.is_empty() {
            println!("演示账号（密码只显示这一次）：");
            for (username, role, display, password) in &creds.0 {
                println!(
                    "  {username:<14} {password:<18} {}（{display}）",
                    role.label()
                );
            }
        }
        Ok(())
    })
}

/// `rebuild-figures [--check]`: recompute the kept figures from the petitions and compare every
/// kept table; replace them, or (`--check`) write nothing and fail when any row differs.
fn rebuild_figures(check: bool) -> ExitCode {
    let mut differed = false;
    let code = with_database(|conn| {
        let started = Instant::now();
        let r = minhu::db::figures::rebuild(conn, !check).map_err(|e| e.to_string())?;
        for (table, n) in &r.tables {
            println!("  {table}: {n} 行不同");
        }
        println!(
            "{}：{} 条诉求，保存的统计数据共 {} 行与按诉求重算的结果不同（{:.1} 秒）。",
            if check {
                "核对完成（未写入）"
            } else {
                "重建完成"
            },
            r.petitions,
            r.differences(),
            started.elapsed().as_secs_f64()
        );
        differed = r.differences() > 0;
        Ok(())
    });
    if check && differed {
        ExitCode::FAILURE
    } else {
        code
    }
}

/// `run-jobs`: one pass of the background jobs now (auto-close, overdue marks).
fn run_jobs() -> ExitCode {
    with_database_and_config(|conn, config| {
        let now = minhu::db::now();
        match minhu::jobs::run(conn, now, config.auto_close_days).map_err(|e| e.to_string())? {
            Some(r) => println!(
                "后台任务已运行：自动办结 {} 件，标记超期 {} 件。",
                r.auto_closed, r.marked_overdue
            ),
            None => println!("另一个进程正在运行后台任务，本次未运行。"),
        }
        Ok(())
    })
}

fn reindex() -> ExitCode {
    with_database(|conn| {
        let started = Instant::now();
        let n = minhu::db::duplicates::rebuild(conn, |done| {
            if done % 100_000 == 0 {
                eprintln!("已索引 {done} 条……");
            }
        })
        .map_err(|e| e.to_string())?;
        // The masked search text too, in case the masking rules changed since it was written.
        minhu::db::petitions::clear_search_text(conn).map_err(|e| e.to_string())?;
        let masked = minhu::db::petitions::fill_search_text(conn).map_err(|e| e.to_string())?;
        println!(
            "重建完成：已为 {n} 条未办结诉求建立重复诉求索引，为 {masked} 条诉求重算脱敏检索文本（{:.1} 秒）。",
            started.elapsed().as_secs_f64()
        );
        Ok(())
    })
}

/// Runs `f` on a migrated database from the configuration; reports its error and exits.
fn with_database(f: impl FnOnce(&mut minhu::db::DbConn) -> Result<(), String>) -> ExitCode {
    with_database_and_config(|conn, _| f(conn))
}

/// `with_database`, for commands that read the configuration too.
fn with_database_and_config(
    f: impl FnOnce(&mut minhu::db::DbConn, &Config) -> Result<(), String>,
) -> ExitCode {
    let Some(config) = load_config() else {
        return ExitCode::from(2);
    };
    let result = minhu::server::open_database_for_command(&config).and_then(|pool| {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        f(&mut conn, &config)
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("minhu: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The configuration from the environment, with logging set up; `None` after saying what is
/// wrong.
fn load_config() -> Option<Config> {
    match Config::from_env() {
        Ok(config) => {
            init_logging(config.log_format);
            Some(config)
        }
        Err(e) => {
            eprintln!("minhu: configuration error: {e}");
            None
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

//! Start-up: connect, migrate, create the bootstrap administrator, serve.

use std::time::Instant;

use actix_web::{web, HttpServer};
use minhu_types::Role;

use crate::auth::{hash_password, TokenKeys};
use crate::config::Config;
use crate::db::{self, users::NewUserRow, DbConn, Pool};
use crate::domain::accounts::{normalize_username, validate_password};
use crate::http::{app, AppState};

/// Opens the pool and applies pending migrations.
pub fn open_database(config: &Config) -> Result<Pool, String> {
    migrated(db::connect(&config.database_url, config.db_pool_size)?)
}

/// `open_database` for a command that runs and exits: its pool connects only when asked
/// (`db::connect_for_command`).
pub fn open_database_for_command(config: &Config) -> Result<Pool, String> {
    migrated(db::connect_for_command(&config.database_url)?)
}

/// The pool, once the database is migrated (and what a migration asked for computed).
fn migrated(pool: Pool) -> Result<Pool, String> {
    let mut conn = pool.get().map_err(|e| format!("DATABASE_URL: {e}"))?;
    let applied = db::migrate(&mut conn)?;
    for name in &applied {
        tracing::info!(migration = %name, "applied migration");
    }
    // The masked search text came with this migration: compute it for the petitions before it
    // (new ones get it with their text; `minhu reindex` recomputes all of it). Only then, not
    // on every start: finding rows without it scans all of history.
    if applied.iter().any(|m| m.contains("sessions_and_audit")) {
        let n = db::petitions::fill_search_text(&mut conn)
            .map_err(|e| format!("computing the masked search text: {e}"))?;
        tracing::info!(petitions = n, "computed the masked search text");
    }
    // The index of likely repeats came with this migration: fill it from the open petitions.
    if applied.iter().any(|m| m.contains("duplicates_and_photos")) {
        let n = db::duplicates::rebuild(&mut conn, |_| {})
            .map_err(|e| format!("building the index of open petitions: {e}"))?;
        tracing::info!(
            petitions = n,
            "indexed the open petitions for repeat suggestions"
        );
    }
    Ok(pool)
}

/// Creates the administrator named by `MINHU_ADMIN_USERNAME` unless an administrator exists.
/// Returns the username when it created one.
pub fn bootstrap_admin(
    conn: &mut DbConn,
    username: &str,
    password: &str,
) -> Result<Option<String>, String> {
    if db::users::any_admin(conn).map_err(|e| e.to_string())? {
        return Ok(None);
    }
    let username = normalize_username(username);
    if let Err(errors) = validate_password("MINHU_ADMIN_PASSWORD", password) {
        return Err(errors
            .into_iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; "));
    }
    if db::users::find_by_username(conn, &username)
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Err(format!("MINHU_ADMIN_USERNAME: {username} is already taken by an account that is not an administrator"));
    }
    let hash = hash_password(password)?;
    let now = db::now();
    db::users::insert(
        conn,
        &NewUserRow {
            username: &username,
            password_hash: &hash,
            display_name: "管理员",
            phone: None,
            role: Role::Admin.as_str(),
            unit_id: None,
            active: true,
            created_at: now,
            updated_at: now,
        },
    )
    .map_err(|e| format!("MINHU_ADMIN_USERNAME: cannot create {username}: {e}"))?;
    Ok(Some(username))
}

/// Everything `serve` does before it listens; shared with the tests.
pub fn build_state(config: &Config) -> Result<AppState, String> {
    let pool = open_database(config)?;
    if let Some((user, password)) = &config.admin {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        if let Some(created) = bootstrap_admin(&mut conn, user, password)? {
            tracing::info!(username = %created, "created the administrator account");
        }
    }
    if config.admin.is_none() {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        if !db::users::any_admin(&mut conn).map_err(|e| e.to_string())? {
            tracing::warn!("no administrator exists: set MINHU_ADMIN_USERNAME and MINHU_ADMIN_PASSWORD to create one");
        }
    }
    let keys = TokenKeys::new(&config.jwt_secret, config.token_ttl);
    let photos = crate::photos::PhotoStore::open(&config.photo_storage)?;
    tracing::info!(store = ?photos, "photos are kept in the photo store");
    let mut state = AppState::new(pool, keys, config.web_dir.clone(), photos);
    state.partner_limit = crate::http::rate_limit::RateLimit::new(config.partner_rate_limit);
    state.cors_origins = config.cors_origins.clone();
    state.metrics_token = config.metrics_token.clone();
    state.track_limit = crate::http::rate_limit::RateLimit::new(config.track_rate_limit);
    state.recent_public =
        crate::http::cache::Recent::new(config.public_cache_ms, crate::http::cache::MAX_PAGES);
    state.recent_tracking = crate::http::cache::Recent::new(
        config.public_cache_ms,
        crate::http::cache::MAX_TRACKING_PAGES,
    );
    state.admissions = crate::http::admission::Admissions::new(
        config.admission_cache_ms,
        crate::http::admission::MAX_KEPT,
    );
    state.webhook_reach = config.webhook_reach;
    state.channels = config.channels.clone();
    state.shared_limits = matches!(config.database_url, crate::config::DatabaseUrl::Postgres(_));
    state.replica = config.replica.as_ref().map(|url| {
        std::sync::Arc::new(crate::db::replica::Replica::new(
            db::connect_replica(url, config.db_pool_size),
            config.replica_max_lag,
        ))
    });
    Ok(state)
}

pub async fn serve(mut config: Config, started: Instant) -> Result<(), String> {
    config.ensure_jwt_secret()?;
    if !config.web_dir.join("index.html").is_file() {
        tracing::warn!(dir = %config.web_dir.display(), "the web app is not built: only the API is served");
    }
    let state = web::Data::new(build_state(&config)?);
    if let Some(interval) = config.job_interval {
        crate::jobs::spawn(
            state.pool.clone(),
            state.clock.clone(),
            interval,
            config.auto_close_days,
        );
    }
    // Webhooks go out whatever the job interval: partners wait for them.
    crate::webhooks::spawn(
        state.pool.clone(),
        state.clock.clone(),
        state.webhook_reach,
        std::time::Duration::from_secs(2),
    );
    crate::notifications::spawn(
        state.pool.clone(),
        state.clock.clone(),
        state.channels.clone(),
        std::time::Duration::from_secs(2),
    );
    if let Some(replica) = &state.replica {
        crate::db::replica::spawn(std::sync::Arc::clone(replica));
    }
    let server = HttpServer::new(move || app(state.clone()))
        .bind(config.bind)
        .map_err(|e| format!("MINHU_BIND: cannot listen on {}: {e}", config.bind))?
        .shutdown_timeout(10)
        .run();
    tracing::info!(
        address = %format!("http://{}", config.bind),
        database = config.database_url.backend_name(),
        startup_ms = started.elapsed().as_millis() as u64,
        "minhu is ready"
    );
    server.await.map_err(|e| format!("server: {e}"))
}

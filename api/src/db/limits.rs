//! Limits every replica shares, in PostgreSQL: failed sign-ins over a sliding window (one row
//! each, `limit_hits`) and partners' requests as token buckets (one row each, `rate_buckets`).
//! The rules are those of the in-memory limits the embedded default keeps
//! (`http::throttle`, `http::rate_limit`); `tests/integration/operations.rs` holds both to the
//! same answers.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Double, Text, Timestamp};

use super::schema::limit_hits;
use super::DbConn;

/// Checks and counts one attempt for `key` at once, under a lock on the key: `Ok(row)` to take
/// back if it succeeds, or `Err(seconds to wait)` when `limit` attempts were counted within
/// `window` (and then nothing is counted).
pub fn attempt(
    conn: &mut DbConn,
    scope: &str,
    key: &str,
    limit: i64,
    window: chrono::Duration,
    now: NaiveDateTime,
) -> QueryResult<Result<i64, u64>> {
    conn.transaction(|conn| {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind::<Text, _>(format!("{scope}:{key}"))
            .execute(conn)?;
        let (n, oldest): (i64, Option<NaiveDateTime>) = limit_hits::table
            .filter(limit_hits::scope.eq(scope))
            .filter(limit_hits::key.eq(key))
            .filter(limit_hits::at.gt(now - window))
            .select((diesel::dsl::count_star(), diesel::dsl::min(limit_hits::at)))
            .first(conn)?;
        if n >= limit {
            let since = now - oldest.unwrap_or(now);
            let left = (window - since).num_seconds().max(0) as u64;
            return Ok(Err(left + 1));
        }
        let id = diesel::insert_into(limit_hits::table)
            .values((
                limit_hits::scope.eq(scope),
                limit_hits::key.eq(key),
                limit_hits::at.eq(now),
            ))
            .returning(limit_hits::id)
            .get_result(conn)?;
        Ok(Ok(id))
    })
}

/// Takes back one counted attempt (it succeeded).
pub fn forgive(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::delete(limit_hits::table.find(id)).execute(conn)?;
    Ok(())
}

/// Forgets every attempt counted for `key` (it signed in).
pub fn clear(conn: &mut DbConn, scope: &str, key: &str) -> QueryResult<()> {
    diesel::delete(
        limit_hits::table
            .filter(limit_hits::scope.eq(scope))
            .filter(limit_hits::key.eq(key)),
    )
    .execute(conn)?;
    Ok(())
}

/// Drops attempts older than `before` (the jobs' housekeeping).
pub fn sweep(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(limit_hits::table.filter(limit_hits::at.lt(before))).execute(conn)
}

#[derive(QueryableByName)]
struct Taken {
    #[diesel(sql_type = Double)]
    tokens: f64,
    #[diesel(sql_type = Bool)]
    allowed: bool,
}

/// One request from `key`'s bucket of `per_minute` (full at first, refilled continuously), in
/// one statement: `Err(seconds until the next one)` when it is empty (and then nothing is
/// taken). The bucket's row is locked only for that statement.
pub fn take(
    conn: &mut DbConn,
    scope: &str,
    key: &str,
    per_minute: u32,
    now: NaiveDateTime,
) -> QueryResult<Result<(), u64>> {
    let capacity = f64::from(per_minute);
    let per_second = capacity / 60.0;
    let t: Taken = diesel::sql_query(
        "INSERT INTO rate_buckets AS b (scope, key, tokens, at, allowed) \
         VALUES ($1, $2, $3 - 1, $4, TRUE) \
         ON CONFLICT (scope, key) DO UPDATE SET \
           tokens = LEAST($3, b.tokens + GREATEST(EXTRACT(EPOCH FROM ($4 - b.at))::float8, 0) * $5) \
             - CASE WHEN LEAST($3, b.tokens + GREATEST(EXTRACT(EPOCH FROM ($4 - b.at))::float8, 0) * $5) >= 1 \
               THEN 1 ELSE 0 END, \
           at = GREATEST(b.at, $4), \
           allowed = LEAST($3, b.tokens + GREATEST(EXTRACT(EPOCH FROM ($4 - b.at))::float8, 0) * $5) >= 1 \
         RETURNING tokens, allowed",
    )
    .bind::<Text, _>(scope)
    .bind::<Text, _>(key)
    .bind::<Double, _>(capacity)
    .bind::<Timestamp, _>(now)
    .bind::<Double, _>(per_second)
    .get_result(conn)?;
    Ok(if t.allowed {
        Ok(())
    } else {
        Err((((1.0 - t.tokens) / per_second).ceil() as u64).max(1))
    })
}

//! Background work: close replied petitions nobody rated within the rating period (no valid
//! visit), and mark orders overdue as their deadlines pass. Each run is one transaction that
//! only one process can hold — a PostgreSQL advisory lock (several replicas share the work
//! safely), or SQLite's write lock — and every step checks the row is still as it found it, so
//! runs are idempotent.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use minhu_types::{Action, PetitionStatus, Role};

use crate::db::petitions::PetitionChanges;
use crate::db::schema::{assignments, petitions, replies, users};
use crate::db::transaction;
use crate::db::{self, DbConn};
use crate::domain::lifecycle;
use crate::error::AppResult;
use crate::workflow::{act, record, Actor, Effect, Target};

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    pub auto_closed: usize,
    pub marked_overdue: usize,
    pub reminded_yellow: usize,
}

/// How many rows one run handles at most; the next run takes the rest.
const BATCH: i64 = 1_000;

/// One run at `now`. `None` when another process is running the jobs.
pub fn run(
    conn: &mut DbConn,
    now: NaiveDateTime,
    close_after_days: i64,
) -> AppResult<Option<Report>> {
    transaction(conn, |conn| {
        let got_lock = match conn {
            DbConn::Pg(pg) => diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
                "pg_try_advisory_xact_lock(7263002)",
            ))
            .get_result::<bool>(pg)?,
            // The first statement writes: the transaction holds SQLite's write lock from here.
            DbConn::Sqlite(lite) => {
                diesel::update(users::table.filter(users::username.eq("system")))
                    .set(users::updated_at.eq(users::updated_at))
                    .execute(lite)?;
                true
            }
        };
        if !got_lock {
            return Ok(None);
        }
        let system = db::users::system_id(conn)?;
        let actor = Actor {
            caller: crate::auth::Caller {
                user_id: system,
                role: Role::System,
                unit_id: None,
                unit_path: None,
            },
            now,
        };
        let mut report = Report::default();
        // The figure tables are partitioned by month on PostgreSQL: the year to come's
        // partitions exist before any figure of theirs is written (a lookup when they do).
        if let DbConn::Pg(pg) = conn {
            diesel::sql_query("SELECT minhu_keep_partitions(12)").execute(pg)?;
        }
        // Failed sign-ins counted for the replicas together are needed for a minute at most.
        db::limits::sweep(conn, now - Duration::hours(1))?;

        // Replied, and the latest reply older than the rating period: close without a visit.
        let cutoff = now - Duration::days(close_after_days);
        let due: Vec<db::petitions::PetitionRow> = petitions::table
            .filter(petitions::status.eq(PetitionStatus::Replied.as_str()))
            .filter(diesel::dsl::not(diesel::dsl::exists(
                replies::table
                    .filter(replies::petition_id.eq(petitions::id))
                    .filter(replies::created_at.gt(cutoff)),
            )))
            .order(petitions::id.asc())
            .limit(BATCH)
            .select(db::petitions::PetitionRow::as_select())
            .load(conn)?;
        for p in due {
            // Through the one path every change of a petition takes: the lifecycle table, the
            // event, the figures, the webhook outbox and the repeat index, all in a savepoint;
            // a petition changed meanwhile (rated, say) is left as it is.
            let note = format!("答复后 {close_after_days} 天内未评价，自动办结（无有效回访）");
            let closed = act(
                conn,
                &actor,
                p.id,
                Some(p.version),
                Action::AutoClose,
                Target::Petition,
                |_, ctx| {
                    Ok(Effect {
                        petition: PetitionChanges {
                            closed_at: Some(Some(ctx.now)),
                            auto_closed: Some(true),
                            ..Default::default()
                        },
                        note: Some(note),
                        ..Effect::default()
                    })
                },
            );
            match closed {
                Ok(_) => report.auto_closed += 1,
                Err(e) if e.status.as_u16() == 409 => {}
                Err(e) => return Err(e),
            }
        }

        // Open assignments past their reply deadline, not yet marked.
        let overdue: Vec<(i64, i64)> = assignments::table
            .filter(assignments::state.eq_any(lifecycle::names(lifecycle::LIVE_ORDERS)))
            .filter(assignments::reply_by.lt(now))
            .filter(assignments::overdue_at.is_null())
            .order(assignments::id.asc())
            .limit(BATCH)
            .select((assignments::id, assignments::petition_id))
            .load(conn)?;
        // Their events counted together, once the batch is marked.
        db::figures::counted(conn, |conn, tally| {
            for (aid, pid) in overdue {
                let n = diesel::update(
                    assignments::table
                        .find(aid)
                        .filter(assignments::overdue_at.is_null()),
                )
                .set(assignments::overdue_at.eq(Some(now)))
                .execute(conn)?;
                if n == 1 {
                    record(
                        conn,
                        &actor,
                        pid,
                        None,
                        Action::Overdue,
                        None,
                        None,
                        Some(aid),
                        Some("已超过答复期限"),
                        now,
                        tally,
                    )?;
                    report.marked_overdue += 1;
                }
            }
            AppResult::Ok(())
        })?;
        // Orders whose light turned yellow: their handlers are reminded, once.
        report.reminded_yellow = crate::notifications::remind_yellow(conn, now, BATCH)?;
        // Revocations of tokens that have expired anyway are no longer needed.
        db::users::prune_revoked_tokens(conn, now)?;
        Ok(Some(report))
    })
}

/// Runs the jobs every `interval` inside the server, at the state's clock.
pub fn spawn(
    pool: db::Pool,
    clock: crate::clock::Clock,
    interval: std::time::Duration,
    close_after_days: i64,
) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(interval);
        loop {
            tick.tick().await;
            let now = clock.now();
            let result = db::run(&pool, move |conn| run(conn, now, close_after_days)).await;
            match result {
                Ok(Some(r)) if r != Report::default() => {
                    tracing::info!(
                        auto_closed = r.auto_closed,
                        marked_overdue = r.marked_overdue,
                        reminded_yellow = r.reminded_yellow,
                        "jobs ran"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "jobs failed"),
            }
        }
    });
}

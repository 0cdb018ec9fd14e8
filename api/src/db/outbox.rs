//! The queries of an outbox table (webhook deliveries, notification deliveries): rows written
//! in the transaction of the change they report, taken one attempt at a time under a lease so
//! that several replicas share the work, and retried with backoff. Both tables have the columns
//! `id, status ('pending', 'delivered', 'failed'), attempts, next_attempt_at, last_status,
//! last_error, delivered_at`; one macro gives both the same rules.

/// Defines `due`, `claim` and `record_attempt` over the outbox table `$t` (a `schema` module).
macro_rules! outbox_queries {
    ($t:ident) => {
        /// Deliveries due at `now`, oldest first.
        pub fn due(
            conn: &mut $crate::db::DbConn,
            now: chrono::NaiveDateTime,
            limit: i64,
        ) -> diesel::QueryResult<Vec<i64>> {
            $t::table
                .filter($t::status.eq("pending"))
                .filter($t::next_attempt_at.le(now))
                .order($t::id.asc())
                .limit(limit)
                .select($t::id)
                .load(conn)
        }

        /// Takes a due delivery for one attempt: pushes its next attempt to `lease_until`, so
        /// another server (or this one after a crash) retries it only when the lease runs out.
        /// False when someone else took it first.
        pub fn claim(
            conn: &mut $crate::db::DbConn,
            id: i64,
            now: chrono::NaiveDateTime,
            lease_until: chrono::NaiveDateTime,
        ) -> diesel::QueryResult<bool> {
            let n = diesel::update(
                $t::table
                    .filter($t::id.eq(id))
                    .filter($t::status.eq("pending"))
                    .filter($t::next_attempt_at.le(now)),
            )
            .set($t::next_attempt_at.eq(lease_until))
            .execute(conn)?;
            Ok(n == 1)
        }

        /// Records an attempt: delivered, to be retried at `retry_at`, or given up (`retry_at`
        /// None). Only while the attempt's lease holds: a late answer neither overwrites what
        /// another server recorded since nor brings back a delivery dropped meanwhile.
        pub fn record_attempt(
            conn: &mut $crate::db::DbConn,
            id: i64,
            lease_until: chrono::NaiveDateTime,
            outcome: Result<i64, (Option<i64>, String)>,
            retry_at: Option<chrono::NaiveDateTime>,
            now: chrono::NaiveDateTime,
        ) -> diesel::QueryResult<usize> {
            let target = $t::table
                .filter($t::id.eq(id))
                .filter($t::status.eq("pending"))
                .filter($t::next_attempt_at.eq(lease_until));
            match outcome {
                Ok(code) => diesel::update(target)
                    .set((
                        $t::status.eq("delivered"),
                        $t::attempts.eq($t::attempts + 1),
                        $t::last_status.eq(Some(code)),
                        $t::last_error.eq(None::<String>),
                        $t::delivered_at.eq(Some(now)),
                    ))
                    .execute(conn),
                Err((code, error)) => diesel::update(target)
                    .set((
                        $t::status.eq(if retry_at.is_some() {
                            "pending"
                        } else {
                            "failed"
                        }),
                        $t::attempts.eq($t::attempts + 1),
                        $t::last_status.eq(code),
                        $t::last_error.eq(Some(error)),
                        $t::next_attempt_at.eq(retry_at.unwrap_or(now)),
                    ))
                    .execute(conn),
            }
        }
    };
}

pub(crate) use outbox_queries;

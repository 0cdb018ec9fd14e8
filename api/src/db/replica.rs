//! A PostgreSQL streaming standby for the reads that may lag (`MINHU_DATABASE_REPLICA_URL`):
//! the public feed, tracking, rankings, statistics, briefings and Open311 GET. Writes, and
//! reads that must see one's own write, stay on the primary. The standby's replay lag is
//! checked every second; beyond `MINHU_REPLICA_MAX_LAG_SECS`, or when it does not answer,
//! those reads go to the primary until it has caught up again — and a read that meets a
//! standby going down is answered by the primary at once.

use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use diesel::sql_types::Double;
use diesel::RunQueryDsl;

use super::{DbConn, Pool};

/// Where the standby stands, as `/readyz` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaState {
    /// No standby configured.
    None,
    Ok,
    /// Behind the primary by more than the allowed lag.
    Lagging,
    Down,
}

impl ReplicaState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplicaState::None => "none",
            ReplicaState::Ok => "ok",
            ReplicaState::Lagging => "lagging",
            ReplicaState::Down => "down",
        }
    }

    fn from_u8(n: u8) -> Self {
        match n {
            1 => ReplicaState::Ok,
            2 => ReplicaState::Lagging,
            3 => ReplicaState::Down,
            _ => ReplicaState::None,
        }
    }

    fn to_u8(self) -> u8 {
        match self {
            ReplicaState::None => 0,
            ReplicaState::Ok => 1,
            ReplicaState::Lagging => 2,
            ReplicaState::Down => 3,
        }
    }

    /// What a check found: the standby's lag in seconds, or that it did not answer.
    pub fn of_lag(lag: Option<f64>, max: Duration) -> Self {
        match lag {
            None => ReplicaState::Down,
            Some(l) if l <= max.as_secs_f64() => ReplicaState::Ok,
            Some(_) => ReplicaState::Lagging,
        }
    }
}

/// The standby's pool and what the last check found. Down until the first check says
/// otherwise, so nothing is read from a standby nobody has looked at.
#[derive(Debug)]
pub struct Replica {
    pub pool: Pool,
    max_lag: Duration,
    state: AtomicU8,
}

#[derive(diesel::QueryableByName)]
struct Lag {
    #[diesel(sql_type = Double)]
    lag: f64,
}

/// Seconds the standby is behind: nothing when it has replayed all it received (an idle
/// primary sends nothing new, which is no lag), otherwise since the last transaction it
/// replayed. A server that is not in recovery (a primary named as the standby) has none.
const LAG: &str = "SELECT CASE \
    WHEN NOT pg_is_in_recovery() THEN 0 \
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 \
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9) \
    END::float8 AS lag";

impl Replica {
    pub fn new(pool: Pool, max_lag: Duration) -> Self {
        Replica {
            pool,
            max_lag,
            state: AtomicU8::new(ReplicaState::Down.to_u8()),
        }
    }

    pub fn state(&self) -> ReplicaState {
        ReplicaState::from_u8(self.state.load(Ordering::Relaxed))
    }

    pub fn set_state(&self, s: ReplicaState) {
        self.state.store(s.to_u8(), Ordering::Relaxed);
    }

    /// Asks the standby for its lag and records what it found (blocking: run off the async
    /// workers).
    pub fn check(&self) -> ReplicaState {
        let lag = self.pool.get().ok().and_then(|mut conn| lag_of(&mut conn));
        let s = ReplicaState::of_lag(lag, self.max_lag);
        let before = self.state();
        if s != before {
            tracing::warn!(from = before.as_str(), to = s.as_str(), lag = ?lag, "read standby");
        }
        self.set_state(s);
        s
    }
}

fn lag_of(conn: &mut DbConn) -> Option<f64> {
    diesel::sql_query(LAG)
        .get_result::<Lag>(conn)
        .ok()
        .map(|l| l.lag)
}

/// Checks the standby every second, for as long as the process runs.
pub fn spawn(replica: std::sync::Arc<Replica>) {
    actix_web::rt::spawn(async move {
        let mut every = actix_web::rt::time::interval(Duration::from_secs(1));
        loop {
            every.tick().await;
            let r = std::sync::Arc::clone(&replica);
            let _ = actix_web::web::block(move || r.check()).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_within_the_limit_is_ok() {
        let max = Duration::from_secs(5);
        assert_eq!(ReplicaState::of_lag(Some(0.0), max), ReplicaState::Ok);
        assert_eq!(ReplicaState::of_lag(Some(5.0), max), ReplicaState::Ok);
        assert_eq!(ReplicaState::of_lag(Some(5.5), max), ReplicaState::Lagging);
        assert_eq!(ReplicaState::of_lag(None, max), ReplicaState::Down);
        for s in [
            ReplicaState::None,
            ReplicaState::Ok,
            ReplicaState::Lagging,
            ReplicaState::Down,
        ] {
            assert_eq!(ReplicaState::from_u8(s.to_u8()), s);
        }
    }
}

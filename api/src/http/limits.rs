//! The sign-in throttles and the partners' request rate, as every handler asks for them: kept
//! in this process's memory on the embedded SQLite default (one process), and in PostgreSQL
//! (`db::limits`) when the service runs on it, so that any number of replicas behind a load
//! balancer count together — ten wrong passwords are ten, whichever replica each one reached.

use std::time::Instant;

use super::AppState;
use crate::error::AppResult;

/// Which sign-in throttle: per username (or partner client), or per client address.
#[derive(Debug, Clone, Copy)]
pub enum Throttle {
    Account,
    Address,
}

impl Throttle {
    fn scope(self) -> &'static str {
        match self {
            Throttle::Account => "login",
            Throttle::Address => "address",
        }
    }
}

/// An attempt counted by [`AppState::sign_in_attempt`], to take back if it succeeds.
#[derive(Debug, Clone, Copy)]
pub struct Counted(Option<i64>);

impl AppState {
    fn memory(&self, which: Throttle) -> &super::throttle::LoginThrottle {
        match which {
            Throttle::Account => &self.login_throttle,
            Throttle::Address => &self.address_throttle,
        }
    }

    /// Checks and counts one sign-in attempt for `key`: `Err(seconds to wait)` when it has
    /// used up its attempts.
    pub async fn sign_in_attempt(
        &self,
        which: Throttle,
        key: &str,
    ) -> AppResult<Result<Counted, u64>> {
        let memory = self.memory(which);
        if !self.shared_limits {
            return Ok(memory.attempt(key, Instant::now()).map(|()| Counted(None)));
        }
        let (limit, window) = (memory.limit() as i64, memory.window());
        let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::minutes(1));
        let (key, now) = (key.to_owned(), self.clock.now());
        let found = self
            .db(move |conn| {
                Ok(crate::db::limits::attempt(
                    conn,
                    which.scope(),
                    &key,
                    limit,
                    window,
                    now,
                )?)
            })
            .await?;
        Ok(found.map(|id| Counted(Some(id))))
    }

    /// Takes back an attempt counted for `key` (it succeeded), keeping earlier failures.
    pub async fn sign_in_forgive(
        &self,
        which: Throttle,
        key: &str,
        counted: Counted,
    ) -> AppResult<()> {
        match counted.0 {
            None => self.memory(which).forgive_one(key),
            Some(id) => {
                self.db(move |conn| Ok(crate::db::limits::forgive(conn, id)?))
                    .await?
            }
        }
        Ok(())
    }

    /// Forgets every failure of `key`: it signed in.
    pub async fn sign_in_succeeded(&self, which: Throttle, key: &str) -> AppResult<()> {
        if !self.shared_limits {
            self.memory(which).record_success(key);
            return Ok(());
        }
        let key = key.to_owned();
        self.db(move |conn| Ok(crate::db::limits::clear(conn, which.scope(), &key)?))
            .await
    }

    /// Takes one request from the partner's allowance (`MINHU_PARTNER_RATE_LIMIT` a minute):
    /// `Err(seconds until the next one)` when it has none left.
    pub async fn partner_request(&self, partner_user: i64) -> AppResult<Result<(), u64>> {
        let per_minute = self.partner_limit.per_minute();
        if !self.shared_limits || per_minute == 0 {
            return Ok(self.partner_limit.check(partner_user, Instant::now()));
        }
        let now = self.clock.now();
        self.db(move |conn| {
            Ok(crate::db::limits::take(
                conn,
                "partner",
                &partner_user.to_string(),
                per_minute,
                now,
            )?)
        })
        .await
    }
}

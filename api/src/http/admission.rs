//! Admissions kept for a moment: a token admitted (its account active, its role, unit and
//! unit path as they were read, not revoked) is admitted again without asking the database for
//! `MINHU_ADMISSION_CACHE_MS` (default one second) — an official paging through a list or a
//! petitioner reading their petition makes one admission round trip a moment instead of one a
//! request.
//!
//! What keeps it true: every request that may change anything (any method but `GET`, `HEAD`,
//! `OPTIONS`) forgets every kept admission of this replica when it has been answered
//! (`http::forget_after_changes`), and an
//! admission read before such a change is never kept (it is kept under the generation it was read
//! in). So on this replica a sign-out, a deactivation, a new role or a moved unit holds from the
//! next request, as before; on another replica of the same database from the next request after
//! the moment at most. Only admissions are kept, never a refusal, and partners' request rates are
//! still counted on every request.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use chrono::{Duration, NaiveDateTime};

use crate::auth::{Caller, Claims};

/// At most this many admissions are kept (one per token in use in the moment); beyond that the
/// ones run out go, and if none has, all.
const MAX_KEPT: usize = 10_000;

pub struct Admissions {
    ttl: Duration,
    kept: Mutex<HashMap<Key, (NaiveDateTime, u64, Caller)>>,
    /// One reader per token at a time: when its admission runs out under many requests at
    /// once, one reads the account and the others wait for it (single flight).
    gates: Mutex<HashMap<Key, std::sync::Arc<tokio::sync::Mutex<()>>>>,
    /// Moved on by every request that may have changed something.
    generation: AtomicU64,
}

/// Everything of a token its admission depends on.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Key {
    jti: String,
    sub: String,
    ep: i64,
    cred: Option<i64>,
}

impl Key {
    /// None for a token without an id (issued before tokens had one): never kept.
    pub fn of(claims: &Claims) -> Option<Key> {
        Some(Key {
            jti: claims.jti.clone()?,
            sub: claims.sub.clone(),
            ep: claims.ep,
            cred: claims.cred,
        })
    }
}

impl Admissions {
    pub fn new(ttl_ms: u64) -> Admissions {
        Admissions {
            ttl: Duration::milliseconds(i64::try_from(ttl_ms).unwrap_or(0)),
            kept: Mutex::default(),
            gates: Mutex::default(),
            generation: AtomicU64::new(0),
        }
    }

    /// The generation to keep an admission read from now on under.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The caller this token was admitted as less than the moment before `now`, with nothing
    /// changed on this replica since.
    pub fn get(&self, key: &Key, now: NaiveDateTime) -> Option<Caller> {
        if self.ttl <= Duration::zero() {
            return None;
        }
        let generation = self.generation();
        let kept = self.kept.lock().ok()?;
        kept.get(key)
            .filter(|(at, g, _)| *g == generation && now >= *at && now - *at < self.ttl)
            .map(|(_, _, c)| c.clone())
    }

    /// The gate whose holder reads this token's admission (none when nothing is kept).
    pub fn gate(&self, key: &Key) -> Option<std::sync::Arc<tokio::sync::Mutex<()>>> {
        if self.ttl <= Duration::zero() {
            return None;
        }
        let mut gates = self.gates.lock().ok()?;
        if gates.len() >= MAX_KEPT && !gates.contains_key(key) {
            // Only gates nobody is waiting at go.
            gates.retain(|_, g| std::sync::Arc::strong_count(g) > 1);
        }
        Some(gates.entry(key.clone()).or_default().clone())
    }

    /// Keeps an admission read under `generation` (not if something changed since).
    pub fn put(&self, key: Key, generation: u64, now: NaiveDateTime, caller: Caller) {
        if self.ttl <= Duration::zero() || generation != self.generation() {
            return;
        }
        if let Ok(mut kept) = self.kept.lock() {
            if kept.len() >= MAX_KEPT {
                let ttl = self.ttl;
                kept.retain(|_, (at, g, _)| *g == generation && now >= *at && now - *at < ttl);
                if kept.len() >= MAX_KEPT {
                    kept.clear();
                }
            }
            kept.insert(key, (now, generation, caller));
        }
    }

    /// Something may have changed: every admission is read again.
    pub fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut kept) = self.kept.lock() {
            kept.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minhu_types::Role;

    fn claims(jti: &str) -> Claims {
        Claims {
            sub: "7".into(),
            role: Role::Citizen,
            unit: None,
            iat: 0,
            exp: 0,
            cred: None,
            ep: 0,
            jti: Some(jti.into()),
        }
    }

    fn caller() -> Caller {
        Caller {
            user_id: 7,
            role: Role::Citizen,
            unit_id: None,
            unit_path: None,
        }
    }

    fn at(ms: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp_millis(1_800_000_000_000 + ms)
            .expect("time")
            .naive_utc()
    }

    #[test]
    fn kept_for_the_moment_and_forgotten_on_a_change() {
        let a = Admissions::new(1000);
        let key = Key::of(&claims("a")).expect("key");
        a.put(key.clone(), a.generation(), at(0), caller());
        assert!(a.get(&key, at(999)).is_some());
        assert!(a.get(&key, at(1000)).is_none(), "the moment has run out");
        assert!(a.get(&Key::of(&claims("b")).expect("key"), at(1)).is_none());
        a.forget_all();
        assert!(a.get(&key, at(1)).is_none(), "forgotten on a change");
    }

    #[test]
    fn an_admission_read_before_a_change_is_not_kept() {
        let a = Admissions::new(1000);
        let key = Key::of(&claims("a")).expect("key");
        let read_under = a.generation();
        a.forget_all();
        a.put(key.clone(), read_under, at(0), caller());
        assert!(a.get(&key, at(1)).is_none());
    }

    #[test]
    fn off_at_zero_and_tokens_without_an_id_are_never_kept() {
        let a = Admissions::new(0);
        let key = Key::of(&claims("a")).expect("key");
        a.put(key.clone(), a.generation(), at(0), caller());
        assert!(a.get(&key, at(0)).is_none());
        let mut old = claims("a");
        old.jti = None;
        assert!(Key::of(&old).is_none());
    }
}

//! What a replica keeps for a moment: values by key, each served again for a time-to-live after
//! it was made, and forgotten at once — all of them — when anything may have changed through
//! this replica (`forget_all`, called by `http::forget_after_changes`). Public pages
//! (`http::cache`) and admitted tokens (`http::admission`) are kept this way.
//!
//! Two rules make "forgotten at once" hold under concurrency: a value is kept under the
//! generation that was current when its making began, and is served only while that generation
//! is still current (a value made from what was read before a change is never served after
//! it); and one maker per key at a time (single flight): when a value runs out under many
//! requests, one makes it and the others of that moment wait for it — unless a change comes
//! while they wait, when each makes its own (`kept_or_made`).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{Duration, NaiveDateTime};

pub struct Kept<K, V> {
    ttl: Duration,
    /// At most this many values are kept (keys may be the callers' to choose); beyond that the
    /// ones run out go, and if none has, all.
    max: usize,
    values: Mutex<HashMap<K, (NaiveDateTime, u64, V)>>,
    gates: Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>,
    generation: AtomicU64,
}

impl<K: Hash + Eq + Clone, V: Clone> Kept<K, V> {
    /// Keeps values for `ttl_ms` milliseconds (0: never), at most `max` of them.
    pub fn new(ttl_ms: u64, max: usize) -> Self {
        Kept {
            ttl: Duration::milliseconds(i64::try_from(ttl_ms).unwrap_or(0)),
            max,
            values: Mutex::default(),
            gates: Mutex::default(),
            generation: AtomicU64::new(0),
        }
    }

    fn on(&self) -> bool {
        self.ttl > Duration::zero()
    }

    /// The generation a value made from now on is kept under.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The value kept for `key`, made less than the time-to-live before `now` and with nothing
    /// changed since.
    pub fn get(&self, key: &K, now: NaiveDateTime) -> Option<V> {
        if !self.on() {
            return None;
        }
        let generation = self.generation();
        let values = self.values.lock().ok()?;
        values
            .get(key)
            .filter(|(at, g, _)| *g == generation && now >= *at && now - *at < self.ttl)
            .map(|(_, _, v)| v.clone())
    }

    /// Keeps a value whose making began under `generation` (not if something changed since).
    pub fn put(&self, key: K, generation: u64, now: NaiveDateTime, value: V) {
        if !self.on() || generation != self.generation() {
            return;
        }
        if let Ok(mut values) = self.values.lock() {
            if values.len() >= self.max && !values.contains_key(&key) {
                let ttl = self.ttl;
                values.retain(|_, (at, g, _)| *g == generation && now >= *at && now - *at < ttl);
                if values.len() >= self.max {
                    values.clear();
                }
            }
            values.insert(key, (now, generation, value));
        }
    }

    /// The gate whose holder makes the value for `key` (none when nothing is kept).
    fn gate(&self, key: &K) -> Option<Arc<tokio::sync::Mutex<()>>> {
        if !self.on() {
            return None;
        }
        let mut gates = self.gates.lock().ok()?;
        if gates.len() >= self.max && !gates.contains_key(key) {
            // Only gates nobody is waiting at go.
            gates.retain(|_, g| Arc::strong_count(g) > 1);
        }
        Some(gates.entry(key.clone()).or_default().clone())
    }

    /// The value kept for `key`, or made by `make` and kept (an error is not kept): while one
    /// request makes a value that ran out, the others asking for it wait for that one (single
    /// flight) and take what it kept; if it kept nothing (its making failed or took longer than
    /// the time-to-live), the next of them makes it, again alone. Only when a change came
    /// while they waited — what was being made may be stale, so it is not kept — do they make
    /// their own at once, side by side: one after the other, every request of a busy key would
    /// queue behind one statement at a time for as long as changes stream in.
    pub async fn kept_or_made<E, Fut>(
        &self,
        key: K,
        clock: &crate::clock::Clock,
        make: impl FnOnce() -> Fut,
    ) -> Result<V, E>
    where
        Fut: std::future::Future<Output = Result<V, E>>,
    {
        if let Some(v) = self.get(&key, clock.now()) {
            return Ok(v);
        }
        let gate = self.gate(&key);
        let _turn = match &gate {
            None => None,
            Some(g) => match g.try_lock() {
                Ok(turn) => Some(turn),
                // Another request is making it: wait for that one, then take what it kept, or
                // make it holding the gate (single flight) — unless a change came meanwhile.
                Err(_) => {
                    let before = self.generation();
                    let turn = g.lock().await;
                    (self.generation() == before).then_some(turn)
                }
            },
        };
        // Whoever held the gate before may have made it meanwhile.
        let now = clock.now();
        if let Some(v) = self.get(&key, now) {
            return Ok(v);
        }
        let generation = self.generation();
        let v = make().await?;
        self.put(key, generation, now, v.clone());
        Ok(v)
    }

    /// Something may have changed: every kept value is made again.
    pub fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut values) = self.values.lock() {
            values.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp_millis(1_800_000_000_000 + ms)
            .expect("time")
            .naive_utc()
    }

    #[test]
    fn kept_for_the_moment_and_forgotten_on_a_change() {
        let k: Kept<&str, i32> = Kept::new(1000, 10);
        k.put("a", k.generation(), at(0), 1);
        assert_eq!(k.get(&"a", at(999)), Some(1));
        assert_eq!(k.get(&"a", at(1000)), None, "the moment has run out");
        assert_eq!(k.get(&"b", at(1)), None);
        k.forget_all();
        assert_eq!(k.get(&"a", at(1)), None, "forgotten on a change");
    }

    #[test]
    fn a_value_made_before_a_change_is_not_kept() {
        let k: Kept<&str, i32> = Kept::new(1000, 10);
        let began = k.generation();
        k.forget_all();
        k.put("a", began, at(0), 1);
        assert_eq!(k.get(&"a", at(1)), None);
    }

    #[test]
    fn off_at_zero_and_bounded() {
        let off: Kept<&str, i32> = Kept::new(0, 10);
        off.put("a", off.generation(), at(0), 1);
        assert_eq!(off.get(&"a", at(0)), None);
        let small: Kept<i32, i32> = Kept::new(1000, 2);
        for i in 0..3 {
            small.put(i, small.generation(), at(0), i);
        }
        assert_eq!(small.get(&2, at(1)), Some(2), "the newest is kept");
        assert!(small.values.lock().map(|v| v.len() <= 2).unwrap_or(false));
    }

    /// Runs `waiters` requests for one key while a first one makes it; that first one's making
    /// ends with a change when `changed`, and fails when `fails`. Answers how many made their own and how many of
    /// those were making at the same moment, at most.
    async fn herd(waiters: usize, changed: bool, fails: bool) -> (usize, usize) {
        use std::sync::atomic::AtomicUsize;
        let kept: Arc<Kept<&str, i32>> = Arc::new(Kept::new(60_000, 10));
        let clock = crate::clock::Clock::default();
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let first = {
            let (kept, clock) = (Arc::clone(&kept), clock.clone());
            let forget = Arc::clone(&kept);
            tokio::spawn(async move {
                kept.kept_or_made("a", &clock, || async move {
                    released.await.ok();
                    if changed {
                        forget.forget_all();
                    }
                    if fails {
                        Err(())
                    } else {
                        Ok(1)
                    }
                })
                .await
            })
        };
        // The first is inside its making (it waits for `release`) before the others ask.
        tokio::task::yield_now().await;
        let made = Arc::new(AtomicUsize::new(0));
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let others: Vec<_> = (0..waiters)
            .map(|_| {
                let (kept, clock) = (Arc::clone(&kept), clock.clone());
                let (made, inside, most) = (made.clone(), inside.clone(), most.clone());
                tokio::spawn(async move {
                    kept.kept_or_made("a", &clock, || async move {
                        made.fetch_add(1, Ordering::SeqCst);
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        for _ in 0..10 {
                            tokio::task::yield_now().await;
                        }
                        inside.fetch_sub(1, Ordering::SeqCst);
                        Ok::<_, ()>(2)
                    })
                    .await
                })
            })
            .collect();
        tokio::task::yield_now().await;
        release.send(()).ok();
        assert_eq!(first.await.ok(), Some(if fails { Err(()) } else { Ok(1) }));
        for o in others {
            assert!(matches!(o.await, Ok(Ok(_))));
        }
        (made.load(Ordering::SeqCst), most.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn one_makes_while_the_others_wait_for_it() {
        assert_eq!(
            herd(3, false, false).await,
            (0, 0),
            "the first one's value served them all"
        );
    }

    #[tokio::test]
    async fn after_a_change_the_waiters_make_theirs_side_by_side() {
        let (made, most) = herd(3, true, false).await;
        assert_eq!(most, 3, "not one after the other");
        assert_eq!(made, 3, "what the first made may be stale: not handed on");
    }

    #[tokio::test]
    async fn when_the_making_fails_the_next_makes_it_alone() {
        assert_eq!(herd(3, false, true).await, (1, 1), "single flight kept");
    }
}

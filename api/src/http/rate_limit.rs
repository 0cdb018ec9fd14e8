//! Requests per minute for each key (a partner, a client address), as a token bucket: a key may
//! spend a whole minute's allowance at once, then gets one request back every
//! `60 / per_minute` seconds. Kept in memory per process: the tracking lookups per address, and
//! partners' requests on the embedded default; on PostgreSQL partners' buckets are kept in the
//! database by the same rule, shared by every replica (`http::limits`).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Instant;

pub struct RateLimit<K = i64> {
    per_minute: u32,
    buckets: Mutex<HashMap<K, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl<K: Hash + Eq> RateLimit<K> {
    /// `per_minute` 0 switches the limit off.
    pub fn new(per_minute: u32) -> Self {
        RateLimit {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Takes one request from `key`'s allowance, or `Err(seconds until the next one)`.
    pub fn check(&self, key: K, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        if buckets.len() > 100_000 {
            // Bound the memory many addresses can take: full buckets are as good as none.
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * per_second < capacity
            });
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.at = bucket.at.max(now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err((((1.0 - bucket.tokens) / per_second).ceil() as u64).max(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_minutes_allowance_at_once_then_one_by_one() {
        let limit = RateLimit::new(60);
        let start = Instant::now();
        for _ in 0..60 {
            assert!(limit.check(7, start).is_ok());
        }
        assert_eq!(limit.check(7, start), Err(1));
        // Another partner has its own allowance.
        assert!(limit.check(8, start).is_ok());
        let later = start + Duration::from_millis(1000);
        assert!(limit.check(7, later).is_ok());
        assert_eq!(limit.check(7, later), Err(1));
    }

    #[test]
    fn the_wait_is_the_time_to_the_next_request() {
        let limit = RateLimit::new(6); // one every 10 s
        let start = Instant::now();
        for _ in 0..6 {
            assert!(limit.check(1, start).is_ok());
        }
        assert_eq!(limit.check(1, start), Err(10));
        assert_eq!(limit.check(1, start + Duration::from_secs(4)), Err(6));
        assert!(limit.check(1, start + Duration::from_secs(10)).is_ok());
    }

    #[test]
    fn zero_is_no_limit() {
        let limit = RateLimit::new(0);
        let now = Instant::now();
        assert!((0..10_000).all(|_| limit.check(1, now).is_ok()));
    }
}

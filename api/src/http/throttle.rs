//! Slows down password guessing: after `limit` failed logins for one key (a username, or a
//! client address) within the window, further attempts are refused with 429 until the oldest
//! failure leaves the window. An attempt is counted as a failure when it starts, in the same
//! step as the check (`attempt`), so parallel attempts cannot all pass the check before any of
//! them is counted; a success then takes it back. This is the embedded default's keeping, in
//! memory; on PostgreSQL every replica counts in the database by the same rule (`http::limits`).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed logins a minute from one client address, over all usernames.
pub const LOGIN_FAILURES_PER_ADDRESS: usize = 30;

pub struct LoginThrottle {
    limit: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginThrottle {
    pub fn new(limit: usize, window: Duration) -> Self {
        LoginThrottle {
            limit,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    pub fn window(&self) -> Duration {
        self.window
    }

    /// Checks and counts one attempt for `key` atomically: `Err(seconds to wait)` when it has
    /// used up its attempts (and then nothing is counted).
    pub fn attempt(&self, key: &str, now: Instant) -> Result<(), u64> {
        let Ok(mut map) = self.failures.lock() else {
            return Err(self.window.as_secs());
        };
        if let Some(times) = map.get_mut(key) {
            while times
                .front()
                .is_some_and(|t| now.duration_since(*t) >= self.window)
            {
                times.pop_front();
            }
            if times.len() >= self.limit {
                let oldest = times.front().copied().unwrap_or(now);
                return Err((self.window.saturating_sub(now.duration_since(oldest))).as_secs() + 1);
            }
        }
        Self::push(&mut map, self.window, key, now);
        Ok(())
    }

    /// Takes back the last attempt counted for `key` (it succeeded), keeping earlier failures.
    pub fn forgive_one(&self, key: &str) {
        if let Ok(mut map) = self.failures.lock() {
            if let Some(times) = map.get_mut(key) {
                times.pop_back();
            }
        }
    }

    fn push(
        map: &mut HashMap<String, VecDeque<Instant>>,
        window: Duration,
        key: &str,
        now: Instant,
    ) {
        if map.len() > 100_000 {
            // Bound the memory an attacker spraying usernames can take.
            map.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
        }
        map.entry(key.to_owned()).or_default().push_back(now);
    }

    pub fn record_success(&self, key: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_failures_a_minute_then_wait() {
        let t = LoginThrottle::new(10, Duration::from_secs(60));
        let start = Instant::now();
        for i in 0..10 {
            // Counted as it starts; none of them succeeds.
            assert!(t.attempt("zhang", start + Duration::from_secs(i)).is_ok());
        }
        let wait = t
            .attempt("zhang", start + Duration::from_secs(10))
            .expect_err("throttled");
        assert!((50..=51).contains(&wait), "{wait}");
        assert!(
            t.attempt("li", start).is_ok(),
            "other usernames are not affected"
        );
        assert!(
            t.attempt("zhang", start + Duration::from_secs(61)).is_ok(),
            "the window slides"
        );
        t.record_success("zhang");
        assert!(t.attempt("zhang", start + Duration::from_secs(10)).is_ok());
    }

    #[test]
    fn attempts_are_counted_as_they_start() {
        let t = LoginThrottle::new(10, Duration::from_secs(60));
        let start = Instant::now();
        // Forty attempts that have all started before any finished: ten get through.
        let through = (0..40)
            .filter(|_| t.attempt("zhang", start).is_ok())
            .count();
        assert_eq!(through, 10);
        // A success takes back its own attempt only.
        t.forgive_one("zhang");
        assert!(t.attempt("zhang", start).is_ok());
        assert!(t.attempt("zhang", start).is_err());
        assert!(t.attempt("zhang", start + Duration::from_secs(60)).is_ok());
    }
}

//! Slows down password guessing: after `limit` failed logins for one username within the
//! window, further attempts are refused with 429 until the oldest failure leaves the window.
//! Kept in memory per process: several replicas each count separately.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

    /// `Err(seconds to wait)` when the key has used up its attempts.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), u64> {
        let Ok(mut map) = self.failures.lock() else {
            return Ok(());
        };
        let Some(times) = map.get_mut(key) else {
            return Ok(());
        };
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            times.pop_front();
        }
        if times.len() >= self.limit {
            let oldest = times.front().copied().unwrap_or(now);
            Err((self.window.saturating_sub(now.duration_since(oldest))).as_secs() + 1)
        } else {
            Ok(())
        }
    }

    pub fn record_failure(&self, key: &str, now: Instant) {
        let Ok(mut map) = self.failures.lock() else {
            return;
        };
        if map.len() > 100_000 {
            // Bound the memory an attacker spraying usernames can take.
            let window = self.window;
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
            assert!(t.check("zhang", start + Duration::from_secs(i)).is_ok());
            t.record_failure("zhang", start + Duration::from_secs(i));
        }
        let wait = t
            .check("zhang", start + Duration::from_secs(10))
            .expect_err("throttled");
        assert!((50..=51).contains(&wait), "{wait}");
        assert!(
            t.check("li", start).is_ok(),
            "other usernames are not affected"
        );
        assert!(
            t.check("zhang", start + Duration::from_secs(61)).is_ok(),
            "the window slides"
        );
        t.record_success("zhang");
        assert!(t.check("zhang", start + Duration::from_secs(10)).is_ok());
    }
}

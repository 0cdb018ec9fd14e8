//! The time the server acts at. Real time, except in tests, which set it to check deadlines
//! and lights at the moments that matter without waiting.

use std::sync::{Arc, RwLock};

use chrono::NaiveDateTime;

/// Clones share the time: the background jobs hold one, the handlers another.
#[derive(Debug, Default, Clone)]
pub struct Clock {
    fixed: Arc<RwLock<Option<NaiveDateTime>>>,
}

impl Clock {
    pub fn now(&self) -> NaiveDateTime {
        self.fixed
            .read()
            .ok()
            .and_then(|f| *f)
            .unwrap_or_else(crate::db::now)
    }

    /// Fixes the time (`None`: real time again).
    pub fn set(&self, t: Option<NaiveDateTime>) {
        if let Ok(mut f) = self.fixed.write() {
            *f = t;
        }
    }
}

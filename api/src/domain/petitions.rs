//! Rules for petitions: what a valid submission is, tracking numbers, the redo window.

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Utc};

pub use minhu_types::rules::{
    is_contact_phone, validate_new_petition as validate_new, validate_text, MAX_CONTENT, MAX_TITLE,
};
/// A closed order may be sent back for redo within this many days of closing.
pub const REDO_WINDOW_DAYS: i64 = 30;

/// China Standard Time: what "a day" means here (no daylight saving since 1991).
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The date part of a tracking number (`YYYYMMDD`), in Asia/Shanghai.
pub fn tracking_day(now: DateTime<Utc>) -> String {
    now.with_timezone(&shanghai()).format("%Y%m%d").to_string()
}

pub fn redo_window_open(closed_at: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
    closed_at.is_none_or(|c| now - c <= Duration::days(REDO_WINDOW_DAYS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn tracking_days_are_shanghai_dates() {
        let late_utc = Utc
            .with_ymd_and_hms(2026, 11, 22, 17, 30, 0)
            .single()
            .expect("valid");
        assert_eq!(
            tracking_day(late_utc),
            "20261123",
            "01:30 in Shanghai is already the 23rd"
        );
    }

    #[test]
    fn redo_window() {
        let closed = Utc
            .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
            .single()
            .expect("valid")
            .naive_utc();
        assert!(redo_window_open(Some(closed), closed + Duration::days(30)));
        assert!(!redo_window_open(Some(closed), closed + Duration::days(31)));
        assert!(redo_window_open(None, closed));
    }
}

//! Rules for petitions: what a valid submission is, tracking numbers, the redo window.

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Utc};

pub use minhu_types::rules::{
    is_contact_phone, validate_new_petition as validate_new, validate_text, MAX_CONTENT, MAX_TITLE,
};
/// At most this many photos on one petition.
pub const MAX_PHOTOS: i64 = 9;

/// Why a photo may not be added now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoRefusal {
    /// Only the petitioner and the hotline office add photos.
    NotYours,
    /// The petition has ended.
    Ended,
    /// `MAX_PHOTOS` already.
    Full(i64),
}

/// Whether a photo may be added: by the petitioner or the hotline office, until the petition
/// has ended, up to `MAX_PHOTOS`. The server checks it on upload and tells the web app in the
/// petition's `can_add_photos`, so the app offers the upload exactly when it would succeed.
pub fn photo_rule(
    petitioner: bool,
    role: minhu_types::Role,
    status: minhu_types::PetitionStatus,
    photos: i64,
) -> Result<(), PhotoRefusal> {
    if !(petitioner || role == minhu_types::Role::Operator) {
        Err(PhotoRefusal::NotYours)
    } else if status.has_ended() {
        Err(PhotoRefusal::Ended)
    } else if photos >= MAX_PHOTOS {
        Err(PhotoRefusal::Full(photos))
    } else {
        Ok(())
    }
}

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

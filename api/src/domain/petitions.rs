//! Rules for petitions: what a valid submission is, tracking numbers, default deadlines.

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Utc};
use minhu_types::{FieldError, NewPetition};

use super::accounts::is_mobile_phone;
use super::validate::Checks;

pub const MAX_TITLE: usize = 100;
pub const MAX_CONTENT: usize = 4_000;
/// A closed order may be sent back for redo within this many days of closing.
pub const REDO_WINDOW_DAYS: i64 = 30;
/// Until the deadline policies arrive: sign within a day, reply within seven.
pub const DEFAULT_SIGN_HOURS: i64 = 24;
pub const DEFAULT_REPLY_DAYS: i64 = 7;

/// China Standard Time: what "a day" means here (no daylight saving since 1991).
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The date part of a tracking number (`YYYYMMDD`), in Asia/Shanghai.
pub fn tracking_day(now: DateTime<Utc>) -> String {
    now.with_timezone(&shanghai()).format("%Y%m%d").to_string()
}

pub fn default_sign_by(now: NaiveDateTime) -> NaiveDateTime {
    now + Duration::hours(DEFAULT_SIGN_HOURS)
}

pub fn default_reply_by(now: NaiveDateTime) -> NaiveDateTime {
    now + Duration::days(DEFAULT_REPLY_DAYS)
}

pub fn redo_window_open(closed_at: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
    closed_at.is_none_or(|c| now - c <= Duration::days(REDO_WINDOW_DAYS))
}

/// A contact phone: a mobile number, or a landline of 7–12 digits (hyphens allowed).
pub fn is_contact_phone(phone: &str) -> bool {
    let digits: String = phone.chars().filter(|c| *c != '-').collect();
    is_mobile_phone(&digits)
        || ((7..=12).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
}

pub fn validate_new(p: &NewPetition) -> Result<(), Vec<FieldError>> {
    let mut c = Checks::new();
    c.text("title", &p.title, 1, MAX_TITLE);
    c.text("content", &p.content, 1, MAX_CONTENT);
    if let Some(a) = &p.address {
        c.text("address", a, 1, 200);
    }
    if let Some(lat) = p.latitude {
        c.check(
            "latitude",
            lat.is_finite() && (-90.0..=90.0).contains(&lat),
            "纬度须在 -90 到 90 之间",
        );
    }
    if let Some(lon) = p.longitude {
        c.check(
            "longitude",
            lon.is_finite() && (-180.0..=180.0).contains(&lon),
            "经度须在 -180 到 180 之间",
        );
    }
    c.check(
        "longitude",
        p.latitude.is_some() == p.longitude.is_some(),
        "经纬度须同时提供",
    );
    if let Some(n) = &p.contact_name {
        c.text("contact_name", n, 1, 50);
    }
    if let Some(phone) = &p.contact_phone {
        c.check(
            "contact_phone",
            is_contact_phone(phone.trim()),
            "请填写手机号或带区号的固定电话",
        );
    }
    c.finish()
}

/// A required free-text field of an action (reason, note, reply body).
pub fn validate_text(field: &str, value: &str, max: usize) -> Result<(), Vec<FieldError>> {
    let mut c = Checks::new();
    c.text(field, value, 1, max);
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use minhu_types::{PetitionKind, Urgency};

    fn petition() -> NewPetition {
        NewPetition {
            kind: PetitionKind::Help,
            category_id: 1,
            urgency: Urgency::Normal,
            title: "路灯坏了".into(),
            content: "村东头三盏路灯不亮".into(),
            address: None,
            latitude: None,
            longitude: None,
            anonymous: false,
            publish_consent: false,
            contact_name: None,
            contact_phone: None,
            source: None,
        }
    }

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
    fn submissions() {
        assert!(validate_new(&petition()).is_ok());
        let mut p = petition();
        p.title = "长".repeat(101);
        p.content = "x".repeat(4_001);
        p.latitude = Some(91.0);
        p.contact_phone = Some("call me".into());
        let errors = validate_new(&p).expect_err("invalid");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["title", "content", "latitude", "longitude", "contact_phone"]
        );
        let mut p = petition();
        p.content = "长".repeat(4_000);
        assert!(
            validate_new(&p).is_ok(),
            "4,000 Chinese characters are allowed"
        );
        assert!(is_contact_phone("0391-2345678"));
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

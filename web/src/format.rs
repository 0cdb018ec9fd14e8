//! Plain formatting: times in Asia/Shanghai, deadlines, rates, counters. No browser needed, so
//! all of it is tested natively.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike, Utc};

use crate::text::Text;

fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8")
}

/// `2026-11-23 14:05`, Beijing time.
pub fn datetime(t: DateTime<Utc>) -> String {
    // By hand rather than chrono's `format`: its pattern machinery is a sizeable part of wasm.
    let l = t.with_timezone(&shanghai());
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        l.year(),
        l.month(),
        l.day(),
        l.hour(),
        l.minute()
    )
}

pub fn date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&shanghai()).date_naive()
}

/// The browser's clock as UTC.
pub fn now() -> DateTime<Utc> {
    #[cfg(target_arch = "wasm32")]
    let ms = js_sys::Date::now() as i64;
    #[cfg(not(target_arch = "wasm32"))]
    let ms = 0;
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// How long until a deadline ("剩 2 天 3 小时") or how long past it ("超期 5 小时").
pub fn remaining(deadline: DateTime<Utc>, now: DateTime<Utc>, t: &Text) -> String {
    let minutes = (deadline - now).num_minutes();
    let span = duration(minutes.abs(), t);
    if minutes >= 0 {
        (t.time_left)(&span)
    } else {
        (t.time_over)(&span)
    }
}

fn duration(minutes: i64, t: &Text) -> String {
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    if d > 0 {
        (t.days_hours)(d, h)
    } else if h > 0 {
        (t.hours_minutes)(h, m)
    } else {
        (t.minutes)(m)
    }
}

/// A rate as a percentage with one decimal, or a dash when there is nothing to divide.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// A change as a signed percentage with one decimal (`+12.5%`, `-3.0%`, `0.0%`), or a dash when
/// there was nothing to compare with (环比, 同比).
#[cfg(any(test, feature = "work"))]
pub fn signed_percent(change: Option<f64>) -> String {
    match change {
        Some(c) if c.is_finite() => {
            let p = (c * 1000.0).round() / 10.0;
            if p == 0.0 {
                "0.0%".to_owned()
            } else {
                format!("{p:+.1}%")
            }
        }
        _ => "—".to_owned(),
    }
}

pub fn score(score: Option<f64>) -> String {
    score.map_or_else(|| "—".to_owned(), |s| format!("{s:.2}"))
}

/// Characters as people count them (一 is one), for the counters under text boxes.
pub fn chars(s: &str) -> usize {
    s.chars().count()
}

/// `YYYY-MM` of the month containing `day`, and of the month before it.
pub fn month_of(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

pub fn previous_month(day: NaiveDate) -> String {
    let first = day.with_day0(0).unwrap_or(day);
    month_of(first.pred_opt().unwrap_or(first))
}

/// `YYYY-Www`: the ISO week containing `day` (weeks start on Monday; the week-based year).
#[cfg(any(test, feature = "work"))]
pub fn iso_week(day: NaiveDate) -> String {
    let w = day.iso_week();
    format!("{:04}-W{:02}", w.year(), w.week())
}

/// The ISO weeks before the one containing `day`, the most recent first (`n` of them).
#[cfg(any(test, feature = "work"))]
pub fn weeks_before(day: NaiveDate, n: usize) -> Vec<String> {
    (1..=n as u64)
        .filter_map(|i| day.checked_sub_days(chrono::Days::new(7 * i)))
        .map(iso_week)
        .collect()
}

/// Trims a form value; an empty one is "not given".
pub fn optional(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// The contact line officials see; masked values (张**, 138****5678) are said to be masked.
pub fn contact(name: Option<&str>, phone: Option<&str>, masked: bool, t: &Text) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if let Some(n) = name {
        parts.push(n);
    }
    if let Some(p) = phone {
        parts.push(p);
    }
    if parts.is_empty() {
        return t.no_contact.to_owned();
    }
    let line = parts.join(" · ");
    if masked {
        format!("{line}（{}）", t.masked_note)
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{EN, ZH};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("valid time")
            .with_timezone(&Utc)
    }

    #[test]
    fn times_are_beijing_time() {
        assert_eq!(datetime(at("2026-11-22T17:30:00Z")), "2026-11-23 01:30");
        assert_eq!(date(at("2026-11-22T17:30:00Z")).to_string(), "2026-11-23");
    }

    #[test]
    fn deadlines_read_naturally() {
        let now = at("2026-11-23T00:00:00Z");
        assert_eq!(
            remaining(at("2026-11-25T03:10:00Z"), now, &ZH),
            "剩 2 天 3 小时"
        );
        assert_eq!(
            remaining(at("2026-11-23T00:45:00Z"), now, &ZH),
            "剩 45 分钟"
        );
        assert_eq!(
            remaining(at("2026-11-22T19:00:00Z"), now, &ZH),
            "超期 5 小时 0 分钟"
        );
        assert_eq!(
            remaining(at("2026-11-25T03:10:00Z"), now, &EN),
            "2 d 3 h left"
        );
    }

    #[test]
    fn rates_and_counts() {
        assert_eq!(percent(Some(0.9356)), "93.6%");
        assert_eq!(percent(None), "—");
        assert_eq!(score(Some(87.456)), "87.46");
        assert_eq!(chars("路灯坏了abc"), 7);
        assert_eq!(optional("  "), None);
        assert_eq!(optional(" 东常村 ").as_deref(), Some("东常村"));
    }

    #[test]
    fn months() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 15).expect("date");
        assert_eq!(month_of(d), "2026-01");
        assert_eq!(previous_month(d), "2025-12");
    }

    #[test]
    fn changes_are_signed_percentages() {
        assert_eq!(signed_percent(Some(0.125)), "+12.5%");
        assert_eq!(signed_percent(Some(-0.03)), "-3.0%");
        assert_eq!(signed_percent(Some(0.0)), "0.0%");
        assert_eq!(signed_percent(Some(-0.0001)), "0.0%", "no minus zero");
        assert_eq!(signed_percent(Some(2.0)), "+200.0%");
        assert_eq!(signed_percent(Some(-1.0)), "-100.0%");
        assert_eq!(signed_percent(None), "—");
        assert_eq!(signed_percent(Some(f64::INFINITY)), "—");
    }

    #[test]
    fn iso_weeks() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(iso_week(d(2026, 11, 23)), "2026-W48");
        // 1 January 2027 is a Friday: still the last week of 2026 (53 weeks that year).
        assert_eq!(iso_week(d(2027, 1, 1)), "2026-W53");
        assert_eq!(iso_week(d(2025, 12, 29)), "2026-W01");
        assert_eq!(
            weeks_before(d(2026, 1, 7), 3),
            vec!["2026-W01", "2025-W52", "2025-W51"]
        );
        assert!(weeks_before(d(2026, 1, 7), 0).is_empty());
    }

    #[test]
    fn masked_contacts_say_so() {
        assert_eq!(
            contact(Some("褚**"), Some("138****5678"), true, &ZH),
            "褚** · 138****5678（已脱敏）"
        );
        assert_eq!(contact(Some("褚晓明"), None, false, &ZH), "褚晓明");
        assert_eq!(contact(None, None, false, &ZH), "未留联系方式");
    }
}

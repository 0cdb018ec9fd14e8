//! Deadline arithmetic (限时办理): working days by the Chinese calendar (weekends off, public
//! holidays off, adjusted working weekends (调休) on), in Asia/Shanghai, where "a day" is
//! reckoned; instants stay UTC.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use minhu_types::{Light, SpanUnit, TimeSpan};

/// Shanghai is UTC+8 all year (no daylight saving since 1991).
const OFFSET_HOURS: i64 = 8;

/// The days that differ from the weekly rhythm: `false` for a holiday on a weekday, `true` for
/// a weekend day worked (调休).
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    exceptions: BTreeMap<NaiveDate, bool>,
}

impl Calendar {
    pub fn new(exceptions: impl IntoIterator<Item = (NaiveDate, bool)>) -> Calendar {
        Calendar {
            exceptions: exceptions.into_iter().collect(),
        }
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.exceptions.get(&d) {
            Some(working) => *working,
            None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The `n`-th working day after `d` (not counting `d`).
    pub fn nth_working_day_after(&self, d: NaiveDate, n: u32) -> NaiveDate {
        let mut day = d;
        let mut left = n;
        // A year without working days would be a broken calendar; stop rather than loop.
        for _ in 0..3_660 {
            if left == 0 {
                break;
            }
            day = day.succ_opt().unwrap_or(day);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// The working day before `d` (not counting `d`).
    pub fn previous_working_day(&self, d: NaiveDate) -> NaiveDate {
        let mut day = d;
        for _ in 0..3_660 {
            day = day.pred_opt().unwrap_or(day);
            if self.is_working_day(day) {
                break;
            }
        }
        day
    }
}

/// The local (Asia/Shanghai) date of a UTC instant.
pub fn local_date(t: NaiveDateTime) -> NaiveDate {
    (t + Duration::hours(OFFSET_HOURS)).date()
}

/// The UTC instant of local midnight starting `d`.
pub fn local_midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_hms_opt(0, 0, 0).unwrap_or_default() - Duration::hours(OFFSET_HOURS)
}

/// When a span that starts at `start` runs out. Minutes, hours and days are elapsed time;
/// working days end at local midnight after the `n`-th working day following the start's day
/// ("within 1 working day" of Friday afternoon is by the end of Monday).
pub fn deadline(cal: &Calendar, start: NaiveDateTime, span: TimeSpan) -> NaiveDateTime {
    let n = i64::from(span.amount.max(0));
    match span.unit {
        SpanUnit::Minutes => start + Duration::minutes(n),
        SpanUnit::Hours => start + Duration::hours(n),
        SpanUnit::Days => start + Duration::days(n),
        SpanUnit::WorkingDays => {
            let last = cal.nth_working_day_after(local_date(start), span.amount.max(0) as u32);
            local_midnight(last + Duration::days(1))
        }
    }
}

/// The deadline after an approved extension of `days` (calendar days, as the unit asked for
/// them): the extension runs from the old deadline.
pub fn extended(cal: &Calendar, due: NaiveDateTime, days: i32) -> NaiveDateTime {
    let span = TimeSpan {
        amount: days,
        unit: SpanUnit::Days,
    };
    deadline(cal, due, span)
}

/// Deadlines of a week or more turn yellow two working days before they run out ("reply two
/// days before the deadline"); shorter ones when a fifth of the allowed time is left.
pub fn yellow_at(cal: &Calendar, start: NaiveDateTime, due: NaiveDateTime) -> NaiveDateTime {
    let allowed = due - start;
    let at = if allowed >= Duration::days(5) {
        // The deadline's last day, then the working day before it: from that day's start,
        // less than two working days remain.
        let last_day = local_date(due - Duration::seconds(1));
        let last_working = if cal.is_working_day(last_day) {
            last_day
        } else {
            cal.previous_working_day(last_day)
        };
        local_midnight(cal.previous_working_day(last_working))
    } else {
        due - allowed / 5
    };
    at.clamp(start, due)
}

/// The light of an order still waiting for its unit; a finished one is green.
pub fn light(
    now: NaiveDateTime,
    yellow_at: NaiveDateTime,
    due: NaiveDateTime,
    finished: bool,
) -> Light {
    if finished {
        Light::Green
    } else if now > due {
        Light::Red
    } else if now >= yellow_at {
        Light::Yellow
    } else {
        Light::Green
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    /// A local (Shanghai) time as the UTC instant it is.
    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        date(y, m, d).and_hms_opt(h, min, 0).expect("valid time") - Duration::hours(8)
    }

    /// 2026's National Day week: 1–7 October off, Sunday 20 September and Saturday 10 October
    /// worked (调休).
    fn national_day_2026() -> Calendar {
        let mut days: Vec<(NaiveDate, bool)> =
            (1..=7).map(|d| (date(2026, 10, d), false)).collect();
        days.push((date(2026, 9, 20), true));
        days.push((date(2026, 10, 10), true));
        Calendar::new(days)
    }

    fn span(amount: i32, unit: SpanUnit) -> TimeSpan {
        TimeSpan { amount, unit }
    }

    #[test]
    fn working_days_skip_weekends_and_holidays_and_count_adjusted_weekends() {
        let cal = national_day_2026();
        assert!(!cal.is_working_day(date(2026, 10, 1)));
        assert!(cal.is_working_day(date(2026, 10, 10)), "调休 Saturday");
        assert!(cal.is_working_day(date(2026, 9, 20)), "调休 Sunday");
        assert!(
            !cal.is_working_day(date(2026, 10, 11)),
            "an ordinary Sunday"
        );
        // Wednesday 30 September + 3 working days: 8, 9 and (Saturday) 10 October.
        assert_eq!(
            cal.nth_working_day_after(date(2026, 9, 30), 3),
            date(2026, 10, 10)
        );
        assert_eq!(
            cal.previous_working_day(date(2026, 10, 8)),
            date(2026, 9, 30)
        );
    }

    #[test]
    fn deadlines_in_each_unit() {
        let cal = national_day_2026();
        let start = local(2026, 9, 30, 15, 0);
        assert_eq!(
            deadline(&cal, start, span(30, SpanUnit::Minutes)),
            start + Duration::minutes(30)
        );
        assert_eq!(
            deadline(&cal, start, span(2, SpanUnit::Hours)),
            start + Duration::hours(2)
        );
        assert_eq!(
            deadline(&cal, start, span(7, SpanUnit::Days)),
            start + Duration::days(7)
        );
        // 7 working days over the holiday week: 8, 9, 10 (调休), 12, 13, 14, 15 October,
        // so the end of Thursday 15 October, Shanghai time.
        assert_eq!(
            deadline(&cal, start, span(7, SpanUnit::WorkingDays)),
            local(2026, 10, 16, 0, 0)
        );
        // One working day from Friday afternoon is the end of Monday.
        let friday = local(2026, 11, 27, 16, 0);
        assert_eq!(
            deadline(&cal, friday, span(1, SpanUnit::WorkingDays)),
            local(2026, 12, 1, 0, 0)
        );
    }

    #[test]
    fn month_ends_and_time_zone() {
        let cal = Calendar::default();
        // 23:30 UTC on 30 November is already 1 December in Shanghai (a Tuesday).
        let start = NaiveDate::from_ymd_opt(2026, 11, 30)
            .and_then(|d| d.and_hms_opt(23, 30, 0))
            .expect("valid");
        assert_eq!(local_date(start), date(2026, 12, 1));
        assert_eq!(
            deadline(&cal, start, span(1, SpanUnit::WorkingDays)),
            local(2026, 12, 3, 0, 0)
        );
        // From the last working day of February over the month end.
        let feb = local(2027, 2, 26, 10, 0);
        assert_eq!(
            deadline(&cal, feb, span(2, SpanUnit::WorkingDays)),
            local(2027, 3, 3, 0, 0)
        );
    }

    #[test]
    fn lights() {
        let cal = national_day_2026();
        // An emergency order due in 2 hours turns yellow with 24 minutes left.
        let start = local(2026, 11, 23, 9, 0);
        let due = start + Duration::hours(2);
        let y = yellow_at(&cal, start, due);
        assert_eq!(y, due - Duration::minutes(24));
        assert_eq!(
            light(start + Duration::minutes(95), y, due, false),
            Light::Green
        );
        assert_eq!(
            light(start + Duration::minutes(96), y, due, false),
            Light::Yellow
        );
        assert_eq!(light(due + Duration::seconds(1), y, due, false), Light::Red);
        assert_eq!(
            light(due + Duration::seconds(1), y, due, true),
            Light::Green,
            "finished orders are not red"
        );
        // A 7-day order due Monday 30 November 09:00: yellow from the start of Friday 27th,
        // when less than two working days (Friday and Monday morning) are left.
        let start = local(2026, 11, 23, 9, 0);
        let due = start + Duration::days(7);
        assert_eq!(yellow_at(&cal, start, due), local(2026, 11, 27, 0, 0));
        // Across the holiday: due the end of 15 October, yellow from the start of the 14th.
        let start = local(2026, 9, 30, 15, 0);
        let due = deadline(&cal, start, span(7, SpanUnit::WorkingDays));
        assert_eq!(yellow_at(&cal, start, due), local(2026, 10, 14, 0, 0));
    }
}

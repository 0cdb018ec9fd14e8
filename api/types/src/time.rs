//! Times written as chrono writes them (RFC 3339 in UTC with `Z`, the fraction of a second in
//! 0, 3, 6 or 9 digits as it needs), but into one buffer and handed to the serializer as one
//! string: chrono's own `Serialize` goes through `collect_str`, and serde_json escapes each of
//! the twenty-odd pieces `Display` writes, which made a page's times a tenth of its cost.
//! Fields take them with `#[serde(serialize_with = "crate::time::rfc3339")]` (or
//! `rfc3339_opt`); reading is chrono's own.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serializer;

/// Writes `t` as chrono's `Serialize` would.
pub fn rfc3339<S: Serializer>(t: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 30];
    match write(t, &mut buf) {
        Some(text) => serializer.serialize_str(text),
        // Years outside 0–9999 and leap seconds: chrono's own, rare and long.
        None => serde::Serialize::serialize(t, serializer),
    }
}

/// [`rfc3339`] for an optional time (`null` when absent).
pub fn rfc3339_opt<S: Serializer>(
    t: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => rfc3339(t, serializer),
        None => serializer.serialize_none(),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff[fff[fff]]]Z` in `buf`, or `None` where chrono writes another shape.
fn write<'a>(t: &DateTime<Utc>, buf: &'a mut [u8; 30]) -> Option<&'a str> {
    let (year, nanos) = (t.year(), t.nanosecond());
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return None;
    }
    buf[..19].copy_from_slice(b"0000-00-00T00:00:00");
    // `value` in `width` digits at `at`, over the template's zeros.
    let mut digits = |at: usize, value: u32, width: usize| {
        let mut v = value;
        for i in (at..at + width).rev() {
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    digits(0, year as u32, 4);
    digits(5, t.month(), 2);
    digits(8, t.day(), 2);
    digits(11, t.hour(), 2);
    digits(14, t.minute(), 2);
    digits(17, t.second(), 2);
    let (fraction, width) = match nanos {
        0 => (0, 0),
        n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
        n if n % 1_000 == 0 => (n / 1_000, 6),
        n => (n, 9),
    };
    let mut end = 19;
    if width > 0 {
        digits(20, fraction, width);
        buf[19] = b'.';
        end = 20 + width;
    }
    buf[end] = b'Z';
    std::str::from_utf8(&buf[..=end]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn ours(t: &DateTime<Utc>) -> String {
        let mut out = Vec::new();
        rfc3339(t, &mut serde_json::Serializer::new(&mut out)).expect("serialize");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn times_are_written_exactly_as_chrono_writes_them() {
        let chrono = |t: &DateTime<Utc>| serde_json::to_string(t).expect("serialize");
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let base = Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap().timestamp();
        let end = Utc
            .with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
            .unwrap()
            .timestamp();
        let mut seen = Vec::new();
        for i in 0..20_000u64 {
            let secs = base + (next() % (end - base + 1) as u64) as i64;
            // Every shape of fraction: none, milli, micro, nano, and their edges.
            let nanos = match i % 6 {
                0 => 0,
                1 => (next() % 1_000) as u32 * 1_000_000,
                2 => (next() % 1_000_000) as u32 * 1_000,
                3 => (next() % 1_000_000_000) as u32,
                4 => 999_999_999,
                _ => 1,
            };
            let t = Utc.timestamp_opt(secs, nanos).unwrap();
            assert_eq!(ours(&t), chrono(&t), "{secs} {nanos}");
            seen.push(t);
        }
        // And the shapes chrono writes differently: before year 0, after 9999, a leap second.
        for t in [
            Utc.with_ymd_and_hms(-1, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
            Utc.timestamp_opt(1_483_228_799, 1_500_000_000).unwrap(),
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
        ] {
            assert_eq!(ours(&t), chrono(&t));
        }
        assert_eq!(serde_json::to_string(&Some(seen[0])).expect("some"), {
            let mut out = Vec::new();
            rfc3339_opt(&Some(seen[0]), &mut serde_json::Serializer::new(&mut out))
                .expect("serialize");
            String::from_utf8(out).expect("utf-8")
        });
        let mut out = Vec::new();
        rfc3339_opt(&None, &mut serde_json::Serializer::new(&mut out)).expect("none");
        assert_eq!(out, b"null");
    }
}

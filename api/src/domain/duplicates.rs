//! Repeat petitions (并单): which open petitions are likely the same matter as another.
//!
//! Finding candidates must not read every open petition. Each open petition keeps a small
//! sketch of its text in an index: the [`SKETCH`] character bigrams (see
//! [`super::knowledge::terms`]) whose hashes are smallest (a bottom-k MinHash sketch). Two
//! texts that share many bigrams share many of their smallest ones, so looking up a petition's
//! [`PROBE`] smallest hashes in its category finds the likely repeats; [`similarity`] then
//! scores those few candidates on their whole text, their place and their dates.

use std::collections::HashSet;

use chrono::NaiveDateTime;

use super::knowledge::terms;

/// Hashes an open petition keeps in the index.
pub const SKETCH: usize = 32;
/// Hashes of the petition under triage that are looked up (more than [`SKETCH`], so that a
/// longer text's sketch still meets a shorter one's).
pub const PROBE: usize = 64;
/// Postings read per looked-up hash, newest first: a very common bigram costs no more than this.
pub const POSTINGS_PER_TERM: usize = 400;
/// Candidates scored on their whole text.
pub const CANDIDATES: usize = 40;
/// Suggestions returned.
pub const SHOWN: usize = 5;
/// Below this share of common bigrams a petition is not suggested, whatever its place or date.
pub const MIN_TEXT: f64 = 0.15;

/// A stable 32-bit hash of a term (FNV-1a, then a finaliser that spreads the bits), the same in
/// every build, so the stored index stays valid across releases.
pub fn term_hash(term: &str) -> i32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in term.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h as i32
}

/// The text a petition is compared by.
pub fn text_of(title: &str, content: &str) -> String {
    format!("{title}\n{content}")
}

/// The `k` smallest distinct hashes of the text's terms, ascending.
pub fn smallest_hashes(text: &str, k: usize) -> Vec<i32> {
    let mut hashes: Vec<i32> = terms(text).iter().map(|t| term_hash(t)).collect();
    hashes.sort_unstable();
    hashes.dedup();
    hashes.truncate(k);
    hashes
}

/// What a petition is compared on.
#[derive(Debug, Clone)]
pub struct Doc<'a> {
    pub title: &'a str,
    pub content: &'a str,
    pub address: Option<&'a str>,
    pub coords: Option<(f64, f64)>,
    pub created_at: NaiveDateTime,
}

/// How alike two petitions are, 0–1 each.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// The weighted whole: 0.6 text, 0.25 place, 0.15 dates.
    pub score: f64,
    /// Dice coefficient of the two texts' term sets.
    pub text: f64,
    /// 1 within 100 m, falling to 0 at 1 km; without coordinates, the addresses' Dice
    /// coefficient; 0 when either has neither.
    pub place: f64,
    /// 1 within a day of each other, falling to 0 at 30 days.
    pub time: f64,
}

fn dice(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    // Both are sets already (`terms` keeps each term once).
    // Both are sets already (`terms` keeps each term once).
    let b: HashSet<&str> = b.iter().map(String::as_str).collect();
    let common = a.iter().filter(|t| b.contains(t.as_str())).count();
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

/// Great-circle distance in metres.
fn metres((lat1, lon1): (f64, f64), (lat2, lon2): (f64, f64)) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * a.sqrt().asin()
}

fn place(a: &Doc<'_>, b: &Doc<'_>) -> f64 {
    if let (Some(x), Some(y)) = (a.coords, b.coords) {
        let d = metres(x, y);
        return (1.0 - (d - 100.0).max(0.0) / 900.0).clamp(0.0, 1.0);
    }
    match (a.address, b.address) {
        (Some(x), Some(y)) => dice(&terms(x), &terms(y)),
        _ => 0.0,
    }
}

/// How alike `b` is to `a`, given `a`'s terms (computed once per suggestion list).
pub fn similarity(a: &Doc<'_>, a_terms: &[String], b: &Doc<'_>) -> Similarity {
    let text = dice(a_terms, &terms(&text_of(b.title, b.content)));
    let place = place(a, b);
    let days = (a.created_at - b.created_at).num_minutes().abs() as f64 / 1440.0;
    let time = (1.0 - (days - 1.0).max(0.0) / 29.0).clamp(0.0, 1.0);
    let score = 0.6 * text + 0.25 * place + 0.15 * time;
    Similarity {
        score: (score * 1000.0).round() / 1000.0,
        text,
        place,
        time,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
    }

    fn doc<'a>(title: &'a str, content: &'a str, address: &'a str, day: u32) -> Doc<'a> {
        Doc {
            title,
            content,
            address: Some(address),
            coords: None,
            created_at: at(day),
        }
    }

    #[test]
    fn the_hash_is_fixed_forever() {
        // Stored in the index: changing the function would orphan every posting, so its
        // values are pinned (computed once by an independent Python transcription).
        assert_ne!(term_hash("路灯"), term_hash("灯路"));
        assert_eq!(
            [term_hash("停水"), term_hash("路灯"), term_hash("etc")],
            [1_786_028_367, 717_558_803, 156_353_405]
        );
    }

    #[test]
    fn a_sketch_is_the_smallest_distinct_hashes() {
        let s = smallest_hashes("小区路灯坏了，路灯坏了好久", 3);
        assert_eq!(s.len(), 3);
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        let all = smallest_hashes("小区路灯坏了，路灯坏了好久", 100);
        assert_eq!(&all[..3], &s[..]);
        assert!(smallest_hashes("，。", 8).is_empty());
    }

    #[test]
    fn similar_texts_share_their_smallest_hashes() {
        let a = smallest_hashes(
            "幸福小区东门口的路灯坏了一个多月，晚上漆黑一片，老人孩子出门很不安全，希望尽快修好",
            SKETCH,
        );
        let b = smallest_hashes(
            "幸福小区东门路灯一个多月不亮了，晚上出门一片漆黑，很不安全，请尽快派人修理",
            PROBE,
        );
        let shared = a.iter().filter(|h| b.contains(h)).count();
        assert!(shared >= 8, "shared {shared}");
    }

    #[test]
    fn a_reworded_repeat_scores_above_an_unrelated_matter() {
        let new = doc(
            "东门路灯不亮",
            "幸福小区东门路灯一个多月不亮了，晚上出门一片漆黑，请尽快派人修理",
            "修武县幸福小区东门",
            20,
        );
        let new_terms = terms(&text_of(new.title, new.content));
        let repeat = doc(
            "小区路灯坏了",
            "幸福小区东门口的路灯坏了一个多月，晚上漆黑一片，老人孩子出门很不安全",
            "修武县幸福小区",
            18,
        );
        let unrelated = doc(
            "垃圾清运不及时",
            "幸福小区的垃圾桶满了三天没人清运，气味很大",
            "修武县幸福小区",
            19,
        );
        let r = similarity(&new, &new_terms, &repeat);
        let u = similarity(&new, &new_terms, &unrelated);
        assert!(r.score > u.score, "{r:?} vs {u:?}");
        assert!(r.text >= MIN_TEXT, "{r:?}");
        assert!(u.text < MIN_TEXT, "{u:?}");
        assert!((0.0..=1.0).contains(&r.score));
    }

    #[test]
    fn place_by_coordinates_then_by_address() {
        let mut a = doc("t", "c", "修武县幸福小区", 1);
        let mut b = doc("t", "c", "修武县幸福小区", 1);
        assert_eq!(place(&a, &b), 1.0);
        a.coords = Some((35.2290, 113.4470));
        b.coords = Some((35.2290, 113.4470));
        assert_eq!(place(&a, &b), 1.0);
        b.coords = Some((35.2390, 113.4470)); // about 1.1 km north
        assert_eq!(place(&a, &b), 0.0);
        b.coords = Some((35.2335, 113.4470)); // about 500 m
        let p = place(&a, &b);
        assert!(p > 0.4 && p < 0.7, "{p}");
        b.address = None;
        b.coords = None;
        assert_eq!(place(&a, &b), 0.0);
    }

    #[test]
    fn recent_petitions_weigh_more() {
        let a = doc("路灯坏了", "路灯坏了", "x", 30);
        let t = terms(&text_of(a.title, a.content));
        let same_day = similarity(&a, &t, &doc("路灯坏了", "路灯坏了", "x", 30));
        let month_ago = similarity(&a, &t, &doc("路灯坏了", "路灯坏了", "x", 1));
        assert_eq!(same_day.time, 1.0);
        // 29 days apart: one day before the weight reaches 0 at 30.
        assert!((month_ago.time - 1.0 / 29.0).abs() < 1e-9, "{month_ago:?}");
        assert!(same_day.score > month_ago.score);
        assert_eq!(same_day.score, 1.0);
    }
}

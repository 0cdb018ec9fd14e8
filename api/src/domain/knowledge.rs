//! Chinese-aware matching for the knowledge base: texts are compared by their character
//! bigrams (Chinese has no spaces to split words at), Latin letters and digits by words.

use std::collections::HashSet;

/// The terms of a text: each pair of neighbouring Chinese characters (a lone one on its own)
/// and each lower-cased run of ASCII letters or digits.
pub fn terms(text: &str) -> Vec<String> {
    // Distinct terms in order of first appearance; the set keeps a 4,000-character petition
    // (repeat suggestions score dozens per request) from costing a quadratic search.
    let mut seen: HashSet<String> = HashSet::new();
    let mut out: Vec<String> = Vec::new();
    let mut push = |t: String| {
        if seen.insert(t.clone()) {
            out.push(t);
        }
    };
    let mut han: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_han = |han: &mut Vec<char>, push: &mut dyn FnMut(String)| {
        match han.len() {
            0 => {}
            1 => push(han[0].to_string()),
            _ => han.windows(2).for_each(|w| push(w.iter().collect())),
        }
        han.clear();
    };
    for c in text.chars() {
        if is_han(c) {
            if !word.is_empty() {
                push(std::mem::take(&mut word));
            }
            han.push(c);
        } else if c.is_ascii_alphanumeric() {
            flush_han(&mut han, &mut push);
            word.push(c.to_ascii_lowercase());
        } else {
            flush_han(&mut han, &mut push);
            if !word.is_empty() {
                push(std::mem::take(&mut word));
            }
        }
    }
    flush_han(&mut han, &mut push);
    if !word.is_empty() {
        push(word);
    }
    out
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// How much of the query a text covers: the share of the query's terms found in it (0–1).
pub fn score(query: &[String], text: &str) -> f64 {
    if query.is_empty() {
        return 0.0;
    }
    let text = text.to_lowercase();
    let found = query.iter().filter(|t| text.contains(t.as_str())).count();
    found as f64 / query.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_by_bigrams_latin_by_words() {
        assert_eq!(terms("停水通知"), ["停水", "水通", "通知"]);
        assert_eq!(terms("水"), ["水"]);
        assert_eq!(terms("ETC 办理"), ["etc", "办理"]);
        assert_eq!(terms("12345热线"), ["12345", "热线"]);
        assert!(terms("，。！ ").is_empty());
    }

    #[test]
    fn a_reworded_question_still_matches() {
        let q = terms("我家停水了什么时候来水");
        let same = "小区停水了，什么时候恢复供水？";
        let other = "路灯不亮找谁修？";
        assert!(score(&q, same) > 0.4, "{}", score(&q, same));
        assert!(score(&q, other) < 0.1, "{}", score(&q, other));
        assert!(score(&q, same) > score(&q, other));
        assert_eq!(score(&[], same), 0.0);
    }
}

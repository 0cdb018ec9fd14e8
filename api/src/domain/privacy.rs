//! Personal information (个人信息保护): who may see a petitioner's contact details, and how they
//! are masked for everyone else — 褚某, 138****5678, a street-level address, and phone numbers,
//! ID numbers and e-mail addresses typed into free text.

use minhu_types::{PetitionStatus, Role};

/// Statuses whose petitions stay out of the public feed even with the petitioner's consent:
/// not yet past triage, or refused, or withdrawn.
pub const NOT_PUBLISHED: [PetitionStatus; 4] = [
    PetitionStatus::Submitted,
    PetitionStatus::NeedsInfo,
    PetitionStatus::Rejected,
    PetitionStatus::Withdrawn,
];

/// Whether a petition is in the public feed (and its photos public).
pub fn in_public_feed(status: PetitionStatus, publish_consent: bool, hidden: bool) -> bool {
    publish_consent && !hidden && !NOT_PUBLISHED.contains(&status)
}

/// May this caller see the petitioner's name, phone, account and exact address?
/// The petitioner and the hotline office always; the handling units unless the petition is
/// anonymous; nobody else.
pub fn sees_contact(
    role: Role,
    is_petitioner: bool,
    unit_handles_order: bool,
    anonymous: bool,
) -> bool {
    is_petitioner
        || role == Role::Operator
        || (role == Role::Handler && unit_handles_order && !anonymous)
}

/// Which lists show personal data, the one rule for all of them: a petitioner's list of their
/// own petitions, and the hotline office's working lists (a unit's inbox as the office sees it,
/// the supervision board, triage suggestions), where it calls people back. The general petition
/// list is for finding petitions and is masked for everyone but the petitioner; a petition's
/// own page follows [`sees_contact`]. Every unmasked list row is audited.
pub fn list_unmasked(role: Role, own: bool, working_list: bool) -> bool {
    own || (working_list && role == Role::Operator)
}

/// 褚晓明 → 褚某.
pub fn mask_name(name: &str) -> String {
    match name.trim().chars().next() {
        Some(first) => format!("{first}某"),
        None => String::new(),
    }
}

/// The contact_phone field: a +86 / 0086 / 86 country code and everything but the digits
/// (full-width ones included) are dropped first. 11 digits or more → 138****5678; 7 to 10
/// (a local number without area code) → *****78; anything shorter → ****78.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<u8> = phone.chars().filter_map(digit).collect();
    let plus = phone.trim_start().starts_with(PLUS);
    let digits = strip_country_code(&digits, plus).unwrap_or(digits);
    match digits.len() {
        n if n >= 11 => keep_head_and_tail(&digits),
        n if n >= 7 => keep_last_two(&digits),
        n => format!("****{}", digit_string(&digits[n.saturating_sub(2)..])),
    }
}

/// Keeps an address down to its street (路/街/道/巷) or town and village level (镇/乡/村):
/// 修武县郇封镇东常村东街12号 → 修武县郇封镇…
pub fn mask_address(address: &str) -> String {
    const LEVELS: [char; 7] = ['镇', '乡', '街', '路', '道', '巷', '村'];
    let chars: Vec<char> = address.trim().chars().collect();
    match chars.iter().position(|c| LEVELS.contains(c)) {
        Some(i) if i + 1 < chars.len() => format!("{}…", chars[..=i].iter().collect::<String>()),
        Some(_) => chars.iter().collect(),
        None => {
            let keep = chars.len().min(6);
            format!("{}…", chars[..keep].iter().collect::<String>())
        }
    }
}

/// Coordinates for masked views: about a kilometre (two decimals).
pub fn blur_coordinate(c: f64) -> f64 {
    (c * 100.0).round() / 100.0
}

/// Masks personal data typed into free text (titles, content, replies, notes):
///
/// - mobile numbers (11 digits starting with 1) → 138****5678;
/// - landlines with an area code (0 + 9–11 digits, also `(0391)…`, `（0391）…`) → the first
///   three digits and the last four, 039****4567, like mobile numbers;
/// - ID card numbers (18 characters with a valid birth date, the last a digit or X; old
///   15-digit ones) → the first three and the last two characters, 410*************3X;
/// - e-mail addresses → the first character of the local part, z***@example.com;
/// - other runs of 7 to 10 digits (local numbers without an area code) → *****78.
///
/// Numbers count however they are written: full-width digits, groups joined by a space, a
/// hyphen, a dot, a dash or an ideographic space, glued to the surrounding text. A +86, 0086
/// or 86 country code in front of a mobile number (after +86 or 0086 also of a landline)
/// comes out as `+86 `. What is clearly not personal stays as written: dates (20261123, with a
/// year 1900–2099), tracking numbers (20261123-000042), year ranges (2024-2026), numbers with a
/// unit or currency (2345678元, ¥1500000) and anything shorter than 7 digits (12号, 2026年,
/// 3单元502室). All other text is returned unchanged, and masking twice changes nothing more.
pub fn mask_text(text: &str) -> String {
    // Every number masked has seven digits or more and every e-mail address an @: a text
    // without them comes back as written without being scanned (a list page masks forty
    // texts; the scan was a fifth of the server's work for the officials' list).
    let numbers = if text.chars().filter(|&c| is_digit(c)).nth(6).is_some() {
        mask_numbers(text)
    } else {
        text.to_owned()
    };
    if numbers.contains(['@', '＠']) {
        mask_emails(&numbers)
    } else {
        numbers
    }
}

/// ASCII and full-width (０–９) digits.
fn digit(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '\u{FF10}'..='\u{FF19}' => Some((c as u32 - 0xFF10) as u8),
        _ => None,
    }
}

fn is_digit(c: char) -> bool {
    digit(c).is_some()
}

fn digit_string(digits: &[u8]) -> String {
    digits.iter().map(|&d| char::from(b'0' + d)).collect()
}

fn number(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |n, &d| n * 10 + u32::from(d))
}

fn is_date(year: u32, month: u32, day: u32) -> bool {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

fn is_year(digits: &[u8]) -> bool {
    digits.len() == 4 && (1900..=2099).contains(&number(digits))
}

/// YYYYMMDD with a year 1900–2099.
fn is_yyyymmdd(digits: &[u8]) -> bool {
    digits.len() == 8
        && is_year(&digits[..4])
        && is_date(
            number(&digits[..4]),
            number(&digits[4..6]),
            number(&digits[6..]),
        )
}

fn is_mobile(digits: &[u8]) -> bool {
    digits.len() == 11 && digits[0] == 1
}

/// 0, an area code and the local number: 10 to 12 digits (0086 is a country code).
fn is_landline(digits: &[u8]) -> bool {
    (10..=12).contains(&digits.len()) && digits[0] == 0 && digits[1] != 0
}

/// 18 digits, or 17 and an X (`x_last`), with a birth date at 6..14; or 15 digits (before
/// 1999) with a YYMMDD birth date at 6..12. Region codes start with 1–9.
fn is_id_number(digits: &[u8], x_last: bool) -> bool {
    match (digits.len(), x_last) {
        (18, false) | (17, true) => digits[0] != 0 && is_yyyymmdd(&digits[6..14]),
        (15, false) => {
            let (yy, mm, dd) = (&digits[6..8], &digits[8..10], &digits[10..12]);
            digits[0] != 0 && is_date(1900 + number(yy), number(mm), number(dd))
        }
        _ => false,
    }
}

/// The national number behind a +86 / 0086 / 86 country code, if `digits` starts with one:
/// a mobile number, or after +86 (`plus`) or 0086 also a landline, with or without its
/// leading 0 (+86 10 1234 5678 → 01012345678).
fn strip_country_code(digits: &[u8], plus: bool) -> Option<Vec<u8>> {
    let rest = if digits.starts_with(&[0, 0, 8, 6]) {
        &digits[4..]
    } else if digits.starts_with(&[8, 6]) {
        &digits[2..]
    } else {
        return None;
    };
    if is_mobile(rest) {
        return Some(rest.to_vec());
    }
    if (!plus && digits[0] != 0) || rest.is_empty() {
        return None;
    }
    let national = if rest[0] == 0 {
        rest.to_vec()
    } else {
        [&[0u8][..], rest].concat()
    };
    is_landline(&national).then_some(national)
}

/// 13812345678 → 138****5678.
fn keep_head_and_tail(digits: &[u8]) -> String {
    let tail = &digits[digits.len() - 4..];
    format!("{}****{}", digit_string(&digits[..3]), digit_string(tail))
}

/// 2345678 → *****78.
fn keep_last_two(digits: &[u8]) -> String {
    let n = digits.len();
    format!("{}{}", "*".repeat(n - 2), digit_string(&digits[n - 2..]))
}

/// 41012319900101123X → 410*************3X (as long as the number).
fn mask_id_number(digits: &[u8], x_last: bool) -> String {
    let mut chars = digit_string(digits);
    if x_last {
        chars.push('X');
    }
    let n = chars.len();
    format!("{}{}{}", &chars[..3], "*".repeat(n - 5), &chars[n - 2..])
}

/// Between the groups of one number: a space, a mark, or a mark with spaces around it.
const SPACES: [char; 3] = [' ', '\u{3000}', '\u{a0}'];
const MARKS: [char; 9] = ['-', '.', '－', '．', '–', '—', '‐', '‑', '−'];
const HYPHENS: [char; 6] = ['-', '－', '–', '—', '‐', '‑'];
const PLUS: [char; 2] = ['+', '＋'];
const OPEN: [char; 2] = ['(', '（'];
const CLOSE: [char; 2] = [')', '）'];
const X: [char; 4] = ['X', 'x', 'Ｘ', 'ｘ'];
/// A run directly followed by one of these is a quantity, not a phone number.
const UNITS: [char; 14] = [
    '元', '万', '亿', '块', '年', '月', '日', '岁', '%', '％', '人', '次', '个', '米',
];
const CURRENCY: [char; 4] = ['¥', '￥', '$', '＄'];

#[derive(Clone, Copy, PartialEq)]
enum Lead {
    None,
    /// `+` before the first group.
    Plus,
    /// `(` before an area code: (0391)1234567.
    Paren,
}

/// Digit groups joined by separators, where numbers are looked for; a number always spans
/// whole groups.
struct Chain {
    start: usize,
    lead: Lead,
    /// Char ranges of the groups.
    groups: Vec<(usize, usize)>,
}

/// A number found in a chain: groups `first..=last`, shown as `text`.
struct Found {
    last: usize,
    text: String,
    /// Written with a country code (then the `+` is part of it).
    country_code: bool,
    /// Ends with the X after the last group.
    x_last: bool,
}

fn group_end(cs: &[char], start: usize) -> usize {
    let mut end = start;
    while end < cs.len() && is_digit(cs[end]) {
        end += 1;
    }
    end
}

/// The digit group starting at `start`, unless it is what is left visible of a masked number
/// (up to four digits next to a `*`): masking again must not join it with what is around.
fn live_group(cs: &[char], start: usize) -> Option<usize> {
    if start >= cs.len() || !is_digit(cs[start]) || (start > 0 && is_digit(cs[start - 1])) {
        return None;
    }
    let end = group_end(cs, start);
    let next_to_star = (start > 0 && cs[start - 1] == '*') || cs.get(end) == Some(&'*');
    (end - start > 4 || !next_to_star).then_some(end)
}

fn chain_at(cs: &[char], i: usize) -> Option<Chain> {
    let c = cs[i];
    let (lead, first) = if is_digit(c) {
        (Lead::None, i)
    } else if PLUS.contains(&c) {
        (Lead::Plus, i + 1)
    } else if OPEN.contains(&c) && (i == 0 || !is_digit(cs[i - 1])) {
        (Lead::Paren, i + 1)
    } else {
        return None;
    };
    let end = live_group(cs, first)?;
    if lead == Lead::Paren
        && !((3..=4).contains(&(end - first))
            && digit(cs[first]) == Some(0)
            && cs.get(end).is_some_and(|c| CLOSE.contains(c)))
    {
        return None;
    }
    let mut groups = vec![(first, end)];
    loop {
        let at = groups[groups.len() - 1].1;
        let mut j = at;
        let mut skip = |set: &[char]| {
            if cs.get(j).is_some_and(|c| set.contains(c)) {
                j += 1;
            }
        };
        if lead == Lead::Paren && groups.len() == 1 {
            skip(&CLOSE);
            skip(&SPACES);
        } else {
            skip(&SPACES);
            skip(&MARKS);
            skip(&SPACES);
        }
        match (j > at).then(|| live_group(cs, j)).flatten() {
            Some(end) => groups.push((j, end)),
            None => break,
        }
    }
    if lead == Lead::Paren && groups.len() < 2 {
        return None;
    }
    Some(Chain {
        start: i,
        lead,
        groups,
    })
}

/// The longest mobile number, landline or ID number starting at group `k`.
fn find_specific(cs: &[char], chain: &Chain, ds: &[Vec<u8>], k: usize) -> Option<Found> {
    let plus = k == 0 && chain.lead == Lead::Plus;
    let mut digits = Vec::new();
    let mut candidates = Vec::new();
    for (m, group) in ds.iter().enumerate().skip(k) {
        digits.extend(group);
        if digits.len() > 18 {
            break;
        }
        candidates.push((m, digits.clone()));
    }
    for (last, d) in candidates.into_iter().rev() {
        let found = |text, country_code, x_last| {
            Some(Found {
                last,
                text,
                country_code,
                x_last,
            })
        };
        let x_after = cs.get(chain.groups[last].1).is_some_and(|c| X.contains(c));
        if is_id_number(&d, false) {
            return found(mask_id_number(&d, false), false, false);
        }
        if x_after && is_id_number(&d, true) {
            return found(mask_id_number(&d, true), false, true);
        }
        if is_mobile(&d) || is_landline(&d) {
            return found(keep_head_and_tail(&d), false, false);
        }
        if let Some(national) = strip_country_code(&d, plus) {
            return found(
                format!("+86 {}", keep_head_and_tail(&national)),
                true,
                false,
            );
        }
    }
    None
}

/// 20261123-000042: a date, a hyphen, six digits.
fn is_tracking_number(cs: &[char], chain: &Chain, ds: &[Vec<u8>], k: usize) -> bool {
    let ((_, end), (next, _)) = (chain.groups[k], chain.groups[k + 1]);
    is_yyyymmdd(&ds[k]) && ds[k + 1].len() == 6 && next == end + 1 && HYPHENS.contains(&cs[end])
}

/// The longest run of 7 to 10 digits starting at group `k` among groups no other number took;
/// when it spans several groups, each has at least three digits (8765 4321).
fn find_other(
    cs: &[char],
    chain: &Chain,
    ds: &[Vec<u8>],
    taken: &[bool],
    k: usize,
) -> Option<Found> {
    let before = if k == 0 {
        chain.start
    } else {
        chain.groups[k].0
    };
    if before > 0 && CURRENCY.contains(&cs[before - 1]) {
        return None;
    }
    let mut digits = Vec::new();
    let mut candidates = Vec::new();
    for m in k..ds.len() {
        if taken[m] || (m > k && (ds[k].len() < 3 || ds[m].len() < 3)) {
            break;
        }
        digits.extend(&ds[m]);
        if digits.len() > 10 {
            break;
        }
        candidates.push((m, digits.clone()));
    }
    candidates.into_iter().rev().find_map(|(last, d)| {
        let year_range = last == k + 1 && is_year(&ds[k]) && is_year(&ds[last]);
        let unit = cs
            .get(chain.groups[last].1)
            .is_some_and(|c| UNITS.contains(c));
        (d.len() >= 7 && !is_yyyymmdd(&d) && !year_range && !unit).then(|| Found {
            last,
            text: keep_last_two(&d),
            country_code: false,
            x_last: false,
        })
    })
}

/// Writes a chain with its numbers masked; returns where it ended.
fn mask_chain(cs: &[char], chain: &Chain, out: &mut String) -> usize {
    let n = chain.groups.len();
    let ds: Vec<Vec<u8>> = chain
        .groups
        .iter()
        .map(|&(s, e)| cs[s..e].iter().filter_map(|&c| digit(c)).collect())
        .collect();
    let mut found: Vec<Option<Found>> = (0..n).map(|_| None).collect();
    let mut taken = vec![false; n];
    // Mobile numbers, landlines and ID numbers first, then the rest.
    let mut k = 0;
    while k < n {
        if k + 1 < n && is_tracking_number(cs, chain, &ds, k) {
            taken[k..=k + 1].fill(true);
            k += 2;
        } else if let Some(f) = find_specific(cs, chain, &ds, k) {
            let next = f.last + 1;
            taken[k..next].fill(true);
            found[k] = Some(f);
            k = next;
        } else {
            k += 1;
        }
    }
    let mut k = 0;
    while k < n {
        match (!taken[k])
            .then(|| find_other(cs, chain, &ds, &taken, k))
            .flatten()
        {
            Some(f) => {
                let next = f.last + 1;
                taken[k..next].fill(true);
                found[k] = Some(f);
                k = next;
            }
            None => k += 1,
        }
    }
    let mut pos = chain.start;
    let mut k = 0;
    while k < n {
        let (start, end) = chain.groups[k];
        match found[k].take() {
            Some(f) => {
                let lead_is_part =
                    chain.lead == Lead::Paren || (chain.lead == Lead::Plus && f.country_code);
                if !(k == 0 && lead_is_part) {
                    out.extend(&cs[pos..start]);
                }
                out.push_str(&f.text);
                pos = chain.groups[f.last].1 + usize::from(f.x_last);
                k = f.last + 1;
            }
            None => {
                out.extend(&cs[pos..end]);
                pos = end;
                k += 1;
            }
        }
    }
    pos
}

fn mask_numbers(text: &str) -> String {
    let cs: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < cs.len() {
        if let Some(chain) = chain_at(&cs, i) {
            i = mask_chain(&cs, &chain, &mut out);
        } else {
            let end = if is_digit(cs[i]) {
                group_end(&cs, i)
            } else {
                i + 1
            };
            out.extend(&cs[i..end]);
            i = end;
        }
    }
    out
}

fn is_wide_alphanumeric(c: char) -> bool {
    matches!(c, '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}')
}

/// May be part of an e-mail's local part; `*` too, so that z***@example.com stays as it is.
fn in_local_part(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._%+-*".contains(c) || is_wide_alphanumeric(c)
}

fn in_domain(c: char) -> bool {
    c.is_ascii_alphanumeric() || ".-*".contains(c)
}

/// A domain has a dot and ends with a label of two letters or more (example.com).
fn is_domain(domain: &[char]) -> bool {
    let top = domain.rsplit(|&c| c == '.').next().unwrap_or_default();
    domain.contains(&'.')
        && !matches!(domain.first(), Some('.' | '-'))
        && top.len() >= 2
        && top.iter().all(char::is_ascii_alphabetic)
}

/// zhang.san@example.com (or ＠) → z***@example.com. Runs after the numbers are masked, so
/// that digits in a local part are gone either way.
fn mask_emails(text: &str) -> String {
    let cs: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for at in 0..cs.len() {
        if at < done || !matches!(cs[at], '@' | '＠') {
            continue;
        }
        let mut start = at;
        while start > done && in_local_part(cs[start - 1]) {
            start -= 1;
        }
        while start < at && !(cs[start].is_ascii_alphanumeric() || is_wide_alphanumeric(cs[start]))
        {
            start += 1;
        }
        let mut end = at + 1;
        while end < cs.len() && in_domain(cs[end]) {
            end += 1;
        }
        while end > at + 1 && matches!(cs[end - 1], '.' | '-') {
            end -= 1;
        }
        if start == at || !is_domain(&cs[at + 1..end]) {
            continue;
        }
        out.extend(&cs[done..=start]);
        out.push_str("***@");
        out.extend(&cs[at + 1..end]);
        done = end;
    }
    out.extend(&cs[done..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_show_contact_only_for_ones_own_and_the_hotline_offices_working_lists() {
        for role in Role::ALL.iter().copied() {
            assert!(list_unmasked(role, true, false), "{role:?}: own petitions");
            assert_eq!(
                list_unmasked(role, false, true),
                role == Role::Operator,
                "{role:?}"
            );
            assert!(
                !list_unmasked(role, false, false),
                "{role:?}: the general list"
            );
        }
    }
    use std::ops::Range;

    #[test]
    fn who_sees_contact_details() {
        assert!(
            sees_contact(Role::Citizen, true, false, true),
            "the petitioner, even anonymous"
        );
        assert!(
            sees_contact(Role::Operator, false, false, true),
            "the hotline office, even anonymous"
        );
        assert!(sees_contact(Role::Handler, false, true, false));
        assert!(
            !sees_contact(Role::Handler, false, true, true),
            "not units when anonymous"
        );
        assert!(
            !sees_contact(Role::Handler, false, false, false),
            "not other units"
        );
        for role in [
            Role::Reporter,
            Role::Leader,
            Role::Admin,
            Role::Citizen,
            Role::Partner,
        ] {
            assert!(!sees_contact(role, false, false, false), "{role:?}");
        }
    }

    #[test]
    fn masks() {
        assert_eq!(mask_name("褚晓明"), "褚某");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_address("修武县郇封镇东常村东街12号"), "修武县郇封镇…");
        assert_eq!(
            mask_address("焦作市解放区民主南路123号3单元"),
            "焦作市解放区民主南路…"
        );
        assert_eq!(mask_address("某小区"), "某小区…");
        assert_eq!(blur_coordinate(35.21987), 35.22);
    }

    #[test]
    fn mask_phone_drops_country_code_and_keeps_little_of_short_numbers() {
        for phone in [
            "138 1234 5678",
            "+86 138-1234-5678",
            "+8613812345678",
            "008613812345678",
            "8613812345678",
            "１３８１２３４５６７８",
        ] {
            assert_eq!(mask_phone(phone), "138****5678", "{phone}");
        }
        assert_eq!(mask_phone("0391-2345678"), "039****5678");
        assert_eq!(mask_phone("(0391)12345678"), "039****5678");
        assert_eq!(mask_phone("+86 391 2345678"), "039****5678");
        assert_eq!(mask_phone("2345678"), "*****78", "7 digits");
        assert_eq!(mask_phone("8765 4321"), "******21");
        assert_eq!(mask_phone("4001234567"), "********67", "10 digits");
        assert_eq!(mask_phone("12345"), "****45");
        assert_eq!(mask_phone(""), "****");
    }

    #[test]
    fn phones_in_free_text() {
        assert_eq!(mask_text("请打13812345678联系我"), "请打138****5678联系我");
        assert_eq!(mask_text("电话 138 1234 5678。"), "电话 138****5678。");
        assert_eq!(
            mask_text("座机0391-2345678 - 谢谢"),
            "座机039****5678 - 谢谢"
        );
        assert_eq!(
            mask_text("工单20261123-000042，2026年"),
            "工单20261123-000042，2026年"
        );
        assert_eq!(
            mask_text("138123456789"),
            "138123456789",
            "12 digits is no phone number"
        );
        assert_eq!(mask_text(""), "");
    }

    #[test]
    fn mobile_numbers_however_written() {
        for (text, masked) in [
            ("13712345678", "137****5678"),
            ("+8613712345678", "+86 137****5678"),
            ("+86 13712345678", "+86 137****5678"),
            ("+86-137-1234-5678", "+86 137****5678"),
            ("＋86 137 1234 5678", "+86 137****5678"),
            ("008613712345678", "+86 137****5678"),
            ("0086 137 1234 5678", "+86 137****5678"),
            ("8613712345678", "+86 137****5678"),
            ("86 137 1234 5678", "+86 137****5678"),
            ("137 1234 5678", "137****5678"),
            ("137-1234-5678", "137****5678"),
            ("137.1234.5678", "137****5678"),
            ("137－1234－5678", "137****5678"),
            ("137–1234–5678", "137****5678"),
            ("137—1234—5678", "137****5678"),
            ("137　1234　5678", "137****5678"),
            ("137 - 1234 - 5678", "137****5678"),
            ("1371234 5678", "137****5678"),
            ("１３７１２３４５６７８", "137****5678"),
            ("1３7１２34５678", "137****5678"),
            ("电话13712345678号楼", "电话137****5678号楼"),
            ("tel13712345678", "tel137****5678"),
            ("手机137 1234 5678号楼下", "手机137****5678号楼下"),
            ("13712345678X", "137****5678X"),
        ] {
            assert_eq!(mask_text(text), masked, "{text}");
        }
    }

    #[test]
    fn landlines_keep_three_digits_and_the_last_four() {
        for (text, masked) in [
            ("0391-1234567", "039****4567"),
            ("(0391)1234567", "039****4567"),
            ("（0391）12345678", "039****5678"),
            ("(0391) 1234567", "039****4567"),
            ("010 1234 5678", "010****5678"),
            ("0391.1234567", "039****4567"),
            ("03911234567", "039****4567"),
            ("０３９１－１２３４５６７", "039****4567"),
            ("+86 391 1234567", "+86 039****4567"),
            ("+86 10 1234 5678", "+86 010****5678"),
            ("座机（0391）1234567转8", "座机039****4567转8"),
        ] {
            assert_eq!(mask_text(text), masked, "{text}");
        }
        assert_eq!(
            mask_text("5(0391)1234567"),
            "5(0391)*****67",
            "no area code after a digit"
        );
    }

    #[test]
    fn id_numbers_keep_three_and_two_characters() {
        for (text, masked) in [
            ("410123199001011234", "410*************34"),
            ("41012319900101123X", "410*************3X"),
            ("41012319900101123x", "410*************3X"),
            ("410123 19900101 123X", "410*************3X"),
            ("410 123 1990 0101 123X", "410*************3X"),
            ("４１０１２３１９９００１０１１２３Ｘ", "410*************3X"),
            ("身份证41012319900101123X号", "身份证410*************3X号"),
            ("410123900101123", "410**********23"),
        ] {
            assert_eq!(mask_text(text), masked, "{text}");
        }
        assert_eq!(
            mask_text("410123199013011234"),
            "410123199013011234",
            "no birth date in it (month 13): not an ID number"
        );
    }

    #[test]
    fn email_addresses() {
        for (text, masked) in [
            ("zhang.san@example.com", "z***@example.com"),
            ("zhang.san＠example.com", "z***@example.com"),
            (
                "请发邮件至zhang.san@example.com。",
                "请发邮件至z***@example.com。",
            ),
            ("邮箱：13812345678@qq.com", "邮箱：1***@qq.com"),
            ("a_b-c@mail.hn.gov.cn.", "a***@mail.hn.gov.cn."),
        ] {
            assert_eq!(mask_text(text), masked, "{text}");
        }
        for text in ["@张三 你好", "a@b", "user@localhost", "z***@example.com"] {
            assert_eq!(mask_text(text), text);
        }
    }

    #[test]
    fn other_phone_numbers_keep_two_digits() {
        for (text, masked) in [
            ("2345678", "*****78"),
            ("8765 4321", "******21"),
            ("家里电话8765-4321，", "家里电话******21，"),
            ("2345678 3号楼", "*****78 3号楼"),
            ("4001234567", "********67"),
            ("8765 4321 13812345678", "******21 138****5678"),
        ] {
            assert_eq!(mask_text(text), masked, "{text}");
        }
    }

    #[test]
    fn non_personal_numbers_stay() {
        for text in [
            "20261123",
            "2026-11-23 10:30",
            "2026.11.23",
            "工单20261123-000042已受理",
            "20261123－000042",
            "12号",
            "1500元",
            "2026年",
            "3单元502室",
            "2024-2026年",
            "1990-2026",
            "1500-2000元",
            "2345678元",
            "¥1500000",
            "12.50元",
            "138123456789",
            "第123456号",
            "电梯坏了😀！“请尽快处理”……——谢谢",
            "👍🏻👨‍👩‍👧",
        ] {
            assert_eq!(mask_text(text), text);
        }
    }

    // Property tests, with a tiny deterministic PRNG (xorshift64*).

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn one_in(&mut self, n: usize) -> bool {
            self.below(n) == 0
        }

        fn pick<T: Copy>(&mut self, items: &[T]) -> T {
            items[self.below(items.len())]
        }

        fn digits(&mut self, n: usize) -> String {
            (0..n)
                .map(|_| char::from(b'0' + self.below(10) as u8))
                .collect()
        }

        /// Some ASCII digits made full-width.
        fn widen(&mut self, s: &str) -> String {
            s.chars()
                .map(|c| match c {
                    '0'..='9' if self.one_in(3) => wide(c as u32 - '0' as u32),
                    _ => c,
                })
                .collect()
        }

        /// `s` in groups of `sizes`, joined by random separators, with full-width digits
        /// mixed in and an X written in any case and width.
        fn render(&mut self, s: &str, sizes: &[usize]) -> String {
            let mut out = String::new();
            let mut at = 0;
            for (i, &size) in sizes.iter().enumerate() {
                if i > 0 {
                    out.push_str(self.pick(&GAPS));
                }
                for c in s[at..at + size].chars() {
                    match c {
                        'X' => out.push(self.pick(&['X', 'x', 'Ｘ', 'ｘ'])),
                        _ => out.push_str(&self.widen(&c.to_string())),
                    }
                }
                at += size;
            }
            assert_eq!(at, s.len());
            out
        }
    }

    /// The full-width digit `d`.
    fn wide(d: u32) -> char {
        char::from_u32(0xFF10 + d).unwrap_or('?')
    }

    const GAPS: [&str; 10] = [" ", "-", ".", "－", "–", "—", "　", " - ", "  ", "\u{a0}"];
    /// Glued to a secret on either side.
    const AROUND: [&str; 18] = [
        "",
        "",
        "电话",
        "联系我",
        "号楼",
        "tel",
        "abc",
        "，",
        "。",
        "：",
        "（",
        "）",
        "、",
        "!",
        "-",
        ".",
        "😀",
        "谢谢！",
    ];

    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        Mobile,
        Landline,
        Id,
        Email,
        Local,
    }

    struct Case {
        kind: Kind,
        input: String,
        expected: String,
        /// The secret, normalised (ASCII digits and X; the local part of an e-mail).
        secret: Vec<char>,
        /// Positions of `secret` that must not be shown.
        hidden: Range<usize>,
    }

    /// Digits (ASCII) and X only, as a reader of the masked text would collect them.
    fn normalise(text: &str) -> String {
        text.chars()
            .filter_map(|c| match c {
                'X' | 'x' | 'Ｘ' | 'ｘ' => Some('X'),
                _ => digit(c).map(|d| char::from(b'0' + d)),
            })
            .collect()
    }

    /// Some piece of the secret that includes a hidden position and is shown in `output`:
    /// four consecutive characters of a number (in the output's digits and Xs, normalised),
    /// three consecutive characters of an e-mail's local part. Four catches a single hidden
    /// digit shown next to the visible head or tail.
    fn leak(case: &Case, output: &str) -> Option<String> {
        let (width, haystack) = match case.kind {
            Kind::Email => (3, output.to_string()),
            _ => (4, normalise(output)),
        };
        let s = &case.secret;
        (0..=s.len().saturating_sub(width))
            .filter(|&i| (i..i + width).any(|p| case.hidden.contains(&p)))
            .map(|i| s[i..i + width].iter().collect::<String>())
            .find(|window| haystack.contains(window.as_str()))
    }

    fn mobile(rng: &mut Rng) -> (String, String, String, Range<usize>) {
        let s = format!("1{}{}", 3 + rng.below(7), rng.digits(9));
        let sizes: &[usize] = rng.pick(&[&[11][..], &[3, 4, 4], &[3, 8], &[7, 4], &[4, 3, 4]]);
        let cc = rng.pick(&[
            "", "", "", "", "+86", "+86 ", "+86-", "＋86", "0086", "0086 ", "86", "86 ",
        ]);
        let input = format!("{}{}", rng.widen(cc), rng.render(&s, sizes));
        let shown = if cc.is_empty() { "" } else { "+86 " };
        let expected = format!("{shown}{}****{}", &s[..3], &s[7..]);
        (input, expected, s, 3..7)
    }

    fn landline(rng: &mut Rng) -> (String, String, String, Range<usize>) {
        let area = rng.pick(&[
            "010", "020", "021", "025", "027", "029", "0391", "0371", "0755", "0571",
        ]);
        let length = 6 + rng.below(2);
        let local = format!("{}{}", 2 + rng.below(7), rng.digits(length));
        let national = format!("{area}{local}");
        let n = national.len();
        let expected = format!("{}****{}", &national[..3], &national[n - 4..]);
        let (a, l) = (area.len(), local.len());
        let (input, expected) = match rng.below(7) {
            0 => (
                format!("+86 {}", rng.render(&national[1..], &[a - 1, l])),
                format!("+86 {expected}"),
            ),
            1 => (
                format!("({}){}", rng.widen(area), rng.widen(&local)),
                expected,
            ),
            2 => (
                format!("（{}）{}", rng.widen(area), rng.widen(&local)),
                expected,
            ),
            3 => (
                format!("({}) {}", rng.widen(area), rng.widen(&local)),
                expected,
            ),
            4 => (rng.render(&national, &[n]), expected),
            5 => (rng.render(&national, &[a, 4, l - 4]), expected),
            _ => (rng.render(&national, &[a, l]), expected),
        };
        (input, expected, national, 3..n - 4)
    }

    fn id_number(rng: &mut Rng) -> (String, String, String, Range<usize>) {
        let region = format!("{}{}", 1 + rng.below(6), rng.digits(5));
        let (y, m, d) = (1930 + rng.below(91), 1 + rng.below(12), 1 + rng.below(28));
        let (s, sizes): (String, &[usize]) = if rng.one_in(4) {
            let s = format!("{region}{:02}{m:02}{d:02}{}", y % 100, rng.digits(3));
            (s, rng.pick(&[&[15][..], &[6, 6, 3], &[3, 3, 6, 3]]))
        } else {
            let check = if rng.one_in(6) {
                "X".to_string()
            } else {
                rng.digits(1)
            };
            let s = format!("{region}{y}{m:02}{d:02}{}{check}", rng.digits(3));
            (
                s,
                rng.pick(&[&[18][..], &[6, 8, 4], &[3, 3, 4, 4, 4], &[6, 4, 4, 4]]),
            )
        };
        let n = s.len();
        let input = rng.render(&s, sizes);
        let expected = format!("{}{}{}", &s[..3], "*".repeat(n - 5), &s[n - 2..]);
        (input, expected, s, 3..n - 2)
    }

    fn email(rng: &mut Rng) -> (String, String, String, Range<usize>) {
        const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
        const MORE: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789._";
        let mut local = String::from(char::from(rng.pick(LETTERS)));
        while local.len() < 3 || (local.len() < 12 && !rng.one_in(4)) {
            let c = char::from(rng.pick(MORE));
            if c == '.' && local.ends_with('.') {
                continue;
            }
            local.push(c);
        }
        if local.ends_with('.') {
            local.push('a');
        }
        let domain = rng.pick(&[
            "example.com",
            "qq.com",
            "163.com",
            "mail.hn.gov.cn",
            "126.com",
        ]);
        let at = rng.pick(&["@", "＠"]);
        let input = format!("{local}{at}{domain}");
        let expected = format!("{}***@{domain}", &local[..1]);
        let n = local.len();
        (input, expected, local, 1..n)
    }

    fn local_number(rng: &mut Rng) -> (String, String, String, Range<usize>) {
        loop {
            let n = 7 + rng.below(2);
            let s = format!("{}{}", 2 + rng.below(7), rng.digits(n - 1));
            let d: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
            if is_yyyymmdd(&d) || (n == 8 && is_year(&d[..4]) && is_year(&d[4..])) {
                continue;
            }
            let sizes: &[usize] = match n {
                7 => rng.pick(&[&[7][..], &[3, 4], &[4, 3]]),
                _ => rng.pick(&[&[8][..], &[4, 4]]),
            };
            let input = rng.render(&s, sizes);
            let expected = format!("{}{}", "*".repeat(n - 2), &s[n - 2..]);
            return (input, expected, s, 0..n - 2);
        }
    }

    /// A random secret in a random format, with text glued on both sides.
    fn secret_case(rng: &mut Rng) -> Case {
        {
            let kind = rng.pick(&[
                Kind::Mobile,
                Kind::Landline,
                Kind::Id,
                Kind::Email,
                Kind::Local,
            ]);
            let (input, expected, secret, hidden) = match kind {
                Kind::Mobile => mobile(rng),
                Kind::Landline => landline(rng),
                Kind::Id => id_number(rng),
                Kind::Email => email(rng),
                Kind::Local => local_number(rng),
            };
            // Letters and digits glued to an address would be part of it.
            let glue =
                |s: &&str| kind != Kind::Email || !s.chars().any(|c| c.is_ascii_alphanumeric());
            let around: Vec<&str> = AROUND.iter().copied().filter(glue).collect();
            let (left, right) = (rng.pick(&around), rng.pick(&around));
            Case {
                kind,
                input: format!("{left}{input}{right}"),
                expected: format!("{left}{expected}{right}"),
                secret: secret.chars().collect(),
                hidden,
            }
        }
    }

    /// Whether the leak check means something for this case: the correctly masked text does
    /// not show a piece of the secret by coincidence (138****1385 shows 1385, which may also
    /// be digits 3..7).
    fn checkable(case: &Case) -> bool {
        leak(case, &case.expected).is_none()
    }

    #[test]
    fn property_secrets_are_masked_however_written() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut checked = [0; 5];
        for n in 0..5000 {
            let case = secret_case(&mut rng);
            let masked = mask_text(&case.input);
            if checkable(&case) {
                checked[case.kind as usize] += 1;
                assert_eq!(
                    leak(&case, &masked),
                    None,
                    "#{n}: {:?} → {masked:?}",
                    case.input
                );
            }
            assert_eq!(masked, case.expected, "#{n}: {:?}", case.input);
        }
        assert!(checked.iter().all(|&k| k > 700), "{checked:?}");
        // Several in one text.
        for n in 0..1000 {
            let cases: Vec<Case> = (0..1 + rng.below(4))
                .map(|_| secret_case(&mut rng))
                .collect();
            let input = cases
                .iter()
                .map(|c| c.input.as_str())
                .collect::<Vec<_>>()
                .join("，");
            let expected = cases
                .iter()
                .map(|c| c.expected.as_str())
                .collect::<Vec<_>>();
            assert_eq!(mask_text(&input), expected.join("，"), "#{n}: {input:?}");
        }
    }

    #[test]
    fn property_texts_passed_over_are_those_the_scan_leaves_as_written() {
        // `mask_text` returns texts with fewer than seven digits, and texts without an @, as
        // written without scanning them: the same as the full scan on texts made of digits
        // (ASCII and full-width, few and many), separators, country-code and bracket marks,
        // e-mail pieces and Chinese.
        let pieces = [
            "1",
            "３",
            "0",
            "9",
            "８６",
            "138",
            "１２３４",
            "5678",
            "0391",
            "+",
            "＋",
            "(",
            "（",
            ")",
            " ",
            "-",
            "．",
            "@",
            "＠",
            "z",
            "example.com",
            "号",
            "电话",
            "年",
            "元",
            "X",
            "\u{3000}",
        ];
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let mut scanned = [0; 2];
        for n in 0..20000 {
            let text: String = (0..rng.below(24)).map(|_| rng.pick(&pieces)).collect();
            let full = mask_emails(&mask_numbers(&text));
            scanned[usize::from(full != text)] += 1;
            assert_eq!(mask_text(&text), full, "#{n}: {text:?}");
        }
        // Both kinds occur: texts the scan changes and texts it leaves.
        assert!(scanned.iter().all(|&k| k > 1000), "{scanned:?}");
    }

    #[test]
    fn property_check_fails_on_unmasked_text() {
        // The leak check is not vacuous: it fails a no-op mask_text, and one that shows a
        // single hidden digit more (1381****5678).
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..5000 {
            let case = secret_case(&mut rng);
            if !checkable(&case) {
                continue;
            }
            assert!(leak(&case, &case.input).is_some(), "{:?}", case.input);
            if matches!(case.kind, Kind::Mobile | Kind::Landline | Kind::Id) {
                let s: String = case.secret.iter().collect();
                let shown = format!("{}****{}", &s[..4], &s[case.hidden.end..]);
                assert!(leak(&case, &shown).is_some(), "{shown}");
            }
        }
    }

    /// Text without personal data: dates, tracking numbers, amounts, house numbers and years
    /// between Chinese words, punctuation and emoji.
    fn non_personal(rng: &mut Rng) -> String {
        const TEXT: [&str; 18] = [
            "我们小区",
            "电梯坏了，",
            "请尽快处理。",
            "谢谢！",
            " 反映 ",
            "😀",
            "👍🏻",
            "🚧路灯不亮",
            "“",
            "”",
            "（",
            "）",
            "第",
            "……",
            "——",
            "共",
            "：",
            "ok ",
        ];
        let date = |rng: &mut Rng| {
            let (y, m, d) = (1900 + rng.below(200), 1 + rng.below(12), 1 + rng.below(28));
            (y, m, d)
        };
        let mut text = String::new();
        for _ in 0..1 + rng.below(6) {
            text.push_str(rng.pick(&TEXT));
            let (y, m, d) = date(rng);
            let piece = match rng.below(13) {
                0 => format!("{y}{m:02}{d:02}"),
                1 => format!("{y}-{m:02}-{d:02}"),
                2 => format!("{y}.{m}.{d}"),
                3 => format!("{y}年{m}月{d}日"),
                4 => format!("{y}{m:02}{d:02}-{}", rng.digits(6)),
                5 => format!("{}元", 1 + rng.below(99_999)),
                6 => format!("{}.{}元", 1 + rng.below(9999), rng.digits(2)),
                7 => format!("{}号楼", 1 + rng.below(999)),
                8 => format!("{}单元{}室", 1 + rng.below(30), 101 + rng.below(2900)),
                9 => format!("{y}年"),
                10 => format!("{}-{}", 1900 + rng.below(200), 1900 + rng.below(200)),
                11 => format!("{}", rng.below(1_000_000)),
                _ => format!("{}%", rng.below(101)),
            };
            text.push_str(&rng.widen(&piece));
        }
        text.push_str(rng.pick(&TEXT));
        text
    }

    #[test]
    fn property_non_personal_text_is_unchanged() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        for _ in 0..5000 {
            let text = non_personal(&mut rng);
            assert_eq!(mask_text(&text), text);
        }
    }

    /// Anything at all, heavy on digits, separators and what numbers are written with.
    fn garbage(rng: &mut Rng) -> String {
        const OTHER: [char; 36] = [
            ' ', '-', '.', '－', '—', '　', '\u{a0}', '(', ')', '（', '）', '+', '＋', '*', '@',
            '＠', 'X', 'x', 'Ｘ', 'a', 'z', 'Q', '_', '元', '年', '号', '¥', '电', '话', '😀',
            '，', 'c', 'o', 'm', '%', 'ｍ',
        ];
        (0..rng.below(60))
            .map(|_| match rng.below(4) {
                0 | 1 => char::from(b'0' + rng.below(10) as u8),
                2 if rng.one_in(3) => wide(rng.below(10) as u32),
                _ => rng.pick(&OTHER),
            })
            .collect()
    }

    #[test]
    fn property_masking_twice_changes_nothing() {
        let mut rng = Rng(0xD1B5_4A32_D192_ED03);
        for n in 0..20_000 {
            let text = match n % 4 {
                0 => secret_case(&mut rng).input,
                1 => non_personal(&mut rng),
                _ => garbage(&mut rng),
            };
            let once = mask_text(&text);
            assert_eq!(mask_text(&once), once, "#{n}: {text:?}");
        }
    }
}

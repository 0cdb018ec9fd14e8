//! Personal information (个人信息保护): who may see a petitioner's contact details, and how they
//! are masked for everyone else — 褚某, 138****5678, a street-level address, and phone numbers
//! typed into free text.

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
pub fn in_public_feed(status: PetitionStatus, publish_consent: bool) -> bool {
    publish_consent && !NOT_PUBLISHED.contains(&status)
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

/// 褚晓明 → 褚某.
pub fn mask_name(name: &str) -> String {
    match name.trim().chars().next() {
        Some(first) => format!("{first}某"),
        None => String::new(),
    }
}

/// 13812345678 → 138****5678; anything shorter keeps only its last two digits.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 7 {
        let head: String = digits[..3].iter().collect();
        let tail: String = digits[digits.len() - 4..].iter().collect();
        format!("{head}****{tail}")
    } else {
        let tail: String = digits.iter().rev().take(2).rev().collect();
        format!("****{tail}")
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

/// Masks phone numbers typed into free text: mobile numbers (11 digits starting with 1) and
/// landlines with an area code (0 followed by 9–11 digits), also when written with spaces or
/// hyphens between the digits. Other numbers (dates, tracking numbers) stay.
pub fn mask_phones_in_text(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit()) {
            // Take a run of digits, allowing single separators between digits.
            let mut j = i;
            let mut digits = String::new();
            while j < chars.len() {
                if chars[j].is_ascii_digit() {
                    digits.push(chars[j]);
                    j += 1;
                } else if matches!(chars[j], ' ' | '-')
                    && j + 1 < chars.len()
                    && chars[j + 1].is_ascii_digit()
                    && !digits.is_empty()
                {
                    j += 1;
                } else {
                    break;
                }
            }
            let mobile = digits.len() == 11 && digits.starts_with('1');
            let landline = (10..=12).contains(&digits.len()) && digits.starts_with('0');
            if mobile || landline {
                // Trailing separators belong to the text, not the number.
                let mut end = j;
                while end > i && !chars[end - 1].is_ascii_digit() {
                    end -= 1;
                }
                out.push_str(&mask_phone(&digits));
                out.extend(&chars[end..j]);
            } else {
                out.extend(&chars[i..j]);
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn phones_in_free_text() {
        assert_eq!(
            mask_phones_in_text("请打13812345678联系我"),
            "请打138****5678联系我"
        );
        assert_eq!(
            mask_phones_in_text("电话 138 1234 5678。"),
            "电话 138****5678。"
        );
        assert_eq!(
            mask_phones_in_text("座机0391-2345678 - 谢谢"),
            "座机039****5678 - 谢谢"
        );
        assert_eq!(
            mask_phones_in_text("工单20261123-000042，2026年"),
            "工单20261123-000042，2026年"
        );
        assert_eq!(
            mask_phones_in_text("138123456789"),
            "138123456789",
            "12 digits is no mobile number"
        );
        assert_eq!(mask_phones_in_text(""), "");
    }
}

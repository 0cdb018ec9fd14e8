//! The rules a request must meet before the server will look at it: usernames, passwords,
//! phones, petitions, free text. They live here so the server enforces them and the web app
//! tells the user the same thing before sending (the messages are the server's, zh-CN).

use crate::{FieldError, NewPetition, NewUser, RegisterRequest, Role};

pub const MAX_TITLE: usize = 100;
pub const MAX_CONTENT: usize = 4_000;
pub const MAX_ADDRESS: usize = 200;

#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` against `field` unless `ok`.
    pub fn check(&mut self, field: &str, ok: bool, message: impl Into<String>) -> &mut Self {
        if !ok {
            self.fail(field, message);
        }
        self
    }

    pub fn fail(&mut self, field: &str, message: impl Into<String>) -> &mut Self {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
        self
    }

    /// Text of `min..=max` characters (not bytes: 张 counts once) after trimming.
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) -> &mut Self {
        let n = value.trim().chars().count();
        if n < min {
            self.fail(
                field,
                if min == 1 {
                    "不能为空".to_owned()
                } else {
                    format!("至少 {min} 个字符")
                },
            );
        } else if n > max {
            self.fail(field, format!("最多 {max} 个字符，当前 {n} 个"));
        }
        self
    }

    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

pub const MIN_PASSWORD_CHARS: usize = 8;
const MAX_PASSWORD_CHARS: usize = 128;

/// Usernames are case-insensitive: stored and compared in lower case, without surrounding spaces.
pub fn normalize_username(username: &str) -> String {
    username.trim().to_lowercase()
}

fn check_username(c: &mut Checks, username: &str) {
    let u = normalize_username(username);
    let n = u.chars().count();
    c.check("username", (3..=32).contains(&n), "长度须为 3–32 个字符");
    c.check(
        "username",
        u.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '-' | '.')),
        "只能包含英文字母、数字、下划线、连字符和点",
    );
}

fn check_password(c: &mut Checks, field: &str, password: &str) {
    let n = password.chars().count();
    c.check(
        field,
        n >= MIN_PASSWORD_CHARS,
        format!("密码至少 {MIN_PASSWORD_CHARS} 个字符"),
    );
    c.check(
        field,
        n <= MAX_PASSWORD_CHARS,
        format!("密码最多 {MAX_PASSWORD_CHARS} 个字符"),
    );
}

/// A mainland mobile number: 11 digits starting with 1.
pub fn is_mobile_phone(phone: &str) -> bool {
    phone.len() == 11 && phone.starts_with('1') && phone.bytes().all(|b| b.is_ascii_digit())
}

fn check_phone(c: &mut Checks, phone: Option<&str>) {
    if let Some(p) = phone {
        c.check("phone", is_mobile_phone(p.trim()), "请填写 11 位手机号码");
    }
}

pub fn validate_registration(r: &RegisterRequest) -> Result<(), Vec<FieldError>> {
    let mut c = Checks::new();
    check_username(&mut c, &r.username);
    check_password(&mut c, "password", &r.password);
    c.text("display_name", &r.display_name, 1, 50);
    check_phone(&mut c, r.phone.as_deref());
    c.finish()
}

pub fn validate_new_user(u: &NewUser) -> Result<(), Vec<FieldError>> {
    let mut c = Checks::new();
    check_username(&mut c, &u.username);
    check_password(&mut c, "password", &u.password);
    c.text("display_name", &u.display_name, 1, 50);
    check_phone(&mut c, u.phone.as_deref());
    check_role_and_unit(&mut c, u.role, u.unit_id);
    c.finish()
}

/// A handler works for a unit; partners are issued through `/partners`, not as users.
pub fn check_role_and_unit(c: &mut Checks, role: Role, unit_id: Option<i64>) {
    c.check(
        "role",
        role != Role::Partner,
        "合作方账号请通过 /api/v1/partners 创建",
    );
    if role == Role::Handler {
        c.check("unit_id", unit_id.is_some(), "承办单位账号必须指定所属单位");
    }
}

pub fn validate_password(field: &str, password: &str) -> Result<(), Vec<FieldError>> {
    let mut c = Checks::new();
    check_password(&mut c, field, password);
    c.finish()
}

pub fn validate_display_name(name: &str) -> Result<(), Vec<FieldError>> {
    let mut c = Checks::new();
    c.text("display_name", name, 1, 50);
    c.finish()
}

pub fn validate_phone(phone: Option<&str>) -> Result<(), Vec<FieldError>> {
    let mut c = Checks::new();
    check_phone(&mut c, phone);
    c.finish()
}

/// The forms a caller's phone number may be stored in, from however it was typed or shown
/// (`+86 138 0013 8000`, `0086-13800138000`, `0391-2345678`, `(0391)2345678`): the bare
/// digits, and for a landline with its area code also `0391-2345678`. `None` when it is not a
/// phone number.
pub fn phone_forms(typed: &str) -> Option<Vec<String>> {
    let mut digits: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '（' | '）' | '+'))
        .collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    for prefix in ["0086", "86"] {
        if digits.len() == 11 + prefix.len() && digits.starts_with(prefix) {
            digits = digits[prefix.len()..].to_owned();
        }
    }
    if !is_contact_phone(&digits) {
        return None;
    }
    let mut forms = vec![digits.clone()];
    if digits.starts_with('0') && digits.len() >= 10 {
        // Area codes: 010 and 02x are three digits, the rest four.
        let cut = if digits.starts_with("01") || digits.starts_with("02") {
            3
        } else {
            4
        };
        forms.push(format!("{}-{}", &digits[..cut], &digits[cut..]));
    }
    Some(forms)
}

/// A contact phone: a mobile number, or a landline of 7–12 digits (hyphens allowed).
pub fn is_contact_phone(phone: &str) -> bool {
    let digits: String = phone.chars().filter(|c| *c != '-').collect();
    is_mobile_phone(&digits)
        || ((7..=12).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
}

pub fn validate_new_petition(p: &NewPetition) -> Result<(), Vec<FieldError>> {
    let mut c = Checks::new();
    c.text("title", &p.title, 1, MAX_TITLE);
    c.text("content", &p.content, 1, MAX_CONTENT);
    if let Some(a) = &p.address {
        c.text("address", a, 1, MAX_ADDRESS);
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

/// A moderation decision: a reason, at least one decision, a public version within the
/// petition's limits ("" returns to the original).
pub fn validate_moderation(b: &crate::ModerationBody) -> Result<(), Vec<FieldError>> {
    let mut c = Checks::new();
    c.text("reason", &b.reason, 1, 1_000);
    c.check(
        "hidden",
        b.hidden.is_some()
            || b.public_title.is_some()
            || b.public_content.is_some()
            || b.hidden_photo_ids.is_some(),
        "请至少做出一项决定：隐藏、公开版本或隐藏照片",
    );
    if let Some(t) = b.public_title.as_deref().filter(|t| !t.is_empty()) {
        c.text("public_title", t, 1, MAX_TITLE);
    }
    if let Some(t) = b.public_content.as_deref().filter(|t| !t.is_empty()) {
        c.text("public_content", t, 1, MAX_CONTENT);
    }
    if let Some(ids) = &b.hidden_photo_ids {
        c.check("hidden_photo_ids", ids.len() <= 100, "最多 100 张照片");
    }
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PetitionKind, Urgency};

    #[test]
    fn counts_characters_not_bytes_and_reports_every_field() {
        let mut c = Checks::new();
        c.text("a", "张伟", 2, 2)
            .text("b", "   ", 1, 5)
            .text("c", "abcdef", 1, 5);
        let errors = c.finish().expect_err("b and c are invalid");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["b", "c"]);
        assert!(errors[1].message.contains('6'));
    }

    fn reg(username: &str, password: &str) -> RegisterRequest {
        RegisterRequest {
            username: username.into(),
            password: password.into(),
            display_name: "张伟".into(),
            phone: None,
        }
    }

    #[test]
    fn usernames_and_passwords() {
        assert!(validate_registration(&reg("Zhang_Wei", "12345678")).is_ok());
        assert_eq!(normalize_username("  Zhang_Wei "), "zhang_wei");
        let errors = validate_registration(&reg("张伟", "1234567")).expect_err("invalid");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(
            fields.contains(&"username") && fields.contains(&"password"),
            "{fields:?}"
        );
        // eight Chinese characters are eight characters
        assert!(validate_registration(&reg("zhang", "八个汉字的密码啊")).is_ok());
    }

    #[test]
    fn phone_forms_from_what_people_type() {
        let mobile = Some(vec!["13800138000".to_owned()]);
        for typed in [
            "13800138000",
            "138-0013-8000",
            "+86 138 0013 8000",
            "0086 13800138000",
            "86-13800138000",
        ] {
            assert_eq!(phone_forms(typed), mobile, "{typed}");
        }
        let landline = Some(vec!["03912345678".to_owned(), "0391-2345678".to_owned()]);
        assert_eq!(phone_forms("0391-2345678"), landline);
        assert_eq!(phone_forms("(0391) 2345678"), landline);
        assert_eq!(
            phone_forms("010-12345678").map(|f| f[1].clone()),
            Some("010-12345678".into())
        );
        for bad in ["", "12345", "call me", "138001380001234"] {
            assert_eq!(phone_forms(bad), None, "{bad}");
        }
    }

    #[test]
    fn phones() {
        assert!(is_mobile_phone("13812345678"));
        assert!(!is_mobile_phone("1381234567"));
        assert!(!is_mobile_phone("2381234567x"));
    }

    #[test]
    fn handlers_need_a_unit_and_partners_are_not_users() {
        let mut c = Checks::new();
        check_role_and_unit(&mut c, Role::Handler, None);
        check_role_and_unit(&mut c, Role::Partner, Some(1));
        let fields: Vec<_> = c
            .finish()
            .expect_err("both")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["unit_id", "role"]);
    }

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
            accept: false,
        }
    }

    #[test]
    fn submissions() {
        assert!(validate_new_petition(&petition()).is_ok());
        let mut p = petition();
        p.title = "长".repeat(101);
        p.content = "x".repeat(4_001);
        p.latitude = Some(91.0);
        p.contact_phone = Some("call me".into());
        let errors = validate_new_petition(&p).expect_err("invalid");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["title", "content", "latitude", "longitude", "contact_phone"]
        );
        let mut p = petition();
        p.content = "长".repeat(4_000);
        assert!(
            validate_new_petition(&p).is_ok(),
            "4,000 Chinese characters are allowed"
        );
        assert!(is_contact_phone("0391-2345678"));
    }
}

/// Whether `s` looks like an e-mail address a mail server would take: one `@`, a local part, a
/// domain with a dot, no spaces, at most 254 characters.
pub fn is_email_address(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c))
}

/// Notification settings: e-mail needs an address, SMS a phone on the account.
pub fn validate_notification_settings(
    s: &crate::NotificationSettings,
    has_phone: bool,
) -> Result<(), Vec<FieldError>> {
    let mut c = Checks::new();
    c.check(
        "sms",
        !s.sms || has_phone,
        "账号未登记手机号，无法开启短信通知",
    );
    match s.email_address.as_deref().map(str::trim) {
        Some(a) if !a.is_empty() => {
            c.check(
                "email_address",
                is_email_address(a),
                "邮箱地址格式不正确，例如 name@example.cn",
            );
        }
        _ => {
            c.check("email_address", !s.email, "开启邮件通知须填写邮箱地址");
        }
    }
    c.finish()
}

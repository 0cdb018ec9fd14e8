//! Rules for accounts: who may register, what a username and a password must be.

use minhu_types::{FieldError, NewUser, RegisterRequest, Role};

use super::validate::Checks;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}

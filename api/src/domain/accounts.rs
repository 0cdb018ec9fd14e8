//! Rules for accounts: who may register, what a username and a password must be (shared with
//! the web app through `minhu_types::rules`).

pub use minhu_types::rules::{
    check_role_and_unit, is_mobile_phone, normalize_username, validate_display_name,
    validate_new_user, validate_password, validate_phone, validate_registration,
    MIN_PASSWORD_CHARS,
};

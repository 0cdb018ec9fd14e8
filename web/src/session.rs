//! The signed-in user, kept in `localStorage` so a reload keeps the session.

use minhu_types::{FieldError, LoginRequest, Problem, User};
use serde::{Deserialize, Serialize};

use crate::api::ApiError;
use crate::text::Text;

const KEY: &str = "minhu.session";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub user: User,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

impl Session {
    pub fn load() -> Option<Session> {
        let raw = storage()?.get_item(KEY).ok().flatten()?;
        serde_json::from_str(&raw).ok()
    }

    pub fn store(&self) {
        if let (Some(s), Ok(raw)) = (storage(), serde_json::to_string(self)) {
            let _ = s.set_item(KEY, &raw);
        }
    }

    pub fn clear() {
        if let Some(s) = storage() {
            let _ = s.remove_item(KEY);
        }
    }
}

/// What is missing from a login form before it is worth asking the server.
pub fn check_login(req: &LoginRequest, t: &Text) -> Option<&'static str> {
    if req.username.trim().is_empty() {
        Some(t.need_username)
    } else if req.password.is_empty() {
        Some(t.need_password)
    } else {
        None
    }
}

/// Field errors found before sending, shaped like the server's 422 so forms show both alike.
pub fn local_problem(errors: Vec<FieldError>, t: &Text) -> ApiError {
    ApiError::Problem(Problem {
        kind: "urn:minhu:problem:validation_failed".into(),
        title: t.check_fields.into(),
        status: 422,
        detail: t.check_fields.into(),
        code: "validation_failed".into(),
        errors,
        request_id: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::ZH;

    #[test]
    fn login_needs_both_fields() {
        let mut req = LoginRequest {
            username: " ".into(),
            password: "x".into(),
        };
        assert_eq!(check_login(&req, &ZH), Some(ZH.need_username));
        req.username = "zhang".into();
        req.password.clear();
        assert_eq!(check_login(&req, &ZH), Some(ZH.need_password));
        req.password = "secret".into();
        assert_eq!(check_login(&req, &ZH), None);
    }

    #[test]
    fn local_problems_name_their_fields() {
        let e = local_problem(
            vec![FieldError {
                field: "phone".into(),
                message: "请填写 11 位手机号码".into(),
            }],
            &ZH,
        );
        assert_eq!(e.field("phone").as_deref(), Some("请填写 11 位手机号码"));
        assert!(e.message(&ZH).contains("手机号"), "{}", e.message(&ZH));
    }
}

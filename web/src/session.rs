//! The signed-in user, kept in `localStorage` so a reload keeps the session.

use minhu_types::{LoginRequest, User};
use serde::{Deserialize, Serialize};

use crate::text;

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
pub fn check_login(req: &LoginRequest) -> Option<&'static str> {
    if req.username.trim().is_empty() {
        Some(text::NEED_USERNAME)
    } else if req.password.is_empty() {
        Some(text::NEED_PASSWORD)
    } else {
        None
    }
}

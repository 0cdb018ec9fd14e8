//! Request and response types of the minhu API, shared by the server (`minhu`) and the web app
//! (`minhu-web`). Plain serde types only: no database code, so the web app never links diesel.
//! With the `openapi` feature they also describe themselves for the OpenAPI document.

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

mod enums;
mod knowledge;
mod notifications;
mod petitions;
mod photos;
pub mod rules;
pub mod time;
mod triage;
mod webhooks;
pub use enums::*;
pub use knowledge::*;
pub use notifications::*;
pub use petitions::*;
pub use photos::*;
pub use triage::*;
pub use webhooks::*;

/// RFC 9457 problem details: the body of every error response
/// (`Content-Type: application/problem+json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Problem {
    /// A URN naming the kind of problem, `urn:minhu:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind of problem (zh-CN).
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request and what to change (zh-CN).
    pub detail: String,
    /// Machine-readable code, e.g. `validation_failed`, `invalid_transition`.
    pub code: String,
    /// One entry per invalid field (422) — empty otherwise.
    #[serde(default)]
    pub errors: Vec<FieldError>,
    /// The id of this request, also in the `x-request-id` header; quote it when reporting a fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FieldError {
    /// The field's path in the request body, e.g. `password` or `items[0].name`.
    pub field: String,
    /// What is wrong with it (zh-CN).
    pub message: String,
}

/// How many pages past the current one a list over history counts (`Page::total`).
pub const PAGES_COUNTED_AHEAD: i64 = 5;

/// Whether a list over history's `total` may be only its lower bound: what it counts from the
/// page's offset (`PAGES_COUNTED_AHEAD` pages after the page and one row, to tell that there
/// are more) all found. Then the list holds more than `total - 1` items — true of an exact
/// total of that size as well, so a pager may always say so.
pub fn total_is_lower_bound(total: i64, page: i64, per_page: i64) -> bool {
    total == (page - 1) * per_page + per_page * (PAGES_COUNTED_AHEAD + 1) + 1
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many items match in all pages. Lists over history (petitions, the public feed, a
    /// unit's inbox, Open311 requests) count at most five pages past this one: there `total` is exact when the
    /// list ends within them, and otherwise a lower bound (`(page - 1) × per_page + 6 × per_page
    /// + 1`: more than one less than that; `total_is_lower_bound`) — enough for a pager, never a
    /// count over all history.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Where the list continues, for lists over history that run newest first (petitions, the
    /// public feed, a caller's history): the same request with `after=` the last item's id,
    /// instead of `page`. Costs the same at any depth (keyset paging); absent on the last page
    /// and on lists without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// `POST /api/v1/auth/register`. The account is always a citizen's: there is no role field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// 3–32 letters, digits, `_`, `-` or `.`; case-insensitive.
    #[cfg_attr(feature = "openapi", schema(example = "zhang_wei"))]
    pub username: String,
    /// At least 8 characters.
    #[cfg_attr(feature = "openapi", schema(example = "correct horse battery"))]
    pub password: String,
    /// 1–50 characters, shown to officials handling the citizen's petitions.
    #[cfg_attr(feature = "openapi", schema(example = "张伟"))]
    pub display_name: String,
    /// Mainland mobile number, 11 digits.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "13812345678"))]
    pub phone: Option<String>,
}

/// `POST /api/v1/auth/login`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LoginRequest {
    #[cfg_attr(feature = "openapi", schema(example = "zhang_wei"))]
    pub username: String,
    #[cfg_attr(feature = "openapi", schema(example = "correct horse battery"))]
    pub password: String,
}

/// One unmasked read of a petition's personal data, from the audit log
/// (`GET /api/v1/audit/contact-reads`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ContactRead {
    pub id: i64,
    pub petition_id: i64,
    pub tracking_no: String,
    pub user_id: i64,
    pub username: String,
    /// The reader's role at the time.
    pub role: Role,
    /// Through which view: `detail`, `timeline`, `reply`, `assignment`, `inbox`, `board`,
    /// `suggestions`, `callers`.
    #[cfg_attr(feature = "openapi", schema(example = "detail"))]
    pub via: String,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/auth/logout`: sign out this token, or (`all`) every token of the account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    /// Sign out on every device: every token issued to the account so far stops working.
    #[serde(default)]
    pub all: bool,
}

/// `POST /api/v1/auth/token`: a partner's client credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: String,
}

/// A bearer token and who it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    #[cfg_attr(feature = "openapi", schema(example = "Bearer"))]
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
    pub user: User,
}

/// An account. For partners, `username` is the partner's `client_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The unit a handler works for (and, optionally, an operator's or leader's unit).
    pub unit_id: Option<i64>,
}

/// An account as administrators see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UserDetail {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub phone: Option<String>,
    /// A deactivated account can no longer log in.
    pub active: bool,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/users` (admin): an account with any role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub display_name: String,
    /// Any role but `partner` (partners are issued through `/api/v1/partners`).
    pub role: Role,
    /// Required for handlers.
    #[serde(default)]
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// `PATCH /api/v1/users/{id}` (admin): only the fields present change; `unit_id: null` clears it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub unit_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub phone: Option<Option<String>>,
    #[serde(default)]
    pub active: Option<bool>,
}

/// A unit of the handling tree (hotline office → district/department → street/town →
/// community → grid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Unit {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(example = "郇封镇"))]
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/units` (admin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    /// 1–100 characters.
    #[cfg_attr(feature = "openapi", schema(example = "郇封镇"))]
    pub name: String,
    pub kind: UnitKind,
    /// The parent unit; its kind must sit higher in the tree.
    #[serde(default)]
    pub parent_id: Option<i64>,
}

/// `PATCH /api/v1/units/{id}` (admin): only the fields present change; `parent_id: null` makes
/// the unit a root.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UnitPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub kind: Option<UnitKind>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub parent_id: Option<Option<i64>>,
}

/// A petition category (民生, 交通, 水电气暖 …), a tree with an optional national code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Category {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(example = "水电气暖"))]
    pub name: String,
    pub parent_id: Option<i64>,
    /// The national classification code, unique where given.
    pub code: Option<String>,
}

/// `POST /api/v1/categories` (admin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCategory {
    /// 1–50 characters.
    pub name: String,
    #[serde(default)]
    pub parent_id: Option<i64>,
    /// 1–32 letters, digits, `.` or `-`.
    #[serde(default)]
    pub code: Option<String>,
}

/// A partner (newspaper app backend, county portal, Open311 client), without its secrets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Partner {
    pub id: i64,
    pub name: String,
    pub client_id: String,
    pub active: bool,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/partners` (admin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPartner {
    /// 1–100 characters.
    #[cfg_attr(feature = "openapi", schema(example = "修武县政务服务平台"))]
    pub name: String,
}

/// A new partner's credentials. `client_secret` and `api_key` are shown only in this response:
/// the server keeps only their hashes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PartnerCredentials {
    pub id: i64,
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    /// For Open311 GeoReport v2 clients.
    pub api_key: String,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// `GET /healthz` and `GET /readyz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    #[cfg_attr(feature = "openapi", schema(example = "ok"))]
    pub status: String,
    /// `/readyz`: the primary database answered (`ok`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(example = "ok"))]
    pub primary: Option<String>,
    /// `/readyz`: the read standby — `ok`, `lagging` (reads go to the primary), `down` (the
    /// same) or `none` (not configured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(example = "none"))]
    pub replica: Option<String>,
}

/// Tells "field absent" (`None`) from "field: null" (`Some(None)`) in PATCH bodies.
fn present<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_tells_absent_from_null() {
        let absent: UnitPatch = serde_json::from_str("{}").unwrap_or_default();
        assert_eq!(absent.parent_id, None);
        let null: UnitPatch = serde_json::from_str(r#"{"parent_id": null}"#).unwrap_or_default();
        assert_eq!(null.parent_id, Some(None));
        let set: UnitPatch = serde_json::from_str(r#"{"parent_id": 3}"#).unwrap_or_default();
        assert_eq!(set.parent_id, Some(Some(3)));
    }

    #[test]
    fn register_refuses_a_role_field() {
        let r = serde_json::from_str::<RegisterRequest>(
            r#"{"username":"a","password":"b","display_name":"c","role":"admin"}"#,
        );
        assert!(r.is_err());
    }
}

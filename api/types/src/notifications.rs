//! Notifications (消息): what the platform tells people about their petitions and orders, in
//! the app and by SMS and e-mail; and the one-tap rating (一事一评) a reply message links to.

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Reply;

/// One message to the caller (`GET /api/v1/notifications`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Notification {
    pub id: i64,
    /// What happened, e.g. `petition.replied` or `order.new` (`api.md`, "Notifications").
    pub event: String,
    pub petition_id: Option<i64>,
    pub tracking_no: Option<String>,
    /// One line (zh-CN).
    pub title: String,
    /// The message (zh-CN), as the SMS and e-mail carry it.
    pub body: String,
    /// Where to act on it in the web app, when there is something to do: `/r/{token}` to rate
    /// a reply (the link is single use), `/petitions/{id}` otherwise.
    #[serde(default)]
    pub link: Option<String>,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::time::rfc3339_opt")]
    pub read_at: Option<DateTime<Utc>>,
}

/// `GET /api/v1/notifications/unread-count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UnreadCount {
    pub count: i64,
}

/// `POST /api/v1/notifications/read`: the caller's notifications `ids`, or `all: true`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// At most 500 ids; ids that are not the caller's are ignored.
    #[serde(default)]
    pub ids: Vec<i64>,
    #[serde(default)]
    pub all: bool,
}

/// `GET|PUT /api/v1/me/notification-settings`. In-app messages are always on.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    /// SMS to the account's phone (22:00–08:00 held until morning, emergencies excepted).
    pub sms: bool,
    /// E-mail to `email_address`.
    pub email: bool,
    /// Required when `email` is on; at most 254 characters.
    #[serde(default)]
    pub email_address: Option<String>,
}

/// `GET /api/v1/rate/{token}` (no login): what the petitioner is asked to rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RatingInvite {
    pub tracking_no: String,
    pub title: String,
    pub replies: Vec<Reply>,
}

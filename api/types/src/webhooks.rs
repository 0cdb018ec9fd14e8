//! Partners' webhooks: what they register and what the server reports about its deliveries.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The events a webhook can ask for: a petition the partner submitted reached this status.
pub const WEBHOOK_EVENTS: &[&str] = &[
    "petition.needs_info",
    "petition.accepted",
    "petition.dispatched",
    "petition.handling",
    "petition.replied",
    "petition.closed",
    "petition.rejected",
    "petition.merged",
    "petition.withdrawn",
];

/// `POST /api/v1/webhooks` (partner).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// Where to POST events: `https://` (plain `http://` and private addresses only where the
    /// server is configured to allow them).
    #[cfg_attr(
        feature = "openapi",
        schema(example = "https://portal.xiuwu.gov.cn/minhu/events")
    )]
    pub url: String,
    /// Event names from `petition.needs_info`, `petition.accepted`, `petition.dispatched`,
    /// `petition.handling`, `petition.replied`, `petition.closed`, `petition.rejected`,
    /// `petition.merged`, `petition.withdrawn`.
    #[cfg_attr(
        feature = "openapi",
        schema(example = json!(["petition.accepted", "petition.replied", "petition.closed"]))
    )]
    pub events: Vec<String>,
}

/// A registered webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Webhook {
    pub id: i64,
    pub partner_id: i64,
    pub url: String,
    pub events: Vec<String>,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// A new webhook with the secret it signs with, shown only in this response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WebhookCreated {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// HMAC-SHA256 key of the `X-Minhu-Signature` header.
    pub secret: String,
}

/// One event's delivery to one webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WebhookDelivery {
    pub id: i64,
    /// The event's id (`X-Minhu-Event-Id`), the same on every attempt: deduplicate by it.
    pub event_id: String,
    pub event: String,
    /// `pending` (not yet acknowledged; retried), `delivered`, or `failed` (given up).
    pub status: String,
    pub attempts: i64,
    /// The receiver's HTTP status on the last attempt.
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    #[serde(serialize_with = "crate::time::rfc3339_opt")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::time::rfc3339_opt")]
    pub delivered_at: Option<DateTime<Utc>>,
}

/// The body POSTed to a webhook. Nothing personal: the partner reads the petition itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WebhookEvent {
    /// `evt_` and a number; the same on every retry.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    pub data: WebhookEventData,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WebhookEventData {
    pub petition_id: i64,
    pub tracking_no: String,
    pub status: crate::PetitionStatus,
    pub previous_status: Option<crate::PetitionStatus>,
}

//! The knowledge base (知识库): questions the hotline answers again and again.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::Role;

/// Who keeps the knowledge base: the hotline office, reporters and administrators.
pub const ARTICLE_EDITORS: [Role; 3] = [Role::Operator, Role::Reporter, Role::Admin];

/// An article. Public ones form the 帮打听 column of the public site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Article {
    pub id: i64,
    #[cfg_attr(
        feature = "openapi",
        schema(example = "小区停水了，什么时候恢复供水？")
    )]
    pub question: String,
    pub answer: String,
    pub category_id: Option<i64>,
    /// Shown to everybody; otherwise only to the hotline office, units, reporters and leaders.
    pub public: bool,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub updated_at: DateTime<Utc>,
    /// How well it matches the search (0–1), in search results only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// `POST /api/v1/knowledge` (hotline office, reporters, administrators).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewArticle {
    /// 1–200 characters.
    pub question: String,
    /// 1–4,000 characters.
    pub answer: String,
    #[serde(default)]
    pub category_id: Option<i64>,
    #[serde(default)]
    pub public: bool,
}

/// `PATCH /api/v1/knowledge/{id}`: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ArticlePatch {
    #[serde(default)]
    pub question: Option<String>,
    #[serde(default)]
    pub answer: Option<String>,
    /// `null` removes the category.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub category_id: Option<Option<i64>>,
    #[serde(default)]
    pub public: Option<bool>,
}

fn present<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

//! Triage helpers: the dispatch catalogue (派单目录) and the suggestions for a petition.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::{AssignmentRole, Petition, UnitRef};

/// A catalogue rule: petitions of `category_id` (or of a category below it), within the area
/// `area_unit_id` when given, go to `unit_id`. The most specific matching rules win: a deeper
/// area first, then a narrower category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DispatchRule {
    pub id: i64,
    pub category_id: i64,
    /// The area, a unit whose subtree the petition's address falls in (by the unit's name).
    pub area_unit_id: Option<i64>,
    pub unit_id: i64,
    pub role: AssignmentRole,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// The responsible unit, named.
    pub unit: UnitRef,
    /// The area's unit, named.
    pub area: Option<UnitRef>,
}

/// `POST /api/v1/dispatch-rules` and `PATCH /api/v1/dispatch-rules/{id}` (admin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDispatchRule {
    pub category_id: i64,
    #[serde(default)]
    pub area_unit_id: Option<i64>,
    pub unit_id: i64,
    pub role: AssignmentRole,
}

/// `GET|PUT /api/v1/dispatch-settings` (admin).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DispatchSettings {
    /// Dispatch an accepted petition at once when exactly one lead rule matches it best
    /// (recorded on its timeline as done by the catalogue).
    pub auto_dispatch: bool,
}

/// A unit the catalogue suggests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UnitSuggestion {
    pub unit: UnitRef,
    pub rule_id: i64,
    pub role: AssignmentRole,
}

/// An open petition that may be the same matter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DuplicateSuggestion {
    pub petition: Petition,
    /// 0–1: 0.6 × shared character pairs of the texts (Dice), 0.25 × nearness (within 100 m
    /// by coordinates, else alike addresses), 0.15 × closeness in time (within a day).
    pub similarity: f64,
}

/// `GET /api/v1/petitions/{id}/suggestions` (hotline office).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Suggestions {
    /// From the dispatch catalogue, lead before assist.
    pub units: Vec<UnitSuggestion>,
    /// Open petitions of the same category likely to be the same matter, most similar first
    /// (at most 5): merge with `POST /api/v1/petitions/{id}/merge {"into_id": …}`.
    pub duplicates: Vec<DuplicateSuggestion>,
    /// For consultations: the knowledge-base articles that match best (at most 3).
    pub articles: Vec<ArticleSuggestion>,
}

/// A knowledge-base article, briefly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ArticleRef {
    pub id: i64,
    pub question: String,
}

/// An article that may answer the petition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ArticleSuggestion {
    pub article: ArticleRef,
    /// 0–1.
    pub score: f64,
}

//! Petitions (诉求), assignments, replies, visits and the timeline.

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    Action, AssignmentRole, AssignmentState, Outcome, PetitionKind, PetitionStatus, RequestKind,
    Role, Satisfaction, Source, UnitKind, Urgency, VisitKind,
};

/// `POST /api/v1/petitions`: a citizen's petition, a partner's on a resident's behalf, or a call
/// the hotline office registers (接线登记: contact name and phone required, `source` `phone` by
/// default; the petition belongs to no account).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPetition {
    pub kind: PetitionKind,
    pub category_id: i64,
    pub urgency: Urgency,
    /// 1–100 characters.
    #[cfg_attr(feature = "openapi", schema(example = "东常村路灯坏了一个多月"))]
    pub title: String,
    /// 1–4,000 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "村东头三盏路灯不亮，晚上孩子放学看不清路。")
    )]
    pub content: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "修武县郇封镇东常村东街12号"))]
    pub address: Option<String>,
    /// −90 to 90.
    #[serde(default)]
    pub latitude: Option<f64>,
    /// −180 to 180.
    #[serde(default)]
    pub longitude: Option<f64>,
    /// Hide the petitioner's identity from handling units.
    #[serde(default)]
    pub anonymous: bool,
    /// May appear (masked) in the public feed.
    #[serde(default)]
    pub publish_consent: bool,
    /// Contact name; defaults to the account's display name.
    #[serde(default)]
    pub contact_name: Option<String>,
    /// Contact phone (11-digit mobile); defaults to the account's phone.
    #[serde(default)]
    pub contact_phone: Option<String>,
    /// `app` (default; `phone` when the hotline office registers a call), `web`, `phone` or
    /// `wechat`; partners' petitions are always `partner`.
    #[serde(default)]
    pub source: Option<Source>,
    /// The hotline office only: accept the call's petition in the same step (受理), so it is
    /// ready to dispatch (or dispatched by the catalogue) at once.
    #[serde(default)]
    pub accept: bool,
}

/// A time limit: `{"amount": 30, "unit": "minutes"}`, `{"amount": 1, "unit": "working_days"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TimeSpan {
    /// 1–10,000.
    pub amount: i32,
    pub unit: crate::SpanUnit,
}

/// A unit, briefly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UnitRef {
    pub id: i64,
    pub name: String,
    pub kind: UnitKind,
}

/// An open request of a unit, waiting for the hotline office.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OpenRequest {
    pub kind: RequestKind,
    pub reason: String,
    /// For extensions: the days asked for.
    pub days: Option<i32>,
}

/// A petition, briefly (as in an inbox).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PetitionBrief {
    pub id: i64,
    pub tracking_no: String,
    pub title: String,
    pub kind: PetitionKind,
    pub urgency: Urgency,
    pub status: PetitionStatus,
}

/// One unit's part in an order (a lead or an assisting unit), with its deadlines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Assignment {
    pub id: i64,
    pub petition: PetitionBrief,
    pub unit: UnitRef,
    pub role: AssignmentRole,
    /// The assignment this one was dispatched down from.
    pub parent_id: Option<i64>,
    pub state: AssignmentState,
    pub open_request: Option<OpenRequest>,
    #[serde(serialize_with = "crate::time::rfc3339_opt")]
    pub sign_by: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub reply_by: DateTime<Utc>,
    /// Green, yellow (deadline near) or red (overdue); green once answered or returned.
    pub light: crate::Light,
    /// Whether the unit signed by `sign_by` (once it signed).
    pub signed_on_time: Option<bool>,
    /// Whether the unit replied by `reply_by` (once it replied).
    pub replied_on_time: Option<bool>,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::time::rfc3339_opt")]
    pub signed_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::time::rfc3339_opt")]
    pub replied_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::time::rfc3339_opt")]
    pub returned_at: Option<DateTime<Utc>>,
    /// What the caller may do on this order (sign, return, extension, dispatch down, progress,
    /// reply, decisions on requests); filled in the petition's detail view, empty in lists.
    #[serde(default)]
    pub allowed_actions: Vec<Action>,
}

/// A unit's (or the hotline office's) answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Reply {
    pub id: i64,
    pub petition_id: i64,
    pub assignment_id: Option<i64>,
    pub unit: Option<UnitRef>,
    pub body: String,
    pub outcome: Outcome,
    /// Shown in the public feed (masked); otherwise only to the petitioner and officials.
    pub public: bool,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// The unit's evidence (before and after), as the caller may see it.
    #[serde(default)]
    pub photos: Vec<crate::Photo>,
}

/// A petitioner's rating or an operator's follow-up call (回访).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Visit {
    pub id: i64,
    pub kind: VisitKind,
    pub satisfaction: Satisfaction,
    pub resolved: bool,
    pub contacted: bool,
    pub comment: Option<String>,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// A reporter's follow-up report (记者追访), shown on the public page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FollowUp {
    pub id: i64,
    pub petition_id: i64,
    pub author: String,
    pub title: String,
    pub body: String,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// One step on a petition's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Event {
    pub id: i64,
    pub action: Action,
    pub actor_role: Role,
    pub actor_unit: Option<UnitRef>,
    pub from_status: Option<PetitionStatus>,
    pub to_status: Option<PetitionStatus>,
    pub assignment_id: Option<i64>,
    pub note: Option<String>,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// Photos of the work on a progress note (`POST /api/v1/events/{id}/photos`).
    #[serde(default)]
    pub photos: Vec<crate::Photo>,
}

/// A petition as the caller may see it. Personal information is masked (褚某, 138****5678,
/// street-level address) unless the caller may see it; `masked` says which.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Petition {
    pub id: i64,
    /// Public tracking number, `YYYYMMDD-NNNNNN` (Asia/Shanghai date).
    #[cfg_attr(feature = "openapi", schema(example = "20261123-000042"))]
    pub tracking_no: String,
    pub kind: PetitionKind,
    pub category_id: i64,
    pub urgency: Urgency,
    pub title: String,
    pub content: String,
    pub address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub source: Source,
    pub anonymous: bool,
    pub publish_consent: bool,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub status: PetitionStatus,
    /// Send it back with an action to refuse the action if someone changed the petition first.
    pub version: i64,
    pub redo_count: i32,
    /// Under supervision (督办).
    pub supervised: bool,
    /// For a merged petition: the primary it follows.
    pub merged_into_id: Option<i64>,
    /// The deadline of the lead unit's reply, while one runs.
    #[serde(serialize_with = "crate::time::rfc3339_opt")]
    pub reply_by: Option<DateTime<Utc>>,
    /// The deadline's light while it runs (`null` when no unit is working on the order).
    pub light: Option<crate::Light>,
    /// Closed by the platform after the rating period passed without a rating (no valid visit).
    pub auto_closed: bool,
    /// Judged unreasonable (不合理诉求): left out of scoring.
    pub unreasonable: bool,
    /// The handling unit's assessment appeal (考核申诉): `pending`, `granted` (left out of
    /// scoring) or `refused`.
    pub appeal_state: Option<String>,
    /// Picked by a reporter as a typical case for the briefing.
    pub typical: bool,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub updated_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::time::rfc3339_opt")]
    pub closed_at: Option<DateTime<Utc>>,
    /// Whether personal information above is masked for this caller.
    pub masked: bool,
    /// Units the order is dispatched to (detail view only).
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    /// Replies the caller may see (detail view only).
    #[serde(default)]
    pub replies: Vec<Reply>,
    /// Ratings and follow-up calls (detail view only).
    #[serde(default)]
    pub visits: Vec<Visit>,
    /// What the caller may do now (detail view only): the UI shows these as buttons.
    #[serde(default)]
    pub allowed_actions: Vec<Action>,
    /// Photos (in the full view; empty in lists).
    #[serde(default)]
    pub photos: Vec<crate::Photo>,
    /// Whether the caller may add a photo now (detail view only): the server's own rule, so
    /// the upload is offered exactly when it would be accepted.
    #[serde(default)]
    pub can_add_photos: bool,
    /// Readers who added their support (我也遇到), kept as they click.
    #[serde(default)]
    pub supporters: i64,
    /// Moderation (内容审核): hidden from the public altogether.
    #[serde(default)]
    pub public_hidden: bool,
    /// Moderation: the title and content the public sees instead of the original (still
    /// masked); `None`: the original, masked.
    #[serde(default)]
    pub public_title: Option<String>,
    #[serde(default)]
    pub public_content: Option<String>,
}

/// A published petition (no token needed): masked, with its public replies and reporters'
/// follow-ups. A merged petition shows the progress of its primary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PublicPetition {
    /// The id to support or follow it by.
    pub id: i64,
    pub tracking_no: String,
    pub kind: PetitionKind,
    pub category_id: i64,
    pub title: String,
    /// Empty when the petitioner did not consent to publication (tracking only).
    pub content: String,
    pub address: Option<String>,
    pub status: PetitionStatus,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::time::rfc3339_opt")]
    pub closed_at: Option<DateTime<Utc>>,
    pub replies: Vec<Reply>,
    pub follow_ups: Vec<FollowUp>,
    pub timeline: Vec<PublicEvent>,
    /// Photos, when the petitioner consented to publication.
    #[serde(default)]
    pub photos: Vec<crate::Photo>,
    /// Readers who added their support (我也遇到).
    #[serde(default)]
    pub supporters: i64,
}

/// `POST /api/v1/petitions/{id}/moderation` (reporters, administrators): what the public sees.
/// Fields left out stay as they are; `public_title`/`public_content` `""` return to the
/// original. Each decision is on the timeline with its reason.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ModerationBody {
    #[serde(default)]
    pub hidden: Option<bool>,
    /// 1–100 characters, or "" for the original.
    #[serde(default)]
    pub public_title: Option<String>,
    /// 1–4,000 characters, or "" for the original.
    #[serde(default)]
    pub public_content: Option<String>,
    /// The petition's photos hidden from the public (the others are shown).
    #[serde(default)]
    pub hidden_photo_ids: Option<Vec<i64>>,
    /// Why (1–1,000 characters), on the timeline.
    pub reason: String,
}

/// `POST /api/v1/public/petitions/{id}/reports` (signed in): 举报不当内容.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    /// 1–500 characters.
    pub reason: String,
}

/// A reader's report on a public petition, in the editors' queue
/// (`GET /api/v1/moderation/reports`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ModerationReport {
    pub id: i64,
    pub petition_id: i64,
    pub tracking_no: String,
    /// The title as the public sees it now.
    pub public_title: String,
    pub reason: String,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// Set when a moderation decision on the petition followed the report.
    #[serde(serialize_with = "crate::time::rfc3339_opt")]
    pub resolved_at: Option<DateTime<Utc>>,
}

/// `POST|DELETE /api/v1/public/petitions/{id}/support`: the count afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Supporters {
    pub supporters: i64,
}

/// A step of the public timeline: what happened and when, without who.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PublicEvent {
    pub action: Action,
    pub to_status: Option<PetitionStatus>,
    pub unit: Option<String>,
    #[serde(serialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// Body of actions that only need the petition's version.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    #[serde(default)]
    pub version: Option<i64>,
}

/// `reject`, `redo`, `return`: a reason (1–1,000 characters).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    pub reason: String,
    #[serde(default)]
    pub version: Option<i64>,
}

/// `supervise`, `request-info`, progress notes, decisions: a note (1–1,000 characters).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    pub note: String,
    #[serde(default)]
    pub version: Option<i64>,
}

/// `merge`: fold this petition into another open one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    pub into_id: i64,
    #[serde(default)]
    pub version: Option<i64>,
}

/// `supplement`: the information the hotline office asked for (1–4,000 characters).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SupplementBody {
    pub content: String,
    #[serde(default)]
    pub version: Option<i64>,
}

/// `POST /petitions/{id}/assignments`: dispatch to a unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DispatchBody {
    pub unit_id: i64,
    pub role: AssignmentRole,
    /// Deadline for the reply; 7 days from now when absent. Must be in the future.
    #[serde(default)]
    #[serde(serialize_with = "crate::time::rfc3339_opt")]
    pub reply_by: Option<DateTime<Utc>>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// `POST /assignments/{id}/dispatch`: hand the order down to a unit below.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DispatchDownBody {
    pub unit_id: i64,
    /// At most the parent assignment's deadline (which is also the default).
    #[serde(default)]
    #[serde(serialize_with = "crate::time::rfc3339_opt")]
    pub reply_by: Option<DateTime<Utc>>,
}

/// `POST /assignments/{id}/extension`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExtensionBody {
    /// 1–30 days.
    pub days: i32,
    pub reason: String,
}

/// `POST /petitions/{id}/replies` (a unit) and `POST /petitions/{id}/answer` (直办, the hotline
/// office).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplyBody {
    /// 1–4,000 characters.
    pub body: String,
    pub outcome: Outcome,
    /// Shown in the public feed.
    pub public: bool,
    /// Which of the caller's assignments replies; needed only when the caller's unit holds several.
    #[serde(default)]
    pub assignment_id: Option<i64>,
    /// Answering directly (直办): the knowledge-base article the answer cites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_id: Option<i64>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// `POST /petitions/{id}/rating` (the petitioner) and `/visits` (an operator's call).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    pub satisfaction: Satisfaction,
    /// Was the problem solved?
    pub resolved: bool,
    /// Did the unit contact the petitioner?
    pub contacted: bool,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// `POST /petitions/{id}/follow-ups` (reporters).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewFollowUp {
    /// 1–100 characters.
    pub title: String,
    /// 1–10,000 characters.
    pub body: String,
}

/// The hotline office's decision on a return or extension request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    #[serde(default)]
    pub note: Option<String>,
}

/// A time-limit policy (限时办理): the most specific rule matching an order's urgency, kind and
/// category (urgency counts most, then category — a rule for a category covers its
/// subcategories — then kind) gives its deadlines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeadlinePolicy {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(example = "紧急诉求"))]
    pub name: String,
    pub urgency: Option<crate::Urgency>,
    pub kind: Option<crate::PetitionKind>,
    pub category_id: Option<i64>,
    /// Time to sign (contact the petitioner).
    pub sign_within: TimeSpan,
    /// Time to reply.
    pub reply_within: TimeSpan,
    /// Time for the follow-up (feedback) after the reply, where the platform sets one.
    pub visit_within: Option<TimeSpan>,
}

/// `POST /api/v1/deadline-policies` and `PATCH /api/v1/deadline-policies/{id}` (admin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDeadlinePolicy {
    /// 1–100 characters.
    pub name: String,
    #[serde(default)]
    pub urgency: Option<crate::Urgency>,
    #[serde(default)]
    pub kind: Option<crate::PetitionKind>,
    #[serde(default)]
    pub category_id: Option<i64>,
    pub sign_within: TimeSpan,
    pub reply_within: TimeSpan,
    #[serde(default)]
    pub visit_within: Option<TimeSpan>,
}

/// A day that differs from the Monday-to-Friday rhythm: a holiday on a weekday
/// (`working: false`) or a weekend day worked (调休, `working: true`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CalendarDay {
    /// `YYYY-MM-DD`, the date in Asia/Shanghai.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date, example = "2026-10-01"))]
    pub date: chrono::NaiveDate,
    pub working: bool,
    #[cfg_attr(feature = "openapi", schema(example = "国庆节"))]
    pub name: String,
}

/// `PUT /api/v1/calendar/{date}` (admin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CalendarDayBody {
    pub working: bool,
    /// 1–50 characters.
    pub name: String,
}

/// One unit's row on the supervision board (督办).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BoardUnit {
    pub unit: UnitRef,
    /// Open assignments (to sign or in handling).
    pub open: i64,
    pub yellow: i64,
    pub red: i64,
}

/// The supervision board: open orders by unit with their lights, the overdue and near-due
/// orders, and those under supervision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SupervisionBoard {
    pub units: Vec<BoardUnit>,
    /// Red first, then yellow; earliest deadline first (at most 100).
    pub urgent: Vec<Assignment>,
    /// Open petitions under supervision (at most 100).
    pub supervised: Vec<Petition>,
}

/// The weights of the score's terms: score = 100 × Σ wᵢ·xᵢ / Σ wᵢ over the terms that apply;
/// the redo term is 1 − redo rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScoreWeights {
    pub response: f64,
    pub resolution: f64,
    pub satisfaction: f64,
    #[serde(default)]
    pub on_time: f64,
    #[serde(default)]
    pub redo: f64,
}

impl Default for ScoreWeights {
    /// Beijing practice: 0.1 × response + 0.5 × resolution + 0.4 × satisfaction.
    fn default() -> Self {
        ScoreWeights {
            response: 0.1,
            resolution: 0.5,
            satisfaction: 0.4,
            on_time: 0.0,
            redo: 0.0,
        }
    }
}

/// How units are scored and ranked (`GET|PUT /api/v1/ranking-settings`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RankingSettings {
    pub weights: ScoreWeights,
    /// Units with fewer valid visits in the period are listed but not ranked.
    pub min_valid_visits: i64,
    /// Assessment months run from this day to the day before it in the next month (e.g. 19:
    /// the 19th to the 18th); `null` for calendar months.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 28))]
    pub cutoff_day: Option<u32>,
}

impl Default for RankingSettings {
    fn default() -> Self {
        RankingSettings {
            weights: ScoreWeights::default(),
            min_valid_visits: 5,
            cutoff_day: None,
        }
    }
}

/// A period, first and last day inclusive (Asia/Shanghai dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Period {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: chrono::NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: chrono::NaiveDate,
}

/// One unit's figures in a ranking. Rates are fractions 0–1 (`null` without a denominator).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RankingItem {
    /// Within the unit's kind; `null` when not ranked.
    pub rank: Option<u32>,
    pub unit: UnitRef,
    /// Orders received (受理量).
    pub received: i64,
    /// On-time sign rate (按时签收率).
    pub on_time_sign_rate: Option<f64>,
    /// On-time completion rate (按时办结率): replied by the deadline / due in the period.
    pub on_time_rate: Option<f64>,
    /// Response rate (响应率): contacted / valid visits.
    pub response_rate: Option<f64>,
    /// Resolution rate (解决率): resolved / valid visits.
    pub resolution_rate: Option<f64>,
    /// Satisfaction rate (满意率): (satisfied + 0.9 × basically satisfied) / valid visits.
    pub satisfaction_rate: Option<f64>,
    /// Redo rate (发回重办率): sent back for redo / replied.
    pub redo_rate: Option<f64>,
    /// 0–100 (综合得分).
    pub score: Option<f64>,
    pub valid_visits: i64,
    pub ranked: bool,
}

/// `GET /api/v1/rankings` (办理排行).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Ranking {
    pub period: Period,
    pub weights: ScoreWeights,
    pub min_valid_visits: i64,
    pub items: Vec<RankingItem>,
}

/// A count under a key (a status, kind, channel, category id or date) with its label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct KeyCount {
    pub key: String,
    pub label: String,
    pub n: i64,
}

/// `GET /api/v1/stats/overview`: petitions submitted in the period by status, kind, category,
/// channel and day; what is open and overdue now; average times to sign and to reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Overview {
    pub period: Period,
    pub total: i64,
    pub by_status: Vec<KeyCount>,
    pub by_kind: Vec<KeyCount>,
    pub by_category: Vec<KeyCount>,
    pub by_source: Vec<KeyCount>,
    pub by_day: Vec<KeyCount>,
    /// Open now (submitted to replied), whenever submitted.
    pub open_now: i64,
    /// With a unit and past the reply deadline now.
    pub overdue_now: i64,
    /// Hours from dispatch to signing, over the signatures in the period.
    pub avg_sign_hours: Option<f64>,
    /// Hours from dispatch to the unit's reply, over the replies in the period.
    pub avg_reply_hours: Option<f64>,
}

/// One unit's week in a briefing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BriefingUnit {
    pub unit: UnitRef,
    pub received: i64,
    pub replied: i64,
    pub on_time_rate: Option<f64>,
    pub satisfaction_rate: Option<f64>,
}

/// A petition named in a briefing (masked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BriefingCase {
    pub tracking_no: String,
    pub title: String,
    pub status: PetitionStatus,
    pub unit: Option<String>,
    #[serde(serialize_with = "crate::time::rfc3339_opt")]
    pub reply_by: Option<DateTime<Utc>>,
}

/// `GET /api/v1/briefings` (简报).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Briefing {
    pub period: Period,
    pub received: i64,
    pub accepted: i64,
    pub dispatched: i64,
    pub replied: i64,
    pub closed: i64,
    pub by_kind: Vec<KeyCount>,
    pub by_category: Vec<KeyCount>,
    pub by_unit: Vec<BriefingUnit>,
    /// Open orders past their deadline now, earliest first (at most 50).
    pub overdue: Vec<BriefingCase>,
    /// Typical cases reporters picked in the period.
    pub typical: Vec<BriefingCase>,
}

/// What trends are counted by (`GET /api/v1/stats/trends?by=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TrendBy {
    /// Petitions submitted, by category.
    #[default]
    Category,
    /// Orders received by the top-level units (districts and city departments).
    Area,
}

/// One category's or area's count in the period against the one before (环比) and the same
/// period a year earlier (同比).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TrendItem {
    /// The category's or unit's id.
    pub key: String,
    pub label: String,
    pub count: i64,
    pub previous: i64,
    /// (count − previous) / previous; `None` when nothing was counted before.
    pub change: Option<f64>,
    pub year_ago: i64,
    /// (count − year_ago) / year_ago; `None` when nothing was counted a year earlier.
    pub yoy_change: Option<f64>,
}

/// `GET /api/v1/stats/trends` (leaders, reporters, the hotline office), from the kept figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Trends {
    pub period: Period,
    pub previous: Period,
    pub year_ago: Period,
    pub by: TrendBy,
    /// Every category or area counted in any of the three periods, most first.
    pub items: Vec<TrendItem>,
    /// Those rising fastest against the previous period (at most five).
    pub rising: Vec<TrendItem>,
    /// The matters raised again and again in the period (at most ten): petitions of the period
    /// that the hotline office merged (并单) into one, by that one, most repeats first — the
    /// candidate topics for 每月一题 and for stories.
    #[serde(default)]
    pub clusters: Vec<TrendCluster>,
}

/// One repeat cluster of the trends: the petition the others were merged into (its title
/// masked), and how many of the period's petitions repeated it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TrendCluster {
    pub petition_id: i64,
    pub tracking_no: String,
    pub title: String,
    pub category_id: i64,
    /// Petitions of the period merged into it.
    pub repeats: i64,
    /// Readers who said 我也遇到.
    pub supporters: i64,
}

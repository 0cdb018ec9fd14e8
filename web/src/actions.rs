//! From an action the API allows to the request that performs it. Which actions are allowed is
//! the server's answer (`allowed_actions`); this module only knows what each one needs to be
//! filled in and where it is sent. Plain data in, plain data out: tested natively.

#[cfg(feature = "work")]
use std::collections::BTreeSet;

use minhu_types::rules::validate_text;
use minhu_types::{
    Action, AssignmentRole, FieldError, Outcome, RatingBody, Satisfaction, SupplementBody,
    VersionBody,
};
#[cfg(feature = "work")]
use minhu_types::{
    DispatchBody, DispatchDownBody, ExtensionBody, MergeBody, ModerationBody, NewFollowUp,
    NoteBody, Petition, ReasonBody, ReplyBody,
};
use serde::Serialize;
use serde_json::Value;

/// What a form for an action asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Nothing: one click (with confirmation).
    Confirm,
    Reason,
    Note,
    Supplement,
    Merge,
    /// A reply: body, outcome, public.
    Reply,
    Dispatch,
    DispatchDown,
    Extension,
    Rating,
    FollowUp,
    /// Not a button: a panel of its own on the petition's page (内容审核 — what the public
    /// sees), sent by [`moderation_request`].
    Panel,
}

/// Actions done on the petition as a whole (the others are done on one unit's order).
pub const ON_PETITION: &[Action] = &[
    Action::Accept,
    Action::RequestInfo,
    Action::Supplement,
    Action::AnswerDirectly,
    Action::Dispatch,
    Action::Reject,
    Action::Merge,
    Action::Withdraw,
    Action::Rate,
    Action::Visit,
    Action::Redo,
    Action::Supervise,
    Action::FollowUp,
    Action::MarkTypical,
    Action::MarkUnreasonable,
    Action::Appeal,
    Action::GrantAppeal,
    Action::RefuseAppeal,
];

pub fn form_of(action: Action) -> Form {
    match action {
        Action::Reject
        | Action::Redo
        | Action::RequestReturn
        | Action::MarkUnreasonable
        | Action::Appeal => Form::Reason,
        Action::Supervise | Action::RequestInfo | Action::Progress => Form::Note,
        Action::Supplement => Form::Supplement,
        Action::Merge => Form::Merge,
        Action::AnswerDirectly | Action::Reply => Form::Reply,
        Action::Dispatch => Form::Dispatch,
        Action::DispatchDown => Form::DispatchDown,
        Action::RequestExtension => Form::Extension,
        Action::Rate | Action::Visit => Form::Rating,
        Action::FollowUp => Form::FollowUp,
        Action::Moderate => Form::Panel,
        _ => Form::Confirm,
    }
}

/// Actions that are not undone lightly get a red button.
pub fn is_refusal(action: Action) -> bool {
    matches!(
        action,
        Action::Reject
            | Action::Withdraw
            | Action::Redo
            | Action::RequestReturn
            | Action::RefuseReturn
            | Action::RefuseExtension
            | Action::MarkUnreasonable
            | Action::RefuseAppeal
    )
}

/// What the user typed into an action's form.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
    pub text: String,
    pub title: String,
    pub outcome: Outcome,
    pub public: bool,
    pub unit_id: Option<i64>,
    pub role: AssignmentRole,
    pub days: String,
    pub into_id: String,
    pub satisfaction: Satisfaction,
    pub resolved: bool,
    pub contacted: bool,
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            text: String::new(),
            title: String::new(),
            outcome: Outcome::Resolved,
            public: true,
            unit_id: None,
            role: AssignmentRole::Lead,
            days: "3".into(),
            into_id: String::new(),
            satisfaction: Satisfaction::Satisfied,
            resolved: true,
            contacted: true,
        }
    }
}

/// Where an action goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub petition_id: i64,
    /// The unit's order, for the actions done on one.
    pub assignment_id: Option<i64>,
    /// The petition's version, so two people acting at once do not both succeed.
    pub version: i64,
}

#[cfg(feature = "work")]
const MAX_NOTE: usize = 1_000;
const MAX_BODY: usize = 4_000;

fn json<T: Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn required(field: &str, value: &str, max: usize) -> Result<String, Vec<FieldError>> {
    validate_text(field, value, max).map(|()| value.trim().to_owned())
}

fn field_error(field: &str, message: &str) -> Vec<FieldError> {
    vec![FieldError {
        field: field.into(),
        message: message.into(),
    }]
}

/// The petitioner's actions: the only ones the residents' app performs (the work app performs
/// every one; `Route::needs_work_app_for` sends officials there for a petition's page).
pub const PETITIONERS: &[Action] = &[Action::Supplement, Action::Withdraw, Action::Rate];

/// The API path and JSON body for `action` on `target`, or the fields to correct.
pub fn request(
    action: Action,
    target: Target,
    f: &Fields,
) -> Result<(String, Value), Vec<FieldError>> {
    let p = format!("/petitions/{}", target.petition_id);
    let version = Some(target.version);
    Ok(match action {
        Action::Withdraw => (format!("{p}/withdraw"), json(VersionBody { version })),
        Action::Supplement => (
            format!("{p}/supplement"),
            json(SupplementBody {
                content: required("content", &f.text, MAX_BODY)?,
                version,
            }),
        ),
        Action::Rate | Action::Visit => {
            let body = RatingBody {
                satisfaction: f.satisfaction,
                resolved: f.resolved,
                contacted: f.contacted,
                comment: crate::format::optional(&f.text),
                version,
            };
            let path = if action == Action::Rate {
                format!("{p}/rating")
            } else {
                format!("{p}/visits")
            };
            (path, json(body))
        }
        #[cfg(feature = "work")]
        _ => return officials_request(action, target, f),
        #[cfg(not(feature = "work"))]
        _ => return Err(field_error("action", "请在工作台中办理")),
    })
}

/// [`request`] for the officials' actions (only in the work app).
#[cfg(feature = "work")]
fn officials_request(
    action: Action,
    target: Target,
    f: &Fields,
) -> Result<(String, Value), Vec<FieldError>> {
    let p = format!("/petitions/{}", target.petition_id);
    let a = target
        .assignment_id
        .map(|id| format!("/assignments/{id}"))
        .unwrap_or_default();
    let version = Some(target.version);
    let reason = || required("reason", &f.text, MAX_NOTE);
    let note = || required("note", &f.text, MAX_NOTE);
    let decision = || json(minhu_types::DecisionBody::default());
    Ok(match action {
        Action::Accept => (format!("{p}/accept"), json(VersionBody { version })),
        Action::Reject => (
            format!("{p}/reject"),
            json(ReasonBody {
                reason: reason()?,
                version,
            }),
        ),
        Action::Redo => (
            format!("{p}/redo"),
            json(ReasonBody {
                reason: reason()?,
                version,
            }),
        ),
        Action::MarkUnreasonable => (
            format!("{p}/unreasonable"),
            json(ReasonBody {
                reason: reason()?,
                version,
            }),
        ),
        Action::Appeal => (
            format!("{p}/appeal"),
            json(ReasonBody {
                reason: reason()?,
                version,
            }),
        ),
        Action::GrantAppeal => (format!("{p}/appeal/grant"), decision()),
        Action::RefuseAppeal => (format!("{p}/appeal/refuse"), decision()),
        Action::MarkTypical => (format!("{p}/typical"), decision()),
        Action::Supervise => (
            format!("{p}/supervise"),
            json(NoteBody {
                note: note()?,
                version,
            }),
        ),
        Action::RequestInfo => (
            format!("{p}/request-info"),
            json(NoteBody {
                note: note()?,
                version,
            }),
        ),
        Action::Merge => {
            let into_id = f
                .into_id
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0 && *id != target.petition_id)
                .ok_or_else(|| field_error("into_id", "请填写要并入的诉求编号（ID）"))?;
            (format!("{p}/merge"), json(MergeBody { into_id, version }))
        }
        Action::AnswerDirectly | Action::Reply => {
            let body = ReplyBody {
                body: required("body", &f.text, MAX_BODY)?,
                outcome: f.outcome,
                public: f.public,
                assignment_id: target.assignment_id.filter(|_| action == Action::Reply),
                article_id: None,
                version,
            };
            let path = if action == Action::Reply {
                format!("{p}/replies")
            } else {
                format!("{p}/answer")
            };
            (path, json(body))
        }
        Action::Dispatch => {
            let unit_id = f
                .unit_id
                .ok_or_else(|| field_error("unit_id", "请选择承办单位"))?;
            (
                format!("{p}/assignments"),
                json(DispatchBody {
                    unit_id,
                    role: f.role,
                    reply_by: None,
                    version,
                }),
            )
        }
        Action::FollowUp => (
            format!("{p}/follow-ups"),
            json(NewFollowUp {
                title: required("title", &f.title, 100)?,
                body: required("body", &f.text, MAX_BODY)?,
            }),
        ),
        Action::Sign => (format!("{a}/sign"), json(VersionBody { version: None })),
        Action::RequestReturn => (
            format!("{a}/return"),
            json(ReasonBody {
                reason: reason()?,
                version: None,
            }),
        ),
        Action::ApproveReturn => (format!("{a}/return/approve"), decision()),
        Action::RefuseReturn => (format!("{a}/return/refuse"), decision()),
        Action::ApproveExtension => (format!("{a}/extension/approve"), decision()),
        Action::RefuseExtension => (format!("{a}/extension/refuse"), decision()),
        Action::Progress => (
            format!("{a}/progress"),
            json(NoteBody {
                note: note()?,
                version: None,
            }),
        ),
        Action::RequestExtension => {
            let days = f
                .days
                .trim()
                .parse::<i32>()
                .ok()
                .filter(|d| (1..=30).contains(d))
                .ok_or_else(|| field_error("days", "延期天数须为 1–30"))?;
            (
                format!("{a}/extension"),
                json(ExtensionBody {
                    days,
                    reason: reason()?,
                }),
            )
        }
        Action::DispatchDown => {
            let unit_id = f
                .unit_id
                .ok_or_else(|| field_error("unit_id", "请选择下级单位"))?;
            (
                format!("{a}/dispatch"),
                json(DispatchDownBody {
                    unit_id,
                    reply_by: None,
                }),
            )
        }
        Action::Submit | Action::Overdue | Action::AutoClose => {
            return Err(field_error("action", "该操作由系统完成"))
        }
        // Its own panel and body: `moderation_request`.
        Action::Moderate => return Err(field_error("action", "请在内容审核面板中操作")),
        Action::Withdraw | Action::Supplement | Action::Rate | Action::Visit => {
            return request(action, target, f)
        }
    })
}

/// Whether an action is offered as a button (the others have their own panel on the page, or
/// are done by the system).
pub fn is_button(action: Action) -> bool {
    form_of(action) != Form::Panel
        && !matches!(action, Action::Submit | Action::Overdue | Action::AutoClose)
}

#[cfg(feature = "work")]
pub const MAX_PUBLIC_TITLE: usize = minhu_types::rules::MAX_TITLE;
#[cfg(feature = "work")]
pub const MAX_PUBLIC_CONTENT: usize = minhu_types::rules::MAX_CONTENT;
#[cfg(feature = "work")]
pub const MAX_MODERATION_REASON: usize = 1_000;

/// What an editor decides the public sees of a petition (内容审核), as the panel's fields.
/// An empty public title or content means the original (masked, as always).
#[cfg(feature = "work")]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Moderation {
    pub hidden: bool,
    pub title: String,
    pub content: String,
    pub hidden_photos: BTreeSet<i64>,
    pub reason: String,
}

#[cfg(feature = "work")]
impl Moderation {
    /// The panel prefilled with what the public sees now; the reason is always new.
    pub fn of(p: &Petition) -> Moderation {
        Moderation {
            hidden: p.public_hidden,
            title: p.public_title.clone().unwrap_or_default(),
            content: p.public_content.clone().unwrap_or_default(),
            hidden_photos: p.photos.iter().filter(|f| f.hidden).map(|f| f.id).collect(),
            reason: String::new(),
        }
    }

    pub fn set_photo(&mut self, id: i64, hidden: bool) {
        if hidden {
            self.hidden_photos.insert(id);
        } else {
            self.hidden_photos.remove(&id);
        }
    }
}

/// The path and body of a moderation decision on `p`, or the fields to correct. Only what the
/// editor changed is sent (fields left out stay as they are, so a decision taken meanwhile by
/// another editor on another field is kept). A decision that changes nothing (a report found
/// unfounded) confirms the petition's visibility as it is, so that it is still a decision:
/// its reason goes on the timeline and it settles the readers' open reports.
#[cfg(feature = "work")]
pub fn moderation_request(
    p: &Petition,
    m: &Moderation,
) -> Result<(String, ModerationBody), Vec<FieldError>> {
    let mut errors = Vec::new();
    let title = m.title.trim();
    let content = m.content.trim();
    let mut check = |r: Result<(), Vec<FieldError>>| {
        if let Err(e) = r {
            errors.extend(e);
        }
    };
    if !title.is_empty() {
        check(validate_text("public_title", title, MAX_PUBLIC_TITLE));
    }
    if !content.is_empty() {
        check(validate_text("public_content", content, MAX_PUBLIC_CONTENT));
    }
    check(validate_text("reason", &m.reason, MAX_MODERATION_REASON));
    if !errors.is_empty() {
        return Err(errors);
    }
    let now = Moderation::of(p);
    let changed = |new: &str, old: &str| (new != old.trim()).then(|| new.to_owned());
    let mut body = ModerationBody {
        hidden: (m.hidden != now.hidden).then_some(m.hidden),
        public_title: changed(title, &now.title),
        public_content: changed(content, &now.content),
        hidden_photo_ids: (m.hidden_photos != now.hidden_photos)
            .then(|| m.hidden_photos.iter().copied().collect()),
        reason: m.reason.trim().to_owned(),
    };
    let nothing = body.public_title.is_none()
        && body.public_content.is_none()
        && body.hidden_photo_ids.is_none();
    if nothing {
        body.hidden = Some(m.hidden);
    }
    Ok((format!("/petitions/{}/moderation", p.id), body))
}

/// What the residents' app needs (in both builds).
#[cfg(test)]
mod petitioners {
    use super::*;

    #[test]
    fn the_residents_app_performs_the_petitioners_actions() {
        let on = Target {
            petition_id: 7,
            assignment_id: None,
            version: 3,
        };
        let f = Fields {
            text: "门牌号是12号".into(),
            ..Fields::default()
        };
        for a in PETITIONERS {
            assert!(ON_PETITION.contains(a) && is_button(*a), "{a:?}");
            // The forms the residents' app draws (the others are the work app's).
            assert!(
                matches!(form_of(*a), Form::Confirm | Form::Supplement | Form::Rating),
                "{a:?}"
            );
            let (path, _) = request(*a, on, &f).expect("sent");
            assert!(path.starts_with("/petitions/7/"), "{path}");
        }
    }
}

#[cfg(all(test, feature = "work"))]
mod tests {
    use super::*;
    use serde_json::json;

    const ON: Target = Target {
        petition_id: 7,
        assignment_id: Some(3),
        version: 4,
    };

    #[test]
    fn every_action_has_a_form_and_an_address() {
        let f = Fields {
            text: "理由".into(),
            title: "追访".into(),
            unit_id: Some(9),
            into_id: "5".into(),
            ..Fields::default()
        };
        for action in Action::ALL {
            let r = request(*action, ON, &f);
            if !is_button(*action) {
                assert!(r.is_err(), "{action:?}");
                continue;
            }
            let (path, _) = r.unwrap_or_else(|e| panic!("{action:?}: {e:?}"));
            assert!(
                path.starts_with("/petitions/7") || path.starts_with("/assignments/3"),
                "{path}"
            );
        }
    }

    #[test]
    fn bodies_match_the_api() {
        let f = Fields {
            text: " 已修复三盏路灯 ".into(),
            ..Fields::default()
        };
        assert_eq!(
            request(Action::Reply, ON, &f),
            Ok((
                "/petitions/7/replies".into(),
                json!({"body": "已修复三盏路灯", "outcome": "resolved", "public": true, "assignment_id": 3, "version": 4})
            ))
        );
        assert_eq!(
            request(Action::Accept, ON, &f),
            Ok(("/petitions/7/accept".into(), json!({"version": 4})))
        );
        assert_eq!(
            request(Action::Sign, ON, &f).map(|r| r.0),
            Ok("/assignments/3/sign".into())
        );
    }

    #[test]
    fn missing_fields_are_named() {
        let empty = Fields::default();
        let field = |a| {
            request(a, ON, &empty).expect_err("invalid")[0]
                .field
                .clone()
        };
        assert_eq!(field(Action::Reject), "reason");
        assert_eq!(field(Action::Supervise), "note");
        assert_eq!(field(Action::Dispatch), "unit_id");
        assert_eq!(field(Action::Merge), "into_id");
        let f = Fields {
            days: "45".into(),
            text: "需要协调".into(),
            ..Fields::default()
        };
        assert_eq!(
            request(Action::RequestExtension, ON, &f).expect_err("too long")[0].field,
            "days"
        );
    }

    #[test]
    fn petition_and_order_actions_are_told_apart() {
        assert!(ON_PETITION.contains(&Action::Accept));
        assert!(!ON_PETITION.contains(&Action::Sign));
        assert!(!ON_PETITION.contains(&Action::Reply));
        assert_eq!(form_of(Action::Visit), Form::Rating);
        assert!(is_refusal(Action::Reject) && !is_refusal(Action::Accept));
    }

    #[test]
    fn moderation_is_a_panel_not_a_button() {
        assert_eq!(form_of(Action::Moderate), Form::Panel);
        assert!(!is_button(Action::Moderate) && !is_button(Action::AutoClose));
        assert!(is_button(Action::Accept) && is_button(Action::MarkTypical));
        assert!(!ON_PETITION.contains(&Action::Moderate));
        assert_eq!(
            request(Action::Moderate, ON, &Fields::default()).expect_err("panel")[0].field,
            "action"
        );
    }

    fn petition(extra: Value) -> Petition {
        let mut v = json!({
            "id": 7, "tracking_no": "20261123-000007", "kind": "help", "category_id": 1,
            "urgency": "normal", "title": "路灯不亮", "content": "建设路路灯坏了", "source": "web",
            "anonymous": false, "publish_consent": true, "status": "replied", "version": 4,
            "redo_count": 0, "supervised": false, "auto_closed": false, "unreasonable": false,
            "typical": false, "masked": true,
            "created_at": "2026-11-23T08:00:00Z", "updated_at": "2026-11-23T08:00:00Z",
            "photos": [
                {"id": 31, "content_type": "image/jpeg", "width": 8, "height": 8},
                {"id": 32, "content_type": "image/jpeg", "width": 8, "height": 8, "hidden": true}
            ]
        });
        if let (Some(o), Value::Object(e)) = (v.as_object_mut(), extra) {
            o.extend(e);
        }
        serde_json::from_value(v).expect("a petition")
    }

    #[test]
    fn the_panel_starts_from_what_the_public_sees() {
        let p = petition(json!({"public_hidden": true, "public_title": "（经编辑处理）路灯"}));
        let m = Moderation::of(&p);
        assert!(m.hidden);
        assert_eq!(m.title, "（经编辑处理）路灯");
        assert_eq!(m.content, "");
        assert_eq!(m.hidden_photos, BTreeSet::from([32]));
        assert_eq!(m.reason, "");
        let shown = petition(
            json!({"photos": [{"id": 31, "content_type": "image/jpeg", "width": 8, "height": 8}]}),
        );
        let m = Moderation::of(&shown);
        assert!(!m.hidden && m.title.is_empty() && m.hidden_photos.is_empty());
    }

    #[test]
    fn only_what_changed_is_sent_with_the_reason() {
        let p = petition(json!({}));
        let mut m = Moderation::of(&p);
        m.title = " （经编辑处理）路灯不亮 ".into();
        m.reason = " 标题含不实指控 ".into();
        let (path, body) = moderation_request(&p, &m).expect("valid");
        assert_eq!(path, "/petitions/7/moderation");
        assert_eq!(
            json(&body),
            json!({"hidden": null, "public_title": "（经编辑处理）路灯不亮", "public_content": null,
                   "hidden_photo_ids": null, "reason": "标题含不实指控"})
        );
        // Hiding the petition and a photo; showing the other photo again.
        let mut m = Moderation::of(&p);
        m.hidden = true;
        m.set_photo(31, true);
        m.set_photo(32, false);
        m.reason = "涉及个人隐私".into();
        let body = moderation_request(&p, &m).expect("valid").1;
        assert_eq!(body.hidden, Some(true));
        assert_eq!(body.hidden_photo_ids, Some(vec![31]));
        assert_eq!((body.public_title, body.public_content), (None, None));
        // A decision that changes nothing confirms the visibility as it is (still a decision,
        // with its reason on the timeline, settling the open reports).
        let mut m = Moderation::of(&p);
        m.reason = "举报不成立".into();
        assert_eq!(
            moderation_request(&p, &m).expect("valid").1,
            ModerationBody {
                hidden: Some(false),
                reason: "举报不成立".into(),
                ..ModerationBody::default()
            }
        );
        let hidden = petition(json!({"public_hidden": true}));
        let mut m = Moderation::of(&hidden);
        m.reason = "维持隐藏".into();
        assert_eq!(
            moderation_request(&hidden, &m).expect("valid").1.hidden,
            Some(true)
        );
    }

    #[test]
    fn emptying_the_public_version_returns_to_the_original() {
        let p = petition(json!({"public_title": "改写的标题", "public_content": "改写的内容"}));
        let mut m = Moderation::of(&p);
        m.title = "  ".into();
        m.content.clear();
        m.reason = "恢复原文".into();
        let body = moderation_request(&p, &m).expect("valid").1;
        assert_eq!(body.public_title.as_deref(), Some(""));
        assert_eq!(body.public_content.as_deref(), Some(""));
        assert_eq!(body.hidden, None);
    }

    #[test]
    fn moderation_fields_are_checked_before_sending() {
        let p = petition(json!({}));
        let fields = |m: &Moderation| -> Vec<String> {
            moderation_request(&p, m)
                .expect_err("invalid")
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        let mut m = Moderation::of(&p);
        assert_eq!(fields(&m), ["reason"]);
        m.title = "标".repeat(101);
        m.content = "字".repeat(MAX_PUBLIC_CONTENT + 1);
        m.reason = "理".repeat(1_001);
        assert_eq!(fields(&m), ["public_title", "public_content", "reason"]);
        // The limits count characters, not bytes.
        m.title = "标".repeat(100);
        m.content = "字".repeat(MAX_PUBLIC_CONTENT);
        m.reason = "理".repeat(1_000);
        assert!(moderation_request(&p, &m).is_ok());
    }
}

//! From an action the API allows to the request that performs it. Which actions are allowed is
//! the server's answer (`allowed_actions`); this module only knows what each one needs to be
//! filled in and where it is sent. Plain data in, plain data out: tested natively.

use minhu_types::rules::validate_text;
use minhu_types::{
    Action, AssignmentRole, DispatchBody, DispatchDownBody, ExtensionBody, FieldError, MergeBody,
    NewFollowUp, NoteBody, Outcome, RatingBody, ReasonBody, ReplyBody, Satisfaction,
    SupplementBody, VersionBody,
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

/// The API path and JSON body for `action` on `target`, or the fields to correct.
pub fn request(
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
        Action::Withdraw => (format!("{p}/withdraw"), json(VersionBody { version })),
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
        Action::Supplement => (
            format!("{p}/supplement"),
            json(SupplementBody {
                content: required("content", &f.text, MAX_BODY)?,
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
    })
}

#[cfg(test)]
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
            if matches!(action, Action::Submit | Action::Overdue | Action::AutoClose) {
                assert!(r.is_err());
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
}

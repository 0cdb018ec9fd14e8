//! The petition lifecycle of `domain.md`, once, as a table. Nothing else decides whether a
//! transition is allowed: handlers ask [`decide`], the UI asks [`allowed`] (through the API).

use minhu_types::{Action, AssignmentRole, AssignmentState, PetitionStatus, RequestKind, Role};

use PetitionStatus::*;

/// How the caller stands to the petition. A caller may hold several (an operator who is also
/// the petitioner).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Relations {
    /// Submitted it (a citizen, or the partner that submitted on a resident's behalf).
    pub petitioner: bool,
    /// The 12345 hotline office.
    pub hotline: bool,
    /// A handler whose unit's subtree holds the assignment acted on.
    pub unit: bool,
    /// City or district leadership.
    pub leadership: bool,
    /// Newspaper reporters and editors.
    pub press: bool,
    /// The background jobs (auto-close after the rating period).
    pub system: bool,
    /// Platform administrators.
    pub admin: bool,
}

impl Relations {
    pub fn of(role: Role, is_petitioner: bool, unit_covers_assignment: bool) -> Relations {
        Relations {
            petitioner: is_petitioner,
            hotline: role == Role::Operator,
            unit: role == Role::Handler && unit_covers_assignment,
            leadership: role == Role::Leader,
            press: role == Role::Reporter,
            system: role == Role::System,
            admin: role == Role::Admin,
        }
    }

    fn has(self, r: Rel) -> bool {
        match r {
            Rel::Petitioner => self.petitioner,
            Rel::Hotline => self.hotline,
            Rel::Unit => self.unit,
            Rel::Leadership => self.leadership,
            Rel::Press => self.press,
            Rel::System => self.system,
            Rel::Admin => self.admin,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rel {
    Petitioner,
    Hotline,
    Unit,
    Leadership,
    Press,
    System,
    Admin,
}

impl Rel {
    fn label(self) -> &'static str {
        match self {
            Rel::Petitioner => "诉求人",
            Rel::Hotline => "热线办",
            Rel::Unit => "承办单位",
            Rel::Leadership => "领导",
            Rel::Press => "记者",
            Rel::System => "系统",
            Rel::Admin => "管理员",
        }
    }
}

/// What is known of the assignment an action concerns (for dispatch: the one being created).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssignmentFacts {
    pub role: AssignmentRole,
    /// `None` for an assignment about to be created.
    pub state: Option<AssignmentState>,
    /// Dispatched by the hotline office (not down from another unit).
    pub top_level: bool,
    pub open_request: Option<RequestKind>,
    /// The assignment's unit has units below it to hand the order down to.
    pub units_below: bool,
}

/// The situation an action is attempted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Situation {
    pub status: PetitionStatus,
    /// Whether the petition has a lead unit (decides where a redo goes).
    pub has_lead: bool,
    pub assignment: Option<AssignmentFacts>,
    /// What some actions need of the petition beyond its status.
    pub petition: PetitionFacts,
}

/// The petition's own preconditions of some actions, so that what the table offers is what
/// the server then does. The default asks nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PetitionFacts {
    /// Closed more than the redo window ago: no more redo.
    pub redo_window_closed: bool,
    /// Already judged unreasonable.
    pub unreasonable: bool,
    /// Where an appeal against the assessment stands.
    pub appeal: AppealFacts,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AppealFacts {
    #[default]
    None,
    Pending,
    Decided,
}

/// Why `action` cannot be taken on this petition although its status allows it, if so.
fn precondition(action: Action, s: &Situation) -> Option<&'static str> {
    let p = &s.petition;
    match action {
        Action::DispatchDown if s.assignment.is_some_and(|a| !a.units_below) => {
            Some("本单位没有下级单位，不能下派")
        }
        Action::Redo if p.redo_window_closed => Some("工单办结已超过 30 天，不能再发回重办"),
        Action::MarkUnreasonable if p.unreasonable => Some("该工单已认定为不合理诉求"),
        Action::Appeal if p.appeal != AppealFacts::None => Some("该工单已提出过考核申诉"),
        Action::GrantAppeal | Action::RefuseAppeal if p.appeal != AppealFacts::Pending => {
            Some("该工单没有待审核的考核申诉")
        }
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Req {
    /// Whatever requests are open.
    Any,
    /// No request may be open.
    NoneOpen,
    /// This request must be open.
    Open(RequestKind),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum To {
    Same,
    Status(PetitionStatus),
}

/// One row of the lifecycle table.
struct Rule {
    action: Action,
    by: Rel,
    from: &'static [PetitionStatus],
    /// `None`: a petition-level action. `Some`: an action on an assignment of this role (or any
    /// role when `role` is `None`) in one of `states` (empty: an assignment being created).
    on: Option<On>,
    to: To,
    /// Only when the petition has (true) or has no (false) lead unit.
    has_lead: Option<bool>,
}

#[derive(Clone, Copy)]
struct On {
    role: Option<AssignmentRole>,
    states: &'static [AssignmentState],
    request: Req,
    top_level_only: bool,
    to: Option<AssignmentState>,
}

/// The sets of statuses the table and the queries share: a query asks for `names(IN_UNITS)`
/// rather than spelling the statuses again.
///
/// With the hotline office or the units, before any reply.
pub const OPEN: &[PetitionStatus] = &[Submitted, NeedsInfo, Accepted, Dispatched, Handling];
/// Not ended: open, or replied and waiting for the petitioner's rating.
pub const UNENDED: &[PetitionStatus] = &[
    Submitted, NeedsInfo, Accepted, Dispatched, Handling, Replied,
];
/// With a unit, its reply deadline running (the lights apply).
pub const IN_UNITS: &[PetitionStatus] = &[Dispatched, Handling];
/// Statuses in which the hotline office, leaders and the press may supervise.
pub const SUPERVISABLE: &[PetitionStatus] = &[Accepted, Dispatched, Handling, Replied];
/// Orders a unit still has to answer.
pub const LIVE_ORDERS: &[AssignmentState] = &[AssignmentState::Pending, AssignmentState::Handling];

/// The stored names of a set of statuses or states, for a query's `IN (…)`.
pub fn names<T: Copy + Into<&'static str>>(set: &[T]) -> Vec<&'static str> {
    set.iter().map(|&v| v.into()).collect()
}
/// Orders a unit has had, so figures can count them.
const ASSESSED: &[PetitionStatus] = &[Dispatched, Handling, Replied, Closed];
const ALL: &[PetitionStatus] = &[
    Submitted, NeedsInfo, Accepted, Dispatched, Handling, Replied, Closed, Rejected, Merged,
    Withdrawn,
];

const fn petition(action: Action, by: Rel, from: &'static [PetitionStatus], to: To) -> Rule {
    Rule {
        action,
        by,
        from,
        on: None,
        to,
        has_lead: None,
    }
}

const fn assignment(
    action: Action,
    by: Rel,
    from: &'static [PetitionStatus],
    role: Option<AssignmentRole>,
    states: &'static [AssignmentState],
    request: Req,
    to: To,
    assignment_to: Option<AssignmentState>,
) -> Rule {
    Rule {
        action,
        by,
        from,
        on: Some(On {
            role,
            states,
            request,
            top_level_only: false,
            to: assignment_to,
        }),
        to,
        has_lead: None,
    }
}

use AssignmentRole::{Assist, Lead};
use AssignmentState::{Handling as AHandling, Pending, Replied as AReplied, Returned};

/// The lifecycle (`domain.md`, "Lifecycle"). Read a row as: `action` by `by` on a petition in
/// one of `from` (and, for assignment actions, an assignment as described) leads to `to`.
static TABLE: &[Rule] = &[
    // Triage by the hotline office.
    petition(
        Action::Accept,
        Rel::Hotline,
        &[Submitted],
        To::Status(Accepted),
    ),
    petition(
        Action::Reject,
        Rel::Hotline,
        &[Submitted, NeedsInfo],
        To::Status(Rejected),
    ),
    petition(
        Action::Merge,
        Rel::Hotline,
        &[Submitted, Accepted],
        To::Status(Merged),
    ),
    petition(
        Action::AnswerDirectly,
        Rel::Hotline,
        &[Submitted, Accepted],
        To::Status(Replied),
    ),
    petition(
        Action::RequestInfo,
        Rel::Hotline,
        &[Submitted],
        To::Status(NeedsInfo),
    ),
    // The petitioner.
    petition(
        Action::Supplement,
        Rel::Petitioner,
        &[NeedsInfo],
        To::Status(Submitted),
    ),
    petition(
        Action::Withdraw,
        Rel::Petitioner,
        OPEN,
        To::Status(Withdrawn),
    ),
    petition(
        Action::Rate,
        Rel::Petitioner,
        &[Replied],
        To::Status(Closed),
    ),
    // Nobody rated within the rating period: the jobs close it (no valid visit).
    petition(
        Action::AutoClose,
        Rel::System,
        &[Replied],
        To::Status(Closed),
    ),
    // Follow-up calls, redo, supervision.
    petition(Action::Visit, Rel::Hotline, &[Replied], To::Status(Closed)),
    petition(Action::Visit, Rel::Hotline, &[Closed], To::Same),
    Rule {
        action: Action::Redo,
        by: Rel::Hotline,
        from: &[Replied, Closed],
        on: None,
        to: To::Status(Handling),
        has_lead: Some(true),
    },
    Rule {
        action: Action::Redo,
        by: Rel::Hotline,
        from: &[Replied, Closed],
        on: None,
        to: To::Status(Accepted),
        has_lead: Some(false),
    },
    petition(Action::Supervise, Rel::Hotline, SUPERVISABLE, To::Same),
    petition(Action::Supervise, Rel::Leadership, SUPERVISABLE, To::Same),
    petition(Action::Supervise, Rel::Press, SUPERVISABLE, To::Same),
    petition(Action::FollowUp, Rel::Press, ALL, To::Same),
    petition(Action::MarkTypical, Rel::Press, ALL, To::Same),
    // What the public sees of it (内容审核): the newspaper's editors and the administrators.
    petition(Action::Moderate, Rel::Press, ALL, To::Same),
    petition(Action::Moderate, Rel::Admin, ALL, To::Same),
    // Marks that leave an order out of scoring.
    petition(Action::MarkUnreasonable, Rel::Hotline, ASSESSED, To::Same),
    petition(Action::Appeal, Rel::Unit, ASSESSED, To::Same),
    petition(Action::GrantAppeal, Rel::Hotline, ASSESSED, To::Same),
    petition(Action::RefuseAppeal, Rel::Hotline, ASSESSED, To::Same),
    // Dispatch: a lead unit once accepted; assisting units while the order is open in units.
    assignment(
        Action::Dispatch,
        Rel::Hotline,
        &[Accepted],
        Some(Lead),
        &[],
        Req::Any,
        To::Status(Dispatched),
        None,
    ),
    assignment(
        Action::Dispatch,
        Rel::Hotline,
        &[Accepted, Dispatched, Handling],
        Some(Assist),
        &[],
        Req::Any,
        To::Same,
        None,
    ),
    // The units.
    assignment(
        Action::Sign,
        Rel::Unit,
        IN_UNITS,
        Some(Lead),
        &[Pending],
        Req::NoneOpen,
        To::Status(Handling),
        Some(AHandling),
    ),
    assignment(
        Action::Sign,
        Rel::Unit,
        IN_UNITS,
        Some(Assist),
        &[Pending],
        Req::NoneOpen,
        To::Same,
        Some(AHandling),
    ),
    Rule {
        action: Action::RequestReturn,
        by: Rel::Unit,
        from: IN_UNITS,
        on: Some(On {
            role: None,
            states: &[Pending, AHandling],
            request: Req::NoneOpen,
            top_level_only: true,
            to: None,
        }),
        to: To::Same,
        has_lead: None,
    },
    assignment(
        Action::ApproveReturn,
        Rel::Hotline,
        IN_UNITS,
        Some(Lead),
        &[Pending, AHandling],
        Req::Open(RequestKind::Return),
        To::Status(Accepted),
        Some(Returned),
    ),
    assignment(
        Action::ApproveReturn,
        Rel::Hotline,
        IN_UNITS,
        Some(Assist),
        &[Pending, AHandling],
        Req::Open(RequestKind::Return),
        To::Same,
        Some(Returned),
    ),
    assignment(
        Action::RefuseReturn,
        Rel::Hotline,
        IN_UNITS,
        None,
        &[Pending, AHandling],
        Req::Open(RequestKind::Return),
        To::Same,
        None,
    ),
    assignment(
        Action::RequestExtension,
        Rel::Unit,
        &[Handling],
        None,
        &[AHandling],
        Req::NoneOpen,
        To::Same,
        None,
    ),
    assignment(
        Action::ApproveExtension,
        Rel::Hotline,
        &[Handling],
        None,
        &[AHandling],
        Req::Open(RequestKind::Extension),
        To::Same,
        None,
    ),
    assignment(
        Action::RefuseExtension,
        Rel::Hotline,
        &[Handling],
        None,
        &[AHandling],
        Req::Open(RequestKind::Extension),
        To::Same,
        None,
    ),
    assignment(
        Action::DispatchDown,
        Rel::Unit,
        &[Handling],
        None,
        &[AHandling],
        Req::Any,
        To::Same,
        None,
    ),
    assignment(
        Action::Progress,
        Rel::Unit,
        &[Handling],
        None,
        &[AHandling],
        Req::Any,
        To::Same,
        None,
    ),
    assignment(
        Action::Reply,
        Rel::Unit,
        &[Handling],
        Some(Lead),
        &[AHandling],
        Req::Any,
        To::Status(Replied),
        Some(AReplied),
    ),
    assignment(
        Action::Reply,
        Rel::Unit,
        &[Handling],
        Some(Assist),
        &[AHandling],
        Req::Any,
        To::Same,
        Some(AReplied),
    ),
];

/// An allowed action's effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: PetitionStatus,
    pub to: PetitionStatus,
    /// The new state of the assignment acted on, if it changes.
    pub assignment_to: Option<AssignmentState>,
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The caller's role (or relation to the order) may not do this at all: 403.
    NotPermitted(String),
    /// Not in the current status or state: 409.
    InvalidTransition(String),
}

impl Refusal {
    pub fn message(&self) -> &str {
        match self {
            Refusal::NotPermitted(m) | Refusal::InvalidTransition(m) => m,
        }
    }
}

fn request_ok(req: Req, open: Option<RequestKind>) -> bool {
    match req {
        Req::Any => true,
        Req::NoneOpen => open.is_none(),
        Req::Open(kind) => open == Some(kind),
    }
}

/// Does `rule` apply in `s` (ignoring who acts)?
fn applies(rule: &Rule, s: &Situation) -> bool {
    if !rule.from.contains(&s.status) || rule.has_lead.is_some_and(|h| h != s.has_lead) {
        return false;
    }
    match (rule.on, s.assignment) {
        (None, None) => true,
        (Some(on), Some(a)) => {
            on.role.is_none_or(|r| r == a.role)
                && match a.state {
                    None => on.states.is_empty(),
                    Some(state) => on.states.contains(&state),
                }
                && request_ok(on.request, a.open_request)
                && (!on.top_level_only || a.top_level)
        }
        _ => false,
    }
}

/// Decides whether `action` by a caller with `relations` is allowed in `s`, and what follows.
pub fn decide(action: Action, relations: Relations, s: &Situation) -> Result<Transition, Refusal> {
    let rows: Vec<&Rule> = TABLE.iter().filter(|r| r.action == action).collect();
    let mine: Vec<&&Rule> = rows.iter().filter(|r| relations.has(r.by)).collect();
    if mine.is_empty() {
        let mut who: Vec<&str> = rows.iter().map(|r| r.by.label()).collect();
        who.dedup();
        return Err(Refusal::NotPermitted(if who.is_empty() {
            format!("“{}”不是工单操作", action.label())
        } else {
            format!("“{}”只能由{}操作", action.label(), who.join("或"))
        }));
    }
    match mine.iter().find(|r| applies(r, s)) {
        Some(_) if precondition(action, s).is_some() => Err(Refusal::InvalidTransition(
            precondition(action, s).unwrap_or_default().to_owned(),
        )),
        Some(rule) => Ok(Transition {
            from: s.status,
            to: match rule.to {
                To::Same => s.status,
                To::Status(st) => st,
            },
            assignment_to: rule.on.and_then(|on| on.to),
        }),
        None => Err(Refusal::InvalidTransition(explain(action, s))),
    }
}

fn explain(action: Action, s: &Situation) -> String {
    let base = format!(
        "工单当前状态为“{}”，不能“{}”",
        s.status.label(),
        action.label()
    );
    match s.assignment {
        Some(a)
            if a.open_request.is_some()
                && matches!(
                    action,
                    Action::Sign | Action::RequestReturn | Action::RequestExtension
                ) =>
        {
            format!(
                "{base}：该单位还有待热线办审核的{}",
                a.open_request.map(|r| r.label()).unwrap_or("")
            )
        }
        Some(a)
            if matches!(
                action,
                Action::ApproveReturn
                    | Action::RefuseReturn
                    | Action::ApproveExtension
                    | Action::RefuseExtension
            ) && a.open_request.is_none() =>
        {
            format!("{base}：该单位没有待审核的申请")
        }
        Some(a) if a.state.is_some() => {
            format!(
                "{base}（该单位的办理状态为“{}”）",
                a.state.map(|st| st.label()).unwrap_or("")
            )
        }
        _ => base,
    }
}

/// The actions a caller could take now (what the UI offers as buttons).
pub fn allowed(relations: Relations, s: &Situation) -> Vec<Action> {
    let mut out: Vec<Action> = TABLE
        .iter()
        .filter(|r| relations.has(r.by) && applies(r, s) && precondition(r.action, s).is_none())
        .map(|r| r.action)
        .collect();
    out.dedup();
    out
}

/// Petition-level actions that need no assignment, plus dispatch (which creates one).
pub fn allowed_on_petition(
    relations: Relations,
    status: PetitionStatus,
    has_lead: bool,
    petition: PetitionFacts,
) -> Vec<Action> {
    let mut out = allowed(
        relations,
        &Situation {
            status,
            has_lead,
            assignment: None,
            petition,
        },
    );
    for role in [Lead, Assist] {
        let s = Situation {
            status,
            has_lead,
            assignment: Some(AssignmentFacts {
                role,
                state: None,
                top_level: true,
                open_request: None,
                units_below: true,
            }),
            petition,
        };
        if decide(Action::Dispatch, relations, &s).is_ok() && !out.contains(&Action::Dispatch) {
            out.push(Action::Dispatch);
        }
    }
    out
}

/// Statuses no action leaves (but for a reporter's follow-up and a visit on a closed order).
pub fn is_terminal(status: PetitionStatus) -> bool {
    matches!(status, Rejected | Merged | Withdrawn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(role: Role) -> Relations {
        Relations::of(role, false, true)
    }

    #[test]
    fn dispatch_down_only_where_there_are_units_below() {
        for units_below in [true, false] {
            let s = Situation {
                status: Handling,
                has_lead: true,
                assignment: Some(AssignmentFacts {
                    role: AssignmentRole::Lead,
                    state: Some(AssignmentState::Handling),
                    top_level: true,
                    open_request: None,
                    units_below,
                }),
                petition: PetitionFacts::default(),
            };
            let unit = rel(Role::Handler);
            assert_eq!(
                allowed(unit, &s).contains(&Action::DispatchDown),
                units_below
            );
            assert_eq!(decide(Action::DispatchDown, unit, &s).is_ok(), units_below);
            assert!(allowed(unit, &s).contains(&Action::Progress));
        }
    }

    fn petition_only(status: PetitionStatus) -> Situation {
        Situation {
            status,
            has_lead: false,
            assignment: None,
            petition: PetitionFacts::default(),
        }
    }

    fn on(
        status: PetitionStatus,
        role: AssignmentRole,
        state: AssignmentState,
        open: Option<RequestKind>,
    ) -> Situation {
        Situation {
            status,
            has_lead: true,
            assignment: Some(AssignmentFacts {
                role,
                state: Some(state),
                top_level: true,
                open_request: open,
                units_below: true,
            }),
            petition: PetitionFacts::default(),
        }
    }

    #[test]
    fn appeals_and_judgements_are_offered_only_when_they_can_be_taken() {
        let (op, unit) = (rel(Role::Operator), rel(Role::Handler));
        let with = |appeal, unreasonable| Situation {
            petition: PetitionFacts {
                appeal,
                unreasonable,
                ..PetitionFacts::default()
            },
            ..petition_only(Closed)
        };
        for s in [
            with(AppealFacts::None, false),
            with(AppealFacts::Decided, true),
        ] {
            for action in [Action::GrantAppeal, Action::RefuseAppeal] {
                assert!(!allowed(op, &s).contains(&action), "{action:?} {s:?}");
                assert!(decide(action, op, &s).is_err());
            }
        }
        let pending = with(AppealFacts::Pending, false);
        assert!(allowed(op, &pending).contains(&Action::GrantAppeal));
        assert!(!allowed(unit, &pending).contains(&Action::Appeal));
        assert!(allowed(unit, &with(AppealFacts::None, false)).contains(&Action::Appeal));
        assert!(allowed(op, &with(AppealFacts::None, false)).contains(&Action::MarkUnreasonable));
        assert!(!allowed(op, &with(AppealFacts::None, true)).contains(&Action::MarkUnreasonable));
    }

    #[test]
    fn triage() {
        let op = rel(Role::Operator);
        assert_eq!(
            decide(Action::Accept, op, &petition_only(Submitted)).map(|t| t.to),
            Ok(Accepted)
        );
        assert!(matches!(
            decide(Action::Accept, op, &petition_only(Accepted)),
            Err(Refusal::InvalidTransition(_))
        ));
        assert!(matches!(
            decide(
                Action::Accept,
                rel(Role::Citizen),
                &petition_only(Submitted)
            ),
            Err(Refusal::NotPermitted(_))
        ));
        assert!(matches!(
            decide(
                Action::Accept,
                rel(Role::Handler),
                &petition_only(Submitted)
            ),
            Err(Refusal::NotPermitted(_))
        ));
        assert_eq!(
            decide(Action::AnswerDirectly, op, &petition_only(Accepted)).map(|t| t.to),
            Ok(Replied)
        );
        let owner = Relations::of(Role::Citizen, true, false);
        assert_eq!(
            decide(Action::Withdraw, owner, &petition_only(Handling)).map(|t| t.to),
            Ok(Withdrawn)
        );
        assert!(decide(Action::Withdraw, owner, &petition_only(Replied)).is_err());
        assert!(
            decide(
                Action::Withdraw,
                rel(Role::Citizen),
                &petition_only(Submitted)
            )
            .is_err(),
            "not the petitioner"
        );
    }

    #[test]
    fn units_sign_reply_and_ask() {
        let unit = rel(Role::Handler);
        let op = rel(Role::Operator);
        let t = decide(Action::Sign, unit, &on(Dispatched, Lead, Pending, None)).expect("sign");
        assert_eq!((t.to, t.assignment_to), (Handling, Some(AHandling)));
        let t =
            decide(Action::Sign, unit, &on(Handling, Assist, Pending, None)).expect("assist signs");
        assert_eq!((t.to, t.assignment_to), (Handling, Some(AHandling)));
        assert!(
            decide(Action::Reply, unit, &on(Dispatched, Lead, Pending, None)).is_err(),
            "sign first"
        );
        assert_eq!(
            decide(Action::Reply, unit, &on(Handling, Lead, AHandling, None)).map(|t| t.to),
            Ok(Replied)
        );
        assert_eq!(
            decide(Action::Reply, unit, &on(Handling, Assist, AHandling, None)).map(|t| t.to),
            Ok(Handling)
        );
        assert!(decide(
            Action::RequestReturn,
            unit,
            &on(Dispatched, Lead, Pending, None)
        )
        .is_ok());
        assert!(decide(
            Action::RequestReturn,
            unit,
            &on(Dispatched, Lead, Pending, Some(RequestKind::Return))
        )
        .is_err());
        let t = decide(
            Action::ApproveReturn,
            op,
            &on(Dispatched, Lead, Pending, Some(RequestKind::Return)),
        )
        .expect("approve");
        assert_eq!((t.to, t.assignment_to), (Accepted, Some(Returned)));
        assert!(decide(
            Action::ApproveReturn,
            op,
            &on(Dispatched, Lead, Pending, None)
        )
        .is_err());
        assert!(decide(
            Action::ApproveReturn,
            unit,
            &on(Dispatched, Lead, Pending, Some(RequestKind::Return))
        )
        .is_err());
        let mut down = on(Handling, Lead, Pending, None);
        if let Some(a) = down.assignment.as_mut() {
            a.top_level = false;
        }
        assert!(
            decide(Action::RequestReturn, unit, &down).is_err(),
            "only top-level assignments go back to the hotline"
        );
        assert!(decide(
            Action::ApproveExtension,
            op,
            &on(Handling, Lead, AHandling, Some(RequestKind::Extension))
        )
        .is_ok());
    }

    #[test]
    fn rating_visits_and_redo() {
        let owner = Relations::of(Role::Citizen, true, false);
        let op = rel(Role::Operator);
        assert_eq!(
            decide(Action::Rate, owner, &petition_only(Replied)).map(|t| t.to),
            Ok(Closed)
        );
        assert!(
            decide(Action::Rate, owner, &petition_only(Closed)).is_err(),
            "rated once"
        );
        assert_eq!(
            decide(Action::Visit, op, &petition_only(Closed)).map(|t| t.to),
            Ok(Closed)
        );
        let with_lead = Situation {
            status: Closed,
            has_lead: true,
            assignment: None,
            petition: PetitionFacts::default(),
        };
        assert_eq!(
            decide(Action::Redo, op, &with_lead).map(|t| t.to),
            Ok(Handling)
        );
        // Past the redo window: neither offered nor allowed, with the reason.
        let late = Situation {
            petition: PetitionFacts {
                redo_window_closed: true,
                ..PetitionFacts::default()
            },
            ..with_lead
        };
        assert!(matches!(
            decide(Action::Redo, op, &late),
            Err(Refusal::InvalidTransition(m)) if m.contains("30 天")
        ));
        assert!(!allowed(op, &late).contains(&Action::Redo));
        assert!(allowed(op, &with_lead).contains(&Action::Redo));
        assert_eq!(
            decide(Action::Redo, op, &petition_only(Replied)).map(|t| t.to),
            Ok(Accepted)
        );
        assert!(decide(Action::Redo, owner, &with_lead).is_err());
    }

    #[test]
    fn allowed_actions_follow_the_table() {
        let op = rel(Role::Operator);
        let acts = allowed_on_petition(op, Submitted, false, PetitionFacts::default());
        for a in [
            Action::Accept,
            Action::Reject,
            Action::Merge,
            Action::AnswerDirectly,
            Action::RequestInfo,
        ] {
            assert!(acts.contains(&a), "{a:?} in {acts:?}");
        }
        assert!(
            allowed_on_petition(op, Accepted, false, PetitionFacts::default())
                .contains(&Action::Dispatch)
        );
        assert!(allowed_on_petition(
            rel(Role::Citizen),
            Submitted,
            false,
            PetitionFacts::default()
        )
        .is_empty());
        assert!(allowed_on_petition(op, Rejected, false, PetitionFacts::default()).is_empty());
    }

    /// Edges of the lifecycle as `domain.md` lists them, written independently of the table.
    const DOC_EDGES: &[(PetitionStatus, PetitionStatus)] = &[
        (Submitted, Accepted),
        (Submitted, Rejected),
        (Submitted, Merged),
        (Submitted, Replied),
        (Submitted, NeedsInfo),
        (NeedsInfo, Submitted),
        (NeedsInfo, Rejected),
        (Accepted, Dispatched),
        (Accepted, Replied),
        (Accepted, Merged),
        (Dispatched, Handling),
        (Dispatched, Accepted),
        (Handling, Accepted),
        (Handling, Replied),
        (Replied, Closed),
        (Replied, Handling),
        (Closed, Handling),
        (Replied, Accepted),
        (Closed, Accepted),
        (Submitted, Withdrawn),
        (NeedsInfo, Withdrawn),
        (Accepted, Withdrawn),
        (Dispatched, Withdrawn),
        (Handling, Withdrawn),
    ];

    /// A deterministic pseudo-random source (xorshift), so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// Random sequences of actions by random roles on a model petition never take a step
    /// `domain.md` does not list, never leave a terminal status, and keep the assignments
    /// consistent with the petition.
    #[test]
    fn random_walks_stay_inside_the_lifecycle() {
        let roles = [
            Role::Citizen,
            Role::Operator,
            Role::Handler,
            Role::Reporter,
            Role::Leader,
            Role::Admin,
            Role::Partner,
        ];
        let mut rng = Rng(0x5eed_1234_abcd_ef01);
        let mut steps_taken = 0;
        let mut seen = std::collections::HashSet::new();
        for _walk in 0..20_000 {
            let mut status = Submitted;
            // (role, state, open request, top level)
            let mut assignments: Vec<(AssignmentRole, AssignmentState, Option<RequestKind>, bool)> =
                Vec::new();
            for _ in 0..60 {
                let action = Action::ALL[rng.next(Action::ALL.len())];
                let role = roles[rng.next(roles.len())];
                let relations = Relations::of(role, rng.next(2) == 0, rng.next(2) == 0);
                let has_lead = assignments.iter().any(|a| a.0 == Lead && a.1 != Returned);
                let target = if assignments.is_empty() || action == Action::Dispatch {
                    None
                } else {
                    Some(rng.next(assignments.len()))
                };
                let facts = match (action, target) {
                    (Action::Dispatch, _) => Some(AssignmentFacts {
                        role: if rng.next(2) == 0 { Lead } else { Assist },
                        state: None,
                        top_level: true,
                        open_request: None,
                        units_below: false,
                    }),
                    (_, Some(i)) if rng.next(3) > 0 => {
                        let a = assignments[i];
                        Some(AssignmentFacts {
                            role: a.0,
                            state: Some(a.1),
                            top_level: a.3,
                            open_request: a.2,
                            units_below: true,
                        })
                    }
                    _ => None,
                };
                let s = Situation {
                    status,
                    has_lead,
                    assignment: facts,
                    petition: PetitionFacts::default(),
                };
                let Ok(t) = decide(action, relations, &s) else {
                    continue;
                };
                steps_taken += 1;
                assert!(
                    !is_terminal(status) || t.to == status,
                    "{action:?} left terminal {status:?}"
                );
                if t.to != status {
                    assert!(
                        DOC_EDGES.contains(&(status, t.to)),
                        "{status:?} -{action:?}-> {:?} is not in domain.md",
                        t.to
                    );
                }
                // Apply to the model.
                match (action, facts, target) {
                    (Action::Dispatch, Some(f), _) => {
                        if f.role == Lead {
                            assert!(!has_lead, "a second lead while one is active");
                        }
                        assignments.push((f.role, Pending, None, true));
                    }
                    (_, Some(_), Some(i)) => {
                        let a = &mut assignments[i];
                        if let Some(st) = t.assignment_to {
                            a.1 = st;
                        }
                        a.2 = match action {
                            Action::RequestReturn => Some(RequestKind::Return),
                            Action::RequestExtension => Some(RequestKind::Extension),
                            Action::ApproveReturn
                            | Action::RefuseReturn
                            | Action::ApproveExtension
                            | Action::RefuseExtension => None,
                            _ => a.2,
                        };
                    }
                    _ => {}
                }
                if action == Action::Redo {
                    for a in assignments
                        .iter_mut()
                        .filter(|a| a.0 == Lead && a.1 == AReplied)
                    {
                        a.1 = AHandling;
                    }
                }
                status = t.to;
                seen.insert(status);
                if matches!(status, Dispatched | Handling) {
                    assert!(
                        assignments.iter().any(|a| a.0 == Lead && a.1 != Returned),
                        "{status:?} without a lead unit"
                    );
                }
            }
        }
        assert!(
            steps_taken > 30_000,
            "the walks exercised the table ({steps_taken} steps)"
        );
        assert_eq!(
            seen.len(),
            PetitionStatus::ALL.len(),
            "every status was reached: {seen:?}"
        );
    }
}

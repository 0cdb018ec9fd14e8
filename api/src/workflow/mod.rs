//! Carries out lifecycle actions. Each runs in one transaction: lock the petition, check that
//! the caller may see it, check the version, ask the lifecycle table, apply the action's
//! effect, move the status (version + 1) and write the timeline event. Any error rolls all of
//! it back.

pub mod effects;
pub mod orders;
pub mod submit;

use chrono::NaiveDateTime;
use minhu_types::{
    Action, AssignmentRole, PetitionKind, PetitionStatus, RequestKind, Role, TimeSpan, Urgency,
};

use crate::auth::Caller;
use crate::db::petitions::{
    AssignmentChanges, AssignmentRow, NewEventRow, PetitionChanges, PetitionRow,
};
use crate::db::transaction;
use crate::db::units::UnitRow;
use crate::db::{self, DbConn};
use crate::domain::calendar::{deadline, yellow_at, Calendar};
use crate::domain::figures::difference;
use crate::domain::lifecycle::{
    decide, AppealFacts, AssignmentFacts, PetitionFacts, Refusal, Relations, Situation, Transition,
};
use crate::domain::policy::{choose, Policy, FALLBACK_REPLY, FALLBACK_SIGN};
use crate::domain::units::in_subtree;
use crate::error::{AppError, AppResult};

/// The caller (with the path of their unit, for handlers' subtree checks, read with the account
/// when the request was admitted) and the time the request acts at.
#[derive(Debug, Clone)]
pub struct Actor {
    pub caller: Caller,
    pub now: NaiveDateTime,
}

impl Actor {
    pub fn of(caller: Caller, now: NaiveDateTime) -> Actor {
        Actor { caller, now }
    }

    /// The path of the caller's unit in the unit tree, if they belong to one.
    pub fn unit_path(&self) -> Option<&str> {
        self.caller.unit_path.as_deref()
    }

    pub fn role(&self) -> Role {
        self.caller.role
    }

    /// A handler whose unit's subtree holds `unit`.
    pub fn covers(&self, unit: &UnitRow) -> bool {
        self.caller.role == Role::Handler
            && self.unit_path().is_some_and(|p| in_subtree(&unit.path, p))
    }
}

/// How the caller may see a petition.
#[derive(Debug, Clone, Copy)]
pub struct Access {
    pub petitioner: bool,
    /// A handler whose subtree holds one of the petition's assignments.
    pub unit_on_order: bool,
    /// … one that is still live (not returned): only then may the unit see contact details.
    pub unit_on_live_order: bool,
}

pub fn not_found() -> AppError {
    AppError::not_found("工单不存在，或您无权查看")
}

/// 404 unless the caller may see the petition: a citizen or partner their own, a handler their
/// subtree's, the hotline office, leaders, reporters and administrators all.
pub fn access(conn: &mut DbConn, actor: &Actor, row: &PetitionRow) -> AppResult<Access> {
    let on_order = match (actor.role(), actor.unit_path()) {
        (Role::Handler, Some(path)) => db::petitions::dispatched_into(conn, row.id, path)?,
        _ => (false, false),
    };
    decide_access(actor, row, on_order)
}

/// [`access`] when the petition's orders are loaded already: whether the caller's unit holds
/// one is read from them (each order's unit path), not asked of the database again.
pub fn access_among(
    actor: &Actor,
    row: &PetitionRow,
    orders: &[(AssignmentRow, UnitRow)],
) -> AppResult<Access> {
    let mut mine = orders.iter().filter(|(_, u)| actor.covers(u)).peekable();
    let on_order = mine.peek().is_some();
    let on_live_order = mine.any(|(a, _)| a.state != minhu_types::AssignmentState::Returned);
    decide_access(actor, row, (on_order, on_live_order))
}

fn decide_access(
    actor: &Actor,
    row: &PetitionRow,
    (unit_on_order, unit_on_live_order): (bool, bool),
) -> AppResult<Access> {
    let petitioner = row.submitter_id == actor.caller.user_id;
    let sees_all = matches!(
        actor.role(),
        Role::Operator | Role::Leader | Role::Reporter | Role::Admin | Role::System
    );
    if petitioner || unit_on_order || sees_all {
        Ok(Access {
            petitioner,
            unit_on_order,
            unit_on_live_order,
        })
    } else {
        Err(not_found())
    }
}

/// The petition's facts the lifecycle table needs besides its status, at `now`.
pub fn petition_facts(row: &PetitionRow, now: NaiveDateTime) -> PetitionFacts {
    PetitionFacts {
        redo_window_closed: !crate::domain::petitions::redo_window_open(row.closed_at, now),
        unreasonable: row.unreasonable,
        appeal: match row.appeal_state.as_deref() {
            None => AppealFacts::None,
            Some("pending") => AppealFacts::Pending,
            Some(_) => AppealFacts::Decided,
        },
    }
}

/// The lifecycle's facts of an assignment; `units_below`: whether its unit has units to hand
/// the order down to (only a unit's own handlers can, so others need not ask).
pub fn facts_of(a: &AssignmentRow, units_below: bool) -> AssignmentFacts {
    AssignmentFacts {
        units_below,
        role: a.role,
        state: Some(a.state),
        top_level: a.parent_id.is_none(),
        open_request: a.open_request.as_deref().and_then(RequestKind::parse),
    }
}

/// Whether an active (not returned) lead unit holds the order.
pub fn has_lead(assignments: &[(AssignmentRow, UnitRow)]) -> bool {
    assignments.iter().any(|(a, _)| {
        a.role == minhu_types::AssignmentRole::Lead
            && a.parent_id.is_none()
            && a.state != minhu_types::AssignmentState::Returned
    })
}

/// What an action is about.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Petition,
    /// An existing assignment of the petition.
    Assignment(i64),
    /// An assignment the action creates (dispatch).
    NewAssignment(AssignmentRole),
}

/// What an action's effect sees.
pub struct Ctx<'a> {
    pub actor: &'a Actor,
    pub petition: &'a PetitionRow,
    pub transition: Transition,
    pub assignment: Option<&'a (AssignmentRow, UnitRow)>,
    pub assignments: &'a [(AssignmentRow, UnitRow)],
    pub now: NaiveDateTime,
}

/// What an action changes besides the status, and what its event says.
#[derive(Default)]
pub struct Effect {
    pub petition: PetitionChanges,
    /// Changes to the target assignment (its state is set from the table).
    pub assignment: AssignmentChanges,
    /// The assignment the event is about, when not the target (a new one).
    pub event_assignment_id: Option<i64>,
    pub note: Option<String>,
}

fn refusal(r: Refusal) -> AppError {
    match r {
        Refusal::NotPermitted(m) => AppError::forbidden(m),
        Refusal::InvalidTransition(m) => AppError::conflict("invalid_transition", m),
    }
}

pub fn stale(current: i64) -> AppError {
    AppError::conflict(
        "stale_version",
        format!("工单已被他人更新（当前版本 {current}），请刷新后重试"),
    )
}

/// Carries out `action` on petition `id` as `actor`; returns the petition's id.
pub fn act(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    version: Option<i64>,
    action: Action,
    target: Target,
    effect: impl FnOnce(&mut DbConn, &Ctx<'_>) -> AppResult<Effect>,
) -> AppResult<i64> {
    transaction(conn, |conn| {
        let row = db::petitions::lock(conn, id).map_err(|e| match e {
            diesel::result::Error::NotFound => not_found(),
            other => other.into(),
        })?;
        let acc = access(conn, actor, &row)?;
        if version.is_some_and(|v| v != row.version) {
            return Err(stale(row.version));
        }
        let figures_before = db::figures::contributions_of(conn, row.id)?;
        let status = row.status;
        let all = db::petitions::assignments_of(conn, row.id)?;
        let (facts, target_row, covers) = match target {
            Target::Petition => (None, None, acc.unit_on_order),
            Target::Assignment(aid) => {
                let found = all
                    .iter()
                    .find(|(a, _)| a.id == aid)
                    .ok_or_else(not_found)?;
                let covers = actor.covers(&found.1);
                if actor.role() == Role::Handler && !covers {
                    // Another unit's assignment is not visible to this one.
                    return Err(AppError::not_found("办理记录不存在，或不属于您的单位"));
                }
                // Only dispatching down asks it: no extra query for every other unit action.
                let below = covers
                    && action == Action::DispatchDown
                    && db::units::has_units_below(conn, found.1.id)?;
                (Some(facts_of(&found.0, below)), Some(found), covers)
            }
            Target::NewAssignment(role) => (
                Some(AssignmentFacts {
                    role,
                    state: None,
                    top_level: true,
                    open_request: None,
                    units_below: false,
                }),
                None,
                false,
            ),
        };
        let relations = Relations::of(actor.role(), acc.petitioner, covers);
        let situation = Situation {
            status,
            has_lead: has_lead(&all),
            assignment: facts,
            petition: petition_facts(&row, actor.now),
        };
        let transition = decide(action, relations, &situation).map_err(refusal)?;
        let now = actor.now;
        let ctx = Ctx {
            actor,
            petition: &row,
            transition,
            assignment: target_row,
            assignments: &all,
            now,
        };
        let mut eff = effect(conn, &ctx)?;

        if !db::petitions::transition(
            conn,
            row.id,
            row.version,
            transition.to.as_str(),
            now,
            &eff.petition,
        )? {
            return Err(stale(row.version));
        }
        // Repeats are looked for among petitions not yet ended.
        db::duplicates::follow(
            conn,
            &row,
            status,
            transition.to,
            eff.petition.content.as_deref(),
        )?;
        if let Some((a, _)) = target_row {
            if let Some(state) = transition.assignment_to {
                eff.assignment.state = Some(state.as_str().to_owned());
            }
            db::petitions::update_assignment(conn, a.id, &eff.assignment)?;
        }
        db::figures::counted(conn, |conn, tally| {
            record(
                conn,
                actor,
                row.id,
                None,
                action,
                Some(status),
                Some(transition.to),
                eff.event_assignment_id.or(target_row.map(|(a, _)| a.id)),
                eff.note.as_deref(),
                now,
                tally,
            )?;
            // The figures move by exactly what this action changed.
            let figures_after = db::figures::contributions_of(conn, row.id)?;
            db::figures::apply(conn, &difference(&figures_before, &figures_after))?;
            tally.move_status(&row, status.as_str(), transition.to.as_str());
            Ok(row.id)
        })
    })
}

/// Writes one timeline event; `about` is what its messages need of the petition, when the
/// caller holds it (a submission: the row it wrote, its submitter's reach), so it is not read
/// back. The event is counted in `tally`, written with the rest of its change's counts
/// ([`db::figures::counted`]).
#[allow(clippy::too_many_arguments)]
pub fn record(
    conn: &mut DbConn,
    actor: &Actor,
    petition_id: i64,
    about: Option<crate::notifications::About>,
    action: Action,
    from: Option<PetitionStatus>,
    to: Option<PetitionStatus>,
    assignment_id: Option<i64>,
    note: Option<&str>,
    now: NaiveDateTime,
    tally: &mut db::figures::Tally,
) -> AppResult<()> {
    let event_id = db::petitions::insert_event(
        conn,
        &NewEventRow {
            petition_id,
            action: action.as_str(),
            actor_id: actor.caller.user_id,
            actor_role: actor.role().as_str(),
            actor_unit_id: actor.caller.unit_id,
            from_status: from.map(PetitionStatus::as_str),
            to_status: to.map(PetitionStatus::as_str),
            assignment_id,
            note,
            created_at: now,
        },
    )?;
    // The partner hears of it in the same transaction: no change without its event; and so do
    // the people it concerns. What both need of the petition is read once, if either speaks.
    let cause = crate::notifications::Cause {
        petition_id,
        action,
        from,
        to,
        assignment_id,
        note,
        now,
    };
    let hook = crate::domain::webhooks::event_for(from, to).is_some();
    let tell = crate::notifications::tells_anyone(&cause);
    if hook || tell {
        let about = match about {
            Some(about) => about,
            None => crate::notifications::About::load(conn, petition_id)?,
        };
        if hook {
            crate::webhooks::enqueue(conn, &about, petition_id, event_id, from, to, now)?;
        }
        if tell {
            crate::notifications::enqueue(conn, &cause, &about)?;
        }
    }
    tally.events(crate::domain::calendar::local_date(now), action.as_str(), 1);
    Ok(())
}

/// An order's deadlines: when the unit must sign and reply, and when its light turns yellow.
#[derive(Debug, Clone, Copy)]
pub struct Deadlines {
    pub sign_by: NaiveDateTime,
    pub reply_by: NaiveDateTime,
    pub yellow_at: NaiveDateTime,
}

pub fn load_calendar(conn: &mut DbConn) -> AppResult<Calendar> {
    let days = db::time_limits::calendar(conn)?;
    Ok(Calendar::new(days.into_iter().filter_map(
        |(d, working, _)| {
            chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .ok()
                .map(|d| (d, working))
        },
    )))
}

pub fn policy_of(row: &db::time_limits::PolicyRow) -> Policy {
    Policy {
        id: row.id,
        urgency: row.urgency.as_deref().and_then(Urgency::parse),
        kind: row.kind.as_deref().and_then(PetitionKind::parse),
        category_id: row.category_id,
        sign: TimeSpan {
            amount: row.sign_amount,
            unit: row.sign_unit,
        },
        reply: TimeSpan {
            amount: row.reply_amount,
            unit: row.reply_unit,
        },
    }
}

/// The deadlines of an order dispatched at `start` by its policy, or with the operator's
/// explicit `reply_by` (signing is then due by the policy, but never after the reply).
pub fn deadlines_for(
    conn: &mut DbConn,
    p: &PetitionRow,
    start: NaiveDateTime,
    explicit_reply_by: Option<NaiveDateTime>,
) -> AppResult<Deadlines> {
    let cal = load_calendar(conn)?;
    let policies: Vec<Policy> = db::time_limits::policies(conn)?
        .iter()
        .map(policy_of)
        .collect();
    let chain = db::time_limits::category_chain(conn, p.category_id)?;
    let urgency = p.urgency;
    let kind = p.kind;
    let (sign, reply) = match choose(&policies, urgency, kind, &chain) {
        Some(policy) => (policy.sign, policy.reply),
        None => (FALLBACK_SIGN, FALLBACK_REPLY),
    };
    let reply_by = explicit_reply_by.unwrap_or_else(|| deadline(&cal, start, reply));
    let sign_by = deadline(&cal, start, sign).min(reply_by);
    Ok(Deadlines {
        sign_by,
        reply_by,
        yellow_at: yellow_at(&cal, start, reply_by),
    })
}

/// When the light of a deadline running from `start` to `due` turns yellow.
pub fn yellow_for(
    conn: &mut DbConn,
    start: NaiveDateTime,
    due: NaiveDateTime,
) -> AppResult<NaiveDateTime> {
    Ok(yellow_at(&load_calendar(conn)?, start, due))
}

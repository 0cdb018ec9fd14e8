//! Orders (派单): the one path by which a unit gets a petition, whether the hotline office
//! dispatches it, the dispatch catalogue does so on acceptance, or a unit hands its own order
//! down to a unit below it (下派).

use chrono::NaiveDateTime;
use diesel::OptionalExtension;
use minhu_types::{Action, AssignmentRole, AssignmentState};

use crate::db::petitions::{AssignmentRow, NewAssignmentRow, PetitionChanges};
use crate::db::units::UnitRow;
use crate::db::{self, DbConn};
use crate::domain::units::in_subtree;
use crate::error::{AppError, AppResult};
use crate::workflow::{act, deadlines_for, Actor, Ctx, Effect, Target};

/// Who hands the order over: the hotline office (a top-level order), or a unit passing down
/// its own order (`parent`), whose role and deadline the new one inherits at most.
pub enum Giver<'a> {
    Hotline {
        role: AssignmentRole,
    },
    Unit {
        parent: &'a AssignmentRow,
        unit: &'a UnitRow,
    },
}

/// The effect of giving the petition to `unit_id`: the checks every order shares (the unit
/// exists, does not hold the order already, lies below a unit that passes it down, a deadline
/// after now and within the giver's), the assignment with its deadlines from the policies and
/// calendar, and for a top-level lead the petition's own deadline.
pub fn new_order(
    conn: &mut DbConn,
    ctx: &Ctx<'_>,
    giver: Giver<'_>,
    unit_id: i64,
    reply_by: Option<NaiveDateTime>,
    note: Option<String>,
) -> AppResult<Effect> {
    let unit = db::units::find_held(conn, unit_id)
        .optional()?
        .ok_or_else(|| AppError::invalid_field("unit_id", format!("单位 {unit_id} 不存在")))?;
    if let Giver::Unit { unit: from, .. } = &giver {
        if unit.id == from.id || !in_subtree(&unit.path, &from.path) {
            return Err(AppError::invalid_field(
                "unit_id",
                format!("只能下派给{}的下级单位", from.name),
            ));
        }
    }
    if ctx
        .assignments
        .iter()
        .any(|(a, _)| a.unit_id == unit.id && a.state != AssignmentState::Returned)
    {
        return Err(AppError::conflict(
            "already_dispatched",
            "该单位已在办理此工单",
        ));
    }
    if reply_by.is_some_and(|t| t <= ctx.now) {
        return Err(AppError::invalid_field("reply_by", "答复期限必须晚于现在"));
    }
    let (role, parent_id, reply_by, note) = match giver {
        Giver::Hotline { role } => (role, None, reply_by, note),
        Giver::Unit { parent, .. } => {
            if reply_by.is_some_and(|t| t > parent.reply_by) {
                return Err(AppError::invalid_field(
                    "reply_by",
                    "下派的答复期限不能晚于本单位的期限",
                ));
            }
            let note = note.or_else(|| Some(format!("下派至{}", unit.name)));
            (
                parent.role,
                Some(parent.id),
                Some(reply_by.unwrap_or(parent.reply_by)),
                note,
            )
        }
    };
    let d = deadlines_for(conn, ctx.petition, ctx.now, reply_by)?;
    let aid = db::petitions::insert_assignment(
        conn,
        &NewAssignmentRow {
            petition_id: ctx.petition.id,
            unit_id: unit.id,
            unit_path: &unit.path,
            role: role.as_str(),
            parent_id,
            state: AssignmentState::Pending.as_str(),
            sign_by: Some(d.sign_by),
            reply_by: d.reply_by,
            yellow_at: Some(d.yellow_at),
            created_at: ctx.now,
        },
    )?;
    let mut changes = PetitionChanges::default();
    if parent_id.is_none() && role == AssignmentRole::Lead {
        changes.reply_by = Some(Some(d.reply_by));
        changes.yellow_at = Some(Some(d.yellow_at));
    }
    Ok(Effect {
        petition: changes,
        event_assignment_id: Some(aid),
        note,
        ..Effect::default()
    })
}

/// With `auto_dispatch` on, an accepted petition whose best catalogue rules name exactly one
/// lead goes to it at once, as its own step on the timeline (noted as the catalogue's). If
/// that step is refused, the petition stays accepted for the operator to dispatch.
pub fn auto_dispatch(conn: &mut DbConn, actor: &Actor, id: i64) -> AppResult<()> {
    if !db::dispatch::settings(conn)?.auto_dispatch {
        return Ok(());
    }
    let row = db::petitions::find(conn, id)?;
    let won = db::dispatch::suggest(conn, &row)?;
    let rules: Vec<&crate::domain::dispatch::Rule> = won.iter().map(|(r, _)| r).collect();
    let Some(rule) = crate::domain::dispatch::automatic(&rules) else {
        return Ok(());
    };
    let (unit, note) = (
        rule.unit_id,
        format!("按派单目录自动派单（规则 {}）", rule.id),
    );
    let role = AssignmentRole::Lead;
    if let Err(e) = act(
        conn,
        actor,
        id,
        None,
        Action::Dispatch,
        Target::NewAssignment(role),
        move |conn, ctx| new_order(conn, ctx, Giver::Hotline { role }, unit, None, Some(note)),
    ) {
        tracing::warn!(petition = id, error = ?e, "automatic dispatch refused");
    }
    Ok(())
}

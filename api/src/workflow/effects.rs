//! The effects of petition actions that do more than move the status and note a reason: what
//! they write besides, and the checks only they make. The handlers in `http::routes` call
//! these inside `workflow::act`, as would any other caller (a job, a partner's channel).

use diesel::OptionalExtension;
use minhu_types::{PetitionStatus, RatingBody, ReplyBody, VisitKind};

use crate::db::petitions::{AssignmentChanges, NewReplyRow, NewVisitRow, PetitionChanges};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::workflow::{deadlines_for, Ctx, Effect};

/// 发回重办: every replied lead order goes back to handling under a new deadline; the redo count
/// goes up and the petition is open again.
pub fn redo(conn: &mut DbConn, ctx: &Ctx<'_>, reason: String) -> AppResult<Effect> {
    let d = deadlines_for(conn, ctx.petition, ctx.now, None)?;
    let mut lead_reply_by = None;
    for (a, _) in ctx.assignments.iter().filter(|(a, _)| {
        a.role == minhu_types::AssignmentRole::Lead
            && a.state == minhu_types::AssignmentState::Replied
    }) {
        db::petitions::update_assignment(
            conn,
            a.id,
            &AssignmentChanges {
                state: Some(minhu_types::AssignmentState::Handling.as_str().into()),
                reply_by: Some(d.reply_by),
                yellow_at: Some(Some(d.yellow_at)),
                replied_at: Some(None),
                replied_on_time: Some(None),
                ..Default::default()
            },
        )?;
        lead_reply_by = Some(d.reply_by);
    }
    Ok(Effect {
        petition: PetitionChanges {
            redo_count: Some(ctx.petition.redo_count + 1),
            closed_at: Some(None),
            reply_by: Some(lead_reply_by),
            yellow_at: Some(lead_reply_by.map(|_| d.yellow_at)),
            ..Default::default()
        },
        note: Some(reason),
        ..Effect::default()
    })
}

/// 并单: into another petition that is still alive, locked until the merge commits.
pub fn merge(conn: &mut DbConn, ctx: &Ctx<'_>, into: i64) -> AppResult<Effect> {
    if into == ctx.petition.id {
        return Err(AppError::invalid_field("into_id", "不能并入自身"));
    }
    // Held until the merge commits: two merges at once (A into B, B into A) run one
    // after the other, and the second finds its target merged.
    let primary = db::petitions::lock(conn, into)
        .optional()?
        .ok_or_else(|| AppError::invalid_field("into_id", format!("工单 {into} 不存在")))?;
    let st = primary.status;
    if matches!(
        st,
        PetitionStatus::Merged | PetitionStatus::Rejected | PetitionStatus::Withdrawn
    ) {
        return Err(AppError::invalid_field(
            "into_id",
            format!("目标工单状态为“{}”，不能并入", st.label()),
        ));
    }
    Ok(Effect {
        petition: PetitionChanges {
            merged_into_id: Some(Some(into)),
            ..Default::default()
        },
        note: Some(format!("并入工单 {}", primary.tracking_no)),
        ..Effect::default()
    })
}

/// A reply's row: for the lead or an assisting order, or the hotline office's direct answer.
pub fn reply_row(
    conn: &mut DbConn,
    ctx: &Ctx<'_>,
    b: &ReplyBody,
    assignment: Option<(i64, i64)>,
) -> AppResult<i64> {
    Ok(db::petitions::insert_reply(
        conn,
        &NewReplyRow {
            petition_id: ctx.petition.id,
            assignment_id: assignment.map(|a| a.0),
            unit_id: assignment.map(|a| a.1).or(ctx.actor.caller.unit_id),
            author_id: ctx.actor.caller.user_id,
            body: b.body.trim(),
            outcome: b.outcome.as_str(),
            public: b.public,
            created_at: ctx.now,
        },
    )?)
}

/// A petitioner's rating or an operator's follow-up visit; the first one after a reply closes
/// the petition (the table decides), and then `closed_at` is set.
pub fn visit(
    conn: &mut DbConn,
    ctx: &Ctx<'_>,
    kind: VisitKind,
    b: &RatingBody,
    id_out: &mut i64,
) -> AppResult<Effect> {
    *id_out = db::petitions::insert_visit(
        conn,
        &NewVisitRow {
            petition_id: ctx.petition.id,
            kind: kind.as_str(),
            author_id: ctx.actor.caller.user_id,
            satisfaction: b.satisfaction.as_str(),
            resolved: b.resolved,
            contacted: b.contacted,
            comment: b.comment.as_deref().map(str::trim),
            created_at: ctx.now,
        },
    )?;
    let closes = ctx.transition.to == PetitionStatus::Closed
        && ctx.transition.from != PetitionStatus::Closed;
    Ok(Effect {
        petition: PetitionChanges {
            closed_at: closes.then_some(Some(ctx.now)),
            ..Default::default()
        },
        note: Some(b.satisfaction.label().to_owned()),
        ..Effect::default()
    })
}

//! Replies, ratings, follow-up visits and reporters' follow-ups on a petition.

use crate::http::extract::{Operators, Reporters, Submitters};
use actix_web::{web, HttpResponse};
use diesel::OptionalExtension;
use minhu_types::{
    Action, FollowUp, NewFollowUp, Problem, RatingBody, Reply, ReplyBody, Visit, VisitKind,
};

use crate::db::petitions::AssignmentChanges;
use crate::db::{self};
use crate::domain::petitions::MAX_CONTENT;
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Anyone, Auth};
use crate::http::json::Json;
use crate::http::AppState;
use crate::views;
use crate::workflow::effects;
use crate::workflow::{access, act, not_found, Effect, Target};

use super::petitions::{check_text, with_actor, MAX_NOTE};

/// Reply to the petition for the caller's unit (a handler). The lead unit's reply answers the
/// petitioner; an assisting unit's reply reports to the lead.
#[utoipa::path(
    post, path = "/api/v1/petitions/{id}/replies", tag = "petitions", operation_id = "create_reply",
    params(("id" = i64, Path, description = "Petition id")),
    request_body = ReplyBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The reply", body = Reply),
        (status = 404, description = "No such petition, or not visible to the caller", body = Problem),
        (status = 409, description = "Not allowed now (e.g. not signed yet), or a stale version", body = Problem),
    )
)]
pub async fn create_reply(
    state: web::Data<AppState>,
    auth: Auth<crate::http::extract::Handlers>,
    id: web::Path<i64>,
    Json(b): Json<ReplyBody>,
) -> AppResult<HttpResponse> {
    check_text("body", &b.body, MAX_CONTENT)?;
    let id = id.into_inner();
    let reply = with_actor(&state, auth.0, move |conn, actor| {
        // Which assignment replies: the one named, else the caller's deepest one in handling.
        let all = db::petitions::assignments_of(conn, id)?;
        let mine: Vec<_> = all.iter().filter(|(_, u)| actor.covers(u)).collect();
        let chosen = match b.assignment_id {
            Some(aid) => Some(aid),
            None => mine
                .iter()
                .max_by_key(|(a, u)| {
                    (
                        a.state == minhu_types::AssignmentState::Handling,
                        u.path.len(),
                        a.id,
                    )
                })
                .map(|(a, _)| a.id),
        };
        let target = match chosen {
            Some(aid) => Target::Assignment(aid),
            None => Target::Petition,
        };
        let mut reply_id = 0;
        let version = b.version;
        act(
            conn,
            actor,
            id,
            version,
            Action::Reply,
            target,
            |conn, ctx| {
                let (a, _) = ctx
                    .assignment
                    .ok_or_else(|| AppError::forbidden("只有承办单位可以答复"))?;
                reply_id = effects::reply_row(conn, ctx, &b, Some((a.id, a.unit_id)))?;
                let lead = a.role == minhu_types::AssignmentRole::Lead;
                if lead {
                    // The units above, who handed the order down, have answered with it.
                    let mut parent = a.parent_id;
                    while let Some((up, _)) =
                        parent.and_then(|pid| ctx.assignments.iter().find(|(x, _)| x.id == pid))
                    {
                        db::petitions::update_assignment(
                            conn,
                            up.id,
                            &AssignmentChanges {
                                state: Some("replied".into()),
                                replied_at: Some(Some(ctx.now)),
                                replied_on_time: Some(Some(ctx.now <= up.reply_by)),
                                ..Default::default()
                            },
                        )?;
                        parent = up.parent_id;
                    }
                }
                Ok(Effect {
                    assignment: AssignmentChanges {
                        replied_at: Some(Some(ctx.now)),
                        replied_on_time: Some(Some(ctx.now <= a.reply_by)),
                        ..Default::default()
                    },
                    note: Some(b.outcome.label().to_owned()),
                    ..Effect::default()
                })
            },
        )?;
        let row = db::petitions::find(conn, id)?;
        let acc = access(conn, actor, &row)?;
        let masked = !views::unmasked(actor, &row, &acc);
        if !masked && !acc.petitioner {
            views::audit_unmasked(conn, actor, [&row], "reply")?;
        }
        let r = db::petitions::replies_of(conn, &[id])?
            .into_iter()
            .find(|r| r.id == reply_id)
            .ok_or_else(not_found)?;
        let unit = r.unit_id.map(|u| db::units::find(conn, u)).transpose()?;
        Ok(views::reply(&r, unit.as_ref(), masked))
    })
    .await?;
    Ok(HttpResponse::Created().json(reply))
}

/// The replies the caller may see.
#[utoipa::path(
    get, path = "/api/v1/petitions/{id}/replies", tag = "petitions", operation_id = "list_replies",
    params(("id" = i64, Path, description = "Petition id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Replies, oldest first", body = Vec<Reply>),
        (status = 404, description = "No such petition, or not visible to the caller", body = Problem),
    )
)]
pub async fn list_replies(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<i64>,
) -> AppResult<web::Json<Vec<Reply>>> {
    let id = id.into_inner();
    with_actor(&state, auth.0, move |conn, actor| {
        let row = db::petitions::find(conn, id)
            .optional()?
            .ok_or_else(not_found)?;
        let acc = access(conn, actor, &row)?;
        Ok(views::detail(conn, actor, &row, &acc)?.replies)
    })
    .await
    .map(web::Json)
}

async fn visit_action(
    state: web::Data<AppState>,
    caller: crate::http::extract::Caller,
    id: i64,
    kind: VisitKind,
    b: RatingBody,
) -> AppResult<HttpResponse> {
    if let Some(c) = &b.comment {
        check_text("comment", c, MAX_NOTE)?;
    }
    let action = if kind == VisitKind::Rating {
        Action::Rate
    } else {
        Action::Visit
    };
    let visit = with_actor(&state, caller, move |conn, actor| {
        let mut vid = 0;
        act(
            conn,
            actor,
            id,
            b.version,
            action,
            Target::Petition,
            |conn, ctx| effects::visit(conn, ctx, kind, &b, &mut vid),
        )?;
        let v = db::petitions::visits_of(conn, id)?
            .into_iter()
            .find(|v| v.id == vid)
            .ok_or_else(not_found)?;
        Ok(views::visit(&v, false))
    })
    .await?;
    Ok(HttpResponse::Created().json(visit))
}

/// Rate the answer to one's own petition (the petitioner); the order closes.
#[utoipa::path(
    post, path = "/api/v1/petitions/{id}/rating", tag = "petitions", operation_id = "rate_petition",
    params(("id" = i64, Path, description = "Petition id")),
    request_body = RatingBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The rating", body = Visit),
        (status = 404, description = "No such petition, or not visible to the caller", body = Problem),
        (status = 409, description = "Not replied yet, already rated, or a stale version", body = Problem),
    )
)]
pub async fn rate(
    state: web::Data<AppState>,
    auth: Auth<Submitters>,
    id: web::Path<i64>,
    Json(b): Json<RatingBody>,
) -> AppResult<HttpResponse> {
    visit_action(state, auth.0, id.into_inner(), VisitKind::Rating, b).await
}

/// Record a follow-up call (回访) with the petitioner (hotline office); a replied order closes.
#[utoipa::path(
    post, path = "/api/v1/petitions/{id}/visits", tag = "petitions", operation_id = "create_visit",
    params(("id" = i64, Path, description = "Petition id")),
    request_body = RatingBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The follow-up call", body = Visit),
        (status = 404, description = "No such petition", body = Problem),
        (status = 409, description = "Not replied yet, or a stale version", body = Problem),
    )
)]
pub async fn visit(
    state: web::Data<AppState>,
    auth: Auth<Operators>,
    id: web::Path<i64>,
    Json(b): Json<RatingBody>,
) -> AppResult<HttpResponse> {
    visit_action(state, auth.0, id.into_inner(), VisitKind::Visit, b).await
}

/// Reporters' follow-up reports (记者追访) on a petition.
#[utoipa::path(
    get, path = "/api/v1/petitions/{id}/follow-ups", tag = "petitions", operation_id = "list_follow_ups",
    params(("id" = i64, Path, description = "Petition id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Follow-up reports, oldest first", body = Vec<FollowUp>),
        (status = 404, description = "No such petition, or not visible to the caller", body = Problem),
    )
)]
pub async fn list_follow_ups(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<i64>,
) -> AppResult<web::Json<Vec<FollowUp>>> {
    let id = id.into_inner();
    with_actor(&state, auth.0, move |conn, actor| {
        let row = db::petitions::find(conn, id)
            .optional()?
            .ok_or_else(not_found)?;
        access(conn, actor, &row)?;
        Ok(db::petitions::follow_ups_of(conn, &[id])?
            .iter()
            .map(views::follow_up)
            .collect())
    })
    .await
    .map(web::Json)
}

/// Attach a follow-up report (a reporter); it shows on the petition's public page.
#[utoipa::path(
    post, path = "/api/v1/petitions/{id}/follow-ups", tag = "petitions", operation_id = "create_follow_up",
    params(("id" = i64, Path, description = "Petition id")),
    request_body = NewFollowUp,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The follow-up report", body = FollowUp),
        (status = 404, description = "No such petition", body = Problem),
    )
)]
pub async fn create_follow_up(
    state: web::Data<AppState>,
    auth: Auth<Reporters>,
    id: web::Path<i64>,
    Json(b): Json<NewFollowUp>,
) -> AppResult<HttpResponse> {
    check_text("title", &b.title, 100)?;
    check_text("body", &b.body, 10_000)?;
    let id = id.into_inner();
    let f = with_actor(&state, auth.0, move |conn, actor| {
        let mut fid = 0;
        act(
            conn,
            actor,
            id,
            None,
            Action::FollowUp,
            Target::Petition,
            |conn, ctx| {
                fid = db::petitions::insert_follow_up(
                    conn,
                    ctx.petition.id,
                    ctx.actor.caller.user_id,
                    b.title.trim(),
                    b.body.trim(),
                    ctx.now,
                )?;
                Ok(Effect {
                    note: Some(b.title.trim().to_owned()),
                    ..Effect::default()
                })
            },
        )?;
        let row = db::petitions::follow_ups_of(conn, &[id])?
            .into_iter()
            .find(|f| f.id == fid)
            .ok_or_else(not_found)?;
        Ok(views::follow_up(&row))
    })
    .await?;
    Ok(HttpResponse::Created().json(f))
}

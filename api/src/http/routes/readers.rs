//! What readers do with published petitions: add their support (我也遇到) and follow them.

use actix_web::{web, HttpResponse};
use diesel::OptionalExtension;
use minhu_types::{Problem, Supporters};

use crate::db::{self, DbConn};
use crate::domain::privacy::in_public_feed;
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Anyone, Auth};
use crate::http::AppState;

/// 404 unless petition `id` is published (the petitioner's consent, past triage, not refused
/// or withdrawn): only what the public sees can be supported or followed.
pub(super) fn published(conn: &mut DbConn, id: i64) -> AppResult<()> {
    let row = db::petitions::find(conn, id).optional()?;
    match row {
        Some(p) if in_public_feed(p.status, p.publish_consent, p.public_hidden) => Ok(()),
        _ => Err(AppError::not_found(format!("没有编号 {id} 的公开诉求"))),
    }
}

/// Add the caller's support to a published petition (我也遇到): once per account; repeating
/// changes nothing. Answers the count.
#[utoipa::path(
    post, path = "/api/v1/public/petitions/{id}/support", tag = "public", operation_id = "support_petition",
    params(("id" = i64, Path, description = "The published petition's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The count of supporters", body = Supporters),
        (status = 401, description = "Not signed in", body = Problem),
        (status = 404, description = "No such published petition", body = Problem),
    )
)]
pub async fn support(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<i64>,
) -> AppResult<web::Json<Supporters>> {
    let (id, user, now) = (id.into_inner(), auth.user_id, state.clock.now());
    let supporters = state
        .db(move |conn| {
            published(conn, id)?;
            Ok(db::readers::support(conn, id, user, now)?)
        })
        .await?;
    Ok(web::Json(Supporters { supporters }))
}

/// Take the caller's support back (also once the petition is no longer public). Answers the
/// count.
#[utoipa::path(
    delete, path = "/api/v1/public/petitions/{id}/support", tag = "public", operation_id = "unsupport_petition",
    params(("id" = i64, Path, description = "The published petition's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The count of supporters", body = Supporters),
        (status = 404, description = "No such published petition", body = Problem),
    )
)]
pub async fn unsupport(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<i64>,
) -> AppResult<web::Json<Supporters>> {
    let (id, user) = (id.into_inner(), auth.user_id);
    let supporters = state
        // Also after the petition stopped being public (withdrawn, say): one's support is
        // one's own to take back.
        .db(move |conn| {
            db::readers::unsupport(conn, id, user).map_err(|e| match e {
                diesel::result::Error::NotFound => {
                    AppError::not_found(format!("没有编号 {id} 的诉求"))
                }
                e => e.into(),
            })
        })
        .await?;
    Ok(web::Json(Supporters { supporters }))
}

/// Follow a published petition: its public milestones (accepted, replied, closed) come as
/// messages (消息), and by SMS or e-mail as the account chose.
#[utoipa::path(
    post, path = "/api/v1/petitions/{id}/follow", tag = "public", operation_id = "follow_petition",
    params(("id" = i64, Path, description = "The published petition's id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Followed (again: nothing new)"),
        (status = 404, description = "No such published petition", body = Problem),
    )
)]
pub async fn follow(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, user, now) = (id.into_inner(), auth.user_id, state.clock.now());
    state
        .db(move |conn| {
            published(conn, id)?;
            Ok(db::readers::follow(conn, id, user, now)?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Stop following a petition.
#[utoipa::path(
    delete, path = "/api/v1/petitions/{id}/follow", tag = "public", operation_id = "unfollow_petition",
    params(("id" = i64, Path, description = "The petition's id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Not followed (any more)"))
)]
pub async fn unfollow(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, user) = (id.into_inner(), auth.user_id);
    state
        .db(move |conn| Ok(db::readers::unfollow(conn, id, user)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

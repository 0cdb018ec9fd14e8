//! Moderation (内容审核): the newspaper's editors and administrators decide what the public
//! sees of a petition (hide it, a public version of its title and content, hidden photos), each
//! decision a `moderate` event on the timeline through the one path every change takes;
//! readers report public items (举报), editors work the queue.

use actix_web::{web, HttpResponse};
use minhu_types::{Action, ModerationBody, ModerationReport, NewReport, Page, Petition, Problem};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::db::petitions::PetitionChanges;
use crate::db::{self, utc};
use crate::domain::privacy::mask_text;
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Anyone, Auth, Moderators, PageQuery};
use crate::http::json::Json;
use crate::http::AppState;
use crate::workflow::{act, Effect, Target};

use super::petitions::{detail_of, with_actor};

/// Decide what the public sees of a petition (reporters, administrators): `hidden`, a public
/// `public_title`/`public_content` (the original stays for officials; masking still applies;
/// `""` returns to the original), `hidden_photo_ids` (exactly these of its photos are hidden),
/// with a `reason` for the timeline. Visible at once on the feed, the public page and Open311
/// (each replica's feed page is kept at most `MINHU_PUBLIC_CACHE_MS`); open reports on the
/// petition are settled.
#[utoipa::path(
    post, path = "/api/v1/petitions/{id}/moderation", tag = "petitions", operation_id = "moderate_petition",
    params(("id" = i64, Path, description = "Petition id")),
    request_body = ModerationBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The petition after the decision", body = Petition),
        (status = 404, description = "No such petition", body = Problem),
        (status = 422, description = "No reason, no decision, a public version too long, or a photo of another petition", body = Problem),
    )
)]
pub async fn moderate(
    state: web::Data<AppState>,
    auth: Auth<Moderators>,
    id: web::Path<i64>,
    Json(b): Json<ModerationBody>,
) -> AppResult<web::Json<Petition>> {
    minhu_types::rules::validate_moderation(&b).map_err(AppError::validation)?;
    let id = id.into_inner();
    let petition = with_actor(&state, auth.0, move |conn, actor| {
        let id = act(
            conn,
            actor,
            id,
            None,
            Action::Moderate,
            Target::Petition,
            move |conn, ctx| {
                if let Some(ids) = &b.hidden_photo_ids {
                    if !db::moderation::set_hidden_photos(conn, ctx.petition.id, ids)? {
                        return Err(AppError::invalid_field(
                            "hidden_photo_ids",
                            "只能隐藏本诉求的照片",
                        ));
                    }
                }
                let version = |v: Option<String>| {
                    v.map(|t| Some(t.trim().to_owned()).filter(|t| !t.is_empty()))
                };
                db::moderation::resolve(conn, ctx.petition.id, ctx.now)?;
                Ok(Effect {
                    petition: PetitionChanges {
                        public_hidden: b.hidden,
                        public_title: version(b.public_title.clone()),
                        public_content: version(b.public_content.clone()),
                        ..Default::default()
                    },
                    note: Some(note(&b)),
                    ..Effect::default()
                })
            },
        )?;
        detail_of(conn, actor, id)
    })
    .await?;
    // This replica's kept public pages are forgotten once it is answered (as after any change).
    Ok(web::Json(petition))
}

/// The timeline's note: what was decided, and why.
fn note(b: &ModerationBody) -> String {
    let mut what = Vec::new();
    match b.hidden {
        Some(true) => what.push("对公众隐藏".to_owned()),
        Some(false) => what.push("恢复公开".to_owned()),
        None => {}
    }
    match b.public_title.as_deref() {
        Some("") => what.push("恢复原标题".to_owned()),
        Some(_) => what.push("设置公开标题".to_owned()),
        None => {}
    }
    match b.public_content.as_deref() {
        Some("") => what.push("恢复原内容".to_owned()),
        Some(_) => what.push("设置公开内容".to_owned()),
        None => {}
    }
    if let Some(ids) = &b.hidden_photo_ids {
        what.push(format!("隐藏照片 {} 张", ids.len()));
    }
    format!("{}：{}", what.join("，"), b.reason.trim())
}

/// Report a public petition's content (举报不当内容, signed in): it goes to the editors' queue.
#[utoipa::path(
    post, path = "/api/v1/public/petitions/{id}/reports", tag = "public", operation_id = "report_petition",
    params(("id" = i64, Path, description = "The published petition's id")),
    request_body = NewReport,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The report, in the editors' queue", body = ModerationReport),
        (status = 404, description = "No such published petition", body = Problem),
        (status = 422, description = "No reason, or over 500 characters", body = Problem),
    )
)]
pub async fn report(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<i64>,
    Json(b): Json<NewReport>,
) -> AppResult<HttpResponse> {
    minhu_types::rules::validate_text("reason", b.reason.trim(), 500)
        .map_err(AppError::validation)?;
    let (id, user, now) = (id.into_inner(), auth.user_id, state.clock.now());
    let report = state
        .db(move |conn| {
            super::readers::published(conn, id)?;
            let rid = db::moderation::report(conn, id, user, b.reason.trim(), now)?;
            let row = db::petitions::find(conn, id)?;
            Ok(ModerationReport {
                id: rid,
                petition_id: id,
                tracking_no: row.tracking_no,
                public_title: mask_text(row.public_title.as_deref().unwrap_or(&row.title)),
                reason: b.reason.trim().to_owned(),
                created_at: utc(now),
                resolved_at: None,
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(report))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// Only reports no decision has followed yet.
    pub open: Option<bool>,
    #[param(minimum = 1, maximum = 1000000, default = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<i64>,
}

/// The editors' queue (reporters, administrators): readers' reports, newest first.
#[utoipa::path(
    get, path = "/api/v1/moderation/reports", tag = "petitions", operation_id = "list_moderation_reports",
    params(ReportQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "One page of reports", body = Page<ModerationReport>))
)]
pub async fn reports(
    state: web::Data<AppState>,
    _auth: Auth<Moderators>,
    q: crate::http::query::Query<ReportQuery>,
) -> AppResult<web::Json<Page<ModerationReport>>> {
    let q = q.into_inner();
    let paging = PageQuery {
        page: q.page,
        per_page: q.per_page,
    }
    .paging()?;
    let open = q.open.unwrap_or(false);
    let (rows, total) = state
        .db(move |conn| Ok(db::moderation::reports(conn, open, paging)?))
        .await?;
    let items = rows
        .into_iter()
        .map(
            |(id, petition_id, reason, created_at, resolved_at, tracking_no, title, public)| {
                ModerationReport {
                    id,
                    petition_id,
                    tracking_no,
                    public_title: mask_text(public.as_deref().unwrap_or(&title)),
                    reason,
                    created_at: utc(created_at),
                    resolved_at: resolved_at.map(utc),
                }
            },
        )
        .collect();
    Ok(web::Json(paging.page_of(items, total)))
}

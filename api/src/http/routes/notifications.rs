//! Notifications (消息): one's own messages, the unread count, marking read, the settings for
//! SMS and e-mail; and the one-tap rating (一事一评) a reply's message links to, which needs no
//! account.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use minhu_types::{
    Action, MarkRead, Notification, NotificationSettings, Page, PetitionStatus, Problem,
    RatingBody, RatingInvite, UnreadCount, VisitKind,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::db::{self, DbConn};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Anyone, Auth, PageQuery};
use crate::http::json::Json;
use crate::http::AppState;
use crate::views;
use crate::workflow::{access, act, effects, Actor, Target};

use super::petitions::{check_text, MAX_NOTE};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NotificationQuery {
    /// Only unread messages.
    #[serde(default)]
    pub unread: Option<bool>,
    #[param(minimum = 1, maximum = 1000000, default = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<i64>,
}

/// The caller's messages, newest first.
#[utoipa::path(
    get, path = "/api/v1/notifications", tag = "notifications", operation_id = "list_notifications",
    params(NotificationQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of the caller's messages", body = Page<Notification>),
        (status = 401, description = "Not signed in", body = Problem),
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    q: crate::http::query::Query<NotificationQuery>,
) -> AppResult<web::Json<Page<Notification>>> {
    let q = q.into_inner();
    let paging = PageQuery {
        page: q.page,
        per_page: q.per_page,
    }
    .paging()?;
    let (user, unread) = (auth.user_id, q.unread.unwrap_or(false));
    let (rows, total) = state
        .db(move |conn| Ok(db::notifications::list(conn, user, unread, paging)?))
        .await?;
    Ok(web::Json(
        paging.page_of(
            rows.into_iter()
                .map(|(r, no)| r.to_notification(no))
                .collect(),
            total,
        ),
    ))
}

/// How many of the caller's messages are unread (the bell).
#[utoipa::path(
    get, path = "/api/v1/notifications/unread-count", tag = "notifications", operation_id = "count_unread_notifications",
    security(("bearer" = [])),
    responses((status = 200, description = "Unread messages", body = UnreadCount))
)]
pub async fn unread_count(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
) -> AppResult<web::Json<UnreadCount>> {
    let user = auth.user_id;
    let count = state
        .db(move |conn| Ok(db::notifications::unread_count(conn, user)?))
        .await?;
    Ok(web::Json(UnreadCount { count }))
}

/// Mark messages read: `ids` (the caller's; others are ignored) or `all: true`. Answers what is
/// still unread.
#[utoipa::path(
    post, path = "/api/v1/notifications/read", tag = "notifications", operation_id = "mark_notifications_read",
    request_body = MarkRead,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What is still unread", body = UnreadCount),
        (status = 422, description = "Neither ids nor all, or over 500 ids", body = Problem),
    )
)]
pub async fn mark_read(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    Json(b): Json<MarkRead>,
) -> AppResult<web::Json<UnreadCount>> {
    if !b.all && b.ids.is_empty() {
        return Err(AppError::invalid_field(
            "ids",
            "请给出要标为已读的消息 ids，或 all: true",
        ));
    }
    if b.ids.len() > 500 {
        return Err(AppError::invalid_field("ids", "一次最多 500 条"));
    }
    let (user, now) = (auth.user_id, state.clock.now());
    let count = state
        .db(move |conn| {
            let ids = (!b.all).then_some(b.ids.as_slice());
            db::notifications::mark_read(conn, user, ids, now)?;
            Ok(db::notifications::unread_count(conn, user)?)
        })
        .await?;
    Ok(web::Json(UnreadCount { count }))
}

/// The caller's notification settings.
#[utoipa::path(
    get, path = "/api/v1/me/notification-settings", tag = "notifications", operation_id = "get_notification_settings",
    security(("bearer" = [])),
    responses((status = 200, description = "SMS and e-mail settings", body = NotificationSettings))
)]
pub async fn get_settings(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
) -> AppResult<web::Json<NotificationSettings>> {
    let user = auth.user_id;
    let s = state
        .db(move |conn| Ok(db::notifications::settings(conn, user)?))
        .await?;
    Ok(web::Json(s))
}

/// Change the caller's notification settings: SMS needs a phone on the account, e-mail an
/// address.
#[utoipa::path(
    put, path = "/api/v1/me/notification-settings", tag = "notifications", operation_id = "put_notification_settings",
    request_body = NotificationSettings,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The saved settings", body = NotificationSettings),
        (status = 422, description = "SMS without a phone, e-mail without a valid address", body = Problem),
    )
)]
pub async fn put_settings(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    Json(mut b): Json<NotificationSettings>,
) -> AppResult<web::Json<NotificationSettings>> {
    b.email_address = b
        .email_address
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty());
    let (user, now) = (auth.user_id, state.clock.now());
    let saved = state
        .db(move |conn| {
            let me = db::users::find(conn, user)?;
            minhu_types::rules::validate_notification_settings(&b, me.phone.is_some())
                .map_err(AppError::validation)?;
            db::notifications::save_settings(conn, user, &b, now)?;
            Ok(db::notifications::settings(conn, user)?)
        })
        .await?;
    Ok(web::Json(saved))
}

fn gone(detail: &str) -> AppError {
    AppError::new(StatusCode::GONE, "link_gone", detail)
}

/// The petition of a rating link and its petitioner, acting as themselves; 404/410 when the
/// link does not work.
fn petitioner_of(
    conn: &mut DbConn,
    token: &str,
    now: chrono::NaiveDateTime,
) -> AppResult<(Actor, db::petitions::PetitionRow)> {
    let invalid = || AppError::not_found("评价链接无效，或已被更新的链接取代");
    if token.len() > 100 {
        return Err(invalid());
    }
    let (pid, used_at) = db::notifications::rating_token(conn, token)?.ok_or_else(invalid)?;
    if used_at.is_some() {
        return Err(gone("该评价链接已使用过，感谢您的评价。"));
    }
    let row = db::petitions::find(conn, pid)?;
    if row.status != PetitionStatus::Replied {
        return Err(gone(
            "该评价链接已过期：工单已办结或正在重新办理。如有疑问请拨打 12345。",
        ));
    }
    let who = db::users::find(conn, row.submitter_id)?;
    let actor = Actor {
        caller: Caller {
            user_id: who.id,
            role: who.role,
            unit_id: None,
            unit_path: None,
        },
        now,
    };
    Ok((actor, row))
}

/// What a one-tap rating link asks to rate (no login): the petition's tracking number, title
/// and replies, as its petitioner sees them.
#[utoipa::path(
    get, path = "/api/v1/rate/{token}", tag = "notifications", operation_id = "get_rating_invite",
    params(("token" = String, Path, description = "The token of the link /r/{token}")),
    security(()),
    responses(
        (status = 200, description = "What to rate", body = RatingInvite),
        (status = 404, description = "No such link", body = Problem),
        (status = 410, description = "The link was used, or has expired", body = Problem),
    )
)]
pub async fn invite(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> AppResult<web::Json<RatingInvite>> {
    let now = state.clock.now();
    let token = token.into_inner();
    let invite = state
        .db(move |conn| {
            let (actor, row) = petitioner_of(conn, &token, now)?;
            let acc = access(conn, &actor, &row)?;
            let detail = views::detail(conn, &actor, &row, &acc)?;
            Ok(RatingInvite {
                tracking_no: detail.tracking_no,
                title: detail.title,
                replies: detail.replies,
            })
        })
        .await?;
    Ok(web::Json(invite))
}

/// Rate through a one-tap link (no login): counts as the petitioner's rating and closes the
/// petition. The link works once.
#[utoipa::path(
    post, path = "/api/v1/rate/{token}", tag = "notifications", operation_id = "rate_by_link",
    params(("token" = String, Path, description = "The token of the link /r/{token}")),
    request_body = RatingBody,
    security(()),
    responses(
        (status = 201, description = "The rating", body = minhu_types::Visit),
        (status = 404, description = "No such link", body = Problem),
        (status = 410, description = "The link was used, or has expired", body = Problem),
        (status = 422, description = "Invalid rating", body = Problem),
    )
)]
pub async fn rate(
    state: web::Data<AppState>,
    token: web::Path<String>,
    Json(b): Json<RatingBody>,
) -> AppResult<HttpResponse> {
    if let Some(c) = &b.comment {
        check_text("comment", c, MAX_NOTE)?;
    }
    let now = state.clock.now();
    let token = token.into_inner();
    let visit = state
        .db(move |conn| {
            db::transaction(conn, |conn| {
                let (actor, row) = petitioner_of(conn, &token, now)?;
                if !db::notifications::use_rating_token(conn, &token, now)? {
                    return Err(gone("该评价链接已使用过，感谢您的评价。"));
                }
                let pid = row.id;
                let mut vid = 0;
                act(
                    conn,
                    &actor,
                    pid,
                    None,
                    Action::Rate,
                    Target::Petition,
                    |conn, ctx| effects::visit(conn, ctx, VisitKind::Rating, &b, &mut vid),
                )?;
                let v = db::petitions::visits_of(conn, pid)?
                    .into_iter()
                    .find(|v| v.id == vid)
                    .ok_or_else(|| AppError::internal("the rating just written is missing"))?;
                Ok(views::visit(&v, false))
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(visit))
}

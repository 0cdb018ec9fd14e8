//! Partners' webhooks: register a URL for the events of the petitions they submitted, see how
//! the deliveries went, remove it. Administrators see and remove every partner's.

use actix_web::{web, HttpResponse};
use diesel::OptionalExtension;
use minhu_types::{NewWebhook, Page, Problem, Role, Webhook, WebhookCreated, WebhookDelivery};

use crate::config::random_hex;
use crate::db::{self, webhooks::WebhookRow, DbConn};
use crate::domain::webhooks::{check_events, check_url};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Auth, Caller, PageQuery, Partners, PartnersAndAdmins};
use crate::http::json::Json;
use crate::http::AppState;

/// The caller's partner id; `None` for an administrator.
fn partner_of(conn: &mut DbConn, caller: Caller) -> AppResult<Option<i64>> {
    if caller.role == Role::Admin {
        return Ok(None);
    }
    db::partners::id_of_user(conn, caller.user_id)?
        .map(Some)
        .ok_or_else(|| AppError::forbidden("此账号不属于任何合作方"))
}

/// The webhook if the caller may see it (its partner, or an administrator).
fn visible(conn: &mut DbConn, caller: Caller, id: i64) -> AppResult<WebhookRow> {
    let partner = partner_of(conn, caller)?;
    db::webhooks::find(conn, id)
        .optional()?
        .filter(|w| w.active && partner.is_none_or(|p| p == w.partner_id))
        .ok_or_else(|| AppError::not_found(format!("Webhook {id} 不存在")))
}

/// List webhooks: a partner's own; all for an administrator.
#[utoipa::path(
    get, path = "/api/v1/webhooks", tag = "webhooks", operation_id = "list_webhooks",
    params(PageQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "One page of webhooks (without secrets)", body = Page<Webhook>))
)]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<PartnersAndAdmins>,
    page: crate::http::query::Query<PageQuery>,
) -> AppResult<web::Json<Page<Webhook>>> {
    let paging = page.into_inner().paging()?;
    let caller = auth.0;
    let (items, total) = state
        .db(move |conn| {
            let partner = partner_of(conn, caller)?;
            Ok(db::webhooks::list(conn, partner, paging)?)
        })
        .await?;
    Ok(web::Json(paging.page_of(
        items.iter().map(WebhookRow::to_webhook).collect(),
        total,
    )))
}

/// Register a webhook (partner). Each event of a petition the partner submitted is POSTed to
/// `url` as a `WebhookEvent` with the headers `X-Minhu-Event`, `X-Minhu-Event-Id` (the same on
/// every retry: deduplicate by it), `X-Minhu-Timestamp` (Unix seconds) and `X-Minhu-Signature:
/// sha256=<hex HMAC-SHA256 of "{timestamp}.{body}" keyed with `secret`>`. Any 2xx acknowledges
/// it; anything else, or no answer within 10 s, is retried after 30 s, 1 min, 2 min … up to
/// 6 h apart, 12 attempts in all. Redirects are not followed.
#[utoipa::path(
    post, path = "/api/v1/webhooks", tag = "webhooks", operation_id = "create_webhook",
    request_body = NewWebhook,
    security(("bearer" = [])),
    responses((status = 201, description = "The webhook with its signing secret, shown once", body = WebhookCreated))
)]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth<Partners>,
    Json(req): Json<NewWebhook>,
) -> AppResult<HttpResponse> {
    let url = check_url(req.url.trim(), state.webhook_reach)
        .map_err(|m| AppError::invalid_field("url", m))?
        .to_string();
    let events = check_events(&req.events)
        .map_err(|m| AppError::invalid_field("events", m))?
        .join(",");
    let secret = format!("whsec_{}", random_hex(24));
    let caller = auth.0;
    let key = secret.clone();
    let row = state
        .db(move |conn| {
            let partner = partner_of(conn, caller)?
                .ok_or_else(|| AppError::forbidden("只有合作方可以注册 Webhook"))?;
            Ok(db::webhooks::insert(
                conn,
                partner,
                &url,
                &events,
                &key,
                db::now(),
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(WebhookCreated {
        webhook: row.to_webhook(),
        secret,
    }))
}

/// Remove a webhook: nothing more is sent to it, and its undelivered events are dropped.
#[utoipa::path(
    delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", operation_id = "delete_webhook",
    params(("id" = i64, Path, description = "Webhook id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such webhook, or another partner's", body = Problem),
    )
)]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Auth<PartnersAndAdmins>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, caller) = (id.into_inner(), auth.0);
    state
        .db(move |conn| {
            visible(conn, caller, id)?;
            Ok(db::webhooks::deactivate(conn, id, db::now())?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A webhook's deliveries, newest first: status, attempts, the receiver's last answer.
#[utoipa::path(
    get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", operation_id = "list_webhook_deliveries",
    params(("id" = i64, Path, description = "Webhook id"), PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of deliveries", body = Page<WebhookDelivery>),
        (status = 404, description = "No such webhook, or another partner's", body = Problem),
    )
)]
pub async fn deliveries(
    state: web::Data<AppState>,
    auth: Auth<PartnersAndAdmins>,
    id: web::Path<i64>,
    page: crate::http::query::Query<PageQuery>,
) -> AppResult<web::Json<Page<WebhookDelivery>>> {
    let paging = page.into_inner().paging()?;
    let (id, caller) = (id.into_inner(), auth.0);
    let (items, total) = state
        .db(move |conn| {
            visible(conn, caller, id)?;
            Ok(db::webhooks::deliveries(conn, id, paging)?)
        })
        .await?;
    Ok(web::Json(paging.page_of(
        items.iter().map(|d| d.to_delivery()).collect(),
        total,
    )))
}

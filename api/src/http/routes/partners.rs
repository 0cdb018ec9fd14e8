//! Partners: API clients issued by administrators. The client secret and the Open311 API key are
//! shown once, in the response that creates them.

use actix_web::{web, HttpResponse};
use minhu_types::{NewPartner, Page, Partner, PartnerCredentials};

use crate::auth::digest_secret;
use crate::config::random_hex;
use crate::db::{self, partners::NewPartnerRow, partners::PartnerRow};
use crate::domain::validate::Checks;
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Admins, Auth, PageQuery};
use crate::http::json::Json;
use crate::http::AppState;

/// List partners, without their secrets (admin).
#[utoipa::path(
    get, path = "/api/v1/partners", tag = "partners", operation_id = "list_partners",
    params(PageQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "One page of partners", body = Page<Partner>))
)]
pub async fn list(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    page: web::Query<PageQuery>,
) -> AppResult<web::Json<Page<Partner>>> {
    let paging = page.into_inner().paging()?;
    let (items, total) = state
        .db(move |conn| Ok(db::partners::list(conn, paging)?))
        .await?;
    Ok(web::Json(Page {
        items: items.iter().map(PartnerRow::to_partner).collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// Issue a partner's credentials (admin). `client_secret` and `api_key` appear only here.
#[utoipa::path(
    post, path = "/api/v1/partners", tag = "partners", operation_id = "create_partner",
    request_body = NewPartner,
    security(("bearer" = [])),
    responses((status = 201, description = "The partner with its credentials, shown once", body = PartnerCredentials))
)]
pub async fn create(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    Json(req): Json<NewPartner>,
) -> AppResult<HttpResponse> {
    let mut c = Checks::new();
    c.text("name", &req.name, 1, 100);
    c.finish().map_err(AppError::validation)?;
    let client_id = format!("mh_{}", random_hex(8));
    let client_secret = random_hex(32);
    let api_key = random_hex(24);
    let (cid, secret_hash, key_hash) = (
        client_id.clone(),
        digest_secret(&client_secret),
        digest_secret(&api_key),
    );
    let row = state
        .db(move |conn| {
            Ok(db::partners::insert(
                conn,
                &NewPartnerRow {
                    name: req.name.trim(),
                    client_id: &cid,
                    client_secret_hash: &secret_hash,
                    api_key_hash: &key_hash,
                    now: db::now(),
                },
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(PartnerCredentials {
        id: row.id,
        name: row.name,
        client_id,
        client_secret,
        api_key,
        created_at: db::utc(row.created_at),
    }))
}

//! Partners: API clients issued by administrators. The client secret and the Open311 API key are
//! shown once, in the response that creates them.

use actix_web::{web, HttpResponse};
use diesel::OptionalExtension;
use minhu_types::{NewPartner, Page, Partner, PartnerCredentials, Problem};

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
    page: crate::http::query::Query<PageQuery>,
) -> AppResult<web::Json<Page<Partner>>> {
    let paging = page.into_inner().paging()?;
    let (items, total) = state
        .db(move |conn| Ok(db::partners::list(conn, paging)?))
        .await?;
    Ok(web::Json(paging.page_of(
        items.iter().map(PartnerRow::to_partner).collect(),
        total,
    )))
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
    let cid = client_id.clone();
    let secrets = Secrets::new();
    let (secret_hash, key_hash) = (secrets.secret_hash(), secrets.key_hash());
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
    Ok(HttpResponse::Created().json(secrets.shown_with(row)))
}

/// A partner's secret and Open311 API key, in the clear only until they are answered.
struct Secrets {
    client_secret: String,
    api_key: String,
}

impl Secrets {
    fn new() -> Self {
        Secrets {
            client_secret: random_hex(32),
            api_key: random_hex(24),
        }
    }

    fn secret_hash(&self) -> String {
        digest_secret(&self.client_secret)
    }

    fn key_hash(&self) -> String {
        digest_secret(&self.api_key)
    }

    fn shown_with(self, row: PartnerRow) -> PartnerCredentials {
        PartnerCredentials {
            id: row.id,
            name: row.name,
            client_id: row.client_id,
            client_secret: self.client_secret,
            api_key: self.api_key,
            created_at: db::utc(row.created_at),
        }
    }
}

/// Issue a partner new credentials (admin): a new `client_secret` and `api_key`, shown only
/// here. The old ones and every access token issued before stop working at once. A revoked
/// partner is enabled again.
#[utoipa::path(
    post, path = "/api/v1/partners/{id}/rotate", tag = "partners", operation_id = "rotate_partner_credentials",
    params(("id" = i64, Path, description = "Partner id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The partner with its new credentials, shown once", body = PartnerCredentials),
        (status = 404, description = "No such partner", body = Problem),
    )
)]
pub async fn rotate(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    id: web::Path<i64>,
) -> AppResult<web::Json<PartnerCredentials>> {
    let id = id.into_inner();
    let secrets = Secrets::new();
    let (secret_hash, key_hash) = (secrets.secret_hash(), secrets.key_hash());
    let row = state
        .db(move |conn| {
            db::partners::rotate(conn, id, &secret_hash, &key_hash, db::now())
                .optional()?
                .ok_or_else(|| not_found(id))
        })
        .await?;
    Ok(web::Json(secrets.shown_with(row)))
}

/// Revoke a partner (admin): its secret, API key and access tokens stop working at once;
/// what it submitted stays. `rotate` enables it again with new credentials.
#[utoipa::path(
    post, path = "/api/v1/partners/{id}/revoke", tag = "partners", operation_id = "revoke_partner",
    params(("id" = i64, Path, description = "Partner id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The partner, now inactive", body = Partner),
        (status = 404, description = "No such partner", body = Problem),
    )
)]
pub async fn revoke(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    id: web::Path<i64>,
) -> AppResult<web::Json<Partner>> {
    let id = id.into_inner();
    let row = state
        .db(move |conn| {
            db::partners::revoke(conn, id, db::now())
                .optional()?
                .ok_or_else(|| not_found(id))
        })
        .await?;
    Ok(web::Json(row.to_partner()))
}

fn not_found(id: i64) -> AppError {
    AppError::not_found(format!("合作方 {id} 不存在"))
}

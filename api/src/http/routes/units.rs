//! The unit tree (admin-maintained; readable by every signed-in caller).

use actix_web::{web, HttpResponse};
use minhu_types::{NewUnit, Page, Problem, Unit, UnitKind, UnitPatch};

use crate::db::{self, units::UnitFilter, units::UnitRow, DbConn};
use crate::domain::units::{check_kinds, check_move};
use crate::domain::validate::Checks;
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Admins, Anyone, Auth, PageQuery};
use crate::http::json::Json;
use crate::http::{transaction, AppState};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// Only the direct children of this unit.
    pub parent_id: Option<i64>,
    /// Only units of this kind.
    pub kind: Option<UnitKind>,
    /// Only units without a parent (the tops of the tree).
    pub roots: Option<bool>,
    /// Only this unit and everything below it.
    pub within: Option<i64>,
}

/// List units, in tree order.
#[utoipa::path(
    get, path = "/api/v1/units", tag = "units", operation_id = "list_units",
    params(UnitQuery, PageQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "One page of units", body = Page<Unit>))
)]
pub async fn list(
    state: web::Data<AppState>,
    _auth: Auth<Anyone>,
    query: crate::http::query::Query<UnitQuery>,
    page: crate::http::query::Query<PageQuery>,
) -> AppResult<web::Json<Page<Unit>>> {
    let paging = page.into_inner().paging()?;
    let q = query.into_inner();
    let (items, total) = state
        .db(move |conn| {
            let within = match q.within {
                Some(id) => Some(parent_or_422(conn, id, "within")?.path),
                None => None,
            };
            let filter = UnitFilter {
                parent_id: q.parent_id,
                kind: q.kind,
                within,
                roots: q.roots.unwrap_or(false),
            };
            Ok(db::units::list(conn, &filter, paging)?)
        })
        .await?;
    Ok(web::Json(paging.page_of(
        items.iter().map(UnitRow::to_unit).collect(),
        total,
    )))
}

/// One unit.
#[utoipa::path(
    get, path = "/api/v1/units/{id}", tag = "units", operation_id = "find_unit",
    params(("id" = i64, Path, description = "Unit id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The unit", body = Unit),
        (status = 404, description = "No such unit", body = Problem),
    )
)]
pub async fn find(
    state: web::Data<AppState>,
    _auth: Auth<Anyone>,
    id: web::Path<i64>,
) -> AppResult<web::Json<Unit>> {
    let id = id.into_inner();
    let unit = state.db(move |conn| Ok(db::units::find(conn, id)?)).await?;
    Ok(web::Json(unit.to_unit()))
}

/// The parent named in a request: a missing one is the request's fault (422), not a 404.
fn parent_or_422(conn: &mut DbConn, id: i64, field: &str) -> AppResult<UnitRow> {
    use diesel::OptionalExtension;
    db::units::find(conn, id)
        .optional()?
        .ok_or_else(|| AppError::invalid_field(field, format!("单位 {id} 不存在")))
}

/// Create a unit (admin).
#[utoipa::path(
    post, path = "/api/v1/units", tag = "units", operation_id = "create_unit",
    request_body = NewUnit,
    security(("bearer" = [])),
    responses((status = 201, description = "The new unit", body = Unit))
)]
pub async fn create(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    Json(req): Json<NewUnit>,
) -> AppResult<HttpResponse> {
    let mut c = Checks::new();
    c.text("name", &req.name, 1, 100);
    c.finish().map_err(AppError::validation)?;
    let unit = state
        .db(move |conn| {
            let parent = match req.parent_id {
                Some(id) => Some(parent_or_422(conn, id, "parent_id")?),
                None => None,
            };
            if let Some(p) = &parent {
                check_kinds(p.kind(), req.kind)
                    .map_err(|e| AppError::invalid_field("kind", e.message()))?;
            }
            Ok(db::units::insert(
                conn,
                req.name.trim(),
                req.kind,
                parent.as_ref(),
                db::now(),
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(unit.to_unit()))
}

/// Rename a unit, change its kind, or move it (with its subtree) under another parent (admin).
#[utoipa::path(
    patch, path = "/api/v1/units/{id}", tag = "units", operation_id = "update_unit",
    params(("id" = i64, Path, description = "Unit id")),
    request_body = UnitPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed unit", body = Unit),
        (status = 404, description = "No such unit", body = Problem),
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    id: web::Path<i64>,
    Json(req): Json<UnitPatch>,
) -> AppResult<web::Json<Unit>> {
    if let Some(name) = &req.name {
        let mut c = Checks::new();
        c.text("name", name, 1, 100);
        c.finish().map_err(AppError::validation)?;
    }
    let id = id.into_inner();
    let unit = state
        .db(move |conn| {
            transaction(conn, |conn| {
                let unit = db::units::find(conn, id)?;
                let kind = req.kind.unwrap_or(unit.kind());
                let parent = match req.parent_id {
                    Some(Some(pid)) => Some(parent_or_422(conn, pid, "parent_id")?),
                    Some(None) => None,
                    None => match unit.parent_id {
                        Some(pid) => Some(db::units::find(conn, pid)?),
                        None => None,
                    },
                };
                if let Some(p) = &parent {
                    check_kinds(p.kind(), kind)
                        .map_err(|e| AppError::invalid_field("kind", e.message()))?;
                    check_move(&unit.path, &p.path)
                        .map_err(|e| AppError::invalid_field("parent_id", e.message()))?;
                }
                for child in db::units::child_kinds(conn, id)? {
                    if let Some(child) = UnitKind::parse(&child) {
                        check_kinds(kind, child)
                            .map_err(|e| AppError::invalid_field("kind", e.message()))?;
                    }
                }
                let name = req
                    .name
                    .as_deref()
                    .map(str::trim)
                    .unwrap_or(&unit.name)
                    .to_owned();
                db::units::rename(conn, id, &name, kind)?;
                if req.parent_id.is_some() && parent.as_ref().map(|p| p.id) != unit.parent_id {
                    db::units::reparent(conn, &unit, parent.as_ref())?;
                }
                Ok(db::units::find(conn, id)?)
            })
        })
        .await?;
    Ok(web::Json(unit.to_unit()))
}

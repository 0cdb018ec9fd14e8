//! Triage helpers: the dispatch catalogue (派单目录), its setting, and suggestions for a
//! petition under triage.

use crate::http::extract::Triage;
use actix_web::{web, HttpResponse};
use diesel::OptionalExtension;
use minhu_types::{
    ArticleRef, ArticleSuggestion, DispatchRule, DispatchSettings, DuplicateSuggestion,
    NewDispatchRule, Page, PetitionKind, Problem, Suggestions, UnitSuggestion,
};

use crate::db::{self, DbConn};
use crate::domain::privacy::list_unmasked;
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Admins, Auth, PageQuery};
use crate::http::json::Json;
use crate::http::AppState;
use crate::views;

use crate::db::dispatch::SETTINGS_KEY;

fn settings(conn: &mut DbConn) -> AppResult<DispatchSettings> {
    Ok(db::dispatch::settings(conn)?)
}

fn check(conn: &mut DbConn, r: &NewDispatchRule) -> AppResult<()> {
    let mut errors = Vec::new();
    if db::categories::find(conn, r.category_id)
        .optional()?
        .is_none()
    {
        errors.push(("category_id", format!("分类 {} 不存在", r.category_id)));
    }
    if db::units::find(conn, r.unit_id).optional()?.is_none() {
        errors.push(("unit_id", format!("单位 {} 不存在", r.unit_id)));
    }
    if let Some(a) = r.area_unit_id {
        if db::units::find(conn, a).optional()?.is_none() {
            errors.push(("area_unit_id", format!("单位 {a} 不存在")));
        }
    }
    match errors.into_iter().next() {
        Some((field, message)) => Err(AppError::invalid_field(field, message)),
        None => Ok(()),
    }
}

/// Rules as the API shows them, their units named (one query for all of them).
fn named(conn: &mut DbConn, rows: &[db::dispatch::RuleRow]) -> AppResult<Vec<DispatchRule>> {
    let ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [Some(r.unit_id), r.area_unit_id])
        .flatten()
        .collect();
    let units = db::petitions::units_by_id(conn, &ids)?;
    let unit = |id: i64| {
        units
            .iter()
            .find(|u| u.id == id)
            .map(views::unit_ref)
            .ok_or_else(|| AppError::internal(format!("dispatch rule names missing unit {id}")))
    };
    rows.iter()
        .map(|r| Ok(r.to_rule(unit(r.unit_id)?, r.area_unit_id.map(unit).transpose()?)))
        .collect()
}

fn rule_not_found(id: i64) -> AppError {
    AppError::not_found(format!("派单规则 {id} 不存在"))
}

/// The catalogue, oldest rule first.
#[utoipa::path(
    get, path = "/api/v1/dispatch-rules", tag = "triage", operation_id = "list_dispatch_rules",
    params(PageQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "One page of rules", body = Page<DispatchRule>))
)]
pub async fn list(
    state: web::Data<AppState>,
    _auth: Auth<Triage>,
    page: crate::http::query::Query<PageQuery>,
) -> AppResult<web::Json<Page<DispatchRule>>> {
    let paging = page.into_inner().paging()?;
    let rules = state
        .db(|conn| {
            let rows = db::dispatch::all(conn)?;
            named(conn, &rows)
        })
        .await?;
    Ok(web::Json(paging.of(rules)))
}

/// Add a rule (admin).
#[utoipa::path(
    post, path = "/api/v1/dispatch-rules", tag = "triage", operation_id = "create_dispatch_rule",
    request_body = NewDispatchRule,
    security(("bearer" = [])),
    responses((status = 201, description = "The new rule", body = DispatchRule))
)]
pub async fn create(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    Json(req): Json<NewDispatchRule>,
) -> AppResult<HttpResponse> {
    let rule = state
        .db(move |conn| {
            check(conn, &req)?;
            let row = db::dispatch::insert(conn, &req, db::now())?;
            named(conn, &[row])
        })
        .await?;
    Ok(HttpResponse::Created().json(&rule[0]))
}

/// Change a rule (admin): the body replaces it whole.
#[utoipa::path(
    patch, path = "/api/v1/dispatch-rules/{id}", tag = "triage", operation_id = "update_dispatch_rule",
    params(("id" = i64, Path, description = "Rule id")),
    request_body = NewDispatchRule,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed rule", body = DispatchRule),
        (status = 404, description = "No such rule", body = Problem),
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    id: web::Path<i64>,
    Json(req): Json<NewDispatchRule>,
) -> AppResult<web::Json<DispatchRule>> {
    let id = id.into_inner();
    let rule = state
        .db(move |conn| {
            db::dispatch::find(conn, id)
                .optional()?
                .ok_or_else(|| rule_not_found(id))?;
            check(conn, &req)?;
            db::dispatch::update(conn, id, &req)?;
            let row = db::dispatch::find(conn, id)?;
            named(conn, &[row])
        })
        .await?;
    Ok(web::Json(
        rule.into_iter().next().ok_or_else(|| rule_not_found(id))?,
    ))
}

/// Remove a rule (admin).
#[utoipa::path(
    delete, path = "/api/v1/dispatch-rules/{id}", tag = "triage", operation_id = "delete_dispatch_rule",
    params(("id" = i64, Path, description = "Rule id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such rule", body = Problem),
    )
)]
pub async fn delete(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    state
        .db(move |conn| match db::dispatch::delete(conn, id)? {
            0 => Err(rule_not_found(id)),
            _ => Ok(()),
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Whether accepted petitions are dispatched by the catalogue.
#[utoipa::path(
    get, path = "/api/v1/dispatch-settings", tag = "triage", operation_id = "get_dispatch_settings",
    security(("bearer" = [])),
    responses((status = 200, description = "The setting", body = DispatchSettings))
)]
pub async fn get_settings(
    state: web::Data<AppState>,
    _auth: Auth<Triage>,
) -> AppResult<web::Json<DispatchSettings>> {
    state.db(settings).await.map(web::Json)
}

/// Switch automatic dispatch on acceptance on or off (admin).
#[utoipa::path(
    put, path = "/api/v1/dispatch-settings", tag = "triage", operation_id = "put_dispatch_settings",
    request_body = DispatchSettings,
    security(("bearer" = [])),
    responses((status = 200, description = "The setting", body = DispatchSettings))
)]
pub async fn put_settings(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    Json(req): Json<DispatchSettings>,
) -> AppResult<web::Json<DispatchSettings>> {
    let value = serde_json::to_string(&req).map_err(AppError::internal)?;
    state
        .db(move |conn| Ok(db::figures::put_setting(conn, SETTINGS_KEY, &value)?))
        .await?;
    Ok(web::Json(req))
}

/// What the catalogue suggests for a petition: the winning rules' units, lead first.
#[utoipa::path(
    get, path = "/api/v1/petitions/{id}/suggestions", tag = "triage", operation_id = "get_petition_suggestions",
    params(("id" = i64, Path, description = "Petition id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Suggested units, likely repeats, and for consultations knowledge-base articles", body = Suggestions),
        (status = 404, description = "No such petition", body = Problem),
    )
)]
pub async fn suggestions(
    state: web::Data<AppState>,
    auth: Auth<Triage>,
    id: web::Path<i64>,
) -> AppResult<web::Json<Suggestions>> {
    let id = id.into_inner();
    let (role, now, caller) = (auth.role, state.clock.now(), auth.0);
    let (units, duplicates, articles) = state
        .db(move |conn| {
            let row = db::petitions::find(conn, id)
                .optional()?
                .ok_or_else(|| AppError::not_found(format!("诉求 {id} 不存在")))?;
            let units = db::dispatch::suggest(conn, &row)?;
            let found = db::duplicates::suggest(conn, &row)?;
            let actor = crate::workflow::Actor { caller, now };
            let unmasked = list_unmasked(role, false, true);
            if unmasked {
                let rows = found.iter().map(|(p, _)| p);
                crate::views::audit_unmasked(conn, &actor, rows, "suggestions")?;
            }
            let duplicates = found
                .into_iter()
                .map(|(p, similarity)| DuplicateSuggestion {
                    petition: views::summary(&p, !unmasked, now),
                    similarity,
                })
                .collect::<Vec<_>>();
            // Consultations can often be answered on the spot from the knowledge base.
            let articles = if row.kind == PetitionKind::Consultation {
                let all = db::knowledge::candidates(conn, None, true, 5000)?;
                super::knowledge::ranked(all, &format!("{} {}", row.title, row.content))
                    .into_iter()
                    .take(3)
                    .map(|(a, score)| ArticleSuggestion {
                        article: ArticleRef {
                            id: a.id,
                            question: a.question,
                        },
                        score: (score * 1000.0).round() / 1000.0,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            Ok((units, duplicates, articles))
        })
        .await?;
    Ok(web::Json(Suggestions {
        units: units
            .iter()
            .map(|(rule, unit)| UnitSuggestion {
                unit: views::unit_ref(unit),
                rule_id: rule.id,
                role: rule.role,
            })
            .collect(),
        duplicates,
        articles,
    }))
}

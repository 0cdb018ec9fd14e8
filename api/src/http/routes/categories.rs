//! Petition categories: readable by anyone (the submission form needs them before login),
//! maintained by administrators.

use actix_web::{web, HttpResponse};
use diesel::OptionalExtension;
use minhu_types::{Category, NewCategory, Page, Problem};

use crate::db::{self, categories::CategoryRow};
use crate::domain::validate::Checks;
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Admins, Auth, PageQuery};
use crate::http::json::Json;
use crate::http::AppState;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CategoryQuery {
    /// Only the direct children of this category.
    pub parent_id: Option<i64>,
}

/// List categories.
#[utoipa::path(
    get, path = "/api/v1/categories", tag = "categories", operation_id = "list_categories",
    params(CategoryQuery, PageQuery),
    responses((status = 200, description = "One page of categories", body = Page<Category>))
)]
pub async fn list(
    state: web::Data<AppState>,
    query: crate::http::query::Query<CategoryQuery>,
    page: crate::http::query::Query<PageQuery>,
) -> AppResult<web::Json<Page<Category>>> {
    let paging = page.into_inner().paging()?;
    let parent = query.parent_id;
    let (items, total) = state
        .db(move |conn| Ok(db::categories::list(conn, parent, paging)?))
        .await?;
    Ok(web::Json(paging.page_of(
        items.iter().map(CategoryRow::to_category).collect(),
        total,
    )))
}

/// One category.
#[utoipa::path(
    get, path = "/api/v1/categories/{id}", tag = "categories", operation_id = "find_category",
    params(("id" = i64, Path, description = "Category id")),
    responses(
        (status = 200, description = "The category", body = Category),
        (status = 404, description = "No such category", body = Problem),
    )
)]
pub async fn find(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> AppResult<web::Json<Category>> {
    let id = id.into_inner();
    let row = state
        .db(move |conn| Ok(db::categories::find(conn, id)?))
        .await?;
    Ok(web::Json(row.to_category()))
}

/// Create a category (admin).
#[utoipa::path(
    post, path = "/api/v1/categories", tag = "categories", operation_id = "create_category",
    request_body = NewCategory,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new category", body = Category),
        (status = 409, description = "The code is taken", body = Problem),
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    Json(req): Json<NewCategory>,
) -> AppResult<HttpResponse> {
    let mut c = Checks::new();
    c.text("name", &req.name, 1, 50);
    if let Some(code) = &req.code {
        c.check(
            "code",
            (1..=32).contains(&code.len())
                && code
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'),
            "分类代码须为 1–32 位字母、数字、点或连字符",
        );
    }
    c.finish().map_err(AppError::validation)?;
    let row = state
        .db(move |conn| {
            if let Some(pid) = req.parent_id {
                db::categories::find(conn, pid).optional()?.ok_or_else(|| {
                    AppError::invalid_field("parent_id", format!("分类 {pid} 不存在"))
                })?;
            }
            db::categories::insert(
                conn,
                req.name.trim(),
                req.parent_id,
                req.code.as_deref(),
                db::now(),
            )
            .map_err(|e| {
                if db::is_unique_violation(&e) {
                    AppError::conflict("code_taken", "该分类代码已被其他分类使用")
                } else {
                    e.into()
                }
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(row.to_category()))
}

//! Accounts with roles, maintained by administrators.

use actix_web::{web, HttpResponse};
use diesel::OptionalExtension;
use minhu_types::{NewUser, Page, Problem, Role, UserDetail, UserPatch};

use crate::auth::hash_password;
use crate::db::{
    self, users::NewUserRow, users::UserChanges, users::UserFilter, users::UserRow, DbConn,
};
use crate::domain::accounts::{
    check_role_and_unit, normalize_username, validate_display_name, validate_new_user,
    validate_password, validate_phone,
};
use crate::domain::validate::Checks;
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Admins, Auth, PageQuery};
use crate::http::json::Json;
use crate::http::{transaction, AppState};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    pub role: Option<Role>,
    pub unit_id: Option<i64>,
}

/// List accounts (admin).
#[utoipa::path(
    get, path = "/api/v1/users", tag = "users", operation_id = "list_users",
    params(UserQuery, PageQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "One page of accounts", body = Page<UserDetail>))
)]
pub async fn list(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    query: crate::http::query::Query<UserQuery>,
    page: crate::http::query::Query<PageQuery>,
) -> AppResult<web::Json<Page<UserDetail>>> {
    let paging = page.into_inner().paging()?;
    let filter = UserFilter {
        role: query.role,
        unit_id: query.unit_id,
    };
    let (items, total) = state
        .db(move |conn| Ok(db::users::list(conn, &filter, paging)?))
        .await?;
    Ok(web::Json(paging.page_of(
        items.iter().map(UserRow::to_detail).collect(),
        total,
    )))
}

/// One account (admin).
#[utoipa::path(
    get, path = "/api/v1/users/{id}", tag = "users", operation_id = "find_user",
    params(("id" = i64, Path, description = "User id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = UserDetail),
        (status = 404, description = "No such account", body = Problem),
    )
)]
pub async fn find(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    id: web::Path<i64>,
) -> AppResult<web::Json<UserDetail>> {
    let id = id.into_inner();
    let user = state.db(move |conn| Ok(db::users::find(conn, id)?)).await?;
    Ok(web::Json(user.to_detail()))
}

fn unit_exists_or_422(conn: &mut DbConn, unit_id: Option<i64>) -> AppResult<()> {
    if let Some(id) = unit_id {
        db::units::find(conn, id)
            .optional()?
            .ok_or_else(|| AppError::invalid_field("unit_id", format!("单位 {id} 不存在")))?;
    }
    Ok(())
}

/// Create an account with any role but `partner` (admin).
#[utoipa::path(
    post, path = "/api/v1/users", tag = "users", operation_id = "create_user",
    request_body = NewUser,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new account", body = UserDetail),
        (status = 409, description = "The username is taken", body = Problem),
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    Json(req): Json<NewUser>,
) -> AppResult<HttpResponse> {
    validate_new_user(&req).map_err(AppError::validation)?;
    let password = req.password.clone();
    let hash = state
        .cpu(move || hash_password(&password))
        .await?
        .map_err(AppError::internal)?;
    let user = state
        .db(move |conn| {
            unit_exists_or_422(conn, req.unit_id)?;
            let username = normalize_username(&req.username);
            let now = db::now();
            let row = NewUserRow {
                username: &username,
                password_hash: &hash,
                display_name: req.display_name.trim(),
                phone: req.phone.as_deref().map(str::trim),
                role: req.role.as_str(),
                unit_id: req.unit_id,
                active: true,
                created_at: now,
                updated_at: now,
            };
            let id = db::users::insert(conn, &row).map_err(|e| {
                if db::is_unique_violation(&e) {
                    AppError::conflict("username_taken", format!("用户名 {username} 已被占用"))
                } else {
                    e.into()
                }
            })?;
            Ok(db::users::find(conn, id)?)
        })
        .await?;
    Ok(HttpResponse::Created().json(user.to_detail()))
}

/// Change an account's name, password, role, unit, phone or whether it is active (admin).
#[utoipa::path(
    patch, path = "/api/v1/users/{id}", tag = "users", operation_id = "update_user",
    params(("id" = i64, Path, description = "User id")),
    request_body = UserPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed account", body = UserDetail),
        (status = 404, description = "No such account", body = Problem),
        (status = 409, description = "A partner's account, managed under /api/v1/partners", body = Problem),
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth<Admins>,
    id: web::Path<i64>,
    Json(req): Json<UserPatch>,
) -> AppResult<web::Json<UserDetail>> {
    let mut errors = Vec::new();
    if let Some(n) = &req.display_name {
        errors.extend(validate_display_name(n).err().unwrap_or_default());
    }
    if let Some(p) = &req.password {
        errors.extend(validate_password("password", p).err().unwrap_or_default());
    }
    if let Some(Some(p)) = &req.phone {
        errors.extend(validate_phone(Some(p)).err().unwrap_or_default());
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let id = id.into_inner();
    let caller = auth.user_id;
    let password_hash = match req.password.clone() {
        Some(p) => Some(
            state
                .cpu(move || hash_password(&p))
                .await?
                .map_err(AppError::internal)?,
        ),
        None => None,
    };
    let user = state
        .db(move |conn| {
            transaction(conn, |conn| {
                let current = db::users::find(conn, id)?;
                if current.role() == Role::Partner {
                    return Err(AppError::conflict(
                        "partner_account",
                        "合作方账号请通过 /api/v1/partners 管理",
                    ));
                }
                let role = req.role.unwrap_or(current.role());
                let unit_id = req.unit_id.unwrap_or(current.unit_id);
                let mut c = Checks::new();
                check_role_and_unit(&mut c, role, unit_id);
                if id == caller {
                    c.check("role", role == Role::Admin, "不能取消自己的管理员身份");
                    c.check("active", req.active != Some(false), "不能停用自己的账号");
                }
                c.finish().map_err(AppError::validation)?;
                unit_exists_or_422(conn, unit_id)?;
                let leaves_admins = current.role() == Role::Admin
                    && current.active
                    && (role != Role::Admin || req.active == Some(false));
                if leaves_admins
                    && db::users::lock_active_admins(conn)?
                        .iter()
                        .all(|&admin| admin == id)
                {
                    return Err(AppError::conflict(
                        "last_admin",
                        "这是最后一名在用的管理员，不能停用或改为其他身份：请先任命另一名管理员",
                    ));
                }
                let password_changed = password_hash.is_some();
                let changes = UserChanges {
                    display_name: req.display_name.as_deref().map(|n| n.trim().to_owned()),
                    password_hash,
                    role: req.role.map(|r| r.as_str().to_owned()),
                    unit_id: req.unit_id,
                    phone: req.phone.map(|p| p.map(|p| p.trim().to_owned())),
                    active: req.active,
                    updated_at: Some(db::now()),
                };
                db::users::update(conn, id, &changes)?;
                if password_changed {
                    // A new password signs the account out everywhere.
                    db::users::revoke_all_tokens(conn, id, db::now())?;
                }
                Ok(db::users::find(conn, id)?)
            })
        })
        .await?;
    Ok(web::Json(user.to_detail()))
}

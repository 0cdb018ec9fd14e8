//! Registration, login, partner token exchange, and `me`.

use std::time::Instant;

use actix_web::{web, HttpResponse};
use diesel::OptionalExtension;
use minhu_types::{
    ClientCredentials, LoginRequest, Problem, RegisterRequest, Role, TokenResponse, User,
};

use crate::auth::{
    digest_secret, digests_equal, hash_password, verify_password, waste_a_verification,
};
use crate::db::{self, users::NewUserRow};
use crate::domain::accounts::{normalize_username, validate_registration};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Anyone, Auth};
use crate::http::json::Json;
use crate::http::AppState;

/// Register a citizen account.
///
/// The account is always a citizen's; officials' accounts are created by an administrator.
#[utoipa::path(
    post, path = "/api/v1/auth/register", tag = "auth", operation_id = "register",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "The new citizen account", body = User),
        (status = 409, description = "The username is taken", body = Problem),
    )
)]
pub async fn register(
    state: web::Data<AppState>,
    Json(req): Json<RegisterRequest>,
) -> AppResult<HttpResponse> {
    validate_registration(&req).map_err(AppError::validation)?;
    let user = state
        .db(move |conn| {
            let hash = hash_password(&req.password).map_err(AppError::internal)?;
            let now = db::now();
            let username = normalize_username(&req.username);
            let phone = req.phone.as_deref().map(str::trim);
            let row = NewUserRow {
                username: &username,
                password_hash: &hash,
                display_name: req.display_name.trim(),
                phone,
                role: Role::Citizen.as_str(),
                unit_id: None,
                active: true,
                created_at: now,
                updated_at: now,
            };
            let id = db::users::insert(conn, &row).map_err(|e| {
                if db::is_unique_violation(&e) {
                    AppError::conflict(
                        "username_taken",
                        format!("用户名 {username} 已被注册，请换一个"),
                    )
                } else {
                    e.into()
                }
            })?;
            Ok(db::users::find(conn, id)?.to_user())
        })
        .await?;
    Ok(HttpResponse::Created().json(user))
}

/// Log in with username and password.
///
/// After 10 failed attempts for one username within a minute, further attempts get 429 with
/// `Retry-After`.
#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "auth", operation_id = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "An access token", body = TokenResponse),
        (status = 401, description = "Wrong username or password", body = Problem),
        (status = 429, description = "Too many failed attempts for this username", body = Problem),
    )
)]
pub async fn login(
    state: web::Data<AppState>,
    Json(req): Json<LoginRequest>,
) -> AppResult<web::Json<TokenResponse>> {
    let username = normalize_username(&req.username);
    if let Err(wait) = state.login_throttle.check(&username, Instant::now()) {
        return Err(AppError::too_many_requests(
            wait,
            format!("该账号登录失败次数过多，请 {wait} 秒后再试"),
        ));
    }
    let key = username.clone();
    let user = state
        .db(move |conn| {
            let user = db::users::find_by_username(conn, &username)?;
            match user {
                Some(u) if verify_password(&req.password, &u.password_hash) => Ok(Some(u)),
                Some(_) => Ok(None),
                None => {
                    waste_a_verification(&req.password);
                    Ok(None)
                }
            }
        })
        .await?;
    let Some(user) = user else {
        state.login_throttle.record_failure(&key, Instant::now());
        return Err(AppError::unauthorized(
            "invalid_credentials",
            "用户名或密码错误",
        ));
    };
    state.login_throttle.record_success(&key);
    if !user.active {
        return Err(AppError::unauthorized(
            "account_disabled",
            "该账号已停用，请联系管理员",
        ));
    }
    state.token_for(user.to_user()).map(web::Json)
}

/// Exchange a partner's client credentials for an access token (role `partner`).
#[utoipa::path(
    post, path = "/api/v1/auth/token", tag = "auth", operation_id = "issue_partner_token",
    request_body = ClientCredentials,
    responses(
        (status = 200, description = "An access token for the partner", body = TokenResponse),
        (status = 401, description = "Unknown client, wrong secret, or a revoked partner", body = Problem),
        (status = 429, description = "Too many failed attempts for this client", body = Problem),
    )
)]
pub async fn token(
    state: web::Data<AppState>,
    Json(req): Json<ClientCredentials>,
) -> AppResult<web::Json<TokenResponse>> {
    let key = format!("client:{}", req.client_id);
    if let Err(wait) = state.login_throttle.check(&key, Instant::now()) {
        return Err(AppError::too_many_requests(
            wait,
            format!("该客户端认证失败次数过多，请 {wait} 秒后再试"),
        ));
    }
    let user = state
        .db(move |conn| {
            let Some(partner) = db::partners::find_by_client_id(conn, &req.client_id)? else {
                return Ok(None);
            };
            if !partner.active
                || !digests_equal(
                    &digest_secret(&req.client_secret),
                    &partner.client_secret_hash,
                )
            {
                return Ok(None);
            }
            Ok(Some((
                db::partners::user_of(conn, &partner)?,
                partner.credentials_at,
            )))
        })
        .await?;
    let Some((user, credentials_at)) = user else {
        state.login_throttle.record_failure(&key, Instant::now());
        return Err(AppError::unauthorized(
            "invalid_client",
            "client_id 或 client_secret 错误，或该合作方已停用",
        ));
    };
    state.login_throttle.record_success(&key);
    state
        .partner_token(user.to_user(), credentials_at)
        .map(web::Json)
}

/// The caller's own account.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "auth", operation_id = "get_me",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's account", body = User))
)]
pub async fn me(state: web::Data<AppState>, auth: Auth<Anyone>) -> AppResult<web::Json<User>> {
    let id = auth.user_id;
    let user = state
        .db(move |conn| Ok(db::users::find(conn, id).optional()?))
        .await?;
    match user {
        Some(u) if u.active => Ok(web::Json(u.to_user())),
        _ => Err(AppError::unauthorized(
            "account_disabled",
            "该账号已不存在或已停用",
        )),
    }
}

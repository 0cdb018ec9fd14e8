//! Registration, login, partner token exchange, and `me`.

use actix_web::{web, HttpRequest, HttpResponse};
use diesel::OptionalExtension;
use minhu_types::{
    ClientCredentials, LoginRequest, LogoutRequest, Problem, RegisterRequest, Role, TokenResponse,
    User,
};

use crate::auth::{
    digest_secret, digests_equal, hash_password, verify_password, waste_a_verification,
};
use crate::db::{self, users::NewUserRow};
use crate::domain::accounts::{normalize_username, validate_registration};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{token_claims, Anyone, Auth};
use crate::http::json::{Json, OptionalJson};
use crate::http::limits::Throttle;
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
    let password = req.password.clone();
    let hash = state
        .cpu(move || hash_password(&password))
        .await?
        .map_err(AppError::internal)?;
    let user = state
        .db(move |conn| {
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
    http: HttpRequest,
    Json(req): Json<LoginRequest>,
) -> AppResult<web::Json<TokenResponse>> {
    let username = normalize_username(&req.username);
    // The connection's address (a forwarded header could be forged); none in in-process tests.
    let address = http.peer_addr().map(|a| a.ip().to_string());
    // Both counted as the attempt starts (atomically), so parallel guesses are held too; on
    // PostgreSQL by every replica together (`http::limits`).
    let mut address_counted = None;
    if let Some(address) = &address {
        match state.sign_in_attempt(Throttle::Address, address).await? {
            Ok(counted) => address_counted = Some((address.clone(), counted)),
            Err(wait) => {
                return Err(AppError::too_many_requests(
                    wait,
                    format!("此地址登录失败次数过多，请 {wait} 秒后再试"),
                ))
            }
        }
    }
    let forgive_address = || async {
        match &address_counted {
            Some((address, counted)) => {
                state
                    .sign_in_forgive(Throttle::Address, address, *counted)
                    .await
            }
            None => Ok(()),
        }
    };
    if let Err(wait) = state.sign_in_attempt(Throttle::Account, &username).await? {
        forgive_address().await?;
        return Err(AppError::too_many_requests(
            wait,
            format!("该账号登录失败次数过多，请 {wait} 秒后再试"),
        ));
    }
    let key = username.clone();
    // The row is read with a pooled connection; the hash is checked after it went back.
    let found = state
        .db(move |conn| Ok(db::users::find_by_username(conn, &username)?))
        .await?;
    let password = req.password;
    let user = state
        .cpu(move || match found {
            Some(u) if verify_password(&password, &u.password_hash) => Some(u),
            Some(_) => None,
            None => {
                waste_a_verification(&password);
                None
            }
        })
        .await?;
    let Some(user) = user else {
        return Err(AppError::unauthorized(
            "invalid_credentials",
            "用户名或密码错误",
        ));
    };
    state.sign_in_succeeded(Throttle::Account, &key).await?;
    forgive_address().await?;
    if !user.active {
        return Err(AppError::unauthorized(
            "account_disabled",
            "该账号已停用，请联系管理员",
        ));
    }
    state.token_for(&user).map(web::Json)
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
    if let Err(wait) = state.sign_in_attempt(Throttle::Account, &key).await? {
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
        return Err(AppError::unauthorized(
            "invalid_client",
            "client_id 或 client_secret 错误，或该合作方已停用",
        ));
    };
    state.sign_in_succeeded(Throttle::Account, &key).await?;
    state.partner_token(&user, credentials_at).map(web::Json)
}

/// Sign out: the token of this request stops working at once, on every replica; with
/// `{"all": true}` every token of the account does (signing out on every device). The body may
/// be empty.
#[utoipa::path(
    post, path = "/api/v1/auth/logout", tag = "auth", operation_id = "logout",
    security(("bearer" = [])),
    request_body(content = Option<LogoutRequest>, description = "Optional; `{\"all\": true}` signs out everywhere"),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "No token, or it no longer works", body = Problem),
    )
)]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth<Anyone>,
    OptionalJson(body): OptionalJson<LogoutRequest>,
) -> AppResult<HttpResponse> {
    let all = body.all;
    let claims = token_claims(&req)?;
    let user_id = auth.user_id;
    let now = db::now();
    state
        .db(move |conn| {
            if all {
                db::users::revoke_all_tokens(conn, user_id, now)?;
            } else if let Some(jti) = claims.jti.as_deref() {
                let expires =
                    chrono::DateTime::from_timestamp(claims.exp, 0).map_or(now, |t| t.naive_utc());
                db::users::revoke_token(conn, jti, user_id, expires)?;
            } else {
                // A token from before tokens had ids can only be signed out with all others.
                db::users::revoke_all_tokens(conn, user_id, now)?;
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
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

//! Who is calling. A handler that takes `Auth<Admins>` can only be reached with an
//! administrator's token: the signature says who may call it.

use std::future::ready;
use std::marker::PhantomData;
use std::time::Instant;

use futures_util::future::LocalBoxFuture;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use minhu_types::Role;

use super::error::AppError;
use super::AppState;
use crate::auth::TokenError;

/// The authenticated caller, from a verified access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub user_id: i64,
    pub role: Role,
    pub unit_id: Option<i64>,
}

/// A set of roles allowed to call an endpoint.
pub trait Allowed {
    const ROLES: &'static [Role];
}

/// A caller whose role is in `A`; any other role gets 403, no or a bad token 401.
pub struct Auth<A: Allowed = Anyone>(pub Caller, PhantomData<A>);

impl<A: Allowed> std::ops::Deref for Auth<A> {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

macro_rules! role_set {
    ($($(#[$m:meta])* $name:ident = [$($role:ident),*];)*) => {$(
        $(#[$m])*
        pub struct $name;
        impl Allowed for $name {
            const ROLES: &'static [Role] = &[$(Role::$role),*];
        }
    )*};
}

role_set! {
    /// Any authenticated caller.
    Anyone = [Citizen, Operator, Handler, Reporter, Leader, Admin, Partner];
    Admins = [Admin];
    Partners = [Partner];
    PartnersAndAdmins = [Partner, Admin];
    /// Everyone working for the city or the newspaper (not citizens, not partners).
    Staff = [Operator, Handler, Reporter, Leader, Admin];
}

/// The token's claims (the caller, and for a partner its credentials' issue), or why there are
/// none.
fn caller_from(req: &HttpRequest) -> Result<(Caller, Option<i64>), AppError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::internal("AppState missing from the app"))?;
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
        AppError::unauthorized(
            "missing_token",
            "需要登录：请在 Authorization 头中提供 Bearer 访问令牌",
        )
    })?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(|| {
            AppError::unauthorized(
                "invalid_token",
                "Authorization 头的格式应为 “Bearer <令牌>”",
            )
        })?;
    let claims = state.keys.verify(token).map_err(|e| match e {
        TokenError::Expired => AppError::unauthorized("token_expired", "登录已过期，请重新登录"),
        TokenError::Invalid => AppError::unauthorized("invalid_token", "访问令牌无效，请重新登录"),
    })?;
    let user_id = claims
        .user_id()
        .ok_or_else(|| AppError::unauthorized("invalid_token", "访问令牌无效，请重新登录"))?;
    let caller = Caller {
        user_id,
        role: claims.role,
        unit_id: claims.unit,
    };
    Ok((caller, claims.cred))
}

/// A partner's token is good only while the partner is active and if it was bought with its
/// current credentials (not retired by a rotation); and partners are held to their request rate.
async fn admit_partner(
    state: Option<web::Data<AppState>>,
    user_id: i64,
    cred: Option<i64>,
) -> Result<(), AppError> {
    let state = state.ok_or_else(|| AppError::internal("AppState missing from the app"))?;
    let access = state
        .db(move |conn| Ok(crate::db::partners::access_of_user(conn, user_id)?))
        .await?;
    let admitted = match access {
        Some((true, since)) if cred == Some(super::credentials_issue(since)) => Ok(()),
        Some((true, _)) => Err(AppError::unauthorized(
            "token_revoked",
            "合作方凭据已更换，此前签发的访问令牌已失效：请用新的 client_secret 重新获取令牌",
        )),
        _ => Err(AppError::unauthorized(
            "account_disabled",
            "该合作方已停用，请联系平台管理员",
        )),
    };
    admitted?;
    // Counted only once admitted: a leaked, retired token cannot use up the partner's allowance.
    if let Err(wait) = state.partner_limit.check(user_id, Instant::now()) {
        return Err(AppError::too_many_requests(
            wait,
            format!(
                "请求过于频繁：每个合作方每分钟最多 {} 次请求，请 {wait} 秒后再试",
                state.partner_limit.per_minute()
            ),
        ));
    }
    Ok(())
}

impl<A: Allowed + 'static> FromRequest for Auth<A> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let checked = caller_from(req).and_then(|(caller, cred)| {
            if A::ROLES.contains(&caller.role) {
                Ok((caller, cred))
            } else {
                let who = A::ROLES
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join("、");
                Err(AppError::forbidden(format!(
                    "此操作仅限{who}，当前身份为{}",
                    caller.role.label()
                )))
            }
        });
        match checked {
            Ok((caller, cred)) if caller.role == Role::Partner => {
                let state = req.app_data::<web::Data<AppState>>().cloned();
                Box::pin(async move {
                    admit_partner(state, caller.user_id, cred).await?;
                    Ok(Auth(caller, PhantomData))
                })
            }
            other => Box::pin(ready(other.map(|(caller, _)| Auth(caller, PhantomData)))),
        }
    }
}

/// The caller when the request carries a token (a bad token is still refused with 401), or
/// nobody: for what the public may see too.
pub struct MaybeAuth(pub Option<Caller>);

impl FromRequest for MaybeAuth {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if req.headers().contains_key(header::AUTHORIZATION) {
            let auth = Auth::<Anyone>::from_request(req, payload);
            Box::pin(async move { auth.await.map(|a| MaybeAuth(Some(a.0))) })
        } else {
            Box::pin(ready(Ok(MaybeAuth(None))))
        }
    }
}

/// `?page=&per_page=` of every list.
#[derive(Debug, Clone, Copy, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000, default = 1)]
    pub page: Option<i64>,
    /// Items per page, 1–100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<i64>,
}

impl PageQuery {
    pub fn paging(self) -> Result<crate::db::Paging, AppError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(20);
        let mut c = crate::domain::validate::Checks::new();
        c.check(
            "page",
            page >= 1 && page <= 1_000_000,
            "页码须为 1 到 1000000 的整数",
        );
        c.check(
            "per_page",
            (1..=100).contains(&per_page),
            "每页条数须为 1 到 100",
        );
        c.finish().map_err(AppError::validation)?;
        Ok(crate::db::Paging { page, per_page })
    }
}

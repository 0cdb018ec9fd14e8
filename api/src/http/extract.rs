//! Who is calling. A handler that takes `Auth<Admins>` can only be reached with an
//! administrator's token: the signature says who may call it.

use std::future::ready;
use std::marker::PhantomData;

use futures_util::future::LocalBoxFuture;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use actix_web::{web, FromRequest, HttpRequest};
use minhu_types::Role;

use super::error::AppError;
use super::AppState;
use crate::auth::{Claims, TokenError};

pub use crate::auth::Caller;

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
    /// Citizens, and partners on behalf of residents.
    Submitters = [Citizen, Partner];
    /// Who brings a petition in: citizens, partners, and the hotline office registering a call.
    Registrants = [Citizen, Partner, Operator];
    /// The 12345 hotline office.
    Operators = [Operator];
    /// Staff of handling units.
    Handlers = [Handler];
    /// Who has an inbox: units (their subtree) and the hotline office (everything).
    InboxReaders = [Handler, Operator];
    /// Who may put an order under supervision (督办): the hotline office, leaders and the press.
    /// Checked before the body, as the lifecycle table's relations for `supervise`.
    Supervising = [Operator, Leader, Reporter];
    /// The hotline office and leadership (the supervision board).
    Supervisors = [Operator, Leader];
    /// Newspaper reporters and editors.
    Reporters = [Reporter];
    /// The hotline office and administrators (dispatch rules, triage).
    Triage = [Operator, Admin];
    /// Who decides what the public sees (内容审核): the newspaper's editors and administrators.
    Moderators = [Reporter, Admin];
}

/// Who keeps the knowledge base.
pub struct Editors;
impl Allowed for Editors {
    const ROLES: &'static [Role] = &minhu_types::ARTICLE_EDITORS;
}

/// The verified claims of the request's bearer token, or why there are none.
fn claims_from(req: &HttpRequest) -> Result<Claims, AppError> {
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
    state.keys.verify(token).map_err(|e| match e {
        TokenError::Expired => AppError::unauthorized("token_expired", "登录已过期，请重新登录"),
        TokenError::Invalid => AppError::unauthorized("invalid_token", "访问令牌无效，请重新登录"),
    })
}

/// The claims of the request's token, as [`authenticate`] verified them (for signing it out).
pub fn token_claims(req: &HttpRequest) -> Result<Claims, AppError> {
    match req.extensions().get::<Claims>() {
        Some(claims) => Ok(claims.clone()),
        None => claims_from(req),
    }
}

/// The caller as their account is now: role, unit and `active` come from the account's row on
/// every request, not from the token, so a deactivated, demoted or moved account acts as such on
/// its next request on every replica; a token issued before the account signed out everywhere
/// (its epoch), or signed out alone (its id), is refused. A partner's token is good only while
/// the partner is active and if it was bought with its current credentials; partners are held
/// to their request rate. On one replica this holds from the next request; an admission is
/// kept for a moment (`MINHU_ADMISSION_CACHE_MS`) until anything changes on this replica, so on
/// another replica from the next request after that moment at most.
async fn admit(state: web::Data<AppState>, claims: Claims) -> Result<Caller, AppError> {
    let user_id = claims
        .user_id()
        .ok_or_else(|| AppError::unauthorized("invalid_token", "访问令牌无效，请重新登录"))?;
    let key = super::admission::Key::of(&claims);
    let caller = match key {
        Some(key) => {
            state
                .admissions
                .kept_or_made(key, &state.clock, || {
                    read_admission(&state, user_id, claims)
                })
                .await?
        }
        None => read_admission(&state, user_id, claims).await?,
    };
    if caller.role == Role::Partner {
        // Counted only once admitted: a leaked, retired token cannot use up the allowance.
        if let Err(wait) = state.partner_request(user_id).await? {
            return Err(AppError::too_many_requests(
                wait,
                format!(
                    "请求过于频繁：每个合作方每分钟最多 {} 次请求，请 {wait} 秒后再试",
                    state.partner_limit.per_minute()
                ),
            ));
        }
    }
    Ok(caller)
}

/// The account and the token as the database has them now (one round trip), checked.
async fn read_admission(
    state: &AppState,
    user_id: i64,
    claims: Claims,
) -> Result<Caller, AppError> {
    let jti = claims.jti.clone();
    let (session, partner) = state
        .db(move |conn| {
            let session = crate::db::users::session(conn, user_id, jti.as_deref())?;
            let partner = match &session {
                Some((row, _)) if row.role == Role::Partner => {
                    crate::db::partners::access_of_user(conn, user_id)?
                }
                _ => None,
            };
            Ok((session, partner))
        })
        .await?;
    let disabled =
        || AppError::unauthorized("account_disabled", "该账号已不存在或已停用，请联系管理员");
    let Some((row, revoked)) = session else {
        return Err(disabled());
    };
    if !row.active {
        return Err(disabled());
    }
    if revoked || row.token_epoch != claims.ep {
        return Err(AppError::unauthorized(
            "token_revoked",
            "此访问令牌已退出登录，请重新登录",
        ));
    }
    let role = row.role;
    if role == Role::Partner {
        match partner {
            Some((true, since)) if claims.cred == Some(super::credentials_issue(since)) => {}
            Some((true, _)) => return Err(AppError::unauthorized(
                "token_revoked",
                "合作方凭据已更换，此前签发的访问令牌已失效：请用新的 client_secret 重新获取令牌",
            )),
            _ => {
                return Err(AppError::unauthorized(
                    "account_disabled",
                    "该合作方已停用，请联系平台管理员",
                ))
            }
        }
    }
    Ok(Caller {
        user_id,
        role,
        unit_id: row.unit_id,
        unit_path: row.unit_path,
    })
}

/// The outcome of checking the request's token against the account: made once per request by
/// [`authenticate`], before any extractor runs, so that a missing right (401, 403) is reported
/// before anything wrong with the body.
#[derive(Clone)]
struct Admission(Result<Caller, AppError>);

/// Middleware: for a request with an `Authorization` header, checks the token and loads the
/// account as it is now (one database round trip, or none while its admission is kept:
/// [`super::admission`]), for [`Auth`] to read.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.headers().contains_key(header::AUTHORIZATION) {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let admission = match (claims_from(req.request()), state) {
            (Ok(claims), Some(state)) => {
                let admitted = admit(state, claims.clone()).await;
                if admitted.is_ok() {
                    req.extensions_mut().insert(claims);
                }
                admitted
            }
            (Err(e), _) => Err(e),
            (Ok(_), None) => Err(AppError::internal("AppState missing from the app")),
        };
        req.extensions_mut().insert(Admission(admission));
    }
    next.call(req).await
}

impl<A: Allowed + 'static> FromRequest for Auth<A> {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let admitted = match req.extensions().get::<Admission>() {
            Some(Admission(result)) => result.clone(),
            // No header (or no `authenticate` middleware): what the token check would say.
            None => claims_from(req).and_then(|_| {
                Err(AppError::internal(
                    "the authenticate middleware is not installed",
                ))
            }),
        };
        ready(admitted.and_then(|caller| {
            if A::ROLES.contains(&caller.role) {
                Ok(Auth(caller, PhantomData))
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
        }))
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

    /// [`paging`](Self::paging) of a list over history, which offset paging reads only so deep
    /// ([`MAX_HISTORY_OFFSET`](crate::db::MAX_HISTORY_OFFSET) rows); past it, its `next` links.
    pub fn history_paging(self) -> Result<crate::db::Paging, AppError> {
        let paging = self.paging()?;
        if paging.offset() >= crate::db::MAX_HISTORY_OFFSET {
            return Err(AppError::invalid_field(
                "page",
                format!(
                    "翻页过深：按页码只能查看前 {} 条，请沿上一页返回的 next 链接（after 参数）继续往后查看",
                    crate::db::MAX_HISTORY_OFFSET
                ),
            ));
        }
        Ok(paging)
    }
}

/// `?after=` of the lists over history that run newest first.
#[derive(Debug, Clone, Copy, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CursorQuery {
    /// Keyset paging: only items older than the one with this id — what the previous page's
    /// `next` link carries. Costs the same at any depth; with it `page` stays 1 and `total`
    /// counts from here. A list by time (`to`) goes on from that petition's time: an id that
    /// names no petition is refused (422) there.
    #[param(minimum = 1)]
    pub after: Option<i64>,
}

impl CursorQuery {
    /// The cursor, checked against the page asked for and against the list's order.
    pub fn before_id(
        self,
        paging: crate::db::Paging,
        keyset: bool,
    ) -> Result<Option<i64>, AppError> {
        let Some(after) = self.after else {
            return Ok(None);
        };
        if after < 1 {
            return Err(AppError::invalid_field(
                "after",
                "after 须为正整数（上一页 next 链接中的值）",
            ));
        }
        if paging.page != 1 {
            return Err(AppError::invalid_field(
                "page",
                "使用 after 时不能再指定 page",
            ));
        }
        if !keyset {
            return Err(AppError::invalid_field(
                "after",
                "after 只用于按时间从新到旧排列的列表（此排序请用 page）",
            ));
        }
        Ok(Some(after))
    }
}

/// The page with its `next` link when the list goes on: this request's path and query with
/// `after=` this page's last id in place of `page` and `after` (for lists newest first).
pub fn with_next<T>(
    mut page: minhu_types::Page<T>,
    req: &HttpRequest,
    keyset: bool,
    last_id: impl Fn(&T) -> i64,
) -> minhu_types::Page<T> {
    let shown = (page.page - 1) * page.per_page + page.items.len() as i64;
    if !keyset || page.total <= shown {
        return page;
    }
    if let Some(last) = page.items.last().map(last_id) {
        let mut pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
        pairs.retain(|(k, _)| k != "page" && k != "after");
        pairs.push(("after".to_owned(), last.to_string()));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        page.next = Some(format!("{}?{query}", req.path()));
    }
    page
}

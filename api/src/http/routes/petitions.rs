//! Petitions: submission and reads, and the helpers the petition routes share. The actions on a
//! petition are in `petition_actions`, replies, ratings, visits and follow-ups in `replies`,
//! unit-side actions on assignments in `assignments`.

use crate::http::extract::{Operators, Registrants};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::OptionalExtension;
use minhu_types::{
    Event, Light, NewPetition, Page, Petition, PetitionKind, PetitionStatus, Problem, Role, Source,
    Urgency,
};

use crate::db::petitions::{PetitionFilter, Scope};
use crate::db::{self, DbConn};
use crate::domain::petitions::{validate_new, validate_text};
use crate::domain::privacy::list_unmasked;
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{with_next, Anyone, Auth, Caller, CursorQuery, PageQuery};
use crate::http::json::Json;
use crate::http::AppState;
use crate::views;
use crate::workflow::{access, access_among, not_found, Actor};

pub(super) const MAX_NOTE: usize = 1_000;

pub(super) fn check_text(field: &str, value: &str, max: usize) -> AppResult<()> {
    validate_text(field, value, max).map_err(AppError::validation)
}

/// Loads the actor, runs `f` with it: the shape of every handler here.
pub(super) async fn with_actor<T: Send + 'static>(
    state: &AppState,
    caller: crate::http::extract::Caller,
    f: impl FnOnce(&mut DbConn, &Actor) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    let now = state.clock.now();
    state
        .db(move |conn| {
            let actor = Actor::of(caller, now);
            f(conn, &actor)
        })
        .await
}

/// The petition as the actor sees it after an action.
pub(super) fn detail_of(conn: &mut DbConn, actor: &Actor, id: i64) -> AppResult<Petition> {
    let (row, orders, holds) = db::petitions::find_with_orders(conn, id)?;
    let acc = access_among(actor, &row, &orders)?;
    views::detail_with_orders(conn, actor, &row, &acc, orders, holds)
}

const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// Submit a petition, or register a call (接线登记, the hotline office).
///
/// Citizens submit their own; partners on a resident's behalf (contact fields theirs); the hotline
/// office registers a call: `contact_name` and `contact_phone` required, `source` `phone` unless
/// given, the petition belongs to no account, and `accept: true` accepts it in the same step.
/// With an `Idempotency-Key` header (1–100 visible ASCII characters), a retry with the same key
/// returns the first petition and creates nothing new.
#[utoipa::path(
    post, path = "/api/v1/petitions", tag = "petitions", operation_id = "create_petition",
    request_body = NewPetition,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 100, pattern = "^[!-~]{1,100}$", description = "Makes retries safe: the same key returns the first result (1–100 visible ASCII characters)")),
    security(("bearer" = [])),
    responses((status = 201, description = "The new petition (or, for a repeated Idempotency-Key, the first one)", body = Petition))
)]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth<Registrants>,
    req: HttpRequest,
    Json(body): Json<NewPetition>,
) -> AppResult<HttpResponse> {
    validate_new(&body).map_err(AppError::validation)?;
    let key = match req.headers().get(IDEMPOTENCY_HEADER) {
        None => None,
        Some(v) => {
            let k = v.to_str().ok().filter(|k| {
                (1..=100).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic())
            });
            Some(
                k.ok_or_else(|| {
                    AppError::bad_request(
                        "invalid_idempotency_key",
                        "Idempotency-Key 须为 1–100 个可见 ASCII 字符",
                    )
                })?
                .to_owned(),
            )
        }
    };
    if auth.role == Role::Operator {
        // A call registered by the hotline office: whom to call back is the whole point.
        let mut missing = Vec::new();
        if body
            .contact_name
            .as_deref()
            .is_none_or(|n| n.trim().is_empty())
        {
            missing.push(minhu_types::FieldError {
                field: "contact_name".into(),
                message: "接线登记须填写来电人姓名".into(),
            });
        }
        if body
            .contact_phone
            .as_deref()
            .is_none_or(|n| n.trim().is_empty())
        {
            missing.push(minhu_types::FieldError {
                field: "contact_phone".into(),
                message: "接线登记须填写来电号码".into(),
            });
        }
        if !missing.is_empty() {
            return Err(AppError::validation(missing));
        }
    } else if body.accept {
        return Err(AppError::invalid_field(
            "accept",
            "只有热线办登记来电时可以同时受理",
        ));
    }
    let source = match (auth.role, body.source) {
        (Role::Partner, _) => Source::Partner,
        (Role::Operator, None) => Source::Phone,
        (_, None) => Source::App,
        (_, Some(s @ (Source::App | Source::Web | Source::Phone | Source::Wechat))) => s,
        (_, Some(other)) => {
            return Err(AppError::invalid_field(
                "source",
                format!("此处登记的来源不能是 {}", other.as_str()),
            ))
        }
    };
    let (petition, fresh) = submit(&state, auth.0, body, key, source).await?;
    let mut res = HttpResponse::Created();
    if !fresh {
        res.insert_header(("idempotent-replayed", "true"));
    }
    Ok(res.json(petition))
}

/// Creates a petition for `caller` (a citizen, a partner, or a partner through Open311) from a
/// checked body (`workflow::submit`), and answers with it as the caller sees it. `false` with a
/// petition created earlier under the same key.
pub async fn submit(
    state: &AppState,
    caller: Caller,
    body: NewPetition,
    key: Option<String>,
    source: Source,
) -> AppResult<(Petition, bool)> {
    with_actor(state, caller, move |conn, actor| {
        let done = crate::workflow::submit::submit(conn, actor, &body, key.as_deref(), source)?;
        let view = match &done.stored {
            // Just stored and nothing attached yet: shown from the row, as a read would.
            Some(row) => {
                let acc = access(conn, actor, row)?;
                views::detail_of_new(conn, actor, row, &acc)?
            }
            None => detail_of(conn, actor, done.id)?,
        };
        Ok((view, done.fresh))
    })
    .await
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PetitionQuery {
    pub status: Option<PetitionStatus>,
    pub kind: Option<PetitionKind>,
    pub urgency: Option<Urgency>,
    pub category_id: Option<i64>,
    /// Dispatched to this unit or a unit below it.
    pub unit_id: Option<i64>,
    /// Words in the title or content.
    pub q: Option<String>,
    /// Submitted at or after (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Submitted before (RFC 3339). The list then runs newest first by the time of submission
    /// (then id), and `after` pages on from that item's time: it costs the same however long ago
    /// `to` is.
    pub to: Option<DateTime<Utc>>,
    /// Only open orders past their reply deadline (the same as `light=red`).
    pub overdue: Option<bool>,
    /// Only open orders with this light.
    pub light: Option<Light>,
}

impl PetitionQuery {
    fn filter(self, conn: &mut DbConn, now: chrono::NaiveDateTime) -> AppResult<PetitionFilter> {
        if let Some(q) = &self.q {
            if q.chars().count() > 100 || q.contains('\0') {
                return Err(AppError::invalid_field("q", "搜索词最多 100 个字符"));
            }
        }
        let unit_path = match self.unit_id {
            Some(id) => Some(
                db::units::find(conn, id)
                    .optional()?
                    .ok_or_else(|| AppError::invalid_field("unit_id", format!("单位 {id} 不存在")))?
                    .path,
            ),
            None => None,
        };
        Ok(PetitionFilter {
            status: self.status.map(|s| s.as_str().to_owned()),
            kind: self.kind.map(|k| k.as_str().to_owned()),
            urgency: self.urgency.map(|u| u.as_str().to_owned()),
            category_id: self.category_id,
            unit_path,
            q: self
                .q
                .map(|q| q.trim().to_owned())
                .filter(|q| !q.is_empty()),
            from: self.from.map(|t| t.naive_utc()),
            to: self.to.map(|t| t.naive_utc()),
            light: match (self.overdue, self.light) {
                (Some(true), Some(l)) if l != Light::Red => {
                    return Err(AppError::invalid_field(
                        "light",
                        "overdue=true 只能与 light=red 同用",
                    ))
                }
                (Some(true), _) => Some((Light::Red, now)),
                (_, Some(l)) => Some((l, now)),
                _ => None,
            },
            supervised_open: false,
            statuses: None,
            q_unmasked: false,
            by_supporters: false,
            phones: None,
            before_id: None,
        })
    }
}

/// List the petitions the caller may see (a citizen or partner their own, a handler their
/// subtree's, officials all), newest first. Personal information is masked in lists except
/// for one's own petitions.
#[utoipa::path(
    get, path = "/api/v1/petitions", tag = "petitions", operation_id = "list_petitions",
    params(PetitionQuery, PageQuery, CursorQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of petitions (newest first, with a `next` link while the list goes on)", body = Page<Petition>),
        (status = 422, description = "A page deeper than 10,000 petitions (use `next`), or `after` with `page` or with the triage order", body = Problem),
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth<Anyone>,
    query: crate::http::query::Query<PetitionQuery>,
    page: crate::http::query::Query<PageQuery>,
    cursor: crate::http::query::Query<CursorQuery>,
) -> AppResult<web::Json<Page<Petition>>> {
    let paging = page.into_inner().history_paging()?;
    let q = query.into_inner();
    let caller = auth.0;
    let cursor = cursor.into_inner();
    let (items, total, keyset) = with_actor(&state, caller, move |conn, actor| {
        let mut filter = q.filter(conn, actor.now)?;
        filter.before_id = cursor.before_id(paging, filter.keyset())?;
        let scope = match actor.role() {
            Role::Citizen | Role::Partner => Scope::Submitter(actor.caller.user_id),
            Role::Handler => match actor.unit_path() {
                Some(p) => Scope::Subtree(p.to_owned()),
                None => return Ok((Vec::new(), 0, false)),
            },
            Role::Operator | Role::Leader | Role::Reporter | Role::Admin => Scope::All,
            Role::System => return Ok((Vec::new(), 0, false)),
        };
        let own = matches!(scope, Scope::Submitter(_));
        // Lists show petitions masked except one's own: `q` matches only what they show.
        filter.q_unmasked = own;
        let (rows, total) = db::petitions::list(conn, &scope, &filter, paging)?;
        // A list by time goes on from the time of the petition `after` names; without one it
        // has nowhere to go on from, and would answer an empty page as if it had ended. Asked
        // only of an empty page, which a `next` link (naming the last petition shown) seldom
        // leads to.
        if let Some(after) = filter
            .before_id
            .filter(|_| rows.is_empty() && filter.by_time())
        {
            if !db::petitions::exists(conn, after)? {
                return Err(AppError::invalid_field(
                    "after",
                    "after 所指的诉求不存在：请用上一页 next 链接中的值",
                ));
            }
        }
        Ok((
            rows.iter()
                .map(|r| views::summary(r, !list_unmasked(actor.role(), own, false), actor.now))
                .collect(),
            total,
            filter.keyset(),
        ))
    })
    .await?;
    let page = paging.page_of(items, total);
    Ok(web::Json(with_next(page, &req, keyset, |p: &Petition| {
        p.id
    })))
}

/// A caller's history (hotline office): every petition whose contact phone, or whose
/// submitting account's phone, is this number, newest first — a repeat caller, or the same
/// matter to merge. The number may be typed in any usual form (`+86 138 0013 8000`,
/// `0391-2345678`). Shown unmasked to the office, and each read is audited.
#[utoipa::path(
    get, path = "/api/v1/callers/{phone}/petitions", tag = "petitions", operation_id = "list_caller_petitions",
    params(("phone" = String, Path, description = "The caller's phone number, in any usual form"), PageQuery, CursorQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of the caller's petitions", body = Page<Petition>),
        (status = 422, description = "Not a phone number", body = Problem),
    )
)]
pub async fn callers(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth<Operators>,
    phone: web::Path<String>,
    page: crate::http::query::Query<PageQuery>,
    cursor: crate::http::query::Query<CursorQuery>,
) -> AppResult<web::Json<Page<Petition>>> {
    let paging = page.into_inner().history_paging()?;
    let forms = minhu_types::rules::phone_forms(&phone)
        .ok_or_else(|| AppError::invalid_field("phone", "请填写手机号码或带区号的固定电话"))?;
    let mut filter = PetitionFilter {
        phones: Some(forms),
        ..PetitionFilter::default()
    };
    let keyset = filter.keyset();
    filter.before_id = cursor.into_inner().before_id(paging, keyset)?;
    let (items, total) = with_actor(&state, auth.0, move |conn, actor| {
        let (rows, total) = db::petitions::list(conn, &Scope::All, &filter, paging)?;
        let unmasked = list_unmasked(actor.role(), false, true);
        if unmasked {
            views::audit_unmasked(conn, actor, rows.iter(), "callers")?;
        }
        let items = rows
            .iter()
            .map(|r| views::summary(r, !unmasked, actor.now))
            .collect();
        Ok((items, total))
    })
    .await?;
    let page = paging.page_of(items, total);
    Ok(web::Json(with_next(page, &req, keyset, |p: &Petition| {
        p.id
    })))
}

/// One petition with its assignments, replies, visits and the actions the caller may take.
///
/// Contact details appear only to the petitioner, the hotline office and (unless anonymous)
/// the handling units; each such read by an official is written to the audit log.
#[utoipa::path(
    get, path = "/api/v1/petitions/{id}", tag = "petitions", operation_id = "find_petition",
    params(("id" = i64, Path, description = "Petition id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The petition", body = Petition),
        (status = 404, description = "No such petition, or not visible to the caller", body = Problem),
    )
)]
pub async fn find(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<i64>,
) -> AppResult<web::Json<Petition>> {
    let id = id.into_inner();
    with_actor(&state, auth.0, move |conn, actor| {
        let (row, orders, holds) = db::petitions::find_with_orders(conn, id)
            .optional()?
            .ok_or_else(not_found)?;
        let acc = access_among(actor, &row, &orders)?;
        views::detail_with_orders(conn, actor, &row, &acc, orders, holds)
    })
    .await
    .map(web::Json)
}

/// The timeline: every step with actor role and unit, from, to, note and time.
#[utoipa::path(
    get, path = "/api/v1/petitions/{id}/events", tag = "petitions", operation_id = "list_petition_events",
    params(("id" = i64, Path, description = "Petition id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The timeline, oldest first", body = Vec<Event>),
        (status = 404, description = "No such petition, or not visible to the caller", body = Problem),
    )
)]
pub async fn events(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<i64>,
) -> AppResult<web::Json<Vec<Event>>> {
    let id = id.into_inner();
    with_actor(&state, auth.0, move |conn, actor| {
        let row = db::petitions::find(conn, id)
            .optional()?
            .ok_or_else(not_found)?;
        let acc = access(conn, actor, &row)?;
        let masked = !views::unmasked(actor, &row, &acc);
        if !masked && !acc.petitioner {
            views::audit_unmasked(conn, actor, [&row], "timeline")?;
        }
        views::timeline(conn, &row, masked)
    })
    .await
    .map(web::Json)
}

//! What anyone may read without an account: tracking by number and the public feed of
//! petitions whose petitioners consented to publication. Personal information is masked.

use actix_web::web;
use diesel::OptionalExtension;
use minhu_types::{Page, PetitionKind, Problem, PublicPetition};

use crate::db::petitions::{PetitionFilter, Scope};
use crate::db::{self};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{with_next, CursorQuery, PageQuery};
use crate::http::AppState;
use crate::views;

/// The progress of one petition, by its tracking number. What was written shows only while the
/// petition is published (the petitioner's consent, past triage, not refused or withdrawn);
/// otherwise only the progress. At most 60 lookups a minute from one client address.
#[utoipa::path(
    get, path = "/api/v1/track/{tracking_no}", tag = "public", operation_id = "track_petition",
    params(("tracking_no" = String, Path, description = "Tracking number, e.g. 20261123-000042")),
    responses(
        (status = 200, description = "The petition's public page (with `ETag` and a short public `Cache-Control`)", body = PublicPetition),
        (status = 304, description = "Not modified since the `ETag` sent in `If-None-Match`"),
        (status = 404, description = "No petition with this number", body = Problem),
        (status = 429, description = "Too many lookups from this address", body = Problem),
    )
)]
pub async fn track(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    no: web::Path<String>,
) -> AppResult<actix_web::HttpResponse> {
    if let Some(addr) = req.peer_addr() {
        if let Err(wait) = state
            .track_limit
            .check(addr.ip(), std::time::Instant::now())
        {
            return Err(AppError::too_many_requests(
                wait,
                format!("查询过于频繁，请 {wait} 秒后再试"),
            ));
        }
    }
    let no = no.into_inner();
    if no.len() != 15
        || !no.bytes().enumerate().all(|(i, b)| {
            if i == 8 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
    {
        return Err(AppError::not_found("查询编号的格式为 YYYYMMDD-NNNNNN"));
    }
    let page = state
        .recent_tracking
        .kept_or_made(no.clone(), &state.clock, || async {
            let page = state
                .read_db(move |conn| {
                    let row = db::petitions::find_by_tracking_no(conn, &no)
                        .optional()?
                        .ok_or_else(|| AppError::not_found(format!("没有编号为 {no} 的诉求")))?;
                    views::public(conn, &row)
                })
                .await?;
            crate::http::cache::Built::of(&page)
        })
        .await?;
    Ok(page.respond(&req))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Words in the title or content.
    pub q: Option<String>,
    pub category_id: Option<i64>,
    pub kind: Option<PetitionKind>,
    /// `newest` (default) or `supporters` (我也遇到 most first).
    pub sort: Option<minhu_types::FeedSort>,
}

/// The public feed: published petitions past triage, newest first, with their public replies
/// and reporters' follow-ups.
#[utoipa::path(
    get, path = "/api/v1/public/petitions", tag = "public", operation_id = "list_public_petitions",
    params(FeedQuery, PageQuery, CursorQuery),
    responses(
        (status = 200, description = "One page of the feed (with `ETag` and a short public `Cache-Control`; newest first with a `next` link while the feed goes on)", body = Page<PublicPetition>),
        (status = 422, description = "A page deeper than 10,000 petitions (use `next`), or `after` with `page` or with `sort=supporters`", body = Problem),
        (status = 304, description = "Not modified since the `ETag` sent in `If-None-Match`"),
    )
)]
pub async fn feed(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    query: crate::http::query::Query<FeedQuery>,
    page: crate::http::query::Query<PageQuery>,
    cursor: crate::http::query::Query<CursorQuery>,
) -> AppResult<actix_web::HttpResponse> {
    let paging = page.into_inner().history_paging()?;
    let q = query.into_inner();
    let mut filter = PetitionFilter {
        q: q.q
            .as_deref()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty()),
        category_id: q.category_id,
        kind: q.kind.map(|k| k.as_str().to_owned()),
        by_supporters: q.sort == Some(minhu_types::FeedSort::Supporters),
        ..PetitionFilter::default()
    };
    let keyset = filter.keyset();
    filter.before_id = cursor.into_inner().before_id(paging, keyset)?;
    if q.q
        .as_ref()
        .is_some_and(|t| t.chars().count() > 100 || t.contains('\0'))
    {
        return Err(AppError::invalid_field("q", "搜索词最多 100 个字符"));
    }
    let key = format!("feed {}", req.query_string());
    let page = state
        .recent_public
        .kept_or_made(key, &state.clock, || async {
            let (items, total) = state
                .read_db(move |conn| {
                    let (rows, total) = db::petitions::list(conn, &Scope::Public, &filter, paging)?;
                    Ok((views::public_many(conn, &rows)?, total))
                })
                .await?;
            let page = with_next(paging.page_of(items, total), &req, keyset, |p| p.id);
            crate::http::cache::Built::of(&page)
        })
        .await?;
    Ok(page.respond(&req))
}

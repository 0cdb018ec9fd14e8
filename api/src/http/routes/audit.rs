//! The audit log of unmasked reads (查阅记录): who saw which petitioner's personal data, when,
//! and through which view. Administrators read it and export it.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use minhu_types::{ContactRead, Page};

use crate::db::{self, petitions::ContactReadFilter};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Admins, Auth, PageQuery};
use crate::http::AppState;

/// The most rows one CSV export holds; narrow the filter for more.
const EXPORT_ROWS: i64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AuditFormat {
    Json,
    Csv,
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactReadQuery {
    /// Reads by this account.
    pub user_id: Option<i64>,
    /// Reads of this petition.
    pub petition_id: Option<i64>,
    /// From this time (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Until this time (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// `json` (default, paged) or `csv` (every matching row, newest first, at most 100,000).
    pub format: Option<AuditFormat>,
}

/// The log of unmasked reads of petitioners' personal data, newest first (administrators).
/// `total` counts the rows of this page and those before it, plus one when there are more: the
/// log grows with every read and is not counted in full.
#[utoipa::path(
    get, path = "/api/v1/audit/contact-reads", tag = "audit", operation_id = "list_contact_reads",
    params(ContactReadQuery, PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of the log, or all of it as CSV", content(
            (Page<ContactRead> = "application/json"),
            (String = "text/csv"),
        )),
        (status = 403, description = "Not an administrator", body = minhu_types::Problem),
    )
)]
pub async fn contact_reads(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    query: crate::http::query::Query<ContactReadQuery>,
    page: crate::http::query::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let paging = page.into_inner().history_paging()?;
    let q = query.into_inner();
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if to < from {
            return Err(AppError::invalid_field("to", "结束时间不能早于开始时间"));
        }
    }
    let filter = ContactReadFilter {
        user_id: q.user_id,
        petition_id: q.petition_id,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
    };
    let csv = q.format == Some(AuditFormat::Csv);
    let (offset, limit) = if csv {
        (0, EXPORT_ROWS)
    } else {
        (paging.offset(), paging.per_page + 1)
    };
    let rows = state
        .db(move |conn| Ok(db::petitions::contact_reads(conn, &filter, offset, limit)?))
        .await?;
    let items: Vec<ContactRead> = rows
        .into_iter()
        .map(|r| ContactRead {
            id: r.id,
            petition_id: r.petition_id,
            tracking_no: r.tracking_no,
            user_id: r.user_id,
            username: r.username,
            role: r.role,
            via: r.via,
            created_at: db::utc(r.created_at),
        })
        .collect();
    if csv {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "content-disposition",
                "attachment; filename=\"minhu-contact-reads.csv\"",
            ))
            .body(csv_of(&items)));
    }
    let more = items.len() as i64 > paging.per_page;
    let mut items = items;
    items.truncate(paging.per_page as usize);
    let total = paging.offset() + items.len() as i64 + i64::from(more);
    Ok(HttpResponse::Ok().json(paging.page_of(items, total)))
}

fn csv_of(items: &[ContactRead]) -> String {
    use crate::briefing::field;
    use std::fmt::Write;
    let mut s =
        String::from("\u{feff}id,created_at,user_id,username,role,via,petition_id,tracking_no\n");
    for r in items {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{}",
            r.id,
            r.created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            r.user_id,
            field(&r.username),
            r.role.as_str(),
            field(&r.via),
            r.petition_id,
            field(&r.tracking_no),
        );
    }
    s
}

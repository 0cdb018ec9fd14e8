//! Open311 GeoReport v2 (<http://wiki.open311.org/GeoReport_v2>) under `/open311/v2`, so
//! existing civic-tech clients work unchanged: services are the categories, requests are
//! petitions (`service_request_id` is the tracking number), every endpoint answers `.json` or
//! `.xml`, and errors are the spec's list of `{code, description}`. What is shown is what the
//! public site shows: published petitions, personal information masked. Submitting needs a
//! partner's `api_key`; what is submitted is a petition from source `open311`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::OptionalExtension;
use minhu_types::{
    NewPetition, PetitionKind, PetitionStatus, PublicPetition, Role, Source, Urgency,
};
use serde_json::{json, Value};

use crate::auth::digest_secret;
use crate::db::{self, categories::CategoryRow, DbConn, Paging};
use crate::domain::petitions::validate_new;
use crate::domain::privacy::in_public_feed;
use crate::http::error::AppError;
use crate::http::extract::Caller;
use crate::http::AppState;
use crate::views;

/// Requests one `GET requests` answers at most (newest first).
const MAX_REQUESTS: i64 = 200;

/// `.json` or `.xml`, from the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Xml,
}

/// One entry of the spec's error list.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Open311Error {
    pub code: u16,
    pub description: String,
}

/// `open` or `closed`.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Open311Status {
    Open,
    Closed,
}

/// An Open311 answer: the value, or the spec's error list, in the requested format.
struct Answer {
    format: Format,
    status: StatusCode,
    /// Seconds, for 429.
    retry_after: Option<u64>,
    /// The XML root element (and, for lists, the items' element name comes from it).
    root: &'static str,
    body: Value,
}

impl Answer {
    fn ok(format: Format, root: &'static str, body: Value) -> Answer {
        Answer {
            format,
            status: StatusCode::OK,
            retry_after: None,
            root,
            body,
        }
    }

    fn error(format: Format, status: StatusCode, description: impl Into<String>) -> Answer {
        Answer {
            format,
            status,
            retry_after: None,
            root: "errors",
            body: json!([{"code": status.as_u16(), "description": description.into()}]),
        }
    }

    /// A successful answer as a public page (with its `ETag`, to be kept for the moment; not
    /// for shared caches: its photo addresses follow the request's host).
    fn built(self) -> crate::http::cache::Built {
        let built = match self.format {
            Format::Json => crate::http::cache::Built::with(
                self.body.to_string().into_bytes(),
                "application/json; charset=utf-8",
            ),
            Format::Xml => crate::http::cache::Built::with(
                xml::document(self.root, &self.body).into_bytes(),
                "text/xml; charset=utf-8",
            ),
        };
        built.unshared()
    }

    fn respond(self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        if let Some(wait) = self.retry_after {
            res.insert_header((actix_web::http::header::RETRY_AFTER, wait.to_string()));
        }
        match self.format {
            Format::Json => res
                .content_type("application/json; charset=utf-8")
                .body(self.body.to_string()),
            Format::Xml => res
                .content_type("text/xml; charset=utf-8")
                .body(xml::document(self.root, &self.body)),
        }
    }
}

type Open311 = Result<Answer, Answer>;

fn respond(result: Open311) -> HttpResponse {
    match result {
        Ok(a) | Err(a) => a.respond(),
    }
}

/// The format from the path, or a 404 in JSON.
fn format_of(raw: &str) -> Result<Format, Answer> {
    match raw {
        "json" => Ok(Format::Json),
        "xml" => Ok(Format::Xml),
        other => Err(Answer::error(
            Format::Json,
            StatusCode::NOT_FOUND,
            format!("unknown format .{other}: use .json or .xml"),
        )),
    }
}

/// Runs a read that may lag (on the read standby when there is one); a storage failure is
/// the spec's 500.
async fn read<T: Send + 'static>(
    state: &AppState,
    format: Format,
    f: impl Fn(&mut DbConn) -> Result<T, AppError> + Send + Sync + 'static,
) -> Result<T, Answer> {
    state.read_db(f).await.map_err(|e| {
        tracing::error!(error = ?e, "open311");
        Answer::error(
            format,
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error, please retry",
        )
    })
}

/// Runs storage work; a storage failure is the spec's 500.
async fn db<T: Send + 'static>(
    state: &AppState,
    format: Format,
    f: impl FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
) -> Result<T, Answer> {
    state.db(f).await.map_err(|e| {
        tracing::error!(error = ?e, "open311");
        Answer::error(
            format,
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error, please retry",
        )
    })
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Open311 knows two statuses.
pub fn open311_status(status: PetitionStatus) -> &'static str {
    use PetitionStatus::*;
    match status {
        Closed | Rejected | Merged | Withdrawn => "closed",
        Submitted | NeedsInfo | Accepted | Dispatched | Handling | Replied => "open",
    }
}

fn statuses_of(open311: &str) -> Option<Vec<&'static str>> {
    matches!(open311, "open" | "closed").then(|| {
        PetitionStatus::ALL
            .iter()
            .copied()
            .filter(|s| open311_status(*s) == open311)
            .map(PetitionStatus::as_str)
            .collect()
    })
}

fn all_categories(conn: &mut DbConn) -> Result<Vec<CategoryRow>, AppError> {
    Ok(db::categories::list(
        conn,
        None,
        Paging {
            page: 1,
            per_page: 10_000,
        },
    )?
    .0)
}

fn service(c: &CategoryRow) -> Value {
    json!({
        "service_code": c.id.to_string(),
        "service_name": c.name,
        "description": c.name,
        "metadata": true,
        "type": "realtime",
        "keywords": c.code.clone().unwrap_or_default(),
        "group": Value::Null,
    })
}

/// Petitions as Open311 requests, from their public (masked) views, loaded together.
/// `origin` (scheme and host the client called) makes `media_url` absolute: the first photo,
/// present only while the petition is public.
fn requests_of(
    conn: &mut DbConn,
    rows: &[db::petitions::PetitionRow],
    origin: &str,
) -> Result<Vec<Value>, AppError> {
    let categories = all_categories(conn)?;
    let publics = views::public_many(conn, rows)?;
    Ok(rows
        .iter()
        .zip(publics)
        .map(|(row, public)| request_of(row, public, &categories, origin))
        .collect())
}

fn request_of(
    row: &db::petitions::PetitionRow,
    public: PublicPetition,
    categories: &[CategoryRow],
    origin: &str,
) -> Value {
    let last_reply = public.replies.last();
    let updated = public
        .timeline
        .last()
        .map(|e| e.created_at)
        .unwrap_or(public.created_at);
    let category = categories.iter().find(|c| c.id == public.category_id);
    let media_url = public
        .photos
        .first()
        .map(|p| format!("{origin}/api/v1/photos/{}", p.id));
    json!({
        "service_request_id": public.tracking_no,
        // The row's own status, as `status=` filters it (a merged request is closed).
        "status": open311_status(row.status),
        "status_notes": last_reply.map(|r| r.body.clone()),
        "service_name": category.map(|c| c.name.clone()),
        "service_code": public.category_id.to_string(),
        "description": public.content,
        "agency_responsible": last_reply.and_then(|r| r.unit.as_ref().map(|u| u.name.clone())),
        "service_notice": Value::Null,
        "requested_datetime": iso(public.created_at),
        "updated_datetime": iso(updated),
        "expected_datetime": Value::Null,
        "address": public.address,
        "address_id": Value::Null,
        "zipcode": Value::Null,
        "lat": Value::Null,
        "long": Value::Null,
        "media_url": media_url,
    })
}

/// Where the client reached us (behind a proxy, from `Forwarded`/`X-Forwarded-*`).
fn origin_of(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// Service discovery.
#[utoipa::path(
    get, path = "/open311/v2/discovery.{format}", tag = "open311", operation_id = "open311_discovery",
    params(("format" = Format, Path, description = "json or xml")),
    responses((status = 200, description = "Where the endpoint is and what it speaks", content((serde_json::Value = "application/json"), (String = "text/xml"))))
)]
pub async fn discovery(req: HttpRequest, format: web::Path<String>) -> HttpResponse {
    let result = format_of(&format).map(|format| {
        let conn = req.connection_info();
        let base = format!("{}://{}/open311/v2", conn.scheme(), conn.host());
        Answer::ok(
            format,
            "discovery",
            json!({
                "changeset": "2026-11-23T00:00:00Z",
                "contact": "12345 政务服务便民热线",
                "key_service": "API keys are issued to partners by the platform's administrators",
                "endpoints": [{
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": "2026-11-23T00:00:00Z",
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }],
            }),
        )
    });
    respond(result)
}

/// The services: one per category.
#[utoipa::path(
    get, path = "/open311/v2/services.{format}", tag = "open311", operation_id = "open311_services",
    params(("format" = Format, Path, description = "json or xml")),
    responses((status = 200, description = "Every category as a service", content((serde_json::Value = "application/json"), (String = "text/xml"))))
)]
pub async fn services(state: web::Data<AppState>, format: web::Path<String>) -> HttpResponse {
    let result = async {
        let format = format_of(&format)?;
        let categories = read(&state, format, all_categories).await?;
        Ok(Answer::ok(
            format,
            "services",
            Value::Array(categories.iter().map(service).collect()),
        ))
    };
    respond(result.await)
}

/// A service's attributes: the petition's kind and urgency, and whether it may be published.
#[utoipa::path(
    get, path = "/open311/v2/services/{service_code}.{format}", tag = "open311", operation_id = "open311_service_definition",
    params(
        ("service_code" = String, Path, description = "A category id"),
        ("format" = Format, Path, description = "json or xml"),
    ),
    responses(
        (status = 200, description = "The service definition", content((serde_json::Value = "application/json"), (String = "text/xml"))),
        (status = 404, description = "No such service", content((serde_json::Value = "application/json"), (String = "text/xml"))),
    )
)]
pub async fn service_definition(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (code, format) = path.into_inner();
    let result = async {
        let format = format_of(&format)?;
        let categories = read(&state, format, all_categories).await?;
        if !categories.iter().any(|c| c.id.to_string() == code) {
            return Err(Answer::error(
                format,
                StatusCode::NOT_FOUND,
                format!("no service with service_code {code}"),
            ));
        }
        let list = |values: Vec<(&str, &str)>| -> Value {
            Value::Array(
                values
                    .into_iter()
                    .map(|(k, n)| json!({"key": k, "name": n}))
                    .collect(),
            )
        };
        let kinds: Vec<(&str, &str)> = PetitionKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect();
        let urgencies: Vec<(&str, &str)> = Urgency::ALL
            .iter()
            .map(|u| (u.as_str(), u.label()))
            .collect();
        Ok(Answer::ok(
            format,
            "service_definition",
            json!({
                "service_code": code,
                "attributes": [
                    {"variable": true, "code": "kind", "datatype": "singlevaluelist", "required": false,
                     "datatype_description": "诉求类型，默认 help（求助）", "order": 1,
                     "description": "诉求类型", "values": list(kinds)},
                    {"variable": true, "code": "urgency", "datatype": "singlevaluelist", "required": false,
                     "datatype_description": "紧急程度，默认 normal（一般）", "order": 2,
                     "description": "紧急程度", "values": list(urgencies)},
                    {"variable": true, "code": "title", "datatype": "string", "required": false,
                     "datatype_description": "标题，默认取描述的前 30 个字", "order": 3,
                     "description": "标题", "values": []},
                    {"variable": true, "code": "publish_consent", "datatype": "singlevaluelist", "required": false,
                     "datatype_description": "是否同意公开（个人信息仍会隐去），默认 false", "order": 4,
                     "description": "同意公开", "values": list(vec![("true", "同意"), ("false", "不同意")])},
                ],
            }),
        ))
    };
    respond(result.await)
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestsQuery {
    /// Comma-separated tracking numbers.
    pub service_request_id: Option<String>,
    /// Comma-separated category ids.
    #[param(pattern = "^[0-9]{1,18}(,[0-9]{1,18})*$")]
    pub service_code: Option<String>,
    /// Requested at or after (ISO 8601). Default: 90 days before `end_date`.
    #[param(value_type = Option<String>, format = DateTime)]
    pub start_date: Option<String>,
    /// Requested before (ISO 8601). Default: now.
    #[param(value_type = Option<String>, format = DateTime)]
    pub end_date: Option<String>,
    #[param(value_type = Option<Open311Status>)]
    pub status: Option<String>,
}

fn parse_time(field: &str, raw: &str, format: Format) -> Result<NaiveDateTime, Answer> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.naive_utc())
        .map_err(|_| {
            Answer::error(
                format,
                StatusCode::BAD_REQUEST,
                format!("{field} must be an ISO 8601 date and time, e.g. 2026-11-23T08:00:00Z"),
            )
        })
}

/// Published requests, newest first (at most 200), by the spec's filters.
#[utoipa::path(
    get, path = "/open311/v2/requests.{format}", tag = "open311", operation_id = "open311_list_requests",
    params(("format" = Format, Path, description = "json or xml"), RequestsQuery),
    responses(
        (status = 200, description = "Service requests", content((serde_json::Value = "application/json"), (String = "text/xml"))),
        (status = 400, description = "A filter is malformed", content((serde_json::Value = "application/json"), (String = "text/xml"))),
    )
)]
pub async fn list_requests(
    req: HttpRequest,
    state: web::Data<AppState>,
    format: web::Path<String>,
    query: crate::http::query::Query<Vec<(String, String)>>,
) -> HttpResponse {
    let result = async {
        let format = format_of(&format)?;
        // Present but empty is malformed, like any other value that does not parse.
        let param = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_owned())
        };
        let bad = |m: String| Answer::error(format, StatusCode::BAD_REQUEST, m);
        if query
            .iter()
            .any(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return Err(bad("parameters must not contain NUL characters".into()));
        }
        let now = state.clock.now();
        let end = match param("end_date") {
            Some(raw) => parse_time("end_date", &raw, format)?,
            None => now,
        };
        let start = match param("start_date") {
            Some(raw) => parse_time("start_date", &raw, format)?,
            None => end - chrono::Duration::days(90),
        };
        let statuses = match param("status") {
            None => None,
            // One status or several, comma-separated, as the spec allows.
            Some(s) => {
                let mut all: Vec<&'static str> = Vec::new();
                for one in s.split(',') {
                    all.extend(statuses_of(one.trim()).ok_or_else(|| {
                        bad("status must be open or closed (or both, comma-separated)".into())
                    })?);
                }
                Some(all)
            }
        };
        let codes: Option<Vec<i64>> = match param("service_code") {
            None => None,
            Some(s) => Some(
                s.split(',')
                    .map(|c| c.trim().parse::<i64>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| {
                        bad("service_code must be service codes separated by commas".into())
                    })?,
            ),
        };
        if codes.as_ref().is_some_and(|c| c.len() > 20) {
            return Err(bad("at most 20 service codes at once".into()));
        }
        let ids: Option<Vec<String>> = param("service_request_id").map(|s| {
            s.split(',')
                .map(|i| i.trim().to_owned())
                .take(MAX_REQUESTS as usize)
                .collect()
        });
        let origin = origin_of(&req);
        // Kept for the moment like the feed, by everything the answer depends on.
        let key = format!("open311 {format:?} {origin} {}", req.query_string());
        let reader = state.clone();
        let build = || async move {
            let items = read(&reader, format, move |conn| {
                let rows = match &ids {
                    // Asked for by number: each one's public page, as tracking shows it.
                    // By number, but still only what the public list shows.
                    Some(ids) => ids
                        .iter()
                        .filter_map(|no| {
                            db::petitions::find_by_tracking_no(conn, no)
                                .optional()
                                .transpose()
                        })
                        .filter(|r| {
                            r.as_ref().map_or(true, |r| {
                                in_public_feed(r.status, r.publish_consent, r.public_hidden)
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                    None => {
                        let mut rows = Vec::new();
                        let codes = codes
                            .as_ref()
                            .map_or(vec![None], |c| c.iter().copied().map(Some).collect());
                        for code in codes {
                            let filter = db::petitions::PetitionFilter {
                                category_id: code,
                                from: Some(start),
                                to: Some(end),
                                statuses: statuses.clone(),
                                ..Default::default()
                            };
                            let paging = Paging {
                                page: 1,
                                per_page: MAX_REQUESTS,
                            };
                            rows.extend(db::petitions::list_rows(
                                conn,
                                &db::petitions::Scope::Public,
                                &filter,
                                paging,
                            )?);
                        }
                        rows.sort_by(|a, b| (b.created_at, b.id).cmp(&(a.created_at, a.id)));
                        rows.truncate(MAX_REQUESTS as usize);
                        rows
                    }
                };
                requests_of(conn, &rows, &origin)
            })
            .await?;
            Ok(Answer::ok(format, "service_requests", Value::Array(items)).built())
        };
        state
            .recent_public
            .kept_or_made(key, &state.clock, build)
            .await
    };
    match result.await {
        Ok(page) => page.respond(&req),
        Err(answer) => answer.respond(),
    }
}

/// One request by its `service_request_id` (the tracking number).
#[utoipa::path(
    get, path = "/open311/v2/requests/{service_request_id}.{format}", tag = "open311", operation_id = "open311_get_request",
    params(
        ("service_request_id" = String, Path, description = "Tracking number, e.g. 20261123-000042"),
        ("format" = Format, Path, description = "json or xml"),
    ),
    responses(
        (status = 200, description = "A list with the one request", content((serde_json::Value = "application/json"), (String = "text/xml"))),
        (status = 404, description = "No such request", content((serde_json::Value = "application/json"), (String = "text/xml"))),
    )
)]
pub async fn get_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, format) = path.into_inner();
    respond(one_request(&req, &state, id, format, "service_request_id").await)
}

/// The request a token stands for. Requests are created at once, so the token returned on
/// submission is the `service_request_id` itself.
#[utoipa::path(
    get, path = "/open311/v2/tokens/{token}.{format}", tag = "open311", operation_id = "open311_get_token",
    params(
        ("token" = String, Path, description = "The token returned on submission"),
        ("format" = Format, Path, description = "json or xml"),
    ),
    responses(
        (status = 200, description = "The request the token stands for", content((serde_json::Value = "application/json"), (String = "text/xml"))),
        (status = 404, description = "No such token", content((serde_json::Value = "application/json"), (String = "text/xml"))),
    )
)]
pub async fn get_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (token, format) = path.into_inner();
    let result = match one_request(&req, &state, token.clone(), format, "token").await {
        Ok(a) => Ok(Answer {
            body: json!([{"service_request_id": token, "token": token}]),
            root: "service_requests",
            ..a
        }),
        Err(e) => Err(e),
    };
    respond(result)
}

async fn one_request(
    req: &HttpRequest,
    state: &AppState,
    id: String,
    format: String,
    what: &str,
) -> Open311 {
    let format = format_of(&format)?;
    let missing = Answer::error(
        format,
        StatusCode::NOT_FOUND,
        format!("no request with {what} {id}"),
    );
    if id.len() > 40 || id.contains('\0') {
        return Err(missing);
    }
    let origin = origin_of(req);
    let item = db(state, format, move |conn| {
        let Some(row) = db::petitions::find_by_tracking_no(conn, &id).optional()? else {
            return Ok(None);
        };
        // The same publication rule as the lists: what is not in the feed is not found.
        if !in_public_feed(row.status, row.publish_consent, row.public_hidden) {
            return Ok(None);
        }
        Ok(requests_of(conn, &[row], &origin)?.pop())
    })
    .await?;
    match item {
        Some(item) => Ok(Answer::ok(format, "service_requests", json!([item]))),
        None => Err(missing),
    }
}

/// Submit a request (form-encoded): `api_key` (a partner's), `service_code`, `lat` and `long`
/// or `address_string`, `description`, the contact fields `first_name`, `last_name`, `phone`
/// (`email`, `device_id`, `account_id` and `media_url` are accepted and not kept), and the
/// attributes `attribute[kind]`, `attribute[urgency]`, `attribute[title]`,
/// `attribute[publish_consent]`.
#[utoipa::path(
    post, path = "/open311/v2/requests.{format}", tag = "open311", operation_id = "open311_create_request",
    params(("format" = Format, Path, description = "json or xml")),
    request_body(content = Open311RequestForm, content_type = "application/x-www-form-urlencoded", description = "The spec's form fields"),
    responses(
        (status = 201, description = "The new request's id (the tracking number)", content((serde_json::Value = "application/json"), (String = "text/xml"))),
        (status = 400, description = "A field is missing or wrong", content((serde_json::Value = "application/json"), (String = "text/xml"))),
        (status = 403, description = "No api_key, or one that is not valid", content((serde_json::Value = "application/json"), (String = "text/xml"))),
        (status = 429, description = "The partner is over its request rate", content((serde_json::Value = "application/json"), (String = "text/xml"))),
    )
)]
pub async fn create_request(
    state: web::Data<AppState>,
    format: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let result = async {
        let format = format_of(&format)?;
        let bad = |m: String| Answer::error(format, StatusCode::BAD_REQUEST, m);
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).map_err(|_| {
            bad("the body must be form-encoded (application/x-www-form-urlencoded)".into())
        })?;
        if fields
            .iter()
            .any(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return Err(bad("fields must not contain NUL characters".into()));
        }
        let field = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let forbidden =
            || Answer::error(format, StatusCode::FORBIDDEN, "a valid api_key is required");
        let key_hash = digest_secret(&field("api_key").ok_or_else(forbidden)?);
        let partner = db(&state, format, move |conn| {
            Ok(db::partners::find_by_api_key(conn, &key_hash)?)
        })
        .await?
        .ok_or_else(forbidden)?;
        let allowance = state.partner_request(partner.user_id).await.map_err(|e| {
            tracing::error!(error = ?e, "open311");
            Answer::error(
                format,
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error, please retry",
            )
        })?;
        if let Err(wait) = allowance {
            return Err(Answer {
                retry_after: Some(wait),
                ..Answer::error(
                    format,
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("too many requests: retry in {wait} s"),
                )
            });
        }
        let code = field("service_code").ok_or_else(|| bad("service_code is required".into()))?;
        let category_id = code
            .parse::<i64>()
            .map_err(|_| bad(format!("no service with service_code {code}")))?;
        let coordinate = |name: &str| -> Result<Option<f64>, Answer> {
            field(name)
                .map(|v| {
                    v.parse::<f64>()
                        .map_err(|_| bad(format!("{name} must be a number")))
                })
                .transpose()
        };
        let (lat, long) = (coordinate("lat")?, coordinate("long")?);
        let address = field("address_string");
        if lat.is_some() != long.is_some() {
            return Err(bad("lat and long go together".into()));
        }
        if lat.is_none() && address.is_none() {
            return Err(bad(
                "a location is required: lat and long, or address_string".into(),
            ));
        }
        let description =
            field("description").ok_or_else(|| bad("description is required".into()))?;
        let kind = match field("attribute[kind]") {
            None => PetitionKind::Help,
            Some(k) => PetitionKind::parse(&k).ok_or_else(|| {
                bad(format!(
                    "attribute[kind] {k} is not one of the service's values"
                ))
            })?,
        };
        let urgency = match field("attribute[urgency]") {
            None => Urgency::Normal,
            Some(u) => Urgency::parse(&u).ok_or_else(|| {
                bad(format!(
                    "attribute[urgency] {u} is not one of the service's values"
                ))
            })?,
        };
        let title =
            field("attribute[title]").unwrap_or_else(|| description.chars().take(30).collect());
        let contact_name = match (field("last_name"), field("first_name")) {
            (None, None) => None,
            // Chinese order: family name first.
            (last, first) => Some(format!(
                "{}{}",
                last.unwrap_or_default(),
                first.unwrap_or_default()
            )),
        };
        let petition = NewPetition {
            kind,
            category_id,
            urgency,
            title,
            content: description,
            address,
            latitude: lat,
            longitude: long,
            anonymous: false,
            publish_consent: field("attribute[publish_consent]").as_deref() == Some("true"),
            contact_name,
            contact_phone: field("phone"),
            source: None,
            accept: false,
        };
        if let Err(errors) = validate_new(&petition) {
            let what = errors
                .iter()
                .map(|e| format!("{}: {}", open311_field(&e.field), e.message))
                .collect::<Vec<_>>()
                .join("; ");
            return Err(bad(what));
        }
        let caller = Caller {
            user_id: partner.user_id,
            role: Role::Partner,
            unit_id: None,
            unit_path: None,
        };
        let (created, _) =
            super::petitions::submit(&state, caller, petition, None, Source::Open311)
                .await
                .map_err(|e| {
                    if e.status == StatusCode::UNPROCESSABLE_ENTITY {
                        let what = e
                            .errors
                            .iter()
                            .map(|f| format!("{}: {}", open311_field(&f.field), f.message))
                            .collect::<Vec<_>>()
                            .join("; ");
                        bad(
                            if what.contains("category_id") || what.contains("service_code") {
                                format!("no service with service_code {code}")
                            } else {
                                what
                            },
                        )
                    } else {
                        tracing::error!(error = ?e, "open311 submission");
                        Answer::error(
                            format,
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "internal error, please retry",
                        )
                    }
                })?;
        Ok(Answer {
            status: StatusCode::CREATED,
            ..Answer::ok(
                format,
                "service_requests",
                json!([{
                    "service_request_id": created.tracking_no,
                    "token": created.tracking_no,
                    "service_notice": "已受理登记，请凭编号查询办理进度",
                    "account_id": Value::Null,
                }]),
            )
        })
    };
    respond(result.await)
}

/// Our field names in the spec's words.
fn open311_field(field: &str) -> &str {
    match field {
        "content" => "description",
        "address" => "address_string",
        "latitude" => "lat",
        "longitude" => "long",
        "contact_phone" => "phone",
        "contact_name" => "first_name/last_name",
        "category_id" => "service_code",
        "title" => "attribute[title]",
        other => other,
    }
}

/// The form of `POST requests` (documentation only: the handler reads the fields by name).
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct Open311RequestForm {
    /// A partner's API key.
    api_key: String,
    /// A category id from `services`.
    service_code: String,
    #[schema(value_type = Option<f64>)]
    lat: Option<String>,
    #[schema(value_type = Option<f64>)]
    long: Option<String>,
    /// Required unless `lat` and `long` are given.
    address_string: Option<String>,
    description: String,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    device_id: Option<String>,
    account_id: Option<String>,
    media_url: Option<String>,
    /// `help` (default), `complaint`, `consultation`, `report`, `suggestion`, `civility`.
    #[serde(rename = "attribute[kind]")]
    kind: Option<String>,
    /// `normal` (default), `urgent`, `emergency`.
    #[serde(rename = "attribute[urgency]")]
    urgency: Option<String>,
    /// Default: the first 30 characters of `description`.
    #[serde(rename = "attribute[title]")]
    title: Option<String>,
    /// `true` to publish (personal information masked).
    #[serde(rename = "attribute[publish_consent]")]
    publish_consent: Option<String>,
}

/// Anything else under `/open311`: the spec's 404.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    Answer::error(
        format_of_path(&req),
        StatusCode::NOT_FOUND,
        format!("no Open311 resource {} {}", req.method(), req.path()),
    )
    .respond()
}

/// Another method than the path's (`allow`, lower case): 405 with `Allow`, in the spec's format.
pub fn method_not_allowed(req: &HttpRequest, allow: &[&str]) -> HttpResponse {
    let names = allow
        .iter()
        .map(|m| m.to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(", ");
    let mut res = Answer::error(
        format_of_path(req),
        StatusCode::METHOD_NOT_ALLOWED,
        format!(
            "{} {} is not supported; use {names}",
            req.method(),
            req.path()
        ),
    )
    .respond();
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&names) {
        res.headers_mut()
            .insert(actix_web::http::header::ALLOW, value);
    }
    res
}

/// The answer's format when the path may not name one: XML for `.xml`, else JSON.
fn format_of_path(req: &HttpRequest) -> Format {
    if req.path().ends_with(".xml") {
        Format::Xml
    } else {
        Format::Json
    }
}

/// JSON values as the XML of GeoReport v2: lists repeat an element named after the list.
mod xml {
    use serde_json::Value;

    pub fn document(root: &str, v: &Value) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        element(&mut out, root, v);
        out
    }

    fn item_name(list: &str) -> &str {
        match list {
            "services" => "service",
            "service_requests" => "request",
            "errors" => "error",
            "endpoints" => "endpoint",
            "formats" => "format",
            "attributes" => "attribute",
            "values" => "value",
            _ => "item",
        }
    }

    fn element(out: &mut String, name: &str, v: &Value) {
        out.push('<');
        out.push_str(name);
        out.push('>');
        match v {
            Value::Null => {}
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(&n.to_string()),
            Value::String(s) => escape(out, s),
            Value::Array(items) => {
                for item in items {
                    element(out, item_name(name), item);
                }
            }
            Value::Object(map) => {
                for (k, v) in map {
                    element(out, k, v);
                }
            }
        }
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }

    fn escape(out: &mut String, s: &str) {
        for c in s.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                // Not allowed in XML 1.0 at all: controls but tab and line ends, U+FFFE, U+FFFF
                // (surrogates cannot occur in a Rust string).
                c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
                '\u{FFFE}' | '\u{FFFF}' => {}
                c => out.push(c),
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use serde_json::json;

        #[test]
        fn lists_repeat_their_item_and_text_is_escaped() {
            let xml = super::document(
                "service_requests",
                &json!([{"service_request_id": "20261123-000001", "status_notes": "a<b & \"c\"", "lat": null}]),
            );
            assert_eq!(
                xml,
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><service_requests><request>\
                 <lat></lat><service_request_id>20261123-000001</service_request_id>\
                 <status_notes>a&lt;b &amp; &quot;c&quot;</status_notes></request></service_requests>"
            );
        }

        #[test]
        fn characters_xml_forbids_are_left_out() {
            let all: String = (0u32..0x20)
                .chain([0xFFFE, 0xFFFF, 0x7F, 0xE000, 0x1F600])
                .filter_map(char::from_u32)
                .collect();
            let xml = super::document("x", &json!({ "t": all }));
            let text = xml
                .split("<t>")
                .nth(1)
                .and_then(|t| t.split("</t>").next())
                .expect("the element");
            assert_eq!(text, "\t\n\r\u{7F}\u{E000}\u{1F600}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_open_and_closed() {
        assert_eq!(open311_status(PetitionStatus::Handling), "open");
        assert_eq!(open311_status(PetitionStatus::Replied), "open");
        assert_eq!(open311_status(PetitionStatus::Closed), "closed");
        assert_eq!(open311_status(PetitionStatus::Rejected), "closed");
        let closed = statuses_of("closed").expect("closed");
        assert!(closed.contains(&"merged") && !closed.contains(&"handling"));
        assert_eq!(statuses_of("pending"), None);
    }
}

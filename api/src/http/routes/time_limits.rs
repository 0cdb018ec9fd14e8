//! Time-limit policies and the working-day calendar (admin-maintained; readable by staff).

use actix_web::{web, HttpResponse};
use chrono::{Datelike, NaiveDate};
use diesel::OptionalExtension;
use minhu_types::{
    CalendarDay, CalendarDayBody, DeadlinePolicy, NewDeadlinePolicy, PetitionKind, Problem,
    SpanUnit, TimeSpan, Urgency,
};

use crate::db::{self, time_limits::PolicyRow, time_limits::PolicyValues, DbConn};
use crate::domain::policy::valid_span;
use crate::domain::validate::Checks;
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Admins, Auth, Staff};
use crate::http::json::Json;
use crate::http::AppState;

fn span(amount: i32, unit: SpanUnit) -> TimeSpan {
    TimeSpan { amount, unit }
}

fn view(r: &PolicyRow) -> DeadlinePolicy {
    DeadlinePolicy {
        id: r.id,
        name: r.name.clone(),
        urgency: r.urgency.as_deref().and_then(Urgency::parse),
        kind: r.kind.as_deref().and_then(PetitionKind::parse),
        category_id: r.category_id,
        sign_within: span(r.sign_amount, r.sign_unit),
        reply_within: span(r.reply_amount, r.reply_unit),
        visit_within: r
            .visit_amount
            .zip(r.visit_unit.as_deref().and_then(SpanUnit::parse))
            .map(|(a, u)| span(a, u)),
    }
}

/// List the time-limit policies.
#[utoipa::path(
    get, path = "/api/v1/deadline-policies", tag = "time limits", operation_id = "list_deadline_policies",
    security(("bearer" = [])),
    responses((status = 200, description = "Every policy", body = Vec<DeadlinePolicy>))
)]
pub async fn list(
    state: web::Data<AppState>,
    _auth: Auth<Staff>,
) -> AppResult<web::Json<Vec<DeadlinePolicy>>> {
    let rows = state
        .db(|conn| Ok(db::time_limits::policies(conn)?))
        .await?;
    Ok(web::Json(rows.iter().map(view).collect()))
}

fn check(conn: &mut DbConn, b: &NewDeadlinePolicy, except: Option<i64>) -> AppResult<()> {
    let mut c = Checks::new();
    c.text("name", &b.name, 1, 100);
    c.check(
        "sign_within",
        valid_span(b.sign_within),
        "时限数值须为 1 到 10000",
    );
    c.check(
        "reply_within",
        valid_span(b.reply_within),
        "时限数值须为 1 到 10000",
    );
    if let Some(v) = b.visit_within {
        c.check("visit_within", valid_span(v), "时限数值须为 1 到 10000");
    }
    c.finish().map_err(AppError::validation)?;
    if let Some(cat) = b.category_id {
        db::categories::find(conn, cat)
            .optional()?
            .ok_or_else(|| AppError::invalid_field("category_id", format!("分类 {cat} 不存在")))?;
    }
    let keys = (
        b.urgency.map(|u| u.as_str()),
        b.kind.map(|k| k.as_str()),
        b.category_id,
    );
    if let Some(other) = db::time_limits::same_keys(conn, keys.0, keys.1, keys.2, except)? {
        return Err(AppError::conflict(
            "policy_exists",
            format!("已有相同条件的时限规则（编号 {other}），请修改那一条"),
        ));
    }
    Ok(())
}

fn values<'a>(b: &'a NewDeadlinePolicy, now: chrono::NaiveDateTime) -> PolicyValues<'a> {
    PolicyValues {
        name: b.name.trim(),
        urgency: b.urgency.map(|u| u.as_str()),
        kind: b.kind.map(|k| k.as_str()),
        category_id: b.category_id,
        sign_amount: b.sign_within.amount,
        sign_unit: b.sign_within.unit.as_str(),
        reply_amount: b.reply_within.amount,
        reply_unit: b.reply_within.unit.as_str(),
        visit_amount: b.visit_within.map(|v| v.amount),
        visit_unit: b.visit_within.map(|v| v.unit.as_str()),
        updated_at: now,
    }
}

/// Add a policy (admin). Leaving a key out makes the rule apply to every value of it.
#[utoipa::path(
    post, path = "/api/v1/deadline-policies", tag = "time limits", operation_id = "create_deadline_policy",
    request_body = NewDeadlinePolicy,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new policy", body = DeadlinePolicy),
        (status = 409, description = "A policy with the same keys exists", body = Problem),
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    Json(b): Json<NewDeadlinePolicy>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let row = state
        .db(move |conn| {
            check(conn, &b, None)?;
            let id = db::time_limits::insert_policy(conn, &values(&b, now))?;
            Ok(db::time_limits::find_policy(conn, id)?)
        })
        .await?;
    Ok(HttpResponse::Created().json(view(&row)))
}

/// Replace a policy (admin). Orders already dispatched keep their deadlines.
#[utoipa::path(
    patch, path = "/api/v1/deadline-policies/{id}", tag = "time limits", operation_id = "update_deadline_policy",
    params(("id" = i64, Path, description = "Policy id")),
    request_body = NewDeadlinePolicy,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The policy", body = DeadlinePolicy),
        (status = 404, description = "No such policy", body = Problem),
        (status = 409, description = "Another policy has the same keys", body = Problem),
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    id: web::Path<i64>,
    Json(b): Json<NewDeadlinePolicy>,
) -> AppResult<web::Json<DeadlinePolicy>> {
    let id = id.into_inner();
    let now = state.clock.now();
    let row = state
        .db(move |conn| {
            db::time_limits::find_policy(conn, id)?;
            check(conn, &b, Some(id))?;
            db::time_limits::update_policy(conn, id, &values(&b, now))?;
            Ok(db::time_limits::find_policy(conn, id)?)
        })
        .await?;
    Ok(web::Json(view(&row)))
}

/// Delete a policy (admin). Without any matching policy, orders get 1 working day to sign and
/// 7 days to reply.
#[utoipa::path(
    delete, path = "/api/v1/deadline-policies/{id}", tag = "time limits", operation_id = "delete_deadline_policy",
    params(("id" = i64, Path, description = "Policy id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such policy", body = Problem),
    )
)]
pub async fn delete(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let n = state
        .db(move |conn| Ok(db::time_limits::delete_policy(conn, id)?))
        .await?;
    if n == 0 {
        return Err(AppError::not_found(format!("时限规则 {id} 不存在")));
    }
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The year (default: this year).
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

fn day_view((day, working, name): (String, bool, String)) -> Option<CalendarDay> {
    NaiveDate::parse_from_str(&day, "%Y-%m-%d")
        .ok()
        .map(|date| CalendarDay {
            date,
            working,
            name,
        })
}

/// The year's holidays and adjusted working days (调休); every other day follows Monday to
/// Friday.
#[utoipa::path(
    get, path = "/api/v1/calendar", tag = "time limits", operation_id = "list_calendar_days",
    params(YearQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The exceptional days of the year", body = Vec<CalendarDay>))
)]
pub async fn calendar(
    state: web::Data<AppState>,
    _auth: Auth<Staff>,
    q: crate::http::query::Query<YearQuery>,
) -> AppResult<web::Json<Vec<CalendarDay>>> {
    let year = q.year.unwrap_or_else(|| state.clock.now().year());
    if !(2000..=2100).contains(&year) {
        return Err(AppError::invalid_field(
            "year",
            "年份须在 2000 到 2100 之间",
        ));
    }
    let rows = state
        .db(move |conn| Ok(db::time_limits::calendar_year(conn, year)?))
        .await?;
    Ok(web::Json(rows.into_iter().filter_map(day_view).collect()))
}

fn parse_date(s: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| AppError::not_found(format!("日期 {s} 的格式应为 YYYY-MM-DD")))
}

/// Mark a day as a holiday (`working: false`) or an adjusted working day (`working: true`)
/// (admin). Deadlines already set stay as they are.
#[utoipa::path(
    put, path = "/api/v1/calendar/{date}", tag = "time limits", operation_id = "put_calendar_day",
    params(("date" = chrono::NaiveDate, Path, description = "The day, YYYY-MM-DD")),
    request_body = CalendarDayBody,
    security(("bearer" = [])),
    responses((status = 200, description = "The day", body = CalendarDay))
)]
pub async fn put_day(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    date: web::Path<String>,
    Json(b): Json<CalendarDayBody>,
) -> AppResult<web::Json<CalendarDay>> {
    let date = parse_date(&date)?;
    let mut c = Checks::new();
    c.text("name", &b.name, 1, 50);
    c.finish().map_err(AppError::validation)?;
    let name = b.name.trim().to_owned();
    let stored = name.clone();
    state
        .db(move |conn| Ok(db::time_limits::put_day(conn, date, b.working, &stored)?))
        .await?;
    Ok(web::Json(CalendarDay {
        date,
        working: b.working,
        name,
    }))
}

/// Return a day to the Monday-to-Friday rule (admin).
#[utoipa::path(
    delete, path = "/api/v1/calendar/{date}", tag = "time limits", operation_id = "delete_calendar_day",
    params(("date" = chrono::NaiveDate, Path, description = "The day, YYYY-MM-DD")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The day follows the weekly rule again"),
        (status = 404, description = "The day was not an exception", body = Problem),
    )
)]
pub async fn delete_day(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    date: web::Path<String>,
) -> AppResult<HttpResponse> {
    let date = parse_date(&date)?;
    let n = state
        .db(move |conn| Ok(db::time_limits::delete_day(conn, date)?))
        .await?;
    if n == 0 {
        return Err(AppError::not_found(format!("{date} 不是特殊日期")));
    }
    Ok(HttpResponse::NoContent().finish())
}

//! Rankings (办理排行): public, like the newspaper's channel; the scoring settings.

use std::collections::HashMap;

use actix_web::web;
use chrono::NaiveDate;
use minhu_types::{Period, Ranking, RankingItem, RankingSettings, UnitKind};

use crate::db::{self, DbConn, Paging};
use crate::domain::calendar::local_date;
use crate::domain::figures::{month, rank, rates, score, week, Counts};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Admins, Auth};
use crate::http::json::Json;
use crate::http::AppState;
use crate::views;

const SETTINGS_KEY: &str = "ranking";

pub fn settings(conn: &mut DbConn) -> AppResult<RankingSettings> {
    Ok(db::figures::json_setting(conn, SETTINGS_KEY)?)
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// `YYYY-MM` (an assessment month, with the configured cut-off day) or `YYYY-Www` (an ISO
    /// week). Default: the last assessment month that has ended (on 1 December, November —
    /// the current month is empty on its first day).
    pub period: Option<String>,
    /// First day (`YYYY-MM-DD`), with `to`, instead of `period`.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Last day, inclusive.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
}

/// Resolves the period of a figures request.
pub fn resolve_period(
    q: &PeriodQuery,
    cutoff_day: Option<u32>,
    today: NaiveDate,
) -> AppResult<Period> {
    let bad = |m: &str| AppError::invalid_field("period", m.to_owned());
    let (from, to) = match (&q.period, q.from, q.to) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err(bad("period 与 from/to 只能二选一"))
        }
        (None, Some(from), Some(to)) => (from, to),
        (None, Some(_), None) | (None, None, Some(_)) => {
            return Err(AppError::invalid_field("to", "from 与 to 须同时给出"))
        }
        // The last whole assessment month: the current one is empty on its first day.
        (None, None, None) => crate::domain::figures::last_complete_month(today, cutoff_day)
            .ok_or_else(|| bad("无法确定上一个考核月"))?,
        (Some(p), None, None) => {
            if let Some((y, w)) = p.split_once("-W") {
                let (y, w) = (
                    y.parse().map_err(|_| bad("周的格式为 YYYY-Www"))?,
                    w.parse().map_err(|_| bad("周的格式为 YYYY-Www"))?,
                );
                week(y, w).ok_or_else(|| bad("没有这一周"))?
            } else {
                let (y, m) = p
                    .split_once('-')
                    .ok_or_else(|| bad("月份的格式为 YYYY-MM"))?;
                let (y, m) = (
                    y.parse().map_err(|_| bad("月份的格式为 YYYY-MM"))?,
                    m.parse().map_err(|_| bad("月份的格式为 YYYY-MM"))?,
                );
                month(y, m, cutoff_day).ok_or_else(|| bad("没有这个月"))?
            }
        }
    };
    if to < from || (to - from).num_days() > 3_660 {
        return Err(AppError::invalid_field(
            "to",
            "结束日期须不早于开始日期，且范围不超过十年",
        ));
    }
    Ok(Period { from, to })
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    /// Rank only units of this kind (streets with streets …); all kinds when absent, each
    /// ranked within its own kind.
    pub unit_kind: Option<UnitKind>,
    /// Count each unit's subtree with it.
    pub include_children: Option<bool>,
}

/// The ranking of units for a period: every rate, the score, and the rank within the unit's
/// kind. Units with fewer valid visits than the minimum are listed with `ranked: false`.
/// Orders judged unreasonable or whose appeal was granted are left out of scoring.
#[utoipa::path(
    get, path = "/api/v1/rankings", tag = "figures", operation_id = "get_rankings",
    params(PeriodQuery, RankingQuery),
    responses((status = 200, description = "The ranking", body = Ranking))
)]
pub async fn rankings(
    state: web::Data<AppState>,
    period: crate::http::query::Query<PeriodQuery>,
    q: crate::http::query::Query<RankingQuery>,
) -> AppResult<web::Json<Ranking>> {
    let today = local_date(state.clock.now());
    let (period, q) = (period.into_inner(), q.into_inner());
    state
        .read_db(move |conn| {
            let s = settings(conn)?;
            let p = resolve_period(&period, s.cutoff_day, today)?;
            let sums: HashMap<i64, Counts> =
                db::figures::sums(conn, p.from, p.to)?.into_iter().collect();
            let units = db::units::all(conn)?;
            let mut sums = sums;
            if q.include_children.unwrap_or(false) {
                let paths: HashMap<i64, &str> =
                    units.iter().map(|u| (u.id, u.path.as_str())).collect();
                sums = subtree_totals(&sums, &paths);
            }
            let listed: Vec<_> = units
                .iter()
                .filter(|u| q.unit_kind.is_none_or(|k| u.kind() == k))
                .collect();
            let mut items: Vec<RankingItem> = listed
                .iter()
                .map(|u| {
                    let c = sums.get(&u.id).copied().unwrap_or_default();
                    let r = rates(&c);
                    let sc = score(&r, &s.weights);
                    let ranked = c.visits >= s.min_valid_visits && sc.is_some();
                    RankingItem {
                        rank: None,
                        unit: views::unit_ref(u),
                        received: c.received,
                        on_time_sign_rate: r.on_time_sign,
                        on_time_rate: r.on_time,
                        response_rate: r.response,
                        resolution_rate: r.resolution,
                        satisfaction_rate: r.satisfaction,
                        redo_rate: r.redo,
                        score: sc,
                        valid_visits: c.visits,
                        ranked,
                    }
                })
                .collect();
            for kind in UnitKind::ALL {
                let idx: Vec<usize> = (0..items.len())
                    .filter(|i| items[*i].unit.kind == *kind)
                    .collect();
                let scores: Vec<Option<f64>> = idx
                    .iter()
                    .map(|i| items[*i].score.filter(|_| items[*i].ranked))
                    .collect();
                for (i, r) in idx.iter().zip(rank(&scores)) {
                    items[*i].rank = r;
                }
            }
            items.sort_by_key(|it| {
                (
                    it.unit.kind.level(),
                    it.unit.kind.as_str(),
                    it.rank.unwrap_or(u32::MAX),
                    it.unit.id,
                )
            });
            Ok(Ranking {
                period: p,
                weights: s.weights,
                min_valid_visits: s.min_valid_visits,
                items,
            })
        })
        .await
        .map(web::Json)
}

/// Each unit's counters with everything below it: every unit's own counters are added to each
/// unit on its path (`/1/4/9/` counts for 1, 4 and 9).
fn subtree_totals(own: &HashMap<i64, Counts>, paths: &HashMap<i64, &str>) -> HashMap<i64, Counts> {
    let mut out: HashMap<i64, Counts> = HashMap::new();
    for (id, c) in own {
        let Some(path) = paths.get(id) else { continue };
        for ancestor in path.split('/').filter_map(|s| s.parse::<i64>().ok()) {
            *out.entry(ancestor).or_default() += *c;
        }
    }
    out
}

/// How units are scored: weights, minimum sample, assessment cut-off day.
#[utoipa::path(
    get, path = "/api/v1/ranking-settings", tag = "figures", operation_id = "get_ranking_settings",
    responses((status = 200, description = "The settings", body = RankingSettings))
)]
pub async fn get_settings(state: web::Data<AppState>) -> AppResult<web::Json<RankingSettings>> {
    state.db(settings).await.map(web::Json)
}

/// Change how units are scored (admin).
#[utoipa::path(
    put, path = "/api/v1/ranking-settings", tag = "figures", operation_id = "put_ranking_settings",
    request_body = RankingSettings,
    security(("bearer" = [])),
    responses((status = 200, description = "The settings", body = RankingSettings))
)]
pub async fn put_settings(
    state: web::Data<AppState>,
    _auth: Auth<Admins>,
    Json(b): Json<RankingSettings>,
) -> AppResult<web::Json<RankingSettings>> {
    let w = b.weights;
    let mut c = crate::domain::validate::Checks::new();
    let weights = [w.response, w.resolution, w.satisfaction, w.on_time, w.redo];
    c.check(
        "weights",
        weights
            .iter()
            .all(|x| x.is_finite() && (0.0..=1.0).contains(x)),
        "每个权重须在 0 到 1 之间",
    );
    c.check(
        "weights",
        weights.iter().sum::<f64>() > 0.0,
        "权重不能全为 0",
    );
    c.check(
        "min_valid_visits",
        (0..=10_000).contains(&b.min_valid_visits),
        "最少有效回访数须在 0 到 10000 之间",
    );
    c.check(
        "cutoff_day",
        b.cutoff_day.is_none_or(|d| (1..=28).contains(&d)),
        "截止日须在 1 到 28 之间",
    );
    c.finish().map_err(AppError::validation)?;
    let value = serde_json::to_string(&b).map_err(AppError::internal)?;
    state
        .db(move |conn| Ok(db::figures::put_setting(conn, SETTINGS_KEY, &value)?))
        .await?;
    Ok(web::Json(b))
}

/// Officials who read statistics and briefings.
pub struct Officials;
impl crate::http::extract::Allowed for Officials {
    const ROLES: &'static [minhu_types::Role] = &[
        minhu_types::Role::Operator,
        minhu_types::Role::Leader,
        minhu_types::Role::Reporter,
        minhu_types::Role::Admin,
    ];
}

fn key_counts<K: Ord + Clone>(
    map: &std::collections::BTreeMap<K, i64>,
    label: impl Fn(&K) -> (String, String),
) -> Vec<minhu_types::KeyCount> {
    let mut v: Vec<minhu_types::KeyCount> = map
        .iter()
        .filter(|(_, n)| **n != 0)
        .map(|(k, n)| {
            let (key, label) = label(k);
            minhu_types::KeyCount { key, label, n: *n }
        })
        .collect();
    v.sort_by(|a, b| b.n.cmp(&a.n).then(a.key.cmp(&b.key)));
    v
}

fn category_names(conn: &mut DbConn) -> AppResult<HashMap<i64, String>> {
    Ok(db::categories::list(
        conn,
        None,
        Paging {
            page: 1,
            per_page: 100_000,
        },
    )?
    .0
    .into_iter()
    .map(|c| (c.id, c.name))
    .collect())
}

/// Petitions submitted in the period by status, kind, category, channel and day; open and
/// overdue now; average hours to sign and to reply. Default period: this month.
#[utoipa::path(
    get, path = "/api/v1/stats/overview", tag = "figures", operation_id = "get_stats_overview",
    params(PeriodQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The overview", body = minhu_types::Overview))
)]
pub async fn overview(
    state: web::Data<AppState>,
    _auth: Auth<Officials>,
    period: crate::http::query::Query<PeriodQuery>,
) -> AppResult<web::Json<minhu_types::Overview>> {
    use std::collections::BTreeMap;
    let now = state.clock.now();
    let period = period.into_inner();
    state
        .read_db(move |conn| {
            let s = settings(conn)?;
            let p = resolve_period(&period, s.cutoff_day, local_date(now))?;
            let names = category_names(conn)?;
            let (mut status, mut kind, mut category, mut source) = (
                BTreeMap::new(),
                BTreeMap::new(),
                BTreeMap::new(),
                BTreeMap::new(),
            );
            let mut total = 0;
            for (k, c, src, st, n) in db::figures::count_groups(conn, p.from, p.to)? {
                total += n;
                *status.entry(st).or_insert(0) += n;
                *kind.entry(k).or_insert(0) += n;
                *category.entry(c).or_insert(0) += n;
                *source.entry(src).or_insert(0) += n;
            }
            let by_day: Vec<minhu_types::KeyCount> = db::figures::day_totals(conn, p.from, p.to)?
                .into_iter()
                .filter(|(_, n)| *n != 0)
                .map(|(d, n)| minhu_types::KeyCount {
                    key: d.clone(),
                    label: d,
                    n,
                })
                .collect();
            let (signed, sign_seconds, replied, reply_seconds) =
                db::figures::city_times(conn, p.from, p.to)?;
            let hours = |secs: i64, n: i64| {
                (n > 0).then(|| (secs as f64 / n as f64 / 3600.0 * 100.0).round() / 100.0)
            };
            let (open_now, overdue_now) = db::petitions::open_and_overdue(conn, now)?;
            let label = |f: fn(&str) -> Option<&'static str>, k: &String| {
                (k.clone(), f(k).unwrap_or("").to_owned())
            };
            Ok(minhu_types::Overview {
                period: p,
                total,
                by_status: key_counts(&status, |k| {
                    label(
                        |s| minhu_types::PetitionStatus::parse(s).map(|x| x.label()),
                        k,
                    )
                }),
                by_kind: key_counts(&kind, |k| {
                    label(
                        |s| minhu_types::PetitionKind::parse(s).map(|x| x.label()),
                        k,
                    )
                }),
                by_category: key_counts(&category, |c| {
                    (c.to_string(), names.get(c).cloned().unwrap_or_default())
                }),
                by_source: key_counts(&source, |k| {
                    label(|s| minhu_types::Source::parse(s).map(|x| x.label()), k)
                }),
                by_day,
                open_now,
                overdue_now,
                avg_sign_hours: hours(sign_seconds, signed),
                avg_reply_hours: hours(reply_seconds, replied),
            })
        })
        .await
        .map(web::Json)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BriefingFormat {
    Json,
    Markdown,
    Csv,
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BriefingQuery {
    /// First day (`YYYY-MM-DD`); with `to`. Default: last week, Monday to Sunday.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Last day, inclusive.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// `json` (default), `markdown` or `csv`.
    pub format: Option<BriefingFormat>,
}

fn case(
    p: &db::petitions::PetitionRow,
    unit: Option<String>,
    reply_by: Option<chrono::NaiveDateTime>,
) -> minhu_types::BriefingCase {
    minhu_types::BriefingCase {
        tracking_no: p.tracking_no.clone(),
        title: crate::domain::privacy::mask_text(&p.title),
        status: p.status,
        unit,
        reply_by: reply_by.map(db::utc),
    }
}

/// A briefing (简报) for a period: received, accepted, dispatched, replied and closed; by kind,
/// category and unit; the overdue list now; reporters' typical cases. As JSON, Markdown or CSV
/// (`format=`), the latter two as a file download.
#[utoipa::path(
    get, path = "/api/v1/briefings", tag = "figures", operation_id = "get_briefing",
    params(BriefingQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The briefing", content(
        (minhu_types::Briefing = "application/json"),
        (String = "text/markdown"),
        (String = "text/csv"),
    )))
)]
pub async fn briefing(
    state: web::Data<AppState>,
    _auth: Auth<Officials>,
    q: crate::http::query::Query<BriefingQuery>,
) -> AppResult<actix_web::HttpResponse> {
    use std::collections::BTreeMap;
    let now = state.clock.now();
    let q = q.into_inner();
    let today = local_date(now);
    let (from, to) = match (q.from, q.to) {
        (Some(f), Some(t)) => (f, t),
        (None, None) => crate::domain::figures::week_of(today - chrono::Duration::days(7)),
        _ => return Err(AppError::invalid_field("to", "from 与 to 须同时给出")),
    };
    if to < from || (to - from).num_days() > 366 {
        return Err(AppError::invalid_field(
            "to",
            "结束日期须不早于开始日期，且范围不超过一年",
        ));
    }
    let b = state
        .read_db(move |conn| {
            let p = Period { from, to };
            let actions: HashMap<String, i64> = db::figures::action_counts(conn, from, to)?
                .into_iter()
                .collect();
            let a = |k: &str| actions.get(k).copied().unwrap_or(0);
            let names = category_names(conn)?;
            let (mut kind, mut category) = (BTreeMap::new(), BTreeMap::new());
            let mut received = 0;
            for (k, c, _, _, n) in db::figures::count_groups(conn, from, to)? {
                received += n;
                *kind.entry(k).or_insert(0) += n;
                *category.entry(c).or_insert(0) += n;
            }
            let units: HashMap<i64, db::units::UnitRow> = db::units::all(conn)?
                .into_iter()
                .map(|u| (u.id, u))
                .collect();
            let mut by_unit: Vec<minhu_types::BriefingUnit> = db::figures::sums(conn, from, to)?
                .into_iter()
                .filter(|(_, c)| c.received > 0 || c.replied > 0)
                .filter_map(|(id, c)| {
                    let r = rates(&c);
                    units.get(&id).map(|u| minhu_types::BriefingUnit {
                        unit: views::unit_ref(u),
                        received: c.received,
                        replied: c.replied,
                        on_time_rate: r.on_time,
                        satisfaction_rate: r.satisfaction,
                    })
                })
                .collect();
            by_unit.sort_by(|x, y| y.received.cmp(&x.received).then(x.unit.id.cmp(&y.unit.id)));
            let filter = db::petitions::InboxFilter {
                overdue_at: Some(now),
                ..Default::default()
            };
            let late = db::petitions::by_deadline(conn, &filter, 50)?;
            let overdue = late
                .iter()
                .map(|(asg, u, p)| case(p, Some(u.name.clone()), Some(asg.reply_by)))
                .collect();
            let typical = db::petitions::typical_between(
                conn,
                crate::domain::calendar::local_midnight(from),
                crate::domain::calendar::local_midnight(to + chrono::Duration::days(1)),
            )?
            .iter()
            .map(|p| case(p, None, None))
            .collect();
            let label = |f: fn(&str) -> Option<&'static str>, k: &String| {
                (k.clone(), f(k).unwrap_or("").to_owned())
            };
            Ok(minhu_types::Briefing {
                period: p,
                received,
                accepted: a("accept"),
                dispatched: a("dispatch"),
                replied: a("reply") + a("answer"),
                closed: a("rate") + a("visit") + a("auto_close"),
                by_kind: key_counts(&kind, |k| {
                    label(
                        |s| minhu_types::PetitionKind::parse(s).map(|x| x.label()),
                        k,
                    )
                }),
                by_category: key_counts(&category, |c| {
                    (c.to_string(), names.get(c).cloned().unwrap_or_default())
                }),
                by_unit,
                overdue,
                typical,
            })
        })
        .await?;
    let name = format!("minhu-briefing-{}_{}", b.period.from, b.period.to);
    Ok(match q.format.unwrap_or(BriefingFormat::Json) {
        BriefingFormat::Json => actix_web::HttpResponse::Ok().json(b),
        BriefingFormat::Markdown => actix_web::HttpResponse::Ok()
            .content_type("text/markdown; charset=utf-8")
            .insert_header((
                "content-disposition",
                format!("attachment; filename=\"{name}.md\""),
            ))
            .body(crate::briefing::markdown(&b)),
        BriefingFormat::Csv => actix_web::HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "content-disposition",
                format!("attachment; filename=\"{name}.csv\""),
            ))
            .body(crate::briefing::csv(&b)),
    })
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TrendQuery {
    /// `YYYY-MM` (an assessment month) or `YYYY-Www` (an ISO week). Default: the last month
    /// that has ended.
    pub period: Option<String>,
    /// `category` (default) or `area`.
    pub by: Option<minhu_types::TrendBy>,
    /// `json` (default) or `csv`.
    pub format: Option<TrendFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TrendFormat {
    Json,
    Csv,
}

/// Leaders, the press and the hotline office: who sees what is rising.
pub struct Watchers;
impl crate::http::extract::Allowed for Watchers {
    const ROLES: &'static [minhu_types::Role] = &[
        minhu_types::Role::Leader,
        minhu_types::Role::Reporter,
        minhu_types::Role::Operator,
    ];
}

/// What is rising (趋势): petitions by category, or orders by area (the top-level units), in a
/// month or week against the one before (环比) and the same one a year earlier (同比), with the
/// fastest risers. From the kept figures: the same cost whatever the history.
#[utoipa::path(
    get, path = "/api/v1/stats/trends", tag = "figures", operation_id = "get_stats_trends",
    params(TrendQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The trends", content(
            (minhu_types::Trends = "application/json"),
            (String = "text/csv"),
        )),
        (status = 422, description = "A period that is not YYYY-MM or YYYY-Www", body = minhu_types::Problem),
    )
)]
pub async fn trends(
    state: web::Data<AppState>,
    _auth: Auth<Watchers>,
    q: crate::http::query::Query<TrendQuery>,
) -> AppResult<actix_web::HttpResponse> {
    use crate::domain::figures::{change, last_complete_month, Named};
    use minhu_types::{TrendBy, TrendItem, Trends};
    let q = q.into_inner();
    let now = state.clock.now();
    let by = q.by.unwrap_or_default();
    let trends = state
        .read_db(move |conn| {
            let s = settings(conn)?;
            let named = match q.period.as_deref() {
                Some(p) => Named::parse(p).ok_or_else(|| {
                    AppError::invalid_field("period", "周期的格式为 YYYY-MM 或 YYYY-Www")
                })?,
                None => Named::month_ending(
                    last_complete_month(local_date(now), s.cutoff_day)
                        .ok_or_else(|| AppError::invalid_field("period", "无法确定上一个考核月"))?
                        .1,
                ),
            };
            let periods = named
                .with_comparisons(s.cutoff_day)
                .ok_or_else(|| AppError::invalid_field("period", "没有这个周期"))?;
            // key → (label, [this, previous, a year ago])
            let mut counts: std::collections::BTreeMap<i64, [i64; 3]> = Default::default();
            let labels: HashMap<i64, String> = match by {
                TrendBy::Category => {
                    for (i, (from, to)) in periods.iter().enumerate() {
                        for (_, c, _, _, n) in db::figures::count_groups(conn, *from, *to)? {
                            counts.entry(c).or_default()[i] += n;
                        }
                    }
                    category_names(conn)?
                }
                TrendBy::Area => {
                    let areas: HashMap<i64, String> = db::units::top_level(conn)?
                        .into_iter()
                        .map(|u| (u.id, u.name))
                        .collect();
                    for (i, (from, to)) in periods.iter().enumerate() {
                        for (unit, c) in db::figures::sums(conn, *from, *to)? {
                            if areas.contains_key(&unit) {
                                counts.entry(unit).or_default()[i] += c.received;
                            }
                        }
                    }
                    areas
                }
            };
            let mut items: Vec<TrendItem> = counts
                .into_iter()
                .filter(|(_, c)| c.iter().any(|n| *n > 0))
                .map(|(key, [count, previous, year_ago])| TrendItem {
                    label: labels.get(&key).cloned().unwrap_or_else(|| key.to_string()),
                    key: key.to_string(),
                    count,
                    previous,
                    change: change(count, previous),
                    year_ago,
                    yoy_change: change(count, year_ago),
                })
                .collect();
            items.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
            let mut rising: Vec<TrendItem> = items
                .iter()
                .filter(|i| i.count > i.previous)
                .cloned()
                .collect();
            rising.sort_by(|a, b| {
                (b.count - b.previous)
                    .cmp(&(a.count - a.previous))
                    .then_with(|| a.label.cmp(&b.label))
            });
            rising.truncate(5);
            let clusters = repeat_clusters(conn, periods[0])?;
            let period = |(from, to): (NaiveDate, NaiveDate)| minhu_types::Period { from, to };
            Ok(Trends {
                period: period(periods[0]),
                previous: period(periods[1]),
                year_ago: period(periods[2]),
                by,
                items,
                rising,
                clusters,
            })
        })
        .await?;
    Ok(match q.format.unwrap_or(TrendFormat::Json) {
        TrendFormat::Json => actix_web::HttpResponse::Ok().json(trends),
        TrendFormat::Csv => actix_web::HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "content-disposition",
                format!("attachment; filename=\"trends-{}.csv\"", trends.period.from),
            ))
            .body(trends_csv(&trends)),
    })
}

/// The period's repeat clusters (at most ten): what its petitions were merged into, most
/// repeated first, titles masked.
fn repeat_clusters(
    conn: &mut DbConn,
    (from, to): (NaiveDate, NaiveDate),
) -> AppResult<Vec<minhu_types::TrendCluster>> {
    use crate::domain::calendar::local_midnight;
    let end = to.succ_opt().unwrap_or(to);
    let found =
        db::petitions::repeat_clusters(conn, local_midnight(from), local_midnight(end), 10)?;
    let ids: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
    let primaries: HashMap<i64, db::petitions::PetitionRow> = db::petitions::find_many(conn, &ids)?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(found
        .into_iter()
        .filter_map(|(id, repeats)| {
            primaries.get(&id).map(|p| minhu_types::TrendCluster {
                petition_id: p.id,
                tracking_no: p.tracking_no.clone(),
                title: crate::domain::privacy::mask_text(&p.title),
                category_id: p.category_id,
                repeats,
                supporters: p.supporters,
            })
        })
        .collect())
}

/// The trends as CSV, one row per category or area.
fn trends_csv(t: &minhu_types::Trends) -> String {
    use crate::briefing::field;
    use std::fmt::Write;
    let pct = |c: Option<f64>| c.map(|c| format!("{:.1}%", c * 100.0)).unwrap_or_default();
    let mut s = String::from("\u{feff}key,label,count,previous,change,year_ago,yoy_change\n");
    for i in &t.items {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{}",
            field(&i.key),
            field(&i.label),
            i.count,
            i.previous,
            pct(i.change),
            i.year_ago,
            pct(i.yoy_change)
        );
    }
    s
}

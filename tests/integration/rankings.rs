//! Rankings against a small history computed by hand, and the rebuild reproducing the live
//! figures exactly.

use chrono::{NaiveDate, NaiveDateTime};
use minhu_types::{Ranking, RankingItem};
use serde_json::json;

use crate::city::City;
use crate::support::{both, TestApp};

/// Hour `h` of November `d`, 2026, in Shanghai, as the UTC instant it is.
fn nov(d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, d)
        .and_then(|x| x.and_hms_opt(h, 0, 0))
        .expect("valid")
        - chrono::Duration::hours(8)
}

fn item<'a>(r: &'a Ranking, name: &str) -> &'a RankingItem {
    r.items
        .iter()
        .find(|i| i.unit.name == name)
        .unwrap_or_else(|| panic!("{name} in {r:?}"))
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

async fn rankings_by_hand(app: TestApp) {
    let at = |t: NaiveDateTime| app.state.clock.set(Some(t));
    at(nov(1, 9));
    let c = City::build(&app).await;
    let res = app
        .request(actix_web::http::Method::PUT, "/api/v1/ranking-settings")
        .token(&c.admin)
        .json(json!({"weights": {"response": 0.1, "resolution": 0.5, "satisfaction": 0.4}, "min_valid_visits": 2, "cutoff_day": null}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let op = &c.operator;
    let rate = |s: &str, resolved: bool, contacted: bool| json!({"satisfaction": s, "resolved": resolved, "contacted": contacted});
    let reply = json!({"body": "已办理", "outcome": "resolved", "public": true});

    // A: 修武县 — signed on time, replied, basically satisfied (not resolved), sent back, replied
    // again by the new deadline, satisfied.
    let a = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    c.call(
        &app,
        op,
        &format!("/api/v1/petitions/{a}/accept"),
        json!({}),
        200,
    )
    .await;
    at(nov(2, 9));
    let p = c
        .call(
            &app,
            op,
            &format!("/api/v1/petitions/{a}/assignments"),
            json!({"unit_id": c.xiuwu_id, "role": "lead"}),
            201,
        )
        .await;
    let aa = p["assignments"][0]["id"].as_i64().expect("id");
    at(nov(2, 10));
    c.call(
        &app,
        &c.xiuwu,
        &format!("/api/v1/assignments/{aa}/sign"),
        json!({}),
        200,
    )
    .await;
    at(nov(5, 9));
    c.call(
        &app,
        &c.xiuwu,
        &format!("/api/v1/petitions/{a}/replies"),
        reply.clone(),
        201,
    )
    .await;
    at(nov(6, 9));
    c.call(
        &app,
        &c.citizen,
        &format!("/api/v1/petitions/{a}/rating"),
        rate("basically_satisfied", false, true),
        201,
    )
    .await;
    at(nov(7, 9));
    c.call(
        &app,
        op,
        &format!("/api/v1/petitions/{a}/redo"),
        json!({"reason": "未解决"}),
        200,
    )
    .await;
    at(nov(10, 9));
    c.call(
        &app,
        &c.xiuwu,
        &format!("/api/v1/petitions/{a}/replies"),
        reply.clone(),
        201,
    )
    .await;
    at(nov(11, 9));
    c.call(
        &app,
        &c.citizen,
        &format!("/api/v1/petitions/{a}/rating"),
        rate("satisfied", true, true),
        201,
    )
    .await;

    // B: 修武县 hands it down to 郇封镇, which replies; the citizen is dissatisfied and was not
    // contacted — that judges 郇封镇.
    at(nov(3, 9));
    let b = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    c.call(
        &app,
        op,
        &format!("/api/v1/petitions/{b}/accept"),
        json!({}),
        200,
    )
    .await;
    let p = c
        .call(
            &app,
            op,
            &format!("/api/v1/petitions/{b}/assignments"),
            json!({"unit_id": c.xiuwu_id, "role": "lead"}),
            201,
        )
        .await;
    let ba = p["assignments"][0]["id"].as_i64().expect("id");
    c.call(
        &app,
        &c.xiuwu,
        &format!("/api/v1/assignments/{ba}/sign"),
        json!({}),
        200,
    )
    .await;
    let down = c
        .call(
            &app,
            &c.xiuwu,
            &format!("/api/v1/assignments/{ba}/dispatch"),
            json!({"unit_id": c.huanfeng_id}),
            201,
        )
        .await;
    let bd = down["id"].as_i64().expect("id");
    at(nov(4, 9));
    c.call(
        &app,
        &c.huanfeng,
        &format!("/api/v1/assignments/{bd}/sign"),
        json!({}),
        200,
    )
    .await;
    at(nov(6, 9));
    c.call(
        &app,
        &c.huanfeng,
        &format!("/api/v1/petitions/{b}/replies"),
        reply.clone(),
        201,
    )
    .await;
    at(nov(8, 9));
    c.call(
        &app,
        &c.citizen,
        &format!("/api/v1/petitions/{b}/rating"),
        rate("dissatisfied", false, false),
        201,
    )
    .await;

    // C and D: 新华区. C is judged unreasonable afterwards; D gets a rating and a follow-up call.
    let mut xinhua = Vec::new();
    for _ in 0..2 {
        at(nov(4, 9));
        let id = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
        c.call(
            &app,
            op,
            &format!("/api/v1/petitions/{id}/accept"),
            json!({}),
            200,
        )
        .await;
        let p = c
            .call(
                &app,
                op,
                &format!("/api/v1/petitions/{id}/assignments"),
                json!({"unit_id": c.xinhua_id, "role": "lead"}),
                201,
            )
            .await;
        let aid = p["assignments"][0]["id"].as_i64().expect("id");
        c.call(
            &app,
            &c.xinhua,
            &format!("/api/v1/assignments/{aid}/sign"),
            json!({}),
            200,
        )
        .await;
        at(nov(5, 9));
        c.call(
            &app,
            &c.xinhua,
            &format!("/api/v1/petitions/{id}/replies"),
            reply.clone(),
            201,
        )
        .await;
        at(nov(6, 9));
        c.call(
            &app,
            &c.citizen,
            &format!("/api/v1/petitions/{id}/rating"),
            rate("satisfied", true, true),
            201,
        )
        .await;
        xinhua.push(id);
    }
    at(nov(7, 9));
    c.call(
        &app,
        op,
        &format!("/api/v1/petitions/{}/unreasonable", xinhua[0]),
        json!({"reason": "重复无理诉求"}),
        200,
    )
    .await;
    c.call(
        &app,
        op,
        &format!("/api/v1/petitions/{}/visits", xinhua[1]),
        rate("satisfied", true, true),
        201,
    )
    .await;

    at(nov(20, 9));
    let r: Ranking = app
        .get("/api/v1/rankings?period=2026-11&unit_kind=district")
        .send()
        .await
        .json();
    assert_eq!(
        (
            r.period.from.to_string().as_str(),
            r.period.to.to_string().as_str()
        ),
        ("2026-11-01", "2026-11-30")
    );
    let x = item(&r, "修武县");
    // received 2; signed 2 on time; due 2, both answered in time; 2 visits (A's two ratings):
    // contacted 2, resolved 1, satisfied 1, basically 1; replied twice, one redo.
    assert_eq!((x.received, x.valid_visits), (2, 2));
    assert!(close(x.on_time_sign_rate, 1.0) && close(x.on_time_rate, 1.0));
    assert!(close(x.response_rate, 1.0) && close(x.resolution_rate, 0.5));
    assert!(
        close(x.satisfaction_rate, 0.95),
        "(1 + 0.9 × 1) / 2: {:?}",
        x.satisfaction_rate
    );
    assert!(close(x.redo_rate, 0.5));
    assert!(
        close(x.score, 73.0),
        "100 × (0.1 × 1 + 0.5 × 0.5 + 0.4 × 0.95): {:?}",
        x.score
    );
    let n = item(&r, "新华区");
    // C is received but not scored: D's rating and follow-up call only.
    assert_eq!((n.received, n.valid_visits), (2, 2));
    assert!(close(n.score, 100.0));
    assert_eq!((n.rank, x.rank), (Some(1), Some(2)));
    assert!(r
        .items
        .iter()
        .all(|i| i.unit.kind == minhu_types::UnitKind::District));

    // The town: one visit, under the minimum of two: listed, not ranked.
    let r: Ranking = app
        .get("/api/v1/rankings?period=2026-11&unit_kind=town")
        .send()
        .await
        .json();
    let h = item(&r, "郇封镇");
    assert_eq!(
        (h.received, h.valid_visits, h.ranked, h.rank),
        (1, 1, false, None)
    );
    assert!(close(h.response_rate, 0.0) && close(h.score, 0.0));

    // 修武县 with its subtree: 3 visits — contacted 2, resolved 1, (1 + 0.9) satisfied.
    let r: Ranking = app
        .get("/api/v1/rankings?period=2026-11&unit_kind=district&include_children=true")
        .send()
        .await
        .json();
    let x = item(&r, "修武县");
    assert_eq!((x.received, x.valid_visits), (3, 3));
    let expected: f64 = 100.0 * (0.1 * 2.0 / 3.0 + 0.5 / 3.0 + 0.4 * 1.9 / 3.0);
    assert!(
        close(x.score, (expected * 100.0).round() / 100.0),
        "{:?} vs {expected}",
        x.score
    );

    // The town appeals; granted, B leaves its scoring (still received).
    c.call(
        &app,
        &c.huanfeng,
        &format!("/api/v1/petitions/{b}/appeal"),
        json!({"reason": "群众诉求超出职权"}),
        200,
    )
    .await;
    app.post(&format!("/api/v1/petitions/{b}/appeal"))
        .token(&c.huanfeng)
        .json(json!({"reason": "again"}))
        .send()
        .await
        .problem(409);
    app.post(&format!("/api/v1/petitions/{b}/appeal/grant"))
        .token(&c.huanfeng)
        .send()
        .await
        .problem(403);
    c.call(
        &app,
        op,
        &format!("/api/v1/petitions/{b}/appeal/grant"),
        json!({}),
        200,
    )
    .await;
    let r: Ranking = app
        .get("/api/v1/rankings?period=2026-11&unit_kind=town")
        .send()
        .await
        .json();
    let h = item(&r, "郇封镇");
    assert_eq!((h.received, h.valid_visits, h.score), (1, 0, None));

    // A cut-off day of the 5th: "2026-11" runs from 5 October to 4 November.
    app.request(actix_web::http::Method::PUT, "/api/v1/ranking-settings")
        .token(&c.admin)
        .json(json!({"weights": {"response": 0.1, "resolution": 0.5, "satisfaction": 0.4}, "min_valid_visits": 2, "cutoff_day": 5}))
        .send()
        .await;
    let r: Ranking = app
        .get("/api/v1/rankings?period=2026-11&unit_kind=district")
        .send()
        .await
        .json();
    assert_eq!(r.period.to.to_string(), "2026-11-04");
    let x = item(&r, "修武县");
    assert_eq!((x.received, x.valid_visits, x.ranked), (2, 0, false));
    // Weeks and ranges; bad periods are 422.
    let r: Ranking = app
        .get("/api/v1/rankings?period=2026-W45&unit_kind=district")
        .send()
        .await
        .json();
    assert_eq!(r.period.from.to_string(), "2026-11-02");
    let r: Ranking = app
        .get("/api/v1/rankings?from=2026-11-06&to=2026-11-06&unit_kind=district")
        .send()
        .await
        .json();
    assert_eq!(item(&r, "修武县").valid_visits, 1);
    app.get("/api/v1/rankings?period=2026-13")
        .send()
        .await
        .problem(422);
    app.get("/api/v1/rankings?from=2026-11-06")
        .send()
        .await
        .problem(422);
    app.request(actix_web::http::Method::PUT, "/api/v1/ranking-settings")
        .token(&c.operator)
        .json(json!({}))
        .send()
        .await
        .problem(403);

    // Rebuilding from the petitions reproduces the live figures exactly — daily rows, and the
    // monthly rollups a whole-month ranking reads.
    let month_before = app
        .get("/api/v1/rankings?period=2026-11&include_children=true")
        .send()
        .await
        .text();
    let range_before = app
        .get("/api/v1/rankings?from=2026-10-20&to=2026-11-30")
        .send()
        .await
        .text();
    let state = app.state.clone();
    let (live, rebuilt, again) = actix_web::web::block(move || {
        let mut conn = state.pool.get().expect("conn");
        let live = minhu::db::figures::all_unit_days(&mut conn).expect("live");
        let r = minhu::db::figures::rebuild(&mut conn, true).expect("rebuild");
        (
            live,
            r,
            minhu::db::figures::all_unit_days(&mut conn).expect("rebuilt"),
        )
    })
    .await
    .expect("block");
    assert_eq!(rebuilt.differing, 0, "{rebuilt:?}");
    assert_eq!(rebuilt.differences(), 0, "every kept table: {rebuilt:?}");
    assert_eq!(live, again);
    assert!(!live.is_empty());
    assert_eq!(
        app.get("/api/v1/rankings?period=2026-11&include_children=true")
            .send()
            .await
            .text(),
        month_before
    );
    assert_eq!(
        app.get("/api/v1/rankings?from=2026-10-20&to=2026-11-30")
            .send()
            .await
            .text(),
        range_before
    );
}

/// On the first day of a month the rankings open on the month that has ended, not the empty one.
async fn rankings_open_on_the_last_whole_month(app: TestApp) {
    app.state.clock.set(Some(
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .and_then(|d| d.and_hms_opt(2, 0, 0))
            .expect("time"),
    ));
    let r = app.get("/api/v1/rankings").send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.value()["period"],
        serde_json::json!({"from": "2026-11-01", "to": "2026-11-30"})
    );
}

both!(rankings_by_hand, rankings_open_on_the_last_whole_month);

async fn overview_and_briefings(app: TestApp) {
    let at = |t: NaiveDateTime| app.state.clock.set(Some(t));
    at(nov(16, 9));
    let c = City::build(&app).await;
    let op = &c.operator;
    // Monday 16th: three petitions — a help request dispatched, signed after 2 hours and
    // answered after 26; a complaint left waiting; a report rejected.
    let a = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    c.call(
        &app,
        op,
        &format!("/api/v1/petitions/{a}/accept"),
        json!({}),
        200,
    )
    .await;
    let p = c
        .call(
            &app,
            op,
            &format!("/api/v1/petitions/{a}/assignments"),
            json!({"unit_id": c.xiuwu_id, "role": "lead"}),
            201,
        )
        .await;
    let aa = p["assignments"][0]["id"].as_i64().expect("id");
    at(nov(16, 11));
    c.call(
        &app,
        &c.xiuwu,
        &format!("/api/v1/assignments/{aa}/sign"),
        json!({}),
        200,
    )
    .await;
    at(nov(17, 11));
    c.call(
        &app,
        &c.xiuwu,
        &format!("/api/v1/petitions/{a}/replies"),
        json!({"body": "已处理", "outcome": "resolved", "public": true}),
        201,
    )
    .await;
    c.call(
        &app,
        &c.citizen,
        &format!("/api/v1/petitions/{a}/rating"),
        json!({"satisfaction": "satisfied", "resolved": true, "contacted": true}),
        201,
    )
    .await;
    let b = c
        .submit(&app, json!({"kind": "complaint", "title": "烧烤油烟扰民"}))
        .await["id"]
        .as_i64()
        .expect("id");
    c.call(
        &app,
        op,
        &format!("/api/v1/petitions/{b}/accept"),
        json!({}),
        200,
    )
    .await;
    c.call(
        &app,
        op,
        &format!("/api/v1/petitions/{b}/assignments"),
        json!({"unit_id": c.xinhua_id, "role": "lead", "reply_by": "2026-11-18T00:00:00Z"}),
        201,
    )
    .await;
    let r = c.submit(&app, json!({"kind": "report"})).await["id"]
        .as_i64()
        .expect("id");
    c.call(
        &app,
        op,
        &format!("/api/v1/petitions/{r}/reject"),
        json!({"reason": "不属于受理范围"}),
        200,
    )
    .await;
    c.call(
        &app,
        &c.reporter,
        &format!("/api/v1/petitions/{a}/typical"),
        json!({"note": "助农典型"}),
        200,
    )
    .await;

    at(nov(23, 9));
    let o: minhu_types::Overview = app
        .get("/api/v1/stats/overview?from=2026-11-16&to=2026-11-22")
        .token(&c.leader)
        .send()
        .await
        .json();
    assert_eq!(o.total, 3);
    let n = |v: &[minhu_types::KeyCount], k: &str| v.iter().find(|x| x.key == k).map_or(0, |x| x.n);
    assert_eq!(
        (
            n(&o.by_status, "closed"),
            n(&o.by_status, "dispatched"),
            n(&o.by_status, "rejected")
        ),
        (1, 1, 1)
    );
    assert_eq!((n(&o.by_kind, "help"), n(&o.by_kind, "complaint")), (1, 1));
    assert_eq!(
        o.by_status
            .iter()
            .find(|x| x.key == "closed")
            .map(|x| x.label.as_str()),
        Some("已办结")
    );
    assert_eq!(n(&o.by_source, "app"), 3);
    assert_eq!(
        o.by_day.len(),
        2,
        "submitted on the 16th and 17th: {:?}",
        o.by_day
    );
    assert_eq!((o.open_now, o.overdue_now), (1, 1));
    assert_eq!(
        (o.avg_sign_hours, o.avg_reply_hours),
        (Some(2.0), Some(26.0))
    );
    app.get("/api/v1/stats/overview")
        .token(&c.xiuwu)
        .send()
        .await
        .problem(403);

    // Last week by default: the week of the 16th.
    let res = app.get("/api/v1/briefings").token(&c.leader).send().await;
    assert_eq!(res.status, 200, "{}", res.text());
    let b: minhu_types::Briefing = res.json();
    assert_eq!(b.period.from.to_string(), "2026-11-16");
    assert_eq!(
        (b.received, b.accepted, b.dispatched, b.replied, b.closed),
        (3, 2, 2, 1, 1)
    );
    assert_eq!(b.overdue.len(), 1);
    assert_eq!(b.overdue[0].unit.as_deref(), Some("新华区"));
    assert_eq!(b.typical.len(), 1);
    let x = b
        .by_unit
        .iter()
        .find(|u| u.unit.name == "修武县")
        .expect("修武县");
    assert_eq!((x.received, x.replied), (1, 1));

    let res = app
        .get("/api/v1/briefings?format=markdown")
        .token(&c.operator)
        .send()
        .await;
    assert_eq!(
        res.header("content-type"),
        Some("text/markdown; charset=utf-8")
    );
    assert_eq!(
        res.header("content-disposition"),
        Some("attachment; filename=\"minhu-briefing-2026-11-16_2026-11-22.md\"")
    );
    assert!(
        res.text()
            .contains("# 民呼必应 工作简报（2026-11-16 至 2026-11-22）")
            && res.text().contains("烧烤油烟扰民")
    );
    let res = app
        .get("/api/v1/briefings?format=csv&from=2026-11-16&to=2026-11-22")
        .token(&c.reporter)
        .send()
        .await;
    assert_eq!(res.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(res.text().contains("totals,received,3,"), "{}", res.text());
    app.get("/api/v1/briefings?format=pdf")
        .token(&c.leader)
        .send()
        .await
        .problem(400);
    app.get("/api/v1/briefings?from=2026-11-22&to=2026-11-16")
        .token(&c.leader)
        .send()
        .await
        .problem(422);
    app.get("/api/v1/briefings")
        .token(&c.citizen)
        .send()
        .await
        .problem(403);

    // Rebuilt daily counts match the live ones.
    let before = app
        .get("/api/v1/stats/overview?from=2026-11-16&to=2026-11-22")
        .token(&c.leader)
        .send()
        .await
        .text();
    let brief_before = app
        .get("/api/v1/briefings")
        .token(&c.leader)
        .send()
        .await
        .text();
    let state = app.state.clone();
    actix_web::web::block(move || {
        minhu::db::figures::rebuild(&mut state.pool.get().expect("conn"), true).expect("rebuild")
    })
    .await
    .expect("block");
    assert_eq!(
        app.get("/api/v1/stats/overview?from=2026-11-16&to=2026-11-22")
            .token(&c.leader)
            .send()
            .await
            .text(),
        before
    );
    assert_eq!(
        app.get("/api/v1/briefings")
            .token(&c.leader)
            .send()
            .await
            .text(),
        brief_before
    );
}

both!(overview_and_briefings);

/// Every kept figure equals the figure recomputed from the petitions — after the demo city's
/// history and after the background jobs closed what nobody rated (they once closed petitions
/// without moving the figures: 225 closed and 25 replied counted against 245 and 5).
async fn kept_figures_match_the_petitions_after_a_job_run(app: TestApp) {
    let state = app.state.clone();
    let (seeded, after_jobs, closed) = actix_web::web::block(move || {
        let mut conn = state.pool.get().expect("conn");
        minhu::seed::seed(&mut conn, 120, 60).expect("seed");
        let seeded = minhu::db::figures::rebuild(&mut conn, false).expect("check");
        // A month on: everything replied is past the rating period.
        let later = minhu::db::now() + chrono::Duration::days(30);
        let report = minhu::jobs::run(&mut conn, later, 7)
            .expect("jobs")
            .expect("ran");
        let after = minhu::db::figures::rebuild(&mut conn, false).expect("check");
        (seeded, after, report.auto_closed)
    })
    .await
    .expect("block");
    assert_eq!(seeded.differences(), 0, "{seeded:?}");
    assert!(
        closed > 0,
        "the jobs closed nothing: the test would prove nothing"
    );
    assert_eq!(after_jobs.differences(), 0, "{after_jobs:?}");
}

both!(kept_figures_match_the_petitions_after_a_job_run);

/// Trends: a month against the one before (环比) and a year earlier (同比), by category and by
/// area, the fastest risers first, as JSON and CSV; for leaders, the press and the hotline office.
async fn trends_compare_with_the_period_before_and_a_year_earlier(app: TestApp) {
    use minhu_types::Trends;
    let c = City::build(&app).await;
    let res = app
        .post("/api/v1/categories")
        .token(&c.admin)
        .json(serde_json::json!({"name": "路灯", "code": "11"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let lights = res.value()["id"].as_i64().expect("id");
    let at = |y, m, d| {
        chrono::NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(2, 0, 0))
            .expect("time")
    };
    for (when, n, category) in [
        (at(2025, 11, 10), 1, c.category_id),
        (at(2026, 10, 10), 2, c.category_id),
        (at(2026, 11, 10), 4, c.category_id),
        (at(2026, 11, 12), 1, lights),
    ] {
        app.state.clock.set(Some(when));
        for _ in 0..n {
            let id = c
                .submit(&app, serde_json::json!({"category_id": category}))
                .await["id"]
                .as_i64()
                .expect("id");
            if when >= at(2026, 11, 1) {
                c.accept(&app, id).await;
                c.dispatch(&app, id, c.xiuwu_id).await;
            }
        }
    }
    app.state.clock.set(Some(at(2026, 12, 1)));
    let get = |token: String, query: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/api/v1/stats/trends{query}"))
                .token(&token)
                .send()
                .await
        }
    };
    let res = get(c.leader.clone(), "").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let t: Trends = res.json();
    assert_eq!(
        t.period.from.to_string(),
        "2026-11-01",
        "the last whole month"
    );
    let farm = &t.items[0];
    assert_eq!(
        (
            farm.label.as_str(),
            farm.count,
            farm.previous,
            farm.year_ago
        ),
        ("助农", 4, 2, 1)
    );
    assert_eq!((farm.change, farm.yoy_change), (Some(1.0), Some(3.0)));
    let lamp = t.items.iter().find(|i| i.label == "路灯").expect("路灯");
    assert_eq!((lamp.count, lamp.previous, lamp.change), (1, 0, None));
    let rising: Vec<&str> = t.rising.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(rising, ["助农", "路灯"]);

    let t: Trends = get(c.reporter.clone(), "?period=2026-11&by=area")
        .await
        .json();
    let xiuwu = t
        .items
        .iter()
        .find(|i| i.label == "修武县")
        .expect("修武县");
    assert_eq!((xiuwu.count, xiuwu.previous), (5, 0));
    let res = get(c.operator.clone(), "?period=2026-W46&format=csv").await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert!(res
        .header("content-type")
        .unwrap_or("")
        .starts_with("text/csv"));
    assert!(res.text().contains("助农"), "{}", res.text());
    get(c.leader.clone(), "?period=2026-13").await.problem(422);
    get(c.citizen.clone(), "").await.problem(403);
    get(c.xiuwu.clone(), "").await.problem(403);
}

both!(trends_compare_with_the_period_before_and_a_year_earlier);

/// Repeat clusters in the trends: the period's petitions the hotline office merged into one,
/// by that one, most repeated first, its title masked; merges of another period do not count.
async fn trends_name_the_matters_raised_again_and_again(app: TestApp) {
    use minhu_types::Trends;
    let c = City::build(&app).await;
    let at = |m, d| {
        chrono::NaiveDate::from_ymd_opt(2026, m, d)
            .and_then(|d| d.and_hms_opt(2, 0, 0))
            .expect("time")
    };
    let submit = |title: &'static str| {
        let (app, c) = (&app, &c);
        async move {
            c.submit(app, serde_json::json!({"title": title})).await["id"]
                .as_i64()
                .expect("id")
        }
    };
    let merge = |from: i64, into: i64| {
        let (app, c) = (&app, &c);
        async move {
            c.call(
                app,
                &c.operator,
                &format!("/api/v1/petitions/{from}/merge"),
                serde_json::json!({"into_id": into}),
                200,
            )
            .await;
        }
    };
    app.state.clock.set(Some(at(10, 20)));
    let lamp = submit("东门路灯不亮，联系13912345678").await;
    let noise = submit("夜间施工噪音").await;
    let old_repeat = submit("东门路灯还是不亮").await;
    merge(old_repeat, lamp).await;
    app.state.clock.set(Some(at(11, 5)));
    for _ in 0..3 {
        let again = submit("东门路灯坏了").await;
        merge(again, lamp).await;
    }
    let again = submit("工地夜里还在施工").await;
    merge(again, noise).await;
    submit("一件只说一次的事").await;

    app.state.clock.set(Some(at(12, 1)));
    let res = app
        .get("/api/v1/stats/trends?period=2026-11")
        .token(&c.reporter)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let t: Trends = res.json();
    let clusters: Vec<(i64, i64)> = t
        .clusters
        .iter()
        .map(|k| (k.petition_id, k.repeats))
        .collect();
    assert_eq!(clusters, [(lamp, 3), (noise, 1)]);
    assert!(
        !t.clusters[0].title.contains("13912345678") && t.clusters[0].title.contains("东门路灯"),
        "{}",
        t.clusters[0].title
    );
    let t: Trends = app
        .get("/api/v1/stats/trends?period=2026-10")
        .token(&c.leader)
        .send()
        .await
        .json();
    let october: Vec<(i64, i64)> = t
        .clusters
        .iter()
        .map(|k| (k.petition_id, k.repeats))
        .collect();
    assert_eq!(october, [(lamp, 1)]);
}

both!(trends_name_the_matters_raised_again_and_again);

/// On PostgreSQL the figure tables are partitioned by month (the monthly ones by year): a day's
/// figures land in its month's partition; a day outside the kept months lands in the default
/// partition and stays readable; the jobs keep the months to come; the kept figures still equal
/// the recomputed ones. SQLite keeps plain tables.
async fn figures_live_in_monthly_partitions_on_postgres(app: TestApp) {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let c = City::build(&app).await;
    c.submit(&app, json!({})).await;
    let state = app.state.clone();
    actix_web::web::block(move || {
        let mut conn = state.pool.get().expect("conn");
        let pg = match &mut *conn {
            minhu::db::DbConn::Pg(pg) => pg,
            minhu::db::DbConn::Sqlite(lite) => {
                // Plain tables there: no partitions beside them.
                let tables = diesel::sql_query(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'day_action_counts%'",
                )
                .load::<Name>(lite)
                .expect("query");
                assert_eq!(tables.into_iter().map(|n| n.name).collect::<Vec<_>>(), ["day_action_counts"]);
                return;
            }
        };
        let today = minhu::domain::calendar::local_date(minhu::db::now());
        let home = |pg: &mut diesel::PgConnection, sql: String| {
            diesel::sql_query(sql)
                .load::<Name>(pg)
                .expect("query")
                .into_iter()
                .map(|n| n.name)
                .collect::<Vec<_>>()
        };
        let month = today.format("%Y_%m").to_string();
        assert_eq!(
            home(pg, format!("SELECT DISTINCT tableoid::regclass::text AS name FROM day_action_counts WHERE day = '{today}'")),
            [format!("day_action_counts_{month}")]
        );
        assert_eq!(
            home(pg, format!("SELECT DISTINCT tableoid::regclass::text AS name FROM petition_month_counts WHERE month = '{}'", today.format("%Y-%m"))),
            [format!("petition_month_counts_{}", today.format("%Y"))]
        );
        // Far ahead: the default partition takes it, and adding that month later keeps it there.
        diesel::sql_query("INSERT INTO day_action_counts (day, action, n) VALUES ('2099-01-02', 'submit', 1)")
            .execute(pg)
            .expect("insert");
        diesel::sql_query("SELECT minhu_add_partition('day_action_counts', '2099-01')")
            .execute(pg)
            .expect("a month the default partition holds rows of is left there");
        assert_eq!(
            home(pg, "SELECT tableoid::regclass::text AS name FROM day_action_counts WHERE day = '2099-01-02'".into()),
            ["day_action_counts_default"]
        );
        diesel::sql_query("DELETE FROM day_action_counts WHERE day = '2099-01-02'")
            .execute(pg)
            .expect("delete");
        // The jobs keep a year of months ahead.
        minhu::jobs::run(&mut conn, minhu::db::now(), 7)
            .expect("jobs")
            .expect("ran");
        let minhu::db::DbConn::Pg(pg) = &mut *conn else {
            unreachable!()
        };
        let ahead = today + chrono::Months::new(12);
        for table in ["unit_day_figures", "day_figures", "petition_day_counts", "day_action_counts"] {
            let name = format!("{table}_{}", ahead.format("%Y_%m"));
            assert_eq!(
                home(pg, format!("SELECT coalesce(to_regclass('{name}')::text, 'missing') AS name")),
                std::slice::from_ref(&name)
            );
        }
        let check = minhu::db::figures::rebuild(&mut conn, false).expect("check");
        assert_eq!(check.differences(), 0, "{check:?}");
    })
    .await
    .expect("block");
}

both!(figures_live_in_monthly_partitions_on_postgres);

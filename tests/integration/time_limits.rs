//! Deadlines, lights, the supervision board and the background jobs — at the moments that
//! matter, by setting the server's clock rather than waiting.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use minhu_types::{Assignment, Light, Page, Petition, SupervisionBoard};
use serde_json::{json, Value};

use crate::city::City;
use crate::support::{both, TestApp};

/// Monday 23 November 2026, 09:00 in Shanghai.
fn monday_9am() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 23)
        .and_then(|d| d.and_hms_opt(1, 0, 0))
        .expect("valid")
}

fn at(app: &TestApp, t: NaiveDateTime) {
    app.state.clock.set(Some(t));
}

fn utc(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Submits, accepts and dispatches to 修武县 as lead; returns the petition after dispatch.
async fn dispatched(app: &TestApp, c: &City, extra: Value) -> Value {
    let id = c.submit(app, extra).await["id"].as_i64().expect("id");
    c.call(
        app,
        &c.operator,
        &format!("/api/v1/petitions/{id}/accept"),
        json!({}),
        200,
    )
    .await;
    c.call(
        app,
        &c.operator,
        &format!("/api/v1/petitions/{id}/assignments"),
        json!({"unit_id": c.xiuwu_id, "role": "lead"}),
        201,
    )
    .await
}

fn deadline(p: &Value, field: &str) -> NaiveDateTime {
    chrono::DateTime::parse_from_rfc3339(p["assignments"][0][field].as_str().expect(field))
        .expect("rfc3339")
        .naive_utc()
}

async fn deadlines_follow_the_policies(app: TestApp) {
    at(&app, monday_9am());
    let c = City::build(&app).await;
    let t = monday_9am();

    let p = dispatched(&app, &c, json!({"urgency": "emergency"})).await;
    assert_eq!(deadline(&p, "sign_by"), t + Duration::minutes(30));
    assert_eq!(
        deadline(&p, "reply_by"),
        t + Duration::hours(2),
        "an emergency is due in 2 hours"
    );
    assert_eq!(p["reply_by"], p["assignments"][0]["reply_by"]);

    let p = dispatched(&app, &c, json!({})).await;
    assert_eq!(
        deadline(&p, "reply_by"),
        t + Duration::days(7),
        "a normal order 7 days later"
    );
    // Signing within 1 working day: by the end of Tuesday, Shanghai time.
    assert_eq!(
        deadline(&p, "sign_by"),
        NaiveDate::from_ymd_opt(2026, 11, 24)
            .and_then(|d| d.and_hms_opt(16, 0, 0))
            .expect("valid")
    );

    let p = dispatched(&app, &c, json!({"kind": "report"})).await;
    assert_eq!(
        deadline(&p, "reply_by"),
        t + Duration::days(15),
        "complex (举报) orders 15 days"
    );

    // The emergency platforms' policy: contact in 1 hour, urgent solved in 3, all in 7 hours,
    // feedback within 1 day — for one category, made by an administrator.
    let covid = app
        .post("/api/v1/categories")
        .token(&c.admin)
        .json(json!({"name": "疫情防控"}))
        .send()
        .await
        .value()["id"]
        .as_i64()
        .expect("id");
    for (urgency, hours) in [(Value::Null, 7), (json!("urgent"), 3)] {
        let res = app
            .post("/api/v1/deadline-policies")
            .token(&c.admin)
            .json(json!({"name": "疫情防控", "category_id": covid, "urgency": urgency,
                "sign_within": {"amount": 1, "unit": "hours"}, "reply_within": {"amount": hours, "unit": "hours"},
                "visit_within": {"amount": 1, "unit": "days"}}))
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
    }
    let p = dispatched(&app, &c, json!({"category_id": covid})).await;
    assert_eq!(
        (deadline(&p, "sign_by"), deadline(&p, "reply_by")),
        (t + Duration::hours(1), t + Duration::hours(7))
    );
    let p = dispatched(&app, &c, json!({"category_id": covid, "urgency": "urgent"})).await;
    assert_eq!(deadline(&p, "reply_by"), t + Duration::hours(3));
    let p = dispatched(
        &app,
        &c,
        json!({"category_id": covid, "urgency": "emergency"}),
    )
    .await;
    assert_eq!(
        deadline(&p, "reply_by"),
        t + Duration::hours(2),
        "an emergency is an emergency in any category"
    );

    // The same keys twice: 409. Only administrators edit; staff read.
    let res = app
        .post("/api/v1/deadline-policies")
        .token(&c.admin)
        .json(json!({"name": "重复", "category_id": covid, "sign_within": {"amount": 1, "unit": "hours"}, "reply_within": {"amount": 2, "unit": "hours"}}))
        .send()
        .await;
    assert_eq!(res.problem(409).code, "policy_exists");
    let res = app
        .post("/api/v1/deadline-policies")
        .token(&c.admin)
        .json(json!({"name": "x", "sign_within": {"amount": 0, "unit": "hours"}, "reply_within": {"amount": 2, "unit": "fortnights"}}))
        .send()
        .await;
    res.problem(422);
    app.post("/api/v1/deadline-policies")
        .token(&c.operator)
        .json(json!({}))
        .send()
        .await
        .problem(403);
    let list: Vec<Value> = app
        .get("/api/v1/deadline-policies")
        .token(&c.operator)
        .send()
        .await
        .json();
    assert_eq!(list.len(), 5);
    app.get("/api/v1/deadline-policies")
        .token(&c.citizen)
        .send()
        .await
        .problem(403);

    // An explicit deadline in the past is refused; in the future it wins over the policy.
    let id = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    c.call(
        &app,
        &c.operator,
        &format!("/api/v1/petitions/{id}/accept"),
        json!({}),
        200,
    )
    .await;
    let res = app
        .post(&format!("/api/v1/petitions/{id}/assignments"))
        .token(&c.operator)
        .json(json!({"unit_id": c.xiuwu_id, "role": "lead", "reply_by": utc(t - Duration::minutes(1))}))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "reply_by");
    let p = c
        .call(
            &app,
            &c.operator,
            &format!("/api/v1/petitions/{id}/assignments"),
            json!({"unit_id": c.xiuwu_id, "role": "lead", "reply_by": utc(t + Duration::days(3))}),
            201,
        )
        .await;
    assert_eq!(deadline(&p, "reply_by"), t + Duration::days(3));
}

async fn the_calendar_moves_working_day_deadlines(app: TestApp) {
    // Wednesday 30 September 2026, 15:00 in Shanghai: before the National Day week.
    let t = NaiveDate::from_ymd_opt(2026, 9, 30)
        .and_then(|d| d.and_hms_opt(7, 0, 0))
        .expect("valid");
    at(&app, t);
    let c = City::build(&app).await;
    let days: Vec<Value> = app
        .get("/api/v1/calendar?year=2026")
        .token(&c.operator)
        .send()
        .await
        .json();
    assert!(days
        .iter()
        .any(|d| d["date"] == "2026-10-01" && d["working"] == false && d["name"] == "国庆节"));
    assert!(days
        .iter()
        .any(|d| d["date"] == "2026-10-10" && d["working"] == true));
    // Signing within 1 working day across the holiday: by the end of Thursday 8 October (a
    // 15-day order, so its reply deadline does not cap it).
    let p = dispatched(&app, &c, json!({"kind": "report"})).await;
    assert_eq!(
        deadline(&p, "sign_by"),
        NaiveDate::from_ymd_opt(2026, 10, 8)
            .and_then(|d| d.and_hms_opt(16, 0, 0))
            .expect("valid")
    );
    // An administrator declares 8 October a holiday too: the next order signs by the 9th.
    let res = app
        .request(actix_web::http::Method::PUT, "/api/v1/calendar/2026-10-08")
        .token(&c.admin)
        .json(json!({"working": false, "name": "临时调整"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let p = dispatched(&app, &c, json!({"kind": "report"})).await;
    assert_eq!(
        deadline(&p, "sign_by"),
        NaiveDate::from_ymd_opt(2026, 10, 9)
            .and_then(|d| d.and_hms_opt(16, 0, 0))
            .expect("valid")
    );
    let res = app
        .request(
            actix_web::http::Method::DELETE,
            "/api/v1/calendar/2026-10-08",
        )
        .token(&c.admin)
        .send()
        .await;
    assert_eq!(res.status, 204);
    app.request(
        actix_web::http::Method::DELETE,
        "/api/v1/calendar/2026-10-08",
    )
    .token(&c.admin)
    .send()
    .await
    .problem(404);
    app.request(actix_web::http::Method::PUT, "/api/v1/calendar/2026-13-01")
        .token(&c.admin)
        .json(json!({"working": false, "name": "x"}))
        .send()
        .await
        .problem(404);
}

async fn lights_turn_at_the_right_moments(app: TestApp) {
    let t = monday_9am();
    at(&app, t);
    let c = City::build(&app).await;
    let p = dispatched(&app, &c, json!({"urgency": "emergency"})).await;
    let id = p["id"].as_i64().expect("id");
    let aid = p["assignments"][0]["id"].as_i64().expect("assignment");
    let path = format!("/api/v1/petitions/{id}");
    let light = || {
        let (app, path, token) = (&app, path.clone(), c.operator.clone());
        async move {
            let p: Petition = app.get(&path).token(&token).send().await.json();
            (p.light, p.assignments[0].light)
        }
    };
    at(&app, t + Duration::minutes(95));
    assert_eq!(light().await, (Some(Light::Green), Light::Green));
    at(&app, t + Duration::minutes(97));
    assert_eq!(
        light().await,
        (Some(Light::Yellow), Light::Yellow),
        "24 minutes (a fifth of 2 hours) before"
    );
    let yellow: Page<Petition> = app
        .get("/api/v1/petitions?light=yellow")
        .token(&c.operator)
        .send()
        .await
        .json();
    assert_eq!(yellow.total, 1);
    at(&app, t + Duration::minutes(121));
    assert_eq!(light().await, (Some(Light::Red), Light::Red));

    // A normal order alongside, still green; the filters tell them apart.
    let q = dispatched(&app, &c, json!({})).await;
    let count = |path: &'static str, token: String| {
        let app = &app;
        async move {
            app.get(path).token(&token).send().await.value()["total"]
                .as_i64()
                .unwrap_or(-1)
        }
    };
    assert_eq!(
        count("/api/v1/petitions?overdue=true", c.operator.clone()).await,
        1
    );
    assert_eq!(
        count("/api/v1/petitions?light=red", c.operator.clone()).await,
        1
    );
    assert_eq!(
        count("/api/v1/petitions?light=green", c.operator.clone()).await,
        1
    );
    assert_eq!(
        count("/api/v1/assignments?overdue=true", c.xiuwu.clone()).await,
        1
    );
    assert_eq!(
        count("/api/v1/assignments?light=green", c.xiuwu.clone()).await,
        1
    );
    app.get("/api/v1/petitions?overdue=true&light=green")
        .token(&c.operator)
        .send()
        .await
        .problem(422);

    // Signed late, replied late: recorded.
    c.call(
        &app,
        &c.xiuwu,
        &format!("/api/v1/assignments/{aid}/sign"),
        json!({}),
        200,
    )
    .await;
    c.call(
        &app,
        &c.xiuwu,
        &format!("/api/v1/petitions/{id}/replies"),
        json!({"body": "已处理", "outcome": "resolved", "public": false}),
        201,
    )
    .await;
    let p: Petition = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&c.operator)
        .send()
        .await
        .json();
    let a = &p.assignments[0];
    assert_eq!(
        (a.signed_on_time, a.replied_on_time, a.light),
        (Some(false), Some(false), Light::Green)
    );
    assert_eq!(p.light, None, "no deadline runs once replied");

    // The normal order: signed on time; yellow two working days before; an extension turns it green.
    let qid = q["id"].as_i64().expect("id");
    let qa = q["assignments"][0]["id"].as_i64().expect("assignment");
    c.call(
        &app,
        &c.xiuwu,
        &format!("/api/v1/assignments/{qa}/sign"),
        json!({}),
        200,
    )
    .await;
    at(&app, t + Duration::days(4) + Duration::hours(16)); // Friday 27th, 01:00 Shanghai
    let a: Page<Assignment> = app
        .get("/api/v1/assignments?light=yellow")
        .token(&c.xiuwu)
        .send()
        .await
        .json();
    assert_eq!(a.total, 1);
    assert_eq!(a.items[0].signed_on_time, Some(true));
    c.call(
        &app,
        &c.xiuwu,
        &format!("/api/v1/assignments/{qa}/extension"),
        json!({"days": 5, "reason": "需要协调"}),
        200,
    )
    .await;
    let a = c
        .call(
            &app,
            &c.operator,
            &format!("/api/v1/assignments/{qa}/extension/approve"),
            json!({}),
            200,
        )
        .await;
    assert_eq!(a["light"], "green");
    let p: Petition = app
        .get(&format!("/api/v1/petitions/{qid}"))
        .token(&c.operator)
        .send()
        .await
        .json();
    assert_eq!(p.light, Some(Light::Green));
}

async fn the_supervision_board(app: TestApp) {
    let t = monday_9am();
    at(&app, t);
    let c = City::build(&app).await;
    let red = dispatched(&app, &c, json!({"urgency": "emergency"})).await;
    let _green = dispatched(&app, &c, json!({})).await;
    let other = c.submit(&app, json!({"urgency": "emergency"})).await["id"]
        .as_i64()
        .expect("id");
    c.call(
        &app,
        &c.operator,
        &format!("/api/v1/petitions/{other}/accept"),
        json!({}),
        200,
    )
    .await;
    c.call(
        &app,
        &c.operator,
        &format!("/api/v1/petitions/{other}/assignments"),
        json!({"unit_id": c.xinhua_id, "role": "lead"}),
        201,
    )
    .await;
    c.call(
        &app,
        &c.leader,
        &format!("/api/v1/petitions/{other}/supervise"),
        json!({"note": "限期办结"}),
        200,
    )
    .await;
    // 2 h 1 min later: both emergencies red; 修武县's normal order still green.
    at(&app, t + Duration::minutes(121));
    let board: SupervisionBoard = app
        .get("/api/v1/supervision")
        .token(&c.operator)
        .send()
        .await
        .json();
    let row = |name: &str| {
        board
            .units
            .iter()
            .find(|u| u.unit.name == name)
            .map(|u| (u.open, u.yellow, u.red))
    };
    assert_eq!(row("修武县"), Some((2, 0, 1)));
    assert_eq!(row("新华区"), Some((1, 0, 1)));
    assert_eq!(board.urgent.len(), 2);
    assert_eq!(board.urgent[0].petition.id, red["id"].as_i64().expect("id"));
    assert_eq!(board.supervised.len(), 1);
    assert_eq!(board.supervised[0].id, other);
    // Leaders see it masked; units and citizens not at all.
    let board: SupervisionBoard = app
        .get("/api/v1/supervision")
        .token(&c.leader)
        .send()
        .await
        .json();
    assert!(board.supervised[0].masked);
    app.get("/api/v1/supervision")
        .token(&c.xiuwu)
        .send()
        .await
        .problem(403);
    app.get("/api/v1/supervision")
        .token(&c.citizen)
        .send()
        .await
        .problem(403);
}

/// Runs the jobs at `now` on a pooled connection.
async fn run_jobs(app: &TestApp, now: NaiveDateTime) -> Option<minhu::jobs::Report> {
    let state = app.state.clone();
    actix_web::web::block(move || {
        let mut conn = state.pool.get().expect("conn");
        minhu::jobs::run(&mut conn, now, 7).expect("jobs")
    })
    .await
    .expect("block")
}

async fn auto_close_and_overdue_marks(app: TestApp) {
    let t = monday_9am();
    at(&app, t);
    let c = City::build(&app).await;
    let p = dispatched(&app, &c, json!({})).await;
    let id = p["id"].as_i64().expect("id");
    let aid = p["assignments"][0]["id"].as_i64().expect("assignment");
    let late = dispatched(&app, &c, json!({"urgency": "emergency"})).await;
    c.call(
        &app,
        &c.xiuwu,
        &format!("/api/v1/assignments/{aid}/sign"),
        json!({}),
        200,
    )
    .await;
    c.call(
        &app,
        &c.xiuwu,
        &format!("/api/v1/petitions/{id}/replies"),
        json!({"body": "已处理", "outcome": "resolved", "public": true}),
        201,
    )
    .await;

    // Within the rating period: nothing closes; the overdue emergency is marked once.
    let r = run_jobs(&app, t + Duration::days(6)).await.expect("ran");
    assert_eq!((r.auto_closed, r.marked_overdue), (0, 1));
    assert_eq!(
        run_jobs(&app, t + Duration::days(6)).await,
        Some(minhu::jobs::Report::default()),
        "idempotent"
    );
    let lid = late["id"].as_i64().expect("id");
    let events: Vec<Value> = app
        .get(&format!("/api/v1/petitions/{lid}/events"))
        .token(&c.operator)
        .send()
        .await
        .json();
    assert_eq!(
        events.iter().filter(|e| e["action"] == "overdue").count(),
        1
    );

    // After 7 days without a rating: closed, without a valid visit.
    let r = run_jobs(&app, t + Duration::days(8)).await.expect("ran");
    assert_eq!(r.auto_closed, 1);
    let p: Petition = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&c.citizen)
        .send()
        .await
        .json();
    assert_eq!(
        (p.status, p.auto_closed, p.visits.len()),
        (minhu_types::PetitionStatus::Closed, true, 0)
    );
    let events: Vec<Value> = app
        .get(&format!("/api/v1/petitions/{id}/events"))
        .token(&c.operator)
        .send()
        .await
        .json();
    let last = events.last().expect("events");
    assert_eq!(
        (last["action"].as_str(), last["actor_role"].as_str()),
        (Some("auto_close"), Some("system"))
    );
    assert_eq!(
        run_jobs(&app, t + Duration::days(9)).await,
        Some(minhu::jobs::Report::default())
    );
    // The citizen can no longer rate it; the operator can still send it back.
    let res = app
        .post(&format!("/api/v1/petitions/{id}/rating"))
        .token(&c.citizen)
        .json(json!({"satisfaction": "satisfied", "resolved": true, "contacted": true}))
        .send()
        .await;
    res.problem(409);
}

async fn two_job_runners_never_close_an_order_twice(app: TestApp) {
    let t = monday_9am();
    at(&app, t);
    let c = City::build(&app).await;
    let mut ids = Vec::new();
    for _ in 0..12 {
        let id = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
        c.call(
            &app,
            &c.operator,
            &format!("/api/v1/petitions/{id}/answer"),
            json!({"body": "已答复", "outcome": "explained", "public": false}),
            200,
        )
        .await;
        ids.push(id);
    }
    let later = t + Duration::days(8);
    let (a, b) = futures_util::future::join(run_jobs(&app, later), run_jobs(&app, later)).await;
    let closed = a.map_or(0, |r| r.auto_closed) + b.map_or(0, |r| r.auto_closed);
    assert_eq!(closed, 12, "{a:?} {b:?}");
    for id in ids {
        let events: Vec<Value> = app
            .get(&format!("/api/v1/petitions/{id}/events"))
            .token(&c.operator)
            .send()
            .await
            .json();
        assert_eq!(
            events
                .iter()
                .filter(|e| e["action"] == "auto_close")
                .count(),
            1
        );
    }
}

both!(
    deadlines_follow_the_policies,
    the_calendar_moves_working_day_deadlines,
    lights_turn_at_the_right_moments,
    the_supervision_board,
    auto_close_and_overdue_marks,
    two_job_runners_never_close_an_order_twice,
);

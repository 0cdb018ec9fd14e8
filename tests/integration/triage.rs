//! The dispatch catalogue (派单目录): rules, which win, suggestions, automatic dispatch.

use minhu_types::{DispatchRule, Page, Suggestions};
use serde_json::{json, Value};

use crate::city::City;
use crate::support::{both, TestApp};

async fn rule(app: &TestApp, admin: &str, body: Value) -> i64 {
    let res = app
        .post("/api/v1/dispatch-rules")
        .token(admin)
        .json(body)
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    res.json::<DispatchRule>().id
}

/// `GET /petitions/{id}/suggestions` as `token` (also used by the repeat tests).
pub(crate) async fn suggestions(app: &TestApp, token: &str, id: i64) -> Suggestions {
    let res = app
        .get(&format!("/api/v1/petitions/{id}/suggestions"))
        .token(token)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()
}

async fn the_most_specific_rule_wins_and_can_dispatch(app: TestApp) {
    let city = City::build(&app).await;
    // A subcategory under the city's category.
    let res = app
        .post("/api/v1/categories")
        .token(&city.admin)
        .json(json!({"name": "农产品销售", "parent_id": city.category_id}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let child = res.value()["id"].as_i64().expect("id");

    let anywhere = rule(
        &app,
        &city.admin,
        json!({"category_id": city.category_id, "unit_id": city.xinhua_id, "role": "lead"}),
    )
    .await;
    let narrower = rule(
        &app,
        &city.admin,
        json!({"category_id": child, "unit_id": city.xiuwu_id, "role": "lead"}),
    )
    .await;
    let in_town = rule(&app, &city.admin, json!({"category_id": city.category_id, "area_unit_id": city.huanfeng_id, "unit_id": city.huanfeng_id, "role": "lead"})).await;
    let helper = rule(&app, &city.admin, json!({"category_id": city.category_id, "area_unit_id": city.huanfeng_id, "unit_id": city.xinhua_id, "role": "assist"})).await;

    // In 郇封镇 (by its address): the area rules win over the narrower category, lead first.
    let here = city.submit(&app, json!({"category_id": child})).await["id"]
        .as_i64()
        .expect("id");
    let s = suggestions(&app, &city.operator, here).await;
    let got: Vec<(i64, i64, &str)> = s
        .units
        .iter()
        .map(|u| (u.rule_id, u.unit.id, u.role.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (in_town, city.huanfeng_id, "lead"),
            (helper, city.xinhua_id, "assist")
        ]
    );
    assert!(s.duplicates.is_empty() && s.articles.is_empty());
    // Elsewhere: the narrower category; in the parent category elsewhere: the general rule.
    let elsewhere = city
        .submit(
            &app,
            json!({"category_id": child, "address": "新华区解放中路1号"}),
        )
        .await["id"]
        .as_i64()
        .expect("id");
    let s = suggestions(&app, &city.operator, elsewhere).await;
    assert_eq!(
        s.units.iter().map(|u| u.rule_id).collect::<Vec<_>>(),
        [narrower]
    );
    let general = city
        .submit(&app, json!({"address": "新华区解放中路2号"}))
        .await["id"]
        .as_i64()
        .expect("id");
    let s = suggestions(&app, &city.operator, general).await;
    assert_eq!(
        s.units.iter().map(|u| u.rule_id).collect::<Vec<_>>(),
        [anywhere]
    );

    // Off by default: accepting leaves the petition for the operator.
    let accept = |id: i64| {
        let app = &app;
        let token = city.operator.clone();
        async move {
            let res = app
                .post(&format!("/api/v1/petitions/{id}/accept"))
                .token(&token)
                .json(json!({}))
                .send()
                .await;
            assert_eq!(res.status, 200, "{}", res.text());
            res.value()
        }
    };
    assert_eq!(accept(general).await["status"], "accepted");

    // On: exactly one winning lead is dispatched to at once, noted on the timeline.
    let res = app
        .request(actix_web::http::Method::PUT, "/api/v1/dispatch-settings")
        .token(&city.admin)
        .json(json!({"auto_dispatch": true}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let p = accept(here).await;
    assert_eq!(p["status"], "dispatched");
    assert_eq!(p["assignments"].as_array().map(Vec::len), Some(1));
    assert_eq!(p["assignments"][0]["unit"]["id"], json!(city.huanfeng_id));
    let events: Value = app
        .get(&format!("/api/v1/petitions/{here}/events"))
        .token(&city.operator)
        .send()
        .await
        .value();
    let text = events.to_string();
    assert!(
        text.contains(&format!("按派单目录自动派单（规则 {in_town}）")),
        "{text}"
    );

    // Two leads at the top: no automatic choice.
    rule(
        &app,
        &city.admin,
        json!({"category_id": child, "unit_id": city.huanfeng_id, "role": "lead"}),
    )
    .await;
    assert_eq!(accept(elsewhere).await["status"], "accepted");
}

async fn only_admins_keep_the_catalogue(app: TestApp) {
    let city = City::build(&app).await;
    let body = json!({"category_id": city.category_id, "unit_id": city.xiuwu_id, "role": "lead"});
    app.post("/api/v1/dispatch-rules")
        .token(&city.operator)
        .json(body.clone())
        .send()
        .await
        .problem(403);
    for (field, bad) in [
        (
            "category_id",
            json!({"category_id": 9999, "unit_id": city.xiuwu_id, "role": "lead"}),
        ),
        (
            "unit_id",
            json!({"category_id": city.category_id, "unit_id": 9999, "role": "lead"}),
        ),
        (
            "area_unit_id",
            json!({"category_id": city.category_id, "area_unit_id": 9999, "unit_id": city.xiuwu_id, "role": "lead"}),
        ),
        (
            "role",
            json!({"category_id": city.category_id, "unit_id": city.xiuwu_id, "role": "boss"}),
        ),
    ] {
        let p = app
            .post("/api/v1/dispatch-rules")
            .token(&city.admin)
            .json(bad)
            .send()
            .await
            .problem(422);
        assert_eq!(p.errors[0].field, field);
    }
    let id = rule(&app, &city.admin, body).await;
    let page: Page<DispatchRule> = app
        .get("/api/v1/dispatch-rules")
        .token(&city.operator)
        .send()
        .await
        .json();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].unit.name, "修武县");
    assert_eq!(page.items[0].area, None);
    let res = app
        .patch(&format!("/api/v1/dispatch-rules/{id}"))
        .token(&city.admin)
        .json(json!({"category_id": city.category_id, "area_unit_id": city.xiuwu_id, "unit_id": city.xinhua_id, "role": "assist"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let changed = res.json::<DispatchRule>();
    assert_eq!(
        (changed.unit_id, changed.unit.name.as_str()),
        (city.xinhua_id, "新华区")
    );
    assert_eq!(changed.area.map(|a| a.name).as_deref(), Some("修武县"));
    let delete = |token: String| {
        let app = &app;
        async move {
            app.request(
                actix_web::http::Method::DELETE,
                &format!("/api/v1/dispatch-rules/{id}"),
            )
            .token(&token)
            .send()
            .await
        }
    };
    delete(city.operator.clone()).await.problem(403);
    assert_eq!(delete(city.admin.clone()).await.status, 204);
    delete(city.admin.clone()).await.problem(404);
    // Suggestions are for the hotline office, and only for petitions that exist.
    let p = city.submit(&app, json!({})).await["id"]
        .as_i64()
        .expect("id");
    app.get(&format!("/api/v1/petitions/{p}/suggestions"))
        .token(&city.citizen)
        .send()
        .await
        .problem(403);
    app.get("/api/v1/petitions/99999/suggestions")
        .token(&city.operator)
        .send()
        .await
        .problem(404);
}

/// 待受理: emergencies first, then urgent, then whoever has waited longest.
async fn waiting_petitions_come_most_urgent_then_longest_waiting_first(app: TestApp) {
    let city = City::build(&app).await;
    let mut ids = Vec::new();
    for (minute, urgency) in [
        (0, "normal"),
        (1, "emergency"),
        (2, "urgent"),
        (3, "normal"),
        (4, "emergency"),
    ] {
        app.state.clock.set(Some(
            chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
                .and_then(|d| d.and_hms_opt(2, minute, 0))
                .expect("time"),
        ));
        let p = city.submit(&app, json!({"urgency": urgency})).await;
        ids.push(p["id"].as_i64().expect("id"));
    }
    let page: minhu_types::Page<minhu_types::Petition> = app
        .get("/api/v1/petitions?status=submitted")
        .token(&city.operator)
        .send()
        .await
        .json();
    let order: Vec<i64> = page.items.iter().map(|p| p.id).collect();
    assert_eq!(order, [ids[1], ids[4], ids[2], ids[0], ids[3]]);
}

both!(
    the_most_specific_rule_wins_and_can_dispatch,
    only_admins_keep_the_catalogue,
    waiting_petitions_come_most_urgent_then_longest_waiting_first,
);

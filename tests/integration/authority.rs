//! Authority is the account's as it is now, not as its token says; signing out; throttled
//! guessing; races that must not leave the data inconsistent (issue 13, findings 1, 8, 12).

use futures_util::future::join_all;
use serde_json::json;

use crate::city::City;
use crate::support::{both, TestApp};

async fn id_of(app: &TestApp, token: &str) -> i64 {
    let res = app.get("/api/v1/me").token(token).send().await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.value()["id"].as_i64().expect("id")
}

async fn patch_user(app: &TestApp, admin: &str, id: i64, body: serde_json::Value) -> u16 {
    app.patch(&format!("/api/v1/users/{id}"))
        .token(admin)
        .json(body)
        .send()
        .await
        .status
}

async fn accounts_act_as_they_are_now(app: TestApp) {
    let c = City::build(&app).await;

    // A demoted administrator cannot create administrators with the token they still hold.
    let res = app
        .post("/api/v1/users")
        .token(&c.admin)
        .json(json!({"username": "admin2", "password": "staff-password", "display_name": "二号管理员", "role": "admin"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let admin2 = app.login("admin2", "staff-password").await;
    let admin2_id = id_of(&app, &admin2).await;
    let new_admin = |token: String, name: &'static str| {
        let app = &app;
        async move {
            app.post("/api/v1/users")
                .token(&token)
                .json(json!({"username": name, "password": "staff-password", "display_name": name, "role": "admin"}))
                .send()
                .await
                .status
        }
    };
    assert_eq!(new_admin(admin2.clone(), "admin3").await, 201);
    assert_eq!(
        patch_user(&app, &c.admin, admin2_id, json!({"role": "reporter"})).await,
        200
    );
    assert_eq!(new_admin(admin2.clone(), "admin4").await, 403);
    // … and acts as the reporter they are now.
    assert_eq!(
        app.get("/api/v1/petitions")
            .token(&admin2)
            .send()
            .await
            .status,
        200
    );

    // A deactivated handler is refused on the next request.
    let (id, _) = c.dispatched(&app).await;
    let xiuwu_id = id_of(&app, &c.xiuwu).await;
    let path = format!("/api/v1/petitions/{id}");
    assert_eq!(app.get(&path).token(&c.xiuwu).send().await.status, 200);
    assert_eq!(
        patch_user(&app, &c.admin, xiuwu_id, json!({"active": false})).await,
        200
    );
    let res = app.get(&path).token(&c.xiuwu).send().await;
    assert_eq!(res.problem(401).code, "account_disabled");
    assert_eq!(
        patch_user(&app, &c.admin, xiuwu_id, json!({"active": true})).await,
        200
    );
    assert_eq!(app.get(&path).token(&c.xiuwu).send().await.status, 200);

    // A handler moved to another unit sees what that unit sees, at once: 新华区's handler
    // moved to 修武县 reads the order; 修武县's moved away no longer does.
    let xinhua_user = id_of(&app, &c.xinhua).await;
    assert_eq!(app.get(&path).token(&c.xinhua).send().await.status, 404);
    assert_eq!(
        patch_user(&app, &c.admin, xinhua_user, json!({"unit_id": c.xiuwu_id})).await,
        200
    );
    assert_eq!(app.get(&path).token(&c.xinhua).send().await.status, 200);
    assert_eq!(
        patch_user(&app, &c.admin, xiuwu_id, json!({"unit_id": c.xinhua_id})).await,
        200
    );
    assert_eq!(app.get(&path).token(&c.xiuwu).send().await.status, 404);

    // A new password signs the account out everywhere.
    let citizen_id = id_of(&app, &c.citizen).await;
    assert_eq!(
        patch_user(
            &app,
            &c.admin,
            citizen_id,
            json!({"password": "a-new-password-1"})
        )
        .await,
        200
    );
    let res = app.get("/api/v1/me").token(&c.citizen).send().await;
    assert_eq!(res.problem(401).code, "token_revoked");
    app.login("chu", "a-new-password-1").await;
}

async fn signing_out(app: TestApp) {
    let first = app.citizen("luxun").await;
    let second = app.login("luxun", "citizen-pass-1").await;
    let me = |token: String| {
        let app = &app;
        async move { app.get("/api/v1/me").token(&token).send().await }
    };
    // One token, with no body.
    let res = app.post("/api/v1/auth/logout").token(&first).send().await;
    assert_eq!(res.status, 204, "{}", res.text());
    assert_eq!(me(first.clone()).await.problem(401).code, "token_revoked");
    assert_eq!(me(second.clone()).await.status, 200, "the other stays");
    // Signing out again with the dead token is refused, not an error.
    app.post("/api/v1/auth/logout")
        .token(&first)
        .send()
        .await
        .problem(401);
    // A wrong body is refused and changes nothing.
    let res = app
        .post("/api/v1/auth/logout")
        .token(&second)
        .json(json!({"all": "yes"}))
        .send()
        .await;
    assert!(matches!(res.status, 400 | 422), "{}", res.text());
    assert_eq!(me(second.clone()).await.status, 200);
    // Every token.
    let third = app.login("luxun", "citizen-pass-1").await;
    let res = app
        .post("/api/v1/auth/logout")
        .token(&second)
        .json(json!({"all": true}))
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    for t in [second, third] {
        assert_eq!(me(t).await.problem(401).code, "token_revoked");
    }
    // Signing in again works.
    let fresh = app.login("luxun", "citizen-pass-1").await;
    assert_eq!(me(fresh).await.status, 200);
    // Without a token there is nothing to sign out.
    app.post("/api/v1/auth/logout").send().await.problem(401);
}

async fn parallel_guesses_are_throttled(app: TestApp) {
    app.citizen("target").await;
    let results = join_all((0..40).map(|_| {
        app.post("/api/v1/auth/login")
            .json(json!({"username": "target", "password": "wrong-password"}))
            .send()
    }))
    .await;
    let tried = results.iter().filter(|r| r.status == 401).count();
    let throttled = results.iter().filter(|r| r.status == 429).count();
    assert_eq!((tried, throttled), (10, 30), "limit: 10 a minute");
    // Even the right password waits now.
    let res = app
        .post("/api/v1/auth/login")
        .json(json!({"username": "target", "password": "citizen-pass-1"}))
        .send()
        .await;
    assert_eq!(res.status, 429);
    assert!(res.header("retry-after").is_some());
}

async fn two_administrators_demoting_each_other_leave_one(app: TestApp) {
    let admin = app.admin().await;
    let admin_id = id_of(&app, &admin).await;
    let res = app
        .post("/api/v1/users")
        .token(&admin)
        .json(json!({"username": "admin2", "password": "staff-password", "display_name": "二号", "role": "admin"}))
        .send()
        .await;
    assert_eq!(res.status, 201);
    let admin2 = app.login("admin2", "staff-password").await;
    let admin2_id = id_of(&app, &admin2).await;
    for _ in 0..4 {
        let (a, b) = futures_util::future::join(
            patch_user(&app, &admin, admin2_id, json!({"active": false})),
            patch_user(&app, &admin2, admin_id, json!({"active": false})),
        )
        .await;
        assert!(!(a == 200 && b == 200), "both went through: {a} {b}");
        let users = app
            .get("/api/v1/users?per_page=100")
            .token(if a == 200 { &admin } else { &admin2 })
            .send()
            .await
            .value();
        let active_admins = users["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|u| u["role"] == "admin" && u["active"] == true)
            .count();
        assert_eq!(active_admins, 1, "{a} {b}");
        // The last one cannot go either way.
        let (last, last_id) = if a == 200 {
            (&admin, admin_id)
        } else {
            (&admin2, admin2_id)
        };
        let res = app
            .patch(&format!("/api/v1/users/{last_id}"))
            .token(last)
            .json(json!({"role": "reporter"}))
            .send()
            .await;
        assert_eq!(res.status, 422, "{}", res.text());
        // Bring the other back for the next round.
        let other = if a == 200 { admin2_id } else { admin_id };
        assert_eq!(
            patch_user(&app, last, other, json!({"active": true})).await,
            200
        );
    }
}

async fn two_merges_at_once_make_no_cycle(app: TestApp) {
    let c = City::build(&app).await;
    for _ in 0..3 {
        let a = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
        let b = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
        let merge = |from: i64, into: i64| {
            app.post(&format!("/api/v1/petitions/{from}/merge"))
                .token(&c.operator)
                .json(json!({ "into_id": into }))
                .send()
        };
        let (x, y) = futures_util::future::join(merge(a, b), merge(b, a)).await;
        let ok = [x.status, y.status].iter().filter(|s| **s == 200).count();
        assert_eq!(
            ok,
            1,
            "{} {} / {} {}",
            x.status,
            x.text(),
            y.status,
            y.text()
        );
        let merged_into = |id: i64| {
            let app = &app;
            let token = c.operator.clone();
            async move {
                app.get(&format!("/api/v1/petitions/{id}"))
                    .token(&token)
                    .send()
                    .await
                    .value()["merged_into_id"]
                    .as_i64()
            }
        };
        let (ma, mb) = (merged_into(a).await, merged_into(b).await);
        assert!(ma.is_none() || mb.is_none(), "a cycle: {ma:?} {mb:?}");
    }
}

async fn metrics_are_bounded_and_can_be_closed(app: TestApp) {
    for i in 0..50 {
        let method =
            actix_web::http::Method::from_bytes(format!("MADEUP{i}").as_bytes()).expect("method");
        app.request(method, "/api/v1/units").send().await;
    }
    let text = app.get("/metrics").send().await.text();
    assert!(!text.contains("MADEUP"), "made-up methods are series");
    assert!(text.contains("method=\"OTHER\""));
}

async fn metrics_token(backend: crate::support::Backend) {
    let db = crate::support::TestDb::new(backend)
        .with("MINHU_METRICS_TOKEN", "a-metrics-token-of-32-characters");
    let app = TestApp::on(db).await;
    assert_eq!(
        app.get("/metrics").send().await.problem(401).code,
        "invalid_token"
    );
    let res = app
        .get("/metrics")
        .header("authorization", "Bearer a-metrics-token-of-32-characterz")
        .send()
        .await;
    assert_eq!(res.status, 401);
    let res = app
        .get("/metrics")
        .header("authorization", "Bearer a-metrics-token-of-32-characters")
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert!(res.text().contains("minhu_http_requests_total"));
}

both!(
    accounts_act_as_they_are_now,
    signing_out,
    parallel_guesses_are_throttled,
    two_administrators_demoting_each_other_leave_one,
    two_merges_at_once_make_no_cycle,
    metrics_are_bounded_and_can_be_closed,
);
crate::support::both_backends!(metrics_token);

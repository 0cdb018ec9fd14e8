//! The framework's own errors, as problem details like every other error.

use serde_json::json;

use crate::support::{both, TestApp};

async fn framework_errors_are_problem_details(app: TestApp) {
    let register = "/api/v1/auth/register";

    let res = app
        .post(register)
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await;
    assert_eq!(res.problem(400).code, "malformed_json");
    let res = app
        .post(register)
        .header("content-type", "application/json")
        .body("")
        .send()
        .await;
    res.problem(400);

    let res = app
        .post(register)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await;
    assert_eq!(res.problem(415).code, "unsupported_media_type");
    let res = app.post(register).body("{}").send().await;
    res.problem(415);

    let huge = format!("{{\"username\": \"{}\"}}", "x".repeat(1024 * 1024 + 1));
    let res = app
        .post(register)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await;
    assert_eq!(res.problem(413).code, "payload_too_large");

    let res = app.get("/api/v1/no-such-thing").send().await;
    assert_eq!(res.problem(404).code, "not_found");
    let res = app.post("/no-such-page").send().await;
    res.problem(404);
    // Under a petition's, an order's and a public petition's paths as anywhere else in the API:
    // an unknown path, or an id that is no number, is the API's 404.
    let citizen = app.citizen("errors").await;
    for path in [
        "/api/v1/petitions/1/no-such-thing",
        "/api/v1/petitions/1/",
        "/api/v1/petitions/abc",
        "/api/v1/petitions/abc/events",
        "/api/v1/assignments/1",
        "/api/v1/assignments/1/return/no-such-thing",
        "/api/v1/public/petitions/1",
    ] {
        let res = app.get(path).token(&citizen).send().await;
        assert_eq!(res.problem(404).code, "not_found", "{path}");
    }
    let res = app
        .request(
            actix_web::http::Method::DELETE,
            "/api/v1/petitions/1/appeal/grant",
        )
        .send()
        .await;
    assert_eq!(res.problem(405).code, "method_not_allowed");
    assert_eq!(res.header("allow"), Some("POST"));

    let res = app
        .request(actix_web::http::Method::DELETE, "/api/v1/units")
        .send()
        .await;
    assert_eq!(res.problem(405).code, "method_not_allowed");
    assert_eq!(res.header("allow"), Some("GET, POST"));
    let res = app
        .request(actix_web::http::Method::PUT, "/api/v1/auth/login")
        .send()
        .await;
    res.problem(405);
    assert_eq!(res.header("allow"), Some("POST"));

    // Wrong types, arrays for objects, NUL bytes: 422 naming the field, never a 500.
    let res = app
        .post(register)
        .json(json!({"username": 42, "password": "long enough", "display_name": "x"}))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "username");
    let res = app
        .post(register)
        .json(json!(["zhang", "long enough", "张伟"]))
        .send()
        .await;
    res.problem(422);
    let res = app
        .post(register)
        .json(json!({"username": "nul\u{0}byte", "password": "long enough", "display_name": "x"}))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "username");
    let res = app
        .post(register)
        .json(json!({"password": "long enough", "display_name": "x"}))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "username");

    let admin = app.admin().await;
    let res = app
        .get("/api/v1/units?per_page=1000")
        .token(&admin)
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "per_page");
    let res = app
        .get("/api/v1/units?page=first")
        .token(&admin)
        .send()
        .await;
    assert_eq!(res.problem(400).code, "invalid_query");
    let res = app.get("/api/v1/units/abc").token(&admin).send().await;
    res.problem(404);

    // Every response carries a request id, and problem bodies repeat it.
    let res = app.get("/api/v1/units/abc").token(&admin).send().await;
    let id = res.header("x-request-id").expect("request id").to_owned();
    assert_eq!(res.problem(404).request_id.as_deref(), Some(id.as_str()));
}

async fn hostile_text_is_stored_as_plain_text(app: TestApp) {
    let admin = app.admin().await;
    for name in [
        "<script>alert(1)</script>",
        "'); DROP TABLE units; --",
        "郇封镇 \u{202e}",
    ] {
        let res = app
            .post("/api/v1/units")
            .token(&admin)
            .json(json!({"name": name, "kind": "district"}))
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        assert_eq!(res.value()["name"], name.trim());
    }
    let res = app
        .post("/api/v1/units")
        .token(&admin)
        .json(json!({"name": "长".repeat(101), "kind": "district"}))
        .send()
        .await;
    assert!(res.problem(422).errors[0].message.contains("101"));
    let page = app.get("/api/v1/units").token(&admin).send().await.value();
    assert_eq!(page["total"], 3);
}

both!(
    framework_errors_are_problem_details,
    hostile_text_is_stored_as_plain_text
);

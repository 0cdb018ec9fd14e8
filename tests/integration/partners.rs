//! Partners (newspaper apps, county portals): what they may see, rotation and revocation of
//! their credentials, their request rate; and CORS for the newspaper's own web pages.

use minhu_types::{Page, Partner, PartnerCredentials, Petition};
use serde_json::json;

use crate::city::City;
use crate::support::{both, both_backends, Backend, TestApp, TestDb};

async fn exchange(app: &TestApp, creds: &PartnerCredentials, secret: &str) -> crate::support::Resp {
    app.post("/api/v1/auth/token")
        .json(json!({"client_id": creds.client_id, "client_secret": secret}))
        .send()
        .await
}

async fn list_status(app: &TestApp, token: &str) -> crate::support::Resp {
    app.get("/api/v1/petitions").token(token).send().await
}

async fn a_partner_sees_only_what_it_submitted(app: TestApp) {
    let city = City::build(&app).await;
    let county = app.issue_partner(&city.admin, "修武县政务服务平台").await;
    let paper = app.issue_partner(&city.admin, "焦作日报客户端").await;
    let county_token = app.partner_token(&county).await;
    let paper_token = app.partner_token(&paper).await;

    let res = app
        .post("/api/v1/petitions")
        .token(&county_token)
        .json(city.petition(json!({"contact_name": "李大爷", "contact_phone": "13912345678"})))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let submitted: Petition = res.json();
    assert_eq!(submitted.source.as_str(), "partner");
    city.submit(&app, json!({})).await;

    let mine: Page<Petition> = list_status(&app, &county_token).await.json();
    assert_eq!(mine.total, 1, "only its own, not the citizen's");
    assert_eq!(mine.items[0].id, submitted.id);
    let theirs: Page<Petition> = list_status(&app, &paper_token).await.json();
    assert_eq!(theirs.total, 0);
    app.get(&format!("/api/v1/petitions/{}", submitted.id))
        .token(&paper_token)
        .send()
        .await
        .problem(404);
    // Partners act for residents; they do not run the hotline.
    app.post(&format!("/api/v1/petitions/{}/accept", submitted.id))
        .token(&county_token)
        .json(json!({}))
        .send()
        .await
        .problem(403);
}

async fn credentials_are_rotated_and_revoked(app: TestApp) {
    let admin = app.admin().await;
    let creds = app.issue_partner(&admin, "修武县政务服务平台").await;
    let first = app.partner_token(&creds).await;
    assert_eq!(list_status(&app, &first).await.status, 200);

    // Rotation: new secret and key, same client id; the old secret and the tokens it bought
    // stop working at once.
    let res = app
        .post(&format!("/api/v1/partners/{}/rotate", creds.id))
        .token(&admin)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let rotated: PartnerCredentials = res.json();
    assert_eq!(rotated.client_id, creds.client_id);
    assert_ne!(rotated.client_secret, creds.client_secret);
    assert_ne!(rotated.api_key, creds.api_key);
    assert_eq!(
        list_status(&app, &first).await.problem(401).code,
        "token_revoked"
    );
    assert_eq!(
        exchange(&app, &creds, &creds.client_secret)
            .await
            .problem(401)
            .code,
        "invalid_client"
    );
    let second = app.partner_token(&rotated).await;
    assert_eq!(list_status(&app, &second).await.status, 200);

    // Revocation: the partner is switched off, its token and secret refused.
    let res = app
        .post(&format!("/api/v1/partners/{}/revoke", creds.id))
        .token(&admin)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert!(!res.json::<Partner>().active);
    assert_eq!(
        list_status(&app, &second).await.problem(401).code,
        "account_disabled"
    );
    exchange(&app, &rotated, &rotated.client_secret)
        .await
        .problem(401);
    let page: Page<Partner> = app
        .get("/api/v1/partners")
        .token(&admin)
        .send()
        .await
        .json();
    assert!(!page.items[0].active);

    // New credentials enable it again.
    let res = app
        .post(&format!("/api/v1/partners/{}/rotate", creds.id))
        .token(&admin)
        .send()
        .await;
    let again: PartnerCredentials = res.json();
    let third = app.partner_token(&again).await;
    assert_eq!(list_status(&app, &third).await.status, 200);

    // Only administrators, only existing partners.
    app.post(&format!("/api/v1/partners/{}/revoke", creds.id))
        .token(&third)
        .send()
        .await
        .problem(403);
    app.post("/api/v1/partners/9999/rotate")
        .token(&admin)
        .send()
        .await
        .problem(404);
    app.post("/api/v1/partners/9999/revoke")
        .token(&admin)
        .send()
        .await
        .problem(404);
}

async fn partners_are_held_to_their_rate(backend: Backend) {
    let app = TestApp::on(TestDb::new(backend).with("MINHU_PARTNER_RATE_LIMIT", "3")).await;
    let admin = app.admin().await;
    let county = app.issue_partner(&admin, "修武县政务服务平台").await;
    let paper = app.issue_partner(&admin, "焦作日报客户端").await;
    let county_token = app.partner_token(&county).await;
    let paper_token = app.partner_token(&paper).await;
    for _ in 0..3 {
        assert_eq!(list_status(&app, &county_token).await.status, 200);
    }
    let res = list_status(&app, &county_token).await;
    let p = res.problem(429);
    assert_eq!(p.code, "rate_limited");
    let wait: u64 = res
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!(
        (1..=20).contains(&wait),
        "one request back every 20 s: {wait}"
    );
    // Each partner has its own allowance, and people are not partners.
    assert_eq!(list_status(&app, &paper_token).await.status, 200);
    for _ in 0..5 {
        assert_eq!(list_status(&app, &admin).await.status, 200);
    }
}

async fn cors_only_for_configured_origins(backend: Backend) {
    const NEWS: &str = "https://news.example.cn";
    let app = TestApp::on(TestDb::new(backend).with("MINHU_CORS_ORIGINS", NEWS)).await;
    let preflight = |origin: &'static str| {
        app.request(actix_web::http::Method::OPTIONS, "/api/v1/petitions")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type, idempotency-key",
            )
            .send()
    };
    let res = preflight(NEWS).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("access-control-allow-origin"), Some(NEWS));
    let methods = res.header("access-control-allow-methods").unwrap_or("");
    assert!(methods.contains("POST"), "{methods}");
    let headers = res
        .header("access-control-allow-headers")
        .unwrap_or("")
        .to_ascii_lowercase();
    for h in ["authorization", "content-type", "idempotency-key"] {
        assert!(headers.contains(h), "{h} in {headers}");
    }
    // An actual request from the page gets the header; one from elsewhere is answered without
    // it (the browser then keeps the answer from the page).
    let res = app
        .get("/api/v1/public/petitions")
        .header("origin", NEWS)
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("access-control-allow-origin"), Some(NEWS));
    let res = app
        .get("/api/v1/public/petitions")
        .header("origin", "https://elsewhere.example.com")
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("access-control-allow-origin"), None);
    let res = preflight("https://elsewhere.example.com").await;
    assert_eq!(res.header("access-control-allow-origin"), None);

    // Off by default.
    let plain = TestApp::new(backend).await;
    let res = plain
        .request(actix_web::http::Method::OPTIONS, "/api/v1/petitions")
        .header("origin", NEWS)
        .header("access-control-request-method", "POST")
        .send()
        .await;
    assert_eq!(res.header("access-control-allow-origin"), None);
    let res = plain
        .get("/api/v1/public/petitions")
        .header("origin", NEWS)
        .send()
        .await;
    assert_eq!(res.header("access-control-allow-origin"), None);
}

both!(
    a_partner_sees_only_what_it_submitted,
    credentials_are_rotated_and_revoked
);
both_backends!(
    partners_are_held_to_their_rate,
    cors_only_for_configured_origins
);

//! Webhooks: a partner's receiver gets signed events of the petitions the partner submitted,
//! retried until it acknowledges them, and events written before a restart still arrive.

use hmac::{Hmac, Mac};
use minhu_types::{Page, WebhookCreated, WebhookDelivery};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::city::City;
use crate::support::receiver::Receiver;
use crate::support::{both, both_backends, Backend, TestApp, TestDb};

/// The signature a receiver computes, independently of the server's code.
fn expected_signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

fn reachable(backend: Backend) -> TestDb {
    TestDb::new(backend)
        .with("MINHU_WEBHOOK_ALLOW_HTTP", "true")
        .with("MINHU_WEBHOOK_ALLOW_PRIVATE", "true")
}

async fn partner(app: &TestApp, admin: &str, name: &str) -> String {
    app.partner_token(&app.issue_partner(admin, name).await)
        .await
}

async fn deliveries(app: &TestApp, token: &str, hook: i64) -> Page<WebhookDelivery> {
    let res = app
        .get(&format!("/api/v1/webhooks/{hook}/deliveries"))
        .token(token)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()
}

async fn deliver(app: &TestApp) -> minhu::webhooks::Round {
    minhu::webhooks::deliver_due(&app.state.pool, &app.state.clock, app.state.webhook_reach)
        .await
        .expect("delivery round")
}

async fn events_are_signed_retried_and_survive_a_restart(backend: Backend) {
    let app = TestApp::on(reachable(backend)).await;
    let city = City::build(&app).await;
    let county = partner(&app, &city.admin, "修武县政务服务平台").await;
    let receiver = Receiver::start(2);

    let res = app
        .post("/api/v1/webhooks")
        .token(&county)
        .json(json!({"url": receiver.url, "events": ["petition.accepted", "petition.dispatched", "petition.rejected"]}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let hook: WebhookCreated = res.json();
    assert!(hook.secret.len() >= 32);
    let listed = app.get("/api/v1/webhooks").token(&county).send().await;
    assert!(
        !listed.text().contains(&hook.secret),
        "the secret is shown once"
    );

    // The county submits for a resident; a citizen submits on their own.
    let res = app
        .post("/api/v1/petitions")
        .token(&county)
        .json(city.petition(json!({"contact_name": "李大爷", "contact_phone": "13912345678"})))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let id = res.value()["id"].as_i64().expect("id");
    let tracking_no = res.value()["tracking_no"].as_str().expect("no").to_owned();
    let own = city.submit(&app, json!({})).await["id"]
        .as_i64()
        .expect("id");
    for p in [id, own] {
        city.call(
            &app,
            &city.operator,
            &format!("/api/v1/petitions/{p}/accept"),
            json!({}),
            200,
        )
        .await;
    }

    // First attempt: the receiver fails. Nothing is due again until the backoff has passed.
    assert_eq!(
        deliver(&app).await,
        minhu::webhooks::Round {
            delivered: 0,
            failed: 1
        }
    );
    let page = deliveries(&app, &county, hook.webhook.id).await;
    assert_eq!(page.total, 1, "only the partner's own petition");
    let d = &page.items[0];
    assert_eq!(
        (d.status.as_str(), d.attempts, d.last_status),
        ("pending", 1, Some(500))
    );
    assert_eq!(deliver(&app).await, Default::default());

    // Second attempt 30 s later fails too; the third, a minute after that, is acknowledged.
    let start = app.state.clock.now();
    app.state
        .clock
        .set(Some(start + chrono::Duration::seconds(31)));
    assert_eq!(deliver(&app).await.failed, 1);
    app.state
        .clock
        .set(Some(start + chrono::Duration::seconds(31 + 61)));
    assert_eq!(deliver(&app).await.delivered, 1);
    let d = deliveries(&app, &county, hook.webhook.id).await.items[0].clone();
    assert_eq!(
        (d.status.as_str(), d.attempts, d.last_status),
        ("delivered", 3, Some(204))
    );
    app.state.clock.set(None);

    let got = receiver.received();
    assert_eq!(got.len(), 3);
    for r in &got {
        assert_eq!(r.header("x-minhu-event"), "petition.accepted");
        assert_eq!(
            r.header("x-minhu-event-id"),
            got[0].header("x-minhu-event-id"),
            "one event id on every attempt"
        );
        assert_eq!(
            r.header("x-minhu-signature"),
            expected_signature(&hook.secret, &r.header("x-minhu-timestamp"), &r.body)
        );
        let body: Value = serde_json::from_slice(&r.body).expect("json body");
        assert_eq!(body["id"], json!(r.header("x-minhu-event-id")));
        assert_eq!(body["type"], "petition.accepted");
        assert_eq!(body["data"]["petition_id"], json!(id));
        assert_eq!(body["data"]["tracking_no"], json!(tracking_no));
        assert_eq!(body["data"]["status"], "accepted");
        assert_eq!(body["data"]["previous_status"], "submitted");
        let text = String::from_utf8_lossy(&r.body);
        assert!(
            !text.contains("13912345678") && !text.contains("李大爷"),
            "{text}"
        );
    }
    // A forged body does not match the signature.
    assert_ne!(
        got[0].header("x-minhu-signature"),
        expected_signature(
            &hook.secret,
            &got[0].header("x-minhu-timestamp"),
            b"{\"type\":\"petition.closed\"}"
        )
    );

    // Dispatched, then the server stops before it delivers: the event is in the database and
    // goes out after the restart.
    city.call(
        &app,
        &city.operator,
        &format!("/api/v1/petitions/{id}/assignments"),
        json!({"unit_id": city.xiuwu_id, "role": "lead"}),
        201,
    )
    .await;
    let app = app.restart().await;
    assert_eq!(deliver(&app).await.delivered, 1);
    let got = receiver.received();
    assert_eq!(got.len(), 4);
    assert_eq!(got[3].header("x-minhu-event"), "petition.dispatched");
    assert_ne!(
        got[3].header("x-minhu-event-id"),
        got[0].header("x-minhu-event-id")
    );
    assert_eq!(deliveries(&app, &county, hook.webhook.id).await.total, 2);

    // Another partner sees none of it; the owner removes the webhook.
    let paper = partner(&app, &city.admin, "焦作日报客户端").await;
    app.get(&format!("/api/v1/webhooks/{}/deliveries", hook.webhook.id))
        .token(&paper)
        .send()
        .await
        .problem(404);
    app.request(
        actix_web::http::Method::DELETE,
        &format!("/api/v1/webhooks/{}", hook.webhook.id),
    )
    .token(&paper)
    .send()
    .await
    .problem(404);
    let res = app
        .request(
            actix_web::http::Method::DELETE,
            &format!("/api/v1/webhooks/{}", hook.webhook.id),
        )
        .token(&county)
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    let page: Page<Value> = app
        .get("/api/v1/webhooks")
        .token(&county)
        .send()
        .await
        .json();
    assert_eq!(page.total, 0);
}

async fn webhook_addresses_and_events_are_checked(app: TestApp) {
    let admin = app.admin().await;
    let county = partner(&app, &admin, "修武县政务服务平台").await;
    let register = |token: String, body: Value| {
        let app = &app;
        async move {
            app.post("/api/v1/webhooks")
                .token(&token)
                .json(body)
                .send()
                .await
        }
    };
    // By default only public https addresses.
    for url in [
        "http://portal.example.cn/hook",
        "https://127.0.0.1/hook",
        "https://10.0.0.8/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost:8443/hook",
        "ftp://portal.example.cn/hook",
    ] {
        let p = register(
            county.clone(),
            json!({"url": url, "events": ["petition.replied"]}),
        )
        .await
        .problem(422);
        assert_eq!(p.errors[0].field, "url", "{url}");
    }
    let p = register(
        county.clone(),
        json!({"url": "https://portal.example.cn/hook", "events": ["petition.exploded"]}),
    )
    .await
    .problem(422);
    assert_eq!(p.errors[0].field, "events");
    register(
        county.clone(),
        json!({"url": "https://portal.example.cn/hook", "events": []}),
    )
    .await
    .problem(422);
    let res = register(
        county.clone(),
        json!({"url": "https://portal.example.cn/hook", "events": ["petition.replied"]}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
    // People are not partners; administrators see every partner's webhooks.
    register(
        admin.clone(),
        json!({"url": "https://portal.example.cn/hook", "events": ["petition.replied"]}),
    )
    .await
    .problem(403);
    let page: Page<Value> = app
        .get("/api/v1/webhooks")
        .token(&admin)
        .send()
        .await
        .json();
    assert_eq!(page.total, 1);
    app.get("/api/v1/webhooks").send().await.problem(401);
}

both_backends!(events_are_signed_retried_and_survive_a_restart);
both!(webhook_addresses_and_events_are_checked);

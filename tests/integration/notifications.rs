//! Notifications (消息): petitioners, units and leaders hear of what concerns them, in the app,
//! by SMS through a gateway (a local receiver) and by e-mail through a real SMTP server; the
//! reply's one-tap rating link works once without an account.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use minhu_types::{Notification, Page, Petition, PetitionStatus, UnreadCount};
use serde_json::{json, Value};

use crate::city::City;
use crate::support::receiver::Receiver;
use crate::support::{both, both_backends, Backend, TestApp, TestDb};

async fn inbox(app: &TestApp, token: &str) -> Vec<Notification> {
    let res = app
        .get("/api/v1/notifications?per_page=100")
        .token(token)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json::<Page<Notification>>().items
}

fn events(items: &[Notification]) -> Vec<&str> {
    items.iter().map(|n| n.event.as_str()).collect()
}

async fn unread(app: &TestApp, token: &str) -> i64 {
    let res = app
        .get("/api/v1/notifications/unread-count")
        .token(token)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json::<UnreadCount>().count
}

async fn deliver(app: &TestApp) -> minhu::notifications::Round {
    minhu::notifications::deliver_due(&app.state.pool, &app.state.clock, &app.state.channels)
        .await
        .expect("delivery round")
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
}

async fn petitioners_units_and_leaders_hear_and_rate_by_link(app: TestApp) {
    let c = City::build(&app).await;
    let (id, aid) = c.dispatched(&app).await;

    let mine = inbox(&app, &c.citizen).await;
    assert_eq!(events(&mine), ["petition.accepted", "petition.received"]);
    let received = &mine[1];
    let tracking_no = received.tracking_no.clone().expect("tracking number");
    assert!(received.body.contains(&tracking_no), "{}", received.body);
    assert_eq!(received.petition_id, Some(id));
    assert_eq!(unread(&app, &c.citizen).await, 2);
    // The unit the order went to hears of it; the other district does not.
    let unit = inbox(&app, &c.xiuwu).await;
    assert_eq!(events(&unit), ["order.new"]);
    assert!(!unit[0].body.contains("13912345678"), "{}", unit[0].body);
    assert!(inbox(&app, &c.xinhua).await.is_empty());

    c.signed_and_replied(
        &app,
        id,
        aid,
        json!({"body": "已联系县农业局帮助销售。", "outcome": "resolved", "public": true}),
    )
    .await;
    let mine = inbox(&app, &c.citizen).await;
    assert_eq!(mine[0].event, "petition.replied");
    assert!(mine[0].body.contains("已联系县农业局"), "{}", mine[0].body);
    let link = mine[0].link.clone().expect("a rating link");
    let token = link.strip_prefix("/r/").expect("/r/ link").to_owned();

    // The link needs no account: what to rate, then the rating, once.
    let res = app.get(&format!("/api/v1/rate/{token}")).send().await;
    assert_eq!(res.status, 200, "{}", res.text());
    let invite = res.value();
    assert_eq!(invite["tracking_no"], json!(tracking_no));
    assert_eq!(invite["replies"][0]["body"], "已联系县农业局帮助销售。");
    let rating = json!({"satisfaction": "satisfied", "resolved": true, "contacted": true});
    let res = app
        .post(&format!("/api/v1/rate/{token}"))
        .json(rating.clone())
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let p: Petition = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&c.citizen)
        .send()
        .await
        .json();
    assert_eq!(p.status, PetitionStatus::Closed);
    assert_eq!(inbox(&app, &c.citizen).await[0].event, "petition.closed");
    for res in [
        app.post(&format!("/api/v1/rate/{token}"))
            .json(rating.clone())
            .send()
            .await,
        app.get(&format!("/api/v1/rate/{token}")).send().await,
    ] {
        let p = res.problem(410);
        assert!(p.detail.contains("已使用"), "{}", p.detail);
    }
    app.get("/api/v1/rate/0123456789abcdef")
        .send()
        .await
        .problem(404);
    // A bad rating changes nothing.
    let res = app
        .post(&format!("/api/v1/rate/{token}"))
        .json(json!({"satisfaction": "great"}))
        .send()
        .await;
    assert_eq!(res.status, 422, "{}", res.text());

    // Marking read: someone else's ids change nothing; one; then all.
    let mine = inbox(&app, &c.citizen).await;
    let before = unread(&app, &c.citizen).await;
    let ids: Vec<i64> = mine.iter().map(|n| n.id).collect();
    let res = app
        .post("/api/v1/notifications/read")
        .token(&c.other_citizen)
        .json(json!({"ids": ids}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(unread(&app, &c.citizen).await, before);
    let res = app
        .post("/api/v1/notifications/read")
        .token(&c.citizen)
        .json(json!({"ids": [ids[0]]}))
        .send()
        .await;
    assert_eq!(res.json::<UnreadCount>().count, before - 1);
    let only_unread: Page<Notification> = app
        .get("/api/v1/notifications?unread=true")
        .token(&c.citizen)
        .send()
        .await
        .json();
    assert_eq!(only_unread.total, before - 1);
    assert!(only_unread.items.iter().all(|n| n.read_at.is_none()));
    let res = app
        .post("/api/v1/notifications/read")
        .token(&c.citizen)
        .json(json!({"all": true}))
        .send()
        .await;
    assert_eq!(res.json::<UnreadCount>().count, 0);
    let res = app
        .post("/api/v1/notifications/read")
        .token(&c.citizen)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(res.status, 422, "{}", res.text());
    app.get("/api/v1/notifications").send().await.problem(401);

    // An emergency reaches the leaders at once.
    c.submit(&app, json!({"urgency": "emergency", "title": "燃气泄漏"}))
        .await;
    let leader = inbox(&app, &c.leader).await;
    assert_eq!(events(&leader), ["petition.emergency"]);
    assert!(leader[0].body.contains("燃气泄漏"));
}

async fn settings_are_checked(app: TestApp) {
    let c = City::build(&app).await;
    let get = app
        .get("/api/v1/me/notification-settings")
        .token(&c.citizen)
        .send()
        .await;
    assert_eq!(
        get.value(),
        json!({"sms": false, "email": false, "email_address": null})
    );
    let put = |token: String, body: Value| {
        let app = &app;
        async move {
            app.request(
                actix_web::http::Method::PUT,
                "/api/v1/me/notification-settings",
            )
            .token(&token)
            .json(body)
            .send()
            .await
        }
    };
    let p = put(c.citizen.clone(), json!({"sms": false, "email": true}))
        .await
        .problem(422);
    assert_eq!(p.errors[0].field, "email_address");
    let p = put(
        c.citizen.clone(),
        json!({"sms": false, "email": true, "email_address": "chu at example"}),
    )
    .await
    .problem(422);
    assert_eq!(p.errors[0].field, "email_address");
    // The neighbour's account has no phone: no SMS.
    let p = put(
        c.other_citizen.clone(),
        json!({"sms": true, "email": false}),
    )
    .await
    .problem(422);
    assert_eq!(p.errors[0].field, "sms");
    let p = put(
        c.citizen.clone(),
        json!({"sms": true, "email": false, "colour": "red"}),
    )
    .await
    .problem(422);
    assert_eq!(p.errors[0].field, "colour");
    let saved = json!({"sms": true, "email": true, "email_address": "chu@example.cn"});
    let res = put(c.citizen.clone(), saved.clone()).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.value(), saved);
    let get = app
        .get("/api/v1/me/notification-settings")
        .token(&c.citizen)
        .send()
        .await;
    assert_eq!(get.value(), saved);
}

async fn yellow_and_red_come_once_from_the_jobs(app: TestApp) {
    let c = City::build(&app).await;
    let (_, aid) = c.dispatched(&app).await;
    let state = app.state.clone();
    let run_at = |pick: fn(NaiveDateTime, NaiveDateTime) -> NaiveDateTime| {
        let state = state.clone();
        async move {
            actix_web::web::block(move || {
                use minhu::db::schema::assignments;
                let mut conn = state.pool.get().expect("conn");
                let (yellow, due): (Option<NaiveDateTime>, NaiveDateTime) = assignments::table
                    .find(aid)
                    .select((assignments::yellow_at, assignments::reply_by))
                    .first(&mut conn)
                    .expect("assignment");
                let now = pick(yellow.expect("a yellow light"), due);
                minhu::jobs::run(&mut conn, now, 7).expect("jobs")
            })
            .await
            .expect("block")
        }
    };
    let between = |y: NaiveDateTime, _| y + chrono::Duration::minutes(1);
    let report = run_at(between).await.expect("ran");
    assert_eq!(report.reminded_yellow, 1);
    assert_eq!(run_at(between).await.expect("ran").reminded_yellow, 0);
    let after = |_, d: NaiveDateTime| d + chrono::Duration::minutes(1);
    run_at(after).await;
    run_at(after).await;
    assert_eq!(
        events(&inbox(&app, &c.xiuwu).await),
        ["order.red", "order.yellow", "order.new"]
    );
}

both!(
    petitioners_units_and_leaders_hear_and_rate_by_link,
    settings_are_checked,
    yellow_and_red_come_once_from_the_jobs,
);

const SMS_TOKEN: &str = "sms-gateway-token-1";

async fn sms_reaches_callers_with_retries_and_quiet_hours(backend: Backend) {
    let gateway = Receiver::start(1);
    let app = TestApp::on(
        TestDb::new(backend)
            .with("MINHU_SMS_URL", &gateway.url)
            .with("MINHU_SMS_TOKEN", SMS_TOKEN)
            .with("MINHU_SMS_ALLOW_HTTP", "true")
            .with("MINHU_PUBLIC_URL", "https://minhu.example.cn"),
    )
    .await;
    let c = City::build(&app).await;
    // 10:00 in Shanghai.
    app.state.clock.set(Some(at("2026-12-01 02:00")));
    let res = app
        .post("/api/v1/petitions")
        .token(&c.operator)
        .json(c.petition(json!({"contact_name": "李大爷", "contact_phone": "13700001111"})))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let id = res.value()["id"].as_i64().expect("id");
    let tracking_no = res.value()["tracking_no"].as_str().expect("no").to_owned();

    // The gateway fails once; the retry after the backoff gets through, with the same id.
    assert_eq!(deliver(&app).await.failed, 1);
    assert_eq!(deliver(&app).await, Default::default(), "nothing due yet");
    app.state.clock.set(Some(at("2026-12-01 02:01")));
    assert_eq!(deliver(&app).await.delivered, 1);
    let got = gateway.received();
    assert_eq!(got.len(), 2);
    for r in &got {
        assert_eq!(r.header("authorization"), format!("Bearer {SMS_TOKEN}"));
        let body = r.json();
        assert_eq!(body["id"], got[0].json()["id"]);
        assert!(body["id"].as_str().expect("id").starts_with("ntf_"));
        assert_eq!(body["to"], "13700001111");
        assert_eq!(body["template"], "petition.received");
        let text = body["text"].as_str().expect("text");
        assert!(text.contains(&tracking_no), "{text}");
        assert!(
            !text.contains("李大爷") && !text.contains("13912345678"),
            "{text}"
        );
    }

    // 23:00 in Shanghai: accepted, but the SMS waits for 08:00.
    app.state.clock.set(Some(at("2026-12-01 15:00")));
    c.accept(&app, id).await;
    let round = deliver(&app).await;
    assert_eq!((round.held, round.delivered), (1, 0));
    app.state.clock.set(Some(at("2026-12-01 23:59")));
    assert_eq!(deliver(&app).await, Default::default());
    app.state.clock.set(Some(at("2026-12-02 00:00")));
    assert_eq!(deliver(&app).await.delivered, 1);
    assert_eq!(
        gateway.received()[2].json()["template"],
        "petition.accepted"
    );

    // An emergency is not held.
    app.state.clock.set(Some(at("2026-12-02 16:00")));
    let res = app
        .post("/api/v1/petitions")
        .token(&c.operator)
        .json(c.petition(json!({"urgency": "emergency", "contact_name": "王女士", "contact_phone": "13700002222"})))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(deliver(&app).await.delivered, 1);
    assert_eq!(gateway.received()[3].json()["to"], "13700002222");

    // An account gets SMS only when it asks for it; the reply's SMS carries the rating link.
    app.state.clock.set(Some(at("2026-12-03 02:00")));
    let (pid, aid) = c.dispatched(&app).await;
    assert_eq!(deliver(&app).await, Default::default(), "not opted in");
    let res = app
        .request(
            actix_web::http::Method::PUT,
            "/api/v1/me/notification-settings",
        )
        .token(&c.citizen)
        .json(json!({"sms": true, "email": false}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    c.signed_and_replied(
        &app,
        pid,
        aid,
        json!({"body": "已协调收购。", "outcome": "resolved", "public": false}),
    )
    .await;
    assert_eq!(deliver(&app).await.delivered, 1);
    let last = gateway.received().last().expect("sms").json();
    assert_eq!(last["to"], "13812345678");
    assert_eq!(last["template"], "petition.replied");
    let text = last["text"].as_str().expect("text");
    assert!(text.contains("https://minhu.example.cn/r/"), "{text}");
}

/// Messages the SMTP server started by `.ci/run` received, as its handler wrote them
/// (`tests/smtp/server.py`: one JSON file per message and recipient).
fn mails_to(address: &str) -> Vec<Value> {
    let dir = std::env::var("MINHU_TEST_MAILDIR")
        .expect("MINHU_TEST_MAILDIR: the SMTP server's mail directory (bash .ci/run starts it)");
    let dir = std::path::Path::new(&dir).join(address);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .map(|f| serde_json::from_slice(&std::fs::read(f).expect("mail")).expect("json"))
        .collect()
}

async fn email_goes_through_a_real_smtp_server(backend: Backend) {
    let smtp = std::env::var("MINHU_TEST_SMTP_URL")
        .expect("MINHU_TEST_SMTP_URL: an SMTP server for the tests (bash .ci/run starts one)");
    let db = TestDb::new(backend)
        .with("MINHU_SMTP_URL", &smtp)
        .with("MINHU_MAIL_FROM", "民呼必应 <noreply@minhu.test>");
    let address = format!(
        "{}@minhu.test",
        db.dir.file_name().expect("dir").to_string_lossy()
    );
    let app = TestApp::on(db).await;
    let c = City::build(&app).await;
    let res = app
        .request(
            actix_web::http::Method::PUT,
            "/api/v1/me/notification-settings",
        )
        .token(&c.citizen)
        .json(json!({"sms": false, "email": true, "email_address": address}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let p = c.submit(&app, json!({})).await;
    let tracking_no = p["tracking_no"].as_str().expect("no");
    assert_eq!(deliver(&app).await.delivered, 1);
    let mails = mails_to(&address);
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0]["subject"], "诉求已收到");
    assert_eq!(mails[0]["from"], "noreply@minhu.test");
    let body = mails[0]["body"].as_str().expect("body");
    assert!(body.contains(tracking_no), "{body}");
    assert!(!body.contains("13912345678"), "{body}");
}

async fn bad_channel_settings_stop_start_up(_backend: Backend) {
    let config = |pairs: &[(&str, &str)]| {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        minhu::config::Config::from_lookup(move |k| {
            pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    };
    for (pairs, named) in [
        (
            vec![
                ("MINHU_SMS_URL", "http://sms.example.cn/send"),
                ("MINHU_SMS_TOKEN", "t"),
            ],
            "MINHU_SMS_URL",
        ),
        (
            vec![("MINHU_SMS_URL", "https://sms.example.cn/send")],
            "MINHU_SMS_TOKEN",
        ),
        (
            vec![
                ("MINHU_SMTP_URL", "mail server"),
                ("MINHU_MAIL_FROM", "a@b.cn"),
            ],
            "MINHU_SMTP_URL",
        ),
        (
            vec![("MINHU_SMTP_URL", "smtp://127.0.0.1:25")],
            "MINHU_MAIL_FROM",
        ),
        (
            vec![("MINHU_SMS_QUIET_HOURS", "22:00-08:00")],
            "MINHU_SMS_QUIET_HOURS",
        ),
        (
            vec![("MINHU_PUBLIC_URL", "minhu.example.cn")],
            "MINHU_PUBLIC_URL",
        ),
    ] {
        let err = config(&pairs).expect_err(named);
        assert!(err.starts_with(named), "{err}");
    }
    assert!(config(&[
        ("MINHU_SMS_URL", "https://sms.example.cn/send"),
        ("MINHU_SMS_TOKEN", "t"),
        ("MINHU_SMTP_URL", "smtps://user:pass@smtp.example.cn:465"),
        ("MINHU_MAIL_FROM", "民呼必应 <noreply@example.cn>"),
        ("MINHU_SMS_QUIET_HOURS", ""),
    ])
    .is_ok());
}

both_backends!(
    sms_reaches_callers_with_retries_and_quiet_hours,
    email_goes_through_a_real_smtp_server,
    bad_channel_settings_stop_start_up,
);

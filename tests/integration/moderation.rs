//! Moderation (内容审核): what the editors decide the public sees shows at once on every public
//! surface — the feed (even a kept page), the public page, Open311 — and photos hidden from the
//! public are refused without a token; readers' reports reach the editors' queue.

use image::ImageFormat;
use minhu_types::{ModerationReport, Page, Petition, PublicPetition};
use serde_json::{json, Value};

use crate::city::City;
use crate::photos::{encoded, picture, upload_as};
use crate::support::{both_backends, Backend, TestApp, TestDb};

async fn moderate(app: &TestApp, token: &str, id: i64, body: Value) -> crate::support::Resp {
    app.post(&format!("/api/v1/petitions/{id}/moderation"))
        .token(token)
        .json(body)
        .send()
        .await
}

async fn feed_titles(app: &TestApp) -> Vec<String> {
    let feed: Page<PublicPetition> = app.get("/api/v1/public/petitions").send().await.json();
    feed.items.into_iter().map(|p| p.title).collect()
}

async fn open311_text(app: &TestApp) -> String {
    let res = app.get("/open311/v2/requests.json").send().await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.text()
}

async fn what_the_editors_decide_shows_everywhere_at_once(backend: Backend) {
    // Feed pages are kept a minute here: a decision must not wait for them.
    let app = TestApp::on(TestDb::new(backend).with("MINHU_PUBLIC_CACHE_MS", "60000")).await;
    let c = City::build(&app).await;
    let p = c.submit(&app, json!({"title": "东街路灯坏了三个月"})).await;
    let (id, no) = (
        p["id"].as_i64().expect("id"),
        p["tracking_no"].as_str().expect("no").to_owned(),
    );
    let png = encoded(&picture(32, 24), ImageFormat::Png);
    let mut photos = Vec::new();
    for name in ["a.png", "b.png"] {
        let res = upload_as(&app, &c.citizen, id, name, "image/png", &png).await;
        assert_eq!(res.status, 201, "{}", res.text());
        photos.push(res.value()["id"].as_i64().expect("photo id"));
    }
    c.accept(&app, id).await;
    assert!(feed_titles(&app)
        .await
        .contains(&"东街路灯坏了三个月".to_owned()));
    assert!(open311_text(&app).await.contains("五亩萝卜滞销"));

    // A reader reports it; the editors see it in the queue, nobody else.
    let res = app
        .post(&format!("/api/v1/public/petitions/{id}/reports"))
        .token(&c.other_citizen)
        .json(json!({"reason": "内容涉及他人隐私"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let res = app
        .post(&format!("/api/v1/public/petitions/{id}/reports"))
        .token(&c.other_citizen)
        .json(json!({"reason": "  "}))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "reason");
    let queue: Page<ModerationReport> = app
        .get("/api/v1/moderation/reports?open=true")
        .token(&c.reporter)
        .send()
        .await
        .json();
    assert_eq!(queue.total, 1);
    assert_eq!(queue.items[0].tracking_no, no);
    app.get("/api/v1/moderation/reports")
        .token(&c.citizen)
        .send()
        .await
        .problem(403);

    // Who decides: the press and administrators, with a reason and a decision.
    for token in [&c.citizen, &c.operator, &c.leader] {
        moderate(&app, token, id, json!({"hidden": true, "reason": "x"}))
            .await
            .problem(403);
    }
    let p = moderate(&app, &c.reporter, id, json!({"reason": "需要处理"}))
        .await
        .problem(422);
    assert_eq!(p.errors[0].field, "hidden");
    let other = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    let other_photo = upload_as(&app, &c.citizen, other, "c.png", "image/png", &png)
        .await
        .value()["id"]
        .as_i64()
        .expect("photo id");
    let p = moderate(
        &app,
        &c.reporter,
        id,
        json!({"hidden_photo_ids": [other_photo], "reason": "隐藏照片"}),
    )
    .await
    .problem(422);
    assert_eq!(p.errors[0].field, "hidden_photo_ids");

    // A public version (masked all the same) and a hidden photo.
    let res = moderate(
        &app,
        &c.reporter,
        id,
        json!({"public_title": "关于东街路灯的诉求（经编辑处理）", "public_content": "路灯已坏多时。联系 13812345678",
               "hidden_photo_ids": [photos[0]], "reason": "标题含有不实指控"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let seen: Petition = res.json();
    assert_eq!(
        seen.title, "东街路灯坏了三个月",
        "officials keep the original"
    );
    assert_eq!(
        seen.public_title.as_deref(),
        Some("关于东街路灯的诉求（经编辑处理）")
    );
    assert!(feed_titles(&app)
        .await
        .contains(&"关于东街路灯的诉求（经编辑处理）".to_owned()));
    let public: PublicPetition = app.get(&format!("/api/v1/track/{no}")).send().await.json();
    assert_eq!(public.title, "关于东街路灯的诉求（经编辑处理）");
    assert!(public.content.contains("138****5678"), "{}", public.content);
    assert_eq!(
        public.photos.iter().map(|f| f.id).collect::<Vec<_>>(),
        [photos[1]]
    );
    let open311 = open311_text(&app).await;
    assert!(
        open311.contains("路灯已坏多时") && !open311.contains("五亩萝卜"),
        "{open311}"
    );
    app.get(&format!("/api/v1/photos/{}", photos[0]))
        .send()
        .await
        .problem(404);
    let res = app
        .get(&format!("/api/v1/photos/{}", photos[0]))
        .token(&c.citizen)
        .send()
        .await;
    assert_eq!(res.status, 200, "the petitioner still sees it");
    let res = app
        .get(&format!("/api/v1/photos/{}", photos[1]))
        .send()
        .await;
    assert_eq!(res.status, 200);
    // On the timeline with its reason; the report is settled.
    let events: Value = app
        .get(&format!("/api/v1/petitions/{id}/events"))
        .token(&c.operator)
        .send()
        .await
        .value();
    let last = events.as_array().and_then(|e| e.last()).expect("events");
    assert_eq!(last["action"], "moderate");
    assert!(last["note"]
        .as_str()
        .expect("note")
        .contains("标题含有不实指控"));
    let queue: Page<ModerationReport> = app
        .get("/api/v1/moderation/reports?open=true")
        .token(&c.reporter)
        .send()
        .await
        .json();
    assert_eq!(queue.total, 0);

    // Hidden: gone from the feed and Open311 at once; the tracking page shows progress only.
    let res = moderate(
        &app,
        &c.admin,
        id,
        json!({"hidden": true, "reason": "当事人要求撤下"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert!(!feed_titles(&app)
        .await
        .iter()
        .any(|t| t.contains("东街路灯")));
    assert!(!open311_text(&app).await.contains("路灯已坏多时"));
    let public: PublicPetition = app.get(&format!("/api/v1/track/{no}")).send().await.json();
    assert_eq!(public.title, "（未公开）");
    assert!(public.photos.is_empty());
    app.get(&format!("/api/v1/photos/{}", photos[1]))
        .send()
        .await
        .problem(404);
    app.post(&format!("/api/v1/public/petitions/{id}/support"))
        .token(&c.other_citizen)
        .send()
        .await
        .problem(404);

    // Back to the original.
    let res = moderate(
        &app,
        &c.reporter,
        id,
        json!({"hidden": false, "public_title": "", "public_content": "", "hidden_photo_ids": [], "reason": "已核实"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert!(feed_titles(&app)
        .await
        .contains(&"东街路灯坏了三个月".to_owned()));
}

both_backends!(what_the_editors_decide_shows_everywhere_at_once);

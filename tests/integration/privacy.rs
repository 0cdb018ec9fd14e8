//! Who sees what: visibility by role and unit, masking in every view that must mask (phone
//! numbers typed into the content included), the audit log, the public feed, hostile input.

use minhu_types::{Page, Petition, PublicPetition};
use serde_json::json;

use crate::city::City;
use crate::support::{both, TestApp};

async fn masking_in_every_view(app: TestApp) {
    let c = City::build(&app).await;
    let (id, district) = c.dispatched(&app).await;
    let get = |token: String| {
        let path = format!("/api/v1/petitions/{id}");
        let app = &app;
        async move { app.get(&path).token(&token).send().await.json::<Petition>() }
    };

    // The petitioner, the hotline office and the handling unit see everything.
    for (who, token) in [
        ("petitioner", &c.citizen),
        ("operator", &c.operator),
        ("handler", &c.xiuwu),
    ] {
        let p = get(token.clone()).await;
        assert!(!p.masked, "{who}");
        assert_eq!(p.contact_name.as_deref(), Some("褚晓明"), "{who}");
        assert_eq!(p.contact_phone.as_deref(), Some("13812345678"), "{who}");
        assert!(p.content.contains("13912345678"), "{who}");
        assert_eq!(
            p.address.as_deref(),
            Some("修武县郇封镇东常村东街12号"),
            "{who}"
        );
    }
    // Leaders and reporters see all petitions, masked — including the phone typed into the text.
    for (who, token) in [("leader", &c.leader), ("reporter", &c.reporter)] {
        let p = get(token.clone()).await;
        assert!(p.masked, "{who}");
        assert_eq!(p.contact_name.as_deref(), Some("褚某"), "{who}");
        assert_eq!(p.contact_phone.as_deref(), Some("138****5678"), "{who}");
        assert!(
            p.content.contains("139****5678") && !p.content.contains("13912345678"),
            "{who}: {}",
            p.content
        );
        assert_eq!(p.address.as_deref(), Some("修武县郇封镇…"), "{who}");
        assert_eq!(p.latitude, Some(35.23), "{who}: coordinates blurred");
        let text = app
            .get(&format!("/api/v1/petitions/{id}/events"))
            .token(token)
            .send()
            .await
            .text();
        assert!(
            !text.contains("13912345678") && !text.contains("13812345678"),
            "{who}"
        );
    }
    // Lists mask too, except one's own.
    let page: Page<Petition> = app
        .get("/api/v1/petitions")
        .token(&c.operator)
        .send()
        .await
        .json();
    assert_eq!(page.items[0].contact_phone.as_deref(), Some("138****5678"));
    let page: Page<Petition> = app
        .get("/api/v1/petitions")
        .token(&c.citizen)
        .send()
        .await
        .json();
    assert_eq!(page.items[0].contact_phone.as_deref(), Some("13812345678"));
    // The unit's inbox masks phone numbers in titles when anonymous or not its business; the
    // operator's approvals list shows them.
    let inbox = app
        .get("/api/v1/assignments")
        .token(&c.xiuwu)
        .send()
        .await
        .value();
    assert_eq!(inbox["items"][0]["id"], district);

    // Every unmasked view given to an official is in the audit log — the operator's accept and
    // dispatch responses and GET, the handler's GET — and the petitioner's own reads are not.
    let state = app.state.clone();
    let reads = actix_web::web::block(move || {
        let mut conn = state.pool.get().expect("conn");
        minhu::db::petitions::contact_reads_of(&mut conn, id).expect("reads")
    })
    .await
    .expect("block");
    let roles: Vec<&str> = reads.iter().map(|(_, r)| r.as_str()).collect();
    assert_eq!(
        roles,
        ["operator", "operator", "operator", "handler"],
        "{reads:?}"
    );

    // Anonymous: the handling unit sees no identity; the hotline office still does.
    let q = c.submit(&app, json!({"anonymous": true})).await;
    let qid = q["id"].as_i64().expect("id");
    c.call(
        &app,
        &c.operator,
        &format!("/api/v1/petitions/{qid}/accept"),
        json!({}),
        200,
    )
    .await;
    c.call(
        &app,
        &c.operator,
        &format!("/api/v1/petitions/{qid}/assignments"),
        json!({"unit_id": c.xiuwu_id, "role": "lead"}),
        201,
    )
    .await;
    let p: Petition = app
        .get(&format!("/api/v1/petitions/{qid}"))
        .token(&c.xiuwu)
        .send()
        .await
        .json();
    assert!(p.masked);
    assert_eq!(p.contact_phone.as_deref(), Some("138****5678"));
    let p: Petition = app
        .get(&format!("/api/v1/petitions/{qid}"))
        .token(&c.operator)
        .send()
        .await
        .json();
    assert!(!p.masked);
}

async fn visibility_by_role_and_unit(app: TestApp) {
    let c = City::build(&app).await;
    let (id, _) = c.dispatched(&app).await;
    let mine = c.submit(&app, json!({"title": "另一件事"})).await["id"]
        .as_i64()
        .expect("id");
    let list = |token: &str| {
        let token = token.to_owned();
        let app = &app;
        async move {
            app.get("/api/v1/petitions")
                .token(&token)
                .send()
                .await
                .json::<Page<Petition>>()
                .total
        }
    };
    assert_eq!(list(&c.citizen).await, 2);
    assert_eq!(list(&c.other_citizen).await, 0);
    assert_eq!(list(&c.operator).await, 2);
    assert_eq!(list(&c.leader).await, 2);
    assert_eq!(
        list(&c.xiuwu).await,
        1,
        "only what was dispatched into its subtree"
    );
    assert_eq!(list(&c.huanfeng).await, 0);
    assert_eq!(list(&c.xinhua).await, 0);
    app.get(&format!("/api/v1/petitions/{id}"))
        .token(&c.other_citizen)
        .send()
        .await
        .problem(404);
    app.get(&format!("/api/v1/petitions/{mine}"))
        .token(&c.xiuwu)
        .send()
        .await
        .problem(404);
    app.get(&format!("/api/v1/petitions/{id}/events"))
        .token(&c.xinhua)
        .send()
        .await
        .problem(404);
    app.get("/api/v1/petitions/999999")
        .token(&c.operator)
        .send()
        .await
        .problem(404);
    // Filters.
    let page: Page<Petition> = app
        .get("/api/v1/petitions?status=dispatched")
        .token(&c.operator)
        .send()
        .await
        .json();
    assert_eq!(page.total, 1);
    let page: Page<Petition> = app
        .get(&format!("/api/v1/petitions?unit_id={}", c.xiuwu_id))
        .token(&c.operator)
        .send()
        .await
        .json();
    assert_eq!(page.total, 1);
    let page: Page<Petition> = app
        .get("/api/v1/petitions?q=%E5%8F%A6%E4%B8%80%E4%BB%B6")
        .token(&c.operator)
        .send()
        .await
        .json();
    assert_eq!(page.total, 1, "q=另一件");
    let page: Page<Petition> = app
        .get("/api/v1/petitions?q=100%25")
        .token(&c.operator)
        .send()
        .await
        .json();
    assert_eq!(page.total, 0, "% is a literal");
    app.get("/api/v1/petitions?status=lost")
        .token(&c.operator)
        .send()
        .await
        .problem(400);
}

async fn the_public_feed_shows_only_consenting_petitions(app: TestApp) {
    let c = City::build(&app).await;
    let open = c.submit(&app, json!({"title": "公开的诉求"})).await;
    let private = c
        .submit(
            &app,
            json!({"title": "不公开的诉求", "publish_consent": false}),
        )
        .await;
    for p in [&open, &private] {
        let id = p["id"].as_i64().expect("id");
        c.call(
            &app,
            &c.operator,
            &format!("/api/v1/petitions/{id}/accept"),
            json!({}),
            200,
        )
        .await;
        c.call(
            &app,
            &c.operator,
            &format!("/api/v1/petitions/{id}/answer"),
            json!({"body": "已答复，联系电话13700001111", "outcome": "resolved", "public": true}),
            200,
        )
        .await;
    }
    // Still in triage: not in the feed.
    c.submit(&app, json!({"title": "刚提交"})).await;

    let page: Page<PublicPetition> = app.get("/api/v1/public/petitions").send().await.json();
    assert_eq!(page.total, 1);
    let item = &page.items[0];
    assert_eq!(item.title, "公开的诉求");
    assert!(item.content.contains("139****5678"));
    assert!(item.replies[0].body.contains("137****1111"));
    let page: Page<PublicPetition> = app
        .get("/api/v1/public/petitions?q=%E4%B8%8D%E5%85%AC%E5%BC%80")
        .send()
        .await
        .json();
    assert_eq!(
        page.total, 0,
        "searching does not reveal unpublished petitions"
    );

    // Tracking a non-consenting petition shows progress only.
    let no = private["tracking_no"].as_str().expect("no");
    let t: PublicPetition = app.get(&format!("/api/v1/track/{no}")).send().await.json();
    assert_eq!(
        (t.title.as_str(), t.content.as_str(), t.replies.len()),
        ("（未公开）", "", 0)
    );
    assert!(!t.timeline.is_empty());
    app.get("/api/v1/track/20990101-000001")
        .send()
        .await
        .problem(404);
    app.get("/api/v1/track/drop%20table")
        .send()
        .await
        .problem(404);
}

async fn hostile_input_is_refused_or_stored_as_text(app: TestApp) {
    let c = City::build(&app).await;
    for text in [
        "<script>alert('x')</script><img src=x onerror=alert(1)>",
        "'; DROP TABLE petitions; --",
        "Robert\u{202e}",
    ] {
        let p = c
            .submit(&app, json!({"title": text, "content": text}))
            .await;
        assert_eq!(p["title"], text.trim());
    }
    let post = |body: serde_json::Value| {
        let app = &app;
        let token = c.citizen.clone();
        async move {
            app.post("/api/v1/petitions")
                .token(&token)
                .json(body)
                .send()
                .await
        }
    };
    let p = post(c.petition(json!({"content": "长".repeat(4_001)})))
        .await
        .problem(422);
    assert_eq!(p.errors[0].field, "content");
    let p = post(c.petition(json!({"title": ""}))).await.problem(422);
    assert_eq!(p.errors[0].field, "title");
    let p = post(c.petition(json!({"content": "a\u{0}b"})))
        .await
        .problem(422);
    assert_eq!(p.errors[0].field, "content");
    let p = post(c.petition(json!({"category_id": "one"})))
        .await
        .problem(422);
    assert_eq!(p.errors[0].field, "category_id");
    let p = post(c.petition(json!({"category_id": 9999})))
        .await
        .problem(422);
    assert_eq!(p.errors[0].field, "category_id");
    let p = post(c.petition(json!({"kind": "petition"})))
        .await
        .problem(422);
    assert_eq!(p.errors[0].field, "kind");
    let p = post(c.petition(json!({"latitude": 123.0})))
        .await
        .problem(422);
    assert_eq!(p.errors[0].field, "latitude");
    let p = post(c.petition(json!({"source": "partner"})))
        .await
        .problem(422);
    assert_eq!(p.errors[0].field, "source");
    let p = post(c.petition(json!({"status": "closed"})))
        .await
        .problem(422);
    assert_eq!(
        p.errors[0].field, "status",
        "a client cannot set the status"
    );
    post(json!([1, 2, 3])).await.problem(422);
    // Officials cannot submit as citizens.
    let res = app
        .post("/api/v1/petitions")
        .token(&c.operator)
        .json(c.petition(json!({})))
        .send()
        .await;
    res.problem(403);
    let page: Page<Petition> = app
        .get("/api/v1/petitions")
        .token(&c.citizen)
        .send()
        .await
        .json();
    assert_eq!(page.total, 3, "only the three valid ones were stored");
}

both!(
    masking_in_every_view,
    visibility_by_role_and_unit,
    the_public_feed_shows_only_consenting_petitions,
    hostile_input_is_refused_or_stored_as_text,
);

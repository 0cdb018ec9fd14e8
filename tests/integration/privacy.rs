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
    c.accept(&app, qid).await;
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
    assert_eq!(
        (p.contact_name, p.contact_phone, p.address),
        (None, None, None),
        "a unit gets no surname, no digits and no address of an anonymous petitioner"
    );
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
        c.accept(&app, id).await;
        c.answer_publicly(&app, id, "已答复，联系电话13700001111")
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
    // Officials cannot submit as citizens: the press and leaders not at all, the hotline
    // office only as a registered call, with whom to call back (lifecycle.rs).
    for token in [&c.reporter, &c.leader, &c.xiuwu] {
        let res = app
            .post("/api/v1/petitions")
            .token(token)
            .json(c.petition(json!({})))
            .send()
            .await;
        res.problem(403);
    }
    let res = app
        .post("/api/v1/petitions")
        .token(&c.operator)
        .json(c.petition(json!({})))
        .send()
        .await;
    res.problem(422);
    let page: Page<Petition> = app
        .get("/api/v1/petitions")
        .token(&c.citizen)
        .send()
        .await
        .json();
    assert_eq!(page.total, 3, "only the three valid ones were stored");
}

/// Every way of writing the secrets below, as people type them.
const SECRETS: [&str; 4] = [
    "13912345678",
    "03911234567",
    "41080219900307123X",
    "zhangsan.home",
];

fn variants() -> Vec<String> {
    vec![
        "电话13912345678".into(),
        "+86 139 1234 5678".into(),
        "+86-139-1234-5678".into(),
        "（+86）13912345678号楼".into(),
        "１３９１２３４５６７８".into(),
        "139.1234.5678".into(),
        "手机：139－1234－5678，谢谢".into(),
        "座机0391-1234567".into(),
        "座机(0391)1234567".into(),
        "身份证41080219900307123X".into(),
        "邮箱zhangsan.home@example.com".into(),
    ]
}

/// The numbers a reader could piece together from a text: each run of digits (full-width ones
/// made ASCII) and X, joined across the separators people put between groups.
fn numbers_in(text: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    for c in text.chars() {
        match c {
            '０'..='９' => {
                let d = char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or('0');
                out.last_mut().map(|s| s.push(d));
            }
            '0'..='9' | 'X' => {
                out.last_mut().map(|s| s.push(c));
            }
            ' ' | '-' | '.' | '－' | '(' | ')' | '（' | '）' | '+' => {}
            _ => out.push(String::new()),
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// Fails when `text` holds more of a secret than masking leaves: seven digits in a row of a
/// number, or an e-mail's local part.
fn assert_no_leak(what: &str, text: &str) {
    let numbers = numbers_in(text);
    for secret in SECRETS {
        if secret.chars().all(|c| c.is_ascii_digit() || c == 'X') {
            for window in secret.as_bytes().windows(7) {
                let w = std::str::from_utf8(window).unwrap_or_default();
                assert!(
                    !numbers.iter().any(|n| n.contains(w)),
                    "{what} leaks {w} of {secret}: {text}"
                );
            }
        } else {
            assert!(!text.contains(secret), "{what} leaks {secret}: {text}");
        }
    }
}

/// Seeds petitions carrying personal data in every variant, then walks every view that masks —
/// the public feed and tracking, Open311 in JSON and XML, officials' masked views, lists,
/// timelines, suggestions and briefings — as every role, and fails on any hit.
async fn leak_scan(app: TestApp) {
    let c = City::build(&app).await;
    let mut ids = Vec::new();
    let mut numbers = Vec::new();
    for (i, v) in variants().iter().enumerate() {
        let p = c
            .submit(
                &app,
                json!({"title": format!("第{i}件 {v}"), "content": format!("请联系{v}。"), "contact_phone": "13912345678", "urgency": "emergency"}),
            )
            .await;
        let id = p["id"].as_i64().expect("id");
        c.accept(&app, id).await;
        c.answer_publicly(&app, id, &format!("已回电{v}")).await;
        ids.push(id);
        numbers.push(p["tracking_no"].as_str().expect("no").to_owned());
    }
    let mut pages = vec![
        (
            "feed",
            None,
            "/api/v1/public/petitions?per_page=100".to_owned(),
        ),
        ("open311 json", None, "/open311/v2/requests.json".to_owned()),
        ("open311 xml", None, "/open311/v2/requests.xml".to_owned()),
    ];
    for no in &numbers {
        pages.push(("track", None, format!("/api/v1/track/{no}")));
        pages.push((
            "open311 one",
            None,
            format!("/open311/v2/requests/{no}.json"),
        ));
    }
    for (who, token) in [
        ("leader", &c.leader),
        ("reporter", &c.reporter),
        ("admin", &c.admin),
        ("other unit", &c.xinhua),
    ] {
        pages.push((
            who,
            Some(token.clone()),
            "/api/v1/petitions?per_page=100".to_owned(),
        ));
        pages.push((
            who,
            Some(token.clone()),
            "/api/v1/briefings?format=markdown".to_owned(),
        ));
        pages.push((
            who,
            Some(token.clone()),
            "/api/v1/briefings?format=csv".to_owned(),
        ));
        for id in &ids {
            pages.push((who, Some(token.clone()), format!("/api/v1/petitions/{id}")));
            pages.push((
                who,
                Some(token.clone()),
                format!("/api/v1/petitions/{id}/events"),
            ));
        }
    }
    // Messages mask titles and replies for everyone, the petitioner included (they go out by
    // SMS and e-mail too); leaders hear of every emergency.
    for (who, token) in [("petitioner", &c.citizen), ("leader", &c.leader)] {
        pages.push((
            who,
            Some(token.clone()),
            "/api/v1/notifications?per_page=100".to_owned(),
        ));
    }
    pages.push((
        "operator list",
        Some(c.operator.clone()),
        "/api/v1/petitions?per_page=100".to_owned(),
    ));
    for (who, token, path) in pages {
        let mut req = app.get(&path);
        if let Some(t) = &token {
            req = req.token(t);
        }
        let res = req.send().await;
        if res.status == 404 || res.status == 403 {
            continue;
        }
        assert_eq!(res.status, 200, "{who} {path}: {}", res.text());
        assert_no_leak(&format!("{who} {path}"), &res.text());
    }
    // The messages scanned were there: an emergency and a reply for each variant.
    let told: Page<serde_json::Value> = app
        .get("/api/v1/notifications?per_page=100")
        .token(&c.citizen)
        .send()
        .await
        .json();
    assert!(
        told.items
            .iter()
            .filter(|n| n["event"] == "petition.replied")
            .count()
            == ids.len()
    );
    // And the scan can fail: the petitioner's own view holds the secrets.
    let own = app
        .get(&format!("/api/v1/petitions/{}", ids[0]))
        .token(&c.citizen)
        .send()
        .await;
    assert!(numbers_in(&own.text())
        .iter()
        .any(|n| n.contains("13912345678")));
}

/// A search may only match what the caller sees: a masked number cannot be confirmed digit by
/// digit through `q`, in the public feed or in officials' lists.
async fn searches_match_only_what_is_shown(app: TestApp) {
    let c = City::build(&app).await;
    let id = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    c.accept(&app, id).await;
    let feed = |q: &str| {
        let app = &app;
        let path = format!("/api/v1/public/petitions?q={}", urlencode(q));
        async move {
            app.get(&path)
                .send()
                .await
                .json::<Page<PublicPetition>>()
                .total
        }
    };
    let list = |token: String, q: &str| {
        let app = &app;
        let path = format!("/api/v1/petitions?q={}", urlencode(q));
        async move {
            app.get(&path)
                .token(&token)
                .send()
                .await
                .json::<Page<Petition>>()
                .total
        }
    };
    // The content holds 13912345678, shown as 139****5678.
    for hidden in ["13912345678", "1391234", "9123", "12345678", "3912"] {
        assert_eq!(feed(hidden).await, 0, "feed q={hidden}");
        for (who, token) in [("operator", &c.operator), ("leader", &c.leader)] {
            assert_eq!(list(token.clone(), hidden).await, 0, "{who} q={hidden}");
        }
    }
    for shown in ["139****5678", "5678", "萝卜"] {
        assert_eq!(feed(shown).await, 1, "feed q={shown}");
        assert_eq!(list(c.leader.clone(), shown).await, 1, "leader q={shown}");
    }
    // The petitioner searches their own text as written.
    assert_eq!(list(c.citizen.clone(), "13912345678").await, 1);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Merging a consenting petition into a private one does not publish the private one's
/// replies and follow-ups through the merged one's page.
async fn consent_does_not_travel_with_merges(app: TestApp) {
    let c = City::build(&app).await;
    let private = c
        .submit(
            &app,
            json!({"title": "私密的诉求", "publish_consent": false}),
        )
        .await["id"]
        .as_i64()
        .expect("id");
    let open = c.submit(&app, json!({"title": "公开的诉求"})).await;
    let open_id = open["id"].as_i64().expect("id");
    c.accept(&app, private).await;
    c.call(
        &app,
        &c.operator,
        &format!("/api/v1/petitions/{open_id}/merge"),
        json!({"into_id": private}),
        200,
    )
    .await;
    c.answer_publicly(&app, private, "私下答复的内容").await;
    c.call(
        &app,
        &c.reporter,
        &format!("/api/v1/petitions/{private}/follow-ups"),
        json!({"title": "记者回访", "body": "私密诉求的回访"}),
        201,
    )
    .await;
    let no = open["tracking_no"].as_str().expect("no");
    let t: PublicPetition = app.get(&format!("/api/v1/track/{no}")).send().await.json();
    assert_eq!(t.title, "公开的诉求");
    assert!(t.replies.is_empty() && t.follow_ups.is_empty(), "{t:?}");
    let feed = app.get("/api/v1/public/petitions").send().await.text();
    assert!(
        !feed.contains("私下答复") && !feed.contains("私密诉求的回访"),
        "{feed}"
    );
}

/// A unit whose order was returned sees the petition masked; tracking and Open311 show only
/// published text.
async fn access_ends_with_the_assignment(app: TestApp) {
    let c = City::build(&app).await;
    let (id, district) = c.dispatched(&app).await;
    let get = || {
        let app = &app;
        let token = c.xiuwu.clone();
        async move {
            app.get(&format!("/api/v1/petitions/{id}"))
                .token(&token)
                .send()
                .await
                .json::<Petition>()
        }
    };
    assert!(!get().await.masked);
    c.call(
        &app,
        &c.xiuwu,
        &format!("/api/v1/assignments/{district}/return"),
        json!({"reason": "不属于本单位职责"}),
        200,
    )
    .await;
    c.call(
        &app,
        &c.operator,
        &format!("/api/v1/assignments/{district}/return/approve"),
        json!({}),
        200,
    )
    .await;
    let p = get().await;
    assert!(p.masked, "the returned unit still sees the contact details");
    assert_eq!(p.contact_phone.as_deref(), Some("138****5678"));

    // Withdrawn with consent: tracking shows the progress, not what was written.
    let w = c.submit(&app, json!({"title": "撤回的诉求"})).await;
    let wid = w["id"].as_i64().expect("id");
    c.accept(&app, wid).await;
    c.call(
        &app,
        &c.citizen,
        &format!("/api/v1/petitions/{wid}/withdraw"),
        json!({}),
        200,
    )
    .await;
    let no = w["tracking_no"].as_str().expect("no");
    let t: PublicPetition = app.get(&format!("/api/v1/track/{no}")).send().await.json();
    assert_eq!((t.title.as_str(), t.content.as_str()), ("（未公开）", ""));
    assert_eq!(
        app.get(&format!("/open311/v2/requests/{no}.json"))
            .send()
            .await
            .status,
        404,
        "Open311 single lookups follow the lists' publication rule"
    );
}

/// The audit log after `query`, as an administrator reads it (200).
async fn audit(app: &TestApp, admin: &str, query: &str) -> crate::support::Resp {
    let res = app
        .get(&format!("/api/v1/audit/contact-reads?{query}"))
        .token(admin)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res
}

/// The audit log's rows after `query`.
async fn audit_log(app: &TestApp, admin: &str, query: &str) -> Vec<serde_json::Value> {
    let res = audit(app, admin, query).await;
    res.value()["items"].as_array().expect("items").clone()
}

/// The audit log of one petition as CSV, as an administrator exports it.
async fn audit_csv(app: &TestApp, admin: &str, petition_id: i64) -> crate::support::Resp {
    audit(app, admin, &format!("format=csv&petition_id={petition_id}")).await
}

/// Every unmasked read is in the audit log — the inbox, the board, timelines and suggestions
/// too — and administrators read and export it.
async fn every_unmasked_read_is_audited(app: TestApp) {
    let c = City::build(&app).await;
    let (id, _) = c.dispatched(&app).await;
    // Coordinates only: still personal.
    let only_coords = c
        .submit(
            &app,
            json!({"address": null, "content": "路灯坏了", "title": "路灯"}),
        )
        .await["id"]
        .as_i64()
        .expect("id");
    let reads = |query: String| {
        let (app, admin) = (&app, &c.admin);
        async move {
            audit_log(app, admin, &query)
                .await
                .iter()
                .map(|r| r["via"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let before = reads(format!("petition_id={id}&per_page=100")).await.len();
    for path in [
        "/api/v1/assignments".to_owned(),
        "/api/v1/supervision".to_owned(),
        format!("/api/v1/petitions/{id}/events"),
        format!("/api/v1/petitions/{only_coords}"),
        format!("/api/v1/petitions/{only_coords}/suggestions"),
    ] {
        let res = app.get(&path).token(&c.operator).send().await;
        assert_eq!(res.status, 200, "{path}: {}", res.text());
    }
    let vias = reads(format!("petition_id={id}&per_page=100")).await;
    assert!(vias.len() > before, "{vias:?}");
    for via in ["inbox", "timeline"] {
        assert!(vias.iter().any(|v| v == via), "{via} missing: {vias:?}");
    }
    let vias = reads(format!("petition_id={only_coords}")).await;
    assert!(
        vias.iter().any(|v| v == "detail"),
        "coordinates only: {vias:?}"
    );
    // Masked views are not in the log.
    let leader_id = app.get("/api/v1/me").token(&c.leader).send().await.value()["id"]
        .as_i64()
        .expect("id");
    app.get(&format!("/api/v1/petitions/{id}"))
        .token(&c.leader)
        .send()
        .await;
    assert!(reads(format!("user_id={leader_id}")).await.is_empty());
    // CSV export, with a header and one line a read.
    let res = audit_csv(&app, &c.admin, id).await;
    assert!(res
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/csv")));
    let text = res.text();
    assert!(text.contains("id,created_at,user_id,username,role,via,petition_id,tracking_no"));
    assert!(text.contains(",operator1,operator,inbox,"), "{text}");
    // Only administrators.
    for token in [&c.operator, &c.leader, &c.citizen] {
        app.get("/api/v1/audit/contact-reads")
            .token(token)
            .send()
            .await
            .problem(403);
    }
    app.get("/api/v1/audit/contact-reads?format=xml")
        .token(&c.admin)
        .send()
        .await
        .problem(400);
}

/// Reads made at the same moment are each audited once (their rows are written together,
/// `db::batched`): sixteen reads of one petition by the hotline office and eight pages of its
/// inbox at once, then exactly sixteen `detail` rows and eight `inbox` rows for the petition.
async fn reads_at_the_same_moment_are_each_audited_once(app: TestApp) {
    use futures_util::future::join_all;
    let c = City::build(&app).await;
    let (id, _) = c.dispatched(&app).await;
    let count = |via: &'static str| {
        let (app, admin) = (&app, &c.admin);
        async move {
            audit_log(app, admin, &format!("petition_id={id}&per_page=100"))
                .await
                .iter()
                .filter(|r| r["via"] == via && r["role"] == "operator")
                .count()
        }
    };
    let (details, inboxes) = (count("detail").await, count("inbox").await);
    let path = format!("/api/v1/petitions/{id}");
    let reads = (0..16)
        .map(|_| app.get(&path).token(&c.operator).send())
        .chain((0..8).map(|_| app.get("/api/v1/assignments").token(&c.operator).send()));
    for res in join_all(reads).await {
        assert_eq!(res.status, 200, "{}", res.text());
    }
    assert_eq!(count("detail").await, details + 16);
    assert_eq!(count("inbox").await, inboxes + 8);
}

both!(
    masking_in_every_view,
    visibility_by_role_and_unit,
    the_public_feed_shows_only_consenting_petitions,
    hostile_input_is_refused_or_stored_as_text,
    leak_scan,
    searches_match_only_what_is_shown,
    consent_does_not_travel_with_merges,
    access_ends_with_the_assignment,
    every_unmasked_read_is_audited,
    reads_at_the_same_moment_are_each_audited_once,
);

/// A batch of audit rows larger than SQLite takes in one statement (250,000 values as
/// libsqlite3-sys builds it, 32,766 in SQLite's own default; five a row) is written whole:
/// 60,000 rows, as from many requests' pages at once.
async fn a_batch_of_audit_rows_of_any_size_is_written(app: TestApp) {
    let c = City::build(&app).await;
    let id = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    let operator = app
        .get("/api/v1/me")
        .token(&c.operator)
        .send()
        .await
        .value()["id"]
        .as_i64()
        .expect("id");
    let ids = vec![id; 60_000];
    let pool = app.state.pool.clone();
    minhu::db::run(&pool, move |conn| {
        Ok(minhu::db::petitions::record_contact_reads(
            conn,
            &ids,
            operator,
            "operator",
            "board",
            minhu::db::now(),
        )?)
    })
    .await
    .expect("written");
    let log = audit_log(&app, &c.admin, &format!("petition_id={id}&per_page=100")).await;
    assert_eq!(log.len(), 100, "a full page");
    let res = audit_csv(&app, &c.admin, id).await;
    let lines = res.text().lines().filter(|l| l.contains(",board,")).count();
    assert_eq!(lines, 60_000);
}

both!(a_batch_of_audit_rows_of_any_size_is_written);

//! Readers: 我也遇到 (support) counted exactly once per account under concurrent clicks and
//! shown on every public surface and to the hotline office; the feed sorted by it; follows
//! that bring a published petition's public milestones as messages.

use futures_util::future::join_all;
use minhu_types::{Notification, Page, Petition, PublicPetition, Supporters};
use serde_json::json;

use crate::city::City;
use crate::support::{both, TestApp};

async fn published(app: &TestApp, c: &City, title: &str) -> (i64, String) {
    let p = c.submit(app, json!({"title": title})).await;
    let id = p["id"].as_i64().expect("id");
    c.accept(app, id).await;
    (id, p["tracking_no"].as_str().expect("no").to_owned())
}

async fn support(app: &TestApp, token: &str, id: i64) -> i64 {
    let res = app
        .post(&format!("/api/v1/public/petitions/{id}/support"))
        .token(token)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json::<Supporters>().supporters
}

async fn support_is_counted_once_and_shown_everywhere(app: TestApp) {
    let c = City::build(&app).await;
    let (id, no) = published(&app, &c, "小区门口路灯不亮").await;

    // Sixteen clicks at once from one account count once.
    let clicks = (0..16).map(|_| support(&app, &c.other_citizen, id));
    let counts = join_all(clicks).await;
    assert!(counts.iter().all(|n| *n == 1), "{counts:?}");
    for name in ["reader1", "reader2", "reader3"] {
        let token = app.citizen(name).await;
        support(&app, &token, id).await;
    }
    assert_eq!(
        support(&app, &c.other_citizen, id).await,
        4,
        "repeating is a no-op"
    );
    let take_back = |token: String| {
        let app = &app;
        async move {
            let res = app
                .request(
                    actix_web::http::Method::DELETE,
                    &format!("/api/v1/public/petitions/{id}/support"),
                )
                .token(&token)
                .send()
                .await;
            assert_eq!(res.status, 200, "{}", res.text());
            res.json::<Supporters>().supporters
        }
    };
    assert_eq!(take_back(c.other_citizen.clone()).await, 3);
    assert_eq!(
        take_back(c.other_citizen.clone()).await,
        3,
        "nothing to take back"
    );

    // The count on the public page, the feed and the hotline office's view.
    let public: PublicPetition = app.get(&format!("/api/v1/track/{no}")).send().await.json();
    assert_eq!((public.id, public.supporters), (id, 3));
    let (other, _) = published(&app, &c, "公交站台破损").await;
    let feed: Page<PublicPetition> = app.get("/api/v1/public/petitions").send().await.json();
    assert_eq!(feed.items[0].id, other, "newest first by default");
    let feed: Page<PublicPetition> = app
        .get("/api/v1/public/petitions?sort=supporters")
        .send()
        .await
        .json();
    assert_eq!((feed.items[0].id, feed.items[0].supporters), (id, 3));
    assert_eq!(feed.items[1].id, other);
    let seen: Petition = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&c.operator)
        .send()
        .await
        .json();
    assert_eq!(seen.supporters, 3);
    let res = app
        .get("/api/v1/public/petitions?sort=loudest")
        .send()
        .await;
    assert_eq!(res.status, 400, "{}", res.text());

    // Only published petitions, only signed in.
    let hidden = c.submit(&app, json!({"publish_consent": false})).await["id"]
        .as_i64()
        .expect("id");
    c.accept(&app, hidden).await;
    let waiting = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    for p in [hidden, waiting, 999_999] {
        app.post(&format!("/api/v1/public/petitions/{p}/support"))
            .token(&c.other_citizen)
            .send()
            .await
            .problem(404);
    }
    app.post(&format!("/api/v1/public/petitions/{id}/support"))
        .send()
        .await
        .problem(401);
}

async fn followers_hear_the_public_milestones(app: TestApp) {
    let c = City::build(&app).await;
    let (id, no) = published(&app, &c, "萝卜滞销").await;
    let reader = app.citizen("follower").await;
    let follow = |token: String, method: actix_web::http::Method, p: i64| {
        let app = &app;
        async move {
            app.request(method, &format!("/api/v1/petitions/{p}/follow"))
                .token(&token)
                .send()
                .await
        }
    };
    for _ in 0..2 {
        let res = follow(reader.clone(), actix_web::http::Method::POST, id).await;
        assert_eq!(res.status, 204, "{}", res.text());
    }
    let aid = c.dispatch(&app, id, c.xiuwu_id).await;
    c
        .signed_and_replied(&app, id, aid, json!({"body": "已联系收购商，联系人 13700009999。", "outcome": "resolved", "public": true}))
        .await;
    let told: Page<Notification> = app
        .get("/api/v1/notifications")
        .token(&reader)
        .send()
        .await
        .json();
    let events: Vec<&str> = told.items.iter().map(|n| n.event.as_str()).collect();
    assert_eq!(
        events,
        ["petition.replied"],
        "followed after it was accepted"
    );
    let n = &told.items[0];
    assert_eq!(n.link.as_deref(), Some(format!("/t/{no}").as_str()));
    assert!(
        !n.body.contains("13700009999") && !n.body.contains("收购商"),
        "{}",
        n.body
    );

    // Unfollowed: the close is not told; the petitioner still hears it.
    let res = follow(reader.clone(), actix_web::http::Method::DELETE, id).await;
    assert_eq!(res.status, 204, "{}", res.text());
    c.call(
        &app,
        &c.citizen,
        &format!("/api/v1/petitions/{id}/rating"),
        json!({"satisfaction": "satisfied", "resolved": true, "contacted": true}),
        201,
    )
    .await;
    let told: Page<Notification> = app
        .get("/api/v1/notifications")
        .token(&reader)
        .send()
        .await
        .json();
    assert_eq!(told.total, 1);
    let own: Page<Notification> = app
        .get("/api/v1/notifications")
        .token(&c.citizen)
        .send()
        .await
        .json();
    assert_eq!(own.items[0].event, "petition.closed");

    // Unpublished petitions cannot be followed.
    let hidden = c.submit(&app, json!({"publish_consent": false})).await["id"]
        .as_i64()
        .expect("id");
    follow(reader.clone(), actix_web::http::Method::POST, hidden)
        .await
        .problem(404);
}

both!(
    support_is_counted_once_and_shown_everywhere,
    followers_hear_the_public_milestones,
);

//! Lists at any size of history: they cost the same number of statements whatever the page
//! holds (no query per item) — the public feed, officials' list, a unit's inbox, Open311
//! requests and a citizen's own list, each read with one item and again with a full page of
//! items in several states — and a unit's inbox pages the work in hand before its history.

use serde_json::json;

use crate::city::City;
use crate::support::{both, TestApp};

/// Statements the database received while answering `GET path` (200) as `token`; the kept feed
/// pages are forgotten first, so the feed is built, not served from memory.
async fn statements(app: &TestApp, token: Option<&str>, path: &str) -> u64 {
    app.state.recent_feed.clear();
    let before = minhu::db::statements_run(&app.state.pool);
    let mut req = app.get(path);
    if let Some(t) = token {
        req = req.token(t);
    }
    let res = req.send().await;
    assert_eq!(res.status, 200, "GET {path}: {}", res.text());
    minhu::db::statements_run(&app.state.pool) - before
}

async fn lists_take_a_fixed_number_of_statements(app: TestApp) {
    let c = City::build(&app).await;
    let lists: [(Option<&str>, &str); 5] = [
        (None, "/api/v1/public/petitions"),
        (Some(&c.operator), "/api/v1/petitions"),
        (Some(&c.xiuwu), "/api/v1/assignments"),
        (None, "/open311/v2/requests.json"),
        (Some(&c.citizen), "/api/v1/petitions"),
    ];
    c.dispatched(&app).await;
    let mut with_one = Vec::new();
    for (token, path) in lists {
        with_one.push(statements(&app, token, path).await);
    }
    // A full page: dispatched, signed and replied (public and private replies), with photos'
    // and replies' rows to load for many items at once.
    for i in 0..24 {
        let (id, aid) = c.dispatched(&app).await;
        if i % 3 != 0 {
            let reply = json!({"body": format!("已联系收购商 {i}"), "outcome": "resolved", "public": i % 2 == 0});
            c.signed_and_replied(&app, id, aid, reply).await;
        }
    }
    for ((token, path), one) in lists.into_iter().zip(with_one) {
        let full = statements(&app, token, path).await;
        assert_eq!(
            full, one,
            "GET {path}: {one} statements with one item, {full} with a full page"
        );
    }
}

/// (id, state) of each order on one page of 修武县's inbox, and the page's total.
async fn inbox_page(app: &TestApp, c: &City, query: &str) -> (Vec<(i64, String)>, i64) {
    let res = app
        .get(&format!("/api/v1/assignments{query}"))
        .token(&c.xiuwu)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let v = res.value();
    let items = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["id"].as_i64().expect("id"),
                i["state"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    (items, v["total"].as_i64().expect("total"))
}

async fn the_inbox_puts_the_work_in_hand_first(app: TestApp) {
    let c = City::build(&app).await;
    // Oldest first: two answered orders, one in handling, one to sign.
    let mut answered = Vec::new();
    for _ in 0..2 {
        let (id, aid) = c.dispatched(&app).await;
        let reply = json!({"body": "已处理", "outcome": "resolved", "public": false});
        c.signed_and_replied(&app, id, aid, reply).await;
        answered.push(aid);
    }
    let (_, handling) = c.dispatched(&app).await;
    let sign = format!("/api/v1/assignments/{handling}/sign");
    c.call(&app, &c.xiuwu, &sign, json!({}), 200).await;
    let (_, to_sign) = c.dispatched(&app).await;

    let (items, total) = inbox_page(&app, &c, "").await;
    let ids: Vec<i64> = items.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        ids,
        [to_sign, handling, answered[1], answered[0]],
        "{items:?}"
    );
    assert_eq!(total, 4);
    // Page by page across the live orders and history, with the same total on every page.
    let mut paged = Vec::new();
    for page in 1..=5 {
        let (items, total) = inbox_page(&app, &c, &format!("?per_page=1&page={page}")).await;
        assert_eq!(total, 4, "page {page}");
        paged.extend(items.into_iter().map(|(id, _)| id));
    }
    assert_eq!(paged, ids);
}

both!(
    lists_take_a_fixed_number_of_statements,
    the_inbox_puts_the_work_in_hand_first,
);

/// An order follows its unit when the unit moves: the inbox and the officials' list of the
/// unit's new parent hold it, the old parent's no longer do.
async fn orders_follow_their_unit_when_it_moves(app: TestApp) {
    let c = City::build(&app).await;
    let id = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    c.accept(&app, id).await;
    c.dispatch(&app, id, c.huanfeng_id).await;
    let holds = |token: String, path: &'static str| {
        let app = &app;
        async move {
            let res = app.get(path).token(&token).send().await;
            assert_eq!(res.status, 200, "{}", res.text());
            res.value()["total"].as_i64().expect("total")
        }
    };
    assert_eq!(holds(c.xiuwu.clone(), "/api/v1/assignments").await, 1);
    assert_eq!(holds(c.xinhua.clone(), "/api/v1/assignments").await, 0);
    let res = app
        .patch(&format!("/api/v1/units/{}", c.huanfeng_id))
        .token(&c.admin)
        .json(json!({"parent_id": c.xinhua_id}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(holds(c.xiuwu.clone(), "/api/v1/assignments").await, 0);
    assert_eq!(holds(c.xiuwu.clone(), "/api/v1/petitions").await, 0);
    assert_eq!(holds(c.xinhua.clone(), "/api/v1/assignments").await, 1);
    assert_eq!(holds(c.xinhua.clone(), "/api/v1/petitions").await, 1);
    assert_eq!(holds(c.huanfeng.clone(), "/api/v1/assignments").await, 1);
}

both!(orders_follow_their_unit_when_it_moves);

//! Lists cost the same number of statements whatever the page holds (no query per item): the
//! public feed, officials' list, a unit's inbox, Open311 requests and a citizen's own list,
//! each read with one item and again with a full page of items in several states.

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

both!(lists_take_a_fixed_number_of_statements);

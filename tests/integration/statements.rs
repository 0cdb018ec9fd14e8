//! Lists at any size of history: they cost the same number of statements whatever the page
//! holds (no query per item) — the public feed, officials' list, a unit's inbox, Open311
//! requests and a citizen's own list, each read with one item and again with a full page of
//! items in several states — and a unit's inbox pages the work in hand before its history.

use serde_json::json;

use crate::city::City;
use crate::support::{both, TestApp};

/// Statements the database received while answering `GET path` (200) as `token`; the kept
/// public pages and admissions are forgotten first, so the page is built and the token admitted
/// from the database, not from memory.
async fn statements(app: &TestApp, token: Option<&str>, path: &str) -> u64 {
    app.state.recent_public.forget_all();
    app.state.recent_tracking.forget_all();
    app.state.admissions.forget_all();
    statements_now(app, token, path).await
}

/// `statements`, with whatever this replica keeps as it is.
async fn statements_now(app: &TestApp, token: Option<&str>, path: &str) -> u64 {
    let before = minhu::db::statements_run(&app.state.pool);
    let mut req = app.get(path);
    if let Some(t) = token {
        req = req.token(t);
    }
    let res = req.send().await;
    assert_eq!(res.status, 200, "GET {path}: {}", res.text());
    minhu::db::statements_run(&app.state.pool) - before
}

/// The statements the database received while answering `GET path` (200) as `token`, as
/// `statements` counts them: their texts without their bound values.
async fn statement_texts(app: &TestApp, token: Option<&str>, path: &str) -> Vec<String> {
    minhu::db::record_statements(&app.state.pool);
    statements(app, token, path).await;
    minhu::db::recorded_statements(&app.state.pool)
        .into_iter()
        .map(|s| s.split(" -- binds:").next().unwrap_or_default().to_owned())
        .collect()
}

/// Each list runs the same statements, by number and by text, with one item as with a full
/// page: no query per item, and no statement whose text grows with the page (SQLite's
/// `IN (?, ?, …)` for the page's ids, which diesel never keeps prepared: `db::one_of`).
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
        with_one.push(statement_texts(&app, token, path).await);
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
        let full = statement_texts(&app, token, path).await;
        assert_eq!(
            full.len(),
            one.len(),
            "GET {path}: {} statements with one item, {} with a full page",
            one.len(),
            full.len()
        );
        assert_eq!(full, one, "GET {path}: the statements' texts differ");
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

/// (unit, order, petition) for each order filed under a unit, as stored, and as the orders'
/// paths say it should be: each order under every unit on its unit's path, the unit included.
async fn filed_and_paths(app: &TestApp) -> (Vec<(i64, i64, i64)>, Vec<(i64, i64, i64)>) {
    let state = app.state.clone();
    actix_web::web::block(move || {
        use diesel::prelude::*;
        use minhu::db::schema::{assignments as a, order_ancestors as o};
        let mut conn = state.pool.get().expect("conn");
        let mut filed: Vec<(i64, i64, i64)> = o::table
            .select((o::ancestor_id, o::assignment_id, o::petition_id))
            .load(&mut conn)
            .expect("filed");
        let orders: Vec<(i64, i64, String, String)> = a::table
            .inner_join(minhu::db::schema::units::table)
            .select((
                a::id,
                a::petition_id,
                a::unit_path,
                minhu::db::schema::units::path,
            ))
            .load(&mut conn)
            .expect("orders");
        let mut paths: Vec<(i64, i64, i64)> = orders
            .into_iter()
            .flat_map(|(id, petition, kept, path)| {
                assert_eq!(kept, path, "order {id} keeps its unit's path");
                minhu::domain::units::path_ids(&path)
                    .into_iter()
                    .map(move |unit| (unit, id, petition))
            })
            .collect();
        filed.sort();
        paths.sort();
        (filed, paths)
    })
    .await
    .expect("block")
}

/// Every order is filed under each unit on its path (the key of a unit's history and of a
/// handler's petitions), through dispatches at several depths and moves of a unit with its
/// orders and those of a unit below it, there and back.
async fn orders_are_filed_under_every_unit_above_them(app: TestApp) {
    let c = City::build(&app).await;
    // A community under the town that moves: orders below the moved unit move with it.
    let res = app
        .post("/api/v1/units")
        .token(&c.admin)
        .json(json!({"name": "东常村", "kind": "community", "parent_id": c.huanfeng_id}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let village = res.value()["id"].as_i64().expect("unit id");
    for unit in [
        c.xiuwu_id,
        c.huanfeng_id,
        c.xinhua_id,
        c.huanfeng_id,
        village,
    ] {
        let id = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
        c.accept(&app, id).await;
        c.dispatch(&app, id, unit).await;
    }
    let (filed, paths) = filed_and_paths(&app).await;
    assert_eq!(filed, paths);
    assert_eq!(
        filed.len(),
        4 + 2 * 3 + 2 * 2,
        "one order four deep, two three deep, two two deep"
    );
    for parent in [c.xinhua_id, c.xiuwu_id] {
        let res = app
            .patch(&format!("/api/v1/units/{}", c.huanfeng_id))
            .token(&c.admin)
            .json(json!({"parent_id": parent}))
            .send()
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let (filed, paths) = filed_and_paths(&app).await;
        assert_eq!(filed, paths, "after moving under {parent}");
        assert!(filed.iter().any(|(unit, _, _)| *unit == parent));
    }
}

both!(
    orders_are_filed_under_every_unit_above_them,
    the_inbox_counts_its_live_orders_a_few_pages_ahead,
    a_units_petitions_are_the_same_however_they_are_read,
);

/// The item ids of a page of a list (`GET path` as `token`) and its total.
async fn ids_and_total(app: &TestApp, token: &str, path: &str) -> (Vec<i64>, i64) {
    let res = app.get(path).token(token).send().await;
    assert_eq!(res.status, 200, "{path}: {}", res.text());
    let v = res.value();
    let ids = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect();
    (ids, v["total"].as_i64().expect("total"))
}

/// A unit's petitions as its handler opens them (read off the orders filed under the unit) are
/// those the general list finds for that unit — the office's with `unit_id`, the handler's own
/// narrowed by a filter that keeps them all — each once, though a petition handed down within
/// the unit is filed under it twice; page by page and by `next` links alike.
async fn a_units_petitions_are_the_same_however_they_are_read(app: TestApp) {
    let c = City::build(&app).await;
    let mut expected = Vec::new();
    for i in 0..5 {
        let (id, aid) = c.dispatched(&app).await;
        if i % 2 == 0 {
            // Handed down to the town below: filed under 修武县 for both orders.
            let sign = format!("/api/v1/assignments/{aid}/sign");
            c.call(&app, &c.xiuwu, &sign, json!({}), 200).await;
            let down = format!("/api/v1/assignments/{aid}/dispatch");
            c.call(
                &app,
                &c.xiuwu,
                &down,
                json!({"unit_id": c.huanfeng_id}),
                201,
            )
            .await;
        }
        expected.push(id);
    }
    // Another unit's petition, not in the list.
    let other = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    c.accept(&app, other).await;
    c.dispatch(&app, other, c.xinhua_id).await;
    expected.reverse();
    let xiuwu = c.xiuwu_id;
    for (token, query) in [
        (&c.xiuwu, String::new()),
        (&c.operator, format!("unit_id={xiuwu}")),
        (&c.xiuwu, "q=%E8%90%9D%E5%8D%9C".to_owned()),
        (&c.xiuwu, format!("unit_id={xiuwu}")),
    ] {
        let (ids, total) = ids_and_total(
            &app,
            token,
            &format!("/api/v1/petitions?per_page=100&{query}"),
        )
        .await;
        assert_eq!((ids, total), (expected.clone(), 5), "{query}");
        let mut paged = Vec::new();
        for page in 1..=3 {
            let path = format!("/api/v1/petitions?per_page=2&page={page}&{query}");
            let (ids, total) = ids_and_total(&app, token, &path).await;
            assert_eq!(total, 5, "{query} page {page}");
            paged.extend(ids);
        }
        assert_eq!(paged, expected, "{query}");
    }
    assert_eq!(
        walk(&app, Some(&c.xiuwu), "/api/v1/petitions?per_page=3").await,
        expected
    );
}

/// An order given to a unit while the unit is being moved is filed where the unit ends up:
/// the dispatch waits for the move (PostgreSQL, read committed; SQLite runs one writer at a
/// time). Reading the unit without holding it, the dispatch took the town's old path after the
/// move had refiled the town's orders, and filed the new one under the old county.
#[actix_web::test]
async fn an_order_given_during_a_move_is_filed_where_the_unit_ends_up() {
    use diesel::Connection;
    let app = TestApp::new(crate::support::Backend::Postgres).await;
    let c = City::build(&app).await;
    let id = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    c.accept(&app, id).await;
    // The move of 环丰乡 under 新华街道, done and not yet committed, on a connection of its own.
    let (moved, on_moved) = std::sync::mpsc::channel();
    let (commit, on_commit) = std::sync::mpsc::channel::<()>();
    let state = app.state.clone();
    let (town, parent) = (c.huanfeng_id, c.xinhua_id);
    let mover = std::thread::spawn(move || {
        let mut conn = state.pool.get().expect("conn");
        conn.transaction(|conn| {
            let unit = minhu::db::units::find(conn, town)?;
            let parent = minhu::db::units::find(conn, parent)?;
            minhu::db::units::reparent(conn, &unit, Some(&parent))?;
            moved.send(()).expect("moved");
            on_commit.recv().expect("commit");
            Ok::<_, diesel::result::Error>(())
        })
        .expect("move");
    });
    on_moved.recv().expect("the move");
    // The order, given meanwhile; the move commits once the order has been given (it did not
    // wait) or once a statement of the database waits for a lock (the order waits for the move).
    let given = std::cell::Cell::new(false);
    let dispatch = async {
        c.dispatch(&app, id, c.huanfeng_id).await;
        given.set(true);
    };
    let release = async {
        while !given.get() && !waiting_for_a_lock(&app).await {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        commit.send(()).expect("commit");
    };
    tokio::join!(dispatch, release);
    mover.join().expect("mover");
    let (filed, paths) = filed_and_paths(&app).await;
    assert_eq!(filed, paths);
    assert!(filed.iter().any(|(unit, _, _)| *unit == c.xinhua_id));
}

/// A dispatch and a move of the unit it gives to, on a petition with an order under that unit,
/// do not wait for each other in a circle: the dispatch holds the petition, then waits for the
/// unit; the move holds the unit, then files the petition's orders anew, rows that refer to the
/// petition — which the petition's hold must let be written (`FOR NO KEY UPDATE`). Held `FOR
/// UPDATE`, the two deadlocked and PostgreSQL failed one of them.
#[actix_web::test]
async fn a_move_and_a_dispatch_below_it_do_not_deadlock() {
    use diesel::prelude::*;
    use minhu::db::schema::units;
    let app = TestApp::new(crate::support::Backend::Postgres).await;
    let c = City::build(&app).await;
    let id = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    c.accept(&app, id).await;
    c.dispatch(&app, id, c.huanfeng_id).await;
    let (town, parent) = (c.huanfeng_id, c.xinhua_id);
    // The move holds the town first …
    let (held, on_held) = std::sync::mpsc::channel();
    let (go, on_go) = std::sync::mpsc::channel::<()>();
    let state = app.state.clone();
    let mover = std::thread::spawn(move || {
        let mut conn = state.pool.get().expect("conn");
        conn.transaction(|conn| {
            diesel::update(units::table.find(town))
                .set(units::name.eq(units::name))
                .execute(conn)?;
            held.send(()).expect("held");
            on_go.recv().expect("go");
            let unit = minhu::db::units::find(conn, town)?;
            let parent = minhu::db::units::find(conn, parent)?;
            minhu::db::units::reparent(conn, &unit, Some(&parent))
        })
    });
    on_held.recv().expect("held");
    // … a dispatch holds the petition and waits for the town …
    let state = app.state.clone();
    let dispatch = std::thread::spawn(move || {
        let mut conn = state.pool.get().expect("conn");
        conn.transaction(|conn| {
            minhu::db::petitions::lock(conn, id)?;
            minhu::db::units::find_held(conn, town)
        })
    });
    while !dispatch.is_finished() && !waiting_for_a_lock(&app).await {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    // … and the move goes on to refile the petition's order.
    go.send(()).expect("go");
    let moved = mover.join().expect("mover");
    assert!(moved.is_ok(), "the move: {moved:?}");
    let unit = dispatch.join().expect("dispatch").expect("the dispatch");
    assert!(
        minhu::domain::units::path_ids(&unit.path).contains(&parent),
        "the dispatch reads the town where it ends up: {}",
        unit.path
    );
}

/// Whether a statement of this test's database waits for a lock now.
async fn waiting_for_a_lock(app: &TestApp) -> bool {
    on_postgres(app, |conn| {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct Waiting {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(
            "SELECT count(*) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .get_result::<Waiting>(conn)
        .expect("pg_stat_activity")
        .n > 0
    })
    .await
}

/// Runs `f` on the blocking threads with a PostgreSQL connection of the app's pool.
async fn on_postgres<T: Send + 'static>(
    app: &TestApp,
    f: impl FnOnce(&mut diesel::PgConnection) -> T + Send + 'static,
) -> T {
    let state = app.state.clone();
    actix_web::web::block(move || {
        let mut pooled = state.pool.get().expect("conn");
        let minhu::db::DbConn::Pg(conn) = &mut *pooled else {
            panic!("PostgreSQL")
        };
        f(conn)
    })
    .await
    .expect("block")
}

/// A unit's inbox and its handler's petitions read the unit's own orders and petitions, not
/// every one there is: no statement they run scans the orders or the petitions whole (SQLite's
/// plans, which follow from the statement and the indexes; PostgreSQL's follow its statistics
/// too and are measured at a hundred thousand and a million petitions by `bench/run.sh`, a
/// community's inbox and list). Through the orders' path range a town's history read every
/// order of the city.
#[actix_web::test]
async fn a_units_lists_read_only_its_own_orders() {
    let app = TestApp::new(crate::support::Backend::Sqlite).await;
    let c = City::build(&app).await;
    for unit in [c.xiuwu_id, c.huanfeng_id, c.xinhua_id] {
        let id = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
        c.accept(&app, id).await;
        c.dispatch(&app, id, unit).await;
    }
    for path in ["/api/v1/assignments", "/api/v1/petitions"] {
        minhu::db::record_statements(&app.state.pool);
        let res = app.get(path).token(&c.huanfeng).send().await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(res.value()["total"], 1, "{path}");
        let ran = minhu::db::recorded_statements(&app.state.pool);
        assert!(ran.len() >= 2, "{path}: {ran:?}");
        let plans = sqlite_plans(&app, ran).await;
        for (sql, steps) in plans {
            for step in &steps {
                assert!(
                    !step.starts_with("SCAN assignments") && !step.starts_with("SCAN petitions"),
                    "{path}: {step} in {steps:?} for {sql}"
                );
            }
        }
    }
}

/// Open311's requests as a client asks them by default (the last 90 days, newest first) read
/// the public petitions, not every petition there is newest first: after a burst of
/// submissions not yet accepted (a crisis day brings 80,000), PostgreSQL read the requests'
/// range along `petitions_created` and passed over every one of them for each page — ANALYZE
/// or not, as it takes public petitions to be spread evenly in time (45 ms a page with 157,000
/// waiting; for the default window read without dates and cut in Rust for a while). The same
/// with a window asked for that ends now (a portal polling for what is new), until
/// `petitions_created` held the id as the feed's index does (migration 000033). Four
/// years of history and a burst of 3,000 in the last hour, then PostgreSQL's plan of the
/// recorded statement, run for the page's values.
#[actix_web::test]
async fn open311_requests_pass_over_no_burst_of_submissions() {
    use diesel::prelude::*;
    let app = TestApp::new(crate::support::Backend::Postgres).await;
    let c = City::build(&app).await;
    let id = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    let now = app.state.clock.now();
    on_postgres(&app, move |conn| {
        // (name, rows, seconds they span back from now, closed or else submitted); two in
        // three consent to publication, so the closed ones among them are public.
        for (name, n, span, closed) in [
            ("history", 4_000, 4.0 * 365.0 * 86_400.0, true),
            ("burst", 3_000, 3_600.0, false),
        ] {
            diesel::sql_query(
                "INSERT INTO petitions (tracking_no, kind, category_id, urgency, title, content, \
                 source, submitter_id, anonymous, publish_consent, status, version, redo_count, \
                 supervised, created_at, updated_at) \
                 SELECT $1 || '-' || i, kind, category_id, urgency, title, content, source, \
                 submitter_id, anonymous, i % 3 <> 0, \
                 CASE WHEN $2 THEN 'closed' ELSE 'submitted' END, 1, 0, false, \
                 $3 - make_interval(secs => ($4 - i) * $5 / $4), $3 \
                 FROM petitions p, generate_series(1, $4) AS i WHERE p.id = $6",
            )
            .bind::<diesel::sql_types::Text, _>(name)
            .bind::<diesel::sql_types::Bool, _>(closed)
            .bind::<diesel::sql_types::Timestamp, _>(now)
            .bind::<diesel::sql_types::Integer, _>(n)
            .bind::<diesel::sql_types::Double, _>(span)
            .bind::<diesel::sql_types::BigInt, _>(id)
            .execute(conn)
            .expect("petitions");
        }
        diesel::sql_query("ANALYZE").execute(conn).expect("analyze");
    })
    .await;
    // As a portal asks by default (no dates), and with a window that ends now, as one that
    // polls for what is new asks.
    let window = format!(
        "/open311/v2/requests.json?start_date={}&end_date={}",
        (now - chrono::Duration::days(90)).format("%Y-%m-%dT%H:%M:%SZ"),
        (now + chrono::Duration::minutes(1)).format("%Y-%m-%dT%H:%M:%SZ"),
    );
    for asked in ["/open311/v2/requests.json", window.as_str()] {
        minhu::db::record_statements(&app.state.pool);
        let res = app.get(asked).send().await;
        assert_eq!(res.status, 200, "{asked}: {}", res.text());
        // The history's public petitions of the last 90 days (one every 8.8 hours, two in three).
        let shown = res.value().as_array().map(Vec::len).unwrap_or_default();
        assert!((150..=200).contains(&shown), "{asked}: {shown}");
        let ran = minhu::db::recorded_statements(&app.state.pool);
        let page = ran
            .iter()
            .find(|s| s.contains("ORDER BY \"petitions\".\"created_at\" DESC"))
            .unwrap_or_else(|| panic!("{asked}: the requests' statement among {ran:#?}"));
        let plan = postgres_plan(&app, page).await;
        let passed_over = rows_passed_over(&plan);
        assert!(
            passed_over < 200,
            "{asked}: {passed_over} rows passed over:\n{}",
            plan.join("\n")
        );
    }
}

/// Officials' lists filtered by a value that history seldom holds (a status or urgency few
/// petitions have, the orders with an open request, a service code the feed barely shows) read
/// those, not the history they are not: walking every petition newest first and passing over
/// what the filter refuses was PostgreSQL's plan for each until an index held the filter's
/// column in the list's order (migration 000034) — at a million petitions 100–400 ms a page,
/// for the hotline office's approvals (`open_request`) 95 ms. The custom plan and the generic
/// one (which a prepared statement runs after its fifth time) are both checked: the generic
/// plan takes every value to be as common as the average and walked the petitions for a
/// status no petition had.
#[actix_web::test]
async fn filtered_lists_pass_over_no_history() {
    use diesel::prelude::*;
    let app = TestApp::new(crate::support::Backend::Postgres).await;
    let c = City::build(&app).await;
    let (id, aid) = c.dispatched(&app).await;
    let res = app
        .post("/api/v1/categories")
        .token(&c.admin)
        .json(json!({"name": "少见", "code": "98"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let rare_category = res.value()["id"].as_i64().expect("id");
    let now = app.state.clock.now();
    on_postgres(&app, move |conn| {
        // Four years of published petitions, each with its order: most closed, some in the
        // other states a city's history holds (none merged), all of normal urgency.
        diesel::sql_query(
            "INSERT INTO petitions (tracking_no, kind, category_id, urgency, title, content, \
             source, submitter_id, anonymous, publish_consent, status, version, redo_count, \
             supervised, created_at, updated_at) \
             SELECT 'history-' || i, kind, category_id, 'normal', title, content, source, \
             submitter_id, anonymous, true, \
             coalesce((ARRAY['rejected', 'withdrawn', 'handling', 'replied', 'dispatched', \
             'accepted', 'submitted'])[i % 40 + 1], 'closed'), 1, 0, false, \
             $1 - make_interval(days => i % 1460, secs => i), $1 \
             FROM petitions p, generate_series(1, 6000) AS i WHERE p.id = $2",
        )
        .bind::<diesel::sql_types::Timestamp, _>(now)
        .bind::<diesel::sql_types::BigInt, _>(id)
        .execute(conn)
        .expect("petitions");
        diesel::sql_query(
            "INSERT INTO assignments (petition_id, unit_id, role, state, reply_by, created_at, \
             unit_path) \
             SELECT p.id, a.unit_id, a.role, 'replied', a.reply_by, p.created_at, a.unit_path \
             FROM petitions p, assignments a \
             WHERE p.tracking_no LIKE 'history-%' AND a.id = $1",
        )
        .bind::<diesel::sql_types::BigInt, _>(aid)
        .execute(conn)
        .expect("orders");
        diesel::sql_query("ANALYZE").execute(conn).expect("analyze");
    })
    .await;
    // The history's first day: its oldest petitions. (Times here repeat every 1,460 ids, so
    // a later bound would find older petitions among the newest ids; in a city's history ids
    // follow the time, and every bound in the past passed over all that came after it.)
    let to = (now - chrono::Duration::days(1459))
        .and_utc()
        .format("%Y-%m-%dT%H:%M:%SZ");
    // And its second page, by its `next` link.
    let next = app
        .get(&format!("/api/v1/petitions?to={to}&per_page=2"))
        .token(&c.operator)
        .send()
        .await
        .value()["next"]
        .as_str()
        .expect("next")
        .to_owned();
    // What each asks, and a piece of the statement that must read by the filter.
    for (asked, filtering) in [
        (next, "\"created_at\" <="),
        ("/api/v1/petitions?status=merged".to_owned(), "'merged'"),
        (format!("/api/v1/petitions?to={to}"), "\"created_at\" <"),
        (
            format!("/api/v1/petitions?status=closed&to={to}"),
            "\"created_at\" <",
        ),
        (
            "/api/v1/petitions?urgency=emergency".to_owned(),
            "'emergency'",
        ),
        (
            "/api/v1/assignments?open_request=return".to_owned(),
            "'return'",
        ),
        (
            format!("/open311/v2/requests.json?service_code={rare_category}"),
            "\"category_id\" =",
        ),
    ] {
        minhu::db::record_statements(&app.state.pool);
        let res = app.get(&asked).token(&c.operator).send().await;
        assert_eq!(res.status, 200, "{asked}: {}", res.text());
        let ran: Vec<String> = minhu::db::recorded_statements(&app.state.pool)
            .into_iter()
            .filter(|s| s.starts_with("SELECT"))
            .collect();
        assert!(
            ran.iter().any(|s| s.contains(filtering)),
            "{asked}: no statement with {filtering} among {ran:#?}"
        );
        for ran in ran {
            for generic in [false, true] {
                let plan = postgres_plan_as(&app, &ran, generic).await;
                let (read, passed_over) = (rows_read(&plan), rows_passed_over(&plan));
                assert!(
                    read < 1_000 && passed_over < 200,
                    "{asked} (generic plan: {generic}): {read} rows read, {passed_over} passed \
                     over by\n{ran}\n{}",
                    plan.join("\n")
                );
            }
        }
    }
}

/// The rows a plan's scans gave (what passed their conditions), each as many times as its step
/// ran (`rows` × `loops`); what they let go is [`rows_passed_over`].
fn rows_read(plan: &[String]) -> i64 {
    plan.iter()
        .filter(|step| step.contains("Scan "))
        .filter_map(|step| actual(step))
        .map(|(rows, loops)| rows * loops)
        .sum()
}

/// The rows a plan read and let go (by a filter, a join's filter or an index recheck), each
/// step's count as many times as it ran: PostgreSQL prints the count per loop.
fn rows_passed_over(plan: &[String]) -> i64 {
    let mut loops = 1;
    let mut passed_over = 0;
    for step in plan {
        if let Some((_, l)) = actual(step) {
            loops = l;
        }
        if let Some(n) = step.split("Rows Removed by ").nth(1) {
            let n = n
                .split(": ")
                .nth(1)
                .and_then(|n| n.trim().parse::<i64>().ok());
            passed_over += n.unwrap_or_default() * loops;
        }
    }
    passed_over
}

/// A step's `actual … rows=R loops=L`.
fn actual(step: &str) -> Option<(i64, i64)> {
    let actual = step.split("(actual ").nth(1)?;
    let number = |key: &str| -> Option<i64> {
        let v = actual.split(key).nth(1)?;
        v.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
    };
    Some((number(" rows=")?, number(" loops=")?))
}

/// A value diesel recorded for a statement, as its `Debug` wrote it.
#[derive(Debug, PartialEq)]
enum Bound {
    /// A number, a time, `true`: written without quotes.
    Word(String),
    /// A string (written in double quotes, with Rust's escapes), here unescaped.
    Text(String),
    /// A list (`= ANY($1)`).
    List(Vec<Bound>),
    /// `None`.
    Null,
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// The values of diesel's `-- binds: [..]`, read as written: a comma, bracket or quote inside
/// a string is the string's, `Some(v)` is `v`, `None` is NULL.
fn recorded_values(binds: &str) -> Vec<Bound> {
    fn list(chars: &mut Chars<'_>) -> Vec<Bound> {
        let mut items = Vec::new();
        loop {
            while chars.next_if(|c| c.is_whitespace() || *c == ',').is_some() {}
            match chars.peek() {
                None | Some(']') => {
                    chars.next();
                    return items;
                }
                Some(_) => items.push(value(chars)),
            }
        }
    }
    fn value(chars: &mut Chars<'_>) -> Bound {
        match chars.peek() {
            Some('[') => {
                chars.next();
                Bound::List(list(chars))
            }
            Some('"') => {
                chars.next();
                Bound::Text(text(chars))
            }
            _ => {
                let mut word = String::new();
                while let Some(c) = chars.next_if(|c| !matches!(c, ',' | ']' | ')' | '(')) {
                    word.push(c);
                }
                let word = word.trim();
                if word == "Some" && chars.next_if_eq(&'(').is_some() {
                    let inner = value(chars);
                    assert_eq!(chars.next(), Some(')'), "Some(…) closed");
                    inner
                } else if word == "None" {
                    Bound::Null
                } else if word.is_empty() {
                    let rest: String = chars.collect();
                    panic!("a recorded value this reader does not know: {rest}")
                } else {
                    Bound::Word(word.to_owned())
                }
            }
        }
    }
    // After the opening quote: up to the closing one, Rust's escapes undone.
    fn text(chars: &mut Chars<'_>) -> String {
        let mut text = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => text.push('\n'),
                    Some('t') => text.push('\t'),
                    Some('r') => text.push('\r'),
                    Some('0') => text.push('\0'),
                    Some('u') => {
                        assert_eq!(chars.next(), Some('{'), "an escape \\u{{…}}");
                        let hex: String =
                            std::iter::from_fn(|| chars.next_if(|c| *c != '}')).collect();
                        chars.next();
                        let code = u32::from_str_radix(&hex, 16).expect("a code point");
                        text.push(char::from_u32(code).expect("a character"));
                    }
                    Some(other) => text.push(other),
                    None => break,
                },
                c => text.push(c),
            }
        }
        text
    }
    let mut chars = binds.trim().chars().peekable();
    assert_eq!(chars.next(), Some('['), "a list of values: {binds}");
    list(&mut chars)
}

/// The recorded values as arguments of `EXECUTE`: numbers as they are, anything else a quoted
/// literal of no type yet (PostgreSQL takes it as the parameter's), a list an array literal.
fn sql_values(binds: &str) -> Vec<String> {
    // A value as SQL writes it (`quote` a text, in a literal or an array's element), or `None`
    // for a list.
    fn scalar(b: &Bound, quote: fn(&str) -> String) -> Option<String> {
        Some(match b {
            Bound::Word(w) if w.parse::<i64>().is_ok() => w.clone(),
            Bound::Word(s) | Bound::Text(s) => quote(s),
            Bound::Null => "NULL".to_owned(),
            Bound::List(_) => return None,
        })
    }
    fn literal(s: &str) -> String {
        format!("'{}'", s.replace('\'', "''"))
    }
    fn element(s: &str) -> String {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
    recorded_values(binds)
        .iter()
        .map(|b| match b {
            Bound::List(items) => {
                let items: Vec<String> = items
                    .iter()
                    .map(|i| scalar(i, element).expect("a list within a list"))
                    .collect();
                literal(&format!("{{{}}}", items.join(",")))
            }
            b => scalar(b, literal).expect("not a list"),
        })
        .collect()
}

/// The recorded values are read as diesel wrote them, whatever a string holds.
#[test]
fn recorded_values_are_read_as_written() {
    let binds = r#"[2026-11-23T10:00:00, 200, "路灯, 坏了 [三天]", [1, 2], ["a\"b", "it's"], true, Some("x, y"), None, [Some(3), None], "\r\0\u{200b}"]"#;
    assert_eq!(
        recorded_values(binds),
        vec![
            Bound::Word("2026-11-23T10:00:00".into()),
            Bound::Word("200".into()),
            Bound::Text("路灯, 坏了 [三天]".into()),
            Bound::List(vec![Bound::Word("1".into()), Bound::Word("2".into())]),
            Bound::List(vec![Bound::Text("a\"b".into()), Bound::Text("it's".into())]),
            Bound::Word("true".into()),
            Bound::Text("x, y".into()),
            Bound::Null,
            Bound::List(vec![Bound::Word("3".into()), Bound::Null]),
            Bound::Text("\r\0\u{200b}".into()),
        ]
    );
    assert_eq!(
        sql_values(binds)[..9],
        [
            "'2026-11-23T10:00:00'",
            "200",
            "'路灯, 坏了 [三天]'",
            "'{1,2}'",
            r#"'{"a\"b","it''s"}'"#,
            "'true'",
            "'x, y'",
            "NULL",
            "'{3,NULL}'",
        ]
    );
    assert!(recorded_values("[]").is_empty());
}

/// PostgreSQL's plan of a recorded statement as it ran (`EXPLAIN ANALYZE` of it prepared, with
/// the values it was run with: numbers as they are, anything else quoted —
/// `[2026-11-23T10:00:00, 200, 0]`), one line a step.
async fn postgres_plan(app: &TestApp, recorded: &str) -> Vec<String> {
    postgres_plan_as(app, recorded, false).await
}

/// [`postgres_plan`], or the generic plan (`plan_cache_mode = force_generic_plan`: the plan a
/// prepared statement may keep after its fifth run, made without its values).
async fn postgres_plan_as(app: &TestApp, recorded: &str, generic: bool) -> Vec<String> {
    use diesel::prelude::*;
    let (sql, binds) = recorded.split_once(" -- binds: ").expect("binds");
    let sql = sql.to_owned();
    let values = sql_values(binds);
    on_postgres(app, move |conn| {
        #[derive(QueryableByName)]
        struct Step {
            #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
            step: String,
        }
        let mode = if generic {
            "force_generic_plan"
        } else {
            "auto"
        };
        diesel::sql_query(format!("SET plan_cache_mode = {mode}"))
            .execute(conn)
            .expect("plan_cache_mode");
        diesel::sql_query(format!("PREPARE recorded AS {sql}"))
            .execute(conn)
            .expect("prepare");
        let args = if values.is_empty() {
            String::new()
        } else {
            format!("({})", values.join(", "))
        };
        let plan = diesel::sql_query(format!("EXPLAIN ANALYZE EXECUTE recorded{args}"))
            .load::<Step>(conn)
            .expect("explain")
            .into_iter()
            .map(|s| s.step)
            .collect();
        // The connection goes back to the pool: the next plan prepares under the same name.
        for done in ["DEALLOCATE recorded", "RESET plan_cache_mode"] {
            diesel::sql_query(done).execute(conn).expect(done);
        }
        plan
    })
    .await
}

/// SQLite's plan of each recorded statement (`EXPLAIN QUERY PLAN`): the statement and its steps.
async fn sqlite_plans(app: &TestApp, ran: Vec<String>) -> Vec<(String, Vec<String>)> {
    let state = app.state.clone();
    actix_web::web::block(move || {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct Step {
            #[diesel(sql_type = diesel::sql_types::Text)]
            detail: String,
        }
        let mut pooled = state.pool.get().expect("conn");
        let minhu::db::DbConn::Sqlite(conn) = &mut *pooled else {
            panic!("SQLite")
        };
        ran.iter()
            .map(|statement| {
                let sql = statement.split(" -- binds:").next().unwrap_or_default();
                let steps = diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
                    .load::<Step>(conn)
                    .expect("plan");
                let steps: Vec<String> = steps.into_iter().map(|s| s.detail).collect();
                (sql.to_owned(), steps)
            })
            .collect()
    })
    .await
    .expect("block")
}

/// The hotline office's inbox is every live order of the city: a page reads them in the
/// inbox's order along an index and stops after its counting window — no statement sorts the
/// orders or reads them all (SQLite's plans; PostgreSQL's at a million petitions in
/// `bench/run.sh`, `inbox_office`). It sorted them all, and counted them all, for every page.
#[actix_web::test]
async fn the_offices_inbox_reads_a_page_of_the_live_orders() {
    let app = TestApp::new(crate::support::Backend::Sqlite).await;
    let c = City::build(&app).await;
    // More live orders than a page of one counts (7), so the page reads live orders only.
    for _ in 0..8 {
        c.dispatched(&app).await;
    }
    minhu::db::record_statements(&app.state.pool);
    let res = app
        .get("/api/v1/assignments?per_page=1")
        .token(&c.operator)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let ran = minhu::db::recorded_statements(&app.state.pool);
    assert!(ran.len() >= 2, "{ran:?}");
    for (sql, steps) in sqlite_plans(&app, ran).await {
        for step in &steps {
            assert!(
                !step.contains("TEMP B-TREE")
                    && (!step.starts_with("SCAN assignments")
                        || step.contains("assignments_live_queue")),
                "{step} in {steps:?} for {sql}"
            );
        }
    }
}

/// The inbox counts its live orders as it counts its history, a few pages ahead of the page
/// read (`total` is then "more than" the window's bound), and exactly where the list ends within
/// them; paged to its end it holds every order once, the work in hand first.
async fn the_inbox_counts_its_live_orders_a_few_pages_ahead(app: TestApp) {
    let c = City::build(&app).await;
    let mut orders = Vec::new();
    for _ in 0..9 {
        orders.push(c.dispatched(&app).await);
    }
    // The first answered (history), the second in handling, the rest to sign.
    let reply = json!({"body": "已处理", "outcome": "resolved", "public": false});
    c.signed_and_replied(&app, orders[0].0, orders[0].1, reply)
        .await;
    let sign = format!("/api/v1/assignments/{}/sign", orders[1].1);
    c.call(&app, &c.xiuwu, &sign, json!({}), 200).await;
    let ids: Vec<i64> = orders.iter().map(|(_, aid)| *aid).collect();
    // To sign by deadline (the order they came in), then in handling, then history.
    let expected: Vec<i64> = ids[2..].iter().chain([&ids[1], &ids[0]]).copied().collect();
    let page = |n: i64| {
        let path = format!("/api/v1/assignments?per_page=1&page={n}");
        let (app, token) = (&app, &c.operator);
        async move { ids_and_total(app, token, &path).await }
    };
    // One page and five more counted, and one to tell that there are more: 7 ("more than 6").
    let (first, total) = page(1).await;
    assert_eq!((first.clone(), total), (vec![expected[0]], 7));
    let mut all = first;
    let mut totals = Vec::new();
    for n in 2..=10 {
        let (ids, total) = page(n).await;
        all.extend(ids);
        totals.push(total);
    }
    assert_eq!(all, expected);
    assert_eq!(
        totals,
        [8, 9, 9, 9, 9, 9, 9, 9, 9],
        "exact once the end is in reach"
    );
}

/// The ids of every item of a list, following its `next` links from `first`; checks that the
/// link keeps the list's filters and that reading a page by its link costs what the first
/// page costs (keyset paging: the same at any depth).
async fn walk(app: &TestApp, token: Option<&str>, first: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut path = first.to_owned();
    let mut pages = 0;
    let first_cost = statements(app, token, first).await;
    loop {
        app.state.recent_public.forget_all();
        let mut req = app.get(&path);
        if let Some(t) = token {
            req = req.token(t);
        }
        let res = req.send().await;
        assert_eq!(res.status, 200, "GET {path}: {}", res.text());
        let v = res.value();
        let items = v["items"].as_array().expect("items");
        ids.extend(items.iter().map(|i| i["id"].as_i64().expect("id")));
        pages += 1;
        assert!(pages < 50, "the links do not end: {path}");
        match v["next"].as_str() {
            Some(next) => {
                assert!(next.contains("per_page=3"), "{next} keeps per_page");
                assert!(
                    !next.contains("page=1&") && !next.contains("&page="),
                    "{next}"
                );
                assert_eq!(statements(app, token, next).await, first_cost, "{next}");
                path = next.to_owned();
            }
            None => {
                assert!(v.get("next").is_none(), "no `next: null` on the last page");
                break;
            }
        }
    }
    ids
}

async fn next_links_walk_every_item_once(app: TestApp) {
    let c = City::build(&app).await;
    for i in 0..10 {
        let id = c
            .submit(
                &app,
                json!({"kind": if i % 2 == 0 { "help" } else { "complaint" }}),
            )
            .await["id"]
            .as_i64()
            .expect("id");
        if i % 3 != 0 {
            c.accept(&app, id).await;
        }
    }
    let all = |token: Option<String>, path: &'static str| {
        let app = &app;
        async move {
            let mut req = app.get(path);
            if let Some(t) = &token {
                req = req.token(t);
            }
            let v = req.send().await.value();
            assert!(v.get("next").is_none(), "one page holds all: {v}");
            v["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["id"].as_i64().expect("id"))
                .collect::<Vec<i64>>()
        }
    };
    for (token, whole, paged) in [
        (
            Some(&c.operator),
            "/api/v1/petitions?per_page=100",
            "/api/v1/petitions?per_page=3",
        ),
        (
            Some(&c.operator),
            "/api/v1/petitions?kind=complaint&per_page=100",
            "/api/v1/petitions?kind=complaint&per_page=3",
        ),
        (
            Some(&c.citizen),
            "/api/v1/petitions?per_page=100",
            "/api/v1/petitions?per_page=3",
        ),
        (
            None,
            "/api/v1/public/petitions?per_page=100",
            "/api/v1/public/petitions?per_page=3",
        ),
        (
            Some(&c.operator),
            "/api/v1/callers/13812345678/petitions?per_page=100",
            "/api/v1/callers/13812345678/petitions?per_page=3",
        ),
    ] {
        let expected = all(token.cloned(), whole).await;
        assert!(
            expected.len() > 3,
            "{whole}: more than a page to walk ({expected:?})"
        );
        assert!(expected.windows(2).all(|w| w[0] > w[1]), "newest first");
        assert_eq!(
            walk(&app, token.map(String::as_str), paged).await,
            expected,
            "{paged}"
        );
    }
}

/// A list bounded by `to` runs newest first by the time of submission, then id, also where ids
/// and times disagree (petitions stored at the same moment by two replicas, or within a second):
/// its pages and its `next` links give every petition before `to` once, in that order, also
/// across petitions of the same time at a page's edge.
async fn lists_bounded_in_time_run_by_time(app: TestApp) {
    use diesel::prelude::*;
    use minhu::db::schema::petitions;
    let c = City::build(&app).await;
    let now = app.state.clock.now();
    let mut ids = Vec::new();
    for _ in 0..9 {
        ids.push(c.submit(&app, json!({})).await["id"].as_i64().expect("id"));
    }
    // Days ago for each, in id order: out of order, with ties.
    let days_ago = [3, 1, 4, 1, 5, 9, 2, 6, 5];
    let state = app.state.clone();
    let stored = ids.clone();
    actix_web::web::block(move || {
        let mut conn = state.pool.get().expect("conn");
        for (id, d) in stored.iter().zip(days_ago) {
            diesel::update(petitions::table.find(*id))
                .set(petitions::created_at.eq(now - chrono::Duration::days(d)))
                .execute(&mut *conn)
                .expect("update");
        }
    })
    .await
    .expect("block");
    let mut by_time: Vec<(i64, i64)> = ids.iter().copied().zip(days_ago).collect();
    by_time.sort_by_key(|&(id, d)| (d, std::cmp::Reverse(id)));
    let rfc = |t: chrono::NaiveDateTime| t.and_utc().to_rfc3339().replace('+', "%2B");
    // Half a day ago: before the city's own petitions, after every one of these.
    for (to, expected) in [
        (
            now - chrono::Duration::hours(12),
            by_time.iter().map(|&(id, _)| id).collect::<Vec<_>>(),
        ),
        (
            now - chrono::Duration::days(3),
            by_time
                .iter()
                .filter(|&&(_, d)| d > 3)
                .map(|&(id, _)| id)
                .collect(),
        ),
    ] {
        let to = rfc(to);
        let whole = format!("/api/v1/petitions?to={to}&per_page=100");
        let v = app.get(&whole).token(&c.operator).send().await.value();
        let listed: Vec<i64> = v["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["id"].as_i64().expect("id"))
            .collect();
        assert_eq!(listed, expected, "{whole}: newest first by time, then id");
        let mut paged = Vec::new();
        for page in 1..=4 {
            let path = format!("/api/v1/petitions?to={to}&per_page=2&page={page}");
            let v = app.get(&path).token(&c.operator).send().await.value();
            assert_eq!(
                v["total"].as_i64(),
                Some(expected.len() as i64),
                "{path}: {v}"
            );
            paged.extend(
                v["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .map(|i| i["id"].as_i64().expect("id")),
            );
        }
        assert_eq!(paged, expected[..expected.len().min(8)], "pages of two");
        let first = format!("/api/v1/petitions?to={to}&per_page=3");
        assert_eq!(
            walk(&app, Some(&c.operator), &first).await,
            expected,
            "{first}"
        );
    }
}

/// Offset paging stops at a depth where it would walk history; the cursor refuses what it
/// cannot follow, saying what to use instead.
async fn deep_pages_and_bad_cursors_are_refused(app: TestApp) {
    let c = City::build(&app).await;
    for (token, path, field) in [
        (
            Some(&c.operator),
            "/api/v1/petitions?page=101&per_page=100",
            "page",
        ),
        (None, "/api/v1/public/petitions?page=501", "page"),
        (
            Some(&c.xiuwu),
            "/api/v1/assignments?page=1001&per_page=10",
            "page",
        ),
        (
            Some(&c.admin),
            "/api/v1/audit/contact-reads?page=10001&per_page=1",
            "page",
        ),
        (
            Some(&c.operator),
            "/api/v1/petitions?after=5&page=2",
            "page",
        ),
        (
            Some(&c.operator),
            "/api/v1/petitions?after=5&status=submitted",
            "after",
        ),
        (Some(&c.operator), "/api/v1/petitions?after=0", "after"),
        // A list by time (`to`) is read on from the time of the petition `after` names: one
        // that does not exist has none (it answered an empty page, as if the list had ended).
        (
            Some(&c.operator),
            "/api/v1/petitions?to=2099-01-01T00:00:00Z&after=999999",
            "after",
        ),
        (
            None,
            "/api/v1/public/petitions?after=5&sort=supporters",
            "after",
        ),
    ] {
        let mut req = app.get(path);
        if let Some(t) = token {
            req = req.token(t);
        }
        let res = req.send().await;
        assert_eq!(res.status, 422, "GET {path}: {}", res.text());
        let v = res.value();
        assert_eq!(v["errors"][0]["field"], field, "GET {path}: {v}");
    }
    // As deep as offset paging goes, it still answers.
    let res = app
        .get("/api/v1/petitions?page=100&per_page=100")
        .token(&c.operator)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

/// A submission answers with the petition exactly as reading it afterwards shows it (the
/// answer is built from the stored row, without reading what a new petition cannot have).
async fn a_submission_answers_what_a_read_shows(app: TestApp) {
    let c = City::build(&app).await;
    let posted = c.submit(&app, json!({})).await;
    let id = posted["id"].as_i64().expect("id");
    let read = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&c.citizen)
        .send()
        .await
        .value();
    assert_eq!(posted, read);
    // A call the hotline office registers (shown to it unmasked, so audited either way).
    let body = c.petition(json!({"contact_name": "王先生", "contact_phone": "13700001111"}));
    let res = app
        .post("/api/v1/petitions")
        .token(&c.operator)
        .json(body)
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let posted = res.value();
    let id = posted["id"].as_i64().expect("id");
    let read = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&c.operator)
        .send()
        .await
        .value();
    assert_eq!(posted, read);
}

both!(
    next_links_walk_every_item_once,
    lists_bounded_in_time_run_by_time,
    deep_pages_and_bad_cursors_are_refused,
    a_submission_answers_what_a_read_shows,
);

/// Reading one petition costs a fixed, small number of statements, whoever reads it: the
/// account (with its unit's path and the token's revocation), the petition with its orders,
/// their units and whether it has replies and photos — and, for an official shown contact
/// details, the audit row; its replies (and their units and visits) and its photos are read
/// only when it has some.
async fn reading_a_petition_takes_few_statements(app: TestApp) {
    let c = City::build(&app).await;
    let id = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    let path = format!("/api/v1/petitions/{id}");
    assert_eq!(
        statements(&app, Some(&c.citizen), &path).await,
        2,
        "petitioner"
    );
    assert_eq!(
        statements(&app, Some(&c.operator), &path).await,
        3,
        "hotline office (+ audit)"
    );
    c.accept(&app, id).await;
    c.dispatch(&app, id, c.xiuwu_id).await;
    // The handler's unit has units below it (one more: may it hand the order down?).
    assert_eq!(statements(&app, Some(&c.xiuwu), &path).await, 4, "handler");
    let (id, aid) = c.dispatched(&app).await;
    let reply = json!({"body": "已处理", "outcome": "resolved", "public": true});
    c.signed_and_replied(&app, id, aid, reply).await;
    let path = format!("/api/v1/petitions/{id}");
    // Replied: its replies, their units and the visits are read too (no photos to read).
    assert_eq!(
        statements(&app, Some(&c.citizen), &path).await,
        5,
        "petitioner, replied"
    );
}

both!(reading_a_petition_takes_few_statements);

/// A token admitted is admitted again for a moment without reading its account (one statement
/// fewer), until anything changed through this replica (a refused request changed nothing) or
/// the moment has run out.
async fn an_admission_is_kept_for_a_moment(app: TestApp) {
    let c = City::build(&app).await;
    let id = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    let path = format!("/api/v1/petitions/{id}");
    let t0 = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
        .and_then(|d| d.and_hms_opt(2, 0, 0))
        .expect("time");
    app.state.clock.set(Some(t0));
    let read = || statements_now(&app, Some(&c.citizen), &path);
    let first = statements(&app, Some(&c.citizen), &path).await;
    assert_eq!(read().await, first - 1, "admitted from memory");
    let res = app
        .post("/api/v1/petitions")
        .token(&c.operator)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(res.status, 422, "{}", res.text());
    assert_eq!(read().await, first - 1, "a refused request changed nothing");
    app.citizen("another").await;
    assert_eq!(read().await, first, "forgotten after a change");
    assert_eq!(read().await, first - 1);
    app.state
        .clock
        .set(Some(t0 + chrono::Duration::milliseconds(1000)));
    assert_eq!(read().await, first, "the moment has run out");
    app.state.clock.set(None);
}

both!(an_admission_is_kept_for_a_moment);

/// A citizen's submission: its statements, transaction included, counted and bounded (9 on
/// PostgreSQL, 13 on SQLite — PostgreSQL draws the tracking number in one statement before
/// the transaction, 4 in a transaction of its own before; writes the petition with its search
/// text and repeat-index terms in one statement, 10 before, and the day's, the month's and the
/// action's counts in one, 13 before; about 25 before the answer was built from the stored
/// row; 15 while its event's messages read the petition back, 14 while they read how its
/// submitter is reached), the same with history, two more with an idempotency key.
async fn a_submission_takes_a_fixed_number_of_statements(app: TestApp) {
    let c = City::build(&app).await;
    // The day's first number stores the day's base on PostgreSQL (two statements more, once a
    // day): counted from the second submission of the day on.
    c.submit(&app, json!({})).await;
    let mut counts = Vec::new();
    for key in [None, Some("first-try-1"), None] {
        let before = minhu::db::statements_run(&app.state.pool);
        let mut req = app
            .post("/api/v1/petitions")
            .token(&c.citizen)
            .json(c.petition(json!({})));
        if let Some(k) = key {
            req = req.header("idempotency-key", k);
        }
        let res = req.send().await;
        assert_eq!(res.status, 201, "{}", res.text());
        counts.push(minhu::db::statements_run(&app.state.pool) - before);
    }
    println!("statements per submission (plain, keyed, plain): {counts:?}");
    let bound = match app.db.url {
        minhu::config::DatabaseUrl::Postgres(_) => 9,
        _ => 13,
    };
    assert!(counts[0] <= bound, "{counts:?}");
    assert_eq!(counts[0], counts[2], "the same with history");
    assert_eq!(counts[1], counts[0] + 2, "a key: looked up and stored");
}

both!(a_submission_takes_a_fixed_number_of_statements);

/// An action adds to the kept counts (its event per day and action, its petition's move from
/// one status to another per day and per month) in one statement on PostgreSQL: five upserts
/// before, a round trip each, as on SQLite still (in process, no round trips).
async fn an_action_adds_to_the_counts_in_one_statement(app: TestApp) {
    let c = City::build(&app).await;
    let id = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    minhu::db::record_statements(&app.state.pool);
    c.accept(&app, id).await;
    let ran = minhu::db::recorded_statements(&app.state.pool);
    let counting = ran
        .iter()
        .filter(|s| {
            [
                "day_action_counts",
                "petition_day_counts",
                "petition_month_counts",
            ]
            .iter()
            .any(|t| s.contains(t))
        })
        .count();
    let expected = match app.db.url {
        minhu::config::DatabaseUrl::Postgres(_) => 1,
        _ => 5,
    };
    assert_eq!(counting, expected, "{ran:#?}");
}

both!(an_action_adds_to_the_counts_in_one_statement);

/// The app on a fresh PostgreSQL database with a pool of one connection, so that every request
/// runs on it and its prepared statements can be listed (`prepared_on_the_connection`).
async fn on_one_connection() -> TestApp {
    TestApp::on(
        crate::support::TestDb::new(crate::support::Backend::Postgres)
            .with("MINHU_DB_POOL_SIZE", "1"),
    )
    .await
}

/// The statements PostgreSQL holds prepared on the app's one connection (`on_one_connection`,
/// so the requests before ran on it), each with how many times it was planned for its values
/// (`custom_plans`: the first five runs are, to compare with the prepared plan).
async fn prepared_on_the_connection(app: &TestApp) -> Vec<(String, i64)> {
    on_postgres(app, |conn| {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct Prepared {
            #[diesel(sql_type = diesel::sql_types::Text)]
            statement: String,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            custom_plans: i64,
        }
        diesel::sql_query("SELECT statement, custom_plans FROM pg_prepared_statements")
            .load::<Prepared>(conn)
            .expect("pg_prepared_statements")
            .into_iter()
            .map(|p| (p.statement, p.custom_plans))
            .collect()
    })
    .await
}

/// The prepared statements `about` that were planned for their values more than five times.
async fn planned_on_every_run(app: &TestApp, about: impl Fn(&str) -> bool) -> Vec<(String, i64)> {
    prepared_on_the_connection(app)
        .await
        .into_iter()
        .filter(|(statement, custom_plans)| *custom_plans > 5 && about(statement))
        .collect()
}

/// Every statement of a submission and of the first steps after it (accepting, dispatching)
/// is kept prepared on its connection (PostgreSQL): diesel keeps none that holds a `None`
/// written as DEFAULT, an upsert or an update, as their text may differ from run to run, so
/// the petition's, the event's, the notification's and the order's inserts, the counters and
/// the petition's update were parsed and planned again every time (PostgreSQL's log: 0.6 ms
/// of parsing and binding a submission, a quarter of its time there). Recorded on a pool of
/// one connection, whose prepared statements are then listed.
#[actix_web::test]
async fn a_petitions_statements_are_kept_prepared() {
    let app = on_one_connection().await;
    let c = City::build(&app).await;
    c.submit(&app, json!({})).await;
    minhu::db::record_statements(&app.state.pool);
    let res = app
        .post("/api/v1/petitions")
        .token(&c.citizen)
        .header("idempotency-key", "kept-1")
        .json(c.petition(json!({"address": null, "latitude": null, "longitude": null})))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let id = res.value()["id"].as_i64().expect("id");
    c.accept(&app, id).await;
    c.dispatch(&app, id, c.xiuwu_id).await;
    let ran = minhu::db::recorded_statements(&app.state.pool);
    let prepared = prepared_on_the_connection(&app).await;
    let not_kept: Vec<&str> = ran
        .iter()
        .map(|s| s.split(" -- binds:").next().unwrap_or_default())
        .filter(|sql| !matches!(*sql, "BEGIN" | "COMMIT"))
        .filter(|sql| !prepared.iter().any(|(p, _)| p == sql))
        .collect();
    assert!(ran.len() > 5, "{ran:?}");
    assert!(
        not_kept.is_empty(),
        "not kept prepared: {not_kept:#?}\namong the prepared: {prepared:#?}"
    );
}

/// Writing an audit row holds no row it names: the hotline office's read of a petition goes on
/// while another transaction holds the petition and every account (`FOR UPDATE`). With
/// foreign keys on `contact_reads`, PostgreSQL locked both rows (`FOR KEY SHARE`) for every
/// audit row — twenty a page of the office's inbox, each reader of the same account or
/// petition sharing the lock with the others (a multixact) — which cost the office's inbox a
/// fifth of its pages a second. The ids come from the petition just read and the signed-in
/// account; petitions and accounts are never deleted.
#[actix_web::test]
async fn an_audited_read_holds_no_row_it_names() {
    use diesel::prelude::*;
    use minhu::db::schema::{petitions, users};
    let app = TestApp::new(crate::support::Backend::Postgres).await;
    let c = City::build(&app).await;
    let id = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    let (held, on_held) = std::sync::mpsc::channel();
    let (go, on_go) = std::sync::mpsc::channel::<()>();
    let state = app.state.clone();
    let holder = std::thread::spawn(move || {
        let mut pooled = state.pool.get().expect("conn");
        let minhu::db::DbConn::Pg(conn) = &mut *pooled else {
            panic!("PostgreSQL")
        };
        conn.transaction(|conn| {
            petitions::table
                .find(id)
                .select(petitions::id)
                .for_update()
                .load::<i64>(conn)?;
            users::table
                .select(users::id)
                .for_update()
                .load::<i64>(conn)?;
            held.send(()).expect("held");
            let _ = on_go.recv();
            diesel::QueryResult::Ok(())
        })
    });
    on_held.recv().expect("held");
    let read = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&c.operator)
        .send();
    let mut read = std::pin::pin!(read);
    let res = loop {
        tokio::select! {
            res = &mut read => break res,
            waiting = waiting_for_a_lock(&app) => {
                if waiting {
                    go.send(()).expect("go");
                    panic!("the office's read waits for a row its audit row names");
                }
            }
        }
    };
    go.send(()).expect("go");
    holder
        .join()
        .expect("holder")
        .expect("the holding transaction");
    assert_eq!(res.status, 200, "{}", res.text());
    assert!(
        res.value()["contact_phone"]
            .as_str()
            .is_some_and(|p| !p.contains('*')),
        "shown unmasked, so audited: {}",
        res.text()
    );
    let audited = app
        .get(&format!("/api/v1/audit/contact-reads?petition_id={id}"))
        .token(&c.admin)
        .send()
        .await;
    assert_eq!(audited.status, 200, "{}", audited.text());
    assert_eq!(
        audited.value()["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        audited.text()
    );
}

/// A list's first page, read again and again, is not planned again every time (PostgreSQL):
/// a statement with its LIMIT and OFFSET bound was planned for a tenth of the table when
/// prepared, which PostgreSQL costed above the plan for the values at hand, so it planned the
/// officials' list's counting window afresh on every run (0.05 ms, as long as running it).
/// Read on a pool of one connection, whose prepared statements then say how often each was
/// planned for its values (`custom_plans`: the first five runs are, to compare).
#[actix_web::test]
async fn a_lists_first_page_is_planned_once() {
    let app = on_one_connection().await;
    let c = City::build(&app).await;
    let id = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    // History as PostgreSQL's statistics see it (the plans follow from them): 20,000 petitions.
    on_postgres(&app, move |conn| {
        use diesel::prelude::*;
        diesel::sql_query(
            "INSERT INTO petitions (tracking_no, kind, category_id, urgency, title, content, \
             source, submitter_id, anonymous, publish_consent, status, version, redo_count, \
             supervised, created_at, updated_at) \
             SELECT tracking_no || '-' || g, kind, category_id, urgency, title, content, source, \
             submitter_id, anonymous, publish_consent, status, version, redo_count, supervised, \
             created_at, updated_at FROM petitions, generate_series(1, 20000) AS g WHERE id = $1",
        )
        .bind::<diesel::sql_types::BigInt, _>(id)
        .execute(conn)
        .expect("history");
        diesel::sql_query("ANALYZE petitions")
            .execute(conn)
            .expect("analyze");
    })
    .await;
    for (token, path) in [
        (&c.operator, "/api/v1/petitions"),
        (&c.operator, "/api/v1/petitions?per_page=10"),
    ] {
        for _ in 0..8 {
            let res = app.get(path).token(token).send().await;
            assert_eq!(res.status, 200, "{path}: {}", res.text());
        }
    }
    // The list's counting window (its statement of the petitions with a LIMIT).
    let replanned = planned_on_every_run(&app, |statement| {
        statement.starts_with("SELECT \"petitions\".") && statement.contains("LIMIT")
    })
    .await;
    assert!(replanned.is_empty(), "planned on every run: {replanned:#?}");
}

/// An action's statements are planned once per connection (PostgreSQL): recomputing a
/// petition's figures before and after each action selected its orders, replies, visits and
/// events by an array of ids, which PostgreSQL costed for an array of unknown length and so
/// planned again on every action. Seven petitions accepted, dispatched, signed for and replied
/// to on a pool of one connection; none of those statements, nor the copy of an order's state
/// to its filed rows (`order_ancestors`, selected by the units on its path), was planned for its
/// values more than the first five times.
#[actix_web::test]
async fn an_actions_statements_are_planned_once() {
    let app = on_one_connection().await;
    let c = City::build(&app).await;
    for i in 0..7 {
        let (id, aid) = c.dispatched(&app).await;
        let reply =
            json!({"body": format!("已联系收购商 {i}"), "outcome": "resolved", "public": false});
        c.signed_and_replied(&app, id, aid, reply).await;
    }
    const COPY: &str = "UPDATE \"order_ancestors\"";
    // `histories`' five statements, as they read before and after, and the copy.
    let about = |statement: &str| {
        ["assignments", "replies", "visits", "events"]
            .iter()
            .any(|t| statement.starts_with(&format!("SELECT \"{t}\".\"petition_id\"")))
            || statement.starts_with("SELECT \"petitions\".\"id\", \"petitions\".\"unreasonable\"")
            || statement.starts_with(COPY)
    };
    let prepared = prepared_on_the_connection(&app).await;
    assert!(
        prepared.iter().any(|(s, _)| s.starts_with(COPY)),
        "the copy ran: {prepared:#?}"
    );
    let replanned = planned_on_every_run(&app, about).await;
    assert!(replanned.is_empty(), "planned on every run: {replanned:#?}");
}

/// A schema change under a running replica — another replica's migration changing what a
/// column returns, as `000031_paths_in_byte_order` changes the unit paths' collation — leaves
/// the statements its connections keep prepared returning the old type, and PostgreSQL refuses
/// them on every run ("cached plan must not change result type"). The connection was handed
/// out again and again, and every request that read a unit's path (every signed-in one, as the
/// admission reads it) answered 500 until the replica restarted. Now the request that meets it
/// answers 503 with Retry-After and its connection is dropped: the next request gets a fresh
/// one. Pool of one connection, changed from another.
#[actix_web::test]
async fn a_connection_whose_statements_went_stale_is_replaced() {
    let app = on_one_connection().await;
    let seen = statuses_after(
        &app,
        r#"ALTER TABLE units ALTER COLUMN path TYPE TEXT COLLATE "default""#,
        4,
    )
    .await;
    assert!(
        seen[1..].iter().all(|s| *s == 200),
        "after the change: {seen:?}"
    );
}

/// PostgreSQL ended the connections under the replica (a restart, a failover, an
/// administrator's `pg_terminate_backend`). The first request that met one answered 503, but
/// the next connection reported "no connection to the server" before sending, diesel left it
/// looking whole, and the pool handed it out again and again: every request answered 500 (20
/// of 20 here) until the replica restarted. Then each connection the pool held failed the one
/// request that met it (12 of the 12 reads here answered 503). Now the request that finds the
/// server gone answers 503 with Retry-After, and every other connection opened before is asked
/// `SELECT 1` when it is next taken, and replaced if the server is gone from it too: one
/// request fails, not one per connection. The default pool of 16, eight of them opened.
#[actix_web::test]
async fn a_connection_the_server_ended_is_replaced() {
    let app = TestApp::on(
        crate::support::TestDb::new(crate::support::Backend::Postgres)
            .with("MINHU_DB_POOL_SIZE", "16"),
    )
    .await;
    hold_connections(&app, 8).await;
    let seen = statuses_after(
        &app,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \
         current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
        12,
    )
    .await;
    // The first read met a connection the server ended (so the test tests something), and it
    // was the only one to fail.
    assert_eq!(seen[0], 503, "{seen:?}");
    assert!(seen[1..].iter().all(|s| *s == 200), "{seen:?}");
}

/// Has the pool open `n` connections: `n` requests hold one each at the same time, then all
/// give them back. Each waits at most 10 s for the others, then fails the test.
async fn hold_connections(app: &TestApp, n: usize) {
    use std::sync::{Arc, Condvar, Mutex};
    let held = Arc::new((Mutex::new(0_usize), Condvar::new()));
    let holders: Vec<_> = (0..n)
        .map(|_| {
            let pool = app.state.pool.clone();
            let held = Arc::clone(&held);
            actix_web::rt::spawn(async move {
                minhu::db::run(&pool, move |_| {
                    let (count, all) = &*held;
                    let mut count = count.lock().expect("not poisoned");
                    *count += 1;
                    all.notify_all();
                    let (count, waited) = all
                        .wait_timeout_while(count, std::time::Duration::from_secs(10), |c| *c < n)
                        .expect("not poisoned");
                    assert!(!waited.timed_out(), "{} of {n} connections held", *count);
                    Ok(())
                })
                .await
            })
        })
        .collect();
    for holder in holders {
        holder.await.expect("joined").expect("held");
    }
}

/// The office reads the units once, `sql` runs on another connection, then the office reads
/// them `reads` times more, the account read afresh each time: their statuses, each 200 or 503
/// with Retry-After (asserted).
async fn statuses_after(app: &TestApp, sql: &str, reads: usize) -> Vec<u16> {
    use diesel::{Connection, RunQueryDsl};
    let c = City::build(app).await;
    let read = || async {
        app.state.admissions.forget_all();
        app.get("/api/v1/units").token(&c.operator).send().await
    };
    let res = read().await;
    assert_eq!(res.status, 200, "{}", res.text());
    let mut other = diesel::PgConnection::establish(&app.db.url_string()).expect("connect");
    diesel::sql_query(sql)
        .execute(&mut other)
        .expect("the change");
    let mut seen = Vec::new();
    for _ in 0..reads {
        let res = read().await;
        if res.status != 200 {
            assert_eq!(res.status, 503, "{}", res.text());
            assert!(res.headers.contains_key("retry-after"), "{:?}", res.headers);
        }
        seen.push(res.status);
    }
    seen
}

/// Requests that find every connection taken wait their turn and get one in the order they
/// came (`db::run`). Before, each waited on a blocking thread of its own, parked in the pool,
/// and a connection given back went to whichever thread asked for one first: at 64
/// connections the slowest hundredth of a unit's inbox pages waited three times the mean.
/// Pool of one connection, held while eight requests come one after the other.
async fn waiting_requests_get_a_connection_in_order_of_arrival(backend: crate::support::Backend) {
    use std::sync::{mpsc, Arc, Mutex};
    let app =
        TestApp::on(crate::support::TestDb::new(backend).with("MINHU_DB_POOL_SIZE", "1")).await;
    let pool = app.state.pool.clone();
    let (held, holding) = mpsc::channel::<()>();
    let (release, released) = mpsc::channel::<()>();
    let holder = actix_web::rt::spawn({
        let pool = pool.clone();
        async move {
            minhu::db::run(&pool, move |_| {
                held.send(()).expect("the test waits");
                released.recv().expect("the test lets go");
                Ok(())
            })
            .await
        }
    });
    // The holder runs on a blocking thread; this task only lets it start.
    while holding.try_recv().is_err() {
        tokio::task::yield_now().await;
    }
    let served = Arc::new(Mutex::new(Vec::new()));
    let mut waiting = Vec::new();
    for i in 0..8 {
        let pool = pool.clone();
        let served = Arc::clone(&served);
        waiting.push(actix_web::rt::spawn(async move {
            minhu::db::run(&pool, move |_| {
                served.lock().expect("not poisoned").push(i);
                Ok(())
            })
            .await
        }));
        // The request comes to the pool before the next one is made.
        tokio::task::yield_now().await;
    }
    assert!(
        served.lock().expect("not poisoned").is_empty(),
        "the connection is held"
    );
    release.send(()).expect("the holder waits");
    holder.await.expect("joined").expect("the holder ran");
    for w in waiting {
        w.await.expect("joined").expect("served");
    }
    assert_eq!(
        *served.lock().expect("not poisoned"),
        (0..8).collect::<Vec<_>>(),
        "served in order of arrival"
    );
}

crate::support::both_backends!(waiting_requests_get_a_connection_in_order_of_arrival);

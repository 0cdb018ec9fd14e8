//! Health, metrics, the served web app and API document, restarts, migrations, configuration.

use std::process::Command;

use minhu_types::{Page, Unit};
use serde_json::json;

use crate::support::{both, Backend, TestApp, TestDb};

async fn health_readiness_and_metrics(app: TestApp) {
    assert_eq!(
        app.get("/healthz").send().await.value(),
        json!({"status": "ok"})
    );
    // Without a read standby every read goes to the primary.
    assert_eq!(
        app.get("/readyz").send().await.value(),
        json!({"status": "ok", "primary": "ok", "replica": "none"})
    );
    // A 401, counted like any other request.
    app.get("/api/v1/units").send().await;
    // A resource of a group (`/petitions/{id}…`) is counted under its whole pattern.
    app.get("/api/v1/petitions/7/events").send().await;
    let res = app.get("/metrics").send().await;
    assert_eq!(res.status, 200);
    assert!(res
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/plain")));
    let text = res.text();
    assert!(
        text.contains(
            "minhu_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "minhu_http_requests_total{method=\"GET\",route=\"/api/v1/units\",status=\"401\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "minhu_http_requests_total{method=\"GET\",route=\"/api/v1/petitions/{id}/events\",status=\"401\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains("minhu_http_request_duration_seconds_bucket{method=\"GET\",route=\"/readyz\",le=\"+Inf\"} 1"));
    assert!(text.contains("minhu_db_pool_max_connections 4"));
    assert!(text.contains("minhu_db_statements_total "));
}

async fn the_web_app_and_the_api_document_are_served(app: TestApp) {
    // Client routes fall back to index.html; files that do not exist are 404.
    for path in ["/", "/petitions/42", "/login"] {
        let res = app.get(path).send().await;
        assert_eq!(res.status, 200, "{path}");
        assert!(res.text().contains("民呼必应"), "{path}");
        assert!(res
            .header("content-type")
            .is_some_and(|c| c.starts_with("text/html")));
    }
    app.get("/missing.js").send().await.problem(404);
    assert_eq!(
        app.get("/").send().await.header("cache-control"),
        Some("no-cache")
    );

    // A build file named by its content is kept a year, and sent precompressed as the browser
    // takes it: brotli first, then gzip, else as it is (bytes as stored: nothing per request).
    let dir = &app.db.dir;
    std::fs::write(dir.join("minhu-0123456789.js"), "export default 1;").expect("js");
    std::fs::write(dir.join("minhu-0123456789.js.br"), b"brotli bytes").expect("br");
    std::fs::write(dir.join("minhu-0123456789.js.gz"), b"gzip bytes").expect("gz");
    for (accept, encoding, body) in [
        (Some("gzip, deflate, br, zstd"), Some("br"), "brotli bytes"),
        (Some("gzip"), Some("gzip"), "gzip bytes"),
        (Some("br;q=0, gzip;q=0.8"), Some("gzip"), "gzip bytes"),
        (None, None, "export default 1;"),
    ] {
        let mut req = app.get("/minhu-0123456789.js");
        if let Some(a) = accept {
            req = req.header("accept-encoding", a);
        }
        let res = req.send().await;
        assert_eq!(res.status, 200, "{accept:?}");
        assert_eq!(res.header("content-encoding"), encoding, "{accept:?}");
        assert_eq!(res.text(), body, "{accept:?}");
        assert!(res.header("content-type").is_some_and(
            |c| c.starts_with("text/javascript") || c.starts_with("application/javascript")
        ));
        assert_eq!(
            res.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(res.header("vary"), Some("Accept-Encoding"));
        let disposition = res.header("content-disposition").unwrap_or("inline");
        assert!(
            disposition.starts_with("inline"),
            "shown, not downloaded: {disposition}"
        );
    }
    // index.html precompressed too: a page, not a download of `index.html.br`.
    std::fs::write(dir.join("index.html.br"), b"brotli page").expect("br");
    let res = app
        .get("/login")
        .header("accept-encoding", "br")
        .send()
        .await;
    assert_eq!(res.header("content-encoding"), Some("br"));
    assert!(!res
        .header("content-disposition")
        .is_some_and(|d| d.starts_with("attachment")));
    assert!(res
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/html")));
    assert_eq!(res.header("cache-control"), Some("no-cache"));
    std::fs::remove_file(dir.join("index.html.br")).expect("rm");

    assert_eq!(
        app.get("/docs").send().await.header("location"),
        Some("/docs/")
    );
    let res = app.get("/docs/").send().await;
    assert_eq!(res.status, 200);
    assert!(res.text().contains("swagger-ui"));
    let served = app.get("/api-docs/openapi.json").send().await.value();
    let generated: serde_json::Value =
        serde_json::from_str(&minhu::http::openapi::document_json()).expect("document is JSON");
    assert_eq!(served, generated);
}

async fn data_survives_a_restart(app: TestApp) {
    let admin = app.admin().await;
    app.unit(&admin, "焦作市12345热线办", "hotline_office", None)
        .await;
    let citizen = app.citizen("persistent").await;

    let app = app.restart().await;
    let page: Page<Unit> = app.get("/api/v1/units").token(&admin).send().await.json();
    assert_eq!(page.items[0].name, "焦作市12345热线办");
    // Tokens issued before the restart stay valid (same key), and the account is there.
    assert_eq!(
        app.get("/api/v1/me").token(&citizen).send().await.status,
        200
    );
    app.login("persistent", "citizen-pass-1").await;
}

/// Every enum column refuses a name the code does not know, on both backends (a CHECK
/// constraint on PostgreSQL, a trigger on SQLite), and takes the names it does.
async fn the_database_refuses_unknown_values(app: TestApp) {
    let city = crate::city::City::build(&app).await;
    let id = city.submit(&app, json!({})).await["id"]
        .as_i64()
        .expect("id");
    let state = app.state.clone();
    actix_web::web::block(move || {
        use diesel::RunQueryDsl;
        let mut conn = state.pool.get().expect("conn");
        let mut run = |sql: String| diesel::sql_query(sql).execute(&mut conn);
        for (sql, known) in [
            (
                format!("UPDATE petitions SET status = 'archived' WHERE id = {id}"),
                false,
            ),
            (
                format!("UPDATE petitions SET urgency = 'whenever' WHERE id = {id}"),
                false,
            ),
            (
                format!("UPDATE petitions SET kind = 'complaint' WHERE id = {id}"),
                true,
            ),
            ("UPDATE users SET role = 'superuser'".to_owned(), false),
            ("UPDATE units SET kind = 'province'".to_owned(), false),
            (
                format!(
                    "INSERT INTO events (petition_id, action, actor_id, actor_role, created_at) \
                 SELECT {id}, 'teleport', actor_id, actor_role, created_at FROM events \
                 WHERE petition_id = {id}"
                ),
                false,
            ),
            (
                format!("UPDATE petitions SET status = 'withdrawn' WHERE id = {id}"),
                true,
            ),
        ] {
            let result = run(sql.clone());
            assert_eq!(result.is_ok(), known, "{sql}: {result:?}");
            if let Err(e) = result {
                assert!(e.to_string().contains("_known"), "{sql}: {e}");
            }
        }
    })
    .await
    .expect("block");
}

both!(
    the_database_refuses_unknown_values,
    health_readiness_and_metrics,
    the_web_app_and_the_api_document_are_served,
    data_survives_a_restart
);

fn migrations_go_up_and_down(backend: Backend) {
    let db = TestDb::blank(backend);
    let pool = minhu::db::connect(&db.url, 1).expect("pool");
    let mut conn = pool.get().expect("conn");
    let up = minhu::db::migrate(&mut conn).expect("up");
    assert!(!up.is_empty());
    let count = |conn: &mut minhu::db::DbConn| {
        use diesel::RunQueryDsl;
        diesel::sql_query("SELECT id FROM units").execute(conn)
    };
    assert!(count(&mut conn).is_ok());
    let down = minhu::db::revert_all(&mut conn).expect("down");
    assert_eq!(down.len(), up.len());
    assert!(
        count(&mut conn).is_err(),
        "tables are gone after the down migrations"
    );
    assert_eq!(minhu::db::migrate(&mut conn).expect("up again"), up);
    assert!(minhu::db::migrate(&mut conn)
        .expect("nothing pending")
        .is_empty());
}

#[test]
fn migrations_go_up_and_down_on_sqlite() {
    migrations_go_up_and_down(Backend::Sqlite);
}

#[test]
fn migrations_go_up_and_down_on_postgres() {
    migrations_go_up_and_down(Backend::Postgres);
}

/// `minhu migrate`, as a deployment runs it before starting replicas, exits cleanly every time:
/// its pool opened a second PostgreSQL connection in the background as it took the first, and a
/// process exiting meanwhile crashed in libpq's and OpenSSL's exit handlers (23 of 60 runs of
/// the release build: SIGSEGV, SIGABRT, SIGBUS).
#[test]
fn the_migrate_command_exits_cleanly_every_time() {
    let db = TestDb::new(Backend::Postgres);
    // As a deployment's URL is written: libpq's default `sslmode=prefer`, TLS where the server
    // offers it (the tests' own connections do without).
    let url = db.url_string().replace("?sslmode=disable", "");
    for run in 0..30 {
        let out = Command::new(env!("CARGO_BIN_EXE_minhu"))
            .arg("migrate")
            .env("DATABASE_URL", &url)
            .env("MINHU_DATA_DIR", db.dir.join("data"))
            .output()
            .expect("run minhu");
        assert!(
            out.status.success(),
            "run {run}: {:?}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn migrations_have_the_same_names_on_both_backends() {
    let names = |backend: &str| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../migrations")
            .join(backend);
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("migrations dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("postgres"), names("sqlite"));
}

/// The checked-in document must be what the code generates. To refresh it:
/// `cargo run -p minhu -- openapi > openapi/openapi.json`.
#[test]
fn the_checked_in_openapi_document_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    let generated = minhu::http::openapi::document_json();
    if std::env::var_os("MINHU_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write openapi.json");
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "openapi/openapi.json is stale: run `cargo run -p minhu -- openapi > openapi/openapi.json` and commit it"
    );
}

#[test]
fn the_binary_prints_the_document_and_names_bad_settings() {
    let out = Command::new(env!("CARGO_BIN_EXE_minhu"))
        .arg("openapi")
        .output()
        .expect("run minhu");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        minhu::http::openapi::document_json()
    );

    for (var, value) in [
        ("DATABASE_URL", "mysql://db/minhu"),
        ("MINHU_BIND", "nowhere"),
        ("MINHU_JWT_SECRET", "short"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_minhu"))
            .arg("serve")
            .env(var, value)
            .output()
            .expect("run minhu");
        assert_eq!(out.status.code(), Some(2), "{var}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(var), "{var}: {stderr}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_minhu"))
        .arg("frobnicate")
        .output()
        .expect("run minhu");
    assert_eq!(out.status.code(), Some(2));
}

/// The demo city with `petitions` petitions over `days`, on the app's database.
async fn seed(
    app: &TestApp,
    petitions: usize,
    days: i64,
) -> Result<minhu::seed::Credentials, String> {
    let state = app.state.clone();
    actix_web::web::block(move || {
        let mut conn = state.pool.get().expect("conn");
        minhu::seed::seed(&mut conn, petitions, days)
    })
    .await
    .expect("block")
}

async fn the_demo_city_can_be_used(app: TestApp) {
    let creds = seed(&app, 60, 90).await.expect("seed");
    let password = &creds.0[0].3;
    let operator = app.login("demo_operator", password).await;
    let all: Page<serde_json::Value> = app
        .get("/api/v1/petitions?per_page=100")
        .token(&operator)
        .send()
        .await
        .json();
    assert_eq!(all.total, 60);
    let statuses: std::collections::HashSet<String> = all
        .items
        .iter()
        .filter_map(|p| p["status"].as_str().map(str::to_owned))
        .collect();
    assert!(
        statuses.contains("closed") && statuses.len() >= 4,
        "{statuses:?}"
    );
    // A unit's handler sees its share; the public feed has the published ones.
    let unit = app.login("demo_unit1", password).await;
    let mine: Page<serde_json::Value> = app
        .get("/api/v1/petitions")
        .token(&unit)
        .send()
        .await
        .json();
    assert!(mine.total < 60);
    let feed: Page<serde_json::Value> = app.get("/api/v1/public/petitions").send().await.json();
    assert!(feed.total > 0);
    // Every seeded petition has a consistent timeline the API can read.
    let id = all.items[0]["id"].as_i64().expect("id");
    assert_eq!(
        app.get(&format!("/api/v1/petitions/{id}/events"))
            .token(&operator)
            .send()
            .await
            .status,
        200
    );
}

/// A database with a hotline office but no handling units: seeding says what to do instead of
/// panicking.
async fn seeding_refuses_a_city_without_units(app: TestApp) {
    let admin = app.admin().await;
    app.unit(&admin, "焦作市12345热线办", "hotline_office", None)
        .await;
    let result = seed(&app, 10, 30).await;
    let why = result.err().expect("refused");
    assert!(why.contains("承办单位"), "{why}");
}

/// Lists over history count only a few pages ahead: `total` is exact near the end and a lower
/// bound otherwise; a page past the end still gets the exact total.
async fn totals_are_counted_a_few_pages_ahead(app: TestApp) {
    let creds = seed(&app, 60, 90).await.expect("seed");
    let operator = app.login("demo_operator", &creds.0[0].3).await;
    let total = |path: &'static str| {
        let app = &app;
        let token = operator.clone();
        async move {
            app.get(path)
                .token(&token)
                .send()
                .await
                .json::<Page<serde_json::Value>>()
                .total
        }
    };
    // 5 per page: pages 1–6 and one more are counted from page 1, so 31 is "more than 30".
    assert_eq!(total("/api/v1/petitions?per_page=5").await, 31);
    assert_eq!(
        total("/api/v1/petitions?per_page=5&page=7").await,
        60,
        "exact near the end"
    );
    assert_eq!(total("/api/v1/petitions?per_page=20").await, 60);
    assert_eq!(
        total("/api/v1/petitions?per_page=5&page=50").await,
        60,
        "past the end"
    );
}

/// Public pages carry an ETag; a repeat request with it gets 304 without a body.
async fn public_pages_can_be_cached(app: TestApp) {
    let c = crate::city::City::build(&app).await;
    let p = c.submit(&app, serde_json::json!({})).await;
    let no = p["tracking_no"].as_str().expect("no");
    for path in [
        format!("/api/v1/track/{no}"),
        "/api/v1/public/petitions".to_owned(),
    ] {
        let first = app.get(&path).send().await;
        assert_eq!(first.status, 200);
        let etag = first.header("etag").expect("etag").to_owned();
        assert!(first
            .header("cache-control")
            .is_some_and(|c| c.contains("s-maxage") && c.contains("max-age=0")));
        let again = app.get(&path).header("if-none-match", &etag).send().await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.text().is_empty());
        let other = app
            .get(&path)
            .header("if-none-match", "\"stale\"")
            .send()
            .await;
        assert_eq!(other.status, 200);
    }
    // A change makes a new ETag.
    let path = format!("/api/v1/track/{no}");
    let before = app
        .get(&path)
        .send()
        .await
        .header("etag")
        .map(str::to_owned);
    let id = p["id"].as_i64().expect("id");
    c.call(
        &app,
        &c.operator,
        &format!("/api/v1/petitions/{id}/accept"),
        serde_json::json!({}),
        200,
    )
    .await;
    let after = app
        .get(&path)
        .send()
        .await
        .header("etag")
        .map(str::to_owned);
    assert_ne!(before, after);
}

both!(
    the_demo_city_can_be_used,
    seeding_refuses_a_city_without_units,
    totals_are_counted_a_few_pages_ahead,
    public_pages_can_be_cached,
);

/// The feed page built for one reader is served to the next ones for `MINHU_PUBLIC_CACHE_MS`
/// (each replica, by the query), then built anew: a publication on another replica shows once
/// that has run out, one on this replica at once, and another query is its own page.
async fn the_feed_is_built_once_a_moment(backend: Backend) {
    let elsewhere = TestApp::on(TestDb::new(backend).with("MINHU_PUBLIC_CACHE_MS", "1000")).await;
    let app = elsewhere.replica().await;
    let c = crate::city::City::build(&elsewhere).await;
    let t0 = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
        .and_then(|d| d.and_hms_opt(2, 0, 0))
        .expect("time");
    app.state.clock.set(Some(t0));
    elsewhere.state.clock.set(Some(t0));
    let publish = |title: &'static str| {
        let (app, c) = (&elsewhere, &c);
        async move {
            let id = c.submit(app, json!({"title": title})).await["id"]
                .as_i64()
                .expect("id");
            c.accept(app, id).await;
        }
    };
    let titles = |path: &'static str| {
        let app = &app;
        async move {
            let page = app.get(path).send().await.value();
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["title"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        }
    };
    publish("第一件").await;
    let first = titles("/api/v1/public/petitions").await;
    assert_eq!(first, ["第一件"]);
    publish("第二件").await;
    app.state
        .clock
        .set(Some(t0 + chrono::Duration::milliseconds(999)));
    assert_eq!(
        titles("/api/v1/public/petitions").await,
        first,
        "the same page within the moment"
    );
    assert_eq!(
        titles("/api/v1/public/petitions?per_page=20").await,
        ["第二件", "第一件"],
        "another query is built for itself"
    );
    app.state
        .clock
        .set(Some(t0 + chrono::Duration::milliseconds(1000)));
    assert_eq!(
        titles("/api/v1/public/petitions").await,
        ["第二件", "第一件"]
    );
    // Published through this replica: shown at once.
    let id = c.submit(&app, json!({"title": "第三件"})).await["id"]
        .as_i64()
        .expect("id");
    c.accept(&app, id).await;
    assert_eq!(
        titles("/api/v1/public/petitions").await,
        ["第三件", "第二件", "第一件"]
    );
    app.state.clock.set(None);
}

crate::support::both_backends!(the_feed_is_built_once_a_moment);

/// The tracking page and Open311's list are kept like the feed: within the moment the same
/// bytes, without a statement, though the petition has moved on through another replica;
/// after it, built anew; and at once after a change through this replica.
async fn tracking_and_open311_are_kept_for_the_moment(backend: Backend) {
    let app = TestApp::on(TestDb::new(backend).with("MINHU_PUBLIC_CACHE_MS", "1000")).await;
    let elsewhere = app.replica().await;
    let c = crate::city::City::build(&app).await;
    let v = c.submit(&app, json!({"title": "路灯不亮"})).await;
    let id = v["id"].as_i64().expect("id");
    let no = v["tracking_no"].as_str().expect("no").to_owned();
    let track = format!("/api/v1/track/{no}");
    c.accept(&app, id).await;
    let t0 = chrono::Utc::now().naive_utc() + chrono::Duration::minutes(1);
    app.state.clock.set(Some(t0));
    elsewhere.state.clock.set(Some(t0));
    let pages = || {
        let (app, track) = (&app, &track);
        async move {
            let mut bodies = Vec::new();
            for path in [
                track.as_str(),
                "/open311/v2/requests.json",
                "/open311/v2/requests.xml",
            ] {
                let res = app.get(path).send().await;
                assert_eq!(res.status, 200, "GET {path}: {}", res.text());
                assert!(res.header("etag").is_some(), "GET {path}");
                // Open311's photo addresses follow the request's host: not for shared caches.
                let shared = !path.starts_with("/open311");
                assert_eq!(
                    res.header("cache-control")
                        .is_some_and(|c| c.contains("s-maxage")),
                    shared,
                    "GET {path}"
                );
                bodies.push(res.text());
            }
            bodies
        }
    };
    let first = pages().await;
    assert!(
        first[0].contains("accepted") && first[1].contains(&no),
        "{first:?}"
    );
    c.dispatch(&elsewhere, id, c.xiuwu_id).await;
    app.state
        .clock
        .set(Some(t0 + chrono::Duration::milliseconds(999)));
    let before = minhu::db::statements_run(&app.state.pool);
    assert_eq!(pages().await, first, "the same pages within the moment");
    assert_eq!(
        minhu::db::statements_run(&app.state.pool),
        before,
        "from memory"
    );
    app.state
        .clock
        .set(Some(t0 + chrono::Duration::milliseconds(1000)));
    let after = pages().await;
    assert!(after[0].contains("dispatched"), "{}", after[0]);
    assert_ne!(after[1], first[1]);
    // A change through this replica (a reader's 我也遇到) shows at once.
    let reader = app.citizen("reader1").await;
    assert!(pages().await[0].contains("\"supporters\":0"), "kept again");
    let res = app
        .post(&format!("/api/v1/public/petitions/{id}/support"))
        .token(&reader)
        .send()
        .await;
    assert!(res.status < 300, "{}", res.text());
    assert!(pages().await[0].contains("\"supporters\":1"));
    app.state.clock.set(None);
}

crate::support::both_backends!(tracking_and_open311_are_kept_for_the_moment);

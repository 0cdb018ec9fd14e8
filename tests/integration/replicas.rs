//! Past one process: replicas of the service on one PostgreSQL count failed sign-ins and
//! partners' requests together, and the reads that may lag go to a read standby while it is up
//! and caught up — to the primary when it is not. (`tests/replicas/run.sh` shows the same with
//! a real streaming standby, two server processes and HAProxy.)

use minhu::db::replica::ReplicaState;
use serde_json::json;

use crate::support::{both_backends, Backend, TestApp, TestDb};

/// Twelve wrong passwords alternating between two replicas: on PostgreSQL the eleventh is
/// refused whichever replica it reaches, and so is the right password until the minute has
/// passed. The embedded SQLite default is one process: there, two processes would each count
/// their own (six each here, none refused) — which is why it is not run behind a balancer.
async fn wrong_passwords_count_across_replicas(backend: Backend) {
    let a = TestApp::new(backend).await;
    let b = a.replica().await;
    a.citizen("zhang").await;
    async fn attempt(app: &TestApp, password: &str) -> crate::support::Resp {
        app.post("/api/v1/auth/login")
            .json(json!({"username": "zhang", "password": password}))
            .send()
            .await
    }
    let mut statuses = Vec::new();
    for i in 0..12 {
        let app = if i % 2 == 0 { &a } else { &b };
        statuses.push(attempt(app, "wrong-password").await.status);
    }
    match backend {
        Backend::Postgres => {
            let mut expected = vec![401; 10];
            expected.extend([429, 429]);
            assert_eq!(statuses, expected);
            let res = attempt(&b, "citizen-pass-1").await;
            res.problem(429);
            assert!(res.header("retry-after").is_some());
        }
        Backend::Sqlite => assert_eq!(statuses, vec![401; 12]),
    }
}

/// A partner allowed four requests a minute spends them across both replicas.
async fn a_partners_allowance_is_one_across_replicas(backend: Backend) {
    let a = TestApp::on(TestDb::new(backend).with("MINHU_PARTNER_RATE_LIMIT", "4")).await;
    let b = a.replica().await;
    let admin = a.admin().await;
    let county = a.issue_partner(&admin, "修武县政务服务平台").await;
    let token = a.partner_token(&county).await;
    let mut statuses = Vec::new();
    for i in 0..6 {
        let app = if i % 2 == 0 { &a } else { &b };
        statuses.push(
            app.get("/api/v1/petitions")
                .token(&token)
                .send()
                .await
                .status,
        );
    }
    match backend {
        Backend::Postgres => assert_eq!(statuses, [200, 200, 200, 200, 429, 429]),
        // One process each: three requests each, within each one's own allowance.
        Backend::Sqlite => assert_eq!(statuses, [200; 6]),
    }
}

both_backends!(
    wrong_passwords_count_across_replicas,
    a_partners_allowance_is_one_across_replicas,
);

async fn replica_said(app: &TestApp) -> String {
    let res = app.get("/readyz").send().await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.value()["primary"], "ok");
    res.value()["replica"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Statements run on (the primary, the standby) while answering `GET path` as `token`.
async fn where_read(app: &TestApp, token: Option<&str>, path: &str) -> (u64, u64) {
    let standby = &app.state.replica.as_ref().expect("a standby").pool;
    let before = (
        minhu::db::statements_run(&app.state.pool),
        minhu::db::statements_run(standby),
    );
    let mut req = app.get(path);
    if let Some(t) = token {
        req = req.token(t);
    }
    let res = req.send().await;
    assert_eq!(res.status, 200, "GET {path}: {}", res.text());
    (
        minhu::db::statements_run(&app.state.pool) - before.0,
        minhu::db::statements_run(standby) - before.1,
    )
}

mod standby {
    use super::*;

    /// The public feed, tracking, rankings and Open311 lists read from a standby that keeps up;
    /// a petitioner's own petition and every write stay on the primary. (The standby here is
    /// the test database itself, which is not in recovery: no lag.)
    #[actix_web::test]
    async fn reads_that_may_lag_go_to_a_standby_that_keeps_up() {
        let db = TestDb::new(Backend::Postgres);
        let url = db.url_string();
        let app = TestApp::on(db.with("MINHU_DATABASE_REPLICA_URL", &url)).await;
        // Nothing is read from a standby nobody has looked at yet.
        assert_eq!(replica_said(&app).await, "down");
        let replica = app.state.replica.clone().expect("a standby");
        assert_eq!(replica.check(), ReplicaState::Ok);
        assert_eq!(replica_said(&app).await, "ok");

        let admin = app.admin().await;
        let category = app
            .post("/api/v1/categories")
            .token(&admin)
            .json(json!({"name": "市政", "code": "01"}))
            .send()
            .await
            .value()["id"]
            .as_i64()
            .expect("category");
        let citizen = app.citizen("li_ming").await;
        let res = app
            .post("/api/v1/petitions")
            .token(&citizen)
            .json(
                json!({"kind": "help", "category_id": category, "urgency": "normal",
                "title": "路灯坏了", "content": "东门路灯坏了一个月", "publish_consent": true}),
            )
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        let v = res.value();
        let id = v["id"].as_i64().expect("id");
        let no = v["tracking_no"].as_str().expect("tracking_no").to_owned();
        for path in [
            "/api/v1/public/petitions".to_owned(),
            format!("/api/v1/track/{no}"),
            "/api/v1/rankings".to_owned(),
            "/open311/v2/requests.json".to_owned(),
        ] {
            let (primary, standby) = where_read(&app, None, &path).await;
            assert!(
                primary == 0 && standby > 0,
                "GET {path}: {primary} statements on the primary, {standby} on the standby"
            );
        }
        let (primary, standby) =
            where_read(&app, Some(&citizen), &format!("/api/v1/petitions/{id}")).await;
        assert!(
            primary > 0 && standby == 0,
            "own petition: {primary} / {standby}"
        );
    }

    /// A standby that is down is reported and read around; one that goes down under a read
    /// hands the read to the primary at once.
    #[actix_web::test]
    async fn a_standby_that_is_down_is_read_around() {
        let app = TestApp::on(TestDb::new(Backend::Postgres).with(
            "MINHU_DATABASE_REPLICA_URL",
            "postgres://postgres@127.0.0.1:1/minhu",
        ))
        .await;
        let replica = app.state.replica.clone().expect("a standby");
        assert_eq!(replica.check(), ReplicaState::Down);
        assert_eq!(replica_said(&app).await, "down");
        let (primary, _) = where_read(&app, None, "/api/v1/public/petitions").await;
        assert!(primary > 0);
        // Up at its last check, gone since: the read still answers, from the primary.
        replica.set_state(ReplicaState::Ok);
        let (primary, standby) = where_read(&app, None, "/api/v1/public/petitions").await;
        assert!(primary > 0 && standby == 0, "{primary} / {standby}");
        assert_eq!(replica.state(), ReplicaState::Down);
    }
}

/// A token signed out on one replica is refused there at once; another replica that admitted
/// it in the last moment (`MINHU_ADMISSION_CACHE_MS`, one second) admits it until that moment
/// has run out, and not after.
async fn a_sign_out_reaches_other_replicas_within_the_moment(backend: Backend) {
    let a = TestApp::new(backend).await;
    let b = a.replica().await;
    let token = a.citizen("zhang").await;
    let t0 = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
        .and_then(|d| d.and_hms_opt(2, 0, 0))
        .expect("time");
    a.state.clock.set(Some(t0));
    b.state.clock.set(Some(t0));
    async fn me(app: &TestApp, token: &str) -> crate::support::Resp {
        app.get("/api/v1/me").token(token).send().await
    }
    assert_eq!(me(&b, &token).await.status, 200);
    let res = a.post("/api/v1/auth/logout").token(&token).send().await;
    assert_eq!(res.status, 204, "{}", res.text());
    assert_eq!(
        me(&a, &token).await.problem(401).code,
        "token_revoked",
        "at once"
    );
    b.state
        .clock
        .set(Some(t0 + chrono::Duration::milliseconds(999)));
    assert_eq!(me(&b, &token).await.status, 200, "kept for the moment");
    b.state
        .clock
        .set(Some(t0 + chrono::Duration::milliseconds(1000)));
    assert_eq!(me(&b, &token).await.problem(401).code, "token_revoked");
}

both_backends!(a_sign_out_reaches_other_replicas_within_the_moment);

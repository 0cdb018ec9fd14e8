//! Registration, login, tokens and roles.

use minhu::auth::{Claims, TokenKeys};
use minhu_types::{Role, TokenResponse, User, UserDetail};
use serde_json::json;

use crate::support::{both, TestApp, JWT_SECRET};

async fn registration_makes_citizens_only(app: TestApp) {
    let res = app
        .post("/api/v1/auth/register")
        .json(json!({"username": "Zhang_Wei", "password": "long enough", "display_name": "张伟", "phone": "13812345678"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let user: User = res.json();
    assert_eq!(
        (user.username.as_str(), user.role, user.unit_id),
        ("zhang_wei", Role::Citizen, None)
    );

    // The body cannot choose a role: the field is refused and no account is made.
    let res = app
        .post("/api/v1/auth/register")
        .json(json!({"username": "mallory", "password": "long enough", "display_name": "M", "role": "admin"}))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "role");
    let res = app
        .post("/api/v1/auth/login")
        .json(json!({"username": "mallory", "password": "long enough"}))
        .send()
        .await;
    res.problem(401);

    // Usernames are case-insensitive.
    let res = app
        .post("/api/v1/auth/register")
        .json(json!({"username": "ZHANG_WEI", "password": "long enough", "display_name": "另一个张伟"}))
        .send()
        .await;
    assert_eq!(res.problem(409).code, "username_taken");

    // Every invalid field is named at once.
    let res = app
        .post("/api/v1/auth/register")
        .json(json!({"username": "li", "password": "short", "display_name": " ", "phone": "12345"}))
        .send()
        .await;
    let p = res.problem(422);
    let mut fields: Vec<_> = p.errors.iter().map(|e| e.field.as_str()).collect();
    fields.dedup();
    assert_eq!(
        fields,
        ["username", "password", "display_name", "phone"],
        "{p:?}"
    );
}

async fn login_me_and_throttling(app: TestApp) {
    let token = app.citizen("wangfang").await;
    let me: User = app.get("/api/v1/me").token(&token).send().await.json();
    assert_eq!((me.username.as_str(), me.role), ("wangfang", Role::Citizen));

    let res = app
        .post("/api/v1/auth/login")
        .json(json!({"username": "wangfang", "password": "citizen-pass-1"}))
        .send()
        .await;
    let t: TokenResponse = res.json();
    assert_eq!(t.token_type, "Bearer");
    assert!(t.expires_in > 0);

    let wrong = json!({"username": "WangFang", "password": "wrong password"});
    for _ in 0..10 {
        let p = app
            .post("/api/v1/auth/login")
            .json(wrong.clone())
            .send()
            .await
            .problem(401);
        assert_eq!(p.code, "invalid_credentials");
    }
    // The 11th attempt within the minute is refused, even with the right password.
    let res = app
        .post("/api/v1/auth/login")
        .json(json!({"username": "wangfang", "password": "citizen-pass-1"}))
        .send()
        .await;
    assert_eq!(res.problem(429).code, "rate_limited");
    assert!(res
        .header("retry-after")
        .and_then(|s| s.parse::<u64>().ok())
        .is_some_and(|s| (1..=60).contains(&s)));
    // Other usernames are not affected.
    let res = app
        .post("/api/v1/auth/login")
        .json(json!({"username": "admin", "password": "nope nope"}))
        .send()
        .await;
    res.problem(401);
    // An unknown username answers like a wrong password.
    let res = app
        .post("/api/v1/auth/login")
        .json(json!({"username": "nobody", "password": "whatever1"}))
        .send()
        .await;
    assert_eq!(res.problem(401).code, "invalid_credentials");
}

fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

async fn forged_and_expired_tokens_are_refused(app: TestApp) {
    let res = app.get("/api/v1/me").send().await;
    assert_eq!(res.problem(401).code, "missing_token");
    assert_eq!(res.header("www-authenticate"), Some("Bearer"));

    for bad in ["garbage", "Basic YWRtaW46YWRtaW4=", "Bearer a.b.c"] {
        let res = app
            .get("/api/v1/me")
            .header("authorization", bad)
            .send()
            .await;
        assert_eq!(res.problem(401).code, "invalid_token", "{bad}");
    }
    let now = chrono::Utc::now().timestamp();
    let admin = app.admin().await;
    let admin_id = app.get("/api/v1/me").token(&admin).send().await.value()["id"]
        .as_i64()
        .expect("id");
    let admin_claims = Claims {
        sub: admin_id.to_string(),
        role: Role::Admin,
        unit: None,
        iat: now,
        exp: now + 3600,
        cred: None,
        ep: 0,
        jti: None,
    };

    // Signed with another key.
    let forged = TokenKeys::new(
        b"not the server's secret, 32 bytes+",
        std::time::Duration::from_secs(60),
    )
    .sign(&admin_claims)
    .expect("sign");
    app.get("/api/v1/users")
        .token(&forged)
        .send()
        .await
        .problem(401);

    // Unsigned ("alg": "none").
    let header = b64url(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = b64url(
        serde_json::to_string(&admin_claims)
            .expect("claims")
            .as_bytes(),
    );
    app.get("/api/v1/users")
        .token(&format!("{header}.{payload}."))
        .send()
        .await
        .problem(401);

    // Expired.
    let keys = TokenKeys::new(JWT_SECRET.as_bytes(), std::time::Duration::from_secs(60));
    let old = Claims {
        iat: now - 7200,
        exp: now - 3600,
        ..admin_claims.clone()
    };
    let res = app
        .get("/api/v1/users")
        .token(&keys.sign(&old).expect("sign"))
        .send()
        .await;
    assert_eq!(res.problem(401).code, "token_expired");

    // The same claims, correctly signed and current, are accepted.
    assert_eq!(
        app.get("/api/v1/users")
            .token(&keys.sign(&admin_claims).expect("sign"))
            .send()
            .await
            .status,
        200
    );
}

async fn roles_are_enforced(app: TestApp) {
    let citizen = app.citizen("citizen1").await;
    let res = app
        .post("/api/v1/units")
        .token(&citizen)
        .json(json!({"name": "修武县", "kind": "district"}))
        .send()
        .await;
    let p = res.problem(403);
    assert!(p.detail.contains("管理员"), "{}", p.detail);
    app.get("/api/v1/users")
        .token(&citizen)
        .send()
        .await
        .problem(403);
    app.post("/api/v1/partners")
        .token(&citizen)
        .json(json!({"name": "x"}))
        .send()
        .await
        .problem(403);
    app.post("/api/v1/categories")
        .token(&citizen)
        .json(json!({"name": "x"}))
        .send()
        .await
        .problem(403);
    // A refused request changes nothing.
    let admin = app.admin().await;
    let units = app.get("/api/v1/units").token(&admin).send().await.value();
    assert_eq!(units["total"], 0);
}

async fn administrators_manage_accounts(app: TestApp) {
    let admin = app.admin().await;
    let office = app
        .unit(&admin, "焦作市12345热线办", "hotline_office", None)
        .await;
    let town = app.unit(&admin, "郇封镇", "town", Some(office)).await;

    // A handler needs a unit; partners are not made here.
    let res = app
        .post("/api/v1/users")
        .token(&admin)
        .json(json!({"username": "handler1", "password": "handler-pass", "display_name": "郇封镇办事员", "role": "handler"}))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "unit_id");
    let res = app
        .post("/api/v1/users")
        .token(&admin)
        .json(json!({"username": "partner1", "password": "partner-pass", "display_name": "x", "role": "partner"}))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "role");
    let res = app
        .post("/api/v1/users")
        .token(&admin)
        .json(json!({"username": "handler1", "password": "handler-pass", "display_name": "办事员", "role": "handler", "unit_id": 9999}))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "unit_id");

    let res = app
        .post("/api/v1/users")
        .token(&admin)
        .json(json!({"username": "handler1", "password": "handler-pass", "display_name": "郇封镇办事员", "role": "handler", "unit_id": town}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let created: UserDetail = res.json();

    // The token carries role and unit.
    let res = app
        .post("/api/v1/auth/login")
        .json(json!({"username": "handler1", "password": "handler-pass"}))
        .send()
        .await;
    let t: TokenResponse = res.json();
    assert_eq!((t.user.role, t.user.unit_id), (Role::Handler, Some(town)));

    // Promote to operator without a unit; then deactivate: the account can no longer log in.
    let res = app
        .patch(&format!("/api/v1/users/{}", created.id))
        .token(&admin)
        .json(json!({"role": "operator", "unit_id": null}))
        .send()
        .await;
    let changed: UserDetail = res.json();
    assert_eq!((changed.role, changed.unit_id), (Role::Operator, None));
    let res = app
        .patch(&format!("/api/v1/users/{}", created.id))
        .token(&admin)
        .json(json!({"active": false}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    let res = app
        .post("/api/v1/auth/login")
        .json(json!({"username": "handler1", "password": "handler-pass"}))
        .send()
        .await;
    assert_eq!(res.problem(401).code, "account_disabled");

    // An administrator cannot lock themselves out.
    let me: User = app.get("/api/v1/me").token(&admin).send().await.json();
    let res = app
        .patch(&format!("/api/v1/users/{}", me.id))
        .token(&admin)
        .json(json!({"role": "citizen"}))
        .send()
        .await;
    res.problem(422);

    let list = app
        .get("/api/v1/users?role=operator")
        .token(&admin)
        .send()
        .await
        .value();
    assert_eq!(list["total"], 1);
    app.patch("/api/v1/users/424242")
        .token(&admin)
        .json(json!({"display_name": "x"}))
        .send()
        .await
        .problem(404);
}

both!(
    registration_makes_citizens_only,
    login_me_and_throttling,
    forged_and_expired_tokens_are_refused,
    roles_are_enforced,
    administrators_manage_accounts,
);

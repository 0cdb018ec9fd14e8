//! The unit tree, categories and partners.

use diesel::{QueryDsl, RunQueryDsl};
use minhu_types::{Category, Page, Partner, PartnerCredentials, Role, TokenResponse, Unit};
use serde_json::json;

use crate::support::{both, TestApp};

async fn the_unit_tree(app: TestApp) {
    let admin = app.admin().await;
    let office = app
        .unit(&admin, "焦作市12345热线办", "hotline_office", None)
        .await;
    let xiuwu = app.unit(&admin, "修武县", "district", Some(office)).await;
    let huanfeng = app.unit(&admin, "郇封镇", "town", Some(xiuwu)).await;
    let dongchang = app
        .unit(&admin, "东常村", "community", Some(huanfeng))
        .await;
    let xinhua = app.unit(&admin, "新华区", "district", Some(office)).await;
    let jiaodian = app.unit(&admin, "焦店镇", "town", Some(xinhua)).await;

    // A unit hangs only under a higher kind, and only under a unit that exists.
    let res = app
        .post("/api/v1/units")
        .token(&admin)
        .json(json!({"name": "某区", "kind": "district", "parent_id": huanfeng}))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "kind");
    let res = app
        .post("/api/v1/units")
        .token(&admin)
        .json(json!({"name": "某镇", "kind": "town", "parent_id": 9999}))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "parent_id");
    let res = app
        .post("/api/v1/units")
        .token(&admin)
        .json(json!({"name": "", "kind": "planet"}))
        .send()
        .await;
    res.problem(422);

    // Any signed-in caller reads the tree; a subtree is one query.
    let citizen = app.citizen("reader").await;
    let page: Page<Unit> = app
        .get(&format!("/api/v1/units?within={xiuwu}"))
        .token(&citizen)
        .send()
        .await
        .json();
    let names: Vec<_> = page.items.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["修武县", "郇封镇", "东常村"]);
    let page: Page<Unit> = app
        .get(&format!("/api/v1/units?parent_id={office}"))
        .token(&citizen)
        .send()
        .await
        .json();
    assert_eq!(page.total, 2);
    let page: Page<Unit> = app
        .get("/api/v1/units?kind=town&per_page=1&page=2")
        .token(&citizen)
        .send()
        .await
        .json();
    assert_eq!(
        (page.total, page.items.len(), page.page, page.per_page),
        (2, 1, 2, 1)
    );
    let one: Unit = app
        .get(&format!("/api/v1/units/{dongchang}"))
        .token(&citizen)
        .send()
        .await
        .json();
    assert_eq!(one.parent_id, Some(huanfeng));
    app.get("/api/v1/units/9999")
        .token(&citizen)
        .send()
        .await
        .problem(404);

    // Moving a town moves its subtree; a unit cannot move into its own subtree.
    let res = app
        .patch(&format!("/api/v1/units/{huanfeng}"))
        .token(&admin)
        .json(json!({"parent_id": xinhua}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let page: Page<Unit> = app
        .get(&format!("/api/v1/units?within={xinhua}"))
        .token(&citizen)
        .send()
        .await
        .json();
    let mut names: Vec<_> = page.items.iter().map(|u| u.name.clone()).collect();
    names.sort();
    assert_eq!(names, ["东常村", "新华区", "焦店镇", "郇封镇"]);
    let page: Page<Unit> = app
        .get(&format!("/api/v1/units?within={xiuwu}"))
        .token(&citizen)
        .send()
        .await
        .json();
    assert_eq!(page.total, 1);
    let res = app
        .patch(&format!("/api/v1/units/{xinhua}"))
        .token(&admin)
        .json(json!({"kind": "town", "parent_id": jiaodian}))
        .send()
        .await;
    res.problem(422);
    // A kind change that would put the unit below its own children is refused.
    let res = app
        .patch(&format!("/api/v1/units/{huanfeng}"))
        .token(&admin)
        .json(json!({"kind": "grid"}))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "kind");
    let renamed: Unit = app
        .patch(&format!("/api/v1/units/{jiaodian}"))
        .token(&admin)
        .json(json!({"name": "焦店镇人民政府"}))
        .send()
        .await
        .json();
    assert_eq!(
        (renamed.name.as_str(), renamed.parent_id),
        ("焦店镇人民政府", Some(xinhua))
    );
}

async fn categories_are_public_and_codes_unique(app: TestApp) {
    let admin = app.admin().await;
    let res = app
        .post("/api/v1/categories")
        .token(&admin)
        .json(json!({"name": "民生", "code": "01"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let minsheng: Category = res.json();
    let res = app
        .post("/api/v1/categories")
        .token(&admin)
        .json(json!({"name": "水电气暖", "parent_id": minsheng.id, "code": "01.03"}))
        .send()
        .await;
    assert_eq!(res.status, 201);
    let res = app
        .post("/api/v1/categories")
        .token(&admin)
        .json(json!({"name": "重复", "code": "01"}))
        .send()
        .await;
    assert_eq!(res.problem(409).code, "code_taken");
    let res = app
        .post("/api/v1/categories")
        .token(&admin)
        .json(json!({"name": "x", "parent_id": 999}))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "parent_id");
    let res = app
        .post("/api/v1/categories")
        .token(&admin)
        .json(json!({"name": "x", "code": "has space"}))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "code");

    // No token needed to read them: the submission form shows them before login.
    let page: Page<Category> = app.get("/api/v1/categories").send().await.json();
    assert_eq!(page.total, 2);
    let page: Page<Category> = app
        .get(&format!("/api/v1/categories?parent_id={}", minsheng.id))
        .send()
        .await
        .json();
    assert_eq!(page.items[0].name, "水电气暖");
    assert_eq!(page.items[0].code.as_deref(), Some("01.03"));
}

async fn partner_secrets_are_shown_once(app: TestApp) {
    let admin = app.admin().await;
    let res = app
        .post("/api/v1/partners")
        .token(&admin)
        .json(json!({"name": "修武县政务服务平台"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let creds: PartnerCredentials = res.json();
    assert!(creds.client_secret.len() >= 32 && creds.api_key.len() >= 32);

    // Listing shows no secret, and the database holds none.
    let res = app.get("/api/v1/partners").token(&admin).send().await;
    assert!(!res.text().contains(&creds.client_secret) && !res.text().contains(&creds.api_key));
    let page: Page<Partner> = res.json();
    assert_eq!(page.items[0].client_id, creds.client_id);
    let state = app.state.clone();
    let stored: Vec<(String, String)> = actix_web::web::block(move || {
        use minhu::db::schema::partners::dsl::*;
        let mut conn = state.pool.get().expect("conn");
        partners
            .select((client_secret_hash, api_key_hash))
            .load(&mut conn)
            .expect("load")
    })
    .await
    .expect("block");
    assert_eq!(stored.len(), 1);
    assert!(stored[0].0 != creds.client_secret && stored[0].1 != creds.api_key);

    // The credentials buy a partner token; a wrong secret does not.
    let res = app
        .post("/api/v1/auth/token")
        .json(json!({"client_id": creds.client_id, "client_secret": creds.client_secret}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let token: TokenResponse = res.json();
    assert_eq!(token.user.role, Role::Partner);
    let res = app
        .post("/api/v1/auth/token")
        .json(json!({"client_id": creds.client_id, "client_secret": "x"}))
        .send()
        .await;
    assert_eq!(res.problem(401).code, "invalid_client");
    // A partner has no password login and no admin rights.
    let res = app
        .post("/api/v1/auth/login")
        .json(json!({"username": creds.client_id, "password": creds.client_secret}))
        .send()
        .await;
    res.problem(401);
    app.get("/api/v1/partners")
        .token(&token.access_token)
        .send()
        .await
        .problem(403);
}

both!(
    the_unit_tree,
    categories_are_public_and_codes_unique,
    partner_secrets_are_shown_once
);

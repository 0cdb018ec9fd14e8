//! A small city to run the lifecycle in: the hotline office, 修武县 with 郇封镇 and 东常村,
//! 新华区, a category, and one account per role.

use serde_json::{json, Value};

use crate::support::TestApp;

pub struct City {
    pub admin: String,
    pub operator: String,
    pub citizen: String,
    pub other_citizen: String,
    /// Handler of 修武县.
    pub xiuwu: String,
    /// Handler of 郇封镇 (under 修武县).
    pub huanfeng: String,
    /// Handler of 新华区 (another district).
    pub xinhua: String,
    pub reporter: String,
    pub leader: String,
    pub xiuwu_id: i64,
    pub huanfeng_id: i64,
    pub xinhua_id: i64,
    pub category_id: i64,
}

impl City {
    pub async fn build(app: &TestApp) -> City {
        let admin = app.admin().await;
        let office_id = app
            .unit(&admin, "焦作市12345热线办", "hotline_office", None)
            .await;
        let xiuwu_id = app
            .unit(&admin, "修武县", "district", Some(office_id))
            .await;
        let huanfeng_id = app.unit(&admin, "郇封镇", "town", Some(xiuwu_id)).await;
        app.unit(&admin, "东常村", "community", Some(huanfeng_id))
            .await;
        let xinhua_id = app
            .unit(&admin, "新华区", "district", Some(office_id))
            .await;
        let res = app
            .post("/api/v1/categories")
            .token(&admin)
            .json(json!({"name": "助农", "code": "09"}))
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        let category_id = res.value()["id"].as_i64().expect("id");

        let user = |username: &'static str, role: &'static str, unit: Option<i64>| {
            let admin = admin.clone();
            async move {
                let res = app
                    .post("/api/v1/users")
                    .token(&admin)
                    .json(json!({"username": username, "password": "staff-password", "display_name": username, "role": role, "unit_id": unit}))
                    .send()
                    .await;
                assert_eq!(res.status, 201, "{}", res.text());
                app.login(username, "staff-password").await
            }
        };
        let operator = user("operator1", "operator", Some(office_id)).await;
        let xiuwu = user("xiuwu1", "handler", Some(xiuwu_id)).await;
        let huanfeng = user("huanfeng1", "handler", Some(huanfeng_id)).await;
        let xinhua = user("xinhua1", "handler", Some(xinhua_id)).await;
        let reporter = user("reporter1", "reporter", None).await;
        let leader = user("leader1", "leader", None).await;
        let res = app
            .post("/api/v1/auth/register")
            .json(json!({"username": "chu", "password": "citizen-pass-1", "display_name": "褚晓明", "phone": "13812345678"}))
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        let citizen = app.login("chu", "citizen-pass-1").await;
        let other_citizen = app.citizen("neighbour").await;
        City {
            admin,
            operator,
            citizen,
            other_citizen,
            xiuwu,
            huanfeng,
            xinhua,
            reporter,
            leader,
            xiuwu_id,
            huanfeng_id,
            xinhua_id,
            category_id,
        }
    }

    /// A citizen's petition body; `extra` overrides fields.
    pub fn petition(&self, extra: Value) -> Value {
        let mut body = json!({
            "kind": "help",
            "category_id": self.category_id,
            "urgency": "normal",
            "title": "萝卜卖不出去",
            "content": "家里种的五亩萝卜滞销，请帮忙联系销路。电话13912345678。",
            "address": "修武县郇封镇东常村东街12号",
            "latitude": 35.2299,
            "longitude": 113.4461,
            "publish_consent": true,
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        body
    }

    /// Submits as the citizen; returns the petition.
    pub async fn submit(&self, app: &TestApp, extra: Value) -> Value {
        let res = app
            .post("/api/v1/petitions")
            .token(&self.citizen)
            .json(self.petition(extra))
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        res.value()
    }

    /// Runs `POST path` with `body` as `token`, asserting `status`; returns the body.
    pub async fn call(
        &self,
        app: &TestApp,
        token: &str,
        path: &str,
        body: Value,
        status: u16,
    ) -> Value {
        let res = app.post(path).token(token).json(body).send().await;
        assert_eq!(res.status, status, "POST {path}: {}", res.text());
        res.value()
    }

    /// Accepts petition `id` as the hotline office.
    pub async fn accept(&self, app: &TestApp, id: i64) {
        let path = format!("/api/v1/petitions/{id}/accept");
        self.call(app, &self.operator, &path, json!({}), 200).await;
    }

    /// Answers petition `id` directly (直办) as the hotline office, with a public reply.
    pub async fn answer_publicly(&self, app: &TestApp, id: i64, body: &str) {
        let path = format!("/api/v1/petitions/{id}/answer");
        let reply = json!({"body": body, "outcome": "resolved", "public": true});
        self.call(app, &self.operator, &path, reply, 200).await;
    }

    /// Submitted, accepted and dispatched to 修武县 as lead; returns (petition id, assignment id).
    pub async fn dispatched(&self, app: &TestApp) -> (i64, i64) {
        let p = self.submit(app, json!({})).await;
        let id = p["id"].as_i64().expect("id");
        self.accept(app, id).await;
        (id, self.dispatch(app, id, self.xiuwu_id).await)
    }

    /// Dispatches accepted petition `id` to `unit` as lead (the hotline office); returns the
    /// assignment's id.
    pub async fn dispatch(&self, app: &TestApp, id: i64, unit: i64) -> i64 {
        let p = self
            .call(
                app,
                &self.operator,
                &format!("/api/v1/petitions/{id}/assignments"),
                json!({"unit_id": unit, "role": "lead"}),
                201,
            )
            .await;
        p["assignments"][0]["id"].as_i64().expect("assignment id")
    }

    /// 修武县 signs its order `aid` of petition `id` and replies with `reply`; returns the reply.
    pub async fn signed_and_replied(
        &self,
        app: &TestApp,
        id: i64,
        aid: i64,
        reply: Value,
    ) -> Value {
        let sign = format!("/api/v1/assignments/{aid}/sign");
        self.call(app, &self.xiuwu, &sign, json!({}), 200).await;
        let path = format!("/api/v1/petitions/{id}/replies");
        self.call(app, &self.xiuwu, &path, reply, 201).await
    }
}

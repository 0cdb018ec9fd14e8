//! The knowledge base: who keeps it, who reads what, search in Chinese, suggestions for
//! consultations, answering directly with an article.

use minhu_types::{Article, Page, Suggestions};
use serde_json::{json, Value};

use crate::city::City;
use crate::support::{both, TestApp};

async fn write(app: &TestApp, token: &str, body: Value) -> Article {
    let res = app
        .post("/api/v1/knowledge")
        .token(token)
        .json(body)
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()
}

async fn search(app: &TestApp, token: Option<&str>, query: &str) -> Page<Article> {
    let mut req = app.get(&format!("/api/v1/knowledge{query}"));
    if let Some(t) = token {
        req = req.token(t);
    }
    let res = req.send().await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()
}

async fn kept_searched_and_cited(app: TestApp) {
    let city = City::build(&app).await;
    let water = write(
        &app,
        &city.operator,
        json!({"question": "小区停水了，什么时候恢复供水？", "answer": "请先查看自来水公司的停水公告；计划停水一般当天恢复，可拨打 12345 查询。", "category_id": city.category_id, "public": true}),
    )
    .await;
    let internal = write(
        &app,
        &city.reporter,
        json!({"question": "路灯不亮找谁修？", "answer": "城区路灯归城管局路灯所，内部电话见通讯录。"}),
    )
    .await;
    assert!(!internal.public);
    // Citizens do not write; every field is checked.
    app.post("/api/v1/knowledge")
        .token(&city.citizen)
        .json(json!({"question": "q", "answer": "a"}))
        .send()
        .await
        .problem(403);
    let p = app
        .post("/api/v1/knowledge")
        .token(&city.operator)
        .json(json!({"question": "  ", "answer": "a"}))
        .send()
        .await
        .problem(422);
    assert_eq!(p.errors[0].field, "question");
    let p = app
        .post("/api/v1/knowledge")
        .token(&city.operator)
        .json(json!({"question": "q", "answer": "a", "category_id": 9999}))
        .send()
        .await
        .problem(422);
    assert_eq!(p.errors[0].field, "category_id");

    // Everybody reads the public articles (the 帮打听 column); staff the internal ones too.
    let public = search(&app, None, "").await;
    assert_eq!(
        public.items.iter().map(|a| a.id).collect::<Vec<_>>(),
        [water.id]
    );
    assert_eq!(search(&app, Some(&city.citizen), "").await.total, 1);
    assert_eq!(search(&app, Some(&city.xiuwu), "").await.total, 2);
    // A forged or expired token is refused, as everywhere a token is read: a member of staff
    // whose session ended is told to sign in again instead of silently seeing less.
    let res = app
        .get("/api/v1/knowledge")
        .token("forged.token.here")
        .send()
        .await;
    assert_eq!(res.problem(401).code, "invalid_token");
    app.get(&format!("/api/v1/knowledge/{}", internal.id))
        .send()
        .await
        .problem(404);
    let res = app
        .get(&format!("/api/v1/knowledge/{}", internal.id))
        .token(&city.operator)
        .send()
        .await;
    assert_eq!(res.status, 200);

    // Search in Chinese, reworded: character pairs match, unrelated articles do not.
    let q = "?q=%E6%88%91%E5%AE%B6%E5%81%9C%E6%B0%B4%E4%BA%86%E4%BB%80%E4%B9%88%E6%97%B6%E5%80%99%E6%9D%A5%E6%B0%B4"; // 我家停水了什么时候来水
    let found = search(&app, Some(&city.operator), q).await;
    assert_eq!(
        found.items.iter().map(|a| a.id).collect::<Vec<_>>(),
        [water.id]
    );
    assert!(found.items[0].score.is_some_and(|s| s > 0.3));
    let lamp = search(&app, Some(&city.operator), "?q=%E8%B7%AF%E7%81%AF").await; // 路灯
    assert_eq!(
        lamp.items.iter().map(|a| a.id).collect::<Vec<_>>(),
        [internal.id]
    );
    assert_eq!(search(&app, None, "?q=%E8%B7%AF%E7%81%AF").await.total, 0);

    // Published by a reporter's edit.
    let res = app
        .patch(&format!("/api/v1/knowledge/{}", internal.id))
        .token(&city.reporter)
        .json(json!({"public": true}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(search(&app, None, "").await.total, 2);

    // A consultation gets the matching article suggested, and is answered citing it.
    let p = city
        .submit(
            &app,
            json!({"kind": "consultation", "title": "停水咨询", "content": "我家停水了，什么时候来水？"}),
        )
        .await;
    let id = p["id"].as_i64().expect("id");
    let s: Suggestions = app
        .get(&format!("/api/v1/petitions/{id}/suggestions"))
        .token(&city.operator)
        .send()
        .await
        .json();
    assert_eq!(s.articles.first().map(|a| a.article.id), Some(water.id));
    let answer = |article: i64| json!({"body": "计划停水，今晚八点前恢复。", "outcome": "explained", "public": true, "article_id": article});
    let p = app
        .post(&format!("/api/v1/petitions/{id}/answer"))
        .token(&city.operator)
        .json(answer(9999))
        .send()
        .await
        .problem(422);
    assert_eq!(p.errors[0].field, "article_id");
    let res = app
        .post(&format!("/api/v1/petitions/{id}/answer"))
        .token(&city.operator)
        .json(answer(water.id))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let events = app
        .get(&format!("/api/v1/petitions/{id}/events"))
        .token(&city.operator)
        .send()
        .await
        .text();
    assert!(events.contains("引用知识库：小区停水了"), "{events}");
}

both!(kept_searched_and_cited);

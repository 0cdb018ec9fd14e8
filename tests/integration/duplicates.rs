//! Repeat petitions (并单): suggestions from the sketch index, merging with one action, and the
//! index following the lifecycle (and rebuilt to the same rows).

use diesel::RunQueryDsl;
use minhu_types::Suggestions;
use serde_json::json;

use crate::city::City;
use crate::support::{both, TestApp};
use crate::triage::suggestions;

fn ids(s: &Suggestions) -> Vec<i64> {
    s.duplicates.iter().map(|d| d.petition.id).collect()
}

async fn category(app: &TestApp, city: &City, name: &str) -> i64 {
    let res = app
        .post("/api/v1/categories")
        .token(&city.admin)
        .json(json!({"name": name}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    res.value()["id"].as_i64().expect("id")
}

const ADDRESS: &str = "修武县城关镇幸福小区东门";

async fn submit(app: &TestApp, city: &City, category: i64, title: &str, content: &str) -> i64 {
    city.submit(
        app,
        json!({"kind": "complaint", "category_id": category, "title": title, "content": content,
               "address": ADDRESS, "latitude": 35.2290, "longitude": 113.4470}),
    )
    .await["id"]
        .as_i64()
        .expect("id")
}

async fn index_rows(app: &TestApp) -> Vec<(i64, i32, i64)> {
    #[derive(diesel::QueryableByName, PartialEq, Debug)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        category_id: i64,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        term: i32,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        petition_id: i64,
    }
    let state = app.state.clone();
    actix_web::web::block(move || {
        let mut conn = state.pool.get().expect("conn");
        diesel::sql_query(
            "SELECT category_id, term, petition_id FROM petition_terms \
             ORDER BY category_id, term, petition_id",
        )
        .load::<Row>(&mut conn)
        .expect("index rows")
    })
    .await
    .expect("block")
    .into_iter()
    .map(|r| (r.category_id, r.term, r.petition_id))
    .collect()
}

async fn a_reworded_repeat_is_suggested_above_an_unrelated_petition(app: TestApp) {
    let city = City::build(&app).await;
    let roads = category(&app, &city, "市政设施").await;
    let first = submit(
        &app,
        &city,
        roads,
        "小区路灯坏了",
        "幸福小区东门口的路灯坏了一个多月，晚上漆黑一片，老人孩子出门很不安全，希望尽快修好。",
    )
    .await;
    let unrelated = submit(
        &app,
        &city,
        roads,
        "垃圾清运不及时",
        "幸福小区东门的垃圾桶满了三天没人清运，气味很大，希望尽快处理。",
    )
    .await;
    // The same words in another category are not the same matter.
    let elsewhere = category(&app, &city, "供电").await;
    let other_category = submit(
        &app,
        &city,
        elsewhere,
        "小区路灯坏了",
        "幸福小区东门口的路灯坏了一个多月，晚上漆黑一片，老人孩子出门很不安全，希望尽快修好。",
    )
    .await;
    let repeat = submit(
        &app,
        &city,
        roads,
        "东门路灯不亮",
        "幸福小区东门路灯一个多月不亮了，晚上出门一片漆黑，很不安全，请尽快派人修理。",
    )
    .await;

    let s = suggestions(&app, &city.operator, repeat).await;
    let got = ids(&s);
    assert_eq!(got.first(), Some(&first), "{:?}", s.duplicates);
    assert!(
        !got.contains(&repeat) && !got.contains(&other_category),
        "{got:?}"
    );
    let best = &s.duplicates[0];
    assert!(
        best.similarity > 0.5 && best.similarity <= 1.0,
        "{}",
        best.similarity
    );
    if let Some(u) = s.duplicates.iter().find(|d| d.petition.id == unrelated) {
        assert!(u.similarity < best.similarity);
    }
    // Full petitions, unmasked for the hotline office, as in its list.
    assert_eq!(best.petition.title, "小区路灯坏了");
    assert_eq!(best.petition.status.as_str(), "submitted");
    // Only the hotline office triages.
    let res = app
        .get(&format!("/api/v1/petitions/{repeat}/suggestions"))
        .token(&city.citizen)
        .send()
        .await;
    res.problem(403);

    // One action merges it; a merged petition is no longer suggested.
    city.call(
        &app,
        &city.operator,
        &format!("/api/v1/petitions/{repeat}/merge"),
        json!({"into_id": first}),
        200,
    )
    .await;
    let again = submit(
        &app,
        &city,
        roads,
        "路灯还是不亮",
        "幸福小区东门口路灯坏了一个多月了，晚上一片漆黑，请尽快修理。",
    )
    .await;
    let got = ids(&suggestions(&app, &city.operator, again).await);
    assert_eq!(got.first(), Some(&first), "{got:?}");
    assert!(!got.contains(&repeat), "merged petition suggested: {got:?}");

    // Withdrawn: gone from the index too.
    city.call(
        &app,
        &city.citizen,
        &format!("/api/v1/petitions/{first}/withdraw"),
        json!({}),
        200,
    )
    .await;
    let got = ids(&suggestions(&app, &city.operator, again).await);
    assert!(
        !got.contains(&first),
        "withdrawn petition suggested: {got:?}"
    );
    assert!(index_rows(&app)
        .await
        .iter()
        .all(|(_, _, p)| *p != first && *p != repeat));
}
both!(a_reworded_repeat_is_suggested_above_an_unrelated_petition);

async fn the_rebuilt_index_equals_the_maintained_one(app: TestApp) {
    let city = City::build(&app).await;
    for (title, content) in [
        ("路灯不亮", "幸福小区路灯坏了"),
        ("噪音扰民", "工地夜间施工噪音很大，影响休息"),
        ("停水", "小区突然停水，没有通知"),
    ] {
        submit(&app, &city, city.category_id, title, content).await;
    }
    let rejected = submit(&app, &city, city.category_id, "重复", "工地夜间施工噪音").await;
    city.call(
        &app,
        &city.operator,
        &format!("/api/v1/petitions/{rejected}/reject"),
        json!({"reason": "重复反映"}),
        200,
    )
    .await;
    let maintained = index_rows(&app).await;
    assert!(!maintained.is_empty());
    assert!(maintained.iter().all(|(_, _, p)| *p != rejected));
    let state = app.state.clone();
    let n = actix_web::web::block(move || {
        let mut conn = state.pool.get().expect("conn");
        minhu::db::duplicates::rebuild(&mut conn, |_| {}).expect("rebuild")
    })
    .await
    .expect("block");
    let open: std::collections::BTreeSet<i64> = maintained.iter().map(|(_, _, p)| *p).collect();
    assert_eq!(n as usize, open.len());
    assert_eq!(index_rows(&app).await, maintained);
}
both!(the_rebuilt_index_equals_the_maintained_one);

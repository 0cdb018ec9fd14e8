//! The petition's whole life, and every way an action is refused.

use futures_util::future::join_all;
use minhu_types::{Action, Event, Page, Petition, PetitionStatus};
use serde_json::{json, Value};

use crate::city::City;
use crate::support::{both, TestApp};

async fn the_whole_story(app: TestApp) {
    let c = City::build(&app).await;

    // A citizen submits.
    let p = c.submit(&app, json!({})).await;
    let id = p["id"].as_i64().expect("id");
    assert_eq!(p["status"], "submitted");
    let no = p["tracking_no"].as_str().expect("tracking_no");
    assert!(no.len() == 15 && no.ends_with("-000001"), "{no}");
    assert_eq!(p["source"], "app");
    assert_eq!(p["contact_name"], "褚晓明", "defaults to the account");

    // The operator accepts and dispatches to the district.
    let p = c
        .call(
            &app,
            &c.operator,
            &format!("/api/v1/petitions/{id}/accept"),
            json!({"version": 1}),
            200,
        )
        .await;
    assert_eq!(
        (p["status"].as_str(), p["version"].as_i64()),
        (Some("accepted"), Some(2))
    );
    assert!(p["allowed_actions"]
        .as_array()
        .expect("actions")
        .contains(&json!("dispatch")));
    let p = c
        .call(
            &app,
            &c.operator,
            &format!("/api/v1/petitions/{id}/assignments"),
            json!({"unit_id": c.xiuwu_id, "role": "lead"}),
            201,
        )
        .await;
    assert_eq!(p["status"], "dispatched");
    let district = p["assignments"][0]["id"].as_i64().expect("assignment");
    assert!(p["reply_by"].is_string());

    // It is in the district's inbox and in no other unit's.
    let inbox = app
        .get("/api/v1/assignments")
        .token(&c.xiuwu)
        .send()
        .await
        .value();
    assert_eq!(inbox["total"], 1);
    assert_eq!(inbox["items"][0]["petition"]["id"], id);
    assert_eq!(
        app.get("/api/v1/assignments")
            .token(&c.huanfeng)
            .send()
            .await
            .value()["total"],
        0
    );
    assert_eq!(
        app.get("/api/v1/assignments")
            .token(&c.xinhua)
            .send()
            .await
            .value()["total"],
        0
    );

    // The district's view of the petition says, per order, what it may do there; the
    // operator's says it may not sign.
    let seen = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&c.xiuwu)
        .send()
        .await
        .value();
    assert_eq!(
        seen["assignments"][0]["allowed_actions"],
        json!(["sign", "request_return"])
    );
    let seen = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&c.operator)
        .send()
        .await
        .value();
    assert!(!seen["assignments"][0]["allowed_actions"]
        .as_array()
        .expect("actions")
        .contains(&json!("sign")));

    // The district signs and dispatches down to the town.
    let a = c
        .call(
            &app,
            &c.xiuwu,
            &format!("/api/v1/assignments/{district}/sign"),
            json!({}),
            200,
        )
        .await;
    assert_eq!(a["state"], "handling");
    let town = c
        .call(
            &app,
            &c.xiuwu,
            &format!("/api/v1/assignments/{district}/dispatch"),
            json!({"unit_id": c.huanfeng_id}),
            201,
        )
        .await;
    assert_eq!(
        (town["parent_id"].as_i64(), town["state"].as_str()),
        (Some(district), Some("pending"))
    );
    let town = town["id"].as_i64().expect("town assignment");
    // The district sees the town's assignment in its subtree inbox; the town sees only its own.
    assert_eq!(
        app.get("/api/v1/assignments")
            .token(&c.xiuwu)
            .send()
            .await
            .value()["total"],
        2
    );
    assert_eq!(
        app.get("/api/v1/assignments")
            .token(&c.huanfeng)
            .send()
            .await
            .value()["total"],
        1
    );

    // The town signs and replies.
    c.call(
        &app,
        &c.huanfeng,
        &format!("/api/v1/assignments/{town}/sign"),
        json!({}),
        200,
    )
    .await;
    let r = c
        .call(
            &app,
            &c.huanfeng,
            &format!("/api/v1/petitions/{id}/replies"),
            json!({"body": "已联系县农业局帮助销售。", "outcome": "resolved", "public": true}),
            201,
        )
        .await;
    assert_eq!(r["unit"]["name"], "郇封镇");
    let p: Petition = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&c.citizen)
        .send()
        .await
        .json();
    assert_eq!(p.status, PetitionStatus::Replied);

    // The citizen is dissatisfied; the order closes; the operator sends it back.
    c.call(
        &app,
        &c.citizen,
        &format!("/api/v1/petitions/{id}/rating"),
        json!({"satisfaction": "dissatisfied", "resolved": false, "contacted": true}),
        201,
    )
    .await;
    let p: Petition = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&c.citizen)
        .send()
        .await
        .json();
    assert_eq!(p.status, PetitionStatus::Closed);
    assert!(p.closed_at.is_some());
    let p = c
        .call(
            &app,
            &c.operator,
            &format!("/api/v1/petitions/{id}/redo"),
            json!({"reason": "群众不满意，萝卜仍未售出"}),
            200,
        )
        .await;
    assert_eq!(
        (p["status"].as_str(), p["redo_count"].as_i64()),
        (Some("handling"), Some(1))
    );
    assert!(p["closed_at"].is_null());

    // The unit replies again; the citizen is satisfied; the order is closed.
    c.call(
        &app,
        &c.huanfeng,
        &format!("/api/v1/petitions/{id}/replies"),
        json!({"body": "已联系超市收购，全部售出。", "outcome": "resolved", "public": true}),
        201,
    )
    .await;
    c.call(&app, &c.citizen, &format!("/api/v1/petitions/{id}/rating"), json!({"satisfaction": "satisfied", "resolved": true, "contacted": true, "comment": "谢谢！"}), 201).await;
    let p: Petition = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&c.citizen)
        .send()
        .await
        .json();
    assert_eq!(
        (p.status, p.replies.len(), p.visits.len()),
        (PetitionStatus::Closed, 2, 2)
    );

    // The timeline shows every step, in order.
    let events: Vec<Event> = app
        .get(&format!("/api/v1/petitions/{id}/events"))
        .token(&c.citizen)
        .send()
        .await
        .json();
    let steps: Vec<Action> = events.iter().map(|e| e.action).collect();
    use Action::*;
    assert_eq!(
        steps,
        [
            Submit,
            Accept,
            Dispatch,
            Sign,
            DispatchDown,
            Sign,
            Reply,
            Rate,
            Redo,
            Reply,
            Rate
        ]
    );
    let to: Vec<Option<PetitionStatus>> = events.iter().map(|e| e.to_status).collect();
    use PetitionStatus as S;
    assert_eq!(
        to,
        [
            S::Submitted,
            S::Accepted,
            S::Dispatched,
            S::Handling,
            S::Handling,
            S::Handling,
            S::Replied,
            S::Closed,
            S::Handling,
            S::Replied,
            S::Closed
        ]
        .map(Some)
    );
    assert_eq!(
        events[4].actor_unit.as_ref().map(|u| u.name.as_str()),
        Some("修武县")
    );
    assert_eq!(events[8].note.as_deref(), Some("群众不满意，萝卜仍未售出"));

    // Reporters follow up; the public page shows it with the public replies, masked.
    c.call(
        &app,
        &c.reporter,
        &format!("/api/v1/petitions/{id}/follow-ups"),
        json!({"title": "萝卜卖出去了", "body": "记者回访东常村……"}),
        201,
    )
    .await;
    let public = app.get(&format!("/api/v1/track/{no}")).send().await.value();
    assert_eq!(public["status"], "closed");
    assert_eq!(public["follow_ups"][0]["title"], "萝卜卖出去了");
    assert_eq!(public["replies"].as_array().map(Vec::len), Some(2));
    assert!(public["content"]
        .as_str()
        .is_some_and(|t| t.contains("139****5678") && !t.contains("13912345678")));
    assert_eq!(public["address"], "修武县郇封镇…");
}

async fn refused_transitions(app: TestApp) {
    let c = City::build(&app).await;
    let p = c.submit(&app, json!({})).await;
    let id = p["id"].as_i64().expect("id");
    let path = |action: &str| format!("/api/v1/petitions/{id}/{action}");

    // Wrong role: 403, nothing changes.
    let res = app
        .post(&path("accept"))
        .token(&c.citizen)
        .json(json!({}))
        .send()
        .await;
    res.problem(403);
    app.post(&path("accept"))
        .token(&c.xiuwu)
        .json(json!({}))
        .send()
        .await
        .problem(403);
    app.post(&path("follow-ups"))
        .token(&c.operator)
        .json(json!({"title": "t", "body": "b"}))
        .send()
        .await
        .problem(403);
    // Not the petitioner.
    let res = app
        .post(&path("withdraw"))
        .token(&c.other_citizen)
        .json(json!({}))
        .send()
        .await;
    res.problem(404);
    // Wrong state: 409 with the reason.
    let res = app
        .post(&path("rating"))
        .token(&c.citizen)
        .json(json!({"satisfaction": "satisfied", "resolved": true, "contacted": true}))
        .send()
        .await;
    let problem = res.problem(409);
    assert_eq!(problem.code, "invalid_transition");
    assert!(problem.detail.contains("待受理"), "{}", problem.detail);
    let res = app
        .post(&path("assignments"))
        .token(&c.operator)
        .json(json!({"unit_id": c.xiuwu_id, "role": "lead"}))
        .send()
        .await;
    res.problem(409);
    // Stale version: 409.
    let res = app
        .post(&path("accept"))
        .token(&c.operator)
        .json(json!({"version": 7}))
        .send()
        .await;
    assert_eq!(res.problem(409).code, "stale_version");
    let p: Petition = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&c.operator)
        .send()
        .await
        .json();
    assert_eq!(
        (p.status, p.version),
        (PetitionStatus::Submitted, 1),
        "refusals changed nothing"
    );

    // Dispatch: a deadline in the past and an unknown unit are 422.
    c.call(&app, &c.operator, &path("accept"), json!({}), 200)
        .await;
    let res = app
        .post(&path("assignments"))
        .token(&c.operator)
        .json(json!({"unit_id": c.xiuwu_id, "role": "lead", "reply_by": "2020-01-01T00:00:00Z"}))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "reply_by");
    let res = app
        .post(&path("assignments"))
        .token(&c.operator)
        .json(json!({"unit_id": 99999, "role": "lead"}))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "unit_id");
    let p = c
        .call(
            &app,
            &c.operator,
            &path("assignments"),
            json!({"unit_id": c.xiuwu_id, "role": "lead"}),
            201,
        )
        .await;
    let district = p["assignments"][0]["id"].as_i64().expect("assignment");
    let res = app
        .post(&path("assignments"))
        .token(&c.operator)
        .json(json!({"unit_id": c.xiuwu_id, "role": "assist"}))
        .send()
        .await;
    assert_eq!(res.problem(409).code, "already_dispatched");

    // Another unit's order is invisible: 404.
    app.get(&format!("/api/v1/petitions/{id}"))
        .token(&c.xinhua)
        .send()
        .await
        .problem(404);
    app.post(&format!("/api/v1/assignments/{district}/sign"))
        .token(&c.xinhua)
        .json(json!({}))
        .send()
        .await
        .problem(404);
    // A unit below sees nothing until the order is handed down to it.
    app.get(&format!("/api/v1/petitions/{id}"))
        .token(&c.huanfeng)
        .send()
        .await
        .problem(404);

    // Reply before signing: 409. Dispatching down before signing: 409; outside the subtree: 422.
    let res = app
        .post(&path("replies"))
        .token(&c.xiuwu)
        .json(json!({"body": "x", "outcome": "resolved", "public": false}))
        .send()
        .await;
    res.problem(409);
    app.post(&format!("/api/v1/assignments/{district}/dispatch"))
        .token(&c.xiuwu)
        .json(json!({"unit_id": c.huanfeng_id}))
        .send()
        .await
        .problem(409);
    c.call(
        &app,
        &c.xiuwu,
        &format!("/api/v1/assignments/{district}/sign"),
        json!({}),
        200,
    )
    .await;
    app.post(&format!("/api/v1/assignments/{district}/sign"))
        .token(&c.xiuwu)
        .json(json!({}))
        .send()
        .await
        .problem(409);
    let res = app
        .post(&format!("/api/v1/assignments/{district}/dispatch"))
        .token(&c.xiuwu)
        .json(json!({"unit_id": c.xinhua_id}))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "unit_id");
    let res = app
        .post(&format!("/api/v1/assignments/{district}/dispatch"))
        .token(&c.xiuwu)
        .json(json!({"unit_id": c.huanfeng_id, "reply_by": "2099-01-01T00:00:00Z"}))
        .send()
        .await;
    assert_eq!(
        res.problem(422).errors[0].field,
        "reply_by",
        "not beyond the parent's deadline"
    );

    // Extension: requested by the unit, approved by the hotline office, moving the deadline.
    let before: Petition = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&c.operator)
        .send()
        .await
        .json();
    let res = app
        .post(&format!("/api/v1/assignments/{district}/extension"))
        .token(&c.xiuwu)
        .json(json!({"days": 45, "reason": "x"}))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "days");
    let a = c
        .call(
            &app,
            &c.xiuwu,
            &format!("/api/v1/assignments/{district}/extension"),
            json!({"days": 3, "reason": "需协调县农业局"}),
            200,
        )
        .await;
    assert_eq!(a["open_request"]["kind"], "extension");
    app.post(&format!("/api/v1/assignments/{district}/extension/approve"))
        .token(&c.xiuwu)
        .json(json!({}))
        .send()
        .await
        .problem(403);
    let approvals = app
        .get("/api/v1/assignments?open_request=extension")
        .token(&c.operator)
        .send()
        .await
        .value();
    assert_eq!(approvals["total"], 1);
    let a = c
        .call(
            &app,
            &c.operator,
            &format!("/api/v1/assignments/{district}/extension/approve"),
            json!({}),
            200,
        )
        .await;
    assert!(a["open_request"].is_null());
    let after: Petition = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&c.operator)
        .send()
        .await
        .json();
    let moved = after
        .reply_by
        .zip(before.reply_by)
        .map(|(a, b)| (a - b).num_days());
    assert_eq!(moved, Some(3));

    // Return: requested, approved; the order goes back to the hotline office for re-dispatch.
    c.call(
        &app,
        &c.xiuwu,
        &format!("/api/v1/assignments/{district}/return"),
        json!({"reason": "不属于本县职责"}),
        200,
    )
    .await;
    app.post(&format!("/api/v1/assignments/{district}/return"))
        .token(&c.xiuwu)
        .json(json!({"reason": "again"}))
        .send()
        .await
        .problem(409);
    c.call(
        &app,
        &c.operator,
        &format!("/api/v1/assignments/{district}/return/approve"),
        json!({"note": "改派新华区"}),
        200,
    )
    .await;
    let p: Petition = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&c.operator)
        .send()
        .await
        .json();
    assert_eq!(p.status, PetitionStatus::Accepted);
    let p = c
        .call(
            &app,
            &c.operator,
            &path("assignments"),
            json!({"unit_id": c.xinhua_id, "role": "lead"}),
            201,
        )
        .await;
    assert_eq!(p["status"], "dispatched");
    // The old unit no longer acts on it.
    app.post(&path("replies"))
        .token(&c.xiuwu)
        .json(json!({"body": "x", "outcome": "resolved", "public": false}))
        .send()
        .await
        .problem(409);

    // Terminal: a withdrawn petition takes no more actions.
    let q = c.submit(&app, json!({})).await;
    let qid = q["id"].as_i64().expect("id");
    c.call(
        &app,
        &c.citizen,
        &format!("/api/v1/petitions/{qid}/withdraw"),
        json!({}),
        200,
    )
    .await;
    app.post(&format!("/api/v1/petitions/{qid}/accept"))
        .token(&c.operator)
        .json(json!({}))
        .send()
        .await
        .problem(409);
}

async fn triage_paths(app: TestApp) {
    let c = City::build(&app).await;
    // Needs info → supplement → back to submitted.
    let p = c.submit(&app, json!({})).await;
    let id = p["id"].as_i64().expect("id");
    c.call(
        &app,
        &c.operator,
        &format!("/api/v1/petitions/{id}/request-info"),
        json!({"note": "请补充具体地址"}),
        200,
    )
    .await;
    let p = c
        .call(
            &app,
            &c.citizen,
            &format!("/api/v1/petitions/{id}/supplement"),
            json!({"content": "东常村东街12号院内"}),
            200,
        )
        .await;
    assert_eq!(p["status"], "submitted");
    assert!(p["content"]
        .as_str()
        .is_some_and(|t| t.contains("【补充】东常村东街12号院内")));
    // Answered directly (直办).
    let p = c
        .call(
            &app,
            &c.operator,
            &format!("/api/v1/petitions/{id}/answer"),
            json!({"body": "可拨打农业局电话咨询", "outcome": "explained", "public": true}),
            200,
        )
        .await;
    assert_eq!(p["status"], "replied");
    // A follow-up call closes it.
    c.call(
        &app,
        &c.operator,
        &format!("/api/v1/petitions/{id}/visits"),
        json!({"satisfaction": "basically_satisfied", "resolved": true, "contacted": true}),
        201,
    )
    .await;
    let p: Petition = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&c.citizen)
        .send()
        .await
        .json();
    assert_eq!(p.status, PetitionStatus::Closed);
    // Rejected with a reason; merged into another; both terminal.
    let a = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    c.call(
        &app,
        &c.operator,
        &format!("/api/v1/petitions/{a}/reject"),
        json!({"reason": "不属于受理范围"}),
        200,
    )
    .await;
    let b = c.submit(&app, json!({"title": "萝卜滞销又来了"})).await["id"]
        .as_i64()
        .expect("id");
    let primary = c.submit(&app, json!({})).await;
    let res = app
        .post(&format!("/api/v1/petitions/{b}/merge"))
        .token(&c.operator)
        .json(json!({"into_id": a}))
        .send()
        .await;
    assert_eq!(
        res.problem(422).errors[0].field,
        "into_id",
        "not into a rejected one"
    );
    let p = c
        .call(
            &app,
            &c.operator,
            &format!("/api/v1/petitions/{b}/merge"),
            json!({"into_id": primary["id"]}),
            200,
        )
        .await;
    assert_eq!(
        (p["status"].as_str(), p["merged_into_id"].as_i64()),
        (Some("merged"), primary["id"].as_i64())
    );
    // The merged one's public tracking follows its primary.
    let pid = primary["id"].as_i64().expect("id");
    c.call(
        &app,
        &c.operator,
        &format!("/api/v1/petitions/{pid}/accept"),
        json!({}),
        200,
    )
    .await;
    let merged_no = p["tracking_no"].as_str().expect("no").to_owned();
    assert_eq!(
        app.get(&format!("/api/v1/track/{merged_no}"))
            .send()
            .await
            .value()["status"],
        "accepted"
    );
    // Supervision by the hotline office, leaders and the press.
    c.call(
        &app,
        &c.leader,
        &format!("/api/v1/petitions/{pid}/supervise"),
        json!({"note": "请尽快办理"}),
        200,
    )
    .await;
    let p = c
        .call(
            &app,
            &c.reporter,
            &format!("/api/v1/petitions/{pid}/supervise"),
            json!({"note": "媒体督办"}),
            200,
        )
        .await;
    assert_eq!(p["supervised"], true);
    app.post(&format!("/api/v1/petitions/{pid}/supervise"))
        .token(&c.citizen)
        .json(json!({"note": "x"}))
        .send()
        .await
        .problem(403);
    // Citizens may supervise nothing: refused for their role, before the petition is looked up.
    app.post(&format!("/api/v1/petitions/{pid}/supervise"))
        .token(&c.other_citizen)
        .json(json!({"note": "x"}))
        .send()
        .await
        .problem(403);
}

async fn eight_simultaneous_accepts_one_wins(app: TestApp) {
    let c = City::build(&app).await;
    let id = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    let path = format!("/api/v1/petitions/{id}/accept");
    let results =
        join_all((0..8).map(|_| app.post(&path).token(&c.operator).json(json!({})).send())).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        7,
        "{statuses:?}"
    );
    let events: Vec<Event> = app
        .get(&format!("/api/v1/petitions/{id}/events"))
        .token(&c.operator)
        .send()
        .await
        .json();
    assert_eq!(
        events.iter().filter(|e| e.action == Action::Accept).count(),
        1
    );

    // Eight different petitions submitted at once get eight distinct, consecutive numbers.
    let body = c.petition(json!({}));
    let results = join_all((0..8).map(|_| {
        app.post("/api/v1/petitions")
            .token(&c.citizen)
            .json(body.clone())
            .send()
    }))
    .await;
    let mut numbers: Vec<String> = results
        .iter()
        .map(|r| {
            assert_eq!(r.status, 201, "{}", r.text());
            r.value()["tracking_no"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 8);
    assert!(numbers[7].ends_with("-000009"), "{numbers:?}");
}

async fn idempotent_submission(app: TestApp) {
    let c = City::build(&app).await;
    let body = c.petition(json!({}));
    let first = app
        .post("/api/v1/petitions")
        .token(&c.citizen)
        .header("idempotency-key", "app-7f3a")
        .json(body.clone())
        .send()
        .await;
    assert_eq!(first.status, 201);
    let again = app
        .post("/api/v1/petitions")
        .token(&c.citizen)
        .header("idempotency-key", "app-7f3a")
        .json(body.clone())
        .send()
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(first.value()["id"], again.value()["id"]);
    // Concurrent retries with one key still make one petition.
    let results = join_all((0..4).map(|_| {
        app.post("/api/v1/petitions")
            .token(&c.citizen)
            .header("idempotency-key", "app-race")
            .json(body.clone())
            .send()
    }))
    .await;
    let ids: std::collections::HashSet<i64> = results
        .iter()
        .map(|r| r.value()["id"].as_i64().unwrap_or(-1))
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    // Keys belong to their user; another key makes another petition.
    let other = app
        .post("/api/v1/petitions")
        .token(&c.other_citizen)
        .header("idempotency-key", "app-7f3a")
        .json(body.clone())
        .send()
        .await;
    assert_ne!(other.value()["id"], first.value()["id"]);
    let page: Page<Petition> = app
        .get("/api/v1/petitions")
        .token(&c.citizen)
        .send()
        .await
        .json();
    assert_eq!(page.total, 2);
    let res = app
        .post("/api/v1/petitions")
        .token(&c.citizen)
        .header("idempotency-key", &"k".repeat(101))
        .json(body)
        .send()
        .await;
    res.problem(400);
}

both!(
    the_whole_story,
    refused_transitions,
    triage_paths,
    eight_simultaneous_accepts_one_wins,
    idempotent_submission
);

async fn actions_without_a_body(app: TestApp) {
    let c = City::build(&app).await;
    let id = c.submit(&app, json!({})).await["id"].as_i64().expect("id");
    // No body at all is the same as `{}`.
    let res = app
        .post(&format!("/api/v1/petitions/{id}/accept"))
        .token(&c.operator)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    // A body that is there must be JSON.
    let res = app
        .post(&format!("/api/v1/petitions/{id}/withdraw"))
        .token(&c.citizen)
        .header("content-type", "text/plain")
        .body("version=2")
        .send()
        .await;
    res.problem(415);
    let res = app
        .post(&format!("/api/v1/petitions/{id}/withdraw"))
        .token(&c.citizen)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await;
    res.problem(400);
}

both!(actions_without_a_body);

/// A unit's return request and progress note carry the petition's version like every other
/// action with a body: one made on a stale page is refused and changes nothing.
async fn assignment_actions_check_the_version(app: TestApp) {
    let c = City::build(&app).await;
    let (id, aid) = c.dispatched(&app).await;
    c.call(
        &app,
        &c.xiuwu,
        &format!("/api/v1/assignments/{aid}/sign"),
        json!({}),
        200,
    )
    .await;
    let version = || async {
        app.get(&format!("/api/v1/petitions/{id}"))
            .token(&c.operator)
            .send()
            .await
            .value()["version"]
            .as_i64()
            .expect("version")
    };
    let now = version().await;
    for (path, body) in [
        (
            "progress",
            json!({"note": "已到现场查看", "version": now - 1}),
        ),
        (
            "return",
            json!({"reason": "不属于本单位职责", "version": now - 1}),
        ),
    ] {
        let res = app
            .post(&format!("/api/v1/assignments/{aid}/{path}"))
            .token(&c.xiuwu)
            .json(body)
            .send()
            .await;
        assert_eq!(res.problem(409).code, "stale_version", "{path}");
    }
    assert_eq!(version().await, now, "nothing changed");
    c.call(
        &app,
        &c.xiuwu,
        &format!("/api/v1/assignments/{aid}/progress"),
        json!({"note": "已到现场查看", "version": now}),
        200,
    )
    .await;
    assert_eq!(version().await, now + 1);
}

both!(assignment_actions_check_the_version);

/// 接线登记: the hotline office registers a call. It needs whom to call back, counts under the
/// phone channel, belongs to no account (nobody can act on it as its petitioner), can be
/// accepted in the same step, and the caller's history finds it by the number however typed.
async fn the_hotline_office_registers_a_call(app: TestApp) {
    let c = City::build(&app).await;
    let call = |extra: Value| {
        let mut body =
            c.petition(json!({"contact_name": "王秀英", "contact_phone": "0391-2345678"}));
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        body
    };
    // Whom to call back is required.
    let res = app
        .post("/api/v1/petitions")
        .token(&c.operator)
        .json(c.petition(json!({})))
        .send()
        .await;
    let fields: Vec<String> = res
        .problem(422)
        .errors
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, ["contact_name", "contact_phone"]);
    // Only the office accepts in the same step.
    let res = app
        .post("/api/v1/petitions")
        .token(&c.citizen)
        .json(c.petition(json!({"accept": true})))
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "accept");

    let p = c
        .call(&app, &c.operator, "/api/v1/petitions", call(json!({})), 201)
        .await;
    assert_eq!(p["status"], "submitted");
    assert_eq!(p["source"], "phone");
    assert_eq!(
        p["contact_phone"], "0391-2345678",
        "the office sees whom to call back"
    );
    let id = p["id"].as_i64().expect("id");
    // Nobody is its petitioner: not the operator who typed it, not a citizen.
    for (token, who) in [(&c.operator, "operator"), (&c.citizen, "citizen")] {
        let res = app
            .post(&format!("/api/v1/petitions/{id}/withdraw"))
            .token(token)
            .json(json!({}))
            .send()
            .await;
        assert!(
            matches!(res.status, 403 | 404 | 409),
            "{who}: {}",
            res.text()
        );
    }
    let mine = app
        .get("/api/v1/petitions")
        .token(&c.citizen)
        .send()
        .await
        .value();
    assert!(mine["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|i| i["id"] != id));

    // Registered and accepted in one step, by WeChat.
    let q = c
        .call(
            &app,
            &c.operator,
            "/api/v1/petitions",
            call(json!({"accept": true, "source": "wechat", "contact_phone": "13800138000"})),
            201,
        )
        .await;
    assert_eq!(
        (q["status"].as_str(), q["source"].as_str()),
        (Some("accepted"), Some("wechat"))
    );

    // The caller's history, by the number as people type it; the citizen's own petition is
    // found through the account's phone too.
    c.submit(&app, json!({"contact_phone": "13800138000"}))
        .await;
    for typed in ["13800138000", "+86%20138%200013%208000", "138-0013-8000"] {
        let page = app
            .get(&format!("/api/v1/callers/{typed}/petitions"))
            .token(&c.operator)
            .send()
            .await
            .value();
        assert_eq!(page["total"], 2, "{typed}: {page}");
        assert_eq!(
            page["items"][0]["contact_phone"], "13800138000",
            "unmasked to the office"
        );
    }
    let landline = app
        .get("/api/v1/callers/(0391)2345678/petitions")
        .token(&c.operator)
        .send()
        .await
        .value();
    assert_eq!(landline["items"][0]["id"], id);
    let res = app
        .get("/api/v1/callers/call-me/petitions")
        .token(&c.operator)
        .send()
        .await;
    assert_eq!(res.problem(422).errors[0].field, "phone");
    let res = app
        .get("/api/v1/callers/13800138000/petitions")
        .token(&c.citizen)
        .send()
        .await;
    res.problem(403);

    // Counted under its channel (today's figures: the default period is the last whole month).
    let today = minhu::domain::calendar::local_date(app.state.clock.now());
    let overview = app
        .get(&format!("/api/v1/stats/overview?from={today}&to={today}"))
        .token(&c.operator)
        .send()
        .await
        .value();
    let by_source = overview["by_source"].as_array().expect("by_source");
    let n = |key: &str| {
        by_source
            .iter()
            .find(|k| k["key"] == key)
            .map_or(0, |k| k["n"].as_i64().unwrap_or(0))
    };
    assert_eq!((n("phone"), n("wechat")), (1, 1), "{overview}");
}

both!(the_hotline_office_registers_a_call);

/// Tracking numbers stay unique and rising within each day when two days' submissions
/// interleave (around midnight); on PostgreSQL, where they come from one sequence with a base
/// per day, a day counted before the sequence existed continues after its last number (the
/// migration stores `base = -last`).
async fn tracking_numbers_per_day(app: TestApp) {
    use diesel::RunQueryDsl;
    let c = City::build(&app).await;
    let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time");
    let state = app.state.clone();
    let pg = actix_web::web::block(move || {
        let mut conn = state.pool.get().expect("conn");
        match &mut *conn {
            minhu::db::DbConn::Pg(pg) => {
                // As the migration leaves a day whose counter stood at 41.
                diesel::sql_query("INSERT INTO tracking_days (day, base) VALUES ('20990102', -41)")
                    .execute(pg)
                    .expect("insert");
                true
            }
            minhu::db::DbConn::Sqlite(_) => false,
        }
    })
    .await
    .expect("block");
    let mut numbers: Vec<String> = Vec::new();
    // 23:59 on the 1st and 00:00 on the 2nd in Shanghai, in turn.
    for t in ["2099-01-01 15:59", "2099-01-01 16:00"]
        .iter()
        .cycle()
        .take(6)
    {
        app.state.clock.set(Some(at(t)));
        let p = c.submit(&app, json!({})).await;
        numbers.push(p["tracking_no"].as_str().expect("no").to_owned());
    }
    app.state.clock.set(None);
    let day = |d: &str| -> Vec<u64> {
        numbers
            .iter()
            .filter_map(|n| n.strip_prefix(&format!("{d}-")))
            .map(|n| n.parse().expect("number"))
            .collect()
    };
    let (first, second) = (day("20990101"), day("20990102"));
    assert_eq!((first.len(), second.len()), (3, 3), "{numbers:?}");
    for d in [&first, &second] {
        assert!(
            d.windows(2).all(|w| w[0] < w[1]),
            "rising within the day: {numbers:?}"
        );
    }
    assert_eq!(first[0], 1, "a new day starts at 1: {numbers:?}");
    if pg {
        assert!(second[0] > 41, "after the counter kept before: {numbers:?}");
    } else {
        assert_eq!(
            second,
            [1, 2, 3],
            "SQLite counts each day's own: {numbers:?}"
        );
    }
}

both!(tracking_numbers_per_day);

//! The role × endpoint matrix, generated from the OpenAPI document.
//!
//! [`TABLE`] says, for every operation of `openapi/openapi.json`, who may reach it: the public,
//! anyone signed in, or some roles — and for object endpoints whether citizens, partners and
//! handlers only reach their own objects (their petitions, their unit's orders, their
//! webhooks). It was written by reading the handlers' `Auth<…>` extractors and, where an
//! extractor admits everybody, the lifecycle table and `access()` behind it. The table is the
//! specification: the test checks the server against it, not the other way round.
//!
//! For every operation in the document (and the table must name exactly those), the test fills
//! the path from a seeded world and sends the request without a token, with a token signed by
//! another key, and as each caller: citizen, other_citizen, operator, xiuwu, xinhua, reporter,
//! leader, admin and a partner. Bodies are `{}`. Petition and order endpoints run twice: on
//! the citizen's petition dispatched to 修武县, and on other_citizen's dispatched to 新华区.
//! Expected: an operation that needs a bearer token answers 401 to no token and to the forged
//! one; callers the table leaves out get 403 (or 404, "not found or not yours", on an object);
//! callers it lets in get anything but 401, 403 and 5xx (a 4xx for the empty body, a 409 for the
//! state the object is in). Public operations never answer 401 to a request without a token.
//! Every mismatch is collected and the test fails once, listing them all.
//!
//! Refused callers go first on each operation, so that what admitted callers change (a signed
//! order, a withdrawn petition) cannot hide a refusal; deletions and the withdrawal run after
//! everything else, and signing out last of all. No operation is skipped: `/healthz`,
//! `/readyz` and `/metrics` (no `MINHU_METRICS_TOKEN` in the tests) answer like any public
//! operation, and `/docs` is not an operation of the document.

use std::time::Duration;

use actix_web::http::Method;
use minhu_types::Role::{self, Admin, Citizen, Handler, Leader, Operator, Partner, Reporter};
use serde_json::{json, Value};

use crate::city::City;
use crate::support::{both, Resp, TestApp};

/// Who may reach an operation.
#[derive(Debug, Clone, Copy)]
enum Who {
    /// Without a token (no `security` in the document, or an optional one).
    Public,
    /// Any valid token.
    Anyone,
    /// A token of one of these roles.
    Roles(&'static [Role]),
}

/// Which objects an admitted caller reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Any (or the operation has no object).
    All,
    /// Citizens and partners only their own petitions and webhooks, handlers only petitions and
    /// orders in their unit's subtree; the other roles any.
    Own,
}

use Reach::{All, Own};
use Who::{Anyone, Public, Roles};

const OFFICE: &[Role] = &[Operator];
const ADMINS: &[Role] = &[Admin];
const UNITS: &[Role] = &[Handler];
const PRESS: &[Role] = &[Reporter];
const PETITIONERS: &[Role] = &[Citizen, Partner];
/// Who brings petitions in: citizens, partners, and the hotline office registering calls.
const REGISTRANTS: &[Role] = &[Citizen, Partner, Operator];
const STAFF: &[Role] = &[Operator, Handler, Reporter, Leader, Admin];
const OFFICIALS: &[Role] = &[Operator, Leader, Reporter, Admin];
const TRIAGE: &[Role] = &[Operator, Admin];
const EDITORS: &[Role] = &[Operator, Reporter, Admin];
const PARTNERS_AND_ADMINS: &[Role] = &[Partner, Admin];

/// operation_id → who may reach it.
#[rustfmt::skip]
static TABLE: &[(&str, Who, Reach)] = &[
    // A unit's inbox and its actions on its own orders; the hotline office decides requests.
    ("list_assignments", Roles(&[Handler, Operator]), All),
    ("sign_assignment", Roles(UNITS), Own),
    ("request_assignment_return", Roles(UNITS), Own),
    ("request_assignment_extension", Roles(UNITS), Own),
    ("dispatch_assignment_down", Roles(UNITS), Own),
    ("note_assignment_progress", Roles(UNITS), Own),
    ("approve_assignment_return", Roles(OFFICE), All),
    ("refuse_assignment_return", Roles(OFFICE), All),
    ("approve_assignment_extension", Roles(OFFICE), All),
    ("refuse_assignment_extension", Roles(OFFICE), All),
    // Accounts, sign-in, partners, the audit log.
    ("register", Public, All),
    ("login", Public, All),
    ("issue_partner_token", Public, All),
    ("logout", Anyone, All),
    ("get_me", Anyone, All),
    // Everyone's own messages and settings; a rating link needs no account.
    ("list_notifications", Anyone, All),
    ("count_unread_notifications", Anyone, All),
    ("mark_notifications_read", Anyone, All),
    ("get_notification_settings", Anyone, All),
    ("put_notification_settings", Anyone, All),
    ("get_rating_invite", Public, All),
    // Readers support and follow what is published (404 for anything else).
    ("support_petition", Anyone, All),
    ("unsupport_petition", Anyone, All),
    ("follow_petition", Anyone, All),
    ("report_petition", Anyone, All),
    ("upload_reply_photo", Roles(UNITS), Own),
    ("upload_progress_photo", Roles(UNITS), Own),
    ("get_stats_trends", Roles(&[Leader, Reporter, Operator]), All),
    ("moderate_petition", Roles(&[Reporter, Admin]), All),
    ("list_moderation_reports", Roles(&[Reporter, Admin]), All),
    ("unfollow_petition", Anyone, All),
    ("rate_by_link", Public, All),
    ("list_contact_reads", Roles(ADMINS), All),
    ("list_users", Roles(ADMINS), All),
    ("create_user", Roles(ADMINS), All),
    ("find_user", Roles(ADMINS), All),
    ("update_user", Roles(ADMINS), All),
    ("list_partners", Roles(ADMINS), All),
    ("create_partner", Roles(ADMINS), All),
    ("revoke_partner", Roles(ADMINS), All),
    ("rotate_partner_credentials", Roles(ADMINS), All),
    // Reference data: staff read the time limits, administrators keep everything.
    ("list_units", Anyone, All),
    ("find_unit", Anyone, All),
    ("create_unit", Roles(ADMINS), All),
    ("update_unit", Roles(ADMINS), All),
    ("list_categories", Public, All),
    ("find_category", Public, All),
    ("create_category", Roles(ADMINS), All),
    ("list_calendar_days", Roles(STAFF), All),
    ("put_calendar_day", Roles(ADMINS), All),
    ("delete_calendar_day", Roles(ADMINS), All),
    ("list_deadline_policies", Roles(STAFF), All),
    ("create_deadline_policy", Roles(ADMINS), All),
    ("update_deadline_policy", Roles(ADMINS), All),
    ("delete_deadline_policy", Roles(ADMINS), All),
    ("list_dispatch_rules", Roles(TRIAGE), All),
    ("create_dispatch_rule", Roles(ADMINS), All),
    ("update_dispatch_rule", Roles(ADMINS), All),
    ("delete_dispatch_rule", Roles(ADMINS), All),
    ("get_dispatch_settings", Roles(TRIAGE), All),
    ("put_dispatch_settings", Roles(ADMINS), All),
    ("list_knowledge", Public, All),
    ("get_knowledge_article", Public, All),
    ("create_knowledge_article", Roles(EDITORS), All),
    ("update_knowledge_article", Roles(EDITORS), All),
    // Petitions: everybody lists what they may see; reads follow access().
    ("list_petitions", Anyone, All),
    ("create_petition", Roles(REGISTRANTS), All),
    ("list_caller_petitions", Roles(OFFICE), All),
    ("find_petition", Anyone, Own),
    ("list_petition_events", Anyone, Own),
    ("list_replies", Anyone, Own),
    ("list_follow_ups", Anyone, Own),
    ("get_petition_suggestions", Roles(TRIAGE), All),
    // … the hotline office's actions,
    ("accept_petition", Roles(OFFICE), All),
    ("reject_petition", Roles(OFFICE), All),
    ("merge_petition", Roles(OFFICE), All),
    ("answer_petition", Roles(OFFICE), All),
    ("request_petition_info", Roles(OFFICE), All),
    ("redo_petition", Roles(OFFICE), All),
    ("dispatch_petition", Roles(OFFICE), All),
    ("create_visit", Roles(OFFICE), All),
    ("mark_petition_unreasonable", Roles(OFFICE), All),
    ("grant_petition_appeal", Roles(OFFICE), All),
    ("refuse_petition_appeal", Roles(OFFICE), All),
    // … the petitioner's (lifecycle: Rel::Petitioner; photos also the hotline office),
    ("withdraw_petition", Roles(PETITIONERS), Own),
    ("supplement_petition", Roles(PETITIONERS), Own),
    ("rate_petition", Roles(PETITIONERS), Own),
    ("upload_photo", Roles(&[Citizen, Partner, Operator]), Own),
    // … the handling units' (lifecycle: Rel::Unit, their own orders),
    ("create_reply", Roles(UNITS), Own),
    ("appeal_petition_assessment", Roles(UNITS), Own),
    // … supervision (hotline office, leaders, press) and the press's own.
    ("supervise_petition", Roles(&[Operator, Leader, Reporter]), All),
    ("create_follow_up", Roles(PRESS), All),
    ("mark_petition_typical", Roles(PRESS), All),
    // Figures and the supervision board.
    ("get_stats_overview", Roles(OFFICIALS), All),
    ("get_briefing", Roles(OFFICIALS), All),
    ("get_supervision_board", Roles(&[Operator, Leader]), All),
    ("get_rankings", Public, All),
    ("get_ranking_settings", Public, All),
    ("put_ranking_settings", Roles(ADMINS), All),
    // What the public reads (photos: whoever may see the petition, anyone while published).
    ("track_petition", Public, All),
    ("list_public_petitions", Public, All),
    ("get_photo", Public, All),
    // Partners' webhooks: a partner its own, administrators all.
    ("list_webhooks", Roles(PARTNERS_AND_ADMINS), All),
    ("create_webhook", Roles(&[Partner]), All),
    ("delete_webhook", Roles(PARTNERS_AND_ADMINS), Own),
    ("list_webhook_deliveries", Roles(PARTNERS_AND_ADMINS), Own),
    // Operations (no MINHU_METRICS_TOKEN in the tests) and Open311, whose POST carries a
    // partner's api_key in the form rather than a bearer token.
    ("healthz", Public, All),
    ("readyz", Public, All),
    ("metrics", Public, All),
    ("open311_discovery", Public, All),
    ("open311_services", Public, All),
    ("open311_service_definition", Public, All),
    ("open311_list_requests", Public, All),
    ("open311_create_request", Public, All),
    ("open311_get_request", Public, All),
    ("open311_get_token", Public, All),
];

/// Operations whose handler reads the body before it decides whether the caller may act, so
/// `{}` gets 400/422 from everybody and shows nothing of the decision. For a refused caller that
/// is a deviation from the table, tolerated only here and reported. Every caller answered
/// 400/422 is asked again with a body that passes validation: a refused one must then be
/// refused, an admitted one must not be. An entry the server no longer needs fails the test.
#[allow(clippy::type_complexity)]
#[rustfmt::skip]
static BODY_FIRST: &[(&str, fn(&World) -> Value)] = &[
    ("supplement_petition", |_| json!({"content": "补充：东街12号"})),
    ("rate_petition", |_| json!({"satisfaction": "satisfied", "resolved": true, "contacted": true})),
    ("create_reply", |_| json!({"body": "已联系收购商", "outcome": "resolved", "public": true})),
    ("appeal_petition_assessment", |_| json!({"reason": "非本单位职责"})),
    ("request_assignment_return", |_| json!({"reason": "非本单位职责"})),
    ("request_assignment_extension", |_| json!({"days": 3, "reason": "需协调多个部门"})),
    ("dispatch_assignment_down", |w| json!({"unit_id": w.city.huanfeng_id})),
    ("note_assignment_progress", |_| json!({"note": "已到现场查看"})),
];

/// One operation of the document.
struct Op {
    id: String,
    method: Method,
    path: String,
    /// Needs a bearer token (a `security` requirement without an empty alternative).
    secured: bool,
}

fn operations() -> Vec<Op> {
    let doc: Value = serde_json::from_str(include_str!("../../openapi/openapi.json"))
        .expect("openapi.json parses");
    let global = doc.get("security").cloned();
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if !matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                continue; // `parameters`, `summary` …
            }
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let security = op.get("security").or(global.as_ref());
            let secured = security.and_then(Value::as_array).is_some_and(|alts| {
                !alts.is_empty()
                    && alts
                        .iter()
                        .all(|a| a.as_object().is_some_and(|o| !o.is_empty()))
            });
            ops.push(Op {
                id: op["operationId"].as_str().expect("operationId").to_owned(),
                method: m,
                path: path.clone(),
                secured,
            });
        }
    }
    // What removes or ends its object after everything else that uses it; signing out last.
    ops.sort_by_key(|o| {
        let ends = o.method == Method::DELETE || o.id == "withdraw_petition";
        (o.id == "logout", ends)
    });
    ops
}

/// What a path's `{id}` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    None,
    Petition,
    Assignment,
    Webhook,
    Unit,
    User,
    Category,
    Partner,
    Article,
    Rule,
    Policy,
    Photo,
    Reply,
    Progress,
}

fn kind_of(path: &str) -> Kind {
    if !path.contains("{id}") {
        return Kind::None;
    }
    match path.trim_start_matches("/api/v1/").split('/').next() {
        Some("petitions") => Kind::Petition,
        Some("public") if path.starts_with("/api/v1/public/petitions/") => Kind::Petition,
        Some("assignments") => Kind::Assignment,
        Some("webhooks") => Kind::Webhook,
        Some("units") => Kind::Unit,
        Some("users") => Kind::User,
        Some("categories") => Kind::Category,
        Some("partners") => Kind::Partner,
        Some("knowledge") => Kind::Article,
        Some("dispatch-rules") => Kind::Rule,
        Some("deadline-policies") => Kind::Policy,
        Some("photos") => Kind::Photo,
        Some("replies") => Kind::Reply,
        Some("events") => Kind::Progress,
        _ => panic!("{path}: which object does its {{id}} name? Teach kind_of and World"),
    }
}

/// Which of the two petitions (and their orders) a request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// The citizen's, dispatched to 修武县 (the only target of other object kinds).
    Main,
    /// other_citizen's, dispatched to 新华区.
    Other,
}

/// The objects the paths are filled from.
struct World {
    city: City,
    partner: String,
    petitions: [i64; 2],
    assignments: [i64; 2],
    tracking_no: String,
    unit: i64,
    user: i64,
    /// Another partner than the caller: revoking it must not sign the caller out.
    other_partner: i64,
    webhook: i64,
    article: i64,
    rule: i64,
    policy: i64,
    photo: i64,
    /// A reply of 修武县 on a petition of its own, and one of 新华区.
    replies: [i64; 2],
    /// A progress note of each of them on the same petitions (their timeline events).
    progress: [i64; 2],
}

const DAY: &str = "2026-10-08";

/// `POST path` as `token`, which must succeed; the answer.
async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let res = app.post(path).token(token).json(body).send().await;
    assert!(matches!(res.status, 200 | 201), "{path}: {}", res.text());
    res.value()
}

fn png() -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        32,
        24,
        image::Rgb([200, 60, 60]),
    ));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("png");
    out
}

async fn world(app: &TestApp) -> World {
    let c = City::build(app).await;
    let (main, main_order) = c.dispatched(app).await;
    let tracking_no = app
        .get(&format!("/api/v1/petitions/{main}"))
        .token(&c.citizen)
        .send()
        .await
        .value()["tracking_no"]
        .as_str()
        .expect("tracking_no")
        .to_owned();
    let id = |v: Value| v["id"].as_i64().expect("id");
    let body = c.petition(json!({"title": "路灯不亮", "address": "新华区解放中路1号"}));
    let other = id(post(app, &c.other_citizen, "/api/v1/petitions", body).await);
    post(
        app,
        &c.operator,
        &format!("/api/v1/petitions/{other}/accept"),
        json!({}),
    )
    .await;
    let path = format!("/api/v1/petitions/{other}/assignments");
    let body = json!({"unit_id": c.xinhua_id, "role": "lead"});
    let other_order = id(post(app, &c.operator, &path, body).await["assignments"][0].clone());

    // Replies to attach evidence to: each unit's on a petition of its own.
    let mut replies = [0; 2];
    let mut progress = [0; 2];
    for (i, (unit, token)) in [(c.xiuwu_id, &c.xiuwu), (c.xinhua_id, &c.xinhua)]
        .into_iter()
        .enumerate()
    {
        let p = id(post(app, &c.citizen, "/api/v1/petitions", c.petition(json!({}))).await);
        post(
            app,
            &c.operator,
            &format!("/api/v1/petitions/{p}/accept"),
            json!({}),
        )
        .await;
        let path = format!("/api/v1/petitions/{p}/assignments");
        let order = id(post(
            app,
            &c.operator,
            &path,
            json!({"unit_id": unit, "role": "lead"}),
        )
        .await["assignments"][0]
            .clone());
        post(
            app,
            token,
            &format!("/api/v1/assignments/{order}/sign"),
            json!({}),
        )
        .await;
        let path = format!("/api/v1/assignments/{order}/progress");
        post(app, token, &path, json!({"note": "已到现场查看。"})).await;
        let events = app
            .get(&format!("/api/v1/petitions/{p}/events"))
            .token(token)
            .send()
            .await
            .value();
        progress[i] = events
            .as_array()
            .and_then(|e| e.iter().rev().find(|e| e["action"] == "progress"))
            .and_then(|e| e["id"].as_i64())
            .expect("the progress note's event");
        let body = json!({"body": "已处理。", "outcome": "resolved", "public": true});
        replies[i] = id(post(app, token, &format!("/api/v1/petitions/{p}/replies"), body).await);
    }

    let partner = app.issue_partner(&c.admin, "县融媒体中心").await;
    let partner = app.partner_token(&partner).await;
    let other_partner = app.issue_partner(&c.admin, "市政务门户").await.id;
    let body = json!({"url": "https://portal.example.cn/hook", "events": ["petition.replied"]});
    let webhook = id(post(app, &partner, "/api/v1/webhooks", body).await);
    let body = json!({"name": "解放路街道", "kind": "street", "parent_id": c.xinhua_id});
    let unit = id(post(app, &c.admin, "/api/v1/units", body).await);
    let body = json!({"username": "target1", "password": "staff-password",
        "display_name": "目标", "role": "reporter"});
    let user = id(post(app, &c.admin, "/api/v1/users", body).await);
    let body = json!({"question": "萝卜卖不出去怎么办？", "answer": "可联系县农业农村局。",
        "public": true});
    let article = id(post(app, &c.operator, "/api/v1/knowledge", body).await);
    let body = json!({"category_id": c.category_id, "unit_id": c.xinhua_id, "role": "lead"});
    let rule = id(post(app, &c.admin, "/api/v1/dispatch-rules", body).await);
    let body = json!({"name": "助农", "category_id": c.category_id,
        "sign_within": {"amount": 1, "unit": "days"}, "reply_within": {"amount": 5, "unit": "days"}});
    let policy = id(post(app, &c.admin, "/api/v1/deadline-policies", body).await);
    let res = app
        .request(Method::PUT, &format!("/api/v1/calendar/{DAY}"))
        .token(&c.admin)
        .json(json!({"working": false, "name": "调休"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());

    const BOUNDARY: &str = "minhu-matrix-boundary";
    let mut form = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
         Content-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    form.extend_from_slice(&png());
    form.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let res = app
        .post(&format!("/api/v1/petitions/{main}/photos"))
        .token(&c.citizen)
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(form)
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let photo = id(res.value());

    World {
        city: c,
        partner,
        petitions: [main, other],
        assignments: [main_order, other_order],
        tracking_no,
        unit,
        user,
        other_partner,
        webhook,
        article,
        rule,
        policy,
        photo,
        replies,
        progress,
    }
}

/// The path with its parameters filled in for `target`.
fn fill(template: &str, w: &World, kind: Kind, target: Target) -> String {
    let i = usize::from(target == Target::Other);
    let id = match kind {
        Kind::None => 0,
        Kind::Petition => w.petitions[i],
        Kind::Assignment => w.assignments[i],
        Kind::Webhook => w.webhook,
        Kind::Unit => w.unit,
        Kind::User => w.user,
        Kind::Category => w.city.category_id,
        Kind::Partner => w.other_partner,
        Kind::Article => w.article,
        Kind::Rule => w.rule,
        Kind::Policy => w.policy,
        Kind::Photo => w.photo,
        Kind::Reply => w.replies[i],
        Kind::Progress => w.progress[i],
    };
    let path = template
        .replace("{id}", &id.to_string())
        .replace("{date}", DAY)
        .replace("{tracking_no}", &w.tracking_no)
        .replace("{service_request_id}", &w.tracking_no)
        .replace("{token}", &w.tracking_no)
        .replace("{service_code}", &w.city.category_id.to_string())
        .replace("{format}", "json")
        .replace("{phone}", "13800138000");
    assert!(
        !path.contains('{'),
        "{template}: a parameter this test does not fill"
    );
    path
}

struct Caller {
    name: &'static str,
    role: Role,
    token: String,
}

fn callers(w: &World) -> Vec<Caller> {
    let c = &w.city;
    [
        ("citizen", Citizen, &c.citizen),
        ("other_citizen", Citizen, &c.other_citizen),
        ("operator", Operator, &c.operator),
        ("xiuwu", Handler, &c.xiuwu),
        ("xinhua", Handler, &c.xinhua),
        ("reporter", Reporter, &c.reporter),
        ("leader", Leader, &c.leader),
        ("admin", Admin, &c.admin),
        ("partner", Partner, &w.partner),
    ]
    .into_iter()
    .map(|(name, role, token)| Caller {
        name,
        role,
        token: token.clone(),
    })
    .collect()
}

/// Whether the object is the caller's: the main petition and its order are the citizen's and
/// 修武县's, the other ones other_citizen's and 新华区's; the webhook is the partner's.
fn owns(caller: &str, kind: Kind, target: Target) -> bool {
    match (kind, target) {
        (Kind::Petition | Kind::Assignment, Target::Main) => matches!(caller, "citizen" | "xiuwu"),
        (Kind::Petition | Kind::Assignment, Target::Other) => {
            matches!(caller, "other_citizen" | "xinhua")
        }
        (Kind::Webhook, _) => caller == "partner",
        // Replies are their units' (both petitions are the citizen's).
        (Kind::Reply | Kind::Progress, Target::Main) => caller == "xiuwu",
        (Kind::Reply | Kind::Progress, Target::Other) => caller == "xinhua",
        _ => false,
    }
}

fn admitted(who: Who, reach: Reach, c: &Caller, kind: Kind, target: Target) -> bool {
    let by_role = match who {
        Public | Anyone => true,
        Roles(roles) => roles.contains(&c.role),
    };
    let scoped = matches!(c.role, Citizen | Partner | Handler);
    by_role && (reach == All || !scoped || owns(c.name, kind, target))
}

async fn send(
    app: &TestApp,
    op: &Op,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Resp {
    let mut req = app.request(op.method.clone(), path);
    if let Some(t) = token {
        req = req.token(t);
    }
    let body = body.or_else(|| {
        matches!(op.method, Method::POST | Method::PUT | Method::PATCH).then(|| json!({}))
    });
    if let Some(b) = body {
        req = req.json(b);
    }
    req.send().await
}

#[derive(Default)]
struct Report {
    requests: usize,
    mismatches: Vec<String>,
    /// Per BODY_FIRST operation: the refused callers answered 400/422 before their refusal.
    tolerated: Vec<(String, Vec<String>)>,
}

/// Whether a caller's answer is as the table says, and what was expected.
fn verdict(op: &Op, admitted: bool, object: bool, gone: bool, status: u16) -> (bool, &'static str) {
    if !op.secured {
        (status != 401 && status < 500, "not 401")
    } else if admitted {
        let ok = !matches!(status, 401 | 403) && status < 500 && (status != 404 || gone);
        (ok, "admitted: not 401/403/404/5xx")
    } else if object {
        (status == 403 || status == 404, "403/404")
    } else {
        (status == 403, "403")
    }
}

impl Report {
    fn tolerate(&mut self, op: &str, who: String) {
        match self.tolerated.iter_mut().find(|(id, _)| id == op) {
            Some((_, list)) => list.push(who),
            None => self.tolerated.push((op.to_owned(), vec![who])),
        }
    }

    fn judge(&mut self, op: &Op, path: &str, who: &str, res: &Resp, ok: bool, expected: &str) {
        self.requests += 1;
        if !ok {
            let text: String = res.text().chars().take(160).collect();
            self.mismatches.push(format!(
                "{:<30} {:<6} {path} as {who}: {} (expected {expected}) {text}",
                op.id, op.method, res.status
            ));
        }
    }
}

async fn every_role_on_every_operation(app: TestApp) {
    let ops = operations();
    let in_doc: Vec<&str> = ops.iter().map(|o| o.id.as_str()).collect();
    let in_table: Vec<&str> = TABLE.iter().map(|(id, _, _)| *id).collect();
    let missing: Vec<_> = in_doc.iter().filter(|id| !in_table.contains(id)).collect();
    let extra: Vec<_> = in_table.iter().filter(|id| !in_doc.contains(id)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "the table must name exactly the document's operations: missing {missing:?}, not in the document {extra:?}"
    );
    let mut seen = in_table.clone();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(
        seen.len(),
        in_table.len(),
        "an operation named twice in the table"
    );

    let w = world(&app).await;
    let callers = callers(&w);
    let forged = minhu::auth::TokenKeys::new(
        b"not the server's secret, 32 bytes+",
        Duration::from_secs(60),
    )
    .issue(1, Role::Admin, None)
    .expect("sign");
    let mut report = Report::default();
    let mut body_first_used: Vec<&str> = Vec::new();

    for op in &ops {
        let &(_, who, reach) = TABLE
            .iter()
            .find(|(id, _, _)| *id == op.id)
            .expect("in table");
        let kind = kind_of(&op.path);
        if matches!(who, Public) == op.secured {
            report.mismatches.push(format!(
                "{}: the table says {who:?}, the document's security says {}",
                op.id,
                if op.secured { "bearer" } else { "public" }
            ));
        }
        let targets: &[Target] = match kind {
            Kind::Petition | Kind::Assignment | Kind::Reply | Kind::Progress => {
                &[Target::Main, Target::Other]
            }
            _ => &[Target::Main],
        };
        for &target in targets {
            let path = fill(&op.path, &w, kind, target);
            let object = kind != Kind::None;

            let res = send(&app, op, &path, None, None).await;
            if op.secured {
                report.judge(op, &path, "no token", &res, res.status == 401, "401");
            } else {
                let ok = res.status != 401 && res.status < 500;
                report.judge(op, &path, "no token", &res, ok, "not 401");
            }
            let res = send(&app, op, &path, Some(&forged), None).await;
            if op.secured {
                report.judge(op, &path, "forged token", &res, res.status == 401, "401");
            } else {
                // A public operation may ignore a bad token or refuse it; it must not fail.
                report.judge(op, &path, "forged token", &res, res.status < 500, "not 5xx");
            }

            // Refused callers first: what admitted ones change cannot hide a refusal.
            let mut order: Vec<(&Caller, bool)> = callers
                .iter()
                .map(|c| (c, admitted(who, reach, c, kind, target)))
                .collect();
            order.sort_by_key(|(_, a)| *a);
            let valid_body = BODY_FIRST
                .iter()
                .find(|(id, _)| *id == op.id)
                .map(|(_, b)| b(&w));
            // Once an admitted caller deleted the object, it is gone for the next one.
            let mut gone = false;
            for (c, admitted) in order {
                let mut res = send(&app, op, &path, Some(&c.token), None).await;
                if let (true, Some(body)) = (matches!(res.status, 400 | 422), &valid_body) {
                    if !admitted {
                        body_first_used.push(&op.id);
                        let on = if target == Target::Other {
                            "@other"
                        } else {
                            ""
                        };
                        report.tolerate(&op.id, format!("{}{on} {}", c.name, res.status));
                    }
                    res = send(&app, op, &path, Some(&c.token), Some(body.clone())).await;
                }
                let (ok, expected) = verdict(op, admitted, object, gone, res.status);
                report.judge(op, &path, c.name, &res, ok, expected);
                gone |= admitted && op.method == Method::DELETE && res.status < 300;
            }
        }
    }
    for (id, _) in BODY_FIRST {
        if !body_first_used.contains(id) {
            report.mismatches.push(format!(
                "{id}: listed in BODY_FIRST, but every refused caller was refused before the body was read: remove it"
            ));
        }
    }

    for (id, refused) in &report.tolerated {
        eprintln!(
            "tolerated (BODY_FIRST): {id} judged `{{}}` before refusing: {}",
            refused.join(", ")
        );
    }
    assert!(
        report.mismatches.is_empty(),
        "{} of {} answers over {} operations do not match the table:\n  {}",
        report.mismatches.len(),
        report.requests,
        ops.len(),
        report.mismatches.join("\n  ")
    );
    eprintln!(
        "role matrix: {} operations, {} callers besides no token and a forged one, {} answers, all as the table says",
        ops.len(),
        callers.len(),
        report.requests
    );
}

both!(every_role_on_every_operation);

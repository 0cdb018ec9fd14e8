//! Every action offered succeeds; every action not offered is refused with the table's reason.
//!
//! Random walks through the petition lifecycle on a real database. At each step every caller
//! reads the petition; its view (`allowed_actions` of the petition and of each assignment) is
//! what the server offers that caller now, as (action, target) pairs. Then:
//!
//! - a few (caller, action, target) that were *not* offered — among the actions whose route
//!   admits the caller's role — are tried with a valid body: each must be refused with 403, 404
//!   or 409, a 409 must be `invalid_transition` (carrying the table's reason) or
//!   `stale_version`, and nothing may change (the petition's version stays);
//! - one offered (caller, action, target), picked by a seeded xorshift, is carried out with a
//!   valid body and must succeed (2xx), moving the version by exactly one. Sometimes it is first
//!   sent with a stale version, which must be refused with `stale_version`.
//!
//! The callers: the petitioner, another citizen, the hotline office, the handlers of 修武县,
//! 郇封镇 (below it) and 新华区, a reporter and a leader. Each view is also checked for
//! consistency (an assignment action offered on the petition is offered on some assignment, and
//! the other way round). Merge ends a walk and is rarely picked, so it is also taken once on
//! purpose. The walks must between them take every action a caller can take (else they prove
//! little), and all runs are deterministic: a seed's walk is the same on both databases.
//!
//! Disagreements are collected, with the database, seed, step, caller, action, target, the
//! petition's state and the server's answer, and the test fails listing them all. A walk stops
//! at an offered action refused, or at a refusal that was not one (the petition moved under it).
//!
//! Time: the redo window (30 days after closing) is reached by moving the server's clock: at a
//! closed petition a step may let 31 days pass, after which redo must be neither offered nor
//! allowed. The other time-driven actions (overdue marking, auto-close after the rating period)
//! are the platform's jobs, offered to no caller and without a route; `time_limits.rs` covers
//! them.
//!
//! Body-level refusals are not the table's and are kept out of the walk: a dispatch (down) goes
//! only to a unit that does not hold the order yet; when no such unit exists (新华区 has no unit
//! below it; every unit below already holds the order) the offered action has no valid body
//! and is not picked.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDateTime};
use minhu::config::DatabaseUrl;
use minhu_types::{Action, PetitionStatus};
use serde_json::{json, Value};

use crate::city::City;
use crate::support::{both, Resp, TestApp};

/// Walks per database, steps per walk, refusals tried per step.
const WALKS: u64 = 16;
const STEPS: usize = 36;
const REFUSALS_PER_STEP: usize = 4;

/// A deterministic pseudo-random source (xorshift), so that a failure names its seed and
/// reproduces.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // Spread small seeds apart; xorshift must not start at zero.
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

/// The role a caller has, as the routes admit them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Citizen,
    Operator,
    Handler,
    Reporter,
    Leader,
}

struct Caller {
    name: &'static str,
    kind: Kind,
    token: String,
}

/// What an action is taken on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    Petition,
    Assignment(i64),
}

/// Where an action's request goes.
#[derive(Clone, Copy)]
enum Url {
    /// `/api/v1/petitions/{id}/…`
    Petition(&'static str),
    /// `/api/v1/assignments/{id}/…`
    Assignment(&'static str),
}

type BodyFn = fn(&Scene<'_>, On, &mut Rng) -> Option<Value>;

/// How one table action is taken over HTTP.
#[derive(Clone, Copy)]
struct Spec {
    /// An action on an assignment (offered in `assignments[*].allowed_actions`).
    on_assignment: bool,
    url: Url,
    /// The roles the endpoint admits before the table is asked.
    admits: &'static [Kind],
    /// The body's `version` is checked against the petition's.
    versioned: bool,
    /// A valid body for the action on this target now; `None` when there is none.
    body: BodyFn,
}

const OPS: &[Kind] = &[Kind::Operator];
const UNITS: &[Kind] = &[Kind::Handler];
const SUBMITTERS: &[Kind] = &[Kind::Citizen];
const PRESS: &[Kind] = &[Kind::Reporter];
const SUPERVISING: &[Kind] = &[Kind::Operator, Kind::Leader, Kind::Reporter];
const ANYONE: &[Kind] = &[
    Kind::Citizen,
    Kind::Operator,
    Kind::Handler,
    Kind::Reporter,
    Kind::Leader,
];

const OUTCOMES: &[&str] = &[
    "resolved",
    "partially_resolved",
    "explained",
    "unresolvable",
];
const SATISFACTION: &[&str] = &["satisfied", "basically_satisfied", "dissatisfied"];

fn outcome(rng: &mut Rng) -> &'static str {
    OUTCOMES[rng.below(OUTCOMES.len())]
}

fn rating(rng: &mut Rng) -> Value {
    json!({
        "satisfaction": SATISFACTION[rng.below(SATISFACTION.len())],
        "resolved": rng.one_in(2),
        "contacted": true,
    })
}

/// An optional note on a decision: absent or present.
fn decision(rng: &mut Rng) -> Value {
    if rng.one_in(2) {
        json!({})
    } else {
        json!({"note": "经审核"})
    }
}

/// The one place that says, for every action of the lifecycle table, where it is sent, who may
/// send it and with what body. `None`: no caller can take it (the platform's own actions).
fn spec(action: Action) -> Option<Spec> {
    use Action::*;
    let (on_assignment, url, admits, versioned, body): (bool, Url, _, bool, BodyFn) = match action {
        Accept => (false, Url::Petition("accept"), OPS, true, |_, _, _| {
            Some(json!({}))
        }),
        Reject => (false, Url::Petition("reject"), OPS, true, |_, _, _| {
            Some(json!({"reason": "不属于受理范围"}))
        }),
        Merge => (false, Url::Petition("merge"), OPS, true, |s, _, _| {
            Some(json!({"into_id": s.primary}))
        }),
        AnswerDirectly => (false, Url::Petition("answer"), OPS, true, |_, _, rng| {
            Some(
                json!({"body": "可拨打农业局电话咨询", "outcome": outcome(rng), "public": rng.one_in(2)}),
            )
        }),
        RequestInfo => (
            false,
            Url::Petition("request-info"),
            OPS,
            true,
            |_, _, _| Some(json!({"note": "请补充具体地址"})),
        ),
        Supplement => (
            false,
            Url::Petition("supplement"),
            SUBMITTERS,
            true,
            |_, _, _| Some(json!({"content": "东常村东街12号院内"})),
        ),
        Withdraw => (false, Url::Petition("withdraw"), ANYONE, true, |_, _, _| {
            Some(json!({}))
        }),
        Dispatch => (
            false,
            Url::Petition("assignments"),
            OPS,
            true,
            dispatch_body,
        ),
        Rate => (
            false,
            Url::Petition("rating"),
            SUBMITTERS,
            true,
            |_, _, rng| Some(rating(rng)),
        ),
        Visit => (false, Url::Petition("visits"), OPS, true, |_, _, rng| {
            Some(rating(rng))
        }),
        Redo => (false, Url::Petition("redo"), OPS, true, |_, _, _| {
            Some(json!({"reason": "群众不满意，问题仍未解决"}))
        }),
        Supervise => (
            false,
            Url::Petition("supervise"),
            SUPERVISING,
            true,
            |_, _, _| Some(json!({"note": "请尽快办理"})),
        ),
        FollowUp => (
            false,
            Url::Petition("follow-ups"),
            PRESS,
            false,
            |_, _, _| Some(json!({"title": "记者追访", "body": "记者回访东常村……"})),
        ),
        MarkUnreasonable => (
            false,
            Url::Petition("unreasonable"),
            OPS,
            true,
            |_, _, _| Some(json!({"reason": "反复诉求，已多次答复"})),
        ),
        Appeal => (false, Url::Petition("appeal"), UNITS, true, |_, _, _| {
            Some(json!({"reason": "不属于本单位职责，不应扣分"}))
        }),
        GrantAppeal => (
            false,
            Url::Petition("appeal/grant"),
            OPS,
            false,
            |_, _, rng| Some(decision(rng)),
        ),
        RefuseAppeal => (
            false,
            Url::Petition("appeal/refuse"),
            OPS,
            false,
            |_, _, rng| Some(decision(rng)),
        ),
        MarkTypical => (
            false,
            Url::Petition("typical"),
            PRESS,
            false,
            |_, _, rng| Some(decision(rng)),
        ),
        Moderate => (
            false,
            Url::Petition("moderation"),
            PRESS,
            false,
            |_, _, rng| Some(json!({"hidden": rng.one_in(2), "reason": "经编辑审核"})),
        ),
        // A unit replies on one of its assignments, named in the body.
        Reply => (true, Url::Petition("replies"), UNITS, true, |_, on, rng| {
            let On::Assignment(aid) = on else { return None };
            Some(
                json!({"body": "已联系县农业局帮助销售。", "outcome": outcome(rng), "public": rng.one_in(2), "assignment_id": aid}),
            )
        }),
        Sign => (true, Url::Assignment("sign"), UNITS, false, |_, _, _| {
            Some(json!({}))
        }),
        RequestReturn => (true, Url::Assignment("return"), UNITS, false, |_, _, _| {
            Some(json!({"reason": "不属于本单位职责"}))
        }),
        ApproveReturn => (
            true,
            Url::Assignment("return/approve"),
            OPS,
            false,
            |_, _, rng| Some(decision(rng)),
        ),
        RefuseReturn => (
            true,
            Url::Assignment("return/refuse"),
            OPS,
            false,
            |_, _, rng| Some(decision(rng)),
        ),
        RequestExtension => (
            true,
            Url::Assignment("extension"),
            UNITS,
            false,
            |_, _, rng| Some(json!({"days": 1 + rng.below(30), "reason": "需协调县农业局"})),
        ),
        ApproveExtension => (
            true,
            Url::Assignment("extension/approve"),
            OPS,
            false,
            |_, _, rng| Some(decision(rng)),
        ),
        RefuseExtension => (
            true,
            Url::Assignment("extension/refuse"),
            OPS,
            false,
            |_, _, rng| Some(decision(rng)),
        ),
        DispatchDown => (
            true,
            Url::Assignment("dispatch"),
            UNITS,
            false,
            dispatch_down_body,
        ),
        Progress => (
            true,
            Url::Assignment("progress"),
            UNITS,
            false,
            |_, _, _| Some(json!({"note": "已联系诉求人，正在协调"})),
        ),
        Submit | Overdue | AutoClose => return None,
    };
    Some(Spec {
        on_assignment,
        url,
        admits,
        versioned,
        body,
    })
}

/// To a unit that does not hold the order: a district as lead while there is none (preferring
/// 修武县), else as assist (preferring 新华区).
fn dispatch_body(s: &Scene<'_>, _: On, rng: &mut Rng) -> Option<Value> {
    let free = |u: &i64| !s.holds(*u);
    let leads: Vec<i64> = [s.city.xiuwu_id, s.city.xinhua_id]
        .into_iter()
        .filter(free)
        .collect();
    let assists: Vec<i64> = [s.city.xinhua_id, s.city.xiuwu_id]
        .into_iter()
        .filter(free)
        .collect();
    let lead_wanted = s.status == PetitionStatus::Accepted && !s.has_lead();
    let prefer = |units: &[i64], rng: &mut Rng| {
        if units.len() > 1 && rng.one_in(4) {
            units[1]
        } else {
            units[0]
        }
    };
    if lead_wanted && !leads.is_empty() && (assists.is_empty() || !rng.one_in(4)) {
        Some(json!({"unit_id": prefer(&leads, rng), "role": "lead"}))
    } else if !assists.is_empty() {
        Some(json!({"unit_id": prefer(&assists, rng), "role": "assist"}))
    } else {
        None
    }
}

/// To a unit below the assignment's that does not hold the order (郇封镇 or 东常村 below 修武县).
fn dispatch_down_body(s: &Scene<'_>, on: On, rng: &mut Rng) -> Option<Value> {
    let a = s.assignment(on)?;
    let below: Vec<i64> = s
        .units
        .below(a.unit)
        .into_iter()
        .filter(|u| !s.holds(*u))
        .collect();
    if below.is_empty() {
        None
    } else {
        Some(json!({"unit_id": below[rng.below(below.len())]}))
    }
}

/// A body for an action that was not offered: a valid one if there is, else one that would be
/// valid were the order free (the table is asked before the body's unit is looked at).
fn refusal_body(s: &Scene<'_>, action: Action, spec: &Spec, on: On, rng: &mut Rng) -> Value {
    (spec.body)(s, on, rng).unwrap_or_else(|| match action {
        Action::Dispatch => json!({"unit_id": s.city.xiuwu_id, "role": "lead"}),
        Action::DispatchDown => json!({"unit_id": s.city.huanfeng_id}),
        _ => json!({}),
    })
}

fn path(spec: &Spec, petition: i64, on: On) -> String {
    match (spec.url, on) {
        (Url::Petition(tail), _) => format!("/api/v1/petitions/{petition}/{tail}"),
        (Url::Assignment(tail), On::Assignment(aid)) => format!("/api/v1/assignments/{aid}/{tail}"),
        // Not reached: assignment actions are only tried on assignments.
        (Url::Assignment(tail), On::Petition) => format!("/api/v1/assignments/0/{tail}"),
    }
}

/// Weights for picking the offered action to take: the walks should get into the units'
/// work (sign, hand down, extensions, replies) often, and end or stand still less often.
fn weight(action: Action, status: PetitionStatus) -> usize {
    use Action::*;
    match action {
        // Ends the walk.
        Reject | Merge | Withdraw => 1,
        // Stands still, or skips the units.
        Supervise | FollowUp | MarkTypical | Progress | AnswerDirectly => 3,
        // Changes what the public sees, nothing of the lifecycle: rarely, not never.
        Moderate => 1,
        Visit if status == PetitionStatus::Closed => 3,
        MarkUnreasonable | Appeal | GrantAppeal | RefuseAppeal => 6,
        Sign | DispatchDown | RequestExtension | RequestReturn | Reply => 20,
        ApproveReturn | RefuseReturn | ApproveExtension | RefuseExtension => 20,
        _ => 12,
    }
}

/// The units' tree.
struct Units {
    parent: BTreeMap<i64, Option<i64>>,
}

impl Units {
    async fn load(app: &TestApp, admin: &str) -> Units {
        let res = app
            .get("/api/v1/units?per_page=100")
            .token(admin)
            .send()
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let mut units = Units {
            parent: BTreeMap::new(),
        };
        for u in res.value()["items"].as_array().cloned().unwrap_or_default() {
            let id = u["id"].as_i64().expect("unit id");
            units.parent.insert(id, u["parent_id"].as_i64());
        }
        units
    }

    /// The units strictly below `unit`.
    fn below(&self, unit: i64) -> Vec<i64> {
        self.parent
            .keys()
            .copied()
            .filter(|&u| {
                let mut up = self.parent.get(&u).copied().flatten();
                while let Some(p) = up {
                    if p == unit {
                        return true;
                    }
                    up = self.parent.get(&p).copied().flatten();
                }
                false
            })
            .collect()
    }
}

/// One assignment as the hotline office sees it.
#[derive(Debug, Clone)]
struct Asg {
    id: i64,
    unit: i64,
    unit_name: String,
    role: String,
    state: String,
    parent: Option<i64>,
    open_request: Option<String>,
}

/// The petition now, as the hotline office (who sees everything) reads it.
struct Scene<'a> {
    city: &'a City,
    units: &'a Units,
    primary: i64,
    status: PetitionStatus,
    version: i64,
    appeal: Option<String>,
    unreasonable: bool,
    closed_at: Option<String>,
    assignments: Vec<Asg>,
}

impl Scene<'_> {
    fn holds(&self, unit: i64) -> bool {
        self.assignments
            .iter()
            .any(|a| a.unit == unit && a.state != "returned")
    }

    fn has_lead(&self) -> bool {
        self.assignments
            .iter()
            .any(|a| a.role == "lead" && a.parent.is_none() && a.state != "returned")
    }

    fn assignment(&self, on: On) -> Option<&Asg> {
        match on {
            On::Assignment(id) => self.assignments.iter().find(|a| a.id == id),
            On::Petition => None,
        }
    }

    fn targets(&self, spec: &Spec) -> Vec<On> {
        if spec.on_assignment {
            self.assignments
                .iter()
                .map(|a| On::Assignment(a.id))
                .collect()
        } else {
            vec![On::Petition]
        }
    }

    /// The petition's state, and the target's, for a report.
    fn describe(&self, on: On) -> String {
        let mut s = format!("petition {:?} v{}", self.status, self.version);
        if let Some(a) = &self.appeal {
            s += &format!(", appeal {a}");
        }
        if self.unreasonable {
            s += ", unreasonable";
        }
        if let Some(c) = &self.closed_at {
            s += &format!(", closed at {c}");
        }
        let lead = if self.has_lead() { "has" } else { "no" };
        s += &format!(", {lead} lead");
        if let Some(a) = self.assignment(on) {
            s += &format!(
                "; assignment {} of {} ({} {}{}{})",
                a.id,
                a.unit_name,
                a.role,
                a.state,
                a.parent
                    .map(|p| format!(", down from {p}"))
                    .unwrap_or_default(),
                a.open_request
                    .as_deref()
                    .map(|r| format!(", open {r} request"))
                    .unwrap_or_default()
            );
        }
        s
    }
}

fn scene<'a>(city: &'a City, units: &'a Units, primary: i64, v: &Value) -> Scene<'a> {
    let status = v["status"]
        .as_str()
        .and_then(PetitionStatus::parse)
        .unwrap_or_else(|| panic!("status in {v}"));
    let assignments = v["assignments"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|a| Asg {
            id: a["id"].as_i64().expect("assignment id"),
            unit: a["unit"]["id"].as_i64().expect("unit id"),
            unit_name: a["unit"]["name"].as_str().unwrap_or("?").to_owned(),
            role: a["role"].as_str().unwrap_or("?").to_owned(),
            state: a["state"].as_str().unwrap_or("?").to_owned(),
            parent: a["parent_id"].as_i64(),
            open_request: a["open_request"]["kind"].as_str().map(str::to_owned),
        })
        .collect();
    Scene {
        city,
        units,
        primary,
        status,
        version: v["version"].as_i64().expect("version"),
        appeal: v["appeal_state"].as_str().map(str::to_owned),
        unreasonable: v["unreasonable"].as_bool().unwrap_or(false),
        closed_at: v["closed_at"].as_str().map(str::to_owned),
        assignments,
    }
}

/// What one caller's view offers: (action, target) pairs, and any inconsistency in the view
/// itself (an assignment action listed on the petition but on no assignment, and so on).
struct View {
    body: Option<Value>,
    offered: Vec<(Action, On)>,
    inconsistent: Vec<String>,
}

fn actions(v: &Value) -> Vec<Action> {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("allowed_actions {v}: {e}"))
}

async fn view(app: &TestApp, caller: &Caller, id: i64) -> View {
    let res = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&caller.token)
        .send()
        .await;
    if res.status == 404 {
        // Not the caller's to see: nothing offered.
        return View {
            body: None,
            offered: Vec::new(),
            inconsistent: Vec::new(),
        };
    }
    assert_eq!(res.status, 200, "GET as {}: {}", caller.name, res.text());
    let v = res.value();
    let mut offered = Vec::new();
    let mut inconsistent = Vec::new();
    let mut on_some_assignment = BTreeSet::new();
    let top = actions(&v["allowed_actions"]);
    for a in v["assignments"].as_array().cloned().unwrap_or_default() {
        let aid = a["id"].as_i64().expect("assignment id");
        for act in actions(&a["allowed_actions"]) {
            match spec(act) {
                Some(s) if s.on_assignment => {}
                _ => inconsistent.push(format!(
                    "assignment {aid} offers {act:?}, not an action on an assignment"
                )),
            }
            if !top.contains(&act) {
                inconsistent.push(format!(
                    "assignment {aid} offers {act:?}, missing from the petition's allowed_actions"
                ));
            }
            on_some_assignment.insert(act.as_str());
            offered.push((act, On::Assignment(aid)));
        }
    }
    for act in top {
        match spec(act) {
            None => inconsistent.push(format!("offers {act:?}, which no caller can take")),
            Some(s) if s.on_assignment => {
                if !on_some_assignment.contains(act.as_str()) {
                    inconsistent.push(format!(
                        "the petition offers {act:?} but no assignment does"
                    ));
                }
            }
            Some(_) => offered.push((act, On::Petition)),
        }
    }
    View {
        body: Some(v),
        offered,
        inconsistent,
    }
}

fn status_text(res: &Resp) -> String {
    format!("{} {}", res.status, res.text())
}

/// Whether a 409's detail carries the table's reason: the status the action is not allowed in,
/// or one of the petition's own preconditions.
fn table_reason(detail: &str, status: PetitionStatus) -> bool {
    detail.contains(&format!("“{}”", status.label()))
        || ["30 天", "不合理诉求", "考核申诉", "没有下级单位"]
            .iter()
            .any(|r| detail.contains(r))
}

/// The walks on one database, and what they found.
struct Walker<'a> {
    app: &'a TestApp,
    city: &'a City,
    units: &'a Units,
    db: &'static str,
    primary: i64,
    callers: Vec<Caller>,
    clock: NaiveDateTime,
    findings: Vec<String>,
    /// Successful actions by name, for the coverage summary.
    done: BTreeMap<&'static str, usize>,
    statuses: BTreeSet<&'static str>,
    refusals: usize,
    late_redo_refused: usize,
}

impl Walker<'_> {
    fn tick(&mut self, by: Duration) {
        self.clock += by;
        self.app.state.clock.set(Some(self.clock));
    }

    async fn send(&self, caller: &Caller, spec: &Spec, id: i64, on: On, body: &Value) -> Resp {
        self.app
            .post(&path(spec, id, on))
            .token(&caller.token)
            .json(body.clone())
            .send()
            .await
    }

    /// One walk, from a new petition to an ended one or `STEPS` steps.
    async fn walk(&mut self, seed: u64) {
        let db = self.db;
        let mut rng = Rng::new(seed);
        let consent = rng.one_in(2);
        let p = self
            .city
            .submit(self.app, json!({"publish_consent": consent}))
            .await;
        let id = p["id"].as_i64().expect("id");
        let mut expected_version = p["version"].as_i64().expect("version");
        let mut window_just_closed = false;
        for step in 0..STEPS {
            self.tick(Duration::minutes(1));
            let at = |caller: &str| format!("[{db}] seed {seed} step {step}: {caller}");

            // What each caller is offered now.
            let mut views = Vec::with_capacity(self.callers.len());
            for caller in &self.callers {
                views.push(view(self.app, caller, id).await);
            }
            let operator = self
                .callers
                .iter()
                .position(|c| c.kind == Kind::Operator)
                .expect("an operator");
            let Some(truth) = views[operator].body.clone() else {
                panic!(
                    "{}: the hotline office cannot see petition {id}",
                    at("operator")
                );
            };
            let s = scene(self.city, self.units, self.primary, &truth);
            self.statuses.insert(s.status.as_str());
            let mut stop = false;
            if s.version != expected_version {
                self.findings.push(format!(
                    "{}: petition {id} is at version {} where {expected_version} was expected: \
                     a refused action changed it, or an action moved it by more than one ({})",
                    at("-"),
                    s.version,
                    s.describe(On::Petition)
                ));
                stop = true;
                expected_version = s.version;
            }
            for (caller, v) in self.callers.iter().zip(&views) {
                for i in &v.inconsistent {
                    self.findings.push(format!(
                        "{}'s view is inconsistent: {i} ({})",
                        at(caller.name),
                        s.describe(On::Petition)
                    ));
                }
            }

            // Not offered ⇒ refused. A few at random, among the actions the caller's role may
            // send at all (others are the role matrix's business).
            let mut not_offered: Vec<(usize, Action, On)> = Vec::new();
            for (i, caller) in self.callers.iter().enumerate() {
                for &action in Action::ALL {
                    let Some(sp) = spec(action) else { continue };
                    if !sp.admits.contains(&caller.kind) {
                        continue;
                    }
                    for on in s.targets(&sp) {
                        if !views[i].offered.contains(&(action, on)) {
                            not_offered.push((i, action, on));
                        }
                    }
                }
            }
            let mut tries = Vec::new();
            if window_just_closed {
                // 31 days after closing: redo is neither offered nor allowed.
                match not_offered
                    .iter()
                    .position(|&(i, a, _)| i == operator && a == Action::Redo)
                {
                    Some(k) => tries.push(not_offered.swap_remove(k)),
                    None => self.findings.push(format!(
                        "{}: redo is still offered 31 days after closing ({})",
                        at("operator"),
                        s.describe(On::Petition)
                    )),
                }
            }
            while tries.len() < REFUSALS_PER_STEP && !not_offered.is_empty() {
                let k = rng.below(not_offered.len());
                tries.push(not_offered.swap_remove(k));
            }
            for (i, action, on) in tries {
                let caller = &self.callers[i];
                let Some(sp) = spec(action) else { continue };
                let mut body = refusal_body(&s, action, &sp, on, &mut rng);
                if sp.versioned && rng.one_in(2) {
                    body["version"] = json!(s.version);
                }
                let res = self.send(caller, &sp, id, on, &body).await;
                self.refusals += 1;
                let wrong = match res.status {
                    403 | 404 => None,
                    409 => {
                        let v = res.value();
                        let code = v["code"].as_str().unwrap_or_default();
                        let detail = v["detail"].as_str().unwrap_or_default();
                        match code {
                            "stale_version" => None,
                            "invalid_transition" if table_reason(detail, s.status) => {
                                if action == Action::Redo && window_just_closed {
                                    self.late_redo_refused += 1;
                                }
                                None
                            }
                            "invalid_transition" => Some("refused without the table's reason"),
                            _ => Some("refused with a 409 that is not the table's"),
                        }
                    }
                    200..=299 => Some("NOT offered, yet the server did it"),
                    _ => Some("not offered, and answered neither 403, 404 nor 409"),
                };
                if let Some(what) = wrong {
                    self.findings.push(format!(
                        "{}: {action:?} on {on:?} {what}: POST {} {body} -> {} ({})",
                        at(caller.name),
                        path(&sp, id, on),
                        status_text(&res),
                        s.describe(on)
                    ));
                    if (200..300).contains(&res.status) {
                        // The petition moved under the walk.
                        expected_version += 1;
                        stop = true;
                    }
                }
            }
            window_just_closed = false;
            if stop || lifecycle_ended(s.status) {
                break;
            }

            // Time passes: 31 days after closing, the redo window has closed.
            if s.status == PetitionStatus::Closed && s.closed_at.is_some() && rng.one_in(6) {
                self.tick(Duration::days(31));
                window_just_closed = true;
                continue;
            }

            // Offered ⇒ succeeds. One at random, with a valid body.
            let mut choices: Vec<(usize, Action, On, Value)> = Vec::new();
            for (i, v) in views.iter().enumerate() {
                for &(action, on) in &v.offered {
                    let Some(sp) = spec(action) else { continue };
                    if let Some(body) = (sp.body)(&s, on, &mut rng) {
                        choices.push((i, action, on, body));
                    }
                }
            }
            if choices.is_empty() {
                self.findings.push(format!(
                    "{}: nothing can be done on a petition that has not ended ({})",
                    at("-"),
                    s.describe(On::Petition)
                ));
                break;
            }
            let total: usize = choices.iter().map(|c| weight(c.1, s.status)).sum();
            let mut r = rng.below(total);
            let k = choices
                .iter()
                .position(|c| {
                    let w = weight(c.1, s.status);
                    if r < w {
                        true
                    } else {
                        r -= w;
                        false
                    }
                })
                .unwrap_or(0);
            let (i, action, on, mut body) = choices.swap_remove(k);
            let caller = &self.callers[i];
            let Some(sp) = spec(action) else { continue };
            if sp.versioned && rng.one_in(4) {
                // Someone else acted since the caller read it: refused, and nothing changes.
                let mut stale = body.clone();
                stale["version"] = json!(s.version + 1);
                let res = self.send(caller, &sp, id, on, &stale).await;
                let code = if res.status == 409 {
                    res.value()["code"].as_str().unwrap_or_default().to_owned()
                } else {
                    String::new()
                };
                if code != "stale_version" {
                    self.findings.push(format!(
                        "{}: {action:?} on {on:?} with a stale version was not refused as \
                         stale: POST {} {stale} -> {} ({})",
                        at(caller.name),
                        path(&sp, id, on),
                        status_text(&res),
                        s.describe(on)
                    ));
                    break;
                }
            }
            if sp.versioned && rng.one_in(2) {
                body["version"] = json!(s.version);
            }
            let res = self.send(caller, &sp, id, on, &body).await;
            if !(200..300).contains(&res.status) {
                self.findings.push(format!(
                    "{}: {action:?} on {on:?} was OFFERED but refused: POST {} {body} -> {} ({})",
                    at(caller.name),
                    path(&sp, id, on),
                    status_text(&res),
                    s.describe(on)
                ));
                break;
            }
            *self.done.entry(action.as_str()).or_default() += 1;
            expected_version += 1;
        }
    }
}

/// Rejected, merged and withdrawn petitions take no more actions (but a reporter's).
fn lifecycle_ended(s: PetitionStatus) -> bool {
    matches!(
        s,
        PetitionStatus::Rejected | PetitionStatus::Merged | PetitionStatus::Withdrawn
    )
}

/// Merge ends a walk, so the walks seldom take it: once more, on purpose. A new petition is
/// offered a merge into the primary and takes it; merged, it is offered no merge and refused one.
async fn merge_once(w: &mut Walker<'_>) {
    let (app, c, db) = (w.app, w.city, w.db);
    let id = c.submit(app, json!({})).await["id"].as_i64().expect("id");
    let sp = spec(Action::Merge).expect("merge has a route");
    let op = w
        .callers
        .iter()
        .find(|c| c.kind == Kind::Operator)
        .expect("an operator");
    let body = json!({"into_id": w.primary});
    let before = view(app, op, id).await;
    let offered = before.offered.contains(&(Action::Merge, On::Petition));
    let res = w.send(op, &sp, id, On::Petition, &body).await;
    if !offered || !(200..300).contains(&res.status) {
        w.findings.push(format!(
            "[{db}] merge: offered {offered} on a submitted petition, POST {} {body} -> {}",
            path(&sp, id, On::Petition),
            status_text(&res)
        ));
        return;
    }
    *w.done.entry(Action::Merge.as_str()).or_default() += 1;
    let after = view(app, op, id).await;
    let again = w.send(op, &sp, id, On::Petition, &body).await;
    let code = if again.status == 409 {
        again.value()["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    } else {
        String::new()
    };
    if after.offered.contains(&(Action::Merge, On::Petition)) || code != "invalid_transition" {
        w.findings.push(format!(
            "[{db}] merge of a merged petition: offered {}, POST -> {}",
            after.offered.contains(&(Action::Merge, On::Petition)),
            status_text(&again)
        ));
    }
}

async fn offered_succeeds_not_offered_is_refused(app: TestApp) {
    let c = City::build(&app).await;
    let units = Units::load(&app, &c.admin).await;
    // The petition walks merge into: it stays submitted, so it always takes a merge.
    let primary = c.submit(&app, json!({"title": "萝卜滞销（主单）"})).await["id"]
        .as_i64()
        .expect("id");
    let caller = |name, kind, token: &String| Caller {
        name,
        kind,
        token: token.clone(),
    };
    let callers = vec![
        caller("citizen", Kind::Citizen, &c.citizen),
        caller("other_citizen", Kind::Citizen, &c.other_citizen),
        caller("operator", Kind::Operator, &c.operator),
        caller("xiuwu (修武县)", Kind::Handler, &c.xiuwu),
        caller("huanfeng (郇封镇)", Kind::Handler, &c.huanfeng),
        caller("xinhua (新华区)", Kind::Handler, &c.xinhua),
        caller("reporter", Kind::Reporter, &c.reporter),
        caller("leader", Kind::Leader, &c.leader),
    ];
    let db = match app.db.url {
        DatabaseUrl::Sqlite(_) => "SQLite",
        DatabaseUrl::Postgres(_) => "PostgreSQL",
    };
    let mut w = Walker {
        app: &app,
        city: &c,
        units: &units,
        db,
        primary,
        callers,
        clock: chrono::Utc::now().naive_utc(),
        findings: Vec::new(),
        done: BTreeMap::new(),
        statuses: BTreeSet::new(),
        refusals: 0,
        late_redo_refused: 0,
    };
    // The server's clock is fixed and moved by the walks (a minute a step; 31 days to close
    // the redo window).
    w.tick(Duration::zero());
    for seed in 1..=WALKS {
        w.walk(seed).await;
    }
    merge_once(&mut w).await;
    app.state.clock.set(None);

    let taken: usize = w.done.values().sum();
    let never: Vec<&str> = Action::ALL
        .iter()
        .filter(|a| spec(**a).is_some() && !w.done.contains_key(a.as_str()))
        .map(|a| a.as_str())
        .collect();
    println!(
        "[{db}] {taken} offered actions taken, {} not-offered refused ({} late redos); \
         statuses reached: {:?}; actions taken: {:?}; never taken: {never:?}",
        w.refusals, w.late_redo_refused, w.statuses, w.done
    );
    assert!(
        w.findings.is_empty(),
        "[{db}] {} disagreement(s) between what is offered and what the server does:\n{}",
        w.findings.len(),
        w.findings.join("\n")
    );
    // The walks are not vacuous: every action a caller can take was taken at least once.
    assert!(never.is_empty(), "[{db}] never taken: {never:?}");
    assert!(taken >= 100, "only {taken} actions taken");
    assert!(w.refusals >= 300, "only {} refusals tried", w.refusals);
}

both!(offered_succeeds_not_offered_is_refused);

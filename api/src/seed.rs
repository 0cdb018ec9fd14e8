//! The demo city (`minhu seed-demo`) and bulk history (`minhu seed-bulk --petitions N`):
//! a city modelled on the seeds — the 12345 hotline office, 修武县 with 郇封镇 and 东常村,
//! 新华区 with 焦店镇, 中兴路街道 and 光明路街道, city departments — one account per role, and
//! petitions spread over every state and the last three months, written as the lifecycle
//! would have written them (assignments, replies, visits, timeline).

use chrono::{Duration, NaiveDateTime};
use diesel::OptionalExtension;
use minhu_types::{Action, PetitionStatus, Role, UnitKind};

use crate::auth::hash_password;
use crate::config::random_hex;
use crate::db::petitions::{
    NewAssignmentRow, NewEventRow, NewPetitionRow, NewReplyRow, NewVisitRow,
};
use crate::db::units::UnitRow;
use crate::db::users::NewUserRow;
use crate::db::{self, DbConn};
use crate::domain::petitions::tracking_day;

/// A deterministic pseudo-random source, so a seeded city looks the same every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The demo accounts created, with their one-time passwords.
/// (username, role, display name, password).
pub struct Credentials(pub Vec<(String, Role, String, String)>);

struct City {
    office: UnitRow,
    /// Units that receive orders, with the handler account of each.
    handling: Vec<(UnitRow, i64)>,
    operator: i64,
    citizens: Vec<i64>,
    categories: Vec<i64>,
}

const TITLES: &[(&str, &str, &str)] = &[
    (
        "help",
        "萝卜滞销，请帮忙找销路",
        "家里种的五亩萝卜卖不出去，眼看要烂在地里，请帮忙联系收购。",
    ),
    (
        "complaint",
        "小区楼下烧烤店油烟扰民",
        "每天晚上十点后油烟和噪音很大，老人孩子休息不好。",
    ),
    (
        "help",
        "路灯坏了一个多月没人修",
        "村东头三盏路灯不亮，晚上孩子放学看不清路。",
    ),
    (
        "consultation",
        "新生儿医保怎么办理",
        "孩子刚出生，想咨询医保参保需要哪些材料、在哪里办。",
    ),
    (
        "report",
        "有人在河道边倾倒建筑垃圾",
        "最近几天晚上总有车往河道边倒渣土，污染环境。",
    ),
    (
        "suggestion",
        "建议在学校门口增设红绿灯",
        "上下学高峰车多人多，孩子过马路很危险。",
    ),
    (
        "complaint",
        "暖气不热，室温只有十四度",
        "供暖开始一周了，家里暖气一直不热，打物业电话没人管。",
    ),
    (
        "help",
        "下水道堵塞污水外溢",
        "单元门口下水道堵了三天，污水漫到路上。",
    ),
    (
        "civility",
        "公园健身器材损坏",
        "公园里两台健身器材螺丝松动，存在安全隐患。",
    ),
    (
        "consultation",
        "灵活就业人员如何缴纳养老保险",
        "想了解灵活就业人员参保的缴费标准和办理渠道。",
    ),
];

const STREETS: &[&str] = &[
    "东街12号",
    "人民路88号",
    "解放中路3号院",
    "建设路126号",
    "民主南路9号",
];

fn now_minus(now: NaiveDateTime, minutes: i64) -> NaiveDateTime {
    now - Duration::minutes(minutes)
}

fn user(
    conn: &mut DbConn,
    username: &str,
    role: Role,
    unit: Option<i64>,
    display: &str,
    creds: &mut Credentials,
    hash: &str,
) -> db::QueryResult<i64> {
    if let Some(u) = db::users::find_by_username(conn, username)? {
        return Ok(u.id);
    }
    let now = db::now();
    let id = db::users::insert(
        conn,
        &NewUserRow {
            username,
            password_hash: hash,
            display_name: display,
            phone: Some("13800000000"),
            role: role.as_str(),
            unit_id: unit,
            active: true,
            created_at: now,
            updated_at: now,
        },
    )?;
    if !username.starts_with("resident") {
        creds
            .0
            .push((username.to_owned(), role, display.to_owned(), String::new()));
    }
    Ok(id)
}

fn unit(
    conn: &mut DbConn,
    name: &str,
    kind: UnitKind,
    parent: Option<&UnitRow>,
) -> db::QueryResult<UnitRow> {
    db::units::insert(conn, name, kind, parent, db::now())
}

/// Creates the city's units, categories and demo accounts unless a hotline office exists.
fn city(conn: &mut DbConn, creds: &mut Credentials) -> Result<City, String> {
    let e = |e: diesel::result::Error| e.to_string();
    let existing = db::units::list(
        conn,
        &db::units::UnitFilter {
            kind: Some(UnitKind::HotlineOffice),
            ..Default::default()
        },
        db::Paging {
            page: 1,
            per_page: 1,
        },
    )
    .map_err(e)?
    .0;
    // One password for all demo accounts of this run, printed once; MINHU_DEMO_PASSWORD fixes
    // it (browser tests, a demo for a meeting).
    let password = std::env::var("MINHU_DEMO_PASSWORD")
        .ok()
        .filter(|p| p.chars().count() >= 8)
        .unwrap_or_else(|| format!("demo-{}", &random_hex(6)));
    let hash = hash_password(&password)?;
    let (office, handling_units) = if let Some(office) = existing.into_iter().next() {
        let all = db::units::all(conn).map_err(e)?;
        let handling = all
            .into_iter()
            .filter(|u| u.id != office.id)
            .collect::<Vec<_>>();
        if handling.is_empty() {
            return Err(format!(
                "数据库中已有热线办（{}），但没有承办单位：请先添加至少一个承办单位（系统管理 → 单位，或 POST /api/v1/units），或换一个空数据库，再生成演示数据",
                office.name
            ));
        }
        (office, handling)
    } else {
        let office = unit(conn, "焦作市12345热线办", UnitKind::HotlineOffice, None).map_err(e)?;
        let xiuwu = unit(conn, "修武县", UnitKind::District, Some(&office)).map_err(e)?;
        let huanfeng = unit(conn, "郇封镇", UnitKind::Town, Some(&xiuwu)).map_err(e)?;
        let dongchang = unit(conn, "东常村", UnitKind::Community, Some(&huanfeng)).map_err(e)?;
        let xinhua = unit(conn, "新华区", UnitKind::District, Some(&office)).map_err(e)?;
        let jiaodian = unit(conn, "焦店镇", UnitKind::Town, Some(&xinhua)).map_err(e)?;
        let zhongxing = unit(conn, "中兴路街道", UnitKind::Street, Some(&xinhua)).map_err(e)?;
        let guangming = unit(conn, "光明路街道", UnitKind::Street, Some(&xinhua)).map_err(e)?;
        let water = unit(conn, "市水务局", UnitKind::Department, Some(&office)).map_err(e)?;
        let housing = unit(
            conn,
            "市住房和城乡建设局",
            UnitKind::Department,
            Some(&office),
        )
        .map_err(e)?;
        let agri = unit(conn, "市农业农村局", UnitKind::Department, Some(&office)).map_err(e)?;
        for (name, code) in [
            ("民生", "01"),
            ("交通", "02"),
            ("教育", "03"),
            ("医疗", "04"),
            ("消费", "05"),
            ("政务", "06"),
            ("水电气暖", "07"),
            ("助农", "08"),
            ("城市管理", "09"),
        ] {
            let category =
                db::categories::insert(conn, name, None, Some(code), db::now()).map_err(e)?;
            if name == "水电气暖" {
                // domain.md: water, power, gas and heating are answered within 24 hours.
                let now = db::now();
                db::time_limits::insert_policy(
                    conn,
                    &db::time_limits::PolicyValues {
                        name: "水电气暖",
                        urgency: None,
                        kind: None,
                        category_id: Some(category.id),
                        sign_amount: 2,
                        sign_unit: "hours",
                        reply_amount: 24,
                        reply_unit: "hours",
                        visit_amount: None,
                        visit_unit: None,
                        updated_at: now,
                    },
                )
                .map_err(e)?;
            }
        }
        (
            office,
            vec![
                xiuwu, huanfeng, dongchang, xinhua, jiaodian, zhongxing, guangming, water, housing,
                agri,
            ],
        )
    };
    let operator = user(
        conn,
        "demo_operator",
        Role::Operator,
        Some(office.id),
        "热线办话务员",
        creds,
        &hash,
    )
    .map_err(e)?;
    user(
        conn,
        "demo_reporter",
        Role::Reporter,
        None,
        "报社记者",
        creds,
        &hash,
    )
    .map_err(e)?;
    user(
        conn,
        "demo_leader",
        Role::Leader,
        None,
        "市领导",
        creds,
        &hash,
    )
    .map_err(e)?;
    let mut citizens = vec![user(
        conn,
        "demo_citizen",
        Role::Citizen,
        None,
        "褚晓明",
        creds,
        &hash,
    )
    .map_err(e)?];
    let mut handling = Vec::new();
    for (i, u) in handling_units.into_iter().enumerate() {
        let name = format!("demo_unit{}", i + 1);
        let id = user(
            conn,
            &name,
            Role::Handler,
            Some(u.id),
            &format!("{}办事员", u.name),
            creds,
            &hash,
        )
        .map_err(e)?;
        handling.push((u, id));
    }
    for (i, name) in [
        "张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强",
    ]
    .iter()
    .enumerate()
    {
        citizens.push(
            user(
                conn,
                &format!("resident{}", i + 1),
                Role::Citizen,
                None,
                name,
                creds,
                &hash,
            )
            .map_err(e)?,
        );
    }
    for c in creds.0.iter_mut() {
        c.3 = password.clone();
    }
    let categories = db::categories::list(
        conn,
        None,
        db::Paging {
            page: 1,
            per_page: 100,
        },
    )
    .map_err(e)?
    .0
    .into_iter()
    .map(|c| c.id)
    .collect::<Vec<i64>>();
    if categories.is_empty() {
        return Err(
            "数据库中没有诉求分类：请先添加至少一个分类（POST /api/v1/categories），或换一个空数据库，再生成演示数据"
                .to_owned(),
        );
    }
    // A few answers the hotline gives every day, for the 帮打听 column.
    for (question, answer) in KNOWLEDGE {
        db::knowledge::insert(
            conn,
            &db::knowledge::NewArticleRow {
                question,
                answer,
                category_id: None,
                public: true,
                author_id: operator,
                now: db::now(),
            },
        )
        .map_err(|e| e.to_string())?;
    }
    Ok(City {
        office,
        handling,
        operator,
        citizens,
        categories,
    })
}

const KNOWLEDGE: &[(&str, &str)] = &[
    (
        "小区停水了，什么时候恢复供水？",
        "请先查看自来水公司发布的停水公告；计划停水一般当天恢复。没有公告的突发停水，可拨打 12345 或在本平台提交诉求。",
    ),
    (
        "路灯不亮应该找谁？",
        "城区道路路灯由城市管理部门负责，乡镇和村内路灯由所在乡镇负责。提交诉求时写清路名和灯杆编号，处理会更快。",
    ),
    (
        "灵活就业人员怎样参加养老保险？",
        "持身份证到户籍地或居住地社保经办窗口登记，也可在“河南社保”App 办理，按年或按月缴费。",
    ),
];

/// Writes one petition and its history as of `now`, ending in `status`.
fn petition(
    conn: &mut DbConn,
    city: &City,
    rng: &mut Rng,
    created: NaiveDateTime,
    status: PetitionStatus,
) -> db::QueryResult<()> {
    let (kind, title, content) = *rng.pick(TITLES);
    let citizen = *rng.pick(&city.citizens);
    let (unit, handler) = rng.pick(&city.handling).clone();
    let category = *rng.pick(&city.categories);
    let tracking_no = db::petitions::next_tracking_no(conn, &tracking_day(db::utc(created)))?;
    let address = format!("{}{}", unit.name, rng.pick(STREETS));
    let urgency = match rng.below(20) {
        0 => "emergency",
        1..=3 => "urgent",
        _ => "normal",
    };
    let step = |n: i64| created + Duration::hours(n * (1 + (rng_hours(created) % 20)));
    let closed = matches!(status, PetitionStatus::Closed).then(|| step(6));
    let id = db::petitions::insert(
        conn,
        &NewPetitionRow {
            tracking_no: &tracking_no,
            kind,
            category_id: category,
            urgency,
            title,
            content,
            address: Some(&address),
            latitude: Some(35.2 + (rng.below(1000) as f64) / 10_000.0),
            longitude: Some(113.2 + (rng.below(1000) as f64) / 10_000.0),
            source: ["app", "app", "web", "phone", "wechat"][rng.below(5)],
            partner_id: None,
            submitter_id: citizen,
            contact_name: None,
            contact_phone: Some("13812345678"),
            anonymous: rng.below(10) == 0,
            publish_consent: rng.below(3) > 0,
            status: status.as_str(),
            version: 1,
            redo_count: 0,
            supervised: rng.below(15) == 0,
            created_at: created,
            updated_at: created,
        },
    )?
    .id;
    let event = |conn: &mut DbConn,
                 action: Action,
                 actor: i64,
                 role: Role,
                 unit: Option<i64>,
                 to: PetitionStatus,
                 at: NaiveDateTime,
                 note: Option<&str>| {
        db::petitions::insert_event(
            conn,
            &NewEventRow {
                petition_id: id,
                action: action.as_str(),
                actor_id: actor,
                actor_role: role.as_str(),
                actor_unit_id: unit,
                from_status: None,
                to_status: Some(to.as_str()),
                assignment_id: None,
                note,
                created_at: at,
            },
        )
    };
    event(
        conn,
        Action::Submit,
        citizen,
        Role::Citizen,
        None,
        PetitionStatus::Submitted,
        created,
        None,
    )?;
    use PetitionStatus::*;
    let rank = |s: PetitionStatus| match s {
        Submitted | NeedsInfo | Rejected | Merged | Withdrawn => 0,
        Accepted => 1,
        Dispatched => 2,
        Handling => 3,
        Replied => 4,
        Closed => 5,
    };
    let r = rank(status);
    match status {
        Rejected => event(
            conn,
            Action::Reject,
            city.operator,
            Role::Operator,
            Some(city.office.id),
            Rejected,
            step(1),
            Some("不属于受理范围"),
        )?,
        Withdrawn => event(
            conn,
            Action::Withdraw,
            citizen,
            Role::Citizen,
            None,
            Withdrawn,
            step(1),
            None,
        )?,
        NeedsInfo => event(
            conn,
            Action::RequestInfo,
            city.operator,
            Role::Operator,
            Some(city.office.id),
            NeedsInfo,
            step(1),
            Some("请补充具体地址"),
        )?,
        _ => 0,
    };
    if r >= 1 {
        event(
            conn,
            Action::Accept,
            city.operator,
            Role::Operator,
            Some(city.office.id),
            Accepted,
            step(1),
            None,
        )?;
    }
    if r >= 2 {
        let reply_by = step(2) + Duration::days(7);
        let aid = db::petitions::insert_assignment(
            conn,
            &NewAssignmentRow {
                petition_id: id,
                unit_id: unit.id,
                unit_path: &unit.path,
                role: "lead",
                parent_id: None,
                state: if r >= 4 {
                    "replied"
                } else if r == 3 {
                    "handling"
                } else {
                    "pending"
                },
                sign_by: Some(step(2) + Duration::days(1)),
                reply_by,
                yellow_at: Some(reply_by - Duration::days(2)),
                created_at: step(2),
            },
        )?;
        if r >= 3 {
            db::petitions::update_assignment(
                conn,
                aid,
                &db::petitions::AssignmentChanges {
                    signed_at: Some(Some(step(3))),
                    replied_at: Some((r >= 4).then(|| step(4))),
                    ..Default::default()
                },
            )?;
        }
        diesel::update(crate::db::schema::petitions::table.find(id))
            .set(crate::db::schema::petitions::reply_by.eq(Some(reply_by)))
            .execute(conn)?;
        event(
            conn,
            Action::Dispatch,
            city.operator,
            Role::Operator,
            Some(city.office.id),
            Dispatched,
            step(2),
            None,
        )?;
        if r >= 3 {
            event(
                conn,
                Action::Sign,
                handler,
                Role::Handler,
                Some(unit.id),
                Handling,
                step(3),
                None,
            )?;
        }
        if r >= 4 {
            let outcome = [
                "resolved",
                "resolved",
                "resolved",
                "partially_resolved",
                "explained",
                "unresolvable",
            ][rng.below(6)];
            db::petitions::insert_reply(
                conn,
                &NewReplyRow {
                    petition_id: id,
                    assignment_id: Some(aid),
                    unit_id: Some(unit.id),
                    author_id: handler,
                    body: "经核实，已安排专人处理，并已电话告知诉求人处理结果。",
                    outcome,
                    public: true,
                    created_at: step(4),
                },
            )?;
            event(
                conn,
                Action::Reply,
                handler,
                Role::Handler,
                Some(unit.id),
                Replied,
                step(4),
                None,
            )?;
        }
        if r >= 5 {
            let satisfaction = [
                "satisfied",
                "satisfied",
                "satisfied",
                "basically_satisfied",
                "dissatisfied",
            ][rng.below(5)];
            db::petitions::insert_visit(
                conn,
                &NewVisitRow {
                    petition_id: id,
                    kind: "rating",
                    author_id: citizen,
                    satisfaction,
                    resolved: satisfaction != "dissatisfied",
                    contacted: rng.below(10) > 0,
                    comment: None,
                    created_at: step(6),
                },
            )?;
            event(
                conn,
                Action::Rate,
                citizen,
                Role::Citizen,
                None,
                Closed,
                step(6),
                None,
            )?;
            diesel::update(crate::db::schema::petitions::table.find(id))
                .set(crate::db::schema::petitions::closed_at.eq(closed))
                .execute(conn)?;
        }
    }
    Ok(())
}

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};

fn rng_hours(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp().rem_euclid(97)
}

/// Older petitions are mostly finished; recent ones are still moving.
fn status_for(rng: &mut Rng, age_days: i64) -> PetitionStatus {
    use PetitionStatus::*;
    let roll = rng.below(100);
    match age_days {
        0..=1 => [
            Submitted, Submitted, Accepted, Dispatched, Handling, NeedsInfo,
        ][roll % 6],
        2..=7 => match roll {
            0..=9 => Dispatched,
            10..=39 => Handling,
            40..=64 => Replied,
            65..=89 => Closed,
            90..=94 => Rejected,
            _ => Withdrawn,
        },
        _ => match roll {
            0..=3 => Handling,
            4..=11 => Replied,
            12..=91 => Closed,
            92..=96 => Rejected,
            _ => Withdrawn,
        },
    }
}

/// Seeds the city and `petitions` petitions over the last `days` days. Returns the demo
/// accounts it created (empty if they existed).
pub fn seed(conn: &mut DbConn, petitions: usize, days: i64) -> Result<Credentials, String> {
    use diesel::Connection;
    let mut creds = Credentials(Vec::new());
    let city = conn
        .transaction(|conn| {
            city(conn, &mut creds).map_err(|e| diesel::result::Error::QueryBuilderError(e.into()))
        })
        .map_err(|e| e.to_string())?;
    let now = db::now();
    let mut rng = Rng(0x6d69_6e68_7521_2026 ^ petitions as u64);
    let minutes = days * 24 * 60;
    let mut done = 0;
    while done < petitions {
        let batch = (petitions - done).min(1_000);
        conn.transaction(|conn| {
            for _ in 0..batch {
                let ago = (rng.next() % minutes as u64) as i64;
                let created = now_minus(now, ago.max(30));
                let status = status_for(&mut rng, ago / (24 * 60));
                petition(conn, &city, &mut rng, created, status)?;
            }
            Ok::<_, diesel::result::Error>(())
        })
        .map_err(|e| e.to_string())?;
        done += batch;
    }
    // Figures for the history just written, computed the way every action keeps them.
    db::figures::rebuild(conn, true).map_err(|e| e.to_string())?;
    db::duplicates::rebuild(conn, |_| {}).map_err(|e| e.to_string())?;
    Ok(creds)
}

/// Whether the database has any petition (the run command seeds the demo city only into an
/// empty one).
pub fn is_empty(conn: &mut DbConn) -> Result<bool, String> {
    use crate::db::schema::petitions;
    petitions::table
        .select(petitions::id)
        .first::<i64>(conn)
        .optional()
        .map(|p| p.is_none())
        .map_err(|e| e.to_string())
}

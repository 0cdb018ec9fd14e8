//! Who is told what (`api.md`, "Notifications"): the events each action causes and for whom,
//! their texts in one place (zh-CN, with the tracking number and nothing personal about anyone
//! else: titles are masked as the public sees them), and the SMS quiet hours.

use chrono::{Duration, NaiveDateTime, Timelike};
use minhu_types::{Action, PetitionStatus};

use crate::domain::privacy::mask_text;

/// What a notification says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Received,
    NeedsInfo,
    Accepted,
    Replied,
    Closed,
    Redo,
    Rejected,
    Merged,
    OrderNew,
    OrderYellow,
    OrderRed,
    RequestDecided,
    Emergency,
}

/// Whom an event is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The petitioner: their account, or by SMS the caller the hotline office registered.
    Petitioner,
    /// The handlers of the unit holding the order the event is about.
    Unit,
    /// Every leader.
    Leaders,
}

impl Event {
    pub const ALL: [Event; 13] = [
        Event::Received,
        Event::NeedsInfo,
        Event::Accepted,
        Event::Replied,
        Event::Closed,
        Event::Redo,
        Event::Rejected,
        Event::Merged,
        Event::OrderNew,
        Event::OrderYellow,
        Event::OrderRed,
        Event::RequestDecided,
        Event::Emergency,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Event::Received => "petition.received",
            Event::NeedsInfo => "petition.needs_info",
            Event::Accepted => "petition.accepted",
            Event::Replied => "petition.replied",
            Event::Closed => "petition.closed",
            Event::Redo => "petition.redo",
            Event::Rejected => "petition.rejected",
            Event::Merged => "petition.merged",
            Event::OrderNew => "order.new",
            Event::OrderYellow => "order.yellow",
            Event::OrderRed => "order.red",
            Event::RequestDecided => "order.request_decided",
            Event::Emergency => "petition.emergency",
        }
    }

    pub fn audience(self) -> Audience {
        match self {
            Event::OrderNew | Event::OrderYellow | Event::OrderRed | Event::RequestDecided => {
                Audience::Unit
            }
            Event::Emergency => Audience::Leaders,
            _ => Audience::Petitioner,
        }
    }
}

/// The events a timeline event causes: `action` moved the petition `from` → `to` (both `None`
/// for an event without a change of status, e.g. an order marked overdue).
pub fn events_for(
    action: Action,
    from: Option<PetitionStatus>,
    to: Option<PetitionStatus>,
    emergency: bool,
) -> Vec<Event> {
    let entered = |s: PetitionStatus| to == Some(s) && from != Some(s);
    let mut out = Vec::new();
    match action {
        Action::Submit => {
            out.push(Event::Received);
            if emergency {
                out.push(Event::Emergency);
            }
        }
        Action::RequestInfo => out.push(Event::NeedsInfo),
        Action::Accept => out.push(Event::Accepted),
        Action::Reject => out.push(Event::Rejected),
        Action::Merge => out.push(Event::Merged),
        Action::Redo => out.push(Event::Redo),
        Action::Dispatch | Action::DispatchDown => out.push(Event::OrderNew),
        Action::Overdue => out.push(Event::OrderRed),
        Action::ApproveReturn
        | Action::RefuseReturn
        | Action::ApproveExtension
        | Action::RefuseExtension => out.push(Event::RequestDecided),
        _ => {}
    }
    if entered(PetitionStatus::Replied) {
        out.push(Event::Replied);
    }
    if entered(PetitionStatus::Closed) {
        out.push(Event::Closed);
    }
    out
}

/// What a message is about.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub tracking_no: &'a str,
    pub title: &'a str,
    pub action: Action,
    /// The timeline event's note (a refusal's reason, what to supplement).
    pub note: Option<&'a str>,
    /// The latest reply, for `petition.replied`.
    pub reply: Option<&'a str>,
}

/// At most `n` characters of `s`, with an ellipsis when cut.
fn cut(s: &str, n: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(n).collect();
        out.push('…');
        out
    }
}

/// The title and text of a message, as the app shows it and the SMS and e-mail carry it.
pub fn render(event: Event, f: &Facts<'_>) -> (String, String) {
    let no = f.tracking_no;
    let title = cut(&mask_text(f.title), 30);
    let note = f.note.map(|n| cut(&mask_text(n), 60));
    let (head, body) = match event {
        Event::Received => (
            "诉求已收到",
            format!("您的诉求「{title}」已提交，编号 {no}，可凭编号随时查询办理进度。"),
        ),
        Event::NeedsInfo => (
            "请补充诉求材料",
            match note {
                Some(n) => format!("您的诉求 {no}「{title}」需要补充材料：{n}。"),
                None => format!("您的诉求 {no}「{title}」需要补充材料。"),
            },
        ),
        Event::Accepted => (
            "诉求已受理",
            format!("您的诉求 {no}「{title}」已受理，正在交办承办单位。"),
        ),
        Event::Replied => (
            "诉求已答复",
            match f.reply {
                Some(r) => format!(
                    "您的诉求 {no}「{title}」已答复：{}。请对办理结果进行评价。",
                    cut(&mask_text(r), 80).trim_end_matches(['。', '.', '！', '!', '；', ';'])
                ),
                None => format!("您的诉求 {no}「{title}」已答复，请对办理结果进行评价。"),
            },
        ),
        Event::Closed => (
            "诉求已办结",
            format!("您的诉求 {no}「{title}」已办结，感谢您的参与。"),
        ),
        Event::Redo => (
            "诉求已发回重办",
            format!("您的诉求 {no}「{title}」已发回承办单位重新办理。"),
        ),
        Event::Rejected => (
            "诉求不予受理",
            match note {
                Some(n) => format!("您的诉求 {no}「{title}」不予受理：{n}。"),
                None => format!("您的诉求 {no}「{title}」不予受理。"),
            },
        ),
        Event::Merged => (
            "诉求已并单办理",
            format!("您的诉求 {no}「{title}」与相同事项合并办理，进度随主工单更新。"),
        ),
        Event::OrderNew => (
            "新工单",
            format!("新派工单 {no}「{title}」，请按时签收办理。"),
        ),
        Event::OrderYellow => (
            "工单临期",
            format!("工单 {no}「{title}」即将到达答复期限，请抓紧办理。"),
        ),
        Event::OrderRed => (
            "工单超期",
            format!("工单 {no}「{title}」已超过答复期限，请尽快答复。"),
        ),
        Event::RequestDecided => (
            "申请已处理",
            format!("工单 {no}「{title}」的申请已处理：{}。", f.action.label()),
        ),
        Event::Emergency => (
            "紧急诉求",
            format!("收到紧急诉求 {no}「{title}」，请关注处置。"),
        ),
    };
    (head.to_owned(), body)
}

/// What a follower of a published petition is told of its public milestones (accepted,
/// replied, closed); `None` for anything else.
pub fn render_for_follower(event: Event, f: &Facts<'_>) -> Option<(String, String)> {
    let what = match event {
        Event::Accepted => "已受理",
        Event::Replied => "已答复",
        Event::Closed => "已办结",
        _ => return None,
    };
    let title = cut(&mask_text(f.title), 30);
    Some((
        format!("关注的诉求{what}"),
        format!(
            "您关注的诉求 {}「{title}」{what}，点击查看办理详情。",
            f.tracking_no
        ),
    ))
}

/// The SMS text of a message: its text, and the link to act on when there is one.
pub fn sms_text(body: &str, link: Option<&str>, public_url: &str) -> String {
    match link {
        Some(l) if l.starts_with("/r/") => format!("【民呼必应】{body}评价请点击 {public_url}{l}"),
        _ => format!("【民呼必应】{body}"),
    }
}

/// The quiet hours for SMS, by the hour in Asia/Shanghai: `[from, to)`, through midnight when
/// `from > to` (`22-8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub from: u32,
    pub to: u32,
}

impl QuietHours {
    /// `22-8`; empty for none.
    pub fn parse(s: &str) -> Result<Option<QuietHours>, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        let hour = |h: &str| h.trim().parse::<u32>().ok().filter(|h| *h < 24);
        match s.split_once('-').map(|(a, b)| (hour(a), hour(b))) {
            Some((Some(from), Some(to))) if from != to => Ok(Some(QuietHours { from, to })),
            _ => Err(format!(
                "expected FROM-TO in hours 0–23 such as 22-8 (or empty for none), got {s:?}"
            )),
        }
    }

    fn holds(self, hour: u32) -> bool {
        if self.from < self.to {
            (self.from..self.to).contains(&hour)
        } else {
            hour >= self.from || hour < self.to
        }
    }

    /// When an SMS due at `at` (UTC) may go: `None` now, else the end of the quiet hours.
    pub fn held_until(self, at: NaiveDateTime) -> Option<NaiveDateTime> {
        let offset = Duration::hours(8);
        let local = at + offset;
        if !self.holds(local.hour()) {
            return None;
        }
        let mut end = local.date().and_hms_opt(self.to, 0, 0)? - offset;
        if end <= at {
            end += Duration::days(1);
        }
        Some(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn utc(d: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, d)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .expect("time")
    }

    #[test]
    fn quiet_hours_hold_sms_until_eight_in_shanghai() {
        let q = QuietHours::parse("22-8").expect("ok").expect("some");
        // 13:59 UTC is 21:59 in Shanghai: goes now.
        assert_eq!(q.held_until(utc(1, 13, 59)), None);
        // 14:00 UTC is 22:00: held to 08:00 the next morning (00:00 UTC).
        assert_eq!(q.held_until(utc(1, 14, 0)), Some(utc(2, 0, 0)));
        // 23:30 UTC is 07:30 the next day: held half an hour.
        assert_eq!(q.held_until(utc(1, 23, 30)), Some(utc(2, 0, 0)));
        // 00:00 UTC is 08:00: goes.
        assert_eq!(q.held_until(utc(2, 0, 0)), None);
        let day = QuietHours::parse("12-14").expect("ok").expect("some");
        assert_eq!(day.held_until(utc(1, 4, 30)), Some(utc(1, 6, 0)));
        assert_eq!(day.held_until(utc(1, 6, 0)), None);
        assert_eq!(QuietHours::parse("").expect("ok"), None);
        for bad in ["22", "22-", "25-8", "8-8", "a-b"] {
            assert!(QuietHours::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_event_has_its_name_audience_and_text() {
        let f = Facts {
            tracking_no: "20261201-0001",
            title: "小区门口路灯不亮，联系 13812345678",
            action: Action::ApproveExtension,
            note: Some("请补充照片"),
            reply: Some("已修复，请您验收。"),
        };
        let mut names = std::collections::HashSet::new();
        for e in Event::ALL {
            assert!(names.insert(e.as_str()), "{} twice", e.as_str());
            let (title, body) = render(e, &f);
            assert!(!title.is_empty());
            assert!(body.contains("20261201-0001"), "{body}");
            assert!(!body.contains("。。"), "{body}");
            // Nobody's phone number in any message, the petitioner's own included.
            assert!(!body.contains("13812345678"), "{body}");
        }
    }

    #[test]
    fn actions_cause_the_contracts_events() {
        use PetitionStatus::*;
        let ev = |a, f, t| events_for(a, f, t, false);
        assert_eq!(ev(Action::Submit, None, Some(Submitted)), [Event::Received]);
        assert_eq!(
            events_for(Action::Submit, None, Some(Submitted), true),
            [Event::Received, Event::Emergency]
        );
        assert_eq!(
            ev(Action::Reply, Some(Handling), Some(Replied)),
            [Event::Replied]
        );
        assert_eq!(
            ev(Action::AnswerDirectly, Some(Accepted), Some(Replied)),
            [Event::Replied]
        );
        assert_eq!(
            ev(Action::Rate, Some(Replied), Some(Closed)),
            [Event::Closed]
        );
        assert_eq!(
            ev(Action::AutoClose, Some(Replied), Some(Closed)),
            [Event::Closed]
        );
        assert_eq!(ev(Action::Overdue, None, None), [Event::OrderRed]);
        assert_eq!(
            ev(Action::Dispatch, Some(Accepted), Some(Dispatched)),
            [Event::OrderNew]
        );
        assert!(ev(Action::Progress, Some(Handling), Some(Handling)).is_empty());
        assert!(ev(Action::Supervise, Some(Handling), Some(Handling)).is_empty());
    }

    #[test]
    fn followers_hear_the_public_milestones_only() {
        let f = Facts {
            tracking_no: "20261201-0001",
            title: "路灯不亮 13812345678",
            action: Action::Reply,
            note: None,
            reply: Some("已修复，联系人 13912345678"),
        };
        for e in Event::ALL {
            let told = render_for_follower(e, &f);
            assert_eq!(
                told.is_some(),
                matches!(e, Event::Accepted | Event::Replied | Event::Closed),
                "{e:?}"
            );
            if let Some((_, body)) = told {
                assert!(
                    body.contains("20261201-0001") && !body.contains("1381234"),
                    "{body}"
                );
                assert!(
                    !body.contains("已修复"),
                    "a follower is not told the reply: {body}"
                );
            }
        }
    }

    #[test]
    fn sms_links_only_to_rating() {
        assert_eq!(
            sms_text("您的诉求已答复。", Some("/r/abc"), "https://m.example.cn"),
            "【民呼必应】您的诉求已答复。评价请点击 https://m.example.cn/r/abc"
        );
        assert_eq!(
            sms_text("新派工单。", Some("/petitions/3"), "https://m.example.cn"),
            "【民呼必应】新派工单。"
        );
    }
}

//! The vocabulary of `domain.md`: each enum travels as its lowercase snake_case name, is stored
//! in the database under the same name, and has a Chinese label for people.

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use serde::{Deserialize, Serialize};

/// A value of the vocabulary: one of the enums below, turned into its wire name (lowercase
/// letters, digits and underscores) by `Into<&'static str>` — which a plain `&'static str`
/// has too, but not this mark.
pub trait Vocabulary: Copy + Into<&'static str> {}

/// Declares a string enum with its wire name and Chinese label.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal / $zh:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The name on the wire and in the database.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)+ }
            }

            /// The name people read (zh-CN).
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $zh,)+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($wire => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Vocabulary for $name {}

        impl From<$name> for &'static str {
            fn from(v: $name) -> &'static str {
                v.as_str()
            }
        }

        /// How a stored value is read back: a name this version does not know is an error,
        /// never a guess.
        impl TryFrom<String> for $name {
            type Error = UnknownValue;
            fn try_from(value: String) -> Result<Self, UnknownValue> {
                Self::parse(&value).ok_or(UnknownValue { kind: stringify!($name), value })
            }
        }
    };
}

/// A stored name that is not one of its enum's values (a row written by hand or by a newer
/// version): reading it fails instead of defaulting to some other value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown {} value {:?} in the database",
            self.kind, self.value
        )
    }
}

impl std::error::Error for UnknownValue {}

string_enum! {
    /// Who a caller is; carried in the token and enforced per endpoint.
    Role {
        /// A resident using the app or the web.
        Citizen = "citizen" / "市民",
        /// 12345 hotline office (热线办).
        Operator = "operator" / "热线办",
        /// Staff of a handling unit (承办单位).
        Handler = "handler" / "承办单位",
        /// Newspaper journalist or editor.
        Reporter = "reporter" / "记者",
        /// City or district leadership.
        Leader = "leader" / "领导",
        /// Platform administrator.
        Admin = "admin" / "管理员",
        /// An API client: newspaper app backend, county portal, Open311 client.
        Partner = "partner" / "合作方",
        /// The platform's own scheduled jobs (no one logs in as it).
        System = "system" / "系统",
    }
}

string_enum! {
    /// The kind of a unit in the handling tree.
    UnitKind {
        HotlineOffice = "hotline_office" / "热线办",
        District = "district" / "县区",
        Department = "department" / "市直部门",
        Street = "street" / "街道",
        Town = "town" / "乡镇",
        Community = "community" / "社区/村",
        Grid = "grid" / "网格",
    }
}

string_enum! {
    /// What a petition asks for.
    PetitionKind {
        Consultation = "consultation" / "咨询",
        Help = "help" / "求助",
        Complaint = "complaint" / "投诉",
        Report = "report" / "举报",
        Suggestion = "suggestion" / "建言献策",
        Civility = "civility" / "文明城市创建",
    }
}

string_enum! {
    Urgency {
        /// Risk to life or property.
        Emergency = "emergency" / "紧急",
        /// 急难愁盼.
        Urgent = "urgent" / "加急",
        Normal = "normal" / "一般",
    }
}

string_enum! {
    /// Where a petition came from.
    Source {
        App = "app" / "客户端",
        Web = "web" / "网页",
        Phone = "phone" / "电话",
        Wechat = "wechat" / "微信",
        Partner = "partner" / "合作平台",
        Open311 = "open311" / "Open311",
    }
}

string_enum! {
    /// The status of a petition (诉求工单状态); `domain.md`, "Lifecycle".
    PetitionStatus {
        Submitted = "submitted" / "待受理",
        NeedsInfo = "needs_info" / "待补充",
        Accepted = "accepted" / "已受理待派单",
        Dispatched = "dispatched" / "待签收",
        Handling = "handling" / "办理中",
        Replied = "replied" / "已答复待回访",
        Closed = "closed" / "已办结",
        Rejected = "rejected" / "不予受理",
        Merged = "merged" / "已并单",
        Withdrawn = "withdrawn" / "已撤回",
    }
}

impl PetitionStatus {
    /// Whether the petition has ended: closed (a redo may still reopen it), refused, merged or
    /// withdrawn. Nothing is added to an ended petition (photos), and it is no longer a
    /// candidate repeat of a new one.
    pub fn has_ended(self) -> bool {
        matches!(
            self,
            PetitionStatus::Closed
                | PetitionStatus::Rejected
                | PetitionStatus::Merged
                | PetitionStatus::Withdrawn
        )
    }
}

string_enum! {
    /// A unit's part in an order.
    AssignmentRole {
        /// 主办: answers to the citizen.
        Lead = "lead" / "主办",
        /// 协办: reports to the lead.
        Assist = "assist" / "协办",
    }
}

string_enum! {
    /// Where one unit's assignment stands.
    AssignmentState {
        Pending = "pending" / "待签收",
        Handling = "handling" / "办理中",
        Replied = "replied" / "已答复",
        Returned = "returned" / "已退回",
    }
}

string_enum! {
    /// A request a unit made that the hotline office must decide.
    RequestKind {
        Return = "return" / "退回申请",
        Extension = "extension" / "延期申请",
    }
}

string_enum! {
    Outcome {
        Resolved = "resolved" / "已解决",
        PartiallyResolved = "partially_resolved" / "部分解决",
        /// 政策解释.
        Explained = "explained" / "政策解释",
        Unresolvable = "unresolvable" / "无法解决",
    }
}

string_enum! {
    Satisfaction {
        Satisfied = "satisfied" / "满意",
        BasicallySatisfied = "basically_satisfied" / "基本满意",
        Dissatisfied = "dissatisfied" / "不满意",
    }
}

string_enum! {
    /// Who gave a rating: the petitioner, or an operator's follow-up call (回访).
    VisitKind {
        Rating = "rating" / "评价",
        Visit = "visit" / "回访",
    }
}

string_enum! {
    /// Everything that can happen to a petition; each is an event on its timeline.
    Action {
        Submit = "submit" / "提交",
        Accept = "accept" / "受理",
        Reject = "reject" / "不予受理",
        Merge = "merge" / "并单",
        AnswerDirectly = "answer" / "直接答复",
        RequestInfo = "request_info" / "要求补充",
        Supplement = "supplement" / "补充材料",
        Withdraw = "withdraw" / "撤回",
        Dispatch = "dispatch" / "派单",
        Sign = "sign" / "签收",
        RequestReturn = "request_return" / "申请退回",
        ApproveReturn = "approve_return" / "同意退回",
        RefuseReturn = "refuse_return" / "驳回退回",
        DispatchDown = "dispatch_down" / "下派",
        Progress = "progress" / "办理进展",
        RequestExtension = "request_extension" / "申请延期",
        ApproveExtension = "approve_extension" / "同意延期",
        RefuseExtension = "refuse_extension" / "驳回延期",
        Reply = "reply" / "答复",
        Rate = "rate" / "评价",
        Visit = "visit" / "回访",
        Redo = "redo" / "发回重办",
        Supervise = "supervise" / "督办",
        FollowUp = "follow_up" / "记者追访",
        /// The reply deadline passed (marked by the platform).
        Overdue = "overdue" / "超期",
        /// Closed by the platform: no rating within the rating period.
        AutoClose = "auto_close" / "自动办结",
        /// 不合理诉求: left out of scoring.
        MarkUnreasonable = "mark_unreasonable" / "认定不合理诉求",
        /// 考核申诉 by the handling unit.
        Appeal = "appeal" / "考核申诉",
        GrantAppeal = "grant_appeal" / "同意申诉",
        RefuseAppeal = "refuse_appeal" / "驳回申诉",
        /// Picked by a reporter for the briefing (典型案例).
        MarkTypical = "mark_typical" / "选为典型案例",
        /// What the public sees of it, decided by the press or an administrator (内容审核).
        Moderate = "moderate" / "内容审核",
    }
}

string_enum! {
    /// The order of the public feed.
    FeedSort {
        /// Newest first (the default).
        Newest = "newest" / "最新",
        /// Most supported first (我也遇到), then newest.
        Supporters = "supporters" / "我也遇到最多",
    }
}

string_enum! {
    /// How close an order is to its deadline.
    Light {
        Green = "green" / "正常",
        /// Less than two working days (or a fifth of the allowed time) left.
        Yellow = "yellow" / "临期",
        /// Overdue.
        Red = "red" / "超期",
    }
}

string_enum! {
    /// The unit of a time limit.
    SpanUnit {
        Minutes = "minutes" / "分钟",
        Hours = "hours" / "小时",
        /// Calendar days.
        Days = "days" / "天",
        /// Working days by the calendar (weekends, holidays, 调休).
        WorkingDays = "working_days" / "个工作日",
    }
}

impl UnitKind {
    /// Depth in the tree: a unit's parent must have a smaller level than the unit itself.
    pub fn level(self) -> u8 {
        match self {
            UnitKind::HotlineOffice => 0,
            UnitKind::District | UnitKind::Department => 1,
            UnitKind::Street | UnitKind::Town => 2,
            UnitKind::Community => 3,
            UnitKind::Grid => 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
            let json = serde_json::to_string(r).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(Role::parse("root"), None);
    }
}

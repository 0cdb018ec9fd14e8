//! Every string the app shows, in Simplified Chinese (the default language).

pub const PRODUCT: &str = "民呼必应";
pub const TAGLINE: &str = "报社与 12345 政务服务便民热线共建的诉求平台";
pub const INTRO_TITLE: &str = "有诉求，找民呼必应";
pub const INTRO: &str = "市民在这里反映身边的急难愁盼，热线办受理后派给责任单位限时办理，\
    单位答复后由您评价，记者跟踪报道，每月公开各单位的办理排行。";
pub const STEPS: &[(&str, &str)] = &[
    ("提交诉求", "写下问题、地址和照片，获得查询编号"),
    ("热线受理", "12345 热线办受理并派给责任单位"),
    ("限时办理", "单位签收、办理并在时限内答复"),
    ("评价公开", "您评价办理结果，排行每月公开"),
];
pub const LOGIN_TITLE: &str = "登录";
pub const USERNAME: &str = "用户名";
pub const PASSWORD: &str = "密码";
pub const LOGIN: &str = "登录";
pub const LOGGING_IN: &str = "正在登录…";
pub const LOGOUT: &str = "退出登录";
pub const NO_ACCOUNT: &str = "还没有账号？市民可在报社客户端或本站注册。";
pub const FOOTER: &str = "民呼必应 · 个人信息仅用于办理您的诉求";
pub const NEED_USERNAME: &str = "请输入用户名";
pub const NEED_PASSWORD: &str = "请输入密码";
pub const NETWORK_ERROR: &str = "无法连接服务器，请检查网络后重试";

pub fn welcome(name: &str) -> String {
    format!("欢迎，{name}")
}

pub fn signed_in_as(username: &str, role: &str) -> String {
    format!("已登录：{username}（{role}）")
}

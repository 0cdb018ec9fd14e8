//! The app's addresses. The server answers every non-API path with `index.html`, so each page
//! has a real URL that can be bookmarked, shared and reloaded.

use minhu_types::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    Rankings,
    /// The public knowledge base (帮打听).
    Knowledge,
    /// A published petition's public page, by tracking number.
    Public(String),
    Login,
    Register,
    Submit,
    /// The hotline office registers a call (接线登记).
    Intake,
    Mine,
    Petitions,
    Petition(i64),
    Inbox,
    Approvals,
    Supervision,
    Dashboard,
    Briefings,
    /// Counts by category or area against the previous period and a year earlier (趋势):
    /// leaders, reporters and the hotline office.
    Trends,
    /// The editors' queue of readers' reports (审核队列): reporters and administrators.
    Moderation,
    Admin(AdminTab),
    /// The signed-in user's messages (消息).
    Messages,
    /// The signed-in user's account and notification settings.
    Account,
    /// One-tap rating of a reply (一事一评), by the token the reply's message links to; no
    /// login needed.
    Rate(String),
    NotFound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminTab {
    Units,
    Users,
    Categories,
    Partners,
    Dispatch,
}

impl AdminTab {
    pub const ALL: [AdminTab; 5] = [
        AdminTab::Units,
        AdminTab::Users,
        AdminTab::Categories,
        AdminTab::Dispatch,
        AdminTab::Partners,
    ];

    fn slug(self) -> &'static str {
        match self {
            AdminTab::Units => "units",
            AdminTab::Users => "users",
            AdminTab::Categories => "categories",
            AdminTab::Partners => "partners",
            AdminTab::Dispatch => "dispatch",
        }
    }
}

impl Route {
    pub fn parse(path: &str) -> Route {
        let path = path.split(['?', '#']).next().unwrap_or("");
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match parts.as_slice() {
            [] => Route::Home,
            ["rankings"] => Route::Rankings,
            ["knowledge"] => Route::Knowledge,
            ["t", no] if valid_tracking_no(no) => Route::Public((*no).to_owned()),
            ["login"] => Route::Login,
            ["register"] => Route::Register,
            ["submit"] => Route::Submit,
            ["intake"] => Route::Intake,
            ["mine"] => Route::Mine,
            ["petitions"] => Route::Petitions,
            ["petitions", id] => id
                .parse()
                .ok()
                .filter(|id| *id > 0)
                .map_or(Route::NotFound, Route::Petition),
            ["inbox"] => Route::Inbox,
            ["approvals"] => Route::Approvals,
            ["supervision"] => Route::Supervision,
            ["dashboard"] => Route::Dashboard,
            ["briefings"] => Route::Briefings,
            ["trends"] => Route::Trends,
            ["moderation"] => Route::Moderation,
            ["admin"] => Route::Admin(AdminTab::Units),
            ["admin", tab] => AdminTab::ALL
                .into_iter()
                .find(|t| t.slug() == *tab)
                .map_or(Route::NotFound, Route::Admin),
            ["messages"] => Route::Messages,
            ["account"] => Route::Account,
            ["r", token] if valid_rating_token(token) => Route::Rate((*token).to_owned()),
            _ => Route::NotFound,
        }
    }

    pub fn href(&self) -> String {
        match self {
            Route::Home => "/".into(),
            Route::Rankings => "/rankings".into(),
            Route::Knowledge => "/knowledge".into(),
            Route::Public(no) => format!("/t/{no}"),
            Route::Login => "/login".into(),
            Route::Register => "/register".into(),
            Route::Submit => "/submit".into(),
            Route::Intake => "/intake".into(),
            Route::Mine => "/mine".into(),
            Route::Petitions => "/petitions".into(),
            Route::Petition(id) => format!("/petitions/{id}"),
            Route::Inbox => "/inbox".into(),
            Route::Approvals => "/approvals".into(),
            Route::Supervision => "/supervision".into(),
            Route::Dashboard => "/dashboard".into(),
            Route::Briefings => "/briefings".into(),
            Route::Trends => "/trends".into(),
            Route::Moderation => "/moderation".into(),
            Route::Admin(tab) => format!("/admin/{}", tab.slug()),
            Route::Messages => "/messages".into(),
            Route::Account => "/account".into(),
            Route::Rate(token) => format!("/r/{token}"),
            Route::NotFound => "/".into(),
        }
    }

    /// Pages only officials use: they belong to the work app (the `work` feature, loaded as
    /// `minhu-work.js`), which the residents' app leaves out to load faster. The residents' app
    /// reaches them by loading the page afresh; `index.html` loads the work app for the first
    /// segments of their addresses (its `WORK` list, tested equal to this), and so also for a
    /// petition's page loaded afresh (`/petitions/{id}`; see `needs_work_app_for`).
    pub fn needs_work_app(&self) -> bool {
        matches!(
            self,
            Route::Intake
                | Route::Petitions
                | Route::Inbox
                | Route::Approvals
                | Route::Supervision
                | Route::Dashboard
                | Route::Briefings
                | Route::Trends
                | Route::Moderation
                | Route::Admin(_)
        )
    }

    /// Whether the residents' app hands this page to the work app for a user with `role`: the
    /// work app's pages, and a petition's page for everybody but citizens (the residents' app
    /// has only the petitioner's view of it; officials act on it in the work app).
    pub fn needs_work_app_for(&self, role: Option<Role>) -> bool {
        self.needs_work_app()
            || (matches!(self, Route::Petition(_)) && role.is_some_and(|r| r != Role::Citizen))
    }

    /// Pages that need a signed-in user (the others are public).
    pub fn needs_login(&self) -> bool {
        !matches!(
            self,
            Route::Home
                | Route::Rankings
                | Route::Knowledge
                | Route::Public(_)
                | Route::Login
                | Route::Register
                | Route::Rate(_)
                | Route::NotFound
        )
    }
}

/// A rating link's token as the server writes it (URL-safe characters only): anything else is
/// not one of its links.
pub fn valid_rating_token(token: &str) -> bool {
    (1..=200).contains(&token.len())
        && token
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~'))
}

/// `YYYYMMDD-NNNNNN`: what a citizen types to look a petition up.
pub fn valid_tracking_no(no: &str) -> bool {
    let b = no.as_bytes();
    b.len() == 15
        && b[8] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 8 || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of every kind of address (every administration tab).
    fn every_route() -> Vec<Route> {
        vec![
            Route::Home,
            Route::Rankings,
            Route::Knowledge,
            Route::Public("20261123-000001".into()),
            Route::Login,
            Route::Register,
            Route::Submit,
            Route::Intake,
            Route::Mine,
            Route::Petitions,
            Route::Petition(42),
            Route::Inbox,
            Route::Approvals,
            Route::Supervision,
            Route::Dashboard,
            Route::Briefings,
            Route::Trends,
            Route::Moderation,
            Route::Admin(AdminTab::Units),
            Route::Admin(AdminTab::Users),
            Route::Admin(AdminTab::Categories),
            Route::Admin(AdminTab::Partners),
            Route::Admin(AdminTab::Dispatch),
            Route::Messages,
            Route::Account,
            Route::Rate("abc".into()),
            Route::Rate("Xy7-_q.~9".into()),
            Route::NotFound,
        ]
    }

    #[test]
    fn every_route_round_trips() {
        for r in every_route().into_iter().filter(|r| *r != Route::NotFound) {
            assert_eq!(Route::parse(&r.href()), r, "{}", r.href());
        }
    }

    #[test]
    fn bad_addresses_are_not_found() {
        assert_eq!(Route::parse("/petitions/abc"), Route::NotFound);
        assert_eq!(Route::parse("/petitions/-1"), Route::NotFound);
        assert_eq!(Route::parse("/t/12345"), Route::NotFound);
        assert_eq!(Route::parse("/admin/root"), Route::NotFound);
        assert_eq!(Route::parse("/petitions/7?tab=x"), Route::Petition(7));
        assert!(Route::Submit.needs_login() && !Route::Rankings.needs_login());
    }

    #[test]
    fn messages_and_rating_links() {
        assert_eq!(Route::parse("/messages"), Route::Messages);
        assert_eq!(Route::parse("/messages/"), Route::Messages);
        assert_eq!(Route::parse("/account"), Route::Account);
        assert_eq!(Route::parse("/r/abc"), Route::Rate("abc".into()));
        assert_eq!(Route::parse("/r/abc?utm=sms"), Route::Rate("abc".into()));
        assert_eq!(Route::Rate("abc".into()).href(), "/r/abc");
        // Only the server's own kind of token; nothing to put into a path or a page.
        assert_eq!(Route::parse("/r/"), Route::NotFound);
        assert_eq!(Route::parse("/r/a%20b"), Route::NotFound);
        assert_eq!(Route::parse("/r/a/b"), Route::NotFound);
        assert_eq!(
            Route::parse(&format!("/r/{}", "a".repeat(201))),
            Route::NotFound
        );
        // The petitioner rates without an account; the messages are the account's.
        assert!(!Route::Rate("abc".into()).needs_login());
        assert!(Route::Messages.needs_login() && Route::Account.needs_login());
    }

    #[test]
    fn the_moderation_queue() {
        assert_eq!(Route::parse("/moderation"), Route::Moderation);
        assert_eq!(Route::parse("/moderation/"), Route::Moderation);
        assert_eq!(Route::parse("/moderation?open=true"), Route::Moderation);
        assert_eq!(Route::Moderation.href(), "/moderation");
        assert_eq!(Route::parse("/moderation/7"), Route::NotFound);
        assert!(Route::Moderation.needs_login());
    }

    #[test]
    fn the_trends_page() {
        assert_eq!(Route::parse("/trends"), Route::Trends);
        assert_eq!(Route::parse("/trends/"), Route::Trends);
        assert_eq!(Route::parse("/trends?by=area"), Route::Trends);
        assert_eq!(Route::Trends.href(), "/trends");
        assert_eq!(Route::parse("/trends/2026-10"), Route::NotFound);
        assert!(Route::Trends.needs_login());
    }

    #[test]
    fn the_work_app_has_the_officials_pages() {
        let residents: Vec<Route> = every_route()
            .into_iter()
            .filter(|r| !r.needs_work_app())
            .collect();
        assert_eq!(
            residents,
            [
                Route::Home,
                Route::Rankings,
                Route::Knowledge,
                Route::Public("20261123-000001".into()),
                Route::Login,
                Route::Register,
                Route::Submit,
                Route::Mine,
                Route::Petition(42),
                Route::Messages,
                Route::Account,
                Route::Rate("abc".into()),
                Route::Rate("Xy7-_q.~9".into()),
                Route::NotFound,
            ]
        );
        // A petition's page: the petitioner's view is in both apps, the officials' only in the
        // work app; the signed-out see the login form first.
        let petition = Route::Petition(7);
        assert!(!petition.needs_work_app_for(None));
        assert!(!petition.needs_work_app_for(Some(Role::Citizen)));
        for role in [
            Role::Operator,
            Role::Handler,
            Role::Reporter,
            Role::Leader,
            Role::Admin,
        ] {
            assert!(petition.needs_work_app_for(Some(role)), "{role:?}");
            assert!(!Route::Messages.needs_work_app_for(Some(role)), "{role:?}");
        }
        for r in every_route() {
            assert_eq!(r.needs_work_app_for(None), r.needs_work_app(), "{r:?}");
        }
    }

    /// The first segment of a path, as `index.html` takes it to choose the app.
    fn first_segment(path: &str) -> &str {
        path.split('/').find(|s| !s.is_empty()).unwrap_or("")
    }

    /// `index.html` loads the work app for exactly the first segments of its pages: a list that
    /// cannot drift from `needs_work_app`.
    #[test]
    fn index_html_loads_the_work_app_for_its_pages() {
        let html = include_str!("../static/index.html");
        let list = html
            .split_once("const WORK = [")
            .and_then(|(_, rest)| rest.split_once(']'))
            .expect("index.html has `const WORK = [...]`")
            .0;
        let mut work: Vec<&str> = list
            .split(',')
            .map(|s| s.trim().trim_matches(|c| c == '\'' || c == '"'))
            .filter(|s| !s.is_empty())
            .collect();
        work.sort_unstable();
        let routes = every_route();
        let hrefs: Vec<String> = routes
            .iter()
            .filter(|r| r.needs_work_app())
            .map(Route::href)
            .collect();
        let mut want: Vec<&str> = hrefs.iter().map(|h| first_segment(h)).collect();
        want.sort_unstable();
        want.dedup();
        assert_eq!(work, want);
        // What the loader does with each page: the work app for every one of its pages, and for
        // a petition's page (under /petitions, like the work list), whose officials' view is
        // the work app's; the residents' app for the rest.
        for r in &routes {
            let loads_work = work.contains(&first_segment(&r.href()));
            let expected = r.needs_work_app() || matches!(r, Route::Petition(_));
            assert_eq!(loads_work, expected, "{r:?}");
        }
    }

    #[test]
    fn tracking_numbers() {
        assert!(valid_tracking_no("20261123-000001"));
        assert!(!valid_tracking_no("20261123_000001"));
        assert!(!valid_tracking_no("2026112-0000011"));
    }
}

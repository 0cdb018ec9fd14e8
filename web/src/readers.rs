//! What the signed-in reader did with published petitions while the app is open: which they
//! support (我也遇到) and which they follow. The server's answers carry only the count, not
//! whether this reader is among it, so the app remembers its own presses in memory — for this
//! visit and this account only (a reload or another account starts empty; pressing again is
//! harmless, the server counts an account once). Also what a reader's report (举报不当内容)
//! sends, and how the editors' queue of reports is asked for.

use std::collections::BTreeSet;

use minhu_types::rules::validate_text;
use minhu_types::{FeedSort, FieldError, NewReport};

use crate::api::query;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// 我也遇到: `POST|DELETE /public/petitions/{id}/support`.
    Support,
    /// 关注: `POST|DELETE /petitions/{id}/follow`.
    Follow,
}

impl Mark {
    /// The API path that adds (POST) or takes back (DELETE) this mark on a petition.
    pub fn path(self, petition: i64) -> String {
        match self {
            Mark::Support => format!("/public/petitions/{petition}/support"),
            Mark::Follow => format!("/petitions/{petition}/follow"),
        }
    }
}

/// The presses of one account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    user: Option<i64>,
    supported: BTreeSet<i64>,
    followed: BTreeSet<i64>,
}

impl Marks {
    /// Whether `user` (the signed-in account, if any) pressed `mark` on `petition`.
    pub fn has(&self, user: Option<i64>, mark: Mark, petition: i64) -> bool {
        user.is_some() && self.user == user && self.of(mark).contains(&petition)
    }

    /// Records the server's acceptance of a press (`on`) or of taking it back. Another
    /// account's presses are forgotten first.
    pub fn set(&mut self, user: i64, mark: Mark, petition: i64, on: bool) {
        if self.user != Some(user) {
            *self = Marks {
                user: Some(user),
                ..Marks::default()
            };
        }
        let set = match mark {
            Mark::Support => &mut self.supported,
            Mark::Follow => &mut self.followed,
        };
        if on {
            set.insert(petition);
        } else {
            set.remove(&petition);
        }
    }

    fn of(&self, mark: Mark) -> &BTreeSet<i64> {
        match mark {
            Mark::Support => &self.supported,
            Mark::Follow => &self.followed,
        }
    }
}

/// The public feed's query: `sort` only when it is not the default (newest first), so the
/// default page keeps the address the server's and proxies' caches already hold.
pub fn feed_query(q: &str, category: &str, sort: FeedSort, page: i64, per_page: i64) -> String {
    query(&[
        ("q", Some(q.to_owned())),
        ("category_id", Some(category.to_owned())),
        (
            "sort",
            (sort != FeedSort::Newest).then(|| sort.as_str().to_owned()),
        ),
        ("page", Some(page.to_string())),
        ("per_page", Some(per_page.to_string())),
    ])
}

pub const MAX_REPORT_REASON: usize = 500;

/// 举报不当内容: the path and body of a reader's report on a published petition, or the
/// reason's problem (1–500 characters).
pub fn report_request(petition: i64, reason: &str) -> Result<(String, NewReport), Vec<FieldError>> {
    validate_text("reason", reason, MAX_REPORT_REASON)?;
    Ok((
        format!("/public/petitions/{petition}/reports"),
        NewReport {
            reason: reason.trim().to_owned(),
        },
    ))
}

/// The editors' queue (审核队列): the open reports only, or all of them.
#[cfg(any(test, feature = "work"))]
pub fn reports_query(open_only: bool, page: i64, per_page: i64) -> String {
    query(&[
        ("open", open_only.then(|| "true".to_owned())),
        ("page", Some(page.to_string())),
        ("per_page", Some(per_page.to_string())),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presses_belong_to_the_account_that_made_them() {
        let mut m = Marks::default();
        assert!(!m.has(Some(1), Mark::Support, 7));
        m.set(1, Mark::Support, 7, true);
        assert!(m.has(Some(1), Mark::Support, 7));
        // Supporting is not following, and it is this petition only.
        assert!(!m.has(Some(1), Mark::Follow, 7));
        assert!(!m.has(Some(1), Mark::Support, 8));
        // Signed out, or somebody else: nothing pressed.
        assert!(!m.has(None, Mark::Support, 7));
        assert!(!m.has(Some(2), Mark::Support, 7));
        // Another account's press forgets the first account's.
        m.set(2, Mark::Follow, 9, true);
        assert!(m.has(Some(2), Mark::Follow, 9));
        assert!(!m.has(Some(1), Mark::Support, 7));
        // Taking back.
        m.set(2, Mark::Follow, 9, false);
        assert!(!m.has(Some(2), Mark::Follow, 9));
        m.set(2, Mark::Follow, 9, false);
        assert!(!m.has(Some(2), Mark::Follow, 9));
    }

    #[test]
    fn paths_of_the_marks() {
        assert_eq!(Mark::Support.path(12), "/public/petitions/12/support");
        assert_eq!(Mark::Follow.path(12), "/petitions/12/follow");
    }

    #[test]
    fn the_feed_names_its_order_only_when_not_newest() {
        assert_eq!(
            feed_query("", "", FeedSort::Newest, 1, 10),
            "?page=1&per_page=10"
        );
        assert_eq!(
            feed_query("路灯", "3", FeedSort::Supporters, 2, 10),
            "?q=%E8%B7%AF%E7%81%AF&category_id=3&sort=supporters&page=2&per_page=10"
        );
    }

    #[test]
    fn a_report_needs_a_reason_of_at_most_500_characters() {
        assert_eq!(
            report_request(12, "  标题泄露了邻居的全名 "),
            Ok((
                "/public/petitions/12/reports".to_owned(),
                NewReport {
                    reason: "标题泄露了邻居的全名".into()
                }
            ))
        );
        let field = |r: &str| report_request(12, r).expect_err("invalid")[0].field.clone();
        assert_eq!(field("   "), "reason");
        assert_eq!(field(&"举".repeat(501)), "reason");
        assert!(report_request(12, &"举".repeat(500)).is_ok());
    }

    #[test]
    fn the_queue_asks_for_open_reports_or_all() {
        assert_eq!(reports_query(true, 1, 20), "?open=true&page=1&per_page=20");
        assert_eq!(reports_query(false, 2, 20), "?page=2&per_page=20");
    }
}

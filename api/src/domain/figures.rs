//! Rankings and figures (办理排行, 考核), `domain.md` "Rankings and figures".
//!
//! Each fact counts for the unit and the Asia/Shanghai day on which it happened: an order
//! received on the day it was dispatched to the unit, a signature on the day of signing, an
//! order due on the day of its reply deadline (and completed on time there if answered by it),
//! a reply on the day of replying, a rating or follow-up call and a redo on their days — for
//! the unit whose reply they judge. A petition's [`contributions`] are a pure function of its
//! history; the live figures are kept as the sum of every petition's contributions, and
//! rebuilding recomputes exactly that sum.

use std::collections::BTreeMap;
use std::ops::{AddAssign, Neg};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

use super::calendar::local_date;

/// The counters of one unit on one day (or summed over a period).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub received: i64,
    pub signed: i64,
    pub signed_on_time: i64,
    pub sign_seconds: i64,
    pub due: i64,
    pub completed_on_time: i64,
    pub replied: i64,
    pub reply_seconds: i64,
    pub visits: i64,
    pub contacted: i64,
    pub resolved: i64,
    pub satisfied: i64,
    pub basically_satisfied: i64,
    pub redo: i64,
}

impl AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.received += o.received;
        self.signed += o.signed;
        self.signed_on_time += o.signed_on_time;
        self.sign_seconds += o.sign_seconds;
        self.due += o.due;
        self.completed_on_time += o.completed_on_time;
        self.replied += o.replied;
        self.reply_seconds += o.reply_seconds;
        self.visits += o.visits;
        self.contacted += o.contacted;
        self.resolved += o.resolved;
        self.satisfied += o.satisfied;
        self.basically_satisfied += o.basically_satisfied;
        self.redo += o.redo;
    }
}

impl Neg for Counts {
    type Output = Counts;
    fn neg(self) -> Counts {
        Counts {
            received: -self.received,
            signed: -self.signed,
            signed_on_time: -self.signed_on_time,
            sign_seconds: -self.sign_seconds,
            due: -self.due,
            completed_on_time: -self.completed_on_time,
            replied: -self.replied,
            reply_seconds: -self.reply_seconds,
            visits: -self.visits,
            contacted: -self.contacted,
            resolved: -self.resolved,
            satisfied: -self.satisfied,
            basically_satisfied: -self.basically_satisfied,
            redo: -self.redo,
        }
    }
}

/// One assignment as the figures need it.
#[derive(Debug, Clone)]
pub struct AssignmentHistory {
    pub id: i64,
    pub unit_id: i64,
    pub lead: bool,
    pub returned: bool,
    pub created_at: NaiveDateTime,
    pub sign_by: Option<NaiveDateTime>,
    pub signed_at: Option<NaiveDateTime>,
    pub reply_by: NaiveDateTime,
    pub replied_at: Option<NaiveDateTime>,
}

/// A rating or follow-up call.
#[derive(Debug, Clone)]
pub struct VisitHistory {
    pub at: NaiveDateTime,
    pub contacted: bool,
    pub resolved: bool,
    /// `satisfied`, `basically_satisfied` or `dissatisfied`.
    pub satisfaction: String,
}

/// What the figures need of one petition.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Unreasonable (不合理诉求) or its appeal (考核申诉) granted: received, but not scored.
    pub excluded: bool,
    pub assignments: Vec<AssignmentHistory>,
    /// Units' replies: (when, the replying assignment).
    pub replies: Vec<(NaiveDateTime, i64)>,
    pub visits: Vec<VisitHistory>,
    /// When the order was sent back for redo.
    pub redos: Vec<NaiveDateTime>,
}

pub type Key = (i64, NaiveDate);

/// The unit whose reply stands at `t`: the last unit reply before it.
fn judged_unit(h: &History, t: NaiveDateTime) -> Option<i64> {
    let (_, assignment) = h
        .replies
        .iter()
        .filter(|(at, _)| *at <= t)
        .max_by_key(|(at, a)| (*at, *a))?;
    h.assignments
        .iter()
        .find(|a| a.id == *assignment)
        .map(|a| a.unit_id)
}

/// A petition's share of the figures, by unit and day.
pub fn contributions(h: &History) -> BTreeMap<Key, Counts> {
    let mut out: BTreeMap<Key, Counts> = BTreeMap::new();
    let mut add = |unit: i64, at: NaiveDateTime, c: Counts| {
        *out.entry((unit, local_date(at))).or_default() += c
    };
    for a in &h.assignments {
        add(
            a.unit_id,
            a.created_at,
            Counts {
                received: 1,
                ..Counts::default()
            },
        );
        if h.excluded {
            continue;
        }
        if let Some(signed) = a.signed_at {
            let on_time = a.sign_by.is_none_or(|by| signed <= by);
            let secs = (signed - a.created_at).num_seconds().max(0);
            add(
                a.unit_id,
                signed,
                Counts {
                    signed: 1,
                    signed_on_time: i64::from(on_time),
                    sign_seconds: secs,
                    ..Counts::default()
                },
            );
        }
        if a.lead && !a.returned {
            let on_time = a.replied_at.is_some_and(|r| r <= a.reply_by);
            add(
                a.unit_id,
                a.reply_by,
                Counts {
                    due: 1,
                    completed_on_time: i64::from(on_time),
                    ..Counts::default()
                },
            );
        }
    }
    if h.excluded {
        return out;
    }
    for (at, assignment) in &h.replies {
        if let Some(a) = h.assignments.iter().find(|a| a.id == *assignment && a.lead) {
            let secs = (*at - a.created_at).num_seconds().max(0);
            add(
                a.unit_id,
                *at,
                Counts {
                    replied: 1,
                    reply_seconds: secs,
                    ..Counts::default()
                },
            );
        }
    }
    for v in &h.visits {
        if let Some(unit) = judged_unit(h, v.at) {
            add(
                unit,
                v.at,
                Counts {
                    visits: 1,
                    contacted: i64::from(v.contacted),
                    resolved: i64::from(v.resolved),
                    satisfied: i64::from(v.satisfaction == "satisfied"),
                    basically_satisfied: i64::from(v.satisfaction == "basically_satisfied"),
                    ..Counts::default()
                },
            );
        }
    }
    for t in &h.redos {
        if let Some(unit) = judged_unit(h, *t) {
            add(
                unit,
                *t,
                Counts {
                    redo: 1,
                    ..Counts::default()
                },
            );
        }
    }
    out
}

/// `after − before`, without the zero rows.
pub fn difference(
    before: &BTreeMap<Key, Counts>,
    after: &BTreeMap<Key, Counts>,
) -> BTreeMap<Key, Counts> {
    let mut d = after.clone();
    for (k, c) in before {
        *d.entry(*k).or_default() += -*c;
    }
    d.retain(|_, c| *c != Counts::default());
    d
}

pub use minhu_types::ScoreWeights as Weights;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rates {
    pub on_time_sign: Option<f64>,
    pub on_time: Option<f64>,
    pub response: Option<f64>,
    pub resolution: Option<f64>,
    pub satisfaction: Option<f64>,
    pub redo: Option<f64>,
}

fn ratio(n: f64, d: i64) -> Option<f64> {
    (d > 0).then(|| n / d as f64)
}

pub fn rates(c: &Counts) -> Rates {
    Rates {
        on_time_sign: ratio(c.signed_on_time as f64, c.signed),
        on_time: ratio(c.completed_on_time as f64, c.due),
        response: ratio(c.contacted as f64, c.visits),
        resolution: ratio(c.resolved as f64, c.visits),
        satisfaction: ratio(
            c.satisfied as f64 + 0.9 * c.basically_satisfied as f64,
            c.visits,
        ),
        redo: ratio(c.redo as f64, c.replied),
    }
}

/// 0–100, or `None` when no weighted term applies.
pub fn score(r: &Rates, w: &Weights) -> Option<f64> {
    let terms = [
        (w.response, r.response),
        (w.resolution, r.resolution),
        (w.satisfaction, r.satisfaction),
        (w.on_time, r.on_time),
        (w.redo, r.redo.map(|x| 1.0 - x)),
    ];
    let (mut sum, mut weight) = (0.0, 0.0);
    for (wi, x) in terms {
        if let (true, Some(x)) = (wi > 0.0, x) {
            sum += wi * x;
            weight += wi;
        }
    }
    (weight > 0.0).then(|| (100.0 * sum / weight * 100.0).round() / 100.0)
}

/// Ranks of `scores` (`None`: not ranked), best first; equal scores share a rank.
pub fn rank(scores: &[Option<f64>]) -> Vec<Option<u32>> {
    let mut ranked: Vec<f64> = scores.iter().flatten().copied().collect();
    ranked.sort_by(|a, b| b.total_cmp(a));
    scores
        .iter()
        .map(|s| s.map(|s| ranked.iter().position(|x| *x == s).map_or(0, |p| p as u32) + 1))
        .collect()
}

/// The assessment month `year-month`: the calendar month, or with a cut-off day `c` (2–28)
/// from the `c`-th of the month before to the day before the `c`-th ("the 19th to the 18th").
/// Returns the first and last day, inclusive.
pub fn month(year: i32, month: u32, cutoff_day: Option<u32>) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    match cutoff_day {
        None | Some(1) => Some((first, next - Duration::days(1))),
        Some(c) => {
            let prev = if month == 1 {
                NaiveDate::from_ymd_opt(year - 1, 12, c)?
            } else {
                NaiveDate::from_ymd_opt(year, month - 1, c)?
            };
            Some((
                prev,
                NaiveDate::from_ymd_opt(year, month, c)? - Duration::days(1),
            ))
        }
    }
}

/// The latest assessment month (with its cutoff day) that has ended before `today`: what the
/// rankings and the dashboard open on, so that the first days of a month show a whole month
/// instead of an empty one.
pub fn last_complete_month(
    today: NaiveDate,
    cutoff_day: Option<u32>,
) -> Option<(NaiveDate, NaiveDate)> {
    // Start a month ahead (a cutoff puts late days of a month into the next one's period).
    let (mut y, mut m) = if today.month() == 12 {
        (today.year() + 1, 1)
    } else {
        (today.year(), today.month() + 1)
    };
    for _ in 0..4 {
        let period = month(y, m, cutoff_day)?;
        if period.1 < today {
            return Some(period);
        }
        (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    }
    None
}

/// A period named as people name it: an assessment month or an ISO week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Month(i32, u32),
    Week(i32, u32),
}

impl Named {
    /// `YYYY-MM` or `YYYY-Www`.
    pub fn parse(s: &str) -> Option<Named> {
        if let Some((y, w)) = s.split_once("-W") {
            let (y, w) = (y.parse().ok()?, w.parse().ok()?);
            week(y, w).map(|_| Named::Week(y, w))
        } else {
            let (y, m) = s.split_once('-')?;
            let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
            (1..=12).contains(&m).then_some(Named::Month(y, m))
        }
    }

    /// The month a period of `month(…)` ending on `to` is named by.
    pub fn month_ending(to: NaiveDate) -> Named {
        Named::Month(to.year(), to.month())
    }

    /// This period, the one before it (环比) and the same one a year earlier (同比).
    pub fn with_comparisons(self, cutoff_day: Option<u32>) -> Option<[(NaiveDate, NaiveDate); 3]> {
        match self {
            Named::Month(y, m) => {
                let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
                Some([
                    month(y, m, cutoff_day)?,
                    month(py, pm, cutoff_day)?,
                    month(y - 1, m, cutoff_day)?,
                ])
            }
            Named::Week(y, w) => {
                let this = week(y, w)?;
                let seven = Duration::days(7);
                // A year without a 53rd week compares with its last.
                let year_ago = week(y - 1, w).or_else(|| week(y - 1, 52))?;
                Some([this, (this.0 - seven, this.1 - seven), year_ago])
            }
        }
    }
}

/// (now − before) / before; `None` when nothing was counted before.
pub fn change(now: i64, before: i64) -> Option<f64> {
    (before > 0).then(|| (now - before) as f64 / before as f64)
}

/// Splits `from..=to` into the whole calendar months inside it (`YYYY-MM`) and the day ranges
/// left at its edges, so sums read a month's rollup instead of each of its days.
pub fn split(from: NaiveDate, to: NaiveDate) -> (Vec<String>, Vec<(NaiveDate, NaiveDate)>) {
    let mut months = Vec::new();
    let mut edges = Vec::new();
    let mut day = from;
    while day <= to {
        let first = day.with_day(1).unwrap_or(day);
        let next =
            month(day.year(), day.month(), None).map_or(to, |(_, last)| last) + Duration::days(1);
        let last = next - Duration::days(1);
        if day == first && last <= to {
            months.push(day.format("%Y-%m").to_string());
        } else {
            edges.push((day, last.min(to)));
        }
        day = next;
    }
    (months, edges)
}

/// The ISO week `year-Www`, Monday to Sunday.
pub fn week(year: i32, week: u32) -> Option<(NaiveDate, NaiveDate)> {
    let monday = NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)?;
    Some((monday, monday + Duration::days(6)))
}

/// The Monday-to-Sunday week holding `d`.
pub fn week_of(d: NaiveDate) -> (NaiveDate, NaiveDate) {
    let monday = d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
    (monday, monday + Duration::days(6))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(d: u32, h: u32) -> NaiveDateTime {
        // Local (Shanghai) hour `h` on November `d`, 2026, as UTC.
        NaiveDate::from_ymd_opt(2026, 11, d)
            .and_then(|x| x.and_hms_opt(h, 0, 0))
            .expect("valid")
            - Duration::hours(8)
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).expect("valid")
    }

    fn history() -> History {
        // Dispatched to unit 7 on the 2nd, signed on time the same day, due on the 9th, replied
        // on the 5th, rated basically satisfied on the 6th, sent back on the 7th, replied again
        // on the 10th (late), rated satisfied on the 11th.
        History {
            excluded: false,
            assignments: vec![AssignmentHistory {
                id: 1,
                unit_id: 7,
                lead: true,
                returned: false,
                created_at: at(2, 9),
                sign_by: Some(at(3, 9)),
                signed_at: Some(at(2, 10)),
                reply_by: at(9, 9),
                replied_at: Some(at(10, 9)),
            }],
            replies: vec![(at(5, 9), 1), (at(10, 9), 1)],
            visits: vec![
                VisitHistory {
                    at: at(6, 9),
                    contacted: true,
                    resolved: false,
                    satisfaction: "basically_satisfied".into(),
                },
                VisitHistory {
                    at: at(11, 9),
                    contacted: true,
                    resolved: true,
                    satisfaction: "satisfied".into(),
                },
            ],
            redos: vec![at(7, 9)],
        }
    }

    #[test]
    fn each_fact_counts_on_its_own_day() {
        let c = contributions(&history());
        assert_eq!(
            c[&(7, day(2))],
            Counts {
                received: 1,
                signed: 1,
                signed_on_time: 1,
                sign_seconds: 3600,
                ..Counts::default()
            }
        );
        assert_eq!(
            c[&(7, day(9))],
            Counts {
                due: 1,
                completed_on_time: 0,
                ..Counts::default()
            },
            "the last reply was late"
        );
        assert_eq!(c[&(7, day(5))].replied, 1);
        assert_eq!(
            c[&(7, day(6))],
            Counts {
                visits: 1,
                contacted: 1,
                basically_satisfied: 1,
                ..Counts::default()
            }
        );
        assert_eq!(c[&(7, day(7))].redo, 1);
        assert_eq!(
            c[&(7, day(11))],
            Counts {
                visits: 1,
                contacted: 1,
                resolved: 1,
                satisfied: 1,
                ..Counts::default()
            }
        );
        let excluded = contributions(&History {
            excluded: true,
            ..history()
        });
        assert_eq!(
            excluded.len(),
            1,
            "an excluded order is received but not scored"
        );
    }

    #[test]
    fn rates_and_the_score_by_hand() {
        let mut total = Counts::default();
        for c in contributions(&history()).values() {
            total += *c;
        }
        let r = rates(&total);
        assert_eq!(r.response, Some(1.0));
        assert_eq!(r.resolution, Some(0.5));
        assert_eq!(r.satisfaction, Some((1.0 + 0.9) / 2.0));
        assert_eq!(r.redo, Some(0.5));
        assert_eq!(r.on_time, Some(0.0));
        // 100 × (0.1 × 1 + 0.5 × 0.5 + 0.4 × 0.95) = 73
        assert_eq!(score(&r, &Weights::default()), Some(73.0));
        // With on-time completion 0.2 and redo 0.1 in the mix: 100 × (0.1 + 0.25 + 0.38 + 0 + 0.05) / 1.3
        let w = Weights {
            on_time: 0.2,
            redo: 0.1,
            ..Weights::default()
        };
        assert_eq!(score(&r, &w), Some(60.0));
        assert_eq!(score(&Rates::default(), &Weights::default()), None);
    }

    #[test]
    fn differences_apply_only_what_changed() {
        let before = contributions(&History {
            visits: Vec::new(),
            ..history()
        });
        let after = contributions(&history());
        let d = difference(&before, &after);
        assert_eq!(d.len(), 2, "the two visit days");
        assert!(difference(&after, &after).is_empty());
    }

    #[test]
    fn ranks_and_periods() {
        assert_eq!(
            rank(&[Some(80.0), None, Some(90.0), Some(80.0)]),
            vec![Some(2), None, Some(1), Some(2)]
        );
        assert_eq!(month(2026, 11, None), Some((day(1), day(30))));
        assert_eq!(
            month(2026, 11, Some(19)),
            Some((
                NaiveDate::from_ymd_opt(2026, 10, 19).expect("valid"),
                day(18)
            ))
        );
        assert_eq!(
            month(2027, 1, Some(19)).map(|p| p.0),
            NaiveDate::from_ymd_opt(2026, 12, 19)
        );
        assert_eq!(week(2026, 48), Some((day(23), day(29))));
        assert_eq!(week_of(day(25)), (day(23), day(29)));
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("valid");
        assert_eq!(
            split(d(2026, 10, 19), d(2026, 12, 18)),
            (
                vec!["2026-11".to_owned()],
                vec![
                    (d(2026, 10, 19), d(2026, 10, 31)),
                    (d(2026, 12, 1), d(2026, 12, 18))
                ]
            )
        );
        assert_eq!(split(d(2025, 11, 23), d(2026, 11, 22)).0.len(), 11);
        assert_eq!(
            split(d(2026, 11, 6), d(2026, 11, 6)),
            (vec![], vec![(d(2026, 11, 6), d(2026, 11, 6))])
        );
    }

    #[test]
    fn the_last_complete_month_has_ended() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        // The first of December: November, not the empty December.
        assert_eq!(
            last_complete_month(d(2026, 12, 1), None),
            Some((d(2026, 11, 1), d(2026, 11, 30)))
        );
        assert_eq!(
            last_complete_month(d(2026, 12, 31), None),
            Some((d(2026, 11, 1), d(2026, 11, 30)))
        );
        assert_eq!(
            last_complete_month(d(2027, 1, 3), None),
            Some((d(2026, 12, 1), d(2026, 12, 31)))
        );
        // With a cutoff on the 26th, December's period is 26 Nov – 25 Dec.
        assert_eq!(
            last_complete_month(d(2026, 12, 26), Some(26)),
            Some((d(2026, 11, 26), d(2026, 12, 25)))
        );
        assert_eq!(
            last_complete_month(d(2026, 12, 25), Some(26)),
            Some((d(2026, 10, 26), d(2026, 11, 25)))
        );
    }

    #[test]
    fn periods_compare_with_the_one_before_and_a_year_earlier() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        let [this, prev, ago] = Named::parse("2026-01")
            .expect("month")
            .with_comparisons(None)
            .expect("periods");
        assert_eq!(this, (d(2026, 1, 1), d(2026, 1, 31)));
        assert_eq!(prev, (d(2025, 12, 1), d(2025, 12, 31)));
        assert_eq!(ago, (d(2025, 1, 1), d(2025, 1, 31)));
        let [this, prev, ago] = Named::parse("2026-W10")
            .expect("week")
            .with_comparisons(None)
            .expect("periods");
        assert_eq!(this, (d(2026, 3, 2), d(2026, 3, 8)));
        assert_eq!(prev, (d(2026, 2, 23), d(2026, 3, 1)));
        assert_eq!(ago, (d(2025, 3, 3), d(2025, 3, 9)));
        // 2026 has a 53rd week, 2025 does not.
        let [_, _, ago] = Named::parse("2026-W53")
            .expect("week")
            .with_comparisons(None)
            .expect("periods");
        assert_eq!(ago, (d(2025, 12, 22), d(2025, 12, 28)));
        for bad in ["2026-13", "2026-W54", "2026", "W10", "2026-00"] {
            assert_eq!(Named::parse(bad), None, "{bad}");
        }
        assert_eq!(change(15, 10), Some(0.5));
        assert_eq!(change(5, 0), None);
    }
}

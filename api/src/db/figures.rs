//! The figures behind rankings, statistics and briefings: per unit and day, and petitions per
//! day, status, kind, category and channel — kept current by each action and rebuilt from the
//! source tables on demand.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel::upsert::excluded;

use super::schema::{
    assignments, day_action_counts, day_figures, events, petition_day_counts,
    petition_month_counts, petitions, replies, settings, unit_day_figures as f, unit_month_figures,
    visits,
};
use super::{DbConn, Kept};
use crate::domain::calendar::local_date;
use crate::domain::figures::{
    contributions, AssignmentHistory, Counts, History, Key, VisitHistory,
};

fn day_key(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `histories`' statements, each selecting its rows by `$cond` on the petition's id column
/// (named `$by`).
macro_rules! histories_where {
    ($conn:expr, $by:ident => $cond:expr) => {{
        let conn: &mut DbConn = $conn;
        let mut out: BTreeMap<i64, History> = BTreeMap::new();
        let marks: Vec<(i64, bool, Option<String>)> = petitions::table
            .filter({
                let $by = petitions::id;
                $cond
            })
            .select((
                petitions::id,
                petitions::unreasonable,
                petitions::appeal_state,
            ))
            .load(conn)?;
        for (id, unreasonable, appeal) in marks {
            out.entry(id).or_default().excluded =
                unreasonable || appeal.as_deref() == Some("granted");
        }
        type A = (
            i64,
            i64,
            i64,
            String,
            String,
            NaiveDateTime,
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
            NaiveDateTime,
            Option<NaiveDateTime>,
        );
        let rows: Vec<A> = assignments::table
            .filter({
                let $by = assignments::petition_id;
                $cond
            })
            .order(assignments::id.asc())
            .select((
                assignments::petition_id,
                assignments::id,
                assignments::unit_id,
                assignments::role,
                assignments::state,
                assignments::created_at,
                assignments::sign_by,
                assignments::signed_at,
                assignments::reply_by,
                assignments::replied_at,
            ))
            .load(conn)?;
        for (pid, id, unit_id, role, state, created_at, sign_by, signed_at, reply_by, replied_at) in
            rows
        {
            out.entry(pid)
                .or_default()
                .assignments
                .push(AssignmentHistory {
                    id,
                    unit_id,
                    lead: role == "lead",
                    returned: state == "returned",
                    created_at,
                    sign_by,
                    signed_at,
                    reply_by,
                    replied_at,
                });
        }
        let rows: Vec<(i64, NaiveDateTime, Option<i64>)> = replies::table
            .filter({
                let $by = replies::petition_id;
                $cond
            })
            .filter(replies::assignment_id.is_not_null())
            .order(replies::id.asc())
            .select((
                replies::petition_id,
                replies::created_at,
                replies::assignment_id,
            ))
            .load(conn)?;
        for (pid, at, a) in rows {
            if let Some(a) = a {
                out.entry(pid).or_default().replies.push((at, a));
            }
        }
        let rows: Vec<(i64, NaiveDateTime, bool, bool, String)> = visits::table
            .filter({
                let $by = visits::petition_id;
                $cond
            })
            .order(visits::id.asc())
            .select((
                visits::petition_id,
                visits::created_at,
                visits::contacted,
                visits::resolved,
                visits::satisfaction,
            ))
            .load(conn)?;
        for (pid, at, contacted, resolved, satisfaction) in rows {
            out.entry(pid).or_default().visits.push(VisitHistory {
                at,
                contacted,
                resolved,
                satisfaction,
            });
        }
        let rows: Vec<(i64, NaiveDateTime)> = events::table
            .filter({
                let $by = events::petition_id;
                $cond
            })
            .filter(events::action.eq("redo"))
            .select((events::petition_id, events::created_at))
            .load(conn)?;
        for (pid, at) in rows {
            out.entry(pid).or_default().redos.push(at);
        }
        Ok(out)
    }};
}

/// The histories of a batch of petitions, by id. One petition (every action, before and after
/// it) is selected by `=`: with an array of ids PostgreSQL costed each prepared statement for
/// an array of unknown length, above the plan for the one id at hand, and planned all five
/// again on every action.
pub fn histories(conn: &mut DbConn, ids: &[i64]) -> QueryResult<BTreeMap<i64, History>> {
    match ids {
        [id] => histories_where!(conn, by => by.eq(*id)),
        _ => histories_where!(conn, by => by.eq_any(ids)),
    }
}

/// One petition's share of the figures as the database holds it now.
pub fn contributions_of(conn: &mut DbConn, petition_id: i64) -> QueryResult<BTreeMap<Key, Counts>> {
    Ok(histories(conn, &[petition_id])?
        .get(&petition_id)
        .map(contributions)
        .unwrap_or_default())
}

/// A counter delta as the INTEGER columns hold it.
fn i(x: i64) -> i32 {
    x.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// The counters of table module `$t` set from `$c` (a [`Counts`]).
macro_rules! counter_values {
    ($t:ident, $c:expr) => {
        (
            $t::received.eq(i($c.received)),
            $t::signed.eq(i($c.signed)),
            $t::signed_on_time.eq(i($c.signed_on_time)),
            $t::sign_seconds.eq($c.sign_seconds),
            $t::due.eq(i($c.due)),
            $t::completed_on_time.eq(i($c.completed_on_time)),
            $t::replied.eq(i($c.replied)),
            $t::reply_seconds.eq($c.reply_seconds),
            $t::visits.eq(i($c.visits)),
            $t::contacted.eq(i($c.contacted)),
            $t::resolved.eq(i($c.resolved)),
            $t::satisfied.eq(i($c.satisfied)),
            $t::basically_satisfied.eq(i($c.basically_satisfied)),
            $t::redo.eq(i($c.redo)),
        )
    };
}

/// On conflict: each counter of `$t` plus the value being inserted.
macro_rules! counter_additions {
    ($t:ident) => {
        (
            $t::received.eq($t::received + excluded($t::received)),
            $t::signed.eq($t::signed + excluded($t::signed)),
            $t::signed_on_time.eq($t::signed_on_time + excluded($t::signed_on_time)),
            $t::sign_seconds.eq($t::sign_seconds + excluded($t::sign_seconds)),
            $t::due.eq($t::due + excluded($t::due)),
            $t::completed_on_time.eq($t::completed_on_time + excluded($t::completed_on_time)),
            $t::replied.eq($t::replied + excluded($t::replied)),
            $t::reply_seconds.eq($t::reply_seconds + excluded($t::reply_seconds)),
            $t::visits.eq($t::visits + excluded($t::visits)),
            $t::contacted.eq($t::contacted + excluded($t::contacted)),
            $t::resolved.eq($t::resolved + excluded($t::resolved)),
            $t::satisfied.eq($t::satisfied + excluded($t::satisfied)),
            $t::basically_satisfied.eq($t::basically_satisfied + excluded($t::basically_satisfied)),
            $t::redo.eq($t::redo + excluded($t::redo)),
        )
    };
}

/// Adds `delta` to the unit-day rows and to the city's day totals.
pub fn apply(conn: &mut DbConn, delta: &BTreeMap<Key, Counts>) -> QueryResult<()> {
    let mut days: BTreeMap<NaiveDate, Counts> = BTreeMap::new();
    for ((unit, day), c) in delta {
        *days.entry(*day).or_default() += *c;
        let values = (
            f::unit_id.eq(unit),
            f::day.eq(day_key(*day)),
            counter_values!(f, c),
        );
        crate::per_backend!(conn, |c| Kept(
            diesel::insert_into(f::table)
                .values(values)
                .on_conflict((f::unit_id, f::day))
                .do_update()
                .set(counter_additions!(f))
                .returning(f::unit_id)
        )
        .get_result::<i64, _>(c))?;
    }
    let mut months: BTreeMap<(i64, String), Counts> = BTreeMap::new();
    for ((unit, day), c) in delta {
        *months
            .entry((*unit, day.format("%Y-%m").to_string()))
            .or_default() += *c;
    }
    for ((unit, m), c) in months {
        use unit_month_figures as u;
        let values = (u::unit_id.eq(unit), u::month.eq(m), counter_values!(u, c));
        crate::per_backend!(conn, |c| Kept(
            diesel::insert_into(u::table)
                .values(values)
                .on_conflict((u::unit_id, u::month))
                .do_update()
                .set(counter_additions!(u))
                .returning(u::unit_id)
        )
        .get_result::<i64, _>(c))?;
    }
    for (day, c) in days {
        use day_figures as d;
        let values = (d::day.eq(day_key(day)), counter_values!(d, c));
        crate::per_backend!(conn, |c| Kept(
            diesel::insert_into(d::table)
                .values(values)
                .on_conflict(d::day)
                .do_update()
                .set(counter_additions!(d))
                .returning(d::day)
        )
        .get_result::<String, _>(c))?;
    }
    Ok(())
}

/// The city's totals over the days `from..=to`: (signed, sign seconds, replied, reply seconds).
pub fn city_times(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<(i64, i64, i64, i64)> {
    use day_figures as d;
    d::table
        .filter(d::day.ge(day_key(from)))
        .filter(d::day.le(day_key(to)))
        .select((
            sum("signed"),
            sum("sign_seconds"),
            sum("replied"),
            sum("reply_seconds"),
        ))
        .first(conn)
}

/// Slots per key of the counts every submission and timeline step adds to
/// (`petition_day_counts`, `petition_month_counts`, `day_action_counts`; migration
/// `000025_counter_slots`): one row per key made concurrent submissions of a day and category
/// wait for each other's commit.
pub const SLOTS: i16 = 16;

/// The slot this worker adds to: on PostgreSQL each worker thread takes the next of
/// [`SLOTS`] when it first writes, counting from a random slot per process (so replicas do
/// not all crowd the first ones), so transactions running at once on different workers of a
/// replica update different rows; on SQLite (one writer at a time) always 0. Readers add the
/// slots up.
fn slot(conn: &DbConn) -> i16 {
    use std::hash::BuildHasher;
    use std::sync::atomic::{AtomicU16, Ordering};
    use std::sync::OnceLock;
    static NEXT: OnceLock<AtomicU16> = OnceLock::new();
    thread_local! {
        static SLOT: i16 = {
            let next = NEXT.get_or_init(|| {
                AtomicU16::new(std::collections::hash_map::RandomState::new().hash_one(0u8) as u16)
            });
            (next.fetch_add(1, Ordering::Relaxed) % SLOTS as u16) as i16
        };
    }
    match conn {
        DbConn::Pg(_) => SLOT.with(|s| *s),
        DbConn::Sqlite(_) => 0,
    }
}

/// The kept counts one change of a petition adds to: timeline events per day and action
/// (`day_action_counts`), petitions per day and per month by kind, category, channel and status
/// (`petition_day_counts`, `petition_month_counts`). Gathered while the change is made and
/// written at its end, on PostgreSQL in one statement: a submission's three upserts and an
/// action's five were a round trip each. A change gets one only from [`counted`], which writes
/// it when the change succeeds, so none is gathered and then left unwritten.
#[derive(Debug)]
pub struct Tally {
    actions: BTreeMap<(NaiveDate, String), i64>,
    petitions: BTreeMap<PetitionKey, i64>,
}

/// A petition's day, kind, category, channel and status, as its counts are kept.
type PetitionKey = (NaiveDate, String, i64, String, String);

impl Tally {
    fn new() -> Tally {
        Tally {
            actions: BTreeMap::new(),
            petitions: BTreeMap::new(),
        }
    }

    /// `n` timeline events of `action` on `day`.
    pub fn events(&mut self, day: NaiveDate, action: &str, n: i64) {
        *self.actions.entry((day, action.to_owned())).or_default() += n;
    }

    /// `n` more petitions submitted on `day` with these attributes (a rebuild's recount).
    fn petitions(
        &mut self,
        day: NaiveDate,
        kind: &str,
        category_id: i64,
        source: &str,
        status: &str,
        n: i64,
    ) {
        let key = (
            day,
            kind.to_owned(),
            category_id,
            source.to_owned(),
            status.to_owned(),
        );
        *self.petitions.entry(key).or_default() += n;
    }

    /// One petition moved from status `from` to `to`.
    pub fn move_status(&mut self, p: &super::petitions::PetitionRow, from: &str, to: &str) {
        if from == to {
            return;
        }
        self.petition(p, from, -1);
        self.petition(p, to, 1);
    }

    /// Petition `p` counted `n` times more in `status`, under its own day, kind, category and
    /// channel.
    pub fn petition(&mut self, p: &super::petitions::PetitionRow, status: &str, n: i64) {
        let day = local_date(p.created_at);
        let (kind, source) = (p.kind.as_str(), p.source.as_str());
        self.petitions(day, kind, p.category_id, source, status, n);
    }

    /// The petitions' counts per month: the days' added up (one row per key and slot, as an
    /// upsert may touch a row once per statement).
    fn months(&self) -> BTreeMap<PetitionKey, i64> {
        let mut months: BTreeMap<PetitionKey, i64> = BTreeMap::new();
        for ((day, kind, category, source, status), n) in &self.petitions {
            let first = day.with_day(1).unwrap_or(*day);
            let key = (
                first,
                kind.clone(),
                *category,
                source.clone(),
                status.clone(),
            );
            *months.entry(key).or_default() += n;
        }
        months
    }
}

/// Runs `change` with a [`Tally`] of what it counts, and writes the tally when the change
/// succeeded (in the change's transaction, when it runs in one): the one way a change's counts
/// are kept.
pub fn counted<T, E: From<diesel::result::Error>>(
    conn: &mut DbConn,
    change: impl FnOnce(&mut DbConn, &mut Tally) -> Result<T, E>,
) -> Result<T, E> {
    let mut tally = Tally::new();
    let done = change(conn, &mut tally)?;
    add(conn, &tally)?;
    Ok(done)
}

/// Rows of one statement of [`add_on_postgres`] at most, per table: a rebuild's tally holds
/// the whole history's keys.
const ROWS_PER_STATEMENT: usize = 10_000;

/// Writes what `tally` gathered (the rows it leaves unchanged are not written). PostgreSQL:
/// one statement of three upserts, each of its rows given as arrays (one per 10,000 rows of a
/// table); SQLite (in process, no round trips): an upsert per row.
fn add(conn: &mut DbConn, tally: &Tally) -> QueryResult<()> {
    let slot = slot(conn);
    let actions: Vec<_> = tally.actions.iter().filter(|(_, n)| **n != 0).collect();
    let days: Vec<_> = tally.petitions.iter().filter(|(_, n)| **n != 0).collect();
    let months = tally.months();
    let months: Vec<_> = months.iter().filter(|(_, n)| **n != 0).collect();
    if actions.is_empty() && days.is_empty() && months.is_empty() {
        return Ok(());
    }
    match conn {
        DbConn::Pg(c) => {
            let most = actions.len().max(days.len()).max(months.len());
            for start in (0..most).step_by(ROWS_PER_STATEMENT) {
                let (a, d, m) = (
                    part(&actions, start),
                    part(&days, start),
                    part(&months, start),
                );
                add_on_postgres(c, slot, a, d, m)?;
            }
            Ok(())
        }
        DbConn::Sqlite(c) => {
            for ((day, action), n) in actions {
                use day_action_counts as d;
                Kept(
                    diesel::insert_into(d::table)
                        .values((
                            d::day.eq(day_key(*day)),
                            d::action.eq(action),
                            d::n.eq(n),
                            d::slot.eq(slot),
                        ))
                        .on_conflict((d::day, d::action, d::slot))
                        .do_update()
                        .set(d::n.eq(d::n + excluded(d::n)))
                        .returning(d::slot),
                )
                .get_result::<i16, _>(c)?;
            }
            // Petitions per day and per month: one shape, keyed by `$period` formatted by `$key`.
            macro_rules! add_petitions {
                ($table:ident, $period:ident, $rows:expr, $key:expr) => {
                    for ((when, kind, category, source, status), n) in $rows {
                        use $table as p;
                        Kept(
                            diesel::insert_into(p::table)
                                .values((
                                    p::$period.eq($key(*when)),
                                    p::kind.eq(kind),
                                    p::category_id.eq(category),
                                    p::source.eq(source),
                                    p::status.eq(status),
                                    p::n.eq(n),
                                    p::slot.eq(slot),
                                ))
                                .on_conflict((
                                    p::$period,
                                    p::kind,
                                    p::category_id,
                                    p::source,
                                    p::status,
                                    p::slot,
                                ))
                                .do_update()
                                .set(p::n.eq(p::n + excluded(p::n)))
                                .returning(p::slot),
                        )
                        .get_result::<i16, _>(c)?;
                    }
                };
            }
            add_petitions!(petition_day_counts, day, days, day_key);
            add_petitions!(petition_month_counts, month, months, month_key);
            Ok(())
        }
    }
}

/// The rows of one of [`add`]'s statements from `start` on.
fn part<T>(rows: &[T], start: usize) -> &[T] {
    let end = (start + ROWS_PER_STATEMENT).min(rows.len());
    &rows[start.min(end)..end]
}

fn month_key(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

/// The one statement of [`add`] on PostgreSQL: an upsert of each table in a `WITH` clause
/// (each runs once, whether read or not), its rows unnested from arrays side by side, so the
/// text is the same for any number of rows and the connection keeps it prepared.
fn add_on_postgres(
    c: &mut diesel::PgConnection,
    slot: i16,
    actions: &[(&(NaiveDate, String), &i64)],
    days: &[(&PetitionKey, &i64)],
    months: &[(&PetitionKey, &i64)],
) -> QueryResult<()> {
    use diesel::sql_types::{Array, Int2, Int8, Text};
    const SQL: &str = "WITH a AS (\
        INSERT INTO day_action_counts (day, action, n, slot) \
        SELECT r.day, r.action, r.n, $1 FROM unnest($2::text[], $3::text[], $4::int8[]) \
        AS r(day, action, n) \
        ON CONFLICT (day, action, slot) DO UPDATE SET n = day_action_counts.n + excluded.n), \
        d AS (\
        INSERT INTO petition_day_counts (day, kind, category_id, source, status, n, slot) \
        SELECT r.day, r.kind, r.category_id, r.source, r.status, r.n, $1 \
        FROM unnest($5::text[], $6::text[], $7::int8[], $8::text[], $9::text[], $10::int8[]) \
        AS r(day, kind, category_id, source, status, n) \
        ON CONFLICT (day, kind, category_id, source, status, slot) \
        DO UPDATE SET n = petition_day_counts.n + excluded.n), \
        m AS (\
        INSERT INTO petition_month_counts (month, kind, category_id, source, status, n, slot) \
        SELECT r.month, r.kind, r.category_id, r.source, r.status, r.n, $1 \
        FROM unnest($11::text[], $12::text[], $13::int8[], $14::text[], $15::text[], $16::int8[]) \
        AS r(month, kind, category_id, source, status, n) \
        ON CONFLICT (month, kind, category_id, source, status, slot) \
        DO UPDATE SET n = petition_month_counts.n + excluded.n) \
        SELECT 1 AS written";
    #[derive(QueryableByName)]
    struct Written {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        #[allow(dead_code)]
        written: i32,
    }
    type Rows<'a> = (
        Vec<String>,
        Vec<&'a str>,
        Vec<i64>,
        Vec<&'a str>,
        Vec<&'a str>,
        Vec<i64>,
    );
    fn columns<'a>(rows: &[(&'a PetitionKey, &i64)], key: fn(NaiveDate) -> String) -> Rows<'a> {
        let mut cols: Rows<'a> = Default::default();
        for ((day, kind, category, source, status), n) in rows.iter().copied() {
            cols.0.push(key(*day));
            cols.1.push(kind);
            cols.2.push(*category);
            cols.3.push(source);
            cols.4.push(status);
            cols.5.push(*n);
        }
        cols
    }
    let d = columns(days, day_key);
    let m = columns(months, month_key);
    Kept(
        diesel::sql_query(SQL)
            .bind::<Int2, _>(slot)
            .bind::<Array<Text>, _>(
                actions
                    .iter()
                    .map(|((day, _), _)| day_key(*day))
                    .collect::<Vec<_>>(),
            )
            .bind::<Array<Text>, _>(
                actions
                    .iter()
                    .map(|((_, a), _)| a.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind::<Array<Int8>, _>(actions.iter().map(|(_, n)| **n).collect::<Vec<_>>())
            .bind::<Array<Text>, _>(d.0)
            .bind::<Array<Text>, _>(d.1)
            .bind::<Array<Int8>, _>(d.2)
            .bind::<Array<Text>, _>(d.3)
            .bind::<Array<Text>, _>(d.4)
            .bind::<Array<Int8>, _>(d.5)
            .bind::<Array<Text>, _>(m.0)
            .bind::<Array<Text>, _>(m.1)
            .bind::<Array<Int8>, _>(m.2)
            .bind::<Array<Text>, _>(m.3)
            .bind::<Array<Text>, _>(m.4)
            .bind::<Array<Int8>, _>(m.5),
    )
    .get_result::<Written, _>(c)?;
    Ok(())
}

/// Timeline events per action over `from..=to`.
pub fn action_counts(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(String, i64)>> {
    use day_action_counts as d;
    d::table
        .filter(d::day.ge(day_key(from)))
        .filter(d::day.le(day_key(to)))
        .group_by(d::action)
        .select((d::action, sum("n")))
        .load(conn)
}

/// The grouping column and the sum of every counter.
macro_rules! sum_columns {
    ($key:expr) => {
        (
            $key,
            sum("received"),
            sum("signed"),
            sum("signed_on_time"),
            sum("sign_seconds"),
            sum("due"),
            sum("completed_on_time"),
            sum("replied"),
            sum("reply_seconds"),
            sum("visits"),
            sum("contacted"),
            sum("resolved"),
            sum("satisfied"),
            sum("basically_satisfied"),
            sum("redo"),
        )
    };
}

fn sum(col: &str) -> diesel::expression::SqlLiteral<BigInt> {
    sql::<BigInt>(&format!("CAST(COALESCE(SUM({col}), 0) AS BIGINT)"))
}

/// The counters summed per unit over the days `from..=to`: whole months from the monthly
/// rollup, the days at the edges from the daily rows.
pub fn sums(conn: &mut DbConn, from: NaiveDate, to: NaiveDate) -> QueryResult<Vec<(i64, Counts)>> {
    let (months, edges) = crate::domain::figures::split(from, to);
    let mut total: BTreeMap<i64, Counts> = BTreeMap::new();
    if !months.is_empty() {
        use unit_month_figures as u;
        let rows: Vec<SumRow> = u::table
            .filter(u::month.eq_any(&months))
            .group_by(u::unit_id)
            .select(sum_columns!(u::unit_id))
            .load(conn)?;
        for (unit, c) in rows.into_iter().map(counts_of) {
            *total.entry(unit).or_default() += c;
        }
    }
    for (a, b) in edges {
        for (unit, c) in day_sums(conn, a, b)? {
            *total.entry(unit).or_default() += c;
        }
    }
    Ok(total.into_iter().collect())
}

type SumRow = (
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
);

fn counts_of(r: SumRow) -> (i64, Counts) {
    (
        r.0,
        Counts {
            received: r.1,
            signed: r.2,
            signed_on_time: r.3,
            sign_seconds: r.4,
            due: r.5,
            completed_on_time: r.6,
            replied: r.7,
            reply_seconds: r.8,
            visits: r.9,
            contacted: r.10,
            resolved: r.11,
            satisfied: r.12,
            basically_satisfied: r.13,
            redo: r.14,
        },
    )
}

/// The counters summed per unit over the days `from..=to`, from the daily rows.
fn day_sums(conn: &mut DbConn, from: NaiveDate, to: NaiveDate) -> QueryResult<Vec<(i64, Counts)>> {
    let rows: Vec<SumRow> = f::table
        .filter(f::day.ge(day_key(from)))
        .filter(f::day.le(day_key(to)))
        .group_by(f::unit_id)
        .select(sum_columns!(f::unit_id))
        .load(conn)?;
    Ok(rows.into_iter().map(counts_of).collect())
}

/// Every unit-day row, for comparing live figures with rebuilt ones.
pub fn all_unit_days(conn: &mut DbConn) -> QueryResult<BTreeMap<Key, Counts>> {
    type Row = (
        i64,
        String,
        i32,
        i32,
        i32,
        i64,
        i32,
        i32,
        i32,
        i64,
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
    );
    let rows: Vec<Row> = f::table.load(conn)?;
    let mut out = BTreeMap::new();
    for r in rows {
        let Ok(day) = NaiveDate::parse_from_str(&r.1, "%Y-%m-%d") else {
            continue;
        };
        let c = Counts {
            received: r.2.into(),
            signed: r.3.into(),
            signed_on_time: r.4.into(),
            sign_seconds: r.5,
            due: r.6.into(),
            completed_on_time: r.7.into(),
            replied: r.8.into(),
            reply_seconds: r.9,
            visits: r.10.into(),
            contacted: r.11.into(),
            resolved: r.12.into(),
            satisfied: r.13.into(),
            basically_satisfied: r.14.into(),
            redo: r.15.into(),
        };
        if c != Counts::default() {
            out.insert((r.0, day), c);
        }
    }
    Ok(out)
}

/// Petitions submitted over `from..=to`, grouped: (kind, category, source, status, n).
pub fn count_groups(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(String, i64, String, String, i64)>> {
    let (months, edges) = crate::domain::figures::split(from, to);
    let mut total: BTreeMap<(String, i64, String, String), i64> = BTreeMap::new();
    if !months.is_empty() {
        use petition_month_counts as m;
        let rows: Vec<(String, i64, String, String, i64)> = m::table
            .filter(m::month.eq_any(&months))
            .group_by((m::kind, m::category_id, m::source, m::status))
            .select((m::kind, m::category_id, m::source, m::status, sum("n")))
            .load(conn)?;
        for (k, c, s, st, n) in rows {
            *total.entry((k, c, s, st)).or_default() += n;
        }
    }
    for (a, b) in edges {
        use petition_day_counts as p;
        let rows: Vec<(String, i64, String, String, i64)> = p::table
            .filter(p::day.ge(day_key(a)))
            .filter(p::day.le(day_key(b)))
            .group_by((p::kind, p::category_id, p::source, p::status))
            .select((p::kind, p::category_id, p::source, p::status, sum("n")))
            .load(conn)?;
        for (k, c, s, st, n) in rows {
            *total.entry((k, c, s, st)).or_default() += n;
        }
    }
    Ok(total
        .into_iter()
        .map(|((k, c, s, st), n)| (k, c, s, st, n))
        .collect())
}

/// Petitions submitted per day over `from..=to`.
pub fn day_totals(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(String, i64)>> {
    use petition_day_counts as p;
    p::table
        .filter(p::day.ge(day_key(from)))
        .filter(p::day.le(day_key(to)))
        .group_by(p::day)
        .select((p::day, sum("n")))
        .order(p::day.asc())
        .load(conn)
}

/// What rebuilding found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rebuild {
    pub petitions: usize,
    pub unit_days: usize,
    /// Unit-day rows whose live counters differed from the rebuilt ones.
    pub differing: usize,
    /// Every kept figure table with the number of its rows (counts not zero) that differed
    /// from the rebuilt ones: live rows missing or different, and rebuilt rows missing.
    pub tables: Vec<(&'static str, usize)>,
}

impl Rebuild {
    /// Rows that differed over all kept tables.
    pub fn differences(&self) -> usize {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// Every table of kept figures, with its key and count columns.
const KEPT: [(&str, &[&str], &[&str]); 6] = [
    ("unit_day_figures", &["unit_id", "day"], &COUNTERS),
    ("day_figures", &["day"], &COUNTERS),
    ("unit_month_figures", &["unit_id", "month"], &COUNTERS),
    (
        "petition_month_counts",
        &["month", "kind", "category_id", "source", "status"],
        &["n"],
    ),
    (
        "petition_day_counts",
        &["day", "kind", "category_id", "source", "status"],
        &["n"],
    ),
    ("day_action_counts", &["day", "action"], &["n"]),
];

const COUNTERS: [&str; 14] = [
    "received",
    "signed",
    "signed_on_time",
    "sign_seconds",
    "due",
    "completed_on_time",
    "replied",
    "reply_seconds",
    "visits",
    "contacted",
    "resolved",
    "satisfied",
    "basically_satisfied",
    "redo",
];

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = diesel::sql_types::Text)]
    line: String,
}

/// Every key of every kept figure table whose counts (added up over its slots, where the
/// table has them) are not all zero, each as one line of text, by table: what `rebuild`
/// compares before and after.
fn snapshot(
    conn: &mut DbConn,
) -> QueryResult<Vec<(&'static str, std::collections::BTreeSet<String>)>> {
    KEPT.iter()
        .map(|(table, keys, counts)| {
            let key = keys.join(", ");
            let line = keys
                .iter()
                .map(|c| format!("CAST({c} AS TEXT)"))
                .chain(counts.iter().map(|c| format!("CAST(SUM({c}) AS TEXT)")))
                .collect::<Vec<_>>()
                .join(" || '|' || ");
            let nonzero = counts
                .iter()
                .map(|c| format!("SUM({c}) <> 0"))
                .collect::<Vec<_>>()
                .join(" OR ");
            let rows: Vec<Line> = diesel::sql_query(format!(
                "SELECT {line} AS line FROM {table} GROUP BY {key} HAVING {nonzero}"
            ))
            .load(conn)?;
            Ok((*table, rows.into_iter().map(|l| l.line).collect()))
        })
        .collect()
}

/// Recomputes every figure from the petitions, assignments, replies, visits and events and
/// compares every kept table with the result. With `replace`, the live tables are replaced by
/// it; without, nothing is written (`rebuild-figures --check`).
pub fn rebuild(conn: &mut DbConn, replace: bool) -> QueryResult<Rebuild> {
    use diesel::result::Error::RollbackTransaction;
    let mut found = None;
    let result = conn.transaction(|conn| {
        found = Some(rebuild_in(conn)?);
        if replace {
            Ok(())
        } else {
            Err(RollbackTransaction)
        }
    });
    match result {
        // Rolled back on purpose (`--check`) or committed: what was found either way.
        Ok(()) | Err(RollbackTransaction) => found.ok_or(RollbackTransaction),
        Err(e) => Err(e),
    }
}

fn rebuild_in(conn: &mut DbConn) -> QueryResult<Rebuild> {
    let before = snapshot(conn)?;
    let live = all_unit_days(conn)?;
    let mut figures: BTreeMap<Key, Counts> = BTreeMap::new();
    let mut counts: BTreeMap<(NaiveDate, String, i64, String, String), i64> = BTreeMap::new();
    let mut last = 0i64;
    let mut total = 0usize;
    loop {
        let batch: Vec<(i64, NaiveDateTime, String, i64, String, String)> = petitions::table
            .filter(petitions::id.gt(last))
            .order(petitions::id.asc())
            .limit(2_000)
            .select((
                petitions::id,
                petitions::created_at,
                petitions::kind,
                petitions::category_id,
                petitions::source,
                petitions::status,
            ))
            .load(conn)?;
        let Some(end) = batch.last().map(|b| b.0) else {
            break;
        };
        let ids: Vec<i64> = batch.iter().map(|b| b.0).collect();
        for (_, h) in histories(conn, &ids)? {
            for (k, c) in contributions(&h) {
                *figures.entry(k).or_default() += c;
            }
        }
        for (_, created, kind, category, source, status) in batch {
            *counts
                .entry((local_date(created), kind, category, source, status))
                .or_default() += 1;
        }
        total += ids.len();
        last = end;
    }
    figures.retain(|_, c| *c != Counts::default());
    let differing = figures
        .iter()
        .filter(|(k, c)| live.get(k) != Some(c))
        .count()
        + live.keys().filter(|k| !figures.contains_key(k)).count();
    diesel::delete(f::table).execute(conn)?;
    diesel::delete(day_figures::table).execute(conn)?;
    diesel::delete(unit_month_figures::table).execute(conn)?;
    diesel::delete(petition_month_counts::table).execute(conn)?;
    apply(conn, &figures)?;
    diesel::delete(petition_day_counts::table).execute(conn)?;
    let mut tally = Tally::new();
    for ((day, kind, category, source, status), n) in counts {
        tally.petitions(day, &kind, category, &source, &status, n);
    }
    let mut actions: BTreeMap<(NaiveDate, String), i64> = BTreeMap::new();
    let mut last = 0i64;
    loop {
        let batch: Vec<(i64, NaiveDateTime, String)> = events::table
            .filter(events::id.gt(last))
            .order(events::id.asc())
            .limit(10_000)
            .select((events::id, events::created_at, events::action))
            .load(conn)?;
        let Some(end) = batch.last().map(|b| b.0) else {
            break;
        };
        for (_, at, action) in batch {
            *actions.entry((local_date(at), action)).or_default() += 1;
        }
        last = end;
    }
    diesel::delete(day_action_counts::table).execute(conn)?;
    for ((day, action), n) in actions {
        tally.events(day, &action, n);
    }
    add(conn, &tally)?;
    let after = snapshot(conn)?;
    let tables = before
        .iter()
        .zip(&after)
        .map(|((table, live), (_, rebuilt))| (*table, live.symmetric_difference(rebuilt).count()))
        .collect();
    Ok(Rebuild {
        petitions: total,
        unit_days: figures.len(),
        differing,
        tables,
    })
}

pub fn setting(conn: &mut DbConn, key: &str) -> QueryResult<Option<String>> {
    settings::table
        .find(key)
        .select(settings::value)
        .first(conn)
        .optional()
}

/// A setting stored as JSON; the type's default when it is unset or unreadable.
pub fn json_setting<T: serde::de::DeserializeOwned + Default>(
    conn: &mut DbConn,
    key: &str,
) -> QueryResult<T> {
    Ok(setting(conn, key)?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

pub fn put_setting(conn: &mut DbConn, key: &str, value: &str) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::delete(settings::table.find(key)).execute(conn)?;
        diesel::insert_into(settings::table)
            .values((settings::key.eq(key), settings::value.eq(value)))
            .execute(conn)
            .map(|_| ())
    })
}

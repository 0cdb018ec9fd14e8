//! Petitions and everything hanging off them: assignments, replies, visits, the timeline,
//! reporters' follow-ups, the contact-read audit log and idempotency keys.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{
    assignments, contact_reads, events, follow_ups, idempotency_keys, petition_search, petitions,
    replies, tracking_counters, units, users, visits,
};
use super::units::UnitRow;
use super::{subtree_range, DbConn, Is, Kept, Paging};
use crate::domain::lifecycle::{self, names};
use minhu_types::{PetitionStatus, Urgency};

/// Runs the same typed query on whichever backend the connection is (`$c` is the backend's own
/// connection), for statements diesel cannot express over the multi-backend (upserts, row
/// locks) and for the hot path's.
///
/// The derived `MultiConnection` hands each statement to its backend wrapped so that the whole
/// SQL text is written again every time the statement is walked — to collect its bound values,
/// to ask whether it may be kept prepared, to find it among the prepared ones — on every run,
/// even when the connection has it prepared. On the backend's own connection a statement of a
/// fixed shape (not boxed) is found among the prepared by its type and only its values are
/// collected: for reading one petition, that rewriting had been a fifth of the server's time
/// (`bench/run.sh`, 6,098 → 7,298 req/s for a petitioner's read). Statements run so are counted
/// as any (`db::statements_run`) and take part in the connection's transaction as any.
#[macro_export]
#[doc(hidden)]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Pg($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = petitions)]
pub struct PetitionRow {
    pub id: i64,
    pub tracking_no: String,
    #[diesel(deserialize_as = String)]
    pub kind: minhu_types::PetitionKind,
    pub category_id: i64,
    #[diesel(deserialize_as = String)]
    pub urgency: minhu_types::Urgency,
    pub title: String,
    pub content: String,
    pub address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    #[diesel(deserialize_as = String)]
    pub source: minhu_types::Source,
    pub partner_id: Option<i64>,
    pub submitter_id: i64,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub anonymous: bool,
    pub publish_consent: bool,
    #[diesel(deserialize_as = String)]
    pub status: minhu_types::PetitionStatus,
    pub version: i64,
    pub merged_into_id: Option<i64>,
    pub redo_count: i32,
    pub supervised: bool,
    pub reply_by: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub yellow_at: Option<NaiveDateTime>,
    pub auto_closed: bool,
    pub unreasonable: bool,
    pub appeal_state: Option<String>,
    pub appeal_reason: Option<String>,
    pub typical_at: Option<NaiveDateTime>,
    pub supporters: i64,
    pub public_hidden: bool,
    pub public_title: Option<String>,
    pub public_content: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = petitions)]
pub struct NewPetitionRow<'a> {
    pub tracking_no: &'a str,
    pub kind: &'a str,
    pub category_id: i64,
    pub urgency: &'a str,
    pub title: &'a str,
    pub content: &'a str,
    pub address: Option<&'a str>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub source: &'a str,
    pub partner_id: Option<i64>,
    pub submitter_id: i64,
    pub contact_name: Option<&'a str>,
    pub contact_phone: Option<&'a str>,
    pub anonymous: bool,
    pub publish_consent: bool,
    pub status: &'a str,
    pub version: i64,
    pub redo_count: i32,
    pub supervised: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Columns a transition may change besides status and version.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = petitions)]
pub struct PetitionChanges {
    pub content: Option<String>,
    pub merged_into_id: Option<Option<i64>>,
    pub redo_count: Option<i32>,
    pub supervised: Option<bool>,
    pub reply_by: Option<Option<NaiveDateTime>>,
    pub yellow_at: Option<Option<NaiveDateTime>>,
    pub closed_at: Option<Option<NaiveDateTime>>,
    pub auto_closed: Option<bool>,
    pub unreasonable: Option<bool>,
    pub appeal_state: Option<Option<String>>,
    pub appeal_reason: Option<Option<String>>,
    pub typical_at: Option<Option<NaiveDateTime>>,
    pub public_hidden: Option<bool>,
    pub public_title: Option<Option<String>>,
    pub public_content: Option<Option<String>>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = assignments)]
pub struct AssignmentRow {
    pub id: i64,
    pub petition_id: i64,
    pub unit_id: i64,
    #[diesel(deserialize_as = String)]
    pub role: minhu_types::AssignmentRole,
    pub parent_id: Option<i64>,
    #[diesel(deserialize_as = String)]
    pub state: minhu_types::AssignmentState,
    pub open_request: Option<String>,
    pub request_reason: Option<String>,
    pub request_days: Option<i32>,
    pub sign_by: Option<NaiveDateTime>,
    pub reply_by: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub signed_at: Option<NaiveDateTime>,
    pub replied_at: Option<NaiveDateTime>,
    pub returned_at: Option<NaiveDateTime>,
    pub yellow_at: Option<NaiveDateTime>,
    pub signed_on_time: Option<bool>,
    pub replied_on_time: Option<bool>,
    pub overdue_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = assignments)]
pub struct NewAssignmentRow<'a> {
    pub petition_id: i64,
    pub unit_id: i64,
    /// The unit's path, kept with the order (`units::reparent` keeps it when the unit moves).
    pub unit_path: &'a str,
    pub role: &'a str,
    pub parent_id: Option<i64>,
    pub state: &'a str,
    pub sign_by: Option<NaiveDateTime>,
    pub reply_by: NaiveDateTime,
    pub yellow_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = assignments)]
pub struct AssignmentChanges {
    pub state: Option<String>,
    pub open_request: Option<Option<String>>,
    pub request_reason: Option<Option<String>>,
    pub request_days: Option<Option<i32>>,
    pub reply_by: Option<NaiveDateTime>,
    pub yellow_at: Option<Option<NaiveDateTime>>,
    pub signed_at: Option<Option<NaiveDateTime>>,
    pub replied_at: Option<Option<NaiveDateTime>>,
    pub returned_at: Option<Option<NaiveDateTime>>,
    pub signed_on_time: Option<Option<bool>>,
    pub replied_on_time: Option<Option<bool>>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = replies)]
pub struct ReplyRow {
    pub id: i64,
    pub petition_id: i64,
    pub assignment_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub author_id: i64,
    pub body: String,
    #[diesel(deserialize_as = String)]
    pub outcome: minhu_types::Outcome,
    pub public: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = replies)]
pub struct NewReplyRow<'a> {
    pub petition_id: i64,
    pub assignment_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub author_id: i64,
    pub body: &'a str,
    pub outcome: &'a str,
    pub public: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = visits)]
pub struct VisitRow {
    pub id: i64,
    pub petition_id: i64,
    #[diesel(deserialize_as = String)]
    pub kind: minhu_types::VisitKind,
    pub author_id: i64,
    #[diesel(deserialize_as = String)]
    pub satisfaction: minhu_types::Satisfaction,
    pub resolved: bool,
    pub contacted: bool,
    pub comment: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = visits)]
pub struct NewVisitRow<'a> {
    pub petition_id: i64,
    pub kind: &'a str,
    pub author_id: i64,
    pub satisfaction: &'a str,
    pub resolved: bool,
    pub contacted: bool,
    pub comment: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub id: i64,
    pub petition_id: i64,
    #[diesel(deserialize_as = String)]
    pub action: minhu_types::Action,
    pub actor_id: i64,
    #[diesel(deserialize_as = String)]
    pub actor_role: minhu_types::Role,
    pub actor_unit_id: Option<i64>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub assignment_id: Option<i64>,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = events)]
pub struct NewEventRow<'a> {
    pub petition_id: i64,
    pub action: &'a str,
    pub actor_id: i64,
    pub actor_role: &'a str,
    pub actor_unit_id: Option<i64>,
    pub from_status: Option<&'a str>,
    pub to_status: Option<&'a str>,
    pub assignment_id: Option<i64>,
    pub note: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable)]
pub struct FollowUpRow {
    pub id: i64,
    pub petition_id: i64,
    pub author: String,
    pub title: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// The next tracking number of `day` (`YYYYMMDD`), unique, in order of drawing. On SQLite one
/// upsert of the day's counter row (inside the caller's transaction: one writer at a time, so
/// the numbers are consecutive). On PostgreSQL one statement that takes no lock:
/// `nextval('tracking_numbers') - base`, where `base` is the sequence's value when the day's
/// first number was drawn (migration `000026_tracking_numbers`) — a counter row there made the
/// day's submissions wait for each other. Drawn outside a transaction, a number stays drawn
/// when the submission then fails (a gap, as a sequence leaves).
pub fn next_tracking_no(conn: &mut DbConn, day: &str) -> QueryResult<String> {
    let n = match conn {
        DbConn::Pg(pg) => drawn(pg, day)?,
        DbConn::Sqlite(lite) => {
            use tracking_counters::dsl as t;
            diesel::insert_into(t::tracking_counters)
                .values((t::day.eq(day), t::last.eq(1i64)))
                .on_conflict(t::day)
                .do_update()
                .set(t::last.eq(t::last + 1i64))
                .returning(t::last)
                .get_result(lite)?
        }
    };
    Ok(format!("{day}-{n:06}"))
}

/// A number of `day` from the sequence (PostgreSQL). The day's base is read in the same
/// statement as the sequence's next value, which is drawn after the base was committed and so
/// is above it; the day's first draw stores the base first (two drawing it at once: one
/// stores it, the other waits for that and reads it).
fn drawn(pg: &mut diesel::PgConnection, day: &str) -> QueryResult<i64> {
    use super::schema::tracking_days as t;
    fixed_sql!(Drawn: diesel::sql_types::BigInt = "nextval('tracking_numbers') - tracking_days.base");
    for _ in 0..2 {
        // A prepared statement (the DSL with a fixed fragment): drawn on every submission.
        let got = t::table
            .filter(t::day.eq(day))
            .select(Drawn)
            .first::<i64>(pg)
            .optional()?;
        if let Some(n) = got {
            return Ok(n);
        }
        // Once a day.
        diesel::sql_query(
            "INSERT INTO tracking_days (day, base) VALUES ($1, nextval('tracking_numbers')) \
             ON CONFLICT (day) DO NOTHING",
        )
        .bind::<diesel::sql_types::Text, _>(day)
        .execute(pg)?;
    }
    Err(diesel::result::Error::NotFound)
}

/// Stores a new petition with its masked search text and, while it has not ended (a new
/// submission has not; the demo seed's history often has), its sketch in the repeat index;
/// answers the row as stored. On PostgreSQL in one statement ([`WithIndexes`]).
pub fn insert(conn: &mut DbConn, row: &NewPetitionRow<'_>) -> QueryResult<PetitionRow> {
    let masked = search_text(row.title, row.content);
    // The status it is stored with (no trigger changes it).
    let indexed =
        minhu_types::PetitionStatus::parse(row.status).is_some_and(super::duplicates::indexed);
    // A macro, not a value: the returned columns' type names its backend.
    macro_rules! insert {
        () => {
            diesel::insert_into(petitions::table)
                .values(row)
                .returning(PetitionRow::as_returning())
        };
    }
    match conn {
        DbConn::Pg(c) => Kept(WithIndexes {
            insert: insert!(),
            masked: &masked,
            terms: if indexed {
                super::duplicates::sketch_of(row.title, row.content)
            } else {
                Vec::new()
            },
        })
        .get_result(c),
        DbConn::Sqlite(c) => {
            let stored: PetitionRow = Kept(insert!()).get_result(c)?;
            diesel::insert_into(petition_search::table)
                .values((
                    petition_search::petition_id.eq(stored.id),
                    petition_search::masked.eq(&masked),
                ))
                .execute(c)?;
            if indexed {
                let (id, category) = (stored.id, stored.category_id);
                super::duplicates::add(conn, id, category, row.title, row.content)?;
            }
            Ok(stored)
        }
    }
}

/// `insert`'s statement on PostgreSQL: the petition's insert (`insert`, returning the row) and,
/// from the row it returns, its search text and its postings in the repeat index (`terms`, none
/// for an ended petition), as one statement: `WITH p AS (INSERT … RETURNING …), s AS (INSERT
/// INTO petition_search …), t AS (INSERT INTO petition_terms …) SELECT * FROM p`. Apart they
/// were two round trips, each a wake-up and a TLS record both ways on each side (a
/// submission's statements alone, run by pgbench: 7–15 % more a second merged). Kept prepared
/// by its text ([`Kept`]), the terms as one array.
struct WithIndexes<'a, Q> {
    insert: Q,
    masked: &'a str,
    terms: Vec<i32>,
}

impl<Q: diesel::query_builder::QueryFragment<diesel::pg::Pg>>
    diesel::query_builder::QueryFragment<diesel::pg::Pg> for WithIndexes<'_, Q>
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Array, Integer, Text};
        out.push_sql("WITH p AS (");
        self.insert.walk_ast(out.reborrow())?;
        out.push_sql("), s AS (INSERT INTO petition_search (petition_id, masked) SELECT p.id, ");
        out.push_bind_param::<Text, _>(self.masked)?;
        out.push_sql(
            " FROM p), t AS (INSERT INTO petition_terms (category_id, term, petition_id) \
             SELECT p.category_id, term, p.id FROM p, unnest(",
        );
        out.push_bind_param::<Array<Integer>, _>(&self.terms)?;
        out.push_sql(") AS term) SELECT * FROM p");
        Ok(())
    }
}

impl<Q: diesel::query_builder::Query> diesel::query_builder::Query for WithIndexes<'_, Q> {
    type SqlType = Q::SqlType;
}

/// What a search by someone who sees the petition masked may match: title and content as
/// they are shown masked (kept in `petitions.search_text`).
pub fn search_text(title: &str, content: &str) -> String {
    use crate::domain::privacy::mask_text;
    format!("{}\n{}", mask_text(title), mask_text(content))
}

/// Fills the masked search text where it is missing (petitions from before it existed, or
/// all after `clear_search_text` when the masking rules changed), in batches; returns how many.
pub fn fill_search_text(conn: &mut DbConn) -> QueryResult<usize> {
    let mut done = 0;
    loop {
        let batch: Vec<(i64, String, String)> = petitions::table
            .filter(diesel::dsl::not(diesel::dsl::exists(
                petition_search::table.filter(petition_search::petition_id.eq(petitions::id)),
            )))
            .order(petitions::id.asc())
            .limit(500)
            .select((petitions::id, petitions::title, petitions::content))
            .load(conn)?;
        if batch.is_empty() {
            return Ok(done);
        }
        let rows: Vec<_> = batch
            .iter()
            .map(|(id, title, content)| {
                (
                    petition_search::petition_id.eq(*id),
                    petition_search::masked.eq(search_text(title, content)),
                )
            })
            .collect();
        per_backend!(conn, |c| diesel::insert_into(petition_search::table)
            .values(rows)
            .execute(c))?;
        done += batch.len();
    }
}

/// Forgets the masked search text of every petition, for `fill_search_text` to write anew.
pub fn clear_search_text(conn: &mut DbConn) -> QueryResult<usize> {
    diesel::delete(petition_search::table).execute(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<PetitionRow> {
    per_backend!(conn, |c| petitions::table
        .find(id)
        .select(PetitionRow::as_select())
        .first(c))
}

/// Repeat clusters: the petitions created in `[from, to)` that were merged into another,
/// counted by the one they were merged into, most first — `(that one's id, count)`. Read
/// through `petitions_merged`, which holds only merged petitions: the cost follows the period's
/// merges, not the size of history.
pub fn repeat_clusters(
    conn: &mut DbConn,
    from: NaiveDateTime,
    to: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(i64, i64)>> {
    use diesel::dsl::count_star;
    let rows: Vec<(Option<i64>, i64)> = petitions::table
        .filter(petitions::merged_into_id.is_not_null())
        .filter(petitions::created_at.ge(from))
        .filter(petitions::created_at.lt(to))
        .group_by(petitions::merged_into_id)
        .select((petitions::merged_into_id, count_star()))
        .order((count_star().desc(), petitions::merged_into_id.asc()))
        .limit(limit)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, n)| id.map(|id| (id, n)))
        .collect())
}

/// Several petitions by id (in no particular order).
pub fn find_many(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<PetitionRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    per_backend!(conn, |c| petitions::table
        .filter(super::one_of(petitions::id, ids))
        .select(PetitionRow::as_select())
        .load(c))
}

/// Whether a petition with this id exists (in any state).
pub fn exists(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        petitions::table.filter(petitions::id.eq(id)),
    ))
    .get_result(conn)
}

pub fn find_by_tracking_no(conn: &mut DbConn, no: &str) -> QueryResult<PetitionRow> {
    per_backend!(conn, |c| petitions::table
        .filter(petitions::tracking_no.eq(no))
        .select(PetitionRow::as_select())
        .first(c))
}

/// Loads the petition for a transition and holds it until the transaction ends, so concurrent
/// actions on one order run one after the other: `FOR NO KEY UPDATE` on PostgreSQL (it excludes
/// another action's, and lets rows that refer to the petition be written meanwhile: a unit's
/// move refiling the petition's orders (`units::reparent`) would otherwise wait for an action
/// that waits for the unit (`units::find_held`) — a deadlock); on SQLite a write as the first
/// statement takes the database's write lock (waiting out the busy timeout instead of failing
/// on a stale snapshot).
pub fn lock(conn: &mut DbConn, id: i64) -> QueryResult<PetitionRow> {
    match conn {
        DbConn::Pg(c) => petitions::table
            .find(id)
            .for_no_key_update()
            .select(PetitionRow::as_select())
            .first(c),
        DbConn::Sqlite(c) => {
            diesel::update(petitions::table.find(id))
                .set(petitions::version.eq(petitions::version))
                .execute(c)?;
            petitions::table
                .find(id)
                .select(PetitionRow::as_select())
                .first(c)
        }
    }
}

/// Moves the petition to `status` if it is still at `version`; returns whether it did.
pub fn transition(
    conn: &mut DbConn,
    id: i64,
    version: i64,
    status: &str,
    now: NaiveDateTime,
    changes: &PetitionChanges,
) -> QueryResult<bool> {
    // Kept prepared by its text (an action's changes take a few shapes), run by value.
    let n = Kept(
        diesel::update(
            petitions::table
                .find(id)
                .filter(petitions::version.eq(version)),
        )
        .set((
            petitions::status.eq(status),
            petitions::version.eq(version + 1),
            petitions::updated_at.eq(now),
            changes,
        ))
        .returning(petitions::id),
    )
    .load::<i64, _>(conn)?
    .len();
    if n == 1 {
        if let Some(content) = &changes.content {
            // The text a search matches follows the text, in the same transaction.
            let title: String = petitions::table
                .find(id)
                .select(petitions::title)
                .first(conn)?;
            diesel::update(petition_search::table.find(id))
                .set(petition_search::masked.eq(search_text(&title, content)))
                .execute(conn)?;
        }
    }
    Ok(n == 1)
}

/// Who may see which petitions.
/// What the public feed shows (`domain::privacy::in_public_feed`: published, not hidden, past
/// triage) in SQL, written exactly as the feed indexes' condition (migration
/// `000024_feed_indexes`), so that PostgreSQL and SQLite both read a page off them.
pub const IN_FEED: &str = "publish_consent AND NOT public_hidden AND status NOT IN ('submitted', 'needs_info', 'rejected', 'withdrawn')";
fixed_sql!(InFeed: diesel::sql_types::Bool = IN_FEED);

#[derive(Debug, Clone)]
pub enum Scope {
    All,
    /// What this user submitted.
    Submitter(i64),
    /// What was dispatched into the subtree at this unit path.
    Subtree(String),
    /// Published (`publish_consent`) and past triage.
    Public,
}

#[derive(Debug, Clone, Default)]
pub struct PetitionFilter {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub urgency: Option<String>,
    pub category_id: Option<i64>,
    /// Dispatched into this unit's subtree (its path).
    pub unit_path: Option<String>,
    pub q: Option<String>,
    /// `q` matches the text as it is, not as it is shown masked: only for callers who see
    /// every petition of the list unmasked (the hotline office, a petitioner their own).
    pub q_unmasked: bool,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    /// Open orders (with a unit) whose light is this, at this time.
    pub light: Option<(minhu_types::Light, NaiveDateTime)>,
    /// Only open petitions under supervision (督办).
    pub supervised_open: bool,
    /// Any of these statuses.
    pub statuses: Option<Vec<&'static str>>,
    /// Most supported first (我也遇到), then newest: the feed's `sort=supporters`.
    pub by_supporters: bool,
    /// A caller's history: the contact phone, or the submitting account's phone, is one of these
    /// forms (`rules::phone_forms`).
    pub phones: Option<Vec<String>>,
    /// Keyset paging: only petitions after this one in the list's order (`after`, for lists
    /// newest first: a smaller id, or by time an older `created_at` or the same and a smaller id).
    pub before_id: Option<i64>,
}

impl PetitionFilter {
    /// Waiting to be accepted (待受理): listed in triage order, not by id.
    fn triage(&self) -> bool {
        self.status.as_deref() == Some(minhu_types::PetitionStatus::Submitted.as_str())
    }

    /// Whether the list runs newest first (by id, or `by_time`), the order its `next` links
    /// (`after`, `before_id`) follow.
    pub fn keyset(&self) -> bool {
        !self.by_supporters && !self.triage()
    }

    /// Whether a newest-first list runs by `created_at` (then id) rather than by id: every list
    /// bounded by `to` (Open311's time range among them, which `petitions_in_feed_created` then
    /// serves in order). By id, a list that ends years ago passed over every petition since
    /// (170 ms at a million petitions); by time it starts where it ends. Ids usually follow the
    /// time, but not always (replicas whose clocks differ, generated or imported history): a
    /// list with `to` is in time order, the same list without it in id order.
    pub fn by_time(&self) -> bool {
        self.keyset() && self.to.is_some()
    }

    /// The unit whose filed petitions (`order_ancestors`) are the whole list in `scope`, when
    /// nothing else narrows it and it runs newest first by id (a handler's list as it opens,
    /// the office's for one unit): their ids are then that key read backwards, without the
    /// petitions. Every other field must be unset: a field added to the filter must be named here.
    fn only_filed_under(&self, scope: &Scope) -> Option<i64> {
        let PetitionFilter {
            status: None,
            kind: None,
            urgency: None,
            category_id: None,
            unit_path,
            q: None,
            q_unmasked: _,
            from: None,
            to: None,
            light: None,
            supervised_open: false,
            statuses: None,
            by_supporters: false,
            phones: None,
            before_id: _,
        } = self
        else {
            return None;
        };
        let path = match (scope, unit_path) {
            (Scope::Subtree(path), None) | (Scope::All, Some(path)) => path,
            _ => return None,
        };
        crate::domain::units::path_unit(path)
    }
}

/// Emergencies first, then urgent, then the rest (the names sort otherwise).
const URGENCY_RANK: &str =
    "CASE petitions.urgency WHEN 'emergency' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END";
fixed_sql!(UrgencyRank: diesel::sql_types::Integer = URGENCY_RANK);

/// `%` and `_` in a search term match themselves.
fn like_pattern(q: &str) -> String {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    filter: &PetitionFilter,
    paging: Paging,
) -> QueryResult<(Vec<PetitionRow>, i64)> {
    list_page(conn, scope, filter, paging, true)
}

/// One page of `list` without its total, for callers that show none (Open311, the board).
pub fn list_rows(
    conn: &mut DbConn,
    scope: &Scope,
    filter: &PetitionFilter,
    paging: Paging,
) -> QueryResult<Vec<PetitionRow>> {
    list_page(conn, scope, filter, paging, false).map(|(rows, _)| rows)
}

type ListQuery = diesel::helper_types::IntoBoxed<
    'static,
    petitions::table,
    <DbConn as diesel::Connection>::Backend,
>;

fn list_page(
    conn: &mut DbConn,
    scope: &Scope,
    filter: &PetitionFilter,
    paging: Paging,
    counted: bool,
) -> QueryResult<(Vec<PetitionRow>, i64)> {
    let query = || {
        let mut q = petitions::table.into_boxed();
        match scope {
            Scope::All => {}
            Scope::Submitter(id) => q = q.filter(petitions::submitter_id.eq(*id)),
            // Applied below with the `unit_id` filter: the same subquery.
            Scope::Subtree(_) => {}
            Scope::Public => q = q.filter(InFeed),
        }
        if let Some(s) = &filter.status {
            q = q.filter(Is::new(petitions::status, PetitionStatus::parse(s)));
        }
        if let Some(any) = &filter.statuses {
            q = q.filter(petitions::status.eq_any(any.clone()));
        }
        if let Some(k) = &filter.kind {
            q = q.filter(petitions::kind.eq(k.clone()));
        }
        if let Some(u) = &filter.urgency {
            q = q.filter(Is::new(petitions::urgency, Urgency::parse(u)));
        }
        if let Some(c) = filter.category_id {
            q = q.filter(petitions::category_id.eq(c));
        }
        if let Some(forms) = &filter.phones {
            q = q.filter(
                petitions::contact_phone
                    .eq_any(forms.clone())
                    .or(petitions::submitter_id.eq_any(
                        super::schema::users::table
                            .filter(super::schema::users::phone.eq_any(forms.clone()))
                            .select(super::schema::users::id),
                    )),
            );
        }
        let scope_path = match scope {
            Scope::Subtree(path) => Some(path),
            _ => None,
        };
        // What was dispatched into a unit's subtree: for a handler's scope and for `unit_id`.
        for path in [scope_path, filter.unit_path.as_ref()]
            .into_iter()
            .flatten()
        {
            // Through the orders filed under the unit, not the orders' path range (which read
            // the whole history for a unit with a small share of it). A path naming no unit
            // (the root) still holds only what was dispatched somewhere.
            use super::schema::order_ancestors as o;
            q = match crate::domain::units::path_unit(path) {
                Some(unit) => q.filter(
                    petitions::id.eq_any(
                        o::table
                            .filter(o::ancestor_id.eq(unit))
                            .select(o::petition_id),
                    ),
                ),
                None => q.filter(petitions::id.eq_any(o::table.select(o::petition_id))),
            };
        }
        if let Some(term) = &filter.q {
            let p = like_pattern(term);
            q = if filter.q_unmasked {
                q.filter(
                    petitions::title
                        .like(p.clone())
                        .escape('\\')
                        .or(petitions::content.like(p).escape('\\')),
                )
            } else {
                // Only what the caller sees: a search cannot confirm a masked digit.
                q.filter(
                    petitions::id.eq_any(
                        petition_search::table
                            .filter(petition_search::masked.like(p).escape('\\'))
                            .select(petition_search::petition_id),
                    ),
                )
            };
        }
        if let Some(from) = filter.from {
            q = q.filter(petitions::created_at.ge(from));
        }
        if filter.supervised_open {
            q = q
                .filter(petitions::supervised.eq(true))
                .filter(petitions::status.eq_any(names(lifecycle::SUPERVISABLE)));
        }
        if let Some((light, now)) = filter.light {
            use minhu_types::Light;
            q = q.filter(petitions::status.eq_any(names(lifecycle::IN_UNITS)));
            q = match light {
                Light::Red => q.filter(petitions::reply_by.lt(now)),
                Light::Yellow => q.filter(petitions::reply_by.ge(now)).filter(
                    petitions::yellow_at
                        .le(now)
                        .or(petitions::yellow_at.is_null()),
                ),
                Light::Green => q.filter(petitions::yellow_at.gt(now)),
            };
        }
        if let Some(to) = filter.to {
            q = q.filter(petitions::created_at.lt(to));
        }
        if let Some(before) = filter.before_id {
            q = if filter.by_time() {
                // After `before` in (created_at, id) order: its time looked up in the statement,
                // which reads on along `petitions_created` from there.
                let cursor = diesel::alias!(petitions as cursor);
                let at = || {
                    cursor
                        .filter(cursor.field(petitions::id).eq(before))
                        .select(cursor.field(petitions::created_at))
                        .single_value()
                };
                q.filter(petitions::created_at.nullable().le(at())).filter(
                    petitions::created_at
                        .nullable()
                        .lt(at())
                        .or(petitions::id.lt(before).nullable()),
                )
            } else {
                q.filter(petitions::id.lt(before))
            };
        }
        q
    };
    // Waiting to be accepted (待受理): emergencies first, then what many residents share, then
    // whoever has waited longest.
    let triage = filter.triage();
    let ordered = |q: ListQuery| {
        if filter.by_time() {
            q.order((petitions::created_at.desc(), petitions::id.desc()))
        } else if filter.by_supporters {
            q.order((petitions::supporters.desc(), petitions::id.desc()))
        } else if triage {
            q.order((
                UrgencyRank.asc(),
                petitions::supporters.desc(),
                petitions::created_at.asc(),
                petitions::id.asc(),
            ))
        } else {
            q.order(petitions::id.desc())
        }
    };
    // Counted only a few pages ahead, never over all history (`Paging::total`): the ids from
    // the page on, whose first are the page's, then those petitions by id. Reading the page
    // again with its conditions could take another plan: a community's petitions at a million
    // (1 in 3,000 of them) were found by walking every petition newest first, 46 ms a page.
    if counted {
        let window = match filter.only_filed_under(scope) {
            // A unit's petitions, nothing else: the ids filed under it, newest first, each once
            // (an order and the order it gave below are both filed under the units above). In
            // the general form PostgreSQL gathered and sorted all of them: 2 ms for a community
            // at a million petitions, 0.1 ms so.
            Some(unit) => {
                use super::schema::order_ancestors as o;
                let mut ids = o::table
                    .filter(o::ancestor_id.eq(unit))
                    .select(o::petition_id)
                    .distinct()
                    .order(o::petition_id.desc())
                    .into_boxed();
                if let Some(before) = filter.before_id {
                    ids = ids.filter(o::petition_id.lt(before));
                }
                paging.window_of(ids).load::<i64>(conn)?
            }
            None => paging
                .window_of(ordered(query()).select(petitions::id))
                .load::<i64>(conn)?,
        };
        let total = paging.total(window.len() as i64, || query().count().get_result(conn))?;
        let page: Vec<i64> = window.into_iter().take(paging.per_page as usize).collect();
        return Ok((page_rows(conn, scope, &page)?, total));
    }
    // Uncounted too: the page's ids, then those petitions. Asked for whole rows, PostgreSQL
    // costs an index's reads of the table by how the index's first column follows the table's
    // order: Open311's requests of one service code were read along the feed's index by time,
    // passing over every other category (250 ms at a million petitions for a code the feed
    // seldom shows), where the ids alone come off `petitions_in_feed_category`.
    let page: Vec<i64> = ordered(query())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(petitions::id)
        .load(conn)?;
    Ok((page_rows(conn, scope, &page)?, 0))
}

/// A page's petitions by the ids its first statement found, in their order. The two statements
/// do not share a snapshot: a petition hidden or withdrawn between them is not shown publicly.
fn page_rows(conn: &mut DbConn, scope: &Scope, page: &[i64]) -> QueryResult<Vec<PetitionRow>> {
    let mut items = find_many(conn, page)?;
    if matches!(scope, Scope::Public) {
        items.retain(|p| {
            crate::domain::privacy::in_public_feed(p.status, p.publish_consent, p.public_hidden)
        });
    }
    in_order_of(page, &mut items, |p| p.id);
    Ok(items)
}

/// The petition with its orders and their units, in order, and whether it has any replies and
/// any photos, in one statement (`NotFound` if there is no such petition).
pub fn find_with_orders(conn: &mut DbConn, id: i64) -> QueryResult<(PetitionRow, Orders, Holds)> {
    use super::schema::photos;
    // Two flat left joins, not a left join of an inner join: SQLite would build that inner
    // join whole (every order with its unit) before picking this petition's.
    let rows: Vec<(
        PetitionRow,
        Option<AssignmentRow>,
        Option<UnitRow>,
        bool,
        bool,
    )> = per_backend!(conn, |c| {
        petitions::table
            .left_join(assignments::table)
            .left_join(units::table.on(units::id.eq(assignments::unit_id)))
            .filter(petitions::id.eq(id))
            .order(assignments::id.asc())
            .select((
                PetitionRow::as_select(),
                Option::<AssignmentRow>::as_select(),
                Option::<UnitRow>::as_select(),
                diesel::dsl::exists(replies::table.filter(replies::petition_id.eq(id))),
                diesel::dsl::exists(photos::table.filter(photos::petition_id.eq(id))),
            ))
            .load(c)
    })?;
    let mut rows = rows.into_iter();
    let (petition, a, u, replies, photos) = rows.next().ok_or(diesel::result::Error::NotFound)?;
    let orders = std::iter::once((a, u))
        .chain(rows.map(|(_, a, u, _, _)| (a, u)))
        .filter_map(|(a, u)| Some((a?, u?)))
        .collect();
    Ok((petition, orders, Holds { replies, photos }))
}

/// Whether a petition has any replies, any photos: what its page must read besides.
#[derive(Debug, Clone, Copy)]
pub struct Holds {
    pub replies: bool,
    pub photos: bool,
}

/// A petition's orders with their units.
pub type Orders = Vec<(AssignmentRow, UnitRow)>;

pub fn assignments_of(
    conn: &mut DbConn,
    petition_id: i64,
) -> QueryResult<Vec<(AssignmentRow, UnitRow)>> {
    assignments::table
        .inner_join(units::table)
        .filter(assignments::petition_id.eq(petition_id))
        .order(assignments::id.asc())
        .select((AssignmentRow::as_select(), UnitRow::as_select()))
        .load(conn)
}

pub fn find_assignment(conn: &mut DbConn, id: i64) -> QueryResult<(AssignmentRow, UnitRow)> {
    assignments::table
        .inner_join(units::table)
        .filter(assignments::id.eq(id))
        .select((AssignmentRow::as_select(), UnitRow::as_select()))
        .first(conn)
}

/// A new order, filed under every unit on its unit's path (`order_ancestors`).
pub fn insert_assignment(conn: &mut DbConn, row: &NewAssignmentRow<'_>) -> QueryResult<i64> {
    use super::schema::order_ancestors as o;
    let id: i64 = Kept(
        diesel::insert_into(assignments::table)
            .values(row)
            .returning(assignments::id),
    )
    .get_result(conn)?;
    // The units on its path, as rows (one statement, for any depth), with its state and
    // deadline while it is live.
    let on_path = crate::domain::units::path_ids(row.unit_path);
    let (live_state, live_reply_by) = live_copy(row.state, row.reply_by);
    diesel::insert_into(o::table)
        .values(
            units::table
                .filter(super::one_of(units::id, &on_path))
                .select((
                    units::id,
                    id.into_sql::<diesel::sql_types::BigInt>(),
                    row.petition_id.into_sql::<diesel::sql_types::BigInt>(),
                    live_state.into_sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(),
                    live_reply_by
                        .into_sql::<diesel::sql_types::Nullable<diesel::sql_types::Timestamp>>(),
                )),
        )
        .into_columns(FILED_COLUMNS)
        .execute(conn)?;
    Ok(id)
}

/// A filed order's columns (`order_ancestors`) as the statements that file orders write them:
/// here, and when a unit moves (`db::units::reparent`).
pub(super) const FILED_COLUMNS: (
    super::schema::order_ancestors::ancestor_id,
    super::schema::order_ancestors::assignment_id,
    super::schema::order_ancestors::petition_id,
    super::schema::order_ancestors::live_state,
    super::schema::order_ancestors::live_reply_by,
) = {
    use super::schema::order_ancestors as o;
    (
        o::ancestor_id,
        o::assignment_id,
        o::petition_id,
        o::live_state,
        o::live_reply_by,
    )
};

/// What an order's filed rows (`order_ancestors`) keep of it: its state and deadline while it
/// is live (`lifecycle::LIVE_ORDERS`), nothing once it is not.
fn live_copy(state: &str, reply_by: NaiveDateTime) -> (Option<&str>, Option<NaiveDateTime>) {
    let live = lifecycle::LIVE_ORDERS.iter().any(|s| s.as_str() == state);
    if live {
        (Some(state), Some(reply_by))
    } else {
        (None, None)
    }
}

/// Applies `changes` to an assignment; a changeset with nothing in it changes nothing. A change
/// of its state or deadline is copied to its filed rows (`live_copy`), in the same transaction.
pub fn update_assignment(
    conn: &mut DbConn,
    id: i64,
    changes: &AssignmentChanges,
) -> QueryResult<usize> {
    use super::schema::order_ancestors as o;
    let changed: Vec<(String, NaiveDateTime, String)> = match Kept(
        diesel::update(assignments::table.find(id))
            .set(changes)
            .returning((
                assignments::state,
                assignments::reply_by,
                assignments::unit_path,
            )),
    )
    .load(conn)
    {
        Err(diesel::result::Error::QueryBuilderError(e))
            if e.is::<diesel::result::EmptyChangeset>() =>
        {
            return Ok(0)
        }
        other => other?,
    };
    if changes.state.is_some() || changes.reply_by.is_some() {
        for (state, reply_by, unit_path) in &changed {
            let (live_state, live_reply_by) = live_copy(state, *reply_by);
            Kept(
                diesel::update(
                    o::table
                        .filter(super::one_of(
                            o::ancestor_id,
                            &crate::domain::units::path_ids(unit_path),
                        ))
                        .filter(o::assignment_id.eq(id)),
                )
                .set((
                    o::live_state.eq(live_state),
                    o::live_reply_by.eq(live_reply_by),
                ))
                .returning(o::ancestor_id),
            )
            .load::<i64, _>(conn)?;
        }
    }
    Ok(changed.len())
}

#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    pub state: Option<String>,
    pub open_request: Option<String>,
    pub light: Option<(minhu_types::Light, NaiveDateTime)>,
    pub overdue_at: Option<NaiveDateTime>,
}

impl InboxFilter {
    /// Nothing narrows the inbox (a field added here must be named).
    fn is_empty(&self) -> bool {
        let InboxFilter {
            state,
            open_request,
            light,
            overdue_at,
        } = self;
        state.is_none() && open_request.is_none() && light.is_none() && overdue_at.is_none()
    }
}

type OrdersQuery =
    diesel::helper_types::IntoBoxed<'static, assignments::table, <DbConn as Connection>::Backend>;

/// Assignments in the subtree at `path` matching `filter`: orders alone, read by their own
/// columns (the unit's path is kept on each order), without joining anything.
fn inbox_query(path: &str, filter: &InboxFilter) -> OrdersQuery {
    let (lo, hi) = subtree_range(path);
    orders_query(filter)
        .filter(assignments::unit_path.ge(lo))
        .filter(assignments::unit_path.lt(hi))
}

/// Assignments anywhere matching `filter`.
fn orders_query(filter: &InboxFilter) -> OrdersQuery {
    order_filters!(assignments::table.into_boxed(), filter)
}

/// `filter` on any boxed query that reads `assignments` (`OrdersQuery`, `FiledOrdersQuery`).
macro_rules! order_filters {
    ($query:expr, $filter:expr) => {{
        let filter: &InboxFilter = $filter;
        let mut q = $query;
        if let Some(s) = &filter.state {
            q = q.filter(assignments::state.eq(s.clone()));
        }
        if let Some(r) = &filter.open_request {
            let kind = minhu_types::RequestKind::parse(r);
            q = q.filter($crate::db::Is::new(assignments::open_request, kind));
        }
        if let Some(now) = filter.overdue_at {
            q = q
                .filter(assignments::state.eq_any(names(lifecycle::LIVE_ORDERS)))
                .filter(assignments::reply_by.lt(now));
        }
        if let Some((light, now)) = filter.light {
            use minhu_types::Light;
            q = q.filter(assignments::state.eq_any(names(lifecycle::LIVE_ORDERS)));
            q = match light {
                Light::Red => q.filter(assignments::reply_by.lt(now)),
                Light::Yellow => q.filter(assignments::reply_by.ge(now)).filter(
                    assignments::yellow_at
                        .le(now)
                        .or(assignments::yellow_at.is_null()),
                ),
                Light::Green => q.filter(assignments::yellow_at.gt(now)),
            };
        }
        q
    }};
}
use order_filters;

/// Orders filed under a unit (`order_ancestors`) with their rows, boxed.
type FiledOrdersQuery = diesel::helper_types::IntoBoxed<
    'static,
    diesel::helper_types::InnerJoin<super::schema::order_ancestors::table, assignments::table>,
    <DbConn as Connection>::Backend,
>;

/// History — the orders matching `filter` that are no longer live — under `unit`: the orders
/// filed under it, to be read backwards along that key, so a page stops after its rows however
/// deep or sparse the subtree (through the orders' path range a community's history read every
/// order there was: 30 ms at a hundred thousand orders, ten times that at a million).
fn filed_history(unit: i64, filter: &InboxFilter) -> FiledOrdersQuery {
    use super::schema::order_ancestors as o;
    order_filters!(
        o::table
            .inner_join(assignments::table)
            .filter(o::ancestor_id.eq(unit))
            .into_boxed(),
        filter
    )
    .filter(diesel::dsl::not(LiveIn))
}

/// History of every unit (the root '/', the operators' inbox): the orders alone.
fn all_history(filter: &InboxFilter) -> OrdersQuery {
    orders_query(filter).filter(diesel::dsl::not(LiveIn))
}

/// The ids of `limit` orders of the history at `path`, newest first, after `skip`.
fn history_ids(
    conn: &mut DbConn,
    path: &str,
    filter: &InboxFilter,
    skip: i64,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    use super::schema::order_ancestors as o;
    match crate::domain::units::path_unit(path) {
        // As a unit opens its inbox: the filed orders read backwards, passing over the live
        // ones by the filed row's own copy (`live_copy`; each order was looked up by its id
        // before migration 000032). Joined with the orders, PostgreSQL planned a merge join
        // walking every order newest first, and planned it again on every run as it thought
        // that cheaper than the prepared plan (1.9 ms of execution and 0.5 ms of planning for
        // a district at 100,000 petitions, where this takes 0.3 and 0.2).
        Some(unit) if filter.is_empty() => filed_no_longer_live(unit)
            .order(o::assignment_id.desc())
            .offset(skip)
            .limit(limit)
            .select(o::assignment_id)
            .load(conn),
        Some(unit) => filed_history(unit, filter)
            .order(o::assignment_id.desc())
            .offset(skip)
            .limit(limit)
            .select(assignments::id)
            .load(conn),
        None => all_history(filter)
            .order(assignments::id.desc())
            .offset(skip)
            .limit(limit)
            .select(assignments::id)
            .load(conn),
    }
}

/// How many orders the history at `path` holds.
fn history_count(conn: &mut DbConn, path: &str, filter: &InboxFilter) -> QueryResult<i64> {
    match crate::domain::units::path_unit(path) {
        Some(unit) if filter.is_empty() => filed_no_longer_live(unit).count().get_result(conn),
        Some(unit) => filed_history(unit, filter).count().get_result(conn),
        None => all_history(filter).count().get_result(conn),
    }
}

/// The live orders (`lifecycle::LIVE_ORDERS`) in SQL, written as the condition of the
/// live-orders indexes (migrations `000027_live_orders_covering`, `000029_live_orders_queue`):
/// with the states as bound values neither SQLite nor a generic PostgreSQL plan can use them.
pub const LIVE_IN: &str = "assignments.state IN ('pending', 'handling')";
fixed_sql!(LiveIn: diesel::sql_types::Bool = LIVE_IN);

/// The orders filed under a unit that meet `C` (their live copy there or not).
type Filed<C> = diesel::dsl::Filter<
    diesel::dsl::Filter<
        super::schema::order_ancestors::table,
        diesel::dsl::Eq<super::schema::order_ancestors::ancestor_id, i64>,
    >,
    C,
>;

/// A unit's unfiltered live orders: the orders filed under it whose copy of their state is
/// there (`live_copy`), read along `order_ancestors_live` without joining the orders.
fn filed_live(
    unit: i64,
) -> Filed<diesel::dsl::IsNotNull<super::schema::order_ancestors::live_state>> {
    use super::schema::order_ancestors as o;
    o::table
        .filter(o::ancestor_id.eq(unit))
        .filter(o::live_state.is_not_null())
}

/// A unit's unfiltered history: the orders filed under it that are no longer live (their copy
/// is empty), without looking each order up (`history_ids` reads it, `history_count` counts it).
fn filed_no_longer_live(
    unit: i64,
) -> Filed<diesel::dsl::IsNull<super::schema::order_ancestors::live_state>> {
    use super::schema::order_ancestors as o;
    o::table
        .filter(o::ancestor_id.eq(unit))
        .filter(o::live_state.is_null())
}

/// The live orders matching `filter` in the subtree at `path`; the root's ('/', the hotline
/// office's) without a condition on the path, so that they are read along the queue index.
fn live_orders(path: &str, filter: &InboxFilter) -> OrdersQuery {
    match crate::domain::units::path_unit(path) {
        Some(_) => inbox_query(path, filter).filter(LiveIn),
        None => orders_query(filter).filter(LiveIn),
    }
}

/// A unit's inbox: assignments anywhere in the subtree at `path`. The live ones first (to sign,
/// then in handling, earliest deadline first: `lifecycle::LIVE_ORDERS`' order, which is their
/// states' names descending, as the queue index of migration 000029 has them), then the rest
/// of its history, newest first. Like every list over history it counts only a few pages
/// ahead (`Paging::count_window`), the live orders included: the hotline office's are every
/// live order of the city, and counting them whole cost every page a read of them all. So a
/// page costs the same at ten million petitions as at a thousand: three statements (two while
/// live orders fill the page's counting window, four past the live orders, five past the end).
pub fn inbox(
    conn: &mut DbConn,
    path: &str,
    filter: &InboxFilter,
    paging: Paging,
) -> QueryResult<(Vec<(AssignmentRow, UnitRow, PetitionRow)>, i64)> {
    use super::schema::order_ancestors as o;
    let window = paging.count_window();
    // The live orders from this page's offset, as far as its counting window reaches; a page
    // past them counts them (fewer than the offset, which is bounded). A unit's, unfiltered,
    // are read off its filed orders' copies in this order (`order_ancestors_live`), stopping
    // after the window; any other's (the root's, or filtered) off the orders.
    let filed = crate::domain::units::path_unit(path).filter(|_| filter.is_empty());
    let live_ids: Vec<i64> = match filed {
        Some(unit) => paging
            .window_of(
                filed_live(unit)
                    .order((
                        o::live_state.desc(),
                        o::live_reply_by.asc(),
                        o::assignment_id.asc(),
                    ))
                    .select(o::assignment_id)
                    .into_boxed(),
            )
            .load(conn)?,
        None => paging
            .window_of(
                live_orders(path, filter)
                    .order((
                        assignments::state.desc(),
                        assignments::reply_by.asc(),
                        assignments::id.asc(),
                    ))
                    .select(assignments::id),
            )
            .load(conn)?,
    };
    let live_counted = live_ids.len() as i64;
    let live_total = if live_counted == 0 && paging.offset() > 0 {
        match filed {
            Some(unit) => filed_live(unit).count().get_result(conn)?,
            None => live_orders(path, filter).count().get_result(conn)?,
        }
    } else {
        paging.offset() + live_counted
    };
    // History newest first, counted as far as the window reaches past the live orders (none
    // when live orders fill it: then `total` is the window's lower bound); its first rows
    // complete the page.
    let skip = (paging.offset() - live_total).max(0);
    let reach = window - live_counted;
    let history: Vec<i64> = if reach > 0 {
        history_ids(conn, path, filter, skip, reach)?
    } else {
        Vec::new()
    };
    let counted = history.len() as i64;
    let total = if counted == 0 && skip > 0 {
        live_total + history_count(conn, path, filter)?
    } else {
        live_total + skip + counted
    };
    let ids: Vec<i64> = live_ids
        .into_iter()
        .chain(history)
        .take(paging.per_page as usize)
        .collect();
    Ok((orders_by_id(conn, &ids)?, total))
}

/// Puts rows read by id (in no particular order) in the order of `ids`, a page's few.
fn in_order_of<T>(ids: &[i64], rows: &mut [T], id: impl Fn(&T) -> i64) {
    // Each row's place found once (a sort by a looked-up key would look it up per comparison).
    rows.sort_by_cached_key(|row| ids.iter().position(|i| *i == id(row)));
}

/// These assignments with their units and petitions, in the order of `ids` (one statement).
fn orders_by_id(
    conn: &mut DbConn,
    ids: &[i64],
) -> QueryResult<Vec<(AssignmentRow, UnitRow, PetitionRow)>> {
    let mut rows: Vec<(AssignmentRow, UnitRow, PetitionRow)> =
        per_backend!(conn, |c| assignments::table
            .inner_join(units::table)
            .inner_join(petitions::table)
            .filter(super::one_of(assignments::id, ids))
            .select((
                AssignmentRow::as_select(),
                UnitRow::as_select(),
                PetitionRow::as_select(),
            ))
            .load(c))?;
    in_order_of(ids, &mut rows, |(a, _, _)| a.id);
    Ok(rows)
}

/// The first `limit` assignments matching `filter` anywhere, earliest deadline first, without
/// counting them all (the supervision board, the briefing's overdue list).
pub fn by_deadline(
    conn: &mut DbConn,
    filter: &InboxFilter,
    limit: i64,
) -> QueryResult<Vec<(AssignmentRow, UnitRow, PetitionRow)>> {
    let ids: Vec<i64> = inbox_query("/", filter)
        .order((assignments::reply_by.asc(), assignments::id.asc()))
        .limit(limit)
        .select(assignments::id)
        .load(conn)?;
    orders_by_id(conn, &ids)
}

/// Per unit: open assignments, how many are yellow, how many red, at `now`.
pub fn open_counts_by_unit(
    conn: &mut DbConn,
    now: NaiveDateTime,
) -> QueryResult<Vec<(i64, i64, i64, i64)>> {
    use diesel::dsl::count_star;
    let open =
        || assignments::table.filter(assignments::state.eq_any(names(lifecycle::LIVE_ORDERS)));
    let all: Vec<(i64, i64)> = open()
        .group_by(assignments::unit_id)
        .select((assignments::unit_id, count_star()))
        .load(conn)?;
    let red: Vec<(i64, i64)> = open()
        .filter(assignments::reply_by.lt(now))
        .group_by(assignments::unit_id)
        .select((assignments::unit_id, count_star()))
        .load(conn)?;
    let yellow: Vec<(i64, i64)> = open()
        .filter(assignments::reply_by.ge(now))
        .filter(
            assignments::yellow_at
                .le(now)
                .or(assignments::yellow_at.is_null()),
        )
        .group_by(assignments::unit_id)
        .select((assignments::unit_id, count_star()))
        .load(conn)?;
    let find = |v: &[(i64, i64)], id: i64| v.iter().find(|(u, _)| *u == id).map_or(0, |(_, n)| *n);
    Ok(all
        .iter()
        .map(|(id, n)| (*id, *n, find(&yellow, *id), find(&red, *id)))
        .collect())
}

/// Petitions open now, and those among them past their reply deadline.
pub fn open_and_overdue(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<(i64, i64)> {
    let open = petitions::table
        .filter(petitions::status.eq_any(names(lifecycle::UNENDED)))
        .count()
        .get_result(conn)?;
    let overdue = petitions::table
        .filter(petitions::status.eq_any(names(lifecycle::IN_UNITS)))
        .filter(petitions::reply_by.lt(now))
        .count()
        .get_result(conn)?;
    Ok((open, overdue))
}

/// Petitions picked as typical cases between two instants (at most 50).
pub fn typical_between(
    conn: &mut DbConn,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<PetitionRow>> {
    petitions::table
        .filter(petitions::typical_at.ge(from))
        .filter(petitions::typical_at.lt(to))
        .order(petitions::typical_at.asc())
        .limit(50)
        .select(PetitionRow::as_select())
        .load(conn)
}

/// Whether the petition was dispatched into the subtree at `path`, and whether one of those
/// assignments is still live (not returned).
pub fn dispatched_into(
    conn: &mut DbConn,
    petition_id: i64,
    path: &str,
) -> QueryResult<(bool, bool)> {
    let (lo, hi) = subtree_range(path);
    let states: Vec<String> = assignments::table
        .filter(assignments::petition_id.eq(petition_id))
        .filter(assignments::unit_path.ge(lo))
        .filter(assignments::unit_path.lt(hi))
        .select(assignments::state)
        .load(conn)?;
    let live = states
        .iter()
        .any(|s| s != minhu_types::AssignmentState::Returned.as_str());
    Ok((!states.is_empty(), live))
}

pub fn insert_event(conn: &mut DbConn, row: &NewEventRow<'_>) -> QueryResult<i64> {
    per_backend!(conn, |c| Kept(
        diesel::insert_into(events::table)
            .values(row)
            .returning(events::id)
    )
    .get_result(c))
}

/// The events of these petitions, by petition then in order (one query for a whole list).
pub fn find_event(conn: &mut DbConn, id: i64) -> QueryResult<EventRow> {
    events::table
        .find(id)
        .select(EventRow::as_select())
        .first(conn)
}

pub fn events_of(conn: &mut DbConn, petition_ids: &[i64]) -> QueryResult<Vec<EventRow>> {
    if petition_ids.is_empty() {
        return Ok(Vec::new());
    }
    crate::per_backend!(conn, |c| events::table
        .filter(super::one_of(events::petition_id, petition_ids))
        .order((events::petition_id.asc(), events::id.asc()))
        .select(EventRow::as_select())
        .load(c))
}

pub fn insert_reply(conn: &mut DbConn, row: &NewReplyRow<'_>) -> QueryResult<i64> {
    diesel::insert_into(replies::table)
        .values(row)
        .returning(replies::id)
        .get_result(conn)
}

/// The replies to these petitions, by petition then in order.
pub fn replies_of(conn: &mut DbConn, petition_ids: &[i64]) -> QueryResult<Vec<ReplyRow>> {
    if petition_ids.is_empty() {
        return Ok(Vec::new());
    }
    crate::per_backend!(conn, |c| replies::table
        .filter(super::one_of(replies::petition_id, petition_ids))
        .order((replies::petition_id.asc(), replies::id.asc()))
        .select(ReplyRow::as_select())
        .load(c))
}

pub fn insert_visit(conn: &mut DbConn, row: &NewVisitRow<'_>) -> QueryResult<i64> {
    diesel::insert_into(visits::table)
        .values(row)
        .returning(visits::id)
        .get_result(conn)
}

pub fn visits_of(conn: &mut DbConn, petition_id: i64) -> QueryResult<Vec<VisitRow>> {
    visits::table
        .filter(visits::petition_id.eq(petition_id))
        .order(visits::id.asc())
        .select(VisitRow::as_select())
        .load(conn)
}

pub fn insert_follow_up(
    conn: &mut DbConn,
    petition_id: i64,
    author_id: i64,
    title: &str,
    body: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(follow_ups::table)
        .values((
            follow_ups::petition_id.eq(petition_id),
            follow_ups::author_id.eq(author_id),
            follow_ups::title.eq(title),
            follow_ups::body.eq(body),
            follow_ups::created_at.eq(now),
        ))
        .returning(follow_ups::id)
        .get_result(conn)
}

/// Reporters' follow-ups on these petitions, by petition then in order.
pub fn follow_ups_of(conn: &mut DbConn, petition_ids: &[i64]) -> QueryResult<Vec<FollowUpRow>> {
    if petition_ids.is_empty() {
        return Ok(Vec::new());
    }
    crate::per_backend!(conn, |c| follow_ups::table
        .inner_join(users::table)
        .filter(super::one_of(follow_ups::petition_id, petition_ids))
        .order((follow_ups::petition_id.asc(), follow_ups::id.asc()))
        .select((
            follow_ups::id,
            follow_ups::petition_id,
            users::display_name,
            follow_ups::title,
            follow_ups::body,
            follow_ups::created_at,
        ))
        .load(c))
}

/// The audit log of unmasked reads: one row for each petition a view showed unmasked to
/// `user_id`, and through which view (`detail`, `inbox`, `board`, …). Written before the view
/// is shown: inside a request's database work ([`super::run`]) and outside a transaction,
/// together with the rows other requests are writing at the same moment ([`super::batched`]),
/// so that under load one statement and one commit serve many reads; otherwise (inside a
/// transaction, which takes its rows with it if it fails) in a statement of its own.
pub fn record_contact_reads(
    conn: &mut DbConn,
    petition_ids: &[i64],
    user_id: i64,
    role: &'static str,
    via: &'static str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    if petition_ids.is_empty() {
        return Ok(());
    }
    let rows = petition_ids
        .iter()
        .map(|&petition_id| ContactRead {
            petition_id,
            user_id,
            role,
            via,
            at: now,
        })
        .collect();
    match super::contact_read_batches() {
        Some(batches) if !in_transaction(conn)? => batches.write(conn, rows, insert_contact_reads),
        _ => insert_contact_reads(conn, &rows),
    }
}

/// Whether the connection is inside a transaction.
fn in_transaction(conn: &mut DbConn) -> QueryResult<bool> {
    use diesel::connection::{Connection, TransactionManager};
    Ok(
        <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn)
            .transaction_depth()?
            .is_some(),
    )
}

/// Audit rows a statement writes on SQLite at most (five values each).
const SQLITE_AUDIT_ROWS: usize = 1_000;

/// One audit row, before it is written (role and view are names fixed in the code).
#[derive(Debug, Clone, Copy)]
pub struct ContactRead {
    petition_id: i64,
    user_id: i64,
    role: &'static str,
    via: &'static str,
    at: NaiveDateTime,
}

impl From<super::batched::NotWritten> for diesel::result::Error {
    fn from(_: super::batched::NotWritten) -> Self {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::Unknown,
            Box::new("the batch of audit rows these were written with failed".to_owned()),
        )
    }
}

/// Writes audit rows in one statement. On PostgreSQL one the connection keeps prepared
/// whatever their number, each column as one array: rows written as VALUES change the
/// statement with their number, so it was parsed and planned anew on every page.
fn insert_contact_reads(conn: &mut DbConn, rows: &[ContactRead]) -> QueryResult<()> {
    match conn {
        DbConn::Pg(c) => {
            fn column<T>(rows: &[ContactRead], f: fn(&ContactRead) -> T) -> Vec<T> {
                rows.iter().map(f).collect()
            }
            let petitions = column(rows, |r| r.petition_id);
            let users = column(rows, |r| r.user_id);
            let roles = column(rows, |r| r.role);
            let vias = column(rows, |r| r.via);
            let ats = column(rows, |r| r.at);
            diesel::query_dsl::methods::ExecuteDsl::execute(
                contact_reads_of_columns(&petitions, &users, &roles, &vias, &ats),
                c,
            )
        }
        // SQLite binds each value (five a row) and takes a bounded number in a statement
        // (250,000 as libsqlite3-sys builds it, 32,766 by SQLite's own default): a batch of
        // many requests' pages is written in chunks.
        DbConn::Sqlite(c) => {
            let mut written = 0;
            for chunk in rows.chunks(SQLITE_AUDIT_ROWS) {
                let values: Vec<_> = chunk
                    .iter()
                    .map(|r| {
                        (
                            contact_reads::petition_id.eq(r.petition_id),
                            contact_reads::user_id.eq(r.user_id),
                            contact_reads::role.eq(r.role),
                            contact_reads::via.eq(r.via),
                            contact_reads::created_at.eq(r.at),
                        )
                    })
                    .collect();
                written += diesel::insert_into(contact_reads::table)
                    .values(values)
                    .execute(c)?;
            }
            Ok(written)
        }
    }
    .map(drop)
}

/// `insert_contact_reads`' statement on PostgreSQL: row i of the audit log from element i of
/// each array (set-returning functions side by side in one SELECT run in step, PostgreSQL 10+).
fn contact_reads_of_columns<'a>(
    petitions: &'a [i64],
    users: &'a [i64],
    roles: &'a [&'a str],
    vias: &'a [&'a str],
    ats: &'a [NaiveDateTime],
) -> impl diesel::query_dsl::methods::ExecuteDsl<diesel::PgConnection>
       + diesel::query_builder::QueryFragment<diesel::pg::Pg>
       + 'a {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    diesel::insert_into(contact_reads::table)
        .values(diesel::select((
            super::unnest::<BigInt, _>(petitions),
            super::unnest::<BigInt, _>(users),
            super::unnest::<Text, _>(roles),
            super::unnest::<Text, _>(vias),
            super::unnest::<Timestamp, _>(ats),
        )))
        .into_columns((
            contact_reads::petition_id,
            contact_reads::user_id,
            contact_reads::role,
            contact_reads::via,
            contact_reads::created_at,
        ))
}

/// One row of the audit log.
#[derive(Debug, Clone, Queryable)]
pub struct ContactReadRow {
    pub id: i64,
    pub petition_id: i64,
    pub tracking_no: String,
    pub user_id: i64,
    pub username: String,
    #[diesel(deserialize_as = String)]
    pub role: minhu_types::Role,
    pub via: String,
    pub created_at: NaiveDateTime,
}

/// Which audit rows to read.
#[derive(Debug, Clone, Default)]
pub struct ContactReadFilter {
    pub user_id: Option<i64>,
    pub petition_id: Option<i64>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// The audit log, newest first: rows after the filter, `limit` of them from `offset`.
pub fn contact_reads(
    conn: &mut DbConn,
    filter: &ContactReadFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<ContactReadRow>> {
    let mut q = contact_reads::table
        .inner_join(petitions::table.on(petitions::id.eq(contact_reads::petition_id)))
        .inner_join(users::table.on(users::id.eq(contact_reads::user_id)))
        .into_boxed();
    if let Some(u) = filter.user_id {
        q = q.filter(contact_reads::user_id.eq(u));
    }
    if let Some(p) = filter.petition_id {
        q = q.filter(contact_reads::petition_id.eq(p));
    }
    if let Some(from) = filter.from {
        q = q.filter(contact_reads::created_at.ge(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(contact_reads::created_at.lt(to));
    }
    q.order(contact_reads::id.desc())
        .offset(offset)
        .limit(limit)
        .select((
            contact_reads::id,
            contact_reads::petition_id,
            petitions::tracking_no,
            contact_reads::user_id,
            users::username,
            contact_reads::role,
            contact_reads::via,
            contact_reads::created_at,
        ))
        .load(conn)
}

pub fn contact_reads_of(conn: &mut DbConn, petition_id: i64) -> QueryResult<Vec<(i64, String)>> {
    contact_reads::table
        .filter(contact_reads::petition_id.eq(petition_id))
        .order(contact_reads::id.asc())
        .select((contact_reads::user_id, contact_reads::role))
        .load(conn)
}

pub fn find_idempotent(conn: &mut DbConn, user_id: i64, key: &str) -> QueryResult<Option<i64>> {
    idempotency_keys::table
        .filter(idempotency_keys::user_id.eq(user_id))
        .filter(idempotency_keys::key.eq(key))
        .select(idempotency_keys::petition_id)
        .first(conn)
        .optional()
}

pub fn insert_idempotent(
    conn: &mut DbConn,
    user_id: i64,
    key: &str,
    petition_id: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    per_backend!(conn, |c| diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user_id),
            idempotency_keys::key.eq(key),
            idempotency_keys::petition_id.eq(petition_id),
            idempotency_keys::created_at.eq(now),
        ))
        .execute(c))
    .map(|_| ())
}

/// Unit rows by id, for naming units in views.
pub fn find_reply(conn: &mut DbConn, id: i64) -> QueryResult<ReplyRow> {
    replies::table
        .find(id)
        .select(ReplyRow::as_select())
        .first(conn)
}

pub fn units_by_id(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<UnitRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    crate::per_backend!(conn, |c| units::table
        .filter(super::one_of(units::id, ids))
        .select(UnitRow::as_select())
        .load(c))
}

#[cfg(test)]
mod tests {
    use super::IN_FEED;
    use crate::domain::privacy::NOT_PUBLISHED;

    /// The hot lists' statements are prepared once per connection: a `diesel::dsl::sql`
    /// fragment would have them parsed and planned on every request (the inbox's live orders
    /// and the feed's condition were, until they became `fixed_sql!` fragments).
    #[test]
    fn the_lists_statements_are_cached() {
        use super::{
            assignments, inbox_query, petitions, InFeed, InboxFilter, LiveIn, UrgencyRank, LIVE_IN,
        };
        use diesel::prelude::*;
        use diesel::query_builder::QueryFragment;
        type Backend = <crate::db::DbConn as diesel::Connection>::Backend;
        let backends = [
            Backend::Pg(diesel::pg::Pg),
            Backend::Sqlite(diesel::sqlite::Sqlite),
        ];
        let live = inbox_query("/1/", &InboxFilter::default())
            .filter(LiveIn)
            .order((assignments::state.desc(), assignments::id.asc()))
            .select(assignments::id);
        let feed = petitions::table
            .into_boxed::<Backend>()
            .filter(InFeed)
            .order((UrgencyRank.asc(), petitions::id.desc()))
            .select(petitions::id);
        let literal = inbox_query("/1/", &InboxFilter::default())
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(LIVE_IN))
            .select(assignments::id);
        fn cached(q: &impl QueryFragment<Backend>, b: &Backend) -> bool {
            q.is_safe_to_cache_prepared(b).expect("walk")
        }
        let at = [chrono::NaiveDateTime::default(); 3];
        let reads = super::contact_reads_of_columns(
            &[1, 2, 3],
            &[7, 7, 8],
            &["operator", "operator", "handler"],
            &["inbox", "inbox", "detail"],
            &at,
        );
        assert!(
            reads
                .is_safe_to_cache_prepared(&diesel::pg::Pg)
                .expect("walk"),
            "a page's audit rows on PostgreSQL"
        );
        for b in &backends {
            assert!(cached(&live, b));
            assert!(cached(&feed, b));
            assert!(!cached(&literal, b), "what it replaced");
        }
    }

    /// `'a', 'b'`: values as an SQL list writes them.
    fn quoted<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
        let quoted: Vec<String> = values.into_iter().map(|v| format!("'{v}'")).collect();
        quoted.join(", ")
    }

    /// The inbox's live orders in SQL are the lifecycle's, as the live-orders index has them.
    #[test]
    fn the_live_orders_condition_is_the_lifecycles_and_the_index() {
        let states = quoted(
            crate::domain::lifecycle::LIVE_ORDERS
                .iter()
                .map(|s| s.as_str()),
        );
        assert_eq!(super::LIVE_IN, format!("assignments.state IN ({states})"));
        // The filed orders' copies were first filled in for these states.
        for migration in [
            include_str!("../../../migrations/postgres/2026-12-08-000032_live_orders_filed/up.sql"),
            include_str!("../../../migrations/sqlite/2026-12-08-000032_live_orders_filed/up.sql"),
        ] {
            assert!(migration.contains(&format!("state IN ({states})")));
        }
        for migration in [
            include_str!(
                "../../../migrations/postgres/2026-12-03-000027_live_orders_covering/up.sql"
            ),
            include_str!(
                "../../../migrations/sqlite/2026-12-03-000027_live_orders_covering/up.sql"
            ),
        ] {
            assert!(migration.contains(&format!(
                "assignments_live_by_unit ON assignments (unit_path, reply_by, state) WHERE state IN ({states});"
            )));
        }
        for migration in [
            include_str!("../../../migrations/postgres/2026-12-05-000029_live_orders_queue/up.sql"),
            include_str!("../../../migrations/sqlite/2026-12-05-000029_live_orders_queue/up.sql"),
        ] {
            assert!(migration.contains(&format!(
                "assignments_live_queue ON assignments (state DESC, reply_by, id) WHERE state IN ({states});"
            )));
        }
    }

    /// The inbox reads the live orders by their states' names descending (the queue index's
    /// order): that is the lifecycle's order of them, to sign first.
    #[test]
    fn the_live_orders_by_name_descending_are_in_the_lifecycles_order() {
        let mut by_name = crate::domain::lifecycle::names(crate::domain::lifecycle::LIVE_ORDERS);
        by_name.sort_by(|a, b| b.cmp(a));
        assert_eq!(
            by_name,
            crate::domain::lifecycle::names(crate::domain::lifecycle::LIVE_ORDERS)
        );
    }

    /// The feed's SQL condition is the privacy rule's, and the feed indexes are built on that very
    /// text on both databases (a planner uses a partial index only for a condition it can match).
    #[test]
    fn the_feed_condition_is_the_rule_and_the_indexes() {
        let statuses = quoted(NOT_PUBLISHED.iter().map(|s| s.as_str()));
        assert_eq!(
            IN_FEED,
            format!("publish_consent AND NOT public_hidden AND status NOT IN ({statuses})")
        );
        for (migration, indexes) in [
            (
                include_str!("../../../migrations/postgres/2026-12-02-000024_feed_indexes/up.sql"),
                3,
            ),
            (
                include_str!("../../../migrations/sqlite/2026-12-02-000024_feed_indexes/up.sql"),
                3,
            ),
            (
                include_str!(
                    "../../../migrations/postgres/2026-12-10-000034_filters_in_list_order/up.sql"
                ),
                1,
            ),
            (
                include_str!(
                    "../../../migrations/sqlite/2026-12-10-000034_filters_in_list_order/up.sql"
                ),
                1,
            ),
        ] {
            assert_eq!(
                migration.matches(&format!("WHERE {IN_FEED};")).count(),
                indexes
            );
        }
    }
}

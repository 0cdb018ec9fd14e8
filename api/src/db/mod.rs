//! Storage: diesel over PostgreSQL (production) and SQLite (embedded default) through one
//! `MultiConnection`, an r2d2 pool, and migrations embedded per backend under matching names.
//! Diesel is synchronous; the HTTP layer calls everything here through `web::block`.

/// An SQL fragment fixed at compile time, as an expression of type `$ty` that statements may
/// hold and still be prepared once per connection. `diesel::dsl::sql` marks every statement
/// holding it as not to be cached, so such a statement was parsed and planned again on every
/// request (the inbox's live orders, the feed's condition; the inbox served a fifth more once
/// they were prepared).
///
/// The text must be a constant (statements holding it are cached by the fragment's type) and
/// not an aggregate (the fragment tells diesel it is none).
macro_rules! fixed_sql {
    ($(#[$doc:meta])* $name:ident: $ty:ty = $sql:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, diesel::query_builder::QueryId)]
        pub struct $name;
        impl diesel::expression::Expression for $name {
            type SqlType = $ty;
        }
        impl<DB: diesel::backend::Backend> diesel::query_builder::QueryFragment<DB> for $name {
            fn walk_ast<'b>(
                &'b self,
                mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
            ) -> diesel::QueryResult<()> {
                const SQL: &str = $sql;
                out.push_sql(SQL);
                Ok(())
            }
        }
        impl<QS> diesel::expression::SelectableExpression<QS> for $name {}
        impl<QS> diesel::expression::AppearsOnTable<QS> for $name {}
        impl<GB> diesel::expression::ValidGrouping<GB> for $name {
            type IsAggregate = diesel::expression::is_aggregate::Never;
        }
    };
}

/// `column = 'value'` with the value written into the statement, for a column of a small closed
/// set (a petition's status or urgency, an order's open request): the planner then plans for
/// that value. With the value bound, a prepared statement's generic plan (which PostgreSQL may
/// keep after its fifth run) takes every value to be as common as the average, and walked
/// every petition newest first for a status that no petition had. The value is the set's own
/// name (`as_str` of its enum), never text from a request; a name outside the set (`None`)
/// matches nothing, as no row holds one.
#[derive(Debug, Clone, Copy)]
pub struct Is<C> {
    column: C,
    value: Option<&'static str>,
}

/// The SQL types of the columns [`Is`] compares: text, nullable or not.
pub trait Textual {}
impl Textual for diesel::sql_types::Text {}
impl Textual for diesel::sql_types::Nullable<diesel::sql_types::Text> {}

impl<C> Is<C>
where
    C: diesel::Column,
    C::SqlType: Textual,
{
    /// `column` (a text column of a table the query reads: both checked by type) equal to
    /// `value`, a member of the vocabulary parsed from the filter (`PetitionStatus::parse(s)`),
    /// written by its name.
    pub fn new<V: minhu_types::Vocabulary>(column: C, value: Option<V>) -> Is<C> {
        Is {
            column,
            value: value.map(Into::into),
        }
    }
}

impl<C> diesel::query_builder::QueryId for Is<C> {
    type QueryId = ();
    // The statement differs with the value: never cached by type, only by its text.
    const HAS_STATIC_QUERY_ID: bool = false;
}
impl<C> diesel::expression::Expression for Is<C> {
    type SqlType = diesel::sql_types::Bool;
}
impl<C, DB> diesel::query_builder::QueryFragment<DB> for Is<C>
where
    DB: diesel::backend::Backend,
    C: diesel::query_builder::QueryFragment<DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> diesel::QueryResult<()> {
        match self.value {
            Some(value) => {
                // A wire name (lowercase letters, digits, underscores) has nothing to quote;
                // anything else is refused rather than written.
                if value.is_empty()
                    || !value
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                {
                    return Err(diesel::result::Error::QueryBuilderError(
                        format!("not a wire name: {value:?}").into(),
                    ));
                }
                self.column.walk_ast(out.reborrow())?;
                out.push_sql(" = '");
                out.push_sql(value);
                out.push_sql("'");
            }
            None => out.push_sql("1 = 0"),
        }
        Ok(())
    }
}
/// A condition on its column `C`: it may appear wherever the column may, and is no aggregate.
macro_rules! condition_on_column {
    ($name:ident) => {
        impl<C: diesel::expression::SelectableExpression<QS>, QS>
            diesel::expression::SelectableExpression<QS> for $name<C>
        {
        }
        impl<C: diesel::expression::AppearsOnTable<QS>, QS> diesel::expression::AppearsOnTable<QS>
            for $name<C>
        {
        }
        impl<C, GB> diesel::expression::ValidGrouping<GB> for $name<C> {
            type IsAggregate = diesel::expression::is_aggregate::Never;
        }
    };
}
condition_on_column!(Is);

/// `column` is one of `ids`, in a statement whose text is the same for any number of ids, so
/// that diesel finds it prepared by its type instead of by its text: diesel's `eq_any` has no
/// fixed type for its values, so diesel wrote the whole statement out and hashed it on every
/// run to look it up (5 % of the server's work for a unit's inbox page, 60 columns of it), and
/// on SQLite it writes `IN (?, ?, …)`, which diesel never keeps prepared: SQLite prepared it
/// again on every run. PostgreSQL: `column = ANY($1)` with the ids as one array (the text
/// `eq_any` wrote there); SQLite: `column IN (SELECT value FROM json_each(?))` with the ids as
/// one JSON array (SQLite 3.38 or later, or an earlier one built with JSON1). Found by its type
/// when run on the backend's own connection (`per_backend!`): on `DbConn` the derived
/// multi-backend wrapper writes every statement out, whatever its type.
#[derive(Debug, Clone, diesel::query_builder::QueryId)]
pub struct OneOf<C> {
    column: C,
    ids: Ids,
}

/// The ids of [`OneOf`]: an array on PostgreSQL, bound on SQLite as the JSON array
/// `json_each` reads.
#[derive(Clone)]
struct Ids(Vec<i64>);

impl Ids {
    fn json(&self) -> String {
        use std::fmt::Write;
        let mut json = String::with_capacity(2 + self.0.len() * 8);
        json.push('[');
        for (i, id) in self.0.iter().enumerate() {
            let _ = write!(json, "{}{id}", if i > 0 { "," } else { "" });
        }
        json.push(']');
        json
    }
}

/// As the value SQLite is given (statements shown with their values, `debug_query`).
impl std::fmt::Debug for Ids {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.json())
    }
}

impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for Ids {
    fn to_sql<'b>(
        &'b self,
        out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
    ) -> diesel::serialize::Result {
        out.set_value(self.json());
        Ok(diesel::serialize::IsNull::No)
    }
}

/// `column` is one of `ids` ([`OneOf`]).
pub fn one_of<C>(column: C, ids: &[i64]) -> OneOf<C>
where
    C: diesel::Expression<SqlType = diesel::sql_types::BigInt>,
{
    OneOf {
        column,
        ids: Ids(ids.to_vec()),
    }
}

impl<C> diesel::expression::Expression for OneOf<C> {
    type SqlType = diesel::sql_types::Bool;
}
impl<C: diesel::query_builder::QueryFragment<diesel::pg::Pg>>
    diesel::query_builder::QueryFragment<diesel::pg::Pg> for OneOf<C>
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> diesel::QueryResult<()> {
        use diesel::sql_types::{Array, BigInt};
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" = ANY(");
        out.push_bind_param::<Array<BigInt>, _>(&self.ids.0)?;
        out.push_sql(")");
        Ok(())
    }
}
impl<C: diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite>>
    diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for OneOf<C>
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> diesel::QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<diesel::sql_types::Text, _>(&self.ids)?;
        out.push_sql("))");
        Ok(())
    }
}
impl<C> diesel::query_builder::QueryFragment<<DbConn as diesel::Connection>::Backend> for OneOf<C>
where
    Self: diesel::query_builder::QueryFragment<diesel::pg::Pg>
        + diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite>,
{
    fn walk_ast<'b>(
        &'b self,
        pass: diesel::query_builder::AstPass<'_, 'b, <DbConn as diesel::Connection>::Backend>,
    ) -> diesel::QueryResult<()> {
        <DbConn as diesel::Connection>::Backend::walk_variant_ast(self, pass)
    }
}
condition_on_column!(OneOf);

/// A statement of a fixed shape that diesel would not keep prepared: it keeps none holding a
/// `None` written as DEFAULT, an upsert or an update, because their text may differ from one
/// run to the next. Wrapped, the statement is kept prepared by its text (each text it takes is
/// prepared once per connection and found again by that text), so PostgreSQL parses and plans
/// it once instead of on every run: a submission's six such statements cost it 0.6 ms of
/// parsing and binding there, a quarter of PostgreSQL's time for it. For statements whose texts
/// are few (each `None` pattern of an insert or changeset is one text), not for lists of
/// values of any length: never a statement whose text grows with its input (SQLite's
/// `eq_any` writes `IN (?, ?, …)`; [`one_of`] does not). It runs only by value (`get_result`, `load`; an upsert or
/// update returns a column for that): diesel hands a statement run by `execute` to the
/// connection by reference, and asks the reference, which walks the statement instead of
/// asking the wrapper.
#[derive(Debug, Clone, Copy)]
pub struct Kept<Q>(pub Q);

impl<Q> Kept<Q> {
    /// Runs the statement and reads its one row (`RunQueryDsl::get_result`).
    pub fn get_result<'q, U, Conn>(self, conn: &mut Conn) -> QueryResult<U>
    where
        ByValue<Q>: diesel::query_dsl::LoadQuery<'q, Conn, U>,
    {
        RunQueryDsl::get_result(ByValue(self.0), conn)
    }

    /// Runs the statement and reads its rows (`RunQueryDsl::load`).
    pub fn load<'q, U, Conn>(self, conn: &mut Conn) -> QueryResult<Vec<U>>
    where
        ByValue<Q>: diesel::query_dsl::LoadQuery<'q, Conn, U>,
    {
        RunQueryDsl::load(ByValue(self.0), conn)
    }
}

/// A [`Kept`] statement as diesel runs it: only by value (`get_result`, `load`). There is no
/// `execute`: diesel would run the statement through a reference, which asks the statement
/// itself whether it may be kept, so it would compile and keep nothing.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct ByValue<Q>(Q);

impl<Q> diesel::query_builder::QueryId for ByValue<Q> {
    type QueryId = ();
    // Found among the prepared by its text, which this type does not fix.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, DB> diesel::query_builder::QueryFragment<DB> for ByValue<Q>
where
    DB: diesel::backend::Backend,
    Q: diesel::query_builder::QueryFragment<DB>,
{
    fn walk_ast<'b>(
        &'b self,
        pass: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> diesel::QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &DB) -> diesel::QueryResult<bool> {
        Ok(true)
    }
}

impl<Q: diesel::query_builder::Query> diesel::query_builder::Query for ByValue<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, Conn> RunQueryDsl<Conn> for ByValue<Q> {}

pub mod batched;
pub mod categories;
pub mod dispatch;
pub mod duplicates;
pub mod figures;
pub mod knowledge;
pub mod limits;
pub mod moderation;
pub mod notifications;
mod outbox;
pub mod partners;
pub mod petitions;
pub mod photos;
pub mod readers;
pub mod replica;
pub mod schema;
pub mod time_limits;
pub mod units;
pub mod users;
pub mod webhooks;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::DatabaseUrl;

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// The connection pool, with the count of statements its connections ran and the turns for its
/// connections.
#[derive(Clone, Debug)]
pub struct Pool {
    inner: r2d2::Pool<Manager>,
    statements: Arc<Statements>,
    /// One permit per connection: [`run`] waits for one, in order of arrival, before it takes a
    /// blocking thread and a connection.
    turns: Arc<tokio::sync::Semaphore>,
    /// The audit rows of unmasked reads that requests on this pool's connections are writing
    /// together ([`batched`]; `petitions::record_contact_reads`); none on a read standby's pool,
    /// which writes nothing.
    contact_reads: Option<Arc<batched::Batched<petitions::ContactRead>>>,
}

thread_local! {
    /// The pool whose connection the closure that [`run`] is running holds: its batches of
    /// audit rows, which `petitions::record_contact_reads` joins.
    static CONTACT_READS: std::cell::RefCell<Option<Arc<batched::Batched<petitions::ContactRead>>>> =
        const { std::cell::RefCell::new(None) };
}

/// The batches of audit rows of the pool whose connection the running closure holds (inside
/// [`run`] only).
pub(crate) fn contact_read_batches() -> Option<Arc<batched::Batched<petitions::ContactRead>>> {
    CONTACT_READS.with(|c| c.borrow().clone())
}

/// Makes a pool's batches the current ones on this thread while it lives.
struct Joining;

impl Joining {
    fn pool(pool: &Pool) -> Joining {
        CONTACT_READS.with(|c| *c.borrow_mut() = pool.contact_reads.clone());
        Joining
    }
}

impl Drop for Joining {
    fn drop(&mut self) {
        CONTACT_READS.with(|c| *c.borrow_mut() = None);
    }
}

impl Pool {
    fn of(inner: r2d2::Pool<Manager>, statements: Arc<Statements>, writes: bool) -> Self {
        let turns = Arc::new(tokio::sync::Semaphore::new(inner.max_size() as usize));
        Pool {
            inner,
            statements,
            turns,
            contact_reads: writes.then(Arc::default),
        }
    }
}

/// The statements a pool's connections ran: how many, and while a test asks for them, their
/// text (`record_statements`).
#[derive(Debug, Default)]
struct Statements {
    run: AtomicU64,
    recording: std::sync::atomic::AtomicBool,
    recorded: std::sync::Mutex<Vec<String>>,
}

impl std::ops::Deref for Pool {
    type Target = r2d2::Pool<Manager>;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// A transaction whose closure answers in `AppError`: any error rolls everything back.
pub fn transaction<T>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> crate::error::AppResult<T>,
) -> crate::error::AppResult<T> {
    conn.transaction(f)
}

/// Runs `f` with a pooled connection on the blocking threads (diesel is synchronous).
///
/// The request first waits for its turn (a permit per connection, handed out in order of
/// arrival) without holding a thread, then takes a blocking thread and a connection that is
/// free. Without the turns every waiting request held a blocking thread parked in the pool,
/// and the pool gave a returned connection to whichever thread asked first, not to the one
/// that had waited longest: at 64 connections the slowest hundredth of a unit's inbox pages
/// took three times the mean. Waiting longer than the pool's connection timeout, turn and
/// connection together, answers as an exhausted pool does (503, `Retry-After`).
pub async fn run<T, F>(pool: &Pool, f: F) -> crate::error::AppResult<T>
where
    F: FnOnce(&mut DbConn) -> crate::error::AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    // One deadline for the turn and the connection: a connection being reopened (or held
    // outside the turns, as the standby's check does) is waited for only what is left of it.
    let deadline = std::time::Instant::now() + pool.inner.connection_timeout();
    let turn =
        match tokio::time::timeout_at(deadline.into(), Arc::clone(&pool.turns).acquire_owned())
            .await
        {
            Ok(Ok(turn)) => turn,
            // The semaphore is never closed; a wait past the timeout is an exhausted pool.
            _ => {
                tracing::warn!("database pool exhausted: no connection free within its timeout");
                return Err(crate::error::AppError::pool_exhausted());
            }
        };
    let pool = pool.clone();
    actix_web::web::block(move || {
        let _turn = turn;
        let mut conn =
            pool.get_timeout(deadline.saturating_duration_since(std::time::Instant::now()))?;
        let _joining = Joining::pool(&pool);
        f(&mut conn)
    })
    .await?
}

pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");

/// Per-connection settings for SQLite: enforce foreign keys, let readers and the writer work
/// side by side (WAL), and wait for a busy writer instead of failing at once.
const SQLITE_PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; \
     PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;";

/// Opens connections of the configured backend (and only that one), counting the statements
/// they run (for `/metrics`, and for tests that pin how many a request takes).
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
    statements: Arc<Statements>,
    /// How many times one of its connections found the server gone (`connection_lost`). A
    /// connection opened or checked before the last of them is asked `SELECT 1` when it is next
    /// taken (`is_valid`): after a restart or a failover every connection of the pool lost its
    /// server, and without the check each would fail the request that met it.
    losses: Arc<AtomicU64>,
}

/// Statements sent through the pool's connections since it opened.
pub fn statements_run(pool: &Pool) -> u64 {
    pool.statements.run.load(Ordering::Relaxed)
}

/// Starts keeping the text of the statements the pool's connections run (with their bound values
/// as diesel shows them, after `-- binds:`), forgetting any kept before; `recorded_statements`
/// stops and hands them over. For tests that look at what a request asked of the database.
pub fn record_statements(pool: &Pool) {
    pool.statements
        .recorded
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clear();
    pool.statements.recording.store(true, Ordering::SeqCst);
}

/// The statements run since `record_statements`, in order; stops keeping them.
pub fn recorded_statements(pool: &Pool) -> Vec<String> {
    pool.statements.recording.store(false, Ordering::SeqCst);
    std::mem::take(
        &mut *pool
            .statements
            .recorded
            .lock()
            .unwrap_or_else(|e| e.into_inner()),
    )
}

impl Manager {
    fn new(url: &DatabaseUrl, statements: &Arc<Statements>) -> Manager {
        Manager {
            url: url.clone(),
            statements: Arc::clone(statements),
            losses: Arc::default(),
        }
    }

    /// The instrumentation of a connection opening now: `losses` is the pool's count read
    /// before it began to open (a loss counted while it opened may have been its own server's).
    fn counted(&self, losses: u64) -> Counted {
        Counted {
            statements: Arc::clone(&self.statements),
            unusable: false,
            losses: Arc::clone(&self.losses),
            losses_seen: losses,
        }
    }
}

/// Each connection's instrumentation: counts (and, when asked, records) the statements it runs,
/// and notes when the connection became of no more use — PostgreSQL refused one of its prepared
/// statements as stale (`stale_plan`), or the server went away under it (`connection_lost`) —
/// so the pool drops it when it comes back (`Manager::has_broken`); a lost server is counted in
/// the pool's `losses`, so that its other connections are checked before their next use.
struct Counted {
    statements: Arc<Statements>,
    unusable: bool,
    losses: Arc<AtomicU64>,
    /// The pool's `losses` when this connection was opened or last answered `SELECT 1`.
    losses_seen: u64,
}

impl diesel::connection::Instrumentation for Counted {
    fn on_connection_event(&mut self, event: diesel::connection::InstrumentationEvent<'_>) {
        use diesel::connection::InstrumentationEvent;
        match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                self.statements.run.fetch_add(1, Ordering::Relaxed);
                if self.statements.recording.load(Ordering::Relaxed) {
                    let text = query.to_string();
                    if let Ok(mut kept) = self.statements.recorded.lock() {
                        kept.push(text);
                    }
                }
            }
            InstrumentationEvent::FinishQuery { error: Some(e), .. } if connection_lost(e) => {
                self.unusable = true;
                self.losses.fetch_add(1, Ordering::AcqRel);
            }
            InstrumentationEvent::FinishQuery { error: Some(e), .. } if stale_plan(e) => {
                self.unusable = true
            }
            _ => {}
        }
    }
}

/// The server went away under this connection (a restart, a failover, a terminated backend):
/// diesel's `ClosedConnection`, or `UnableToSendCommand` when libpq found the connection gone
/// before sending ("no connection to the server"; diesel then leaves the connection looking
/// whole, and the pool handed it out again and again: every request on it answered 500 until
/// the replica restarted). By kind, not by message: messages may carry a user's words or be
/// translated.
pub fn connection_lost(e: &DieselError) -> bool {
    use diesel::result::DatabaseErrorKind::{ClosedConnection, UnableToSendCommand};
    matches!(
        e,
        DieselError::DatabaseError(ClosedConnection | UnableToSendCommand, _)
    )
}

/// PostgreSQL refused a statement this connection keeps prepared because a column it returns
/// changed type or collation since (a migration run by another replica): it refuses it on every
/// run, so the connection is of no more use.
pub fn stale_plan(e: &DieselError) -> bool {
    matches!(e, DieselError::DatabaseError(_, info)
        if info.message().contains("cached plan must not change result type"))
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        let losses = self.losses.load(Ordering::Acquire);
        match &self.url {
            DatabaseUrl::Postgres(url) => {
                let mut conn =
                    PgConnection::establish(url).map_err(r2d2::Error::ConnectionError)?;
                conn.set_instrumentation(self.counted(losses));
                Ok(DbConn::Pg(conn))
            }
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_string_lossy();
                let mut conn =
                    SqliteConnection::establish(&path).map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(SQLITE_PRAGMAS)
                    .map_err(r2d2::Error::QueryError)?;
                conn.set_instrumentation(self.counted(losses));
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    /// Asked each time a connection is taken: a round trip (`SELECT 1`) only when another
    /// connection of the pool found the server gone since this one was opened or last checked;
    /// otherwise none (a broken connection is dropped when it comes back, `has_broken`). One that
    /// fails the check is dropped and the next is taken, or a new one opened. A check that
    /// finds its server gone counts a loss too, so the connections checked before it are checked
    /// once more: as many more checks as connections found dead, no more.
    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        let losses = self.losses.load(Ordering::Acquire);
        if counted_of(conn).is_none_or(|c| c.losses_seen == losses) {
            return Ok(());
        }
        if let Err(e) = ping(conn) {
            tracing::warn!(error = %e, "a pooled connection lost its database server: replaced");
            return Err(r2d2::Error::QueryError(e));
        }
        if let Some(c) = counted_of(conn) {
            c.losses_seen = losses;
        }
        Ok(())
    }

    /// Checked when a connection goes back to the pool: one whose server went away, whose
    /// transaction could not be ended, or whose prepared statements went stale (`stale_plan`)
    /// is dropped instead of handed out again.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        use diesel::r2d2::R2D2Connection;
        let broken = match conn {
            DbConn::Pg(c) => c.is_broken(),
            DbConn::Sqlite(c) => c.is_broken(),
        };
        broken || counted_of(conn).is_some_and(|c| c.unusable)
    }
}

/// The connection's instrumentation (set when it was opened).
fn counted_of(conn: &mut DbConn) -> Option<&mut Counted> {
    use diesel::Connection;
    let instrumentation = match conn {
        DbConn::Pg(c) => c.instrumentation(),
        DbConn::Sqlite(c) => c.instrumentation(),
    };
    instrumentation.downcast_mut::<Counted>()
}

/// One round trip to the database.
pub fn ping(conn: &mut DbConn) -> QueryResult<()> {
    diesel::sql_query("SELECT 1").execute(conn).map(|_| ())
}

pub use diesel::QueryResult;

diesel::define_sql_function! {
    /// PostgreSQL's `unnest`: an array's elements as rows. Rows of one statement given as an
    /// array (a page's audit rows, a submission's repeat-index rows) keep the statement's text
    /// the same whatever their number, so the connection keeps it prepared.
    fn unnest<T: diesel::sql_types::SqlType + diesel::sql_types::SingleValue>(
        values: diesel::sql_types::Array<T>,
    ) -> T;
}

/// Opens the pool; for SQLite, creates the file's directory first. One connection is kept idle,
/// and reopened in the background when taken (the server's pool).
pub fn connect(url: &DatabaseUrl, max_size: u32) -> Result<Pool, String> {
    connect_keeping(url, max_size, 1)
}

/// The pool of a command that runs and exits (`migrate`, `seed-demo`, …): it opens a connection
/// only when asked, never in the background. A process that exits while the pool's worker is
/// opening a PostgreSQL connection crashes in libpq's and OpenSSL's exit handlers (SIGSEGV,
/// SIGABRT or SIGBUS in 23 of 60 runs of `minhu migrate` on this machine): the server's pool
/// reopens its idle connection as soon as the command takes it.
pub fn connect_for_command(url: &DatabaseUrl) -> Result<Pool, String> {
    connect_keeping(url, 1, 0)
}

fn connect_keeping(url: &DatabaseUrl, max_size: u32, min_idle: u32) -> Result<Pool, String> {
    if let DatabaseUrl::Sqlite(path) = url {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("DATABASE_URL: cannot create {}: {e}", dir.display()))?;
        }
    }
    let statements = Arc::<Statements>::default();
    let inner = r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(min_idle))
        // Checked on every checkout, but with a round trip (`SELECT 1`) only after another
        // connection found the server gone (`Manager::is_valid`): a connection that broke is
        // dropped when it comes back (`has_broken`), and the request that met it answers 503.
        .test_on_check_out(true)
        .connection_timeout(Duration::from_secs(10))
        .build(Manager::new(url, &statements))
        .map_err(|e| {
            format!(
                "DATABASE_URL: cannot connect to the {} database: {e}",
                url.backend_name()
            )
        })?;
    Ok(Pool::of(inner, statements, true))
}

/// Opens the read standby's pool without waiting for it: the service starts, and answers from
/// the primary, whether the standby is up or not; a connection that cannot be had within a
/// second counts as the standby being down.
pub fn connect_replica(url: &DatabaseUrl, max_size: u32) -> Pool {
    let statements = Arc::<Statements>::default();
    let inner = r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(0))
        .test_on_check_out(true)
        .connection_timeout(Duration::from_secs(1))
        .build_unchecked(Manager::new(url, &statements));
    Pool::of(inner, statements, false)
}

/// Applies the pending migrations of the connection's backend; returns their names. On
/// PostgreSQL an advisory lock keeps several starting replicas from migrating at once; on SQLite
/// the planner's statistics are gathered afresh.
pub fn migrate(conn: &mut DbConn) -> Result<Vec<String>, String> {
    let applied = match conn {
        DbConn::Pg(pg) => {
            pg.batch_execute("SELECT pg_advisory_lock(7263001)")
                .map_err(|e| e.to_string())?;
            let result = pg.run_pending_migrations(POSTGRES_MIGRATIONS).map(names);
            pg.batch_execute("SELECT pg_advisory_unlock(7263001)")
                .map_err(|e| e.to_string())?;
            result
        }
        DbConn::Sqlite(lite) => {
            let applied = lite.run_pending_migrations(SQLITE_MIGRATIONS).map(names);
            // Statistics for the planner, from a bounded sample (about 5 ms at 100,000
            // petitions): without them SQLite ignored the inbox's live-orders index and read
            // every live order of the city. PostgreSQL keeps its own (autovacuum).
            lite.batch_execute("PRAGMA analysis_limit = 1000; ANALYZE;")
                .map_err(|e| format!("gathering the planner's statistics failed: {e}"))?;
            applied
        }
    };
    applied.map_err(|e| format!("migrations failed: {e}"))
}

/// Reverts every migration (newest first); for tests of the down migrations.
pub fn revert_all(conn: &mut DbConn) -> Result<Vec<String>, String> {
    let reverted = match conn {
        DbConn::Pg(pg) => pg.revert_all_migrations(POSTGRES_MIGRATIONS).map(names),
        DbConn::Sqlite(lite) => lite.revert_all_migrations(SQLITE_MIGRATIONS).map(names),
    };
    reverted.map_err(|e| format!("reverting migrations failed: {e}"))
}

fn names(versions: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    versions.into_iter().map(|v| v.to_string()).collect()
}

/// Times are stored as naive UTC on both backends and travel as `DateTime<Utc>`.
pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Now, to the microsecond (what both backends store).
pub fn now() -> NaiveDateTime {
    use chrono::SubsecRound;
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// Whether a diesel error is a unique-constraint violation (a name already taken).
pub fn is_unique_violation(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Whether a diesel error is a foreign-key violation (a referenced row is missing or in use).
pub fn is_foreign_key_violation(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _)
    )
}

/// Page arithmetic shared by every list.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

impl Paging {
    /// This page's `items` with the list's `total`, as every list answers.
    pub fn page_of<T>(self, items: Vec<T>, total: i64) -> minhu_types::Page<T> {
        minhu_types::Page {
            items,
            total,
            page: self.page,
            per_page: self.per_page,
            next: None,
        }
    }
}

/// The page sizes whose first pages' counting windows are written into the statement's
/// text ([`Window`]): the API's default and what the web app and the newspaper apps ask for.
pub const WRITTEN_PAGE_SIZES: [i64; 4] = [10, 20, 50, 100];

/// A list's counting window: rows `offset..offset + limit` of `query` in its order. PostgreSQL
/// prepares a statement whose LIMIT or OFFSET is bound for a tenth of the table, costs that
/// plan above the one for the values at hand, and so plans it again on every run: the
/// officials' list's window was planned for 0.05 ms each time, as long as it ran (pgbench ran
/// it 12,000–15,000 times a second so, 21,000 with the numbers written out). The first page
/// (and every page after a cursor, which starts at offset 0) of a size in
/// [`WRITTEN_PAGE_SIZES`] has its limit written into the text, so it is planned once per
/// connection; any other window is bound, so a client asking every size and page adds at most
/// one prepared statement to a list's shape.
#[derive(Debug, Clone, Copy)]
pub struct Window<Q> {
    query: Q,
    limit: i64,
    offset: i64,
    written: bool,
}

impl<Q> diesel::query_builder::QueryId for Window<Q> {
    type QueryId = ();
    // Found among the prepared by its text, which differs with the written limit.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, DB> diesel::query_builder::QueryFragment<DB> for Window<Q>
where
    DB: diesel::backend::Backend + diesel::sql_types::HasSqlType<diesel::sql_types::BigInt>,
    Q: diesel::query_builder::QueryFragment<DB>,
    i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> diesel::QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        if self.written {
            out.push_sql(&format!(" LIMIT {}", self.limit));
        } else {
            out.push_sql(" LIMIT ");
            out.push_bind_param::<diesel::sql_types::BigInt, _>(&self.limit)?;
            out.push_sql(" OFFSET ");
            out.push_bind_param::<diesel::sql_types::BigInt, _>(&self.offset)?;
        }
        Ok(())
    }
}

impl<Q: diesel::query_builder::Query> diesel::query_builder::Query for Window<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, Conn> RunQueryDsl<Conn> for Window<Q> {}

/// How deep offset paging goes into a list over history (`page` × `per_page`): an offset makes
/// the database walk every row before it, so past this depth such lists are read with their
/// `next` links (keyset paging, the same cost at any depth).
pub const MAX_HISTORY_OFFSET: i64 = 10_000;

/// How far past the current page a list over history counts: its `total` is exact when the
/// list ends within this many pages after the current one, and otherwise a lower bound (what
/// was counted), so that no page costs a count over all history. Shared with the web app's
/// pager (`minhu_types::total_is_lower_bound`).
pub use minhu_types::PAGES_COUNTED_AHEAD;

impl Paging {
    pub fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }

    /// How many rows to count from this page's offset: this page, `PAGES_COUNTED_AHEAD` more,
    /// and one to tell whether there are more still.
    pub fn count_window(self) -> i64 {
        self.per_page * (PAGES_COUNTED_AHEAD + 1) + 1
    }

    /// `query`'s counting window (`count_window` rows from this page's offset), as
    /// [`Window`] writes it.
    pub fn window_of<Q>(self, query: Q) -> Window<Q> {
        Window {
            query,
            limit: self.count_window(),
            offset: self.offset(),
            written: self.offset() == 0 && WRITTEN_PAGE_SIZES.contains(&self.per_page),
        }
    }

    /// The `total` of a list of which `counted` rows (at most `count_window`) were found from
    /// this page's offset; `exact` gives the full count when the page lies past the end.
    pub fn total(self, counted: i64, exact: impl FnOnce() -> QueryResult<i64>) -> QueryResult<i64> {
        if counted == 0 && self.offset() > 0 {
            exact()
        } else {
            Ok(self.offset() + counted)
        }
    }

    /// This page of a list held in memory whole.
    pub fn of<T>(self, all: Vec<T>) -> minhu_types::Page<T> {
        let total = all.len() as i64;
        let items = all
            .into_iter()
            .skip(self.offset() as usize)
            .take(self.per_page as usize)
            .collect();
        self.page_of(items, total)
    }
}

/// Ids whose subtree starts at `path` ('/1/4/') lie in ['/1/4/', '/1/40'): '0' follows '/'.
/// A range on the indexed column works on both backends, unlike LIKE.
pub fn subtree_range(path: &str) -> (String, String) {
    let mut upper = path.trim_end_matches('/').to_owned();
    upper.push('0');
    (path.to_owned(), upper)
}

#[cfg(test)]
mod paging {
    use super::Paging;

    /// What a page counts when its window all found rows is the bound the web app's pager
    /// reads as "more than" (`minhu_types::total_is_lower_bound`), and one fewer is not.
    #[test]
    fn a_full_window_is_the_lower_bound_the_pager_knows() {
        for (page, per_page) in [(1, 1), (1, 20), (3, 20), (7, 100)] {
            let p = Paging { page, per_page };
            let full = p.offset() + p.count_window();
            assert!(minhu_types::total_is_lower_bound(full, page, per_page));
            assert!(!minhu_types::total_is_lower_bound(full - 1, page, per_page));
        }
    }
}

/// The migrations' lists of known values (`…_known` constraints on PostgreSQL, triggers on
/// SQLite) are the enums of minhu-types, value for value: an enum that gains a value needs a
/// migration, and this fails until it has one.
#[cfg(test)]
mod known_values {
    use minhu_types::*;

    /// The migrations that write the lists, in order: a later one that redefines a list (a
    /// new action) overrides the earlier definition.
    const POSTGRES: &[&str] = &[
        include_str!("../../../migrations/postgres/2026-12-01-000012_known_values/up.sql"),
        include_str!("../../../migrations/postgres/2026-12-01-000016_moderation/up.sql"),
    ];
    const SQLITE: &[&str] = &[
        include_str!("../../../migrations/sqlite/2026-12-01-000012_known_values/up.sql"),
        include_str!("../../../migrations/sqlite/2026-12-01-000016_moderation/up.sql"),
    ];

    /// The last line of the migrations containing `needle`.
    fn latest<'a>(files: &[&'a str], needle: &str) -> Option<&'a str> {
        files
            .iter()
            .flat_map(|f| f.lines())
            .filter(|l| l.contains(needle))
            .last()
    }

    fn list<T: Copy + Into<&'static str>>(all: &[T]) -> String {
        all.iter()
            .map(|&v| format!("'{}'", v.into()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    #[test]
    fn every_enum_column_accepts_exactly_its_enum() {
        let columns: &[(&str, &str, String)] = &[
            ("petitions", "kind", list(PetitionKind::ALL)),
            ("petitions", "urgency", list(Urgency::ALL)),
            ("petitions", "source", list(Source::ALL)),
            ("petitions", "status", list(PetitionStatus::ALL)),
            ("assignments", "role", list(AssignmentRole::ALL)),
            ("assignments", "state", list(AssignmentState::ALL)),
            ("replies", "outcome", list(Outcome::ALL)),
            ("visits", "kind", list(VisitKind::ALL)),
            ("visits", "satisfaction", list(Satisfaction::ALL)),
            ("events", "action", list(Action::ALL)),
            ("events", "actor_role", list(Role::ALL)),
            ("events", "from_status", list(PetitionStatus::ALL)),
            ("events", "to_status", list(PetitionStatus::ALL)),
            ("units", "kind", list(UnitKind::ALL)),
            ("users", "role", list(Role::ALL)),
            ("dispatch_rules", "role", list(AssignmentRole::ALL)),
            ("deadline_policies", "sign_unit", list(SpanUnit::ALL)),
            ("deadline_policies", "reply_unit", list(SpanUnit::ALL)),
            ("deadline_policies", "visit_unit", list(SpanUnit::ALL)),
            ("deadline_policies", "urgency", list(Urgency::ALL)),
            ("deadline_policies", "kind", list(PetitionKind::ALL)),
            ("contact_reads", "role", list(Role::ALL)),
        ];
        for (table, column, values) in columns {
            let name = format!("{table}_{column}_known");
            let constraint = latest(POSTGRES, &format!("ADD CONSTRAINT {name} "))
                .unwrap_or_else(|| panic!("no constraint {name} on PostgreSQL"));
            assert!(
                constraint.contains(&format!("CHECK ({column} IN ({values}))")),
                "{name} on PostgreSQL differs from the enum: {constraint}"
            );
            // Rows stored before the list was added are checked once, where it was added (a
            // later migration that only widens a list has nothing to check).
            let existing = format!("FROM {table} WHERE {column} NOT IN (");
            assert!(
                SQLITE[0].contains(&existing),
                "SQLite does not check stored {table}.{column}"
            );
            for when in ["insert", "update"] {
                let trigger = latest(SQLITE, &format!("CREATE TRIGGER {name}_{when} "))
                    .unwrap_or_else(|| panic!("no trigger {name}_{when} on SQLite"));
                assert!(
                    trigger.contains(&format!(" ON {table} WHEN NEW.{column} NOT IN ({values}) ")),
                    "{name}_{when} on SQLite differs from the enum: {trigger}"
                );
            }
        }
        let constraints = POSTGRES[0].matches("ADD CONSTRAINT").count();
        assert_eq!(
            constraints,
            columns.len(),
            "a constraint without a check here"
        );
    }
}

#[cfg(test)]
mod written_values {
    use super::schema::{assignments, petitions};
    use super::Is;
    use diesel::prelude::*;
    use minhu_types::{PetitionStatus, RequestKind, Source};

    fn sql<Q>(q: Q) -> (String, String)
    where
        Q: diesel::query_builder::QueryFragment<diesel::pg::Pg>
            + diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite>,
    {
        (
            diesel::debug_query::<diesel::pg::Pg, _>(&q).to_string(),
            diesel::debug_query::<diesel::sqlite::Sqlite, _>(&q).to_string(),
        )
    }

    /// A member of the set is written into the statement by its name after its column as each
    /// backend names it; a name outside the set matches nothing.
    #[test]
    fn a_set_member_is_written_and_a_stranger_matches_nothing() {
        let q = petitions::table.select(petitions::id).filter(Is::new(
            petitions::status,
            PetitionStatus::parse("handling"),
        ));
        let (pg, lite) = sql(q);
        assert!(
            pg.contains(r#"WHERE "petitions"."status" = 'handling'"#),
            "{pg}"
        );
        assert!(
            lite.contains(r#"WHERE `petitions`.`status` = 'handling'"#),
            "{lite}"
        );
        let q = assignments::table.select(assignments::id).filter(Is::new(
            assignments::open_request,
            RequestKind::parse("x' OR 1=1"),
        ));
        let (pg, lite) = sql(q);
        assert!(pg.contains("WHERE 1 = 0") && !pg.contains("OR 1=1"), "{pg}");
        assert!(lite.contains("WHERE 1 = 0"), "{lite}");
        // Digits are part of wire names (`open311`).
        let q = petitions::table
            .select(petitions::id)
            .filter(Is::new(petitions::source, Source::parse("open311")));
        assert!(sql(q).0.contains(r#""petitions"."source" = 'open311'"#));
    }

    /// Ids given to `one_of` are one bound value on either backend, in a statement of a fixed
    /// type: diesel finds it prepared without writing its text, and its text is the same for
    /// any number of ids.
    #[test]
    fn ids_are_one_value_in_a_statement_of_fixed_type() {
        use diesel::query_builder::QueryId;
        fn static_id<Q: QueryId>(_: &Q) -> bool {
            Q::HAS_STATIC_QUERY_ID
        }
        let few = petitions::table
            .select(petitions::id)
            .filter(super::one_of(petitions::id, &[7]));
        let many = petitions::table
            .select(petitions::id)
            .filter(super::one_of(petitions::id, &[3, 1, 2]));
        assert!(static_id(&few));
        let ((pg_few, lite_few), (pg, lite)) = (sql(few), sql(many));
        assert!(
            pg.starts_with(
                r#"SELECT "petitions"."id" FROM "petitions" WHERE "petitions"."id" = ANY($1)"#
            ) && pg.ends_with("-- binds: [[3, 1, 2]]"),
            "{pg}"
        );
        assert!(
            lite.contains("WHERE `petitions`.`id` IN (SELECT value FROM json_each(?))")
                && lite.ends_with(r#"-- binds: ["[3,1,2]"]"#),
            "{lite}"
        );
        let text = |s: &str| s.split(" -- binds:").next().unwrap_or_default().to_owned();
        assert_eq!(text(&pg_few), text(&pg));
        assert_eq!(text(&lite_few), text(&lite));
        // The backend's own `eq_any`, for contrast: no fixed type.
        assert!(!static_id(
            &petitions::table
                .select(petitions::id)
                .filter(petitions::id.eq_any([1_i64]))
        ));
    }

    /// A member whose name is not a wire name is refused, never written into the statement.
    #[test]
    fn a_name_that_is_no_wire_name_is_refused() {
        #[derive(Clone, Copy)]
        struct Odd;
        impl From<Odd> for &'static str {
            fn from(_: Odd) -> &'static str {
                "x' OR '1'='1"
            }
        }
        impl minhu_types::Vocabulary for Odd {}
        let q = petitions::table
            .select(petitions::id)
            .filter(Is::new(petitions::status, Some(Odd)));
        let mut out = String::new();
        let written = std::fmt::Write::write_fmt(
            &mut out,
            format_args!("{}", diesel::debug_query::<diesel::pg::Pg, _>(&q)),
        );
        assert!(written.is_err(), "{out}");
        assert!(!out.contains("OR"), "{out}");
    }
}

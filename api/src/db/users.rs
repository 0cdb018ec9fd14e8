//! Accounts.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use minhu_types::{Role, User, UserDetail};

use super::schema::{categories, revoked_tokens, units, users};
use super::{utc, DbConn, Paging};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub display_name: String,
    pub phone: Option<String>,
    #[diesel(deserialize_as = String)]
    pub role: minhu_types::Role,
    pub unit_id: Option<i64>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub token_epoch: i64,
}

impl UserRow {
    /// Only valid names are ever written; an unknown one (edited by hand) grants nothing more
    /// than a citizen's rights.
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn to_user(&self) -> User {
        User {
            id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role(),
            unit_id: self.unit_id,
        }
    }

    pub fn to_detail(&self) -> UserDetail {
        UserDetail {
            id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role(),
            unit_id: self.unit_id,
            phone: self.phone.clone(),
            active: self.active,
            created_at: utc(self.created_at),
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUserRow<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub phone: Option<&'a str>,
    pub role: &'a str,
    pub unit_id: Option<i64>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The columns a PATCH may change; `None` leaves a column alone.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub password_hash: Option<String>,
    pub role: Option<String>,
    pub unit_id: Option<Option<i64>>,
    pub phone: Option<Option<String>>,
    pub active: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, row: &NewUserRow<'_>) -> QueryResult<i64> {
    diesel::insert_into(users::table)
        .values(row)
        .returning(users::id)
        .get_result(conn)
}

/// The id of the `system` account (the jobs' actor, and the owner of the calls the hotline
/// office registers).
pub fn system_id(conn: &mut DbConn) -> QueryResult<i64> {
    users::table
        .filter(users::username.eq("system"))
        .select(users::id)
        .first(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<UserRow> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
}

/// The account's display name, how it is reached (its phone among it), and whether category
/// `category_id` exists: what a submission needs to know before storing and to tell its
/// submitter, in one statement.
pub fn contact_and_category(
    conn: &mut DbConn,
    id: i64,
    category_id: i64,
) -> QueryResult<(String, super::notifications::Reach, bool)> {
    users::table
        .find(id)
        .select((
            users::display_name,
            super::notifications::REACH,
            diesel::dsl::exists(categories::table.find(category_id)),
        ))
        .first(conn)
}

/// By normalized (lower-case) username.
pub fn find_by_username(conn: &mut DbConn, username: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn any_admin(conn: &mut DbConn) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::role.eq(Role::Admin.as_str())),
    ))
    .get_result(conn)
}

#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub unit_id: Option<i64>,
}

pub fn list(
    conn: &mut DbConn,
    filter: &UserFilter,
    paging: Paging,
) -> QueryResult<(Vec<UserRow>, i64)> {
    let query = || {
        let mut q = users::table.into_boxed();
        if let Some(role) = filter.role {
            q = q.filter(users::role.eq(role.as_str()));
        }
        if let Some(unit) = filter.unit_id {
            q = q.filter(users::unit_id.eq(unit));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .order(users::id.asc())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(UserRow::as_select())
        .load(conn)?;
    Ok((items, total))
}

pub fn update(conn: &mut DbConn, id: i64, changes: &UserChanges) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(changes)
        .execute(conn)
}

/// What a request acts with: the account as it is now (not as its token says).
#[derive(Debug, Clone, Queryable)]
pub struct SessionRow {
    #[diesel(deserialize_as = String)]
    pub role: minhu_types::Role,
    pub unit_id: Option<i64>,
    pub active: bool,
    pub token_epoch: i64,
    /// The path of the account's unit (`units.path`), read with the account.
    pub unit_path: Option<String>,
}

/// The account `user_id` as it is now (with its unit's path), and whether the token `jti` was
/// revoked: one statement (a point read by primary key, its unit joined by key, the revocation
/// looked up by its key in the same query), on
/// every authenticated request. A token without an id is never revoked alone (logout revokes
/// such a token's account epoch instead), and no revoked token has the empty id.
pub fn session(
    conn: &mut DbConn,
    user_id: i64,
    jti: Option<&str>,
) -> QueryResult<Option<(SessionRow, bool)>> {
    let jti = jti.unwrap_or("");
    let row = crate::per_backend!(conn, |c| users::table
        .left_join(units::table)
        .filter(users::id.eq(user_id))
        .select((
            (
                users::role,
                users::unit_id,
                users::active,
                users::token_epoch,
                units::path.nullable(),
            ),
            diesel::dsl::exists(revoked_tokens::table.find(jti)),
        ))
        .first::<(SessionRow, bool)>(c)
        .optional())?;
    Ok(row.map(|(row, revoked)| (row, revoked && !jti.is_empty())))
}

/// Signs one token out (a no-op when it already was).
pub fn revoke_token(
    conn: &mut DbConn,
    jti: &str,
    user_id: i64,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    let values = (
        revoked_tokens::jti.eq(jti),
        revoked_tokens::user_id.eq(user_id),
        revoked_tokens::expires_at.eq(expires_at),
    );
    crate::per_backend!(conn, |c| diesel::insert_into(revoked_tokens::table)
        .values(values)
        .on_conflict(revoked_tokens::jti)
        .do_nothing()
        .execute(c))
    .map(drop)
}

/// Signs the account out everywhere: every token issued so far stops working.
pub fn revoke_all_tokens(conn: &mut DbConn, user_id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::token_epoch.eq(users::token_epoch + 1i64),
            users::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Forgets revocations of tokens that have expired anyway: a minute past the leeway with which
/// an expired token is still accepted, so a signed-out token never comes back to life.
pub fn prune_revoked_tokens(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    let margin = chrono::Duration::seconds(crate::auth::TOKEN_LEEWAY_SECS as i64 + 60);
    diesel::delete(revoked_tokens::table.filter(revoked_tokens::expires_at.lt(now - margin)))
        .execute(conn)
}

/// The active administrators' ids, their rows locked until the transaction ends (PostgreSQL:
/// `FOR UPDATE`; SQLite: the transaction takes the write lock first), so that two changes that
/// could each leave no administrator are decided one after the other.
pub fn lock_active_admins(conn: &mut DbConn) -> QueryResult<Vec<i64>> {
    let admins = users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::active.eq(true));
    match conn {
        DbConn::Pg(pg) => admins.select(users::id).for_update().load(pg),
        DbConn::Sqlite(lite) => {
            diesel::update(users::table.filter(users::role.eq(Role::Admin.as_str())))
                .set(users::updated_at.eq(users::updated_at))
                .execute(lite)?;
            admins.select(users::id).load(lite)
        }
    }
}

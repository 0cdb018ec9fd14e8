//! API clients. A partner owns a `partner` user, so what it submits has an owner like any other
//! petition; its secrets are kept only as digests.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use minhu_types::{Partner, Role};

use super::schema::{partners, users};
use super::{utc, DbConn, Paging};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = partners)]
pub struct PartnerRow {
    pub id: i64,
    pub name: String,
    pub user_id: i64,
    pub client_id: String,
    pub client_secret_hash: String,
    pub api_key_hash: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub credentials_at: Option<NaiveDateTime>,
}

impl PartnerRow {
    pub fn to_partner(&self) -> Partner {
        Partner {
            id: self.id,
            name: self.name.clone(),
            client_id: self.client_id.clone(),
            active: self.active,
            created_at: utc(self.created_at),
        }
    }
}

pub struct NewPartnerRow<'a> {
    pub name: &'a str,
    pub client_id: &'a str,
    pub client_secret_hash: &'a str,
    pub api_key_hash: &'a str,
    pub now: NaiveDateTime,
}

/// Creates the partner and its user in one transaction.
pub fn insert(conn: &mut DbConn, p: &NewPartnerRow<'_>) -> QueryResult<PartnerRow> {
    conn.transaction(|conn| {
        let user_id = super::users::insert(
            conn,
            &super::users::NewUserRow {
                username: p.client_id,
                password_hash: crate::auth::NO_PASSWORD,
                display_name: p.name,
                phone: None,
                role: Role::Partner.as_str(),
                unit_id: None,
                active: true,
                created_at: p.now,
                updated_at: p.now,
            },
        )?;
        let id: i64 = diesel::insert_into(partners::table)
            .values((
                partners::name.eq(p.name),
                partners::user_id.eq(user_id),
                partners::client_id.eq(p.client_id),
                partners::client_secret_hash.eq(p.client_secret_hash),
                partners::api_key_hash.eq(p.api_key_hash),
                partners::active.eq(true),
                partners::created_at.eq(p.now),
            ))
            .returning(partners::id)
            .get_result(conn)?;
        partners::table
            .find(id)
            .select(PartnerRow::as_select())
            .first(conn)
    })
}

pub fn find_by_client_id(conn: &mut DbConn, client_id: &str) -> QueryResult<Option<PartnerRow>> {
    partners::table
        .filter(partners::client_id.eq(client_id))
        .select(PartnerRow::as_select())
        .first(conn)
        .optional()
}

/// The partner whose account `user_id` is.
pub fn id_of_user(conn: &mut DbConn, user_id: i64) -> QueryResult<Option<i64>> {
    partners::table
        .filter(partners::user_id.eq(user_id))
        .select(partners::id)
        .first(conn)
        .optional()
}

pub fn list(conn: &mut DbConn, paging: Paging) -> QueryResult<(Vec<PartnerRow>, i64)> {
    let total = partners::table.count().get_result(conn)?;
    let items = partners::table
        .order(partners::id.asc())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(PartnerRow::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// The partner's user, for its token.
pub fn user_of(conn: &mut DbConn, partner: &PartnerRow) -> QueryResult<super::users::UserRow> {
    users::table
        .find(partner.user_id)
        .select(super::users::UserRow::as_select())
        .first(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<PartnerRow> {
    partners::table
        .find(id)
        .select(PartnerRow::as_select())
        .first(conn)
}

/// Whether the partner account `user_id` may still call, and since when its tokens count:
/// `None` when no partner has this account.
pub fn access_of_user(
    conn: &mut DbConn,
    user_id: i64,
) -> QueryResult<Option<(bool, Option<NaiveDateTime>)>> {
    partners::table
        .filter(partners::user_id.eq(user_id))
        .select((partners::active, partners::credentials_at))
        .first(conn)
        .optional()
}

/// New secrets for the partner; tokens issued before `now` stop working. Re-enables a revoked
/// partner, since issuing it credentials again is an administrator's deliberate act.
pub fn rotate(
    conn: &mut DbConn,
    id: i64,
    client_secret_hash: &str,
    api_key_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<PartnerRow> {
    conn.transaction(|conn| {
        let row = find(conn, id)?;
        diesel::update(partners::table.find(id))
            .set((
                partners::client_secret_hash.eq(client_secret_hash),
                partners::api_key_hash.eq(api_key_hash),
                partners::credentials_at.eq(Some(now)),
                partners::active.eq(true),
            ))
            .execute(conn)?;
        set_user_active(conn, row.user_id, true, now)?;
        find(conn, id)
    })
}

/// Switches the partner off: its secret, API key and every token it holds stop working.
pub fn revoke(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<PartnerRow> {
    conn.transaction(|conn| {
        let row = find(conn, id)?;
        diesel::update(partners::table.find(id))
            .set(partners::active.eq(false))
            .execute(conn)?;
        set_user_active(conn, row.user_id, false, now)?;
        find(conn, id)
    })
}

fn set_user_active(
    conn: &mut DbConn,
    user_id: i64,
    active: bool,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((users::active.eq(active), users::updated_at.eq(now)))
        .execute(conn)
}

/// The active partner with this Open311 API key (by its digest).
pub fn find_by_api_key(conn: &mut DbConn, key_hash: &str) -> QueryResult<Option<PartnerRow>> {
    partners::table
        .filter(partners::api_key_hash.eq(key_hash))
        .filter(partners::active.eq(true))
        .select(PartnerRow::as_select())
        .first(conn)
        .optional()
}

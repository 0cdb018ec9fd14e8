//! Notifications, their SMS and e-mail outbox, per-account settings and one-tap rating links.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use minhu_types::{NotificationSettings, Role};

use super::schema::{
    notification_deliveries as nd, notifications, petitions, rating_tokens, users,
};
use super::{utc, DbConn, Paging};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: i64,
    pub user_id: Option<i64>,
    pub petition_id: Option<i64>,
    pub event: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

impl NotificationRow {
    pub fn to_notification(&self, tracking_no: Option<String>) -> minhu_types::Notification {
        minhu_types::Notification {
            id: self.id,
            event: self.event.clone(),
            petition_id: self.petition_id,
            tracking_no,
            title: self.title.clone(),
            body: self.body.clone(),
            link: self.link.clone(),
            created_at: utc(self.created_at),
            read_at: self.read_at.map(utc),
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = notifications)]
pub struct NewNotification<'a> {
    pub user_id: Option<i64>,
    pub petition_id: Option<i64>,
    pub event: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub link: Option<&'a str>,
    pub once_key: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, n: &NewNotification<'_>) -> QueryResult<i64> {
    crate::per_backend!(conn, |c| super::Kept(
        diesel::insert_into(notifications::table)
            .values(n)
            .returning(notifications::id)
    )
    .get_result(c))
}

/// Whether a message with this `once_key` was written already.
pub fn sent_once(conn: &mut DbConn, key: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        notifications::table.filter(notifications::once_key.eq(key)),
    ))
    .get_result(conn)
}

/// Queues a message for SMS or e-mail, due at `due`.
pub fn enqueue(
    conn: &mut DbConn,
    notification_id: i64,
    channel: &str,
    address: &str,
    urgent: bool,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(nd::table)
        .values((
            nd::notification_id.eq(notification_id),
            nd::channel.eq(channel),
            nd::address.eq(address),
            nd::urgent.eq(urgent),
            nd::status.eq("pending"),
            nd::attempts.eq(0_i64),
            nd::next_attempt_at.eq(now),
            nd::created_at.eq(now),
        ))
        .execute(conn)
}

/// One account's notifications, newest first, with their petitions' tracking numbers.
pub fn list(
    conn: &mut DbConn,
    user_id: i64,
    unread_only: bool,
    paging: Paging,
) -> QueryResult<(Vec<(NotificationRow, Option<String>)>, i64)> {
    let query = || {
        let mut q = notifications::table
            .filter(notifications::user_id.eq(user_id))
            .into_boxed();
        if unread_only {
            q = q.filter(notifications::read_at.is_null());
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let rows: Vec<NotificationRow> = query()
        .order(notifications::id.desc())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(NotificationRow::as_select())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.petition_id).collect();
    let numbers: Vec<(i64, String)> = petitions::table
        .filter(super::one_of(petitions::id, &ids))
        .select((petitions::id, petitions::tracking_no))
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(|r| {
            let no = r
                .petition_id
                .and_then(|p| numbers.iter().find(|(id, _)| *id == p))
                .map(|(_, n)| n.clone());
            (r, no)
        })
        .collect();
    Ok((items, total))
}

pub fn unread_count(conn: &mut DbConn, user_id: i64) -> QueryResult<i64> {
    notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)
}

/// Marks the account's `ids` (or all of its messages) read; others' ids change nothing.
pub fn mark_read(
    conn: &mut DbConn,
    user_id: i64,
    ids: Option<&[i64]>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut q = diesel::update(notifications::table)
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .into_boxed();
    if let Some(ids) = ids {
        q = q.filter(notifications::id.eq_any(ids));
    }
    q.set(notifications::read_at.eq(Some(now))).execute(conn)
}

/// How an account is reached besides the app.
#[derive(Debug, Clone, Queryable)]
pub struct Reach {
    pub id: i64,
    pub role: String,
    pub phone: Option<String>,
    pub sms: bool,
    pub email: bool,
    pub email_address: Option<String>,
}

pub(crate) type ReachColumns = (
    users::id,
    users::role,
    users::phone,
    users::notify_sms,
    users::notify_email,
    users::email_address,
);
pub(crate) const REACH: ReachColumns = (
    users::id,
    users::role,
    users::phone,
    users::notify_sms,
    users::notify_email,
    users::email_address,
);

pub fn reach_of(conn: &mut DbConn, user_id: i64) -> QueryResult<Reach> {
    users::table.find(user_id).select(REACH).first(conn)
}

/// The active handlers of a unit.
pub fn handlers_of(conn: &mut DbConn, unit_id: i64) -> QueryResult<Vec<Reach>> {
    users::table
        .filter(users::unit_id.eq(unit_id))
        .filter(users::role.eq(Role::Handler.as_str()))
        .filter(users::active.eq(true))
        .order(users::id.asc())
        .select(REACH)
        .load(conn)
}

/// The active accounts following a petition, in one query (a popular petition has many).
pub fn followers(conn: &mut DbConn, petition_id: i64) -> QueryResult<Vec<Reach>> {
    use super::schema::petition_followers as pf;
    users::table
        .inner_join(pf::table.on(pf::user_id.eq(users::id)))
        .filter(pf::petition_id.eq(petition_id))
        .filter(users::active.eq(true))
        .order(users::id.asc())
        .select(REACH)
        .load(conn)
}

/// Every active leader.
pub fn leaders(conn: &mut DbConn) -> QueryResult<Vec<Reach>> {
    users::table
        .filter(users::role.eq(Role::Leader.as_str()))
        .filter(users::active.eq(true))
        .order(users::id.asc())
        .select(REACH)
        .load(conn)
}

pub fn settings(conn: &mut DbConn, user_id: i64) -> QueryResult<NotificationSettings> {
    let (sms, email, email_address) = users::table
        .find(user_id)
        .select((users::notify_sms, users::notify_email, users::email_address))
        .first(conn)?;
    Ok(NotificationSettings {
        sms,
        email,
        email_address,
    })
}

pub fn save_settings(
    conn: &mut DbConn,
    user_id: i64,
    s: &NotificationSettings,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((
            users::notify_sms.eq(s.sms),
            users::notify_email.eq(s.email),
            users::email_address.eq(s.email_address.as_deref()),
            users::updated_at.eq(now),
        ))
        .execute(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = nd)]
pub struct DeliveryRow {
    pub id: i64,
    pub notification_id: i64,
    pub channel: String,
    pub address: String,
    pub urgent: bool,
    pub attempts: i64,
}

super::outbox::outbox_queries!(nd);

/// The delivery and its message.
pub fn load(conn: &mut DbConn, id: i64) -> QueryResult<(DeliveryRow, NotificationRow)> {
    nd::table
        .inner_join(notifications::table)
        .filter(nd::id.eq(id))
        .select((DeliveryRow::as_select(), NotificationRow::as_select()))
        .first(conn)
}

/// Puts a claimed delivery back, untried, until `until` (the end of the quiet hours).
pub fn hold(
    conn: &mut DbConn,
    id: i64,
    lease_until: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        nd::table
            .filter(nd::id.eq(id))
            .filter(nd::status.eq("pending"))
            .filter(nd::next_attempt_at.eq(lease_until)),
    )
    .set(nd::next_attempt_at.eq(until))
    .execute(conn)
}

/// Deliveries of one message, for tests and support: (channel, address, status, attempts).
pub fn deliveries_of(
    conn: &mut DbConn,
    notification_id: i64,
) -> QueryResult<Vec<(String, String, String, i64)>> {
    nd::table
        .filter(nd::notification_id.eq(notification_id))
        .order(nd::id.asc())
        .select((nd::channel, nd::address, nd::status, nd::attempts))
        .load(conn)
}

/// A new one-tap rating link for a petition; links given before for it stop working.
pub fn new_rating_token(
    conn: &mut DbConn,
    petition_id: i64,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let token = crate::config::random_hex(20);
    diesel::delete(
        rating_tokens::table
            .filter(rating_tokens::petition_id.eq(petition_id))
            .filter(rating_tokens::used_at.is_null()),
    )
    .execute(conn)?;
    diesel::insert_into(rating_tokens::table)
        .values((
            rating_tokens::token_hash.eq(token_hash(&token)),
            rating_tokens::petition_id.eq(petition_id),
            rating_tokens::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The stored form of a rating token: its SHA-256, in hex.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The petition a rating token is for, and when it was used (if it was).
pub fn rating_token(
    conn: &mut DbConn,
    token: &str,
) -> QueryResult<Option<(i64, Option<NaiveDateTime>)>> {
    rating_tokens::table
        .find(token_hash(token))
        .select((rating_tokens::petition_id, rating_tokens::used_at))
        .first(conn)
        .optional()
}

/// Uses a token once: false when it was used meanwhile.
pub fn use_rating_token(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        rating_tokens::table
            .find(token_hash(token))
            .filter(rating_tokens::used_at.is_null()),
    )
    .set(rating_tokens::used_at.eq(Some(now)))
    .execute(conn)?;
    Ok(n == 1)
}

//! Webhooks and their outbox of deliveries.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use minhu_types::{Webhook, WebhookDelivery};

use super::schema::{partners, webhook_deliveries as wd, webhooks};
use super::{utc, DbConn, Paging};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
pub struct WebhookRow {
    pub id: i64,
    pub partner_id: i64,
    pub url: String,
    pub events: String,
    pub secret: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

impl WebhookRow {
    pub fn to_webhook(&self) -> Webhook {
        Webhook {
            id: self.id,
            partner_id: self.partner_id,
            url: self.url.clone(),
            events: self.events.split(',').map(str::to_owned).collect(),
            created_at: utc(self.created_at),
        }
    }

    pub fn wants(&self, event: &str) -> bool {
        self.events.split(',').any(|e| e == event)
    }
}

pub fn insert(
    conn: &mut DbConn,
    partner_id: i64,
    url: &str,
    events: &str,
    secret: &str,
    now: NaiveDateTime,
) -> QueryResult<WebhookRow> {
    let id: i64 = diesel::insert_into(webhooks::table)
        .values((
            webhooks::partner_id.eq(partner_id),
            webhooks::url.eq(url),
            webhooks::events.eq(events),
            webhooks::secret.eq(secret),
            webhooks::active.eq(true),
            webhooks::created_at.eq(now),
        ))
        .returning(webhooks::id)
        .get_result(conn)?;
    find(conn, id)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<WebhookRow> {
    webhooks::table
        .find(id)
        .select(WebhookRow::as_select())
        .first(conn)
}

/// Active webhooks, of one partner or of all.
pub fn list(
    conn: &mut DbConn,
    partner_id: Option<i64>,
    paging: Paging,
) -> QueryResult<(Vec<WebhookRow>, i64)> {
    let query = || {
        let mut q = webhooks::table
            .filter(webhooks::active.eq(true))
            .into_boxed();
        if let Some(p) = partner_id {
            q = q.filter(webhooks::partner_id.eq(p));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .order(webhooks::id.asc())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(WebhookRow::as_select())
        .load(conn)?;
    Ok((items, total))
}

pub fn active_of_partner(conn: &mut DbConn, partner_id: i64) -> QueryResult<Vec<WebhookRow>> {
    webhooks::table
        .inner_join(partners::table)
        .filter(webhooks::partner_id.eq(partner_id))
        .filter(webhooks::active.eq(true))
        .filter(partners::active.eq(true))
        .select(WebhookRow::as_select())
        .load(conn)
}

/// Removes a webhook: nothing more is sent to it; pending deliveries are dropped as failed.
pub fn deactivate(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::update(webhooks::table.find(id))
            .set(webhooks::active.eq(false))
            .execute(conn)?;
        diesel::update(
            wd::table
                .filter(wd::webhook_id.eq(id))
                .filter(wd::status.eq("pending")),
        )
        .set((
            wd::status.eq("failed"),
            wd::last_error.eq("webhook removed"),
            wd::next_attempt_at.eq(now),
        ))
        .execute(conn)?;
        Ok(())
    })
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = wd)]
pub struct DeliveryRow {
    pub id: i64,
    pub webhook_id: i64,
    pub event_id: i64,
    pub event_type: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: NaiveDateTime,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
}

impl DeliveryRow {
    pub fn to_delivery(&self) -> WebhookDelivery {
        WebhookDelivery {
            id: self.id,
            event_id: event_id(self.event_id),
            event: self.event_type.clone(),
            status: self.status.clone(),
            attempts: self.attempts,
            last_status: self.last_status,
            last_error: self.last_error.clone(),
            next_attempt_at: (self.status == "pending").then(|| utc(self.next_attempt_at)),
            created_at: utc(self.created_at),
            delivered_at: self.delivered_at.map(utc),
        }
    }
}

/// The id receivers deduplicate by.
pub fn event_id(event: i64) -> String {
    format!("evt_{event}")
}

pub fn enqueue(
    conn: &mut DbConn,
    webhook_id: i64,
    event_id: i64,
    event_type: &str,
    payload: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(wd::table)
        .values((
            wd::webhook_id.eq(webhook_id),
            wd::event_id.eq(event_id),
            wd::event_type.eq(event_type),
            wd::payload.eq(payload),
            wd::status.eq("pending"),
            wd::attempts.eq(0_i64),
            wd::next_attempt_at.eq(now),
            wd::created_at.eq(now),
        ))
        .execute(conn)
}

super::outbox::outbox_queries!(wd);

/// The delivery, its webhook and whether the webhook's partner is still active.
pub fn load(conn: &mut DbConn, id: i64) -> QueryResult<(DeliveryRow, WebhookRow, bool)> {
    wd::table
        .inner_join(webhooks::table.inner_join(partners::table))
        .filter(wd::id.eq(id))
        .select((
            DeliveryRow::as_select(),
            WebhookRow::as_select(),
            partners::active,
        ))
        .first(conn)
}

pub fn deliveries(
    conn: &mut DbConn,
    webhook_id: i64,
    paging: Paging,
) -> QueryResult<(Vec<DeliveryRow>, i64)> {
    let total = wd::table
        .filter(wd::webhook_id.eq(webhook_id))
        .count()
        .get_result(conn)?;
    let items = wd::table
        .filter(wd::webhook_id.eq(webhook_id))
        .order(wd::id.desc())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(DeliveryRow::as_select())
        .load(conn)?;
    Ok((items, total))
}

//! Webhooks at work: events go into the outbox in the transaction of the change they report
//! ([`enqueue`]); the server then delivers what is due ([`deliver_due`]), signed, and retries
//! with backoff until the receiver answers 2xx. Deliveries live in the database, so nothing
//! is lost across a restart, and a lease on each attempt lets several replicas share the work.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use minhu_types::{PetitionStatus, WebhookEvent, WebhookEventData};

use crate::clock::Clock;
use crate::db::{self, DbConn};
use crate::domain::webhooks::{event_for, is_public, retry_at, signature, Reach};
use crate::error::AppResult;

/// How long one attempt may take before another server may try again: well over the longest
/// attempt (5 s to resolve, 10 s to answer).
const LEASE_SECS: i64 = 120;
/// Deliveries taken per round.
const BATCH: i64 = 50;

/// Writes the deliveries a status change causes, in the caller's transaction.
pub fn enqueue(
    conn: &mut DbConn,
    about: &crate::notifications::About,
    petition_id: i64,
    event_row_id: i64,
    from: Option<PetitionStatus>,
    to: Option<PetitionStatus>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let (Some(event), Some(status)) = (event_for(from, to), to) else {
        return Ok(());
    };
    let Some(partner_id) = about.partner_id else {
        return Ok(());
    };
    let tracking_no = about.tracking_no().to_owned();
    // Only for an active partner's active webhooks.
    let hooks = db::webhooks::active_of_partner(conn, partner_id)?;
    if !hooks.iter().any(|h| h.wants(&event)) {
        return Ok(());
    }
    let payload = serde_json::to_string(&WebhookEvent {
        id: db::webhooks::event_id(event_row_id),
        kind: event.clone(),
        created_at: db::utc(now),
        data: WebhookEventData {
            petition_id,
            tracking_no,
            status,
            previous_status: from,
        },
    })
    .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    for hook in hooks.iter().filter(|h| h.wants(&event)) {
        db::webhooks::enqueue(conn, hook.id, event_row_id, &event, &payload, now)?;
    }
    Ok(())
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub delivered: usize,
    pub failed: usize,
}

/// Delivers every delivery due now (by the server's clock), one attempt each.
pub async fn deliver_due(pool: &db::Pool, clock: &Clock, reach: Reach) -> AppResult<Round> {
    let now = clock.now();
    let due = db::run(pool, move |conn| Ok(db::webhooks::due(conn, now, BATCH)?)).await?;
    let mut round = Round::default();
    for id in due {
        // Each claim at its own time: a round of slow receivers must not hand out leases that
        // have already run out.
        let now = clock.now();
        let lease_until = now + chrono::Duration::seconds(LEASE_SECS);
        let claimed = db::run(pool, move |conn| {
            if !db::webhooks::claim(conn, id, now, lease_until)? {
                return Ok(None);
            }
            Ok(Some(db::webhooks::load(conn, id)?))
        })
        .await?;
        let Some((delivery, hook, partner_active)) = claimed else {
            continue;
        };
        let outcome = if hook.active && partner_active {
            send(
                reach,
                &hook.url,
                &hook.secret,
                &delivery.event_type,
                &db::webhooks::event_id(delivery.event_id),
                delivery.payload.into_bytes(),
            )
            .await
        } else {
            Err((None, "webhook removed or partner revoked".to_owned()))
        };
        let given_up = !(hook.active && partner_active);
        if outcome.is_ok() {
            round.delivered += 1;
        } else {
            round.failed += 1;
            tracing::warn!(delivery = id, webhook = hook.id, error = ?outcome.as_ref().err(), "webhook delivery failed");
        }
        let attempts = delivery.attempts + 1;
        let after = clock.now();
        let retry_at = retry_at(attempts, !given_up, after);
        db::run(pool, move |conn| {
            Ok(db::webhooks::record_attempt(
                conn,
                id,
                lease_until,
                outcome,
                retry_at,
                after,
            )?)
        })
        .await?;
    }
    Ok(round)
}

/// One POST: `Ok(status)` on 2xx, else the status (if any) and what went wrong.
async fn send(
    reach: Reach,
    url: &str,
    secret: &str,
    event: &str,
    event_id: &str,
    body: Vec<u8>,
) -> Result<i64, (Option<i64>, String)> {
    let failed = |e: String| (None, e);
    let parsed = url::Url::parse(url).map_err(|e| failed(e.to_string()))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| failed("no host".into()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = parsed.port_or_known_default().unwrap_or(443);
    // The addresses are checked now, and the request goes to the one checked: a name that
    // resolves to an internal address is refused however it resolved at registration.
    let lookup = tokio::net::lookup_host((host.as_str(), port));
    let addrs: Vec<std::net::SocketAddr> =
        tokio::time::timeout(std::time::Duration::from_secs(5), lookup)
            .await
            .map_err(|_| failed(format!("resolving {host} took over 5 s")))?
            .map_err(|e| failed(format!("cannot resolve {host}: {e}")))?
            .collect();
    let addr = addrs
        .iter()
        .copied()
        .find(|a| reach.allow_private || is_public(a.ip()))
        .ok_or_else(|| failed(format!("{host} resolves only to non-public addresses")))?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // A proxy would resolve the name itself, past the address check.
        .no_proxy()
        .timeout(std::time::Duration::from_secs(10))
        .resolve(&host, addr)
        .user_agent("minhu-webhooks/1")
        .build()
        .map_err(|e| failed(e.to_string()))?;
    let timestamp = chrono::Utc::now().timestamp();
    let res = client
        .post(parsed)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("x-minhu-event", event)
        .header("x-minhu-event-id", event_id)
        .header("x-minhu-timestamp", timestamp.to_string())
        .header("x-minhu-signature", signature(secret, timestamp, &body))
        .body(body)
        .send()
        .await
        .map_err(|e| failed(e.without_url().to_string()))?;
    let status = i64::from(res.status().as_u16());
    if res.status().is_success() {
        Ok(status)
    } else {
        Err((Some(status), format!("HTTP {status}")))
    }
}

/// Delivers in the background every `interval` until the server stops.
pub fn spawn(pool: db::Pool, clock: Clock, reach: Reach, interval: std::time::Duration) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(interval);
        loop {
            tick.tick().await;
            match deliver_due(&pool, &clock, reach).await {
                Ok(r) if r != Round::default() => {
                    tracing::info!(delivered = r.delivered, failed = r.failed, "webhooks")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = ?e, "webhook delivery round failed"),
            }
        }
    });
}

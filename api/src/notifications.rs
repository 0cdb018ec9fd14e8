//! Notifications at work: every timeline event may tell someone something ([`enqueue`], called
//! by `workflow::record` in the transaction of the change, so nothing is told that did not
//! happen and nothing that happened goes untold); SMS and e-mail deliveries are an outbox like
//! the webhooks' one, sent by [`deliver_due`] with retries, leases shared by replicas, and the
//! SMS quiet hours; the yellow-light reminders come from the job loop ([`remind_yellow`]).

use std::time::Duration as StdDuration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use minhu_types::{Action, PetitionStatus, Role, Urgency};

use crate::clock::Clock;
use crate::db::notifications::{NewNotification, Reach};
use crate::db::schema::{assignments, petitions, replies};
use crate::db::{self, DbConn};
use crate::domain::lifecycle;
use crate::domain::notifications::{
    events_for, render, render_for_follower, sms_text, Audience, Event, Facts, QuietHours,
};
use crate::domain::webhooks::retry_at;
use crate::error::AppResult;

/// A timeline event, as `workflow::record` writes it.
#[derive(Debug, Clone, Copy)]
pub struct Cause<'a> {
    pub petition_id: i64,
    pub action: Action,
    pub from: Option<PetitionStatus>,
    pub to: Option<PetitionStatus>,
    pub assignment_id: Option<i64>,
    pub note: Option<&'a str>,
    pub now: NaiveDateTime,
}

/// What an event's messages and webhooks need of its petition: read once per event.
pub struct About {
    petition: PetitionFacts,
    /// How the petitioner is reached, when the caller has read it already (a submission: its
    /// submitter's row was read with the caller's defaults); the petitioner's messages read it
    /// otherwise.
    petitioner: Option<Reach>,
}

/// The petition's own columns in [`About`].
#[derive(Queryable)]
pub struct PetitionFacts {
    tracking_no: String,
    title: String,
    urgency: String,
    submitter_id: i64,
    contact_phone: Option<String>,
    status: String,
    publish_consent: bool,
    public_hidden: bool,
    pub partner_id: Option<i64>,
}

impl std::ops::Deref for About {
    type Target = PetitionFacts;
    fn deref(&self) -> &PetitionFacts {
        &self.petition
    }
}

impl About {
    pub fn load(conn: &mut DbConn, petition_id: i64) -> QueryResult<About> {
        let petition = petitions::table
            .find(petition_id)
            .select((
                petitions::tracking_no,
                petitions::title,
                petitions::urgency,
                petitions::submitter_id,
                petitions::contact_phone,
                petitions::status,
                petitions::publish_consent,
                petitions::public_hidden,
                petitions::partner_id,
            ))
            .first(conn)?;
        Ok(About {
            petition,
            petitioner: None,
        })
    }

    /// What a petition row just written says (a submission's own): no need to read it back;
    /// with how its submitter is reached, if the caller read that (used only if it is theirs).
    pub fn of(row: &crate::db::petitions::PetitionRow, petitioner: Option<Reach>) -> About {
        About {
            petition: PetitionFacts {
                tracking_no: row.tracking_no.clone(),
                title: row.title.clone(),
                urgency: row.urgency.as_str().to_owned(),
                submitter_id: row.submitter_id,
                contact_phone: row.contact_phone.clone(),
                status: row.status.as_str().to_owned(),
                publish_consent: row.publish_consent,
                public_hidden: row.public_hidden,
                partner_id: row.partner_id,
            },
            petitioner: petitioner.filter(|r| r.id == row.submitter_id),
        }
    }

    pub fn tracking_no(&self) -> &str {
        &self.tracking_no
    }
}

/// Whether the event tells anybody anything (most do not: asked of the table before reading).
pub fn tells_anyone(c: &Cause<'_>) -> bool {
    !events_for(c.action, c.from, c.to, true).is_empty()
}

/// Writes the messages an event causes, in the caller's transaction.
pub fn enqueue(conn: &mut DbConn, c: &Cause<'_>, p: &About) -> QueryResult<()> {
    let urgent = p.urgency == Urgency::Emergency.as_str();
    for event in events_for(c.action, c.from, c.to, urgent) {
        let reply = if event == Event::Replied {
            replies::table
                .filter(replies::petition_id.eq(c.petition_id))
                .order(replies::id.desc())
                .select(replies::body)
                .first::<String>(conn)
                .optional()?
        } else {
            None
        };
        let facts = Facts {
            tracking_no: &p.tracking_no,
            title: &p.title,
            action: c.action,
            note: c.note,
            reply: reply.as_deref(),
        };
        let (title, body) = render(event, &facts);
        let message = Message {
            event,
            petition_id: c.petition_id,
            title: &title,
            body: &body,
            urgent,
            now: c.now,
        };
        match event.audience() {
            Audience::Petitioner => to_petitioner(conn, &message, p)?,
            Audience::Unit => {
                let Some(aid) = c.assignment_id else { continue };
                let unit: i64 = assignments::table
                    .find(aid)
                    .select(assignments::unit_id)
                    .first(conn)?;
                for handler in db::notifications::handlers_of(conn, unit)? {
                    message.to_account(conn, &handler, None, None)?;
                }
            }
            Audience::Leaders => {
                for leader in db::notifications::leaders(conn)? {
                    message.to_account(conn, &leader, None, None)?;
                }
            }
        }
        to_followers(conn, event, &facts, p, c)?;
    }
    Ok(())
}

/// Readers following a published petition hear of its public milestones.
fn to_followers(
    conn: &mut DbConn,
    event: Event,
    facts: &Facts<'_>,
    p: &About,
    c: &Cause<'_>,
) -> QueryResult<()> {
    let Some((title, body)) = render_for_follower(event, facts) else {
        return Ok(());
    };
    let published = PetitionStatus::parse(&p.status).is_some_and(|s| {
        crate::domain::privacy::in_public_feed(s, p.publish_consent, p.public_hidden)
    });
    if !published {
        return Ok(());
    }
    let m = Message {
        event,
        petition_id: c.petition_id,
        title: &title,
        body: &body,
        urgent: false,
        now: c.now,
    };
    let link = format!("/t/{}", p.tracking_no);
    for who in db::notifications::followers(conn, c.petition_id)? {
        if who.id != p.submitter_id {
            m.to_account(conn, &who, Some(&link), None)?;
        }
    }
    Ok(())
}

/// One message, before it is addressed.
struct Message<'a> {
    event: Event,
    petition_id: i64,
    title: &'a str,
    body: &'a str,
    urgent: bool,
    now: NaiveDateTime,
}

impl Message<'_> {
    fn insert(
        &self,
        conn: &mut DbConn,
        user_id: Option<i64>,
        link: Option<&str>,
        once_key: Option<&str>,
    ) -> QueryResult<i64> {
        db::notifications::insert(
            conn,
            &NewNotification {
                user_id,
                petition_id: Some(self.petition_id),
                event: self.event.as_str(),
                title: self.title,
                body: self.body,
                link,
                once_key,
                created_at: self.now,
            },
        )
    }

    /// In the app, and by SMS and e-mail as the account chose.
    fn to_account(
        &self,
        conn: &mut DbConn,
        who: &Reach,
        link: Option<&str>,
        once_key: Option<&str>,
    ) -> QueryResult<()> {
        let own_link = format!("/petitions/{}", self.petition_id);
        let id = self.insert(
            conn,
            Some(who.id),
            Some(link.unwrap_or(&own_link)),
            once_key,
        )?;
        if let (true, Some(phone)) = (who.sms, who.phone.as_deref()) {
            db::notifications::enqueue(conn, id, "sms", phone, self.urgent, self.now)?;
        }
        if let (true, Some(address)) = (who.email, who.email_address.as_deref()) {
            db::notifications::enqueue(conn, id, "email", address, self.urgent, self.now)?;
        }
        Ok(())
    }
}

fn to_petitioner(conn: &mut DbConn, m: &Message<'_>, p: &About) -> QueryResult<()> {
    let read;
    let who = match &p.petitioner {
        Some(known) => known,
        None => {
            read = db::notifications::reach_of(conn, p.submitter_id)?;
            &read
        }
    };
    let role = Role::parse(&who.role);
    if !matches!(role, Some(Role::System | Role::Citizen)) {
        // Partners hear through their webhooks; officials do not petition.
        return Ok(());
    }
    // A reply asks for a rating: a single-use link that needs no account.
    let link = match m.event {
        Event::Replied => Some(format!(
            "/r/{}",
            db::notifications::new_rating_token(conn, m.petition_id, m.now)?
        )),
        _ => None,
    };
    match role {
        // A call the hotline office registered: the caller hears by SMS, always.
        Some(Role::System) => {
            if let Some(phone) = p.contact_phone.as_deref() {
                let id = m.insert(conn, None, link.as_deref(), None)?;
                db::notifications::enqueue(conn, id, "sms", phone, m.urgent, m.now)?;
            }
            Ok(())
        }
        _ => m.to_account(conn, who, link.as_deref(), None),
    }
}

/// Tells the handlers of every live order whose light turned yellow, once per order; returns
/// how many orders. Runs inside the jobs' transaction.
pub fn remind_yellow(conn: &mut DbConn, now: NaiveDateTime, batch: i64) -> QueryResult<usize> {
    let due: Vec<(i64, i64, i64)> = assignments::table
        .filter(assignments::yellow_sent_at.is_null())
        .filter(assignments::yellow_at.le(now))
        .filter(assignments::reply_by.gt(now))
        .filter(assignments::state.eq_any(lifecycle::names(lifecycle::LIVE_ORDERS)))
        .order(assignments::id.asc())
        .limit(batch)
        .select((
            assignments::id,
            assignments::petition_id,
            assignments::unit_id,
        ))
        .load(conn)?;
    let mut told = 0;
    for (aid, pid, unit) in due {
        let n = diesel::update(
            assignments::table
                .find(aid)
                .filter(assignments::yellow_sent_at.is_null()),
        )
        .set(assignments::yellow_sent_at.eq(Some(now)))
        .execute(conn)?;
        if n != 1 {
            continue;
        }
        let p: (String, String, String) = petitions::table
            .find(pid)
            .select((petitions::tracking_no, petitions::title, petitions::urgency))
            .first(conn)?;
        let (title, body) = render(
            Event::OrderYellow,
            &Facts {
                tracking_no: &p.0,
                title: &p.1,
                action: Action::Overdue,
                note: None,
                reply: None,
            },
        );
        let m = Message {
            event: Event::OrderYellow,
            petition_id: pid,
            title: &title,
            body: &body,
            urgent: p.2 == Urgency::Emergency.as_str(),
            now,
        };
        for handler in db::notifications::handlers_of(conn, unit)? {
            let key = format!("order.yellow:{aid}:{}", handler.id);
            if !db::notifications::sent_once(conn, &key)? {
                m.to_account(conn, &handler, None, Some(&key))?;
            }
        }
        told += 1;
    }
    Ok(told)
}

/// The SMS gateway (`MINHU_SMS_URL`, `MINHU_SMS_TOKEN`).
#[derive(Debug, Clone)]
pub struct SmsGateway {
    pub url: url::Url,
    pub token: String,
}

/// The mail server (`MINHU_SMTP_URL`, `MINHU_MAIL_FROM`).
#[derive(Clone)]
pub struct Mailer {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// `smtp://host:port` (plain, for a relay on a closed network), `smtp://…?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host:port`.
    pub fn parse(url: &str, from: &str) -> Result<Mailer, String> {
        let parsed = url::Url::parse(url)
            .map_err(|e| format!("MINHU_SMTP_URL: not a URL ({e}); expected smtp://host:port or smtps://user:pass@host:port"))?;
        if !matches!(parsed.scheme(), "smtp" | "smtps") || parsed.host_str().is_none() {
            return Err(
                "MINHU_SMTP_URL: expected smtp://host:port or smtps://user:pass@host:port"
                    .to_owned(),
            );
        }
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
            .map_err(|e| format!("MINHU_SMTP_URL: {e}"))?
            .timeout(Some(StdDuration::from_secs(10)))
            .build();
        let from = from.parse().map_err(|e| {
            format!(
                "MINHU_MAIL_FROM: expected an address such as 民呼必应 <noreply@example.cn> ({e})"
            )
        })?;
        Ok(Mailer { transport, from })
    }

    async fn send(
        &self,
        to: &str,
        subject: &str,
        text: String,
    ) -> Result<i64, (Option<i64>, String)> {
        use lettre::AsyncTransport;
        let failed = |e: String| (None, e);
        let to = to
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| failed(format!("bad address: {e}")))?;
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(text)
            .map_err(|e| failed(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| failed(e.to_string()))?;
        Ok(250)
    }
}

/// How messages leave the server.
#[derive(Debug, Clone, Default)]
pub struct Channels {
    pub sms: Option<SmsGateway>,
    pub mail: Option<Mailer>,
    pub quiet: Option<QuietHours>,
    /// The web app's address, for links in SMS and e-mail (`MINHU_PUBLIC_URL`).
    pub public_url: String,
}

const LEASE_SECS: i64 = 120;
const BATCH: i64 = 50;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub delivered: usize,
    pub failed: usize,
    pub held: usize,
}

/// Sends every SMS and e-mail due now (by the server's clock), one attempt each.
pub async fn deliver_due(pool: &db::Pool, clock: &Clock, ch: &Channels) -> AppResult<Round> {
    let now = clock.now();
    let due = db::run(pool, move |conn| {
        Ok(db::notifications::due(conn, now, BATCH)?)
    })
    .await?;
    let mut round = Round::default();
    for id in due {
        let now = clock.now();
        let lease_until = now + chrono::Duration::seconds(LEASE_SECS);
        let claimed = db::run(pool, move |conn| {
            if !db::notifications::claim(conn, id, now, lease_until)? {
                return Ok(None);
            }
            Ok(Some(db::notifications::load(conn, id)?))
        })
        .await?;
        let Some((d, n)) = claimed else { continue };
        let hold_until = match (d.channel.as_str(), ch.quiet) {
            ("sms", Some(q)) if !d.urgent => q.held_until(now),
            _ => None,
        };
        if let Some(until) = hold_until {
            db::run(pool, move |conn| {
                Ok(db::notifications::hold(conn, id, lease_until, until)?)
            })
            .await?;
            round.held += 1;
            continue;
        }
        let configured = match d.channel.as_str() {
            "sms" => ch.sms.is_some(),
            _ => ch.mail.is_some(),
        };
        let outcome = match (d.channel.as_str(), &ch.sms, &ch.mail) {
            ("sms", Some(gw), _) => {
                let text = sms_text(&n.body, n.link.as_deref(), &ch.public_url);
                send_sms(gw, &format!("ntf_{}", n.id), &d.address, &n.event, &text).await
            }
            ("email", _, Some(mail)) => {
                let mut text = n.body.clone();
                if let Some(l) = &n.link {
                    text.push_str(&format!("\n\n{}{l}", ch.public_url));
                }
                text.push_str("\n\n—— 民呼必应（本邮件由系统发送，请勿直接回复）");
                mail.send(&d.address, &n.title, text).await
            }
            (other, _, _) => Err((None, format!("no {other} channel configured"))),
        };
        if outcome.is_ok() {
            round.delivered += 1;
        } else {
            round.failed += 1;
            tracing::warn!(delivery = id, channel = %d.channel, error = ?outcome.as_ref().err(), "notification delivery failed");
        }
        let attempts = d.attempts + 1;
        let after = clock.now();
        // Without the channel configured there is nothing to retry with: given up at once.
        let retry_at = retry_at(attempts, configured, after);
        db::run(pool, move |conn| {
            Ok(db::notifications::record_attempt(
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

/// One SMS through the gateway: `Ok(status)` on 2xx.
async fn send_sms(
    gw: &SmsGateway,
    id: &str,
    to: &str,
    template: &str,
    text: &str,
) -> Result<i64, (Option<i64>, String)> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(StdDuration::from_secs(10))
        .user_agent("minhu-notifications/1")
        .build()
        .map_err(|e| (None, e.to_string()))?;
    let res = client
        .post(gw.url.clone())
        .bearer_auth(&gw.token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(
            serde_json::json!({"id": id, "to": to, "template": template, "text": text}).to_string(),
        )
        .send()
        .await
        .map_err(|e| (None, e.without_url().to_string()))?;
    let status = i64::from(res.status().as_u16());
    if res.status().is_success() {
        Ok(status)
    } else {
        Err((Some(status), format!("HTTP {status}")))
    }
}

/// Delivers in the background every `interval` until the server stops.
pub fn spawn(pool: db::Pool, clock: Clock, channels: Channels, interval: StdDuration) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(interval);
        loop {
            tick.tick().await;
            match deliver_due(&pool, &clock, &channels).await {
                Ok(r) if r != Round::default() => tracing::info!(
                    delivered = r.delivered,
                    failed = r.failed,
                    held = r.held,
                    "notifications"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = ?e, "notification round failed"),
            }
        }
    });
}

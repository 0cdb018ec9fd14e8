//! Turning rows into what a caller may see: personal information masked unless the caller may
//! see it (and then the read is written to the audit log), replies and timeline included.

use minhu_types::{
    Assignment, Event, FollowUp, Petition, PetitionBrief, PublicEvent, PublicPetition, Reply,
    RequestKind, UnitRef, Visit,
};

use crate::db::petitions::{AssignmentRow, EventRow, FollowUpRow, PetitionRow, ReplyRow, VisitRow};
use crate::db::units::UnitRow;
use crate::db::{self, utc, DbConn};
use chrono::NaiveDateTime;
use std::collections::HashMap;

use crate::domain::calendar::light;
use crate::domain::lifecycle::{allowed, allowed_on_petition, Relations, Situation};
use crate::domain::privacy::{
    blur_coordinate, in_public_feed, mask_address, mask_name, mask_phone, mask_text, sees_contact,
};
use crate::error::{AppError, AppResult};
use crate::workflow::{facts_of, has_lead, petition_facts, Access, Actor};

pub fn unit_ref(u: &UnitRow) -> UnitRef {
    UnitRef {
        id: u.id,
        name: u.name.clone(),
        kind: u.kind(),
    }
}

pub fn brief(p: &PetitionRow, masked: bool) -> PetitionBrief {
    PetitionBrief {
        id: p.id,
        tracking_no: p.tracking_no.clone(),
        title: if masked {
            mask_text(&p.title)
        } else {
            p.title.clone()
        },
        kind: p.kind,
        urgency: p.urgency,
        status: p.status,
    }
}

pub fn assignment(
    a: &AssignmentRow,
    u: &UnitRow,
    p: &PetitionRow,
    masked: bool,
    now: NaiveDateTime,
) -> Assignment {
    let finished = matches!(a.state.as_str(), "replied" | "returned");
    Assignment {
        id: a.id,
        petition: brief(p, masked),
        unit: unit_ref(u),
        role: a.role,
        parent_id: a.parent_id,
        state: a.state,
        open_request: a
            .open_request
            .as_deref()
            .and_then(RequestKind::parse)
            .map(|kind| minhu_types::OpenRequest {
                kind,
                reason: a.request_reason.clone().unwrap_or_default(),
                days: a.request_days,
            }),
        sign_by: a.sign_by.map(utc),
        reply_by: utc(a.reply_by),
        light: light(now, a.yellow_at.unwrap_or(a.reply_by), a.reply_by, finished),
        signed_on_time: a.signed_on_time,
        replied_on_time: a.replied_on_time,
        created_at: utc(a.created_at),
        signed_at: a.signed_at.map(utc),
        replied_at: a.replied_at.map(utc),
        returned_at: a.returned_at.map(utc),
        allowed_actions: Vec::new(),
    }
}

pub fn reply(r: &ReplyRow, unit: Option<&UnitRow>, masked: bool) -> Reply {
    Reply {
        id: r.id,
        petition_id: r.petition_id,
        assignment_id: r.assignment_id,
        unit: unit.map(unit_ref),
        body: if masked {
            mask_text(&r.body)
        } else {
            r.body.clone()
        },
        outcome: r.outcome,
        public: r.public,
        created_at: utc(r.created_at),
        photos: Vec::new(),
    }
}

/// Photos split into the petition's own and each reply's evidence; `public` leaves out what
/// moderation hid.
fn split_photos(
    rows: &[db::photos::PhotoRow],
    public: bool,
) -> (
    Vec<minhu_types::Photo>,
    HashMap<i64, Vec<minhu_types::Photo>>,
) {
    let mut own = Vec::new();
    let mut of_reply: HashMap<i64, Vec<minhu_types::Photo>> = HashMap::new();
    for f in rows.iter().filter(|f| !(public && f.hidden)) {
        match (f.reply_id, f.event_id) {
            (Some(r), _) => of_reply.entry(r).or_default().push(f.to_photo()),
            // A progress note's: on the timeline (`timeline`), not the petition's own.
            (None, Some(_)) => {}
            (None, None) => own.push(f.to_photo()),
        }
    }
    (own, of_reply)
}

pub fn visit(v: &VisitRow, masked: bool) -> Visit {
    Visit {
        id: v.id,
        kind: v.kind,
        satisfaction: v.satisfaction,
        resolved: v.resolved,
        contacted: v.contacted,
        comment: v
            .comment
            .as_deref()
            .map(|c| if masked { mask_text(c) } else { c.to_owned() }),
        created_at: utc(v.created_at),
    }
}

pub fn follow_up(f: &FollowUpRow) -> FollowUp {
    FollowUp {
        id: f.id,
        petition_id: f.petition_id,
        author: f.author.clone(),
        title: f.title.clone(),
        body: f.body.clone(),
        created_at: utc(f.created_at),
    }
}

pub fn event(e: &EventRow, unit: Option<&UnitRow>, masked: bool) -> Event {
    Event {
        id: e.id,
        action: e.action,
        actor_role: e.actor_role,
        actor_unit: unit.map(unit_ref),
        from_status: e
            .from_status
            .as_deref()
            .and_then(minhu_types::PetitionStatus::parse),
        to_status: e
            .to_status
            .as_deref()
            .and_then(minhu_types::PetitionStatus::parse),
        assignment_id: e.assignment_id,
        note: e
            .note
            .as_deref()
            .map(|n| if masked { mask_text(n) } else { n.to_owned() }),
        created_at: utc(e.created_at),
        photos: Vec::new(),
    }
}

/// Does this caller see the petition unmasked?
pub fn unmasked(actor: &Actor, p: &PetitionRow, acc: &Access) -> bool {
    sees_contact(
        actor.role(),
        acc.petitioner,
        acc.unit_on_live_order,
        p.anonymous,
    )
}

/// Whether the petition holds personal data that masking hides: contact details, an address
/// or coordinates, or phone numbers and the like in its text.
pub fn holds_personal_data(p: &PetitionRow) -> bool {
    p.contact_name.is_some()
        || p.contact_phone.is_some()
        || p.address.is_some()
        || p.latitude.is_some()
        || p.longitude.is_some()
        || mask_text(&p.title) != p.title
        || mask_text(&p.content) != p.content
}

/// Writes the audit log for petitions a view shows `actor` unmasked: every unmasked read of
/// personal data is logged, whichever view it was (`via`). Views call it for what they show
/// unmasked to anyone but the petitioner.
pub fn audit_unmasked<'a>(
    conn: &mut DbConn,
    actor: &Actor,
    petitions: impl IntoIterator<Item = &'a PetitionRow>,
    via: &'static str,
) -> AppResult<()> {
    let mut ids: Vec<i64> = petitions
        .into_iter()
        .filter(|p| holds_personal_data(p))
        .map(|p| p.id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(db::petitions::record_contact_reads(
        conn,
        &ids,
        actor.caller.user_id,
        actor.role().as_str(),
        via,
        actor.now,
    )?)
}

/// The petition's own fields, masked or not; no assignments, replies or actions.
pub fn summary(p: &PetitionRow, masked: bool, now: NaiveDateTime) -> Petition {
    let running = matches!(
        p.status,
        minhu_types::PetitionStatus::Dispatched | minhu_types::PetitionStatus::Handling
    );
    let hidden = masked && p.anonymous;
    let text = |s: &str| {
        if masked {
            mask_text(s)
        } else {
            s.to_owned()
        }
    };
    Petition {
        id: p.id,
        tracking_no: p.tracking_no.clone(),
        kind: p.kind,
        category_id: p.category_id,
        urgency: p.urgency,
        title: text(&p.title),
        content: text(&p.content),
        // Of an anonymous petitioner, those who see it masked get no name, phone or address.
        address: p.address.as_deref().filter(|_| !hidden).map(|a| {
            if masked {
                mask_address(a)
            } else {
                a.to_owned()
            }
        }),
        latitude: p
            .latitude
            .map(|c| if masked { blur_coordinate(c) } else { c }),
        longitude: p
            .longitude
            .map(|c| if masked { blur_coordinate(c) } else { c }),
        source: p.source,
        anonymous: p.anonymous,
        publish_consent: p.publish_consent,
        contact_name: p.contact_name.as_deref().filter(|_| !hidden).map(|n| {
            if masked {
                mask_name(n)
            } else {
                n.to_owned()
            }
        }),
        contact_phone: p.contact_phone.as_deref().filter(|_| !hidden).map(|n| {
            if masked {
                mask_phone(n)
            } else {
                n.to_owned()
            }
        }),
        status: p.status,
        version: p.version,
        redo_count: p.redo_count,
        supervised: p.supervised,
        merged_into_id: p.merged_into_id,
        reply_by: p.reply_by.map(utc),
        light: p
            .reply_by
            .filter(|_| running)
            .map(|due| light(now, p.yellow_at.unwrap_or(due), due, false)),
        auto_closed: p.auto_closed,
        unreasonable: p.unreasonable,
        appeal_state: p.appeal_state.clone(),
        typical: p.typical_at.is_some(),
        created_at: utc(p.created_at),
        updated_at: utc(p.updated_at),
        closed_at: p.closed_at.map(utc),
        masked,
        assignments: Vec::new(),
        replies: Vec::new(),
        visits: Vec::new(),
        allowed_actions: Vec::new(),
        photos: Vec::new(),
        can_add_photos: false,
        supporters: p.supporters,
        public_hidden: p.public_hidden,
        public_title: p.public_title.as_deref().map(text),
        public_content: p.public_content.as_deref().map(text),
    }
}

/// The full view of one petition for `actor`, writing the audit log when it shows contact
/// details to anyone but the petitioner.
pub fn detail(
    conn: &mut DbConn,
    actor: &Actor,
    p: &PetitionRow,
    acc: &Access,
) -> AppResult<Petition> {
    detail_from(conn, actor, p, acc, Attached::Unread)
}

/// [`detail`] with the petition's orders read already, and whether it has replies and photos
/// (with the petition, in one statement).
pub fn detail_with_orders(
    conn: &mut DbConn,
    actor: &Actor,
    p: &PetitionRow,
    acc: &Access,
    orders: db::petitions::Orders,
    holds: db::petitions::Holds,
) -> AppResult<Petition> {
    detail_from(conn, actor, p, acc, Attached::Orders(orders, holds))
}

/// What is known of a petition's attachments before its view is built.
enum Attached {
    /// Nothing: everything is read.
    Unread,
    /// Its orders, and whether it has replies and photos: those (and visits) are read only if
    /// there are some.
    Orders(db::petitions::Orders, db::petitions::Holds),
    /// Created in this request: nothing can be attached yet.
    New,
}

/// [`detail`] of a petition created in this request, before anything was attached to it: the
/// same view, without reading the orders, replies, visits and photos it cannot have yet.
pub fn detail_of_new(
    conn: &mut DbConn,
    actor: &Actor,
    p: &PetitionRow,
    acc: &Access,
) -> AppResult<Petition> {
    detail_from(conn, actor, p, acc, Attached::New)
}

fn detail_from(
    conn: &mut DbConn,
    actor: &Actor,
    p: &PetitionRow,
    acc: &Access,
    attached: Attached,
) -> AppResult<Petition> {
    let holds = match &attached {
        Attached::New => db::petitions::Holds {
            replies: false,
            photos: false,
        },
        Attached::Orders(_, holds) => *holds,
        Attached::Unread => db::petitions::Holds {
            replies: true,
            photos: true,
        },
    };
    let show = unmasked(actor, p, acc);
    if show && !acc.petitioner {
        audit_unmasked(conn, actor, [p], "detail")?;
    }
    let mut view = summary(p, !show, actor.now);
    let all = match attached {
        Attached::New => Vec::new(),
        Attached::Orders(orders, _) => orders,
        Attached::Unread => db::petitions::assignments_of(conn, p.id)?,
    };
    let status = p.status;
    let lead = has_lead(&all);

    // What the caller may do: petition-level actions, plus those on each assignment they relate to.
    let facts = petition_facts(p, actor.now);
    let mut actions = allowed_on_petition(
        Relations::of(actor.role(), acc.petitioner, acc.unit_on_order),
        status,
        lead,
        facts,
    );
    view.assignments = Vec::with_capacity(all.len());
    for (a, u) in &all {
        let relations = Relations::of(actor.role(), acc.petitioner, actor.covers(u));
        let below = relations.unit && db::units::has_units_below(conn, u.id)?;
        let s = Situation {
            status,
            has_lead: lead,
            assignment: Some(facts_of(a, below)),
            petition: facts,
        };
        let mut one = assignment(a, u, p, !show, actor.now);
        one.allowed_actions = allowed(relations, &s);
        for act in &one.allowed_actions {
            if !actions.contains(act) {
                actions.push(*act);
            }
        }
        view.assignments.push(one);
    }
    view.allowed_actions = actions;
    let replies = if holds.replies {
        db::petitions::replies_of(conn, &[p.id])?
    } else {
        Vec::new()
    };
    let unit_ids: Vec<i64> = replies.iter().filter_map(|r| r.unit_id).collect();
    let units = db::petitions::units_by_id(conn, &unit_ids)?;
    view.replies = replies
        .iter()
        .map(|r| {
            reply(
                r,
                r.unit_id.and_then(|id| units.iter().find(|u| u.id == id)),
                !show,
            )
        })
        .collect();
    // A visit (回访) follows a reply: the lifecycle allows it only on a replied petition, and
    // only a reply makes one replied. No replies, no visits to read.
    if !replies.is_empty() {
        view.visits = db::petitions::visits_of(conn, p.id)?
            .iter()
            .map(|v| visit(v, !show))
            .collect();
    }
    let photos = if holds.photos {
        db::photos::of_petitions(conn, &[p.id])?
    } else {
        Vec::new()
    };
    let (own, mut of_reply) = split_photos(&photos, false);
    view.photos = own;
    for r in &mut view.replies {
        r.photos = of_reply.remove(&r.id).unwrap_or_default();
    }
    view.can_add_photos = crate::domain::petitions::photo_rule(
        acc.petitioner,
        actor.role(),
        status,
        view.photos.len() as i64,
    )
    .is_ok();
    Ok(view)
}

/// The timeline as the caller may see it.
pub fn timeline(conn: &mut DbConn, p: &PetitionRow, masked: bool) -> AppResult<Vec<Event>> {
    let rows = db::petitions::events_of(conn, &[p.id])?;
    let ids: Vec<i64> = rows.iter().filter_map(|e| e.actor_unit_id).collect();
    let units = db::petitions::units_by_id(conn, &ids)?;
    let mut of_event: HashMap<i64, Vec<minhu_types::Photo>> = HashMap::new();
    for f in db::photos::of_progress_notes(conn, p.id)? {
        if let Some(e) = f.event_id {
            of_event.entry(e).or_default().push(f.to_photo());
        }
    }
    Ok(rows
        .iter()
        .map(|e| Event {
            photos: of_event.remove(&e.id).unwrap_or_default(),
            ..event(
                e,
                e.actor_unit_id
                    .and_then(|id| units.iter().find(|u| u.id == id)),
                masked,
            )
        })
        .collect())
}

/// The public page of a petition: masked, public replies only, no names of officials. Without
/// `publish_consent` only the progress shows (tracking by number), not what was written.
pub fn public(conn: &mut DbConn, p: &PetitionRow) -> AppResult<PublicPetition> {
    public_many(conn, std::slice::from_ref(p))?
        .pop()
        .ok_or_else(|| AppError::internal("public view of one petition came back empty"))
}

/// Public pages of several petitions (the feed, Open311 lists) in the same order, with a fixed
/// number of queries however many there are: primaries, replies, events, follow-ups, photos
/// and units each load once for all of them.
pub fn public_many(conn: &mut DbConn, rows: &[PetitionRow]) -> AppResult<Vec<PublicPetition>> {
    // A merged petition follows its primary.
    let primary_ids: Vec<i64> = rows.iter().filter_map(|p| p.merged_into_id).collect();
    let primaries = db::petitions::find_many(conn, &primary_ids)?;
    let progress_of = |p: &PetitionRow| match p.merged_into_id {
        Some(id) => primaries
            .iter()
            .find(|q| q.id == id)
            .cloned()
            .ok_or_else(|| {
                AppError::internal(format!("petition {} merged into missing {id}", p.id))
            }),
        None => Ok(p.clone()),
    };
    let progress: Vec<PetitionRow> = rows.iter().map(progress_of).collect::<AppResult<_>>()?;
    let all: Vec<i64> = progress.iter().map(|q| q.id).collect();
    // What was written shows only with consent; photos only once the petition is in the feed.
    // Replies and follow-ups of a merged petition are its primary's: they show only when the
    // primary's petitioner consented too (consent does not travel with a merge).
    let consenting: Vec<i64> = rows
        .iter()
        .zip(&progress)
        .filter(|(p, q)| {
            in_public_feed(p.status, p.publish_consent, p.public_hidden)
                && q.publish_consent
                && !q.public_hidden
        })
        .map(|(_, q)| q.id)
        .collect();
    let in_feed: Vec<i64> = rows
        .iter()
        .filter(|p| in_public_feed(p.status, p.publish_consent, p.public_hidden))
        .map(|p| p.id)
        .collect();
    let replies = grouped(db::petitions::replies_of(conn, &consenting)?, |r| {
        r.petition_id
    });
    let events = grouped(db::petitions::events_of(conn, &all)?, |e| e.petition_id);
    let follow_ups = grouped(db::petitions::follow_ups_of(conn, &consenting)?, |f| {
        f.petition_id
    });
    // The petitions' own photos, and the evidence on the replies shown (a merged petition's
    // are its primary's).
    let mut with_photos: Vec<i64> = in_feed.iter().chain(&consenting).copied().collect();
    with_photos.sort_unstable();
    with_photos.dedup();
    let all_photos = db::photos::of_petitions(conn, &with_photos)?;
    let (_, reply_photos) = split_photos(&all_photos, true);
    let photos = grouped(
        all_photos
            .into_iter()
            .filter(|f| f.reply_id.is_none() && f.event_id.is_none())
            .collect(),
        |f| f.petition_id,
    );
    let mut unit_ids: Vec<i64> = replies
        .values()
        .flatten()
        .filter_map(|r| r.unit_id)
        .collect();
    unit_ids.extend(events.values().flatten().filter_map(|e| e.actor_unit_id));
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let units: HashMap<i64, UnitRow> = db::petitions::units_by_id(conn, &unit_ids)?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let unit = |id: Option<i64>| id.and_then(|id| units.get(&id));
    Ok(rows
        .iter()
        .zip(&progress)
        .map(|(p, progress)| {
            // What was written shows only while the petition is published (consent, and past
            // triage, not refused or withdrawn); otherwise only its progress.
            let consent = in_public_feed(p.status, p.publish_consent, p.public_hidden);
            PublicPetition {
                id: p.id,
                supporters: p.supporters,
                tracking_no: p.tracking_no.clone(),
                kind: p.kind,
                category_id: p.category_id,
                // The editors' public version when there is one, masked all the same.
                title: if consent {
                    mask_text(p.public_title.as_deref().unwrap_or(&p.title))
                } else {
                    "（未公开）".to_owned()
                },
                content: if consent {
                    mask_text(p.public_content.as_deref().unwrap_or(&p.content))
                } else {
                    String::new()
                },
                address: if consent && !p.anonymous {
                    p.address.as_deref().map(mask_address)
                } else {
                    None
                },
                status: progress.status,
                created_at: utc(p.created_at),
                closed_at: progress.closed_at.map(utc),
                replies: of(&replies, progress.id)
                    .iter()
                    .filter(|_| consent && progress.publish_consent)
                    .filter(|r| r.public)
                    .map(|r| Reply {
                        photos: reply_photos.get(&r.id).cloned().unwrap_or_default(),
                        ..reply(r, unit(r.unit_id), true)
                    })
                    .collect(),
                follow_ups: of(&follow_ups, progress.id)
                    .iter()
                    .filter(|_| consent && progress.publish_consent)
                    .map(follow_up)
                    .collect(),
                photos: of(&photos, p.id)
                    .iter()
                    .filter(|f| !f.hidden)
                    .map(db::photos::PhotoRow::to_photo)
                    .collect(),
                timeline: of(&events, progress.id)
                    .iter()
                    .filter(|e| e.to_status.is_some())
                    .map(|e| PublicEvent {
                        action: e.action,
                        to_status: e
                            .to_status
                            .as_deref()
                            .and_then(minhu_types::PetitionStatus::parse),
                        unit: unit(e.actor_unit_id).map(|u| u.name.clone()),
                        created_at: utc(e.created_at),
                    })
                    .collect(),
            }
        })
        .collect())
}

/// One petition's rows of a [`grouped`] map (none when it has none).
fn of<T>(map: &HashMap<i64, Vec<T>>, id: i64) -> &[T] {
    map.get(&id).map_or(&[], Vec::as_slice)
}

/// Rows of several petitions, by petition id (each group keeps the query's order).
fn grouped<T>(rows: Vec<T>, key: impl Fn(&T) -> i64) -> HashMap<i64, Vec<T>> {
    let mut map: HashMap<i64, Vec<T>> = HashMap::new();
    for row in rows {
        map.entry(key(&row)).or_default().push(row);
    }
    map
}

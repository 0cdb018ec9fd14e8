//! Submitting a petition: the one path by which a petition comes into being, whoever brings it
//! (a citizen, a partner, a partner through Open311).

use minhu_types::{Action, NewPetition, PetitionStatus, Role, Source};

use crate::db::petitions::NewPetitionRow;
use crate::db::{self, transaction, DbConn};
use crate::domain::petitions::tracking_day;
use crate::error::{AppError, AppResult};
use crate::workflow::{record, Actor};

/// What a submission produced.
pub struct Submitted {
    pub id: i64,
    /// `false` for a petition created earlier under the same idempotency key.
    pub fresh: bool,
    /// The petition as this submission stored it, when nothing has changed it since (not for
    /// a replay, nor for a call the hotline office accepted in the same step).
    pub stored: Option<db::petitions::PetitionRow>,
}

/// Creates a petition for the actor from a checked body: the petition, its masked search text
/// and repeat-index entry, its first event, the day's figures and the idempotency key, in one
/// transaction.
pub fn submit(
    conn: &mut DbConn,
    actor: &Actor,
    body: &NewPetition,
    key: Option<&str>,
    source: Source,
) -> AppResult<Submitted> {
    let earlier = |id| Submitted {
        id,
        fresh: false,
        stored: None,
    };
    let caller = &actor.caller;
    let day = tracking_day(db::utc(actor.now));
    // On PostgreSQL the number is drawn first, outside the transaction (one statement, no
    // lock: `db::petitions::next_tracking_no`), so a retry with a known key draws none and a
    // submission that then fails leaves a gap in the day's numbers, as a sequence does.
    let mut drawn = None;
    if matches!(conn, DbConn::Pg(_)) {
        if let Some(existing) = key
            .map(|k| db::petitions::find_idempotent(conn, caller.user_id, k))
            .transpose()?
            .flatten()
        {
            return Ok(earlier(existing));
        }
        drawn = Some(db::petitions::next_tracking_no(conn, &day)?);
    }
    let created = transaction(conn, |conn| {
        let now = actor.now;
        // On SQLite the counter upsert is the first statement: it takes the write lock, so
        // the idempotency check below sees every committed submission.
        let (tracking_no, key_checked) = match drawn.take() {
            Some(no) => (no, true),
            None => (db::petitions::next_tracking_no(conn, &day)?, false),
        };
        // On PostgreSQL the key was looked up before drawing; one stored since then makes the
        // key's insert below fail, and the winner is read after the rollback.
        if let Some(k) = key.filter(|_| !key_checked) {
            if let Some(existing) = db::petitions::find_idempotent(conn, caller.user_id, k)? {
                return Ok(Err(existing));
            }
        }
        // The caller's name and phone (a citizen's defaults), how they are reached (the
        // submitter's messages, when they are the submitter) and whether the category exists,
        // in one statement.
        let (display_name, reach, category_exists) =
            db::users::contact_and_category(conn, caller.user_id, body.category_id)?;
        if !category_exists {
            return Err(AppError::invalid_field(
                "category_id",
                format!("分类 {} 不存在", body.category_id),
            ));
        }
        // A call the hotline office registers belongs to no person's account: to the system
        // account, so nobody acts on it as its petitioner (the caller is reached by phone).
        let submitter_id = if caller.role == Role::Operator {
            db::users::system_id(conn)?
        } else {
            caller.user_id
        };
        let partner_id = if caller.role == Role::Partner {
            db::partners::id_of_user(conn, caller.user_id)?
        } else {
            None
        };
        let contact_name =
            body.contact_name
                .as_deref()
                .map(str::trim)
                .or(if caller.role == Role::Citizen {
                    Some(display_name.as_str())
                } else {
                    None
                });
        let contact_phone = body.contact_phone.as_deref().map(str::trim).or(reach
            .phone
            .as_deref()
            .filter(|_| caller.role == Role::Citizen));
        let stored = db::petitions::insert(
            conn,
            &NewPetitionRow {
                tracking_no: &tracking_no,
                kind: body.kind.as_str(),
                category_id: body.category_id,
                urgency: body.urgency.as_str(),
                title: body.title.trim(),
                content: body.content.trim(),
                address: body.address.as_deref().map(str::trim),
                latitude: body.latitude,
                longitude: body.longitude,
                source: source.as_str(),
                partner_id,
                submitter_id,
                contact_name,
                contact_phone,
                anonymous: body.anonymous,
                publish_consent: body.publish_consent,
                status: PetitionStatus::Submitted.as_str(),
                version: 1,
                redo_count: 0,
                supervised: false,
                created_at: now,
                updated_at: now,
            },
        )?;
        let id = stored.id;
        db::figures::counted(conn, |conn, tally| {
            record(
                conn,
                actor,
                id,
                Some(crate::notifications::About::of(&stored, Some(reach))),
                Action::Submit,
                None,
                Some(PetitionStatus::Submitted),
                None,
                None,
                now,
                tally,
            )?;
            if let Some(k) = key {
                db::petitions::insert_idempotent(conn, caller.user_id, k, id, now)?;
            }
            tally.petition(&stored, PetitionStatus::Submitted.as_str(), 1);
            AppResult::Ok(())
        })?;
        Ok(Ok(stored))
    });
    let stored = match created {
        Err(e)
            if e.internal
                .as_deref()
                .is_some_and(|m| m.contains("idempotency_keys")) =>
        {
            // Two requests with one key raced on PostgreSQL: the other one won.
            let k = key.unwrap_or_default();
            return Ok(earlier(
                db::petitions::find_idempotent(conn, caller.user_id, k)?.ok_or(e)?,
            ));
        }
        Err(e) => return Err(e),
        Ok(Err(existing)) => return Ok(earlier(existing)),
        Ok(Ok(stored)) => stored,
    };
    let id = stored.id;
    if body.accept && caller.role == Role::Operator {
        // Submitted and accepted in one step; the catalogue may dispatch it at once.
        crate::workflow::act(
            conn,
            actor,
            id,
            None,
            Action::Accept,
            crate::workflow::Target::Petition,
            |_, _| Ok(crate::workflow::Effect::default()),
        )?;
        crate::workflow::orders::auto_dispatch(conn, actor, id)?;
        return Ok(Submitted {
            id,
            fresh: true,
            stored: None,
        });
    }
    Ok(Submitted {
        id,
        fresh: true,
        stored: Some(stored),
    })
}

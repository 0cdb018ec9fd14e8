//! Moderation: which photos the public does not see, and readers' reports (举报) in the
//! editors' queue.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{moderation_reports as mr, petitions, photos};
use super::{DbConn, Paging};

/// Hides exactly `hidden` of the petition's photos from the public; false when one of them is
/// not the petition's.
pub fn set_hidden_photos(conn: &mut DbConn, petition_id: i64, hidden: &[i64]) -> QueryResult<bool> {
    let own: Vec<i64> = photos::table
        .filter(photos::petition_id.eq(petition_id))
        .select(photos::id)
        .load(conn)?;
    if hidden.iter().any(|h| !own.contains(h)) {
        return Ok(false);
    }
    diesel::update(photos::table.filter(photos::petition_id.eq(petition_id)))
        .set(photos::hidden.eq(false))
        .execute(conn)?;
    diesel::update(photos::table.filter(photos::id.eq_any(hidden)))
        .set(photos::hidden.eq(true))
        .execute(conn)?;
    Ok(true)
}

pub fn report(
    conn: &mut DbConn,
    petition_id: i64,
    reporter_id: i64,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(mr::table)
        .values((
            mr::petition_id.eq(petition_id),
            mr::reporter_id.eq(reporter_id),
            mr::reason.eq(reason),
            mr::created_at.eq(now),
        ))
        .returning(mr::id)
        .get_result(conn)
}

/// A decision on the petition settles its open reports.
pub fn resolve(conn: &mut DbConn, petition_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        mr::table
            .filter(mr::petition_id.eq(petition_id))
            .filter(mr::resolved_at.is_null()),
    )
    .set(mr::resolved_at.eq(Some(now)))
    .execute(conn)
}

/// A report with its petition's tracking number and what the public sees as its title (the
/// public version or the original).
pub type ReportRow = (
    i64,
    i64,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    String,
    String,
    Option<String>,
);

/// The queue: open reports only, or all; newest first.
pub fn reports(
    conn: &mut DbConn,
    open_only: bool,
    paging: Paging,
) -> QueryResult<(Vec<ReportRow>, i64)> {
    let query = || {
        let mut q = mr::table.inner_join(petitions::table).into_boxed();
        if open_only {
            q = q.filter(mr::resolved_at.is_null());
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .order(mr::id.desc())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((
            mr::id,
            mr::petition_id,
            mr::reason,
            mr::created_at,
            mr::resolved_at,
            petitions::tracking_no,
            petitions::title,
            petitions::public_title,
        ))
        .load(conn)?;
    Ok((items, total))
}

//! Petitions' photos: one row per photo, the bytes in the photo store under `object_key`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use minhu_types::Photo;

use super::schema::photos;
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = photos)]
pub struct PhotoRow {
    pub id: i64,
    pub petition_id: i64,
    pub uploader_id: i64,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub object_key: String,
    pub thumb_key: String,
    pub created_at: NaiveDateTime,
    pub hidden: bool,
    /// A unit's evidence on its reply; `None`: the petition's own photo.
    pub reply_id: Option<i64>,
    /// A unit's photo of the work on its progress note (an event of the timeline).
    pub event_id: Option<i64>,
}

impl PhotoRow {
    pub fn to_photo(&self) -> Photo {
        Photo {
            id: self.id,
            content_type: self.content_type.clone(),
            width: self.width,
            height: self.height,
            hidden: self.hidden,
        }
    }
}

pub struct NewPhotoRow<'a> {
    pub petition_id: i64,
    pub uploader_id: i64,
    pub content_type: &'a str,
    pub width: i32,
    pub height: i32,
    pub object_key: &'a str,
    pub thumb_key: &'a str,
    pub now: NaiveDateTime,
    pub reply_id: Option<i64>,
    pub event_id: Option<i64>,
}

pub fn insert(conn: &mut DbConn, p: &NewPhotoRow<'_>) -> QueryResult<PhotoRow> {
    diesel::insert_into(photos::table)
        .values((
            photos::petition_id.eq(p.petition_id),
            photos::uploader_id.eq(p.uploader_id),
            photos::content_type.eq(p.content_type),
            photos::width.eq(p.width),
            photos::height.eq(p.height),
            photos::object_key.eq(p.object_key),
            photos::thumb_key.eq(p.thumb_key),
            photos::created_at.eq(p.now),
            photos::reply_id.eq(p.reply_id),
            photos::event_id.eq(p.event_id),
        ))
        .returning(photos::all_columns)
        .get_result(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<PhotoRow> {
    photos::table
        .find(id)
        .select(PhotoRow::as_select())
        .first(conn)
}

/// The photos of these petitions, by petition then in upload order.
pub fn of_petitions(conn: &mut DbConn, petition_ids: &[i64]) -> QueryResult<Vec<PhotoRow>> {
    if petition_ids.is_empty() {
        return Ok(Vec::new());
    }
    crate::per_backend!(conn, |c| photos::table
        .filter(super::one_of(photos::petition_id, petition_ids))
        .order((photos::petition_id.asc(), photos::id.asc()))
        .select(PhotoRow::as_select())
        .load(c))
}

/// The photos on the petition's progress notes, in upload order.
pub fn of_progress_notes(conn: &mut DbConn, petition_id: i64) -> QueryResult<Vec<PhotoRow>> {
    photos::table
        .filter(photos::petition_id.eq(petition_id))
        .filter(photos::event_id.is_not_null())
        .order(photos::id.asc())
        .select(PhotoRow::as_select())
        .load(conn)
}

/// The petition's own photos (not its replies' or progress notes' evidence).
pub fn count(conn: &mut DbConn, petition_id: i64) -> QueryResult<i64> {
    photos::table
        .filter(photos::petition_id.eq(petition_id))
        .filter(photos::reply_id.is_null())
        .filter(photos::event_id.is_null())
        .count()
        .get_result(conn)
}

/// A reply's evidence photos.
pub fn count_of_reply(conn: &mut DbConn, reply_id: i64) -> QueryResult<i64> {
    photos::table
        .filter(photos::reply_id.eq(reply_id))
        .count()
        .get_result(conn)
}

/// A progress note's photos.
pub fn count_of_event(conn: &mut DbConn, event_id: i64) -> QueryResult<i64> {
    photos::table
        .filter(photos::event_id.eq(event_id))
        .count()
        .get_result(conn)
}

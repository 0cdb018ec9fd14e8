//! Photos of a petition: the petitioner (or the hotline office taking a call) adds them, up to
//! nine; whoever may see the petition sees them, the public only with `publish_consent`.

use actix_multipart::{Multipart, MultipartError};
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use diesel::OptionalExtension;
use futures_util::StreamExt;
use minhu_types::{Photo, PhotoQuery, PhotoSize, Problem};

use crate::db::{self, photos::NewPhotoRow, DbConn};
use crate::domain::privacy::in_public_feed;
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Anyone, Auth, Caller, MaybeAuth};
use crate::http::query::Query;
use crate::http::{transaction, AppState};
use crate::photos::{self, Refusal, MAX_BYTES, MAX_PER_PETITION};
use crate::workflow::{access, not_found, Actor};

/// Whether `actor` may add a photo to the petition now (under its lock when in a transaction).
fn may_add(conn: &mut DbConn, actor: &Actor, row: &db::petitions::PetitionRow) -> AppResult<()> {
    use crate::domain::petitions::{photo_rule, PhotoRefusal};
    let acc = access(conn, actor, row)?;
    let n = db::photos::count(conn, row.id)?;
    match photo_rule(acc.petitioner, actor.role(), row.status, n) {
        Ok(()) => Ok(()),
        Err(PhotoRefusal::NotYours) => {
            Err(AppError::forbidden("只有诉求人和热线办可以为诉求添加照片"))
        }
        Err(PhotoRefusal::Ended) => Err(AppError::conflict(
            "invalid_transition",
            format!("诉求已{}，不能再添加照片", row.status.label()),
        )),
        Err(PhotoRefusal::Full(n)) => Err(AppError::conflict(
            "too_many_photos",
            format!("每件诉求最多 {MAX_PER_PETITION} 张照片，已有 {n} 张"),
        )),
    }
}

fn multipart_error(e: MultipartError) -> AppError {
    match e {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible => AppError::unsupported_media_type(
            "请以 multipart/form-data 上传照片，文件放在字段 file 中",
        ),
        other => AppError::bad_request(
            "malformed_multipart",
            format!("multipart/form-data 请求体格式错误：{other}"),
        ),
    }
}

fn too_large() -> AppError {
    AppError::payload_too_large(format!("照片不能超过 {} MB", MAX_BYTES / (1024 * 1024)))
}

/// The bytes of the first part named `file`; other parts are skipped (within the same limit).
async fn read_file(mut parts: Multipart) -> AppResult<Vec<u8>> {
    let mut skipped = 0_usize;
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(multipart_error)?;
        let wanted = part.name() == Some("file");
        let mut buf = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(multipart_error)?;
            if wanted {
                if buf.len() + chunk.len() > MAX_BYTES {
                    return Err(too_large());
                }
                buf.extend_from_slice(&chunk);
            } else {
                skipped += chunk.len();
                if skipped > MAX_BYTES {
                    return Err(too_large());
                }
            }
        }
        if wanted {
            return Ok(buf);
        }
    }
    Err(AppError::invalid_field(
        "file",
        "缺少照片：请在 multipart/form-data 的字段 file 中上传 JPEG、PNG 或 WebP 图片",
    ))
}

fn refused(r: Refusal) -> AppError {
    let message = r.to_string();
    match r {
        Refusal::NotAnImage => AppError::unsupported_media_type(message),
        Refusal::TooManyPixels { .. } => AppError::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            "image_too_large",
            message,
        ),
        Refusal::Broken(_) => AppError::invalid_field("file", message),
    }
}

fn storage_failed(e: object_store::Error) -> AppError {
    AppError::unavailable("照片存储暂时不可用，请稍后重试").with_cause(e)
}

/// Add a photo (JPEG, PNG or WebP, at most 10 MB, at most 9 per petition). The type is read
/// from the bytes; the image is re-encoded without its metadata (EXIF and GPS positions are
/// dropped), turned upright, and given a thumbnail.
#[utoipa::path(
    post, path = "/api/v1/petitions/{id}/photos", tag = "petitions", operation_id = "upload_photo",
    params(("id" = i64, Path, description = "Petition id")),
    request_body(content = minhu_types::PhotoUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = Photo),
        (status = 400, description = "Malformed multipart body", body = Problem),
        (status = 401, description = "No or bad token", body = Problem),
        (status = 403, description = "Only the petitioner and the hotline office add photos", body = Problem),
        (status = 404, description = "No such petition, or not yours", body = Problem),
        (status = 409, description = "Nine photos already, or the petition has ended", body = Problem),
        (status = 413, description = "Over 10 MB, or more pixels than a photo has", body = Problem),
        (status = 415, description = "Not multipart, or not a JPEG, PNG or WebP image", body = Problem),
        (status = 422, description = "No `file` part, or an image that does not decode", body = Problem),
    )
)]
pub async fn upload(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<i64>,
    parts: Multipart,
) -> AppResult<HttpResponse> {
    store(state, auth.0, Attach::Petition(id.into_inner()), parts).await
}

/// Add a photo of the work done (before and after) to a reply: the replying unit (a handler of
/// its unit or of one above it), as petition photos are checked and stored; public replies show
/// them.
#[utoipa::path(
    post, path = "/api/v1/replies/{id}/photos", tag = "petitions", operation_id = "upload_reply_photo",
    params(("id" = i64, Path, description = "Reply id")),
    request_body(content = minhu_types::PhotoUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = Photo),
        (status = 400, description = "Malformed multipart body", body = Problem),
        (status = 403, description = "Only the replying unit adds evidence", body = Problem),
        (status = 404, description = "No such reply, or not visible to the caller", body = Problem),
        (status = 409, description = "Nine photos already, or the petition has ended", body = Problem),
        (status = 413, description = "Over 10 MB, or more pixels than a photo has", body = Problem),
        (status = 415, description = "Not multipart, or not a JPEG, PNG or WebP image", body = Problem),
        (status = 422, description = "No `file` part, or an image that does not decode", body = Problem),
    )
)]
pub async fn upload_to_reply(
    state: web::Data<AppState>,
    auth: Auth<crate::http::extract::Handlers>,
    id: web::Path<i64>,
    parts: Multipart,
) -> AppResult<HttpResponse> {
    store(state, auth.0, Attach::Reply(id.into_inner()), parts).await
}

/// Add a photo of the work to a progress note (办理进展, before and after): the unit that
/// noted it (a handler of its unit or of one above it), as petition photos are checked and
/// stored; nine per note. Progress notes are for those who may see the petition, and so are
/// their photos.
#[utoipa::path(
    post, path = "/api/v1/events/{id}/photos", tag = "petitions", operation_id = "upload_progress_photo",
    params(("id" = i64, Path, description = "The progress note's event id (timeline)")),
    request_body(content = minhu_types::PhotoUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = Photo),
        (status = 400, description = "Malformed multipart body", body = Problem),
        (status = 403, description = "Only the unit that noted the progress adds its photos", body = Problem),
        (status = 404, description = "No such event, or not visible to the caller", body = Problem),
        (status = 409, description = "Nine photos already, or the petition has ended", body = Problem),
        (status = 413, description = "Over 10 MB, or more pixels than a photo has", body = Problem),
        (status = 415, description = "Not multipart, or not a JPEG, PNG or WebP image", body = Problem),
        (status = 422, description = "Not a progress note, no `file` part, or an image that does not decode", body = Problem),
    )
)]
pub async fn upload_to_progress(
    state: web::Data<AppState>,
    auth: Auth<crate::http::extract::Handlers>,
    id: web::Path<i64>,
    parts: Multipart,
) -> AppResult<HttpResponse> {
    store(state, auth.0, Attach::Progress(id.into_inner()), parts).await
}

/// What an upload is attached to.
#[derive(Debug, Clone, Copy)]
enum Attach {
    Petition(i64),
    Reply(i64),
    /// A progress note: an event of the timeline.
    Progress(i64),
}

/// Photos attached to: (petition, reply, progress note).
type Attached = (i64, Option<i64>, Option<i64>);

/// A unit's evidence (a reply's or a progress note's) may be added by its unit while the
/// petition is open, nine to each.
fn unit_may_add(
    actor: &Actor,
    unit: Option<&db::units::UnitRow>,
    row: &db::petitions::PetitionRow,
    already: i64,
    what: &str,
) -> AppResult<()> {
    if !unit.is_some_and(|u| actor.covers(u)) {
        return Err(AppError::forbidden(format!(
            "只有{what}的承办单位可以添加办理照片"
        )));
    }
    if row.status.has_ended() {
        return Err(AppError::conflict(
            "invalid_transition",
            format!("诉求已{}，不能再添加照片", row.status.label()),
        ));
    }
    if already >= MAX_PER_PETITION as i64 {
        return Err(AppError::conflict(
            "too_many_photos",
            format!("每条{what}最多 {MAX_PER_PETITION} 张照片，已有 {already} 张"),
        ));
    }
    Ok(())
}

/// Whether `actor` may attach a photo now; answers the petition (locked when `lock`) and the
/// reply it goes with.
fn may_attach(conn: &mut DbConn, actor: &Actor, to: Attach, lock: bool) -> AppResult<Attached> {
    let petition = |conn: &mut DbConn, id: i64| {
        if lock {
            db::petitions::lock(conn, id)
        } else {
            db::petitions::find(conn, id)
        }
        .optional()?
        .ok_or_else(not_found)
    };
    match to {
        Attach::Petition(id) => {
            let row = petition(conn, id)?;
            may_add(conn, actor, &row)?;
            Ok((id, None, None))
        }
        Attach::Reply(rid) => {
            let no_reply = || AppError::not_found("答复不存在，或您无权查看");
            let reply = db::petitions::find_reply(conn, rid)
                .optional()?
                .ok_or_else(no_reply)?;
            let row = petition(conn, reply.petition_id)?;
            access(conn, actor, &row).map_err(|_| no_reply())?;
            let unit = match reply.unit_id {
                Some(u) => Some(db::units::find(conn, u)?),
                None => None,
            };
            let n = db::photos::count_of_reply(conn, rid)?;
            unit_may_add(actor, unit.as_ref(), &row, n, "答复")?;
            Ok((row.id, Some(rid), None))
        }
        Attach::Progress(eid) => {
            let no_event = || AppError::not_found("办理进展不存在，或您无权查看");
            let event = db::petitions::find_event(conn, eid)
                .optional()?
                .ok_or_else(no_event)?;
            let row = petition(conn, event.petition_id)?;
            access(conn, actor, &row).map_err(|_| no_event())?;
            if event.action != minhu_types::Action::Progress {
                return Err(AppError::invalid_field(
                    "id",
                    "只能给办理进展添加照片（答复的照片请加在答复上）",
                ));
            }
            let unit = match event.actor_unit_id {
                Some(u) => Some(db::units::find(conn, u)?),
                None => None,
            };
            let n = db::photos::count_of_event(conn, eid)?;
            unit_may_add(actor, unit.as_ref(), &row, n, "办理进展")?;
            Ok((row.id, None, Some(eid)))
        }
    }
}

/// Checks, reads, re-encodes and stores one photo, then records it if it may still be added.
async fn store(
    state: web::Data<AppState>,
    caller: Caller,
    to: Attach,
    parts: Multipart,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let checker = caller.clone();
    let (id, _, _) = state
        .db(move |conn| {
            let actor = Actor::of(checker, now);
            may_attach(conn, &actor, to, false)
        })
        .await?;
    let bytes = read_file(parts).await?;
    let processed = web::block(move || photos::process(&bytes))
        .await
        .map_err(AppError::internal)?
        .map_err(refused)?;

    let (content_type, width, height) = (
        processed.content_type(),
        processed.width as i32,
        processed.height as i32,
    );
    let token = crate::config::random_hex(16);
    let (key, thumb_key) = photos::keys(id, &token, processed.extension());
    let store = state.photos.clone();
    store
        .put(&key, processed.image)
        .await
        .map_err(storage_failed)?;
    if let Err(e) = store.put(&thumb_key, processed.thumbnail).await {
        let _ = store.delete(&key).await;
        return Err(storage_failed(e));
    }
    let (k, tk) = (key.clone(), thumb_key.clone());
    let saved = state
        .db(move |conn| {
            transaction(conn, |conn| {
                let actor = Actor::of(caller.clone(), now);
                // Again under the petition's lock: two uploads at once cannot make ten.
                let (id, reply_id, event_id) = may_attach(conn, &actor, to, true)?;
                Ok(db::photos::insert(
                    conn,
                    &NewPhotoRow {
                        petition_id: id,
                        uploader_id: caller.user_id,
                        content_type,
                        width,
                        height,
                        object_key: &k,
                        thumb_key: &tk,
                        now,
                        reply_id,
                        event_id,
                    },
                )?)
            })
        })
        .await;
    match saved {
        Ok(row) => Ok(HttpResponse::Created().json(row.to_photo())),
        Err(e) => {
            // Nothing half-written: the files go with the refused row.
            let _ = store.delete(&key).await;
            let _ = store.delete(&thumb_key).await;
            Err(e)
        }
    }
}

/// A photo, or its thumbnail (`?size=thumb`, JPEG at most 320 px): to whoever may see the
/// petition; without a token only when the petition is in the public feed (published with
/// the petitioner's consent and past triage).
#[utoipa::path(
    get, path = "/api/v1/photos/{id}", tag = "petitions", operation_id = "get_photo",
    params(("id" = i64, Path, description = "Photo id"), PhotoQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The image", content(
            (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"), (Vec<u8> = "image/webp"))),
        (status = 400, description = "Bad query (`size` is `full` or `thumb`)", body = Problem),
        (status = 401, description = "Bad token", body = Problem),
        (status = 404, description = "No such photo, or not visible to you", body = Problem),
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    auth: MaybeAuth,
    id: web::Path<i64>,
    q: Query<PhotoQuery>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let now = state.clock.now();
    let gone = || AppError::not_found("照片不存在，或您无权查看");
    let (photo, public) = state
        .db(move |conn| {
            let photo = db::photos::find(conn, id).optional()?.ok_or_else(gone)?;
            let row = db::petitions::find(conn, photo.petition_id)?;
            // A photo hidden by moderation, or of a progress note (not on the public page), is
            // for those who may see the petition itself.
            let public = in_public_feed(row.status, row.publish_consent, row.public_hidden)
                && !photo.hidden
                && photo.event_id.is_none();
            if !public {
                let caller = auth.0.ok_or_else(gone)?;
                let actor = Actor::of(caller, now);
                access(conn, &actor, &row).map_err(|_| gone())?;
            }
            Ok((photo, public))
        })
        .await?;
    let (key, content_type) = match q.size.unwrap_or_default() {
        PhotoSize::Full => (photo.object_key, photo.content_type),
        PhotoSize::Thumb => (photo.thumb_key, "image/jpeg".to_owned()),
    };
    let bytes = state.photos.get(&key).await.map_err(|e| match e {
        object_store::Error::NotFound { .. } => AppError::not_found("照片文件已丢失").with_cause(e),
        other => storage_failed(other),
    })?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CACHE_CONTROL,
            if public {
                "public, max-age=3600"
            } else {
                "private, max-age=3600"
            },
        ))
        .body(bytes))
}

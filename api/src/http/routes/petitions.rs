//! Petitions: submission, reads, and every action of the hotline office, the petitioner and
//! the press. Unit-side actions on assignments are in `assignments`.

use crate::http::extract::{Operators, Reporters, Submitters, Supervising};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::OptionalExtension;
use minhu_types::{
    Action, AssignmentRole, DecisionBody, DispatchBody, Event, FollowUp, Light, MergeBody,
    NewFollowUp, NewPetition, NoteBody, Page, Petition, PetitionKind, PetitionStatus, Problem,
    RatingBody, ReasonBody, Reply, ReplyBody, Role, Source, SupplementBody, Urgency, VersionBody,
    Visit, VisitKind,
};

use crate::db::petitions::{
    AssignmentChanges, NewAssignmentRow, NewPetitionRow, NewReplyRow, NewVisitRow, PetitionChanges,
    PetitionFilter, Scope,
};
use crate::db::{self, DbConn};
use crate::domain::petitions::{tracking_day, validate_new, validate_text, MAX_CONTENT};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Anyone, Auth, Caller, PageQuery};
use crate::http::json::{Json, OptionalJson};
use crate::http::{transaction, AppState};
use crate::views;
use crate::workflow::{access, act, deadlines_for, not_found, record, Actor, Effect, Target};

const MAX_NOTE: usize = 1_000;

fn check_text(field: &str, value: &str, max: usize) -> AppResult<()> {
    validate_text(field, value, max).map_err(AppError::validation)
}

/// Loads the actor, runs `f` with it: the shape of every handler here.
async fn with_actor<T: Send + 'static>(
    state: &AppState,
    caller: crate::http::extract::Caller,
    f: impl FnOnce(&mut DbConn, &Actor) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    let now = state.clock.now();
    state
        .db(move |conn| {
            let actor = Actor::load(conn, caller, now)?;
            f(conn, &actor)
        })
        .await
}

/// The petition as the actor sees it after an action.
fn detail_of(conn: &mut DbConn, actor: &Actor, id: i64) -> AppResult<Petition> {
    let row = db::petitions::find(conn, id)?;
    let acc = access(conn, actor, &row)?;
    views::detail(conn, actor, &row, &acc)
}

const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// Submit a petition.
///
/// With an `Idempotency-Key` header (1–100 visible ASCII characters), a retry with the same key
/// returns the first petition and creates nothing new.
#[utoipa::path(
    post, path = "/api/v1/petitions", tag = "petitions", operation_id = "create_petition",
    request_body = NewPetition,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key returns the first result")),
    security(("bearer" = [])),
    responses((status = 201, description = "The new petition (or, for a repeated Idempotency-Key, the first one)", body = Petition))
)]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth<Submitters>,
    req: HttpRequest,
    Json(body): Json<NewPetition>,
) -> AppResult<HttpResponse> {
    validate_new(&body).map_err(AppError::validation)?;
    let key = match req.headers().get(IDEMPOTENCY_HEADER) {
        None => None,
        Some(v) => {
            let k = v.to_str().ok().filter(|k| {
                (1..=100).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic())
            });
            Some(
                k.ok_or_else(|| {
                    AppError::bad_request(
                        "invalid_idempotency_key",
                        "Idempotency-Key 须为 1–100 个可见 ASCII 字符",
                    )
                })?
                .to_owned(),
            )
        }
    };
    let source = match (auth.role, body.source) {
        (Role::Partner, _) => Source::Partner,
        (_, None) => Source::App,
        (_, Some(s @ (Source::App | Source::Web | Source::Phone | Source::Wechat))) => s,
        (_, Some(other)) => {
            return Err(AppError::invalid_field(
                "source",
                format!("市民提交的来源不能是 {}", other.as_str()),
            ))
        }
    };
    let (petition, fresh) = submit(&state, auth.0, body, key, source).await?;
    let mut res = HttpResponse::Created();
    if !fresh {
        res.insert_header(("idempotent-replayed", "true"));
    }
    Ok(res.json(petition))
}

/// Creates a petition for `caller` (a citizen, a partner, or a partner through Open311) from a
/// checked body: the petition, its first event, the day's figures and the idempotency key in
/// one transaction. `false` with a petition created earlier under the same key.
pub async fn submit(
    state: &AppState,
    caller: Caller,
    body: NewPetition,
    key: Option<String>,
    source: Source,
) -> AppResult<(Petition, bool)> {
    with_actor(state, caller, move |conn, actor| {
        let created = transaction(conn, |conn| {
            let now = actor.now;
            // The counter upsert is the first statement: on SQLite it takes the write lock, so
            // the idempotency check below sees every committed submission.
            let tracking_no = db::petitions::next_tracking_no(conn, &tracking_day(db::utc(now)))?;
            if let Some(k) = &key {
                if let Some(existing) = db::petitions::find_idempotent(conn, caller.user_id, k)? {
                    return Ok((existing, false));
                }
            }
            db::categories::find(conn, body.category_id)
                .optional()?
                .ok_or_else(|| {
                    AppError::invalid_field(
                        "category_id",
                        format!("分类 {} 不存在", body.category_id),
                    )
                })?;
            let me = db::users::find(conn, caller.user_id)?;
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
                        Some(me.display_name.as_str())
                    } else {
                        None
                    });
            let contact_phone = body
                .contact_phone
                .as_deref()
                .map(str::trim)
                .or(me.phone.as_deref());
            let id = db::petitions::insert(
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
                    submitter_id: caller.user_id,
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
            db::duplicates::add(
                conn,
                id,
                body.category_id,
                body.title.trim(),
                body.content.trim(),
            )?;
            record(
                conn,
                actor,
                id,
                Action::Submit,
                None,
                Some(PetitionStatus::Submitted),
                None,
                None,
                now,
            )?;
            if let Some(k) = &key {
                db::petitions::insert_idempotent(conn, caller.user_id, k, id, now)?;
            }
            db::figures::bump(
                conn,
                crate::domain::calendar::local_date(now),
                body.kind.as_str(),
                body.category_id,
                source.as_str(),
                PetitionStatus::Submitted.as_str(),
                1,
            )?;
            Ok((id, true))
        });
        let (id, fresh) = match created {
            Err(e)
                if e.internal
                    .as_deref()
                    .is_some_and(|m| m.contains("idempotency_keys")) =>
            {
                // Two requests with one key raced on PostgreSQL: the other one won.
                let k = key.as_deref().unwrap_or_default();
                (
                    db::petitions::find_idempotent(conn, caller.user_id, k)?.ok_or(e)?,
                    false,
                )
            }
            other => other?,
        };
        Ok((detail_of(conn, actor, id)?, fresh))
    })
    .await
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PetitionQuery {
    pub status: Option<PetitionStatus>,
    pub kind: Option<PetitionKind>,
    pub urgency: Option<Urgency>,
    pub category_id: Option<i64>,
    /// Dispatched to this unit or a unit below it.
    pub unit_id: Option<i64>,
    /// Words in the title or content.
    pub q: Option<String>,
    /// Submitted at or after (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Submitted before (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Only open orders past their reply deadline (the same as `light=red`).
    pub overdue: Option<bool>,
    /// Only open orders with this light.
    pub light: Option<Light>,
}

impl PetitionQuery {
    fn filter(self, conn: &mut DbConn, now: chrono::NaiveDateTime) -> AppResult<PetitionFilter> {
        if let Some(q) = &self.q {
            if q.chars().count() > 100 || q.contains('\0') {
                return Err(AppError::invalid_field("q", "搜索词最多 100 个字符"));
            }
        }
        let unit_path = match self.unit_id {
            Some(id) => Some(
                db::units::find(conn, id)
                    .optional()?
                    .ok_or_else(|| AppError::invalid_field("unit_id", format!("单位 {id} 不存在")))?
                    .path,
            ),
            None => None,
        };
        Ok(PetitionFilter {
            status: self.status.map(|s| s.as_str().to_owned()),
            kind: self.kind.map(|k| k.as_str().to_owned()),
            urgency: self.urgency.map(|u| u.as_str().to_owned()),
            category_id: self.category_id,
            unit_path,
            q: self
                .q
                .map(|q| q.trim().to_owned())
                .filter(|q| !q.is_empty()),
            from: self.from.map(|t| t.naive_utc()),
            to: self.to.map(|t| t.naive_utc()),
            light: match (self.overdue, self.light) {
                (Some(true), Some(l)) if l != Light::Red => {
                    return Err(AppError::invalid_field(
                        "light",
                        "overdue=true 只能与 light=red 同用",
                    ))
                }
                (Some(true), _) => Some((Light::Red, now)),
                (_, Some(l)) => Some((l, now)),
                _ => None,
            },
            supervised_open: false,
            statuses: None,
            q_unmasked: false,
            by_created: false,
        })
    }
}

/// List the petitions the caller may see (a citizen or partner their own, a handler their
/// subtree's, officials all), newest first. Personal information is masked in lists except
/// for one's own petitions.
#[utoipa::path(
    get, path = "/api/v1/petitions", tag = "petitions", operation_id = "list_petitions",
    params(PetitionQuery, PageQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "One page of petitions", body = Page<Petition>))
)]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    query: crate::http::query::Query<PetitionQuery>,
    page: crate::http::query::Query<PageQuery>,
) -> AppResult<web::Json<Page<Petition>>> {
    let paging = page.into_inner().paging()?;
    let q = query.into_inner();
    let caller = auth.0;
    let (items, total) = with_actor(&state, caller, move |conn, actor| {
        let mut filter = q.filter(conn, actor.now)?;
        let scope = match actor.role() {
            Role::Citizen | Role::Partner => Scope::Submitter(caller.user_id),
            Role::Handler => match &actor.unit_path {
                Some(p) => Scope::Subtree(p.clone()),
                None => return Ok((Vec::new(), 0)),
            },
            Role::Operator | Role::Leader | Role::Reporter | Role::Admin => Scope::All,
            Role::System => return Ok((Vec::new(), 0)),
        };
        let own = matches!(scope, Scope::Submitter(_));
        // Lists show petitions masked except one's own: `q` matches only what they show.
        filter.q_unmasked = own;
        let (rows, total) = db::petitions::list(conn, &scope, &filter, paging)?;
        Ok((
            rows.iter()
                .map(|r| views::summary(r, !own, actor.now))
                .collect(),
            total,
        ))
    })
    .await?;
    Ok(web::Json(Page {
        items,
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// One petition with its assignments, replies, visits and the actions the caller may take.
///
/// Contact details appear only to the petitioner, the hotline office and (unless anonymous)
/// the handling units; each such read by an official is written to the audit log.
#[utoipa::path(
    get, path = "/api/v1/petitions/{id}", tag = "petitions", operation_id = "find_petition",
    params(("id" = i64, Path, description = "Petition id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The petition", body = Petition),
        (status = 404, description = "No such petition, or not visible to the caller", body = Problem),
    )
)]
pub async fn find(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<i64>,
) -> AppResult<web::Json<Petition>> {
    let id = id.into_inner();
    with_actor(&state, auth.0, move |conn, actor| {
        let row = db::petitions::find(conn, id)
            .optional()?
            .ok_or_else(not_found)?;
        let acc = access(conn, actor, &row)?;
        views::detail(conn, actor, &row, &acc)
    })
    .await
    .map(web::Json)
}

/// The timeline: every step with actor role and unit, from, to, note and time.
#[utoipa::path(
    get, path = "/api/v1/petitions/{id}/events", tag = "petitions", operation_id = "list_petition_events",
    params(("id" = i64, Path, description = "Petition id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The timeline, oldest first", body = Vec<Event>),
        (status = 404, description = "No such petition, or not visible to the caller", body = Problem),
    )
)]
pub async fn events(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<i64>,
) -> AppResult<web::Json<Vec<Event>>> {
    let id = id.into_inner();
    with_actor(&state, auth.0, move |conn, actor| {
        let row = db::petitions::find(conn, id)
            .optional()?
            .ok_or_else(not_found)?;
        let acc = access(conn, actor, &row)?;
        let masked = !views::unmasked(actor, &row, &acc);
        if !masked && !acc.petitioner {
            views::audit_unmasked(conn, actor, [&row], "timeline")?;
        }
        views::timeline(conn, &row, masked)
    })
    .await
    .map(web::Json)
}

/// Runs a petition-level action and answers with the petition.
async fn simple(
    state: web::Data<AppState>,
    caller: crate::http::extract::Caller,
    id: i64,
    version: Option<i64>,
    action: Action,
    effect: impl FnOnce(&mut DbConn, &crate::workflow::Ctx<'_>) -> AppResult<Effect> + Send + 'static,
) -> AppResult<web::Json<Petition>> {
    with_actor(&state, caller, move |conn, actor| {
        let id = act(conn, actor, id, version, action, Target::Petition, effect)?;
        detail_of(conn, actor, id)
    })
    .await
    .map(web::Json)
}

/// A petition-level action endpoint: documents the handler that follows with the responses
/// every such action shares.
macro_rules! petition_action {
    ($path:literal, $op:literal, $body:ty, $handler:item) => {
        #[utoipa::path(
            post, path = $path, tag = "petitions", operation_id = $op,
            params(("id" = i64, Path, description = "Petition id")),
            request_body = $body,
            security(("bearer" = [])),
            responses(
                (status = 200, description = "The petition after the action", body = Petition),
                (status = 404, description = "No such petition, or not visible to the caller", body = Problem),
                (status = 409, description = "Not allowed in the current status, or a stale version", body = Problem),
            )
        )]
        $handler
    };
}

petition_action!(
    "/api/v1/petitions/{id}/accept",
    "accept_petition",
    VersionBody,
    /// Accept a submitted petition (hotline office).
    pub async fn accept(
        state: web::Data<AppState>,
        auth: Auth<Operators>,
        id: web::Path<i64>,
        OptionalJson(b): OptionalJson<VersionBody>,
    ) -> AppResult<web::Json<Petition>> {
        let (id, version) = (id.into_inner(), b.version);
        with_actor(&state, auth.0, move |conn, actor| {
            let id = act(
                conn,
                actor,
                id,
                version,
                Action::Accept,
                Target::Petition,
                |_, _| Ok(Effect::default()),
            )?;
            auto_dispatch(conn, actor, id)?;
            detail_of(conn, actor, id)
        })
        .await
        .map(web::Json)
    }
);

petition_action!(
    "/api/v1/petitions/{id}/reject",
    "reject_petition",
    ReasonBody,
    /// Refuse a petition (不予受理) with the reason the petitioner will read (hotline office).
    pub async fn reject(
        state: web::Data<AppState>,
        auth: Auth<Operators>,
        id: web::Path<i64>,
        Json(b): Json<ReasonBody>,
    ) -> AppResult<web::Json<Petition>> {
        check_text("reason", &b.reason, MAX_NOTE)?;
        let note = b.reason.trim().to_owned();
        simple(
            state,
            auth.0,
            id.into_inner(),
            b.version,
            Action::Reject,
            move |_, _| {
                Ok(Effect {
                    note: Some(note),
                    ..Effect::default()
                })
            },
        )
        .await
    }
);

petition_action!(
    "/api/v1/petitions/{id}/merge",
    "merge_petition",
    MergeBody,
    /// Merge a repeat petition into another open one (并单); the merged one follows its primary.
    pub async fn merge(
        state: web::Data<AppState>,
        auth: Auth<Operators>,
        id: web::Path<i64>,
        Json(b): Json<MergeBody>,
    ) -> AppResult<web::Json<Petition>> {
        let into = b.into_id;
        simple(
            state,
            auth.0,
            id.into_inner(),
            b.version,
            Action::Merge,
            move |conn, ctx| {
                if into == ctx.petition.id {
                    return Err(AppError::invalid_field("into_id", "不能并入自身"));
                }
                // Held until the merge commits: two merges at once (A into B, B into A) run one
                // after the other, and the second finds its target merged.
                let primary = db::petitions::lock(conn, into).optional()?.ok_or_else(|| {
                    AppError::invalid_field("into_id", format!("工单 {into} 不存在"))
                })?;
                let st = primary.status;
                if matches!(
                    st,
                    PetitionStatus::Merged | PetitionStatus::Rejected | PetitionStatus::Withdrawn
                ) {
                    return Err(AppError::invalid_field(
                        "into_id",
                        format!("目标工单状态为“{}”，不能并入", st.label()),
                    ));
                }
                Ok(Effect {
                    petition: PetitionChanges {
                        merged_into_id: Some(Some(into)),
                        ..Default::default()
                    },
                    note: Some(format!("并入工单 {}", primary.tracking_no)),
                    ..Effect::default()
                })
            },
        )
        .await
    }
);

petition_action!(
    "/api/v1/petitions/{id}/supervise",
    "supervise_petition",
    NoteBody,
    /// Put the order under supervision (督办): hotline office, leaders, or the press (媒体督办).
    pub async fn supervise(
        state: web::Data<AppState>,
        auth: Auth<Supervising>,
        id: web::Path<i64>,
        Json(b): Json<NoteBody>,
    ) -> AppResult<web::Json<Petition>> {
        check_text("note", &b.note, MAX_NOTE)?;
        let note = b.note.trim().to_owned();
        simple(
            state,
            auth.0,
            id.into_inner(),
            b.version,
            Action::Supervise,
            move |_, _| {
                Ok(Effect {
                    petition: PetitionChanges {
                        supervised: Some(true),
                        ..Default::default()
                    },
                    note: Some(note),
                    ..Effect::default()
                })
            },
        )
        .await
    }
);

petition_action!(
    "/api/v1/petitions/{id}/withdraw",
    "withdraw_petition",
    VersionBody,
    /// Withdraw one's own petition before it is answered (the petitioner).
    pub async fn withdraw(
        state: web::Data<AppState>,
        auth: Auth<Anyone>,
        id: web::Path<i64>,
        OptionalJson(b): OptionalJson<VersionBody>,
    ) -> AppResult<web::Json<Petition>> {
        simple(
            state,
            auth.0,
            id.into_inner(),
            b.version,
            Action::Withdraw,
            |_, _| Ok(Effect::default()),
        )
        .await
    }
);

petition_action!(
    "/api/v1/petitions/{id}/request-info",
    "request_petition_info",
    NoteBody,
    /// Ask the petitioner for more information (hotline office): the petition waits in `needs_info`.
    pub async fn request_info(
        state: web::Data<AppState>,
        auth: Auth<Operators>,
        id: web::Path<i64>,
        Json(b): Json<NoteBody>,
    ) -> AppResult<web::Json<Petition>> {
        check_text("note", &b.note, MAX_NOTE)?;
        let note = b.note.trim().to_owned();
        simple(
            state,
            auth.0,
            id.into_inner(),
            b.version,
            Action::RequestInfo,
            move |_, _| {
                Ok(Effect {
                    note: Some(note),
                    ..Effect::default()
                })
            },
        )
        .await
    }
);

petition_action!(
    "/api/v1/petitions/{id}/supplement",
    "supplement_petition",
    SupplementBody,
    /// Add the information asked for (the petitioner): the petition goes back to `submitted`.
    pub async fn supplement(
        state: web::Data<AppState>,
        auth: Auth<Submitters>,
        id: web::Path<i64>,
        Json(b): Json<SupplementBody>,
    ) -> AppResult<web::Json<Petition>> {
        check_text("content", &b.content, MAX_CONTENT)?;
        let extra = b.content.trim().to_owned();
        simple(
            state,
            auth.0,
            id.into_inner(),
            b.version,
            Action::Supplement,
            move |_, ctx| {
                Ok(Effect {
                    petition: PetitionChanges {
                        content: Some(format!("{}\n\n【补充】{extra}", ctx.petition.content)),
                        ..Default::default()
                    },
                    note: Some(extra),
                    ..Effect::default()
                })
            },
        )
        .await
    }
);

petition_action!(
    "/api/v1/petitions/{id}/redo",
    "redo_petition",
    ReasonBody,
    /// Send a replied or closed order back to the units (发回重办): the redo count goes up and a
    /// new deadline runs. A closed order can be sent back within 30 days of closing.
    pub async fn redo(
        state: web::Data<AppState>,
        auth: Auth<Operators>,
        id: web::Path<i64>,
        Json(b): Json<ReasonBody>,
    ) -> AppResult<web::Json<Petition>> {
        check_text("reason", &b.reason, MAX_NOTE)?;
        let reason = b.reason.trim().to_owned();
        simple(
            state,
            auth.0,
            id.into_inner(),
            b.version,
            Action::Redo,
            move |conn, ctx| {
                let d = deadlines_for(conn, ctx.petition, ctx.now, None)?;
                let mut lead_reply_by = None;
                for (a, _) in ctx.assignments.iter().filter(|(a, _)| {
                    a.role == minhu_types::AssignmentRole::Lead
                        && a.state == minhu_types::AssignmentState::Replied
                }) {
                    db::petitions::update_assignment(
                        conn,
                        a.id,
                        &AssignmentChanges {
                            state: Some("handling".into()),
                            reply_by: Some(d.reply_by),
                            yellow_at: Some(Some(d.yellow_at)),
                            replied_at: Some(None),
                            replied_on_time: Some(None),
                            ..Default::default()
                        },
                    )?;
                    lead_reply_by = Some(d.reply_by);
                }
                Ok(Effect {
                    petition: PetitionChanges {
                        redo_count: Some(ctx.petition.redo_count + 1),
                        closed_at: Some(None),
                        reply_by: Some(lead_reply_by),
                        yellow_at: Some(lead_reply_by.map(|_| d.yellow_at)),
                        ..Default::default()
                    },
                    note: Some(reason),
                    ..Effect::default()
                })
            },
        )
        .await
    }
);

fn reply_row_effect(
    conn: &mut DbConn,
    ctx: &crate::workflow::Ctx<'_>,
    b: &ReplyBody,
    assignment: Option<(i64, i64)>,
) -> AppResult<i64> {
    Ok(db::petitions::insert_reply(
        conn,
        &NewReplyRow {
            petition_id: ctx.petition.id,
            assignment_id: assignment.map(|a| a.0),
            unit_id: assignment.map(|a| a.1).or(ctx.actor.caller.unit_id),
            author_id: ctx.actor.caller.user_id,
            body: b.body.trim(),
            outcome: b.outcome.as_str(),
            public: b.public,
            created_at: ctx.now,
        },
    )?)
}

petition_action!(
    "/api/v1/petitions/{id}/answer",
    "answer_petition",
    ReplyBody,
    /// Answer directly (直办): the hotline office replies without dispatching.
    pub async fn answer(
        state: web::Data<AppState>,
        auth: Auth<Operators>,
        id: web::Path<i64>,
        Json(b): Json<ReplyBody>,
    ) -> AppResult<web::Json<Petition>> {
        check_text("body", &b.body, MAX_CONTENT)?;
        let version = b.version;
        simple(
            state,
            auth.0,
            id.into_inner(),
            version,
            Action::AnswerDirectly,
            move |conn, ctx| {
                let cited = match b.article_id {
                    None => None,
                    Some(a) => Some(db::knowledge::find(conn, a).optional()?.ok_or_else(|| {
                        AppError::invalid_field("article_id", format!("知识库文章 {a} 不存在"))
                    })?),
                };
                reply_row_effect(conn, ctx, &b, None)?;
                Ok(Effect {
                    petition: PetitionChanges {
                        reply_by: Some(None),
                        yellow_at: Some(None),
                        ..Default::default()
                    },
                    note: Some(match cited {
                        None => b.outcome.label().to_owned(),
                        Some(a) => format!(
                            "{}；引用知识库：{}（{}）",
                            b.outcome.label(),
                            a.question,
                            a.id
                        ),
                    }),
                    ..Effect::default()
                })
            },
        )
        .await
    }
);

/// Reply to the petition for the caller's unit (a handler). The lead unit's reply answers the
/// petitioner; an assisting unit's reply reports to the lead.
#[utoipa::path(
    post, path = "/api/v1/petitions/{id}/replies", tag = "petitions", operation_id = "create_reply",
    params(("id" = i64, Path, description = "Petition id")),
    request_body = ReplyBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The reply", body = Reply),
        (status = 404, description = "No such petition, or not visible to the caller", body = Problem),
        (status = 409, description = "Not allowed now (e.g. not signed yet), or a stale version", body = Problem),
    )
)]
pub async fn create_reply(
    state: web::Data<AppState>,
    auth: Auth<crate::http::extract::Handlers>,
    id: web::Path<i64>,
    Json(b): Json<ReplyBody>,
) -> AppResult<HttpResponse> {
    check_text("body", &b.body, MAX_CONTENT)?;
    let id = id.into_inner();
    let reply = with_actor(&state, auth.0, move |conn, actor| {
        // Which assignment replies: the one named, else the caller's deepest one in handling.
        let all = db::petitions::assignments_of(conn, id)?;
        let mine: Vec<_> = all.iter().filter(|(_, u)| actor.covers(u)).collect();
        let chosen = match b.assignment_id {
            Some(aid) => Some(aid),
            None => mine
                .iter()
                .max_by_key(|(a, u)| {
                    (
                        a.state == minhu_types::AssignmentState::Handling,
                        u.path.len(),
                        a.id,
                    )
                })
                .map(|(a, _)| a.id),
        };
        let target = match chosen {
            Some(aid) => Target::Assignment(aid),
            None => Target::Petition,
        };
        let mut reply_id = 0;
        let version = b.version;
        act(
            conn,
            actor,
            id,
            version,
            Action::Reply,
            target,
            |conn, ctx| {
                let (a, _) = ctx
                    .assignment
                    .ok_or_else(|| AppError::forbidden("只有承办单位可以答复"))?;
                reply_id = reply_row_effect(conn, ctx, &b, Some((a.id, a.unit_id)))?;
                let lead = a.role == minhu_types::AssignmentRole::Lead;
                if lead {
                    // The units above, who handed the order down, have answered with it.
                    let mut parent = a.parent_id;
                    while let Some((up, _)) =
                        parent.and_then(|pid| ctx.assignments.iter().find(|(x, _)| x.id == pid))
                    {
                        db::petitions::update_assignment(
                            conn,
                            up.id,
                            &AssignmentChanges {
                                state: Some("replied".into()),
                                replied_at: Some(Some(ctx.now)),
                                replied_on_time: Some(Some(ctx.now <= up.reply_by)),
                                ..Default::default()
                            },
                        )?;
                        parent = up.parent_id;
                    }
                }
                Ok(Effect {
                    assignment: AssignmentChanges {
                        replied_at: Some(Some(ctx.now)),
                        replied_on_time: Some(Some(ctx.now <= a.reply_by)),
                        ..Default::default()
                    },
                    note: Some(b.outcome.label().to_owned()),
                    ..Effect::default()
                })
            },
        )?;
        let row = db::petitions::find(conn, id)?;
        let acc = access(conn, actor, &row)?;
        let masked = !views::unmasked(actor, &row, &acc);
        if !masked && !acc.petitioner {
            views::audit_unmasked(conn, actor, [&row], "reply")?;
        }
        let r = db::petitions::replies_of(conn, &[id])?
            .into_iter()
            .find(|r| r.id == reply_id)
            .ok_or_else(not_found)?;
        let unit = r.unit_id.map(|u| db::units::find(conn, u)).transpose()?;
        Ok(views::reply(&r, unit.as_ref(), masked))
    })
    .await?;
    Ok(HttpResponse::Created().json(reply))
}

/// The replies the caller may see.
#[utoipa::path(
    get, path = "/api/v1/petitions/{id}/replies", tag = "petitions", operation_id = "list_replies",
    params(("id" = i64, Path, description = "Petition id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Replies, oldest first", body = Vec<Reply>),
        (status = 404, description = "No such petition, or not visible to the caller", body = Problem),
    )
)]
pub async fn list_replies(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<i64>,
) -> AppResult<web::Json<Vec<Reply>>> {
    let id = id.into_inner();
    with_actor(&state, auth.0, move |conn, actor| {
        let row = db::petitions::find(conn, id)
            .optional()?
            .ok_or_else(not_found)?;
        let acc = access(conn, actor, &row)?;
        Ok(views::detail(conn, actor, &row, &acc)?.replies)
    })
    .await
    .map(web::Json)
}

/// Dispatch the order to a unit (hotline office): one lead unit, any number of assisting units.
#[utoipa::path(
    post, path = "/api/v1/petitions/{id}/assignments", tag = "petitions", operation_id = "dispatch_petition",
    params(("id" = i64, Path, description = "Petition id")),
    request_body = DispatchBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The petition, now with the new assignment", body = Petition),
        (status = 404, description = "No such petition", body = Problem),
        (status = 409, description = "Not allowed in the current status, the unit already holds the order, or a stale version", body = Problem),
    )
)]
pub async fn dispatch(
    state: web::Data<AppState>,
    auth: Auth<Operators>,
    id: web::Path<i64>,
    Json(b): Json<DispatchBody>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    if b.reply_by.is_some_and(|t| t.naive_utc() <= now) {
        return Err(AppError::invalid_field("reply_by", "答复期限必须晚于现在"));
    }
    let id = id.into_inner();
    let view = with_actor(&state, auth.0, move |conn, actor| {
        let id = act(
            conn,
            actor,
            id,
            b.version,
            Action::Dispatch,
            Target::NewAssignment(b.role),
            move |conn, ctx| {
                new_order(
                    conn,
                    ctx,
                    b.unit_id,
                    b.role,
                    b.reply_by.map(|t| t.naive_utc()),
                    None,
                )
            },
        )?;
        detail_of(conn, actor, id)
    })
    .await?;
    Ok(HttpResponse::Created().json(view))
}

/// With `auto_dispatch` on, an accepted petition whose best catalogue rules name exactly one
/// lead goes to it at once, as its own step on the timeline (noted as the catalogue's). If
/// that step is refused, the petition stays accepted for the operator to dispatch.
fn auto_dispatch(conn: &mut DbConn, actor: &Actor, id: i64) -> AppResult<()> {
    if !super::dispatch::settings(conn)?.auto_dispatch {
        return Ok(());
    }
    let row = db::petitions::find(conn, id)?;
    let won = db::dispatch::suggest(conn, &row)?;
    let rules: Vec<&crate::domain::dispatch::Rule> = won.iter().map(|(r, _)| r).collect();
    let Some(rule) = crate::domain::dispatch::automatic(&rules) else {
        return Ok(());
    };
    let (unit, note) = (
        rule.unit_id,
        format!("按派单目录自动派单（规则 {}）", rule.id),
    );
    let lead = AssignmentRole::Lead;
    if let Err(e) = act(
        conn,
        actor,
        id,
        None,
        Action::Dispatch,
        Target::NewAssignment(lead),
        move |conn, ctx| new_order(conn, ctx, unit, lead, None, Some(note)),
    ) {
        tracing::warn!(petition = id, error = ?e, "automatic dispatch refused");
    }
    Ok(())
}

/// The effect of dispatching a new top-level order to `unit_id`.
fn new_order(
    conn: &mut DbConn,
    ctx: &crate::workflow::Ctx<'_>,
    unit_id: i64,
    role: AssignmentRole,
    reply_by: Option<chrono::NaiveDateTime>,
    note: Option<String>,
) -> AppResult<Effect> {
    db::units::find(conn, unit_id)
        .optional()?
        .ok_or_else(|| AppError::invalid_field("unit_id", format!("单位 {} 不存在", unit_id)))?;
    if ctx
        .assignments
        .iter()
        .any(|(a, _)| a.unit_id == unit_id && a.state != minhu_types::AssignmentState::Returned)
    {
        return Err(AppError::conflict(
            "already_dispatched",
            "该单位已在办理此工单",
        ));
    }
    let d = deadlines_for(conn, ctx.petition, ctx.now, reply_by)?;
    let aid = db::petitions::insert_assignment(
        conn,
        &NewAssignmentRow {
            petition_id: ctx.petition.id,
            unit_id: unit_id,
            role: role.as_str(),
            parent_id: None,
            state: "pending",
            sign_by: Some(d.sign_by),
            reply_by: d.reply_by,
            yellow_at: Some(d.yellow_at),
            created_at: ctx.now,
        },
    )?;
    let mut changes = PetitionChanges::default();
    if role == AssignmentRole::Lead {
        changes.reply_by = Some(Some(d.reply_by));
        changes.yellow_at = Some(Some(d.yellow_at));
    }
    Ok(Effect {
        petition: changes,
        event_assignment_id: Some(aid),
        note,
        ..Effect::default()
    })
}

fn visit_effect(
    conn: &mut DbConn,
    ctx: &crate::workflow::Ctx<'_>,
    kind: VisitKind,
    b: &RatingBody,
    id_out: &mut i64,
) -> AppResult<Effect> {
    *id_out = db::petitions::insert_visit(
        conn,
        &NewVisitRow {
            petition_id: ctx.petition.id,
            kind: kind.as_str(),
            author_id: ctx.actor.caller.user_id,
            satisfaction: b.satisfaction.as_str(),
            resolved: b.resolved,
            contacted: b.contacted,
            comment: b.comment.as_deref().map(str::trim),
            created_at: ctx.now,
        },
    )?;
    let closes = ctx.transition.to == PetitionStatus::Closed
        && ctx.transition.from != PetitionStatus::Closed;
    Ok(Effect {
        petition: PetitionChanges {
            closed_at: closes.then_some(Some(ctx.now)),
            ..Default::default()
        },
        note: Some(b.satisfaction.label().to_owned()),
        ..Effect::default()
    })
}

async fn visit_action(
    state: web::Data<AppState>,
    caller: crate::http::extract::Caller,
    id: i64,
    kind: VisitKind,
    b: RatingBody,
) -> AppResult<HttpResponse> {
    if let Some(c) = &b.comment {
        check_text("comment", c, MAX_NOTE)?;
    }
    let action = if kind == VisitKind::Rating {
        Action::Rate
    } else {
        Action::Visit
    };
    let visit = with_actor(&state, caller, move |conn, actor| {
        let mut vid = 0;
        act(
            conn,
            actor,
            id,
            b.version,
            action,
            Target::Petition,
            |conn, ctx| visit_effect(conn, ctx, kind, &b, &mut vid),
        )?;
        let v = db::petitions::visits_of(conn, id)?
            .into_iter()
            .find(|v| v.id == vid)
            .ok_or_else(not_found)?;
        Ok(views::visit(&v, false))
    })
    .await?;
    Ok(HttpResponse::Created().json(visit))
}

/// Rate the answer to one's own petition (the petitioner); the order closes.
#[utoipa::path(
    post, path = "/api/v1/petitions/{id}/rating", tag = "petitions", operation_id = "rate_petition",
    params(("id" = i64, Path, description = "Petition id")),
    request_body = RatingBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The rating", body = Visit),
        (status = 404, description = "No such petition, or not visible to the caller", body = Problem),
        (status = 409, description = "Not replied yet, already rated, or a stale version", body = Problem),
    )
)]
pub async fn rate(
    state: web::Data<AppState>,
    auth: Auth<Submitters>,
    id: web::Path<i64>,
    Json(b): Json<RatingBody>,
) -> AppResult<HttpResponse> {
    visit_action(state, auth.0, id.into_inner(), VisitKind::Rating, b).await
}

/// Record a follow-up call (回访) with the petitioner (hotline office); a replied order closes.
#[utoipa::path(
    post, path = "/api/v1/petitions/{id}/visits", tag = "petitions", operation_id = "create_visit",
    params(("id" = i64, Path, description = "Petition id")),
    request_body = RatingBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The follow-up call", body = Visit),
        (status = 404, description = "No such petition", body = Problem),
        (status = 409, description = "Not replied yet, or a stale version", body = Problem),
    )
)]
pub async fn visit(
    state: web::Data<AppState>,
    auth: Auth<Operators>,
    id: web::Path<i64>,
    Json(b): Json<RatingBody>,
) -> AppResult<HttpResponse> {
    visit_action(state, auth.0, id.into_inner(), VisitKind::Visit, b).await
}

/// Reporters' follow-up reports (记者追访) on a petition.
#[utoipa::path(
    get, path = "/api/v1/petitions/{id}/follow-ups", tag = "petitions", operation_id = "list_follow_ups",
    params(("id" = i64, Path, description = "Petition id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Follow-up reports, oldest first", body = Vec<FollowUp>),
        (status = 404, description = "No such petition, or not visible to the caller", body = Problem),
    )
)]
pub async fn list_follow_ups(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<i64>,
) -> AppResult<web::Json<Vec<FollowUp>>> {
    let id = id.into_inner();
    with_actor(&state, auth.0, move |conn, actor| {
        let row = db::petitions::find(conn, id)
            .optional()?
            .ok_or_else(not_found)?;
        access(conn, actor, &row)?;
        Ok(db::petitions::follow_ups_of(conn, &[id])?
            .iter()
            .map(views::follow_up)
            .collect())
    })
    .await
    .map(web::Json)
}

/// Attach a follow-up report (a reporter); it shows on the petition's public page.
#[utoipa::path(
    post, path = "/api/v1/petitions/{id}/follow-ups", tag = "petitions", operation_id = "create_follow_up",
    params(("id" = i64, Path, description = "Petition id")),
    request_body = NewFollowUp,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The follow-up report", body = FollowUp),
        (status = 404, description = "No such petition", body = Problem),
    )
)]
pub async fn create_follow_up(
    state: web::Data<AppState>,
    auth: Auth<Reporters>,
    id: web::Path<i64>,
    Json(b): Json<NewFollowUp>,
) -> AppResult<HttpResponse> {
    check_text("title", &b.title, 100)?;
    check_text("body", &b.body, 10_000)?;
    let id = id.into_inner();
    let f = with_actor(&state, auth.0, move |conn, actor| {
        let mut fid = 0;
        act(
            conn,
            actor,
            id,
            None,
            Action::FollowUp,
            Target::Petition,
            |conn, ctx| {
                fid = db::petitions::insert_follow_up(
                    conn,
                    ctx.petition.id,
                    ctx.actor.caller.user_id,
                    b.title.trim(),
                    b.body.trim(),
                    ctx.now,
                )?;
                Ok(Effect {
                    note: Some(b.title.trim().to_owned()),
                    ..Effect::default()
                })
            },
        )?;
        let row = db::petitions::follow_ups_of(conn, &[id])?
            .into_iter()
            .find(|f| f.id == fid)
            .ok_or_else(not_found)?;
        Ok(views::follow_up(&row))
    })
    .await?;
    Ok(HttpResponse::Created().json(f))
}

petition_action!(
    "/api/v1/petitions/{id}/unreasonable",
    "mark_petition_unreasonable",
    ReasonBody,
    /// Judge the petition unreasonable (不合理诉求, hotline office): it is left out of the
    /// units' scoring.
    pub async fn mark_unreasonable(
        state: web::Data<AppState>,
        auth: Auth<Operators>,
        id: web::Path<i64>,
        Json(b): Json<ReasonBody>,
    ) -> AppResult<web::Json<Petition>> {
        check_text("reason", &b.reason, MAX_NOTE)?;
        let reason = b.reason.trim().to_owned();
        simple(
            state,
            auth.0,
            id.into_inner(),
            b.version,
            Action::MarkUnreasonable,
            move |_, _| {
                Ok(Effect {
                    petition: PetitionChanges {
                        unreasonable: Some(true),
                        ..Default::default()
                    },
                    note: Some(reason),
                    ..Effect::default()
                })
            },
        )
        .await
    }
);

petition_action!(
    "/api/v1/petitions/{id}/appeal",
    "appeal_petition_assessment",
    ReasonBody,
    /// Appeal the assessment of this order (考核申诉, a handling unit); once the hotline office
    /// grants it, the order is left out of scoring.
    pub async fn appeal(
        state: web::Data<AppState>,
        auth: Auth<crate::http::extract::Handlers>,
        id: web::Path<i64>,
        Json(b): Json<ReasonBody>,
    ) -> AppResult<web::Json<Petition>> {
        check_text("reason", &b.reason, MAX_NOTE)?;
        let reason = b.reason.trim().to_owned();
        simple(
            state,
            auth.0,
            id.into_inner(),
            b.version,
            Action::Appeal,
            move |_, _| {
                Ok(Effect {
                    petition: PetitionChanges {
                        appeal_state: Some(Some("pending".into())),
                        appeal_reason: Some(Some(reason.clone())),
                        ..Default::default()
                    },
                    note: Some(reason),
                    ..Effect::default()
                })
            },
        )
        .await
    }
);

/// Decides a pending appeal.
async fn decide_appeal(
    state: web::Data<AppState>,
    caller: crate::http::extract::Caller,
    id: i64,
    grant: bool,
    b: DecisionBody,
) -> AppResult<web::Json<Petition>> {
    if let Some(n) = &b.note {
        check_text("note", n, MAX_NOTE)?;
    }
    let action = if grant {
        Action::GrantAppeal
    } else {
        Action::RefuseAppeal
    };
    simple(state, caller, id, None, action, move |_, _| {
        let state = if grant { "granted" } else { "refused" };
        Ok(Effect {
            petition: PetitionChanges {
                appeal_state: Some(Some(state.into())),
                ..Default::default()
            },
            note: b.note,
            ..Effect::default()
        })
    })
    .await
}

petition_action!(
    "/api/v1/petitions/{id}/appeal/grant",
    "grant_petition_appeal",
    DecisionBody,
    /// Grant a unit's assessment appeal (hotline office): the order leaves the scoring.
    pub async fn grant_appeal(
        state: web::Data<AppState>,
        auth: Auth<Operators>,
        id: web::Path<i64>,
        OptionalJson(b): OptionalJson<DecisionBody>,
    ) -> AppResult<web::Json<Petition>> {
        decide_appeal(state, auth.0, id.into_inner(), true, b).await
    }
);

petition_action!(
    "/api/v1/petitions/{id}/appeal/refuse",
    "refuse_petition_appeal",
    DecisionBody,
    /// Refuse a unit's assessment appeal (hotline office).
    pub async fn refuse_appeal(
        state: web::Data<AppState>,
        auth: Auth<Operators>,
        id: web::Path<i64>,
        OptionalJson(b): OptionalJson<DecisionBody>,
    ) -> AppResult<web::Json<Petition>> {
        decide_appeal(state, auth.0, id.into_inner(), false, b).await
    }
);

petition_action!(
    "/api/v1/petitions/{id}/typical",
    "mark_petition_typical",
    DecisionBody,
    /// Pick the petition as a typical case for the briefing (典型案例, a reporter).
    pub async fn mark_typical(
        state: web::Data<AppState>,
        auth: Auth<Reporters>,
        id: web::Path<i64>,
        OptionalJson(b): OptionalJson<DecisionBody>,
    ) -> AppResult<web::Json<Petition>> {
        if let Some(n) = &b.note {
            check_text("note", n, MAX_NOTE)?;
        }
        simple(
            state,
            auth.0,
            id.into_inner(),
            None,
            Action::MarkTypical,
            move |_, ctx| {
                Ok(Effect {
                    petition: PetitionChanges {
                        typical_at: Some(Some(ctx.now)),
                        ..Default::default()
                    },
                    note: b.note,
                    ..Effect::default()
                })
            },
        )
        .await
    }
);

//! A unit's inbox and what units do with their assignments: sign (签收), ask to return (退回)
//! or for more time (延期), hand down to a unit below (下派), note progress — and the hotline
//! office's decisions on returns and extensions.

use crate::http::extract::{Handlers, InboxReaders, Operators};
use actix_web::{web, HttpResponse};
use diesel::OptionalExtension;
use minhu_types::{
    Action, Assignment, AssignmentState, DecisionBody, DispatchDownBody, ExtensionBody, Light,
    NoteBody, Page, Problem, ReasonBody, RequestKind, Role,
};

use crate::db::petitions::{AssignmentChanges, InboxFilter, PetitionChanges};
use crate::db::{self, DbConn};
use crate::domain::petitions::validate_text;
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Auth, Caller, PageQuery};
use crate::http::json::{Json, OptionalJson};
use crate::http::AppState;
use crate::views;
use crate::workflow::orders::{new_order, Giver};
use crate::workflow::{access, act, yellow_for, Actor, Ctx, Effect, Target};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    pub state: Option<AssignmentState>,
    /// Only assignments past their reply deadline and not yet answered.
    pub overdue: Option<bool>,
    /// Only assignments with an open request of this kind (for the hotline office's approvals).
    pub open_request: Option<RequestKind>,
    /// Only open assignments with this light.
    pub light: Option<Light>,
}

/// The caller's inbox: a handler's covers their unit and everything below it, the hotline
/// office's every unit. To sign first, then in handling, earliest deadline first.
#[utoipa::path(
    get, path = "/api/v1/assignments", tag = "assignments", operation_id = "list_assignments",
    params(InboxQuery, PageQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "One page of assignments", body = Page<Assignment>))
)]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<InboxReaders>,
    query: crate::http::query::Query<InboxQuery>,
    page: crate::http::query::Query<PageQuery>,
) -> AppResult<web::Json<Page<Assignment>>> {
    let paging = page.into_inner().history_paging()?;
    let q = query.into_inner();
    let caller = auth.0;
    let now = state.clock.now();
    let (items, total) = state
        .db(move |conn| {
            let actor = Actor::of(caller, now);
            let path = match (actor.role(), actor.unit_path()) {
                (Role::Operator, _) => "/".to_owned(),
                (_, Some(p)) => p.to_owned(),
                (_, None) => return Ok((Vec::new(), 0)),
            };
            let filter = InboxFilter {
                state: q.state.map(|s| s.as_str().to_owned()),
                open_request: q.open_request.map(|r| r.as_str().to_owned()),
                overdue_at: q.overdue.filter(|o| *o).map(|_| now),
                light: q.light.map(|l| (l, now)),
            };
            let (rows, total) = db::petitions::inbox(conn, &path, &filter, paging)?;
            let masked = !crate::domain::privacy::list_unmasked(actor.role(), false, true);
            if !masked {
                views::audit_unmasked(conn, &actor, rows.iter().map(|(_, _, p)| p), "inbox")?;
            }
            Ok((
                rows.iter()
                    .map(|(a, u, p)| views::assignment(a, u, p, masked, now))
                    .collect(),
                total,
            ))
        })
        .await?;
    Ok(web::Json(paging.page_of(items, total)))
}

/// Runs `action` on assignment `id` and answers with the assignment as it is afterwards.
async fn on_assignment(
    state: web::Data<AppState>,
    caller: Caller,
    id: i64,
    version: Option<i64>,
    action: Action,
    effect: impl FnOnce(&mut DbConn, &Ctx<'_>) -> AppResult<Effect> + Send + 'static,
) -> AppResult<Assignment> {
    let now = state.clock.now();
    state
        .db(move |conn| {
            let actor = Actor::of(caller, now);
            let (a, _) = db::petitions::find_assignment(conn, id)
                .optional()?
                .ok_or_else(|| AppError::not_found("办理记录不存在，或不属于您的单位"))?;
            let mut created = None;
            act(
                conn,
                &actor,
                a.petition_id,
                version,
                action,
                Target::Assignment(id),
                |conn, ctx| {
                    let eff = effect(conn, ctx)?;
                    created = eff.event_assignment_id;
                    Ok(eff)
                },
            )?;
            let (a, u) = db::petitions::find_assignment(conn, created.unwrap_or(id))?;
            let p = db::petitions::find(conn, a.petition_id)?;
            let acc = access(conn, &actor, &p)?;
            let masked = !views::unmasked(&actor, &p, &acc);
            if !masked && !acc.petitioner {
                views::audit_unmasked(conn, &actor, [&p], "assignment")?;
            }
            Ok(views::assignment(&a, &u, &p, masked, actor.now))
        })
        .await
}

fn check_text(field: &str, value: &str) -> AppResult<()> {
    validate_text(field, value, 1_000).map_err(AppError::validation)
}

/// A documented assignment action: the handler that follows, with the responses all share.
macro_rules! assignment_action {
    ($path:literal, $op:literal, body = $body:ty, $handler:item) => {
        #[utoipa::path(
            post, path = $path, tag = "assignments", operation_id = $op,
            params(("id" = i64, Path, description = "Assignment id")),
            request_body = $body,
            security(("bearer" = [])),
            responses(
                (status = 200, description = "The assignment after the action", body = Assignment),
                (status = 404, description = "No such assignment, or not your unit's", body = Problem),
                (status = 409, description = "Not allowed in the current state", body = Problem),
            )
        )]
        $handler
    };
    ($path:literal, $op:literal, $handler:item) => {
        #[utoipa::path(
            post, path = $path, tag = "assignments", operation_id = $op,
            params(("id" = i64, Path, description = "Assignment id")),
            security(("bearer" = [])),
            responses(
                (status = 200, description = "The assignment after the action", body = Assignment),
                (status = 404, description = "No such assignment, or not your unit's", body = Problem),
                (status = 409, description = "Not allowed in the current state", body = Problem),
            )
        )]
        $handler
    };
}

assignment_action!(
    "/api/v1/assignments/{id}/sign",
    "sign_assignment",
    /// Sign for an order (签收): the unit takes it on.
    pub async fn sign(
        state: web::Data<AppState>,
        auth: Auth<Handlers>,
        id: web::Path<i64>,
    ) -> AppResult<web::Json<Assignment>> {
        on_assignment(
            state,
            auth.0,
            id.into_inner(),
            None,
            Action::Sign,
            |_, ctx| {
                let on_time = ctx
                    .assignment
                    .and_then(|(a, _)| a.sign_by)
                    .is_none_or(|by| ctx.now <= by);
                Ok(Effect {
                    assignment: AssignmentChanges {
                        signed_at: Some(Some(ctx.now)),
                        signed_on_time: Some(Some(on_time)),
                        ..Default::default()
                    },
                    ..Effect::default()
                })
            },
        )
        .await
        .map(web::Json)
    }
);

assignment_action!(
    "/api/v1/assignments/{id}/return",
    "request_assignment_return",
    body = ReasonBody,
    /// Ask the hotline office to take the order back (退回): it is not this unit's to handle.
    pub async fn request_return(
        state: web::Data<AppState>,
        auth: Auth<Handlers>,
        id: web::Path<i64>,
        Json(b): Json<ReasonBody>,
    ) -> AppResult<web::Json<Assignment>> {
        check_text("reason", &b.reason)?;
        let reason = b.reason.trim().to_owned();
        on_assignment(
            state,
            auth.0,
            id.into_inner(),
            b.version,
            Action::RequestReturn,
            move |_, _| {
                Ok(Effect {
                    assignment: AssignmentChanges {
                        open_request: Some(Some(RequestKind::Return.as_str().into())),
                        request_reason: Some(Some(reason.clone())),
                        request_days: Some(None),
                        ..Default::default()
                    },
                    note: Some(reason),
                    ..Effect::default()
                })
            },
        )
        .await
        .map(web::Json)
    }
);

assignment_action!(
    "/api/v1/assignments/{id}/extension",
    "request_assignment_extension",
    body = ExtensionBody,
    /// Ask for more time (延期), 1–30 days, with a reason.
    pub async fn request_extension(
        state: web::Data<AppState>,
        auth: Auth<Handlers>,
        id: web::Path<i64>,
        Json(b): Json<ExtensionBody>,
    ) -> AppResult<web::Json<Assignment>> {
        check_text("reason", &b.reason)?;
        if !(1..=30).contains(&b.days) {
            return Err(AppError::invalid_field("days", "延期天数须为 1 到 30"));
        }
        let reason = b.reason.trim().to_owned();
        on_assignment(
            state,
            auth.0,
            id.into_inner(),
            None,
            Action::RequestExtension,
            move |_, _| {
                Ok(Effect {
                    assignment: AssignmentChanges {
                        open_request: Some(Some(RequestKind::Extension.as_str().into())),
                        request_reason: Some(Some(reason.clone())),
                        request_days: Some(Some(b.days)),
                        ..Default::default()
                    },
                    note: Some(format!("申请延期 {} 天：{reason}", b.days)),
                    ..Effect::default()
                })
            },
        )
        .await
        .map(web::Json)
    }
);

assignment_action!(
    "/api/v1/assignments/{id}/dispatch",
    "dispatch_assignment_down",
    body = DispatchDownBody,
    /// Hand the order down to a unit below this one (下派); the new assignment's deadline cannot
    /// exceed this one's. Answers with the new assignment.
    pub async fn dispatch_down(
        state: web::Data<AppState>,
        auth: Auth<Handlers>,
        id: web::Path<i64>,
        Json(b): Json<DispatchDownBody>,
    ) -> AppResult<HttpResponse> {
        let created = on_assignment(
            state,
            auth.0,
            id.into_inner(),
            None,
            Action::DispatchDown,
            move |conn, ctx| {
                let (parent, unit) = ctx
                    .assignment
                    .ok_or_else(|| AppError::internal("dispatch down without an assignment"))?;
                let giver = Giver::Unit { parent, unit };
                let reply_by = b.reply_by.map(|t| t.naive_utc());
                new_order(conn, ctx, giver, b.unit_id, reply_by, None)
            },
        )
        .await?;
        Ok(HttpResponse::Created().json(created))
    }
);

assignment_action!(
    "/api/v1/assignments/{id}/progress",
    "note_assignment_progress",
    body = NoteBody,
    /// Note progress on the timeline (办理进展).
    pub async fn progress(
        state: web::Data<AppState>,
        auth: Auth<Handlers>,
        id: web::Path<i64>,
        Json(b): Json<NoteBody>,
    ) -> AppResult<web::Json<Assignment>> {
        check_text("note", &b.note)?;
        let note = b.note.trim().to_owned();
        on_assignment(
            state,
            auth.0,
            id.into_inner(),
            b.version,
            Action::Progress,
            move |_, _| {
                Ok(Effect {
                    note: Some(note),
                    ..Effect::default()
                })
            },
        )
        .await
        .map(web::Json)
    }
);

fn decision_note(b: &DecisionBody) -> AppResult<Option<String>> {
    match &b.note {
        Some(n) => {
            check_text("note", n)?;
            Ok(Some(n.trim().to_owned()))
        }
        None => Ok(None),
    }
}

/// Refusing a return or an extension closes the request and changes nothing else.
async fn refuse(
    state: web::Data<AppState>,
    caller: Caller,
    id: i64,
    action: Action,
    b: &DecisionBody,
) -> AppResult<web::Json<Assignment>> {
    let note = decision_note(b)?;
    on_assignment(state, caller, id, None, action, move |_, _| {
        Ok(Effect {
            assignment: close_request(),
            note,
            ..Effect::default()
        })
    })
    .await
    .map(web::Json)
}

fn close_request() -> AssignmentChanges {
    AssignmentChanges {
        open_request: Some(None),
        request_reason: Some(None),
        request_days: Some(None),
        ..Default::default()
    }
}

assignment_action!(
    "/api/v1/assignments/{id}/return/approve",
    "approve_assignment_return",
    body = DecisionBody,
    /// Approve a unit's return (hotline office): a returned lead sends the order back to
    /// `accepted` for re-dispatch.
    pub async fn approve_return(
        state: web::Data<AppState>,
        auth: Auth<Operators>,
        id: web::Path<i64>,
        OptionalJson(b): OptionalJson<DecisionBody>,
    ) -> AppResult<web::Json<Assignment>> {
        let note = decision_note(&b)?;
        on_assignment(
            state,
            auth.0,
            id.into_inner(),
            None,
            Action::ApproveReturn,
            move |_, ctx| {
                let lead_back = ctx.transition.to == minhu_types::PetitionStatus::Accepted;
                Ok(Effect {
                    assignment: AssignmentChanges {
                        returned_at: Some(Some(ctx.now)),
                        ..close_request()
                    },
                    petition: PetitionChanges {
                        reply_by: lead_back.then_some(None),
                        yellow_at: lead_back.then_some(None),
                        ..Default::default()
                    },
                    note,
                    ..Effect::default()
                })
            },
        )
        .await
        .map(web::Json)
    }
);

assignment_action!(
    "/api/v1/assignments/{id}/return/refuse",
    "refuse_assignment_return",
    body = DecisionBody,
    /// Refuse a unit's return (hotline office): the unit keeps the order.
    pub async fn refuse_return(
        state: web::Data<AppState>,
        auth: Auth<Operators>,
        id: web::Path<i64>,
        OptionalJson(b): OptionalJson<DecisionBody>,
    ) -> AppResult<web::Json<Assignment>> {
        refuse(state, auth.0, id.into_inner(), Action::RefuseReturn, &b).await
    }
);

assignment_action!(
    "/api/v1/assignments/{id}/extension/approve",
    "approve_assignment_extension",
    body = DecisionBody,
    /// Approve an extension (hotline office): the deadline moves by the days asked for.
    pub async fn approve_extension(
        state: web::Data<AppState>,
        auth: Auth<Operators>,
        id: web::Path<i64>,
        OptionalJson(b): OptionalJson<DecisionBody>,
    ) -> AppResult<web::Json<Assignment>> {
        let note = decision_note(&b)?;
        on_assignment(
            state,
            auth.0,
            id.into_inner(),
            None,
            Action::ApproveExtension,
            move |conn, ctx| {
                let (a, _) = ctx
                    .assignment
                    .ok_or_else(|| AppError::internal("extension without an assignment"))?;
                let cal = crate::workflow::load_calendar(conn)?;
                let days = a.request_days.unwrap_or(0);
                let reply_by = crate::domain::calendar::extended(&cal, a.reply_by, days);
                let yellow = yellow_for(conn, a.created_at, reply_by)?;
                let top_lead = a.role == minhu_types::AssignmentRole::Lead && a.parent_id.is_none();
                Ok(Effect {
                    assignment: AssignmentChanges {
                        reply_by: Some(reply_by),
                        yellow_at: Some(Some(yellow)),
                        ..close_request()
                    },
                    petition: PetitionChanges {
                        reply_by: top_lead.then_some(Some(reply_by)),
                        yellow_at: top_lead.then_some(Some(yellow)),
                        ..Default::default()
                    },
                    note: Some(note.unwrap_or_else(|| {
                        format!(
                            "期限延至 {}",
                            db::utc(reply_by).format("%Y-%m-%d %H:%M UTC")
                        )
                    })),
                    ..Effect::default()
                })
            },
        )
        .await
        .map(web::Json)
    }
);

assignment_action!(
    "/api/v1/assignments/{id}/extension/refuse",
    "refuse_assignment_extension",
    body = DecisionBody,
    /// Refuse an extension (hotline office): the deadline stays.
    pub async fn refuse_extension(
        state: web::Data<AppState>,
        auth: Auth<Operators>,
        id: web::Path<i64>,
        OptionalJson(b): OptionalJson<DecisionBody>,
    ) -> AppResult<web::Json<Assignment>> {
        refuse(state, auth.0, id.into_inner(), Action::RefuseExtension, &b).await
    }
);

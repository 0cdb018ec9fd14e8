//! The actions on a petition of the hotline office, the petitioner and the press (accept,
//! reject, merge, dispatch, redo, appeals …): each translates HTTP into one `workflow::act`.

use crate::http::extract::{Operators, Reporters, Submitters, Supervising};
use actix_web::{web, HttpResponse};
use diesel::OptionalExtension;
use minhu_types::{
    Action, DecisionBody, DispatchBody, MergeBody, NoteBody, Petition, Problem, ReasonBody,
    ReplyBody, SupplementBody, VersionBody,
};

use crate::db::petitions::PetitionChanges;
use crate::db::{self, DbConn};
use crate::domain::petitions::MAX_CONTENT;
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Anyone, Auth};
use crate::http::json::{Json, OptionalJson};
use crate::http::AppState;
use crate::workflow::effects;
use crate::workflow::orders::{auto_dispatch, new_order, Giver};
use crate::workflow::{act, Effect, Target};

use super::petitions::{check_text, detail_of, with_actor, MAX_NOTE};

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
            move |conn, ctx| effects::merge(conn, ctx, into),
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
            move |conn, ctx| effects::redo(conn, ctx, reason),
        )
        .await
    }
);

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
                effects::reply_row(conn, ctx, &b, None)?;
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
                let giver = Giver::Hotline { role: b.role };
                let reply_by = b.reply_by.map(|t| t.naive_utc());
                new_order(conn, ctx, giver, b.unit_id, reply_by, None)
            },
        )?;
        detail_of(conn, actor, id)
    })
    .await?;
    Ok(HttpResponse::Created().json(view))
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

//! Liveness, readiness and metrics, for load balancers and Prometheus.

use actix_web::{web, HttpResponse};
use minhu_types::{Health, Problem};

use crate::http::error::{AppError, AppResult};
use crate::http::AppState;

/// The process is up.
#[utoipa::path(
    get, path = "/healthz", tag = "operations", operation_id = "healthz",
    responses((status = 200, description = "Up", body = Health))
)]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health {
        status: "ok".into(),
        primary: None,
        replica: None,
    })
}

/// The database answers: a load balancer may send traffic here. Says where the reads that may
/// lag go: `replica` is `ok` (to the standby), `lagging` or `down` (to the primary meanwhile),
/// or `none`. A standby's state never makes this replica unready: the primary serves.
#[utoipa::path(
    get, path = "/readyz", tag = "operations", operation_id = "readyz",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The database does not answer", body = Problem),
    )
)]
pub async fn readyz(state: web::Data<AppState>) -> AppResult<web::Json<Health>> {
    state
        .db(|conn| {
            crate::db::ping(conn).map_err(|e| AppError::unavailable(format!("数据库无响应：{e}")))
        })
        .await
        .map_err(|e| {
            if e.status.is_server_error() {
                AppError::unavailable("数据库无响应")
            } else {
                e
            }
        })?;
    let replica = state
        .replica
        .as_ref()
        .map_or(crate::db::replica::ReplicaState::None, |r| r.state());
    Ok(web::Json(Health {
        status: "ok".into(),
        primary: Some("ok".into()),
        replica: Some(replica.as_str().into()),
    }))
}

/// Prometheus text exposition. With `MINHU_METRICS_TOKEN` set, only for
/// `Authorization: Bearer <that token>`.
#[utoipa::path(
    get, path = "/metrics", tag = "operations", operation_id = "metrics",
    responses(
        (status = 200, description = "Metrics in Prometheus text format", body = String, content_type = "text/plain"),
        (status = 401, description = "`MINHU_METRICS_TOKEN` is set and the request does not carry it", body = minhu_types::Problem),
    )
)]
pub async fn metrics(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, crate::http::error::AppError> {
    if let Some(want) = &state.metrics_token {
        let given = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        let (a, b) = (
            crate::auth::digest_secret(given),
            crate::auth::digest_secret(want),
        );
        if !crate::auth::digests_equal(&a, &b) {
            return Err(crate::http::error::AppError::unauthorized(
                "invalid_token",
                "/metrics 需要 Authorization: Bearer <MINHU_METRICS_TOKEN>",
            ));
        }
    }
    let s = state.pool.state();
    let pool = crate::http::metrics::PoolState {
        connections: s.connections,
        idle: s.idle_connections,
        max: state.pool.max_size(),
        statements: crate::db::statements_run(&state.pool),
    };
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(pool)))
}

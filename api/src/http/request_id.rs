//! Every request gets an id (or keeps a sane one the client sent in `x-request-id`): it is in
//! the response header, in every problem body and in every log line about the request.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

use crate::http::AppState;

pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

fn accept_client_id(v: &HeaderValue) -> Option<String> {
    let s = v.to_str().ok()?;
    (1..=64).contains(&s.len()).then_some(())?;
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        .then(|| s.to_owned())
}

/// Request id, access log and metrics, around everything else.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(accept_client_id)
        .unwrap_or_else(|| crate::config::random_hex(8));
    let metrics = req.app_data::<web::Data<AppState>>().cloned();
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_owned();

    let mut res = REQUEST_ID.scope(id.clone(), next.call(req)).await?;

    let elapsed = started.elapsed();
    let status = res.status();
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    if let Some(m) = metrics {
        m.metrics
            .observe(method.as_str(), &route, status.as_u16(), elapsed);
    }
    let ms = elapsed.as_secs_f64() * 1000.0;
    if status.is_server_error() {
        tracing::error!(request_id = %id, %method, %path, status = status.as_u16(), ms, "request failed");
    } else {
        tracing::info!(request_id = %id, %method, %path, status = status.as_u16(), ms, "request");
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HeaderName::from_static(HEADER), v);
    }
    Ok(res)
}

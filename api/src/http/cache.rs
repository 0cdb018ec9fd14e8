//! HTTP caching of public pages, so that a proxy or CDN in front of the newspaper's app can
//! absorb the readers of a hot story: a strong `ETag` over the body (a repeat visit with
//! `If-None-Match` gets `304 Not Modified` without the body) and a short `s-maxage` for shared
//! caches, while browsers revalidate every time (`max-age=0`), so a petitioner never sees a
//! stale page of their own petition.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::error::{AppError, AppResult};

/// How long a shared cache (proxy, CDN) may serve a public page without asking again.
pub const PUBLIC_MAX_AGE_SECS: u32 = 10;

/// `value` as JSON with an `ETag` and `Cache-Control: public, max-age=0, s-maxage=…`; `304` when the client
/// already holds this very body.
pub fn public_json<T: Serialize>(req: &HttpRequest, value: &T) -> AppResult<HttpResponse> {
    let body = serde_json::to_vec(value).map_err(|e| AppError::internal(format!("json: {e}")))?;
    let etag = format!("\"{}\"", &crate::auth::hex(&Sha256::digest(&body))[..32]);
    let control = format!("public, max-age=0, s-maxage={PUBLIC_MAX_AGE_SECS}");
    let held = req
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            let t = t.trim();
            t == "*" || t.trim_start_matches("W/") == etag
        });
    let mut res = if held {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, control))
        .insert_header((header::VARY, "Accept-Encoding"));
    Ok(if held {
        res.finish()
    } else {
        res.content_type("application/json").body(body)
    })
}

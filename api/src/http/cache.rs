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

/// A public page as sent: the body, its media type and its `ETag`.
#[derive(Clone)]
pub struct Built {
    body: actix_web::web::Bytes,
    content_type: &'static str,
    etag: String,
    /// Whether shared caches (proxies, CDNs) may serve it without asking (`s-maxage`).
    shared: bool,
}

impl Built {
    /// `value` as JSON.
    pub fn of<T: Serialize>(value: &T) -> AppResult<Built> {
        let body =
            serde_json::to_vec(value).map_err(|e| AppError::internal(format!("json: {e}")))?;
        Ok(Built::with(body, "application/json"))
    }

    /// A body already serialised, of this media type.
    pub fn with(body: Vec<u8>, content_type: &'static str) -> Built {
        let etag = format!("\"{}\"", &crate::auth::hex(&Sha256::digest(&body))[..32]);
        Built {
            body: body.into(),
            content_type,
            etag,
            shared: true,
        }
    }

    /// Not to be served by shared caches without asking (`no-cache`; `ETag` revalidation still
    /// answers 304): for a page built from the request's own `Host`/`Forwarded` headers (Open311
    /// lists' photo addresses), which a proxy would not key it by.
    pub fn unshared(self) -> Built {
        Built {
            shared: false,
            ..self
        }
    }

    /// The page with its `ETag` and `Cache-Control: public, max-age=0, s-maxage=…`; `304`
    /// when the client already holds this very body.
    pub fn respond(&self, req: &HttpRequest) -> HttpResponse {
        let control = if self.shared {
            format!("public, max-age=0, s-maxage={PUBLIC_MAX_AGE_SECS}")
        } else {
            "no-cache".to_owned()
        };
        let held = req
            .headers()
            .get_all(header::IF_NONE_MATCH)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| {
                let t = t.trim();
                t == "*" || t.trim_start_matches("W/") == self.etag
            });
        let mut res = if held {
            HttpResponse::NotModified()
        } else {
            HttpResponse::Ok()
        };
        res.insert_header((header::ETAG, self.etag.clone()))
            .insert_header((header::CACHE_CONTROL, control))
            .insert_header((header::VARY, "Accept-Encoding"));
        if held {
            res.finish()
        } else {
            res.content_type(self.content_type).body(self.body.clone())
        }
    }
}

/// The public pages built in the last moment (`MINHU_PUBLIC_CACHE_MS`, default one second),
/// by their query: when a story runs, thousands of readers ask each replica for the same first
/// page of the feed, the same petition's tracking page or the same Open311 list within the same
/// second; one of them builds it and the others of that moment wait for its bytes, so a page
/// costs the same however many read it. A page is at most that old — less than the `s-maxage` a
/// CDN already may serve it for — and forgotten at once by any change made through this
/// replica ([`Kept`]).
pub type Recent = super::kept::Kept<String, Built>;

/// At most this many feed pages and Open311 lists are kept (queries are the readers' to
/// choose); tracking pages are kept apart, so that many numbers looked up in a moment do not
/// push the hot story's feed page out.
pub const MAX_PAGES: usize = 256;
/// At most this many tracking pages are kept.
pub const MAX_TRACKING_PAGES: usize = 4096;

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
        }
    }

    /// The page with its `ETag` and `Cache-Control: public, max-age=0, s-maxage=…`; `304`
    /// when the client already holds this very body.
    pub fn respond(&self, req: &HttpRequest) -> HttpResponse {
        let control = format!("public, max-age=0, s-maxage={PUBLIC_MAX_AGE_SECS}");
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
/// second; one of them builds it and the rest get its bytes, so a page costs the same however
/// many read it. A page is at most that old — less than
/// the `s-maxage` a CDN already may serve it for. At most `MAX_PAGES` pages are kept (queries
/// are the readers' to choose); beyond that the old ones go.
pub struct Recent {
    ttl: chrono::Duration,
    pages: std::sync::Mutex<std::collections::HashMap<String, (chrono::NaiveDateTime, Built)>>,
    /// One builder per page at a time: when a page runs out, the readers who ask for it in
    /// that moment wait for one build instead of each building it (single flight).
    gates: std::sync::Mutex<Gates>,
}

type Gates = std::collections::HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>;

const MAX_PAGES: usize = 256;

impl Recent {
    pub fn new(ttl_ms: u64) -> Recent {
        Recent {
            ttl: chrono::Duration::milliseconds(i64::try_from(ttl_ms).unwrap_or(0)),
            pages: Default::default(),
            gates: Default::default(),
        }
    }

    /// The gate whose holder builds the page for `key` (none when nothing is kept: then every
    /// request builds its own).
    pub fn gate(&self, key: &str) -> Option<std::sync::Arc<tokio::sync::Mutex<()>>> {
        if self.ttl <= chrono::Duration::zero() {
            return None;
        }
        let mut gates = self.gates.lock().ok()?;
        if gates.len() >= MAX_PAGES && !gates.contains_key(key) {
            // Only gates nobody is waiting at go.
            gates.retain(|_, g| std::sync::Arc::strong_count(g) > 1);
        }
        Some(gates.entry(key.to_owned()).or_default().clone())
    }

    /// The page built for `key` less than the time-to-live before `now`.
    pub fn get(&self, key: &str, now: chrono::NaiveDateTime) -> Option<Built> {
        if self.ttl <= chrono::Duration::zero() {
            return None;
        }
        let pages = self.pages.lock().ok()?;
        pages
            .get(key)
            .filter(|(at, _)| now >= *at && now - *at < self.ttl)
            .map(|(_, b)| b.clone())
    }

    /// The page kept for `key`, or built by `build` and kept: while one reader builds a page
    /// that ran out, the others asking for it wait for that build (single flight).
    pub async fn kept_or_built<E, Fut>(
        &self,
        key: String,
        clock: &crate::clock::Clock,
        build: impl FnOnce() -> Fut,
    ) -> Result<Built, E>
    where
        Fut: std::future::Future<Output = Result<Built, E>>,
    {
        if let Some(page) = self.get(&key, clock.now()) {
            return Ok(page);
        }
        let gate = self.gate(&key);
        let _turn = match &gate {
            Some(g) => Some(g.lock().await),
            None => None,
        };
        // Whoever held the gate before may have built it meanwhile.
        let now = clock.now();
        if let Some(page) = self.get(&key, now) {
            return Ok(page);
        }
        let page = build().await?;
        self.put(key, now, page.clone());
        Ok(page)
    }

    /// Forgets every kept page (after a change the public must see at once).
    pub fn clear(&self) {
        if let Ok(mut pages) = self.pages.lock() {
            pages.clear();
        }
    }

    pub fn put(&self, key: String, now: chrono::NaiveDateTime, page: Built) {
        if self.ttl <= chrono::Duration::zero() {
            return;
        }
        if let Ok(mut pages) = self.pages.lock() {
            if pages.len() >= MAX_PAGES {
                let ttl = self.ttl;
                pages.retain(|_, (at, _)| now >= *at && now - *at < ttl);
                if pages.len() >= MAX_PAGES {
                    pages.clear();
                }
            }
            pages.insert(key, (now, page));
        }
    }
}

//! The typed API client: requests and responses are the shared `minhu-types` DTOs, and error
//! bodies decode into the API's problem details.

use gloo_net::http::{Method, RequestBuilder, Response};
use minhu_types::Problem;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::text::Text;

pub const BASE: &str = "/api/v1";

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    Problem(Problem),
    Network,
}

impl ApiError {
    /// What to tell the user: the server's explanation, with each invalid field.
    pub fn message(&self, t: &Text) -> String {
        match self {
            ApiError::Network => t.network_error.to_owned(),
            ApiError::Problem(p) if p.errors.is_empty() => p.detail.clone(),
            ApiError::Problem(p) => {
                let fields: Vec<String> = p
                    .errors
                    .iter()
                    .map(|e| format!("{}：{}", t.field_name(&e.field), e.message))
                    .collect();
                format!("{}（{}）", p.title, fields.join("；"))
            }
        }
    }

    /// The message the server gave for one field of the form, if any.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            ApiError::Problem(p) => p
                .errors
                .iter()
                .find(|e| e.field == name)
                .map(|e| e.message.clone()),
            ApiError::Network => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Problem(p) => Some(p.status),
            ApiError::Network => None,
        }
    }

    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }
}

/// `?a=1&b=x` from the pairs that have a value (percent-encoded), or "" when none has.
pub fn query(pairs: &[(&str, Option<String>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| {
            v.as_ref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", encode(v)))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Percent-encoding for a query value (UTF-8 bytes; unreserved characters kept).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn request(method: Method, token: Option<&str>, path: &str) -> RequestBuilder {
    let mut r = RequestBuilder::new(&format!("{BASE}{path}")).method(method);
    if let Some(t) = token {
        r = r.header("Authorization", &format!("Bearer {t}"));
    }
    r
}

async fn problem(resp: Response) -> ApiError {
    match resp.json::<Problem>().await {
        Ok(p) => ApiError::Problem(p),
        Err(_) => ApiError::Network,
    }
}

async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    if resp.ok() {
        resp.json::<T>().await.map_err(|_| ApiError::Network)
    } else {
        Err(problem(resp).await)
    }
}

pub async fn get<T: DeserializeOwned>(token: Option<&str>, path: &str) -> Result<T, ApiError> {
    let resp = request(Method::GET, token, path)
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    decode(resp).await
}

/// A text body (the briefing as Markdown or CSV), for download.
#[cfg(feature = "work")]
pub async fn get_text(token: Option<&str>, path: &str) -> Result<String, ApiError> {
    let resp = request(Method::GET, token, path)
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    if resp.ok() {
        resp.text().await.map_err(|_| ApiError::Network)
    } else {
        Err(problem(resp).await)
    }
}

/// POST/PATCH/PUT with a JSON body; the answer decodes into `T`.
pub async fn send<B: Serialize, T: DeserializeOwned>(
    method: Method,
    token: Option<&str>,
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    let resp = request(method, token, path)
        .json(body)
        .map_err(|_| ApiError::Network)?
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    decode(resp).await
}

/// Signs the token out on the server (`POST /auth/logout`, 204 without a body): it stops
/// working at once, wherever a copy of it is. Failing to reach the server changes nothing for
/// the page, which forgets the token anyway.
pub async fn sign_out(token: &str) {
    if let Ok(r) = request(Method::POST, Some(token), "/auth/logout").json(&serde_json::json!({})) {
        let _ = r.send().await;
    }
}

/// DELETE: the API answers 204 without a body.
#[cfg(feature = "work")]
pub async fn delete(token: Option<&str>, path: &str) -> Result<(), ApiError> {
    no_content(Method::DELETE, token, path).await
}

/// A request without a body that the API answers with 204 and no body (following a petition).
pub async fn no_content(method: Method, token: Option<&str>, path: &str) -> Result<(), ApiError> {
    let resp = request(method, token, path)
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    if resp.ok() {
        Ok(())
    } else {
        Err(problem(resp).await)
    }
}

/// A request without a body whose answer decodes into `T` (supporting a petition answers
/// the count).
pub async fn call<T: DeserializeOwned>(
    method: Method,
    token: Option<&str>,
    path: &str,
) -> Result<T, ApiError> {
    let resp = request(method, token, path)
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    decode(resp).await
}

/// An action whose answer the page does not need (it reloads what it shows).
pub async fn act<B: Serialize>(token: Option<&str>, path: &str, body: &B) -> Result<(), ApiError> {
    send::<B, serde_json::Value>(Method::POST, token, path, body)
        .await
        .map(|_| ())
}

/// Object URLs one view made, revoked together when it goes (one that arrives later, at once):
/// each holds its image in memory until revoked.
#[derive(Clone)]
pub struct ObjectUrls(std::sync::Arc<std::sync::Mutex<Option<Vec<String>>>>);

impl ObjectUrls {
    pub fn new() -> Self {
        Self(std::sync::Arc::new(std::sync::Mutex::new(Some(Vec::new()))))
    }

    /// Keeps `url` to revoke later; false (and revoked now) when the view is already gone.
    pub fn keep(&self, url: &str) -> bool {
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match held.as_mut() {
            Some(urls) => {
                urls.push(url.to_owned());
                true
            }
            None => {
                let _ = web_sys::Url::revoke_object_url(url);
                false
            }
        }
    }

    pub fn revoke_all(&self) {
        let held = self.0.lock().unwrap_or_else(|e| e.into_inner()).take();
        for url in held.into_iter().flatten() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    }
}

/// An image the API serves (photos need the token unless public), as an object URL for
/// `<img src>`; the caller revokes it when done (see [`ObjectUrls`]).
pub async fn image_url(token: Option<&str>, path: &str) -> Result<String, ApiError> {
    let resp = request(Method::GET, token, path)
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    if !resp.ok() {
        return Err(problem(resp).await);
    }
    let mime = resp.headers().get("content-type").unwrap_or_default();
    let bytes = resp.binary().await.map_err(|_| ApiError::Network)?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(&mime);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)
        .and_then(|b| web_sys::Url::create_object_url_with_blob(&b))
        .map_err(|_| ApiError::Network)
}

/// Uploads a file as `multipart/form-data` field `file`.
pub async fn upload<T: DeserializeOwned>(
    token: Option<&str>,
    path: &str,
    file: &web_sys::File,
) -> Result<T, ApiError> {
    let form = web_sys::FormData::new().map_err(|_| ApiError::Network)?;
    form.append_with_blob_and_filename("file", file, &file.name())
        .map_err(|_| ApiError::Network)?;
    let resp = request(Method::POST, token, path)
        .body(form)
        .map_err(|_| ApiError::Network)?
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    decode(resp).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings() {
        assert_eq!(query(&[("a", None), ("b", Some(String::new()))]), "");
        assert_eq!(
            query(&[("q", Some("路灯 坏了".into())), ("page", Some("2".into()))]),
            "?q=%E8%B7%AF%E7%81%AF%20%E5%9D%8F%E4%BA%86&page=2"
        );
        assert_eq!(encode("a&b=c"), "a%26b%3Dc");
    }
}

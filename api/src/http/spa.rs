//! The built single-page app, served at `/`. Paths that name a file of the build get the file;
//! every other GET falls back to `index.html`, where the app's router takes over.
//!
//! Served like a production site: the build names its scripts, wasm and styles by their content
//! (`minhu-1a2b3c4d5e.js`, see `.ci/lib.sh` `build_web`), so those are cached for a year without
//! asking again (`immutable`); `index.html`, which names them, is revalidated on every visit (a
//! repeat visit fetches only it). Each file is kept precompressed beside it (`.br`, `.gz`): the
//! variant the browser accepts is sent as it is, nothing is compressed per request.

use actix_files::NamedFile;
use actix_web::http::header::{self, ContentEncoding, HeaderValue};
use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};

use super::error::{AppError, AppResult};
use super::AppState;

/// A request path that can only name a file of the flat build directory.
fn asset_name(path: &str) -> Option<&str> {
    let name = path.strip_prefix('/')?;
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    ok.then_some(name)
}

pub async fn serve(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(AppError::not_found(format!("地址 {} 不存在", req.path())));
    }
    let dir = &state.web_dir;
    let file = asset_name(req.path())
        .map(|n| dir.join(n))
        .filter(|p| p.is_file());
    let looks_like_asset = req
        .path()
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    let target = match file {
        Some(f) => f,
        None if looks_like_asset => {
            return Err(AppError::not_found(format!("文件 {} 不存在", req.path())))
        }
        None => dir.join("index.html"),
    };
    let accepted = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(accepted_encodings)
        .unwrap_or_default();
    let precompressed = accepted.into_iter().find_map(|(suffix, encoding)| {
        let mut path = target.clone().into_os_string();
        path.push(suffix);
        let path = std::path::PathBuf::from(path);
        path.is_file().then_some((path, encoding))
    });
    let named = match precompressed {
        Some((path, encoding)) => {
            let ext = target.extension().and_then(|e| e.to_str()).unwrap_or("");
            // Shown, not downloaded: the name on disk (`….br`) is not the page's.
            NamedFile::open_async(&path).await.map(|f| {
                f.set_content_type(actix_files::file_extension_to_mime(ext))
                    .set_content_encoding(encoding)
                    .disable_content_disposition()
            })
        }
        None => NamedFile::open_async(&target).await,
    }
    .map_err(|_| {
        AppError::not_found("网页应用尚未构建：请先运行 README 中的启动命令（它会构建 web/dist）")
    })?;
    let immutable = target
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(content_named);
    let mut res = named.into_response(&req);
    let headers = res.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if immutable {
            "public, max-age=31536000, immutable"
        } else {
            // index.html and anything not named by its content: revalidate (ETag) every time.
            "no-cache"
        }),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    Ok(res)
}

/// Whether a build file is named by its content: `stem-<10 hex digits>.ext`.
fn content_named(name: &str) -> bool {
    name.split_once('.')
        .and_then(|(stem, _)| stem.rsplit_once('-'))
        .is_some_and(|(_, hash)| hash.len() == 10 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The precompressed variants the client takes, best first: brotli, then gzip (`q=0` refuses).
fn accepted_encodings(header: &str) -> Vec<(&'static str, ContentEncoding)> {
    let takes = |name: &str| {
        header.split(',').any(|part| {
            let mut it = part.split(';');
            let token = it.next().unwrap_or("").trim();
            let refused = it.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            token.eq_ignore_ascii_case(name) && !refused
        })
    };
    let mut out = Vec::new();
    if takes("br") {
        out.push((".br", ContentEncoding::Brotli));
    }
    if takes("gzip") {
        out.push((".gz", ContentEncoding::Gzip));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{accepted_encodings, asset_name, content_named};

    #[test]
    fn content_named_files_are_recognised() {
        assert!(content_named("minhu-0123456789.js"));
        assert!(content_named("minhu_bg-abcdef0123.wasm"));
        // The work app, the officials' build beside the residents' one.
        assert!(content_named("minhu-work-0123456789.js"));
        assert!(content_named("minhu-work_bg-abcdef0123.wasm"));
        assert!(!content_named("index.html"));
        assert!(!content_named("style.css"));
        assert!(!content_named("minhu-xyz.js"));
    }

    #[test]
    fn brotli_first_and_q0_refuses() {
        let names = |h: &str| -> Vec<&str> { accepted_encodings(h).iter().map(|e| e.0).collect() };
        assert_eq!(names("gzip, deflate, br, zstd"), [".br", ".gz"]);
        assert_eq!(names("gzip"), [".gz"]);
        assert_eq!(names("br;q=0, gzip;q=0.5"), [".gz"]);
        assert!(names("identity").is_empty());
    }

    #[test]
    fn only_plain_file_names_are_assets() {
        assert_eq!(asset_name("/minhu_bg.wasm"), Some("minhu_bg.wasm"));
        assert_eq!(asset_name("/../etc/passwd"), None);
        assert_eq!(asset_name("/.env"), None);
        assert_eq!(asset_name("/petitions/12"), None);
        assert_eq!(asset_name("/"), None);
    }
}

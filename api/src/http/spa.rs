//! The built single-page app, served at `/`. Paths that name a file of the build get the file;
//! every other GET falls back to `index.html`, where the app's router takes over.

use actix_files::NamedFile;
use actix_web::http::header::{self, HeaderValue};
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
    let named = NamedFile::open_async(&target).await.map_err(|_| {
        AppError::not_found("网页应用尚未构建：请先运行 README 中的启动命令（它会构建 web/dist）")
    })?;
    let mut res = named.into_response(&req);
    // Files keep their names across builds: always revalidate (ETag) instead of caching blindly.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::asset_name;

    #[test]
    fn only_plain_file_names_are_assets() {
        assert_eq!(asset_name("/minhu_bg.wasm"), Some("minhu_bg.wasm"));
        assert_eq!(asset_name("/../etc/passwd"), None);
        assert_eq!(asset_name("/.env"), None);
        assert_eq!(asset_name("/petitions/12"), None);
        assert_eq!(asset_name("/"), None);
    }
}

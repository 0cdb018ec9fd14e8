//! Every error leaves the server as RFC 9457 problem details (`application/problem+json`), the
//! framework's own included. Unexpected errors are logged with the request id; the response
//! carries the id and nothing of the cause.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use minhu_types::{FieldError, Problem};

use super::request_id;

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, Clone)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`).
    pub headers: Vec<(header::HeaderName, String)>,
    /// The cause of a 5xx, for the log only.
    pub internal: Option<String>,
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)?;
        if let Some(cause) = &self.internal {
            write!(f, " ({cause})")?;
        }
        Ok(())
    }
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        AppError {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
            internal: None,
        }
    }

    pub fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
            .with_header(header::WWW_AUTHENTICATE, "Bearer")
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", detail)
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    /// 405 with `Allow` listing `methods` (lower-case names as in the route table).
    pub fn method_not_allowed_names(methods: &[&str]) -> Self {
        let allow = methods
            .iter()
            .map(|m| m.to_ascii_uppercase())
            .collect::<Vec<_>>()
            .join(", ");
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("此地址只支持 {allow} 请求"),
        )
        .with_header(header::ALLOW, allow)
    }

    /// 422 naming each invalid field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let fields = errors
            .iter()
            .map(|e| e.field.as_str())
            .collect::<Vec<_>>()
            .join("、");
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            format!("请求内容校验失败，请修改这些字段：{fields}"),
        );
        e.errors = errors;
        e
    }

    /// 422 for a single field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    pub fn too_many_requests(retry_after_secs: u64, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", detail)
            .with_header(header::RETRY_AFTER, retry_after_secs.max(1).to_string())
    }

    pub fn payload_too_large(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", detail)
    }

    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            detail,
        )
    }

    /// The same answer, with what caused it for the log (never shown to the caller).
    pub fn with_cause(mut self, cause: impl std::fmt::Display) -> Self {
        self.internal = Some(cause.to_string());
        self
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
    }

    /// Something that should not happen: logged with its cause, answered as a bare 500.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "服务器内部错误，请稍后重试；如持续出现，请联系管理员并提供请求编号",
        )
        .with_cause(cause)
    }

    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("urn:minhu:problem:{}", self.code),
            title: title(self.status).to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.to_owned(),
            errors: self.errors.clone(),
            request_id: request_id::current(),
        }
    }
}

/// The title of each kind of problem (zh-CN).
fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "请求格式错误",
        401 => "未登录或登录已失效",
        403 => "无权执行此操作",
        404 => "未找到",
        405 => "不支持的请求方法",
        409 => "操作冲突",
        413 => "请求内容过大",
        415 => "不支持的内容类型",
        422 => "请求内容校验失败",
        429 => "请求过于频繁",
        503 => "服务暂不可用",
        _ => "服务器内部错误",
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.internal {
            tracing::error!(request_id = request_id::current().as_deref().unwrap_or("-"), cause = %cause, "unexpected error");
        }
        let mut res = HttpResponse::build(self.status);
        res.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        for (name, value) in &self.headers {
            if let Ok(v) = HeaderValue::from_str(value) {
                res.insert_header((name.clone(), v));
            }
        }
        res.body(serde_json::to_vec(&self.problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => AppError::not_found("未找到该资源，或您无权查看"),
            // Two transactions waited on each other (PostgreSQL ended one): nothing was written.
            diesel::result::Error::DatabaseError(_, info)
                if info.message().contains("deadlock detected") =>
            {
                AppError::conflict(
                    "concurrent_change",
                    "另一项操作同时修改了相关工单，本次未作任何更改，请刷新后重试",
                )
            }
            other => AppError::internal(format!("database: {other}")),
        }
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::internal(format!("blocking task: {e}"))
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        // Every connection busy for the whole timeout: overloaded, not broken.
        tracing::warn!(error = %e, "database pool exhausted");
        AppError::unavailable("数据库繁忙，请稍后重试").with_header(header::RETRY_AFTER, "1")
    }
}

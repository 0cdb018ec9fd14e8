//! The application's error: what went wrong, in the terms the caller is answered in (a status,
//! a stable code, a Chinese detail, the fields to fix). The use cases (`workflow`, `views`,
//! `jobs`, `webhooks`) and storage return it; `http::error` turns it into RFC 9457 problem
//! details, and nothing here knows about requests.

use actix_web::http::header;
pub use actix_web::http::StatusCode;
use minhu_types::FieldError;

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
            // The server went away under this connection (restart, failover): the pool drops
            // it when it comes back, so a retry gets a fresh one.
            e if crate::db::connection_lost(&e) => {
                tracing::warn!(error = %e, "database connection lost");
                AppError::unavailable("数据库连接中断，请稍后重试")
                    .with_header(header::RETRY_AFTER, "1")
            }
            // A column changed under this connection's prepared statements (another replica
            // migrated): the pool drops the connection when it comes back, a retry gets a new one.
            e if crate::db::stale_plan(&e) => {
                tracing::warn!(error = %e, "prepared statements went stale: reconnecting");
                AppError::unavailable("数据库结构刚刚更新，请稍后重试")
                    .with_header(header::RETRY_AFTER, "1")
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
        tracing::warn!(error = %e, "database pool exhausted");
        AppError::pool_exhausted()
    }
}

impl AppError {
    /// Every connection busy for the whole timeout: overloaded, not broken.
    pub fn pool_exhausted() -> Self {
        AppError::unavailable("数据库繁忙，请稍后重试").with_header(header::RETRY_AFTER, "1")
    }
}

//! Every error leaves the server as RFC 9457 problem details (`application/problem+json`), the
//! framework's own included. Unexpected errors are logged with the request id; the response
//! carries the id and nothing of the cause.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use minhu_types::Problem;

pub use crate::error::{AppError, AppResult};

use super::request_id;

impl AppError {
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
        410 => "链接已失效",
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

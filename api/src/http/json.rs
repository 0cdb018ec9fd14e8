//! The JSON body extractor. Unlike `web::Json`, it answers in problem details, refuses a JSON
//! array or scalar where an object is expected, refuses NUL characters (PostgreSQL cannot store
//! them), and names the offending field of a type error.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::AppError;

/// JSON bodies larger than this are refused with 413.
pub const MAX_JSON_BYTES: usize = 1024 * 1024;

pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = is_json(req);
        let declared_len = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(AppError::unsupported_media_type(
                    "请求体须为 JSON，请设置 Content-Type: application/json",
                ));
            }
            if declared_len.is_some_and(|n| n > MAX_JSON_BYTES) {
                return Err(too_large());
            }
            let mut body = Vec::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    AppError::bad_request("bad_body", format!("读取请求体失败：{e}"))
                })?;
                if body.len() + chunk.len() > MAX_JSON_BYTES {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            parse(&body).map(Json)
        })
    }
}

/// A JSON body that may be left out entirely, for actions whose fields are all optional
/// (`POST /petitions/{id}/accept` with or without `{"version": 3}`). An empty body is the
/// default; anything else is parsed like [`Json`].
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        use actix_web::http::header;
        let headers = req.headers();
        let length = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let empty = length == Some(0)
            || (length.is_none()
                && !headers.contains_key(header::TRANSFER_ENCODING)
                && !headers.contains_key(header::CONTENT_TYPE));
        if empty {
            return Box::pin(async { Ok(OptionalJson(T::default())) });
        }
        let inner = Json::<T>::from_request(req, payload);
        Box::pin(async move { inner.await.map(|Json(v)| OptionalJson(v)) })
    }
}

fn too_large() -> AppError {
    AppError::payload_too_large(format!("请求体超过 {} KB 的上限", MAX_JSON_BYTES / 1024))
}

fn is_json(req: &HttpRequest) -> bool {
    let Some(ct) = req.headers().get(actix_web::http::header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(ct) = ct.to_str() else { return false };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses a request body into `T`, with the errors described above.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::bad_request(
            "malformed_json",
            "请求体为空，需要一个 JSON 对象",
        ));
    }
    let mut value: Value = serde_json::from_slice(body).map_err(|e| {
        AppError::bad_request(
            "malformed_json",
            format!(
                "请求体不是合法的 JSON（第 {} 行第 {} 列）：{e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    if !value.is_object() {
        return Err(AppError::invalid_field(
            "",
            "请求体必须是 JSON 对象（{…}），不能是数组或单个值",
        ));
    }
    if let Some(field) = find_nul(&value, String::new()) {
        return Err(AppError::invalid_field(
            &field,
            "不能包含 NUL (\\u0000) 字符",
        ));
    }
    integral_floats_as_integers(&mut value);
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let (field, message) = describe(&path, &inner);
        AppError::invalid_field(&field, message)
    })
}

/// JSON (and JSON Schema) has one number type: `3.0` is the integer 3, and some clients send
/// every number that way. serde would refuse it for an integer field, so such numbers become
/// integers before the body meets its type (a float field takes an integer just as well).
fn integral_floats_as_integers(v: &mut Value) {
    match v {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    *v = Value::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(map) => map.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

/// The path of the first string (or key) holding a NUL character.
fn find_nul(v: &Value, path: String) -> Option<String> {
    match v {
        Value::String(s) if s.contains('\0') => Some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| find_nul(x, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, x)| {
            // The answer names the key without repeating the NUL it refuses.
            let has_nul = k.contains('\0');
            let k = k.replace('\0', "\\u0000");
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if has_nul {
                Some(p)
            } else {
                find_nul(x, p)
            }
        }),
        _ => None,
    }
}

/// Turns serde's message into a field name and a message in Chinese.
fn describe(path: &str, serde_message: &str) -> (String, String) {
    let base = if path == "." {
        String::new()
    } else {
        path.to_owned()
    };
    // serde_path_to_error puts an unknown field in the path already, a missing one not.
    let join = |name: &str| {
        if base.is_empty() || base == name || base.ends_with(&format!(".{name}")) {
            if base.is_empty() {
                name.to_owned()
            } else {
                base.clone()
            }
        } else {
            format!("{base}.{name}")
        }
    };
    let quoted = serde_message.split('`').nth(1).unwrap_or("");
    if serde_message.starts_with("missing field") {
        (join(quoted), "必填".to_owned())
    } else if serde_message.starts_with("unknown field") {
        (join(quoted), "不支持此字段".to_owned())
    } else if serde_message.starts_with("unknown variant") {
        let expected = serde_message.split("expected ").nth(1).unwrap_or("");
        (
            base,
            format!("取值 {quoted} 无效，可选：{}", expected.replace('`', "")),
        )
    } else if serde_message.starts_with("invalid type") {
        (base, format!("类型错误：{serde_message}"))
    } else {
        (base, format!("取值无效：{serde_message}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minhu_types::{NewUnit, RegisterRequest};

    fn err<T: DeserializeOwned + std::fmt::Debug>(body: &str) -> AppError {
        parse::<T>(body.as_bytes()).expect_err(body)
    }

    #[test]
    fn malformed_json_is_400_and_structure_errors_are_422_with_the_field() {
        assert_eq!(err::<NewUnit>("{\"name\": ").status, 400);
        assert_eq!(err::<NewUnit>("").status, 400);
        let e = err::<NewUnit>("[\"x\", \"district\"]");
        assert_eq!(e.status, 422);
        let e = err::<NewUnit>(r#"{"name": 5, "kind": "district"}"#);
        assert_eq!(
            (e.status.as_u16(), e.errors[0].field.as_str()),
            (422, "name")
        );
        let e = err::<NewUnit>(r#"{"name": "x", "kind": "planet"}"#);
        assert_eq!(e.errors[0].field, "kind");
        assert!(
            e.errors[0].message.contains("district"),
            "{}",
            e.errors[0].message
        );
        let e = err::<RegisterRequest>(r#"{"username": "x", "display_name": "y"}"#);
        assert_eq!(e.errors[0].field, "password");
        let e = err::<NewUnit>(r#"{"name": "a\u0000b", "kind": "district"}"#);
        assert_eq!(e.errors[0].field, "name");
    }

    #[test]
    fn a_whole_number_written_as_a_float_is_an_integer() {
        let unit: NewUnit =
            parse(br#"{"name": "x", "kind": "street", "parent_id": 7.0}"#).expect("7.0 is 7");
        assert_eq!(unit.parent_id, Some(7));
        let e = err::<NewUnit>(r#"{"name": "x", "kind": "street", "parent_id": 7.5}"#);
        assert_eq!(
            (e.status.as_u16(), e.errors[0].field.as_str()),
            (422, "parent_id")
        );
    }
}

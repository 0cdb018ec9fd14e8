//! The query-string extractor. Like `web::Query`, answering a malformed query with 400 in
//! problem details; and, since JSON Schema counts `7.0` as the integer 7, a query that fails
//! only because such a number stands where an integer belongs is read with it as `7`.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::error::AppError;

pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(Query))
    }
}

pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    let first = match serde_urlencoded::from_str::<T>(query) {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    let bad = || AppError::bad_request("invalid_query", format!("查询参数有误：{first}"));
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).map_err(|_| bad())?;
    let mut changed = false;
    let fixed: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(k, v)| match whole_number(&v) {
            Some(n) => {
                changed = true;
                (k, n)
            }
            None => (k, v),
        })
        .collect();
    if !changed {
        return Err(bad());
    }
    let again = serde_urlencoded::to_string(&fixed).map_err(|_| bad())?;
    serde_urlencoded::from_str(&again).map_err(|_| bad())
}

/// `7.0` → `7`, `-3.00` → `-3`; anything else `None`.
fn whole_number(v: &str) -> Option<String> {
    let (int, frac) = v.split_once('.')?;
    let digits = int.strip_prefix('-').unwrap_or(int);
    let ok = !frac.is_empty()
        && frac.bytes().all(|b| b == b'0')
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| int.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Q {
        unit_id: Option<i64>,
        q: Option<String>,
    }

    #[test]
    fn whole_numbers_written_as_decimals_are_integers() {
        let q: Q = parse("unit_id=7.0&q=abc").expect("7.0 is 7");
        assert_eq!(
            q,
            Q {
                unit_id: Some(7),
                q: Some("abc".into())
            }
        );
        // Text that only looks like a number is left alone when nothing fails (in a query that
        // fails, it is read as the whole number too: the price of not knowing the types).
        let q: Q = parse("q=1.0").expect("text");
        assert_eq!(q.q.as_deref(), Some("1.0"));
        assert_eq!(
            parse::<Q>("unit_id=7.5").err().map(|e| e.status.as_u16()),
            Some(400)
        );
        assert_eq!(
            parse::<Q>("unit_id=x").err().map(|e| e.status.as_u16()),
            Some(400)
        );
    }
}

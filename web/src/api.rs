//! The typed API client: requests and responses are the shared `minhu-types` DTOs, and error
//! bodies decode into the API's problem details.

use gloo_net::http::{Request, Response};
use minhu_types::{LoginRequest, Problem, TokenResponse, User};
use serde::de::DeserializeOwned;

use crate::text;

#[derive(Debug, Clone)]
pub enum ApiError {
    Problem(Problem),
    Network,
}

impl ApiError {
    /// What to tell the user: the server's explanation, with each invalid field.
    pub fn message(&self) -> String {
        match self {
            ApiError::Network => text::NETWORK_ERROR.to_owned(),
            ApiError::Problem(p) if p.errors.is_empty() => p.detail.clone(),
            ApiError::Problem(p) => {
                let fields: Vec<String> = p
                    .errors
                    .iter()
                    .map(|e| format!("{}：{}", e.field, e.message))
                    .collect();
                format!("{}（{}）", p.title, fields.join("；"))
            }
        }
    }

    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ApiError::Problem(p) if p.status == 401)
    }
}

async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    if resp.ok() {
        resp.json::<T>().await.map_err(|_| ApiError::Network)
    } else {
        match resp.json::<Problem>().await {
            Ok(p) => Err(ApiError::Problem(p)),
            Err(_) => Err(ApiError::Network),
        }
    }
}

pub async fn login(req: &LoginRequest) -> Result<TokenResponse, ApiError> {
    let resp = Request::post("/api/v1/auth/login")
        .json(req)
        .map_err(|_| ApiError::Network)?
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    decode(resp).await
}

pub async fn me(token: &str) -> Result<User, ApiError> {
    let resp = Request::get("/api/v1/me")
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    decode(resp).await
}

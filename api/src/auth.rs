//! Credentials: argon2id password hashes, SHA-256 digests of high-entropy secrets, and the
//! HS256 access tokens whose claims name the account, its token epoch and the token's id.
//! Role and unit in the claims are informative only: every request acts with the account's
//! row as it is now (`http::extract`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use minhu_types::Role;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Who is acting: the account as its row stands now (the HTTP layer admits it from a verified
/// token; the jobs act as the system account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: i64,
    pub role: Role,
    pub unit_id: Option<i64>,
    /// The path of the account's unit in the unit tree (`/1/4/`), read with the account.
    pub unit_path: Option<String>,
}

/// The marker stored instead of a hash for accounts that cannot log in with a password.
pub const NO_PASSWORD: &str = "!";

pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("argon2: {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the time of one verification when the username does not exist, so response times do
/// not tell which usernames are taken.
pub fn waste_a_verification(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password("not a password of anyone").unwrap_or_default());
    let _ = verify_password(password, hash);
}

/// Hex SHA-256 of a random secret (client secrets, API keys): they carry their own entropy, so
/// a fast digest suffices and lets an API key be looked up by its digest.
pub fn digest_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Compares two digests in constant time.
pub fn digests_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The claims of an access token.
/// Seconds past `exp` a token is still accepted (clocks of the issuing and checking replicas may
/// differ a little); a signed-out token's revocation is kept at least this long past it.
pub const TOKEN_LEEWAY_SECS: u64 = 5;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a string (JWT's `sub` is a StringOrURI).
    pub sub: String,
    pub role: Role,
    /// The unit of a handler (or of an operator or leader who has one).
    pub unit: Option<i64>,
    pub iat: i64,
    pub exp: i64,
    /// Partner tokens only: which issue of the partner's credentials bought the token (the
    /// rotation time in milliseconds, 0 for the first), so a rotation retires older tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cred: Option<i64>,
    /// The account's token epoch when the token was issued: signing out everywhere moves the
    /// epoch on, and every older token stops working.
    #[serde(default)]
    pub ep: i64,
    /// The token's own id (128 random bits, hex), so that one token can be revoked alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

impl Claims {
    pub fn user_id(&self) -> Option<i64> {
        self.sub.parse().ok()
    }
}

/// Signs and checks access tokens.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    pub ttl: Duration,
    /// Tokens these keys have verified, by their exact text, with their claims ([`verify`]).
    ///
    /// [`verify`]: TokenKeys::verify
    verified: Arc<Mutex<HashMap<Box<str>, Claims>>>,
}

/// At most this many verified tokens are remembered (one per token in use; about 6 MB).
pub const MAX_VERIFIED: usize = 10_000;

/// Whether a token with these claims has expired at `now` (seconds since the epoch): the rule
/// of the signature check's own validation (`exp` older than the leeway).
fn expired(claims: &Claims, now: i64) -> bool {
    claims.exp < now - TOKEN_LEEWAY_SECS as i64
}

/// Now, in seconds since the epoch, by the clock the signature check's validation reads.
fn unix_now() -> i64 {
    jsonwebtoken::get_current_timestamp() as i64
}

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Expired,
    Invalid,
}

impl TokenKeys {
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl,
            verified: Arc::default(),
        }
    }

    pub fn issue(&self, user_id: i64, role: Role, unit: Option<i64>) -> Result<String, String> {
        self.issue_with(user_id, role, unit, None, 0)
    }

    /// `issue` with the partner credentials' issue (`Claims::cred`) and the account's token
    /// epoch (`Claims::ep`); every token gets a fresh random id (`Claims::jti`).
    pub fn issue_with(
        &self,
        user_id: i64,
        role: Role,
        unit: Option<i64>,
        cred: Option<i64>,
        epoch: i64,
    ) -> Result<String, String> {
        use argon2::password_hash::rand_core::RngCore;
        let now = chrono::Utc::now().timestamp();
        let mut id = [0u8; 16];
        OsRng.fill_bytes(&mut id);
        let claims = Claims {
            sub: user_id.to_string(),
            role,
            unit,
            iat: now,
            exp: now + self.ttl.as_secs() as i64,
            cred,
            ep: epoch,
            jti: Some(hex(&id)),
        };
        self.sign(&claims)
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, String> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| format!("jwt: {e}"))
    }

    /// The claims of a token signed with these keys and not expired.
    ///
    /// A token's signature covers its exact text, so the same text verified once is the same
    /// token: it is remembered with its claims, and then only its expiry is checked again (an
    /// HMAC and a JSON parse a request saved). Whether the account may still use it (signed
    /// out, deactivated) is the admission's question, asked apart (`http::extract`).
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        // A panic elsewhere while holding the lock leaves the map whole (each change is one
        // call): it is used on.
        let remembered = || self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        let known = remembered().get(token).cloned();
        if let Some(claims) = known {
            return match expired(&claims, unix_now()) {
                true => Err(TokenError::Expired),
                false => Ok(claims),
            };
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = TOKEN_LEEWAY_SECS;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let claims = decode::<Claims>(token, &self.decoding, &validation)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?;
        let mut verified = remembered();
        if verified.len() >= MAX_VERIFIED {
            let now = unix_now();
            verified.retain(|_, c| !expired(c, now));
            if verified.len() >= MAX_VERIFIED {
                verified.clear();
            }
        }
        verified.insert(token.into(), claims.clone());
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash_password("correct horse").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct horsf", &h));
        assert!(!verify_password("anything", NO_PASSWORD));
    }

    #[test]
    fn tokens_round_trip_and_refuse_other_keys_and_old_ones() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", Duration::from_secs(60));
        let t = keys.issue(7, Role::Handler, Some(3)).expect("sign");
        let c = keys.verify(&t).expect("valid");
        assert_eq!(
            (c.user_id(), c.role, c.unit),
            (Some(7), Role::Handler, Some(3))
        );

        let other = TokenKeys::new(
            b"another secret of thirty-two bytes",
            Duration::from_secs(60),
        );
        assert_eq!(other.verify(&t), Err(TokenError::Invalid));

        let old = Claims {
            sub: "7".into(),
            role: Role::Admin,
            unit: None,
            iat: 0,
            exp: 1000,
            cred: None,
            ep: 0,
            jti: None,
        };
        assert_eq!(
            keys.verify(&keys.sign(&old).expect("sign")),
            Err(TokenError::Expired)
        );
        assert_eq!(keys.verify("not.a.token"), Err(TokenError::Invalid));
    }

    #[test]
    fn a_remembered_token_is_only_its_own_text_and_still_expires() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", Duration::from_secs(60));
        let t = keys.issue(7, Role::Citizen, None).expect("sign");
        let claims = keys.verify(&t).expect("valid");
        assert_eq!(keys.verify(&t), Ok(claims.clone()), "remembered");
        // Every other text, one character changed anywhere (header, claims, signature), is
        // checked afresh and refused, though the genuine token is remembered.
        const ALPHABET: &[u8] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
        for i in 0..t.len() {
            for &c in ALPHABET
                .iter()
                .filter(|&&c| c != t.as_bytes()[i])
                .step_by(9)
            {
                let mut forged = t.clone().into_bytes();
                forged[i] = c;
                let forged = String::from_utf8(forged).expect("ascii");
                assert!(keys.verify(&forged).is_err(), "{forged} accepted");
            }
        }
        assert_eq!(keys.verify(&t), Ok(claims.clone()));
        // A remembered token is refused once expired, by the signature check's own rule.
        let now = unix_now();
        assert!(!expired(
            &Claims {
                exp: now - 5,
                ..claims.clone()
            },
            now
        ));
        assert!(expired(
            &Claims {
                exp: now - 6,
                ..claims.clone()
            },
            now
        ));
        let lapsed = Claims {
            exp: now - 6,
            ..claims
        };
        keys.verified
            .lock()
            .expect("lock")
            .insert(t.as_str().into(), lapsed);
        assert_eq!(keys.verify(&t), Err(TokenError::Expired));
    }

    #[test]
    fn remembered_tokens_are_bounded() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", Duration::from_secs(60));
        for user in 0..=MAX_VERIFIED as i64 {
            let t = keys.issue(user, Role::Citizen, None).expect("sign");
            keys.verify(&t).expect("valid");
            assert!(keys.verified.lock().expect("lock").len() <= MAX_VERIFIED);
        }
    }

    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        assert_eq!(hex(&[0, 9, 10, 255, 0x5a]), "00090aff5a");
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn digests() {
        let d = digest_secret("s");
        assert_eq!(d.len(), 64);
        assert!(digests_equal(&d, &digest_secret("s")));
        assert!(!digests_equal(&d, &digest_secret("t")));
    }
}

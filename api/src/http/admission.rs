//! Admissions kept for a moment: a token admitted (its account active, its role, unit and
//! unit path as they were read, not revoked) is admitted again without asking the database for
//! `MINHU_ADMISSION_CACHE_MS` (default one second) — an official paging through a list or a
//! petitioner reading their petition makes one admission round trip a moment instead of one a
//! request.
//!
//! What keeps it true: every request that changed something (any method but `GET`, `HEAD`,
//! `OPTIONS`, answered with success) forgets every kept admission of this replica once answered
//! (`http::forget_after_changes`), and an admission read before such a change is never kept
//! ([`Kept`]). So on this replica a sign-out, a deactivation, a new role or a moved unit holds
//! from the next request, as before; on another replica of the same database from the next
//! request after the moment at most. Only admissions are kept, never a refusal, and partners'
//! request rates are still counted on every request.

use crate::auth::{Caller, Claims};

use super::kept::Kept;

/// At most this many admissions are kept (one per token in use in the moment).
pub const MAX_KEPT: usize = 10_000;

/// Admitted tokens, kept for the moment ([`Kept`]: forgotten after any change through this
/// replica, single flight when one runs out).
pub type Admissions = Kept<Key, Caller>;

/// Everything of a token its admission depends on.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Key {
    jti: String,
    sub: String,
    ep: i64,
    cred: Option<i64>,
}

impl Key {
    /// None for a token without an id (issued before tokens had one): never kept.
    pub fn of(claims: &Claims) -> Option<Key> {
        Some(Key {
            jti: claims.jti.clone()?,
            sub: claims.sub.clone(),
            ep: claims.ep,
            cred: claims.cred,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minhu_types::Role;

    #[test]
    fn tokens_are_kept_by_all_they_are_admitted_on_and_never_without_an_id() {
        let claims = Claims {
            sub: "7".into(),
            role: Role::Citizen,
            unit: None,
            iat: 0,
            exp: 0,
            cred: None,
            ep: 0,
            jti: Some("a".into()),
        };
        let key = Key::of(&claims).expect("key");
        let signed_out_everywhere = Claims {
            ep: 1,
            ..claims.clone()
        };
        assert!(Key::of(&signed_out_everywhere) != Some(key));
        let old = Claims {
            jti: None,
            ..claims
        };
        assert!(Key::of(&old).is_none());
    }
}

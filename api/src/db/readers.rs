//! Readers' support (我也遇到) and follows. The support count is kept on the petition and moves
//! only when a support row is written or removed, in the same transaction: exact under any
//! number of concurrent clicks (one row per account and petition), cheap to read.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{petition_followers as pf, petition_supporters as ps, petitions};
use super::{is_unique_violation, DbConn};

/// Adds the account's support; `false` when it had supported already. Answers the count.
pub fn support(
    conn: &mut DbConn,
    petition_id: i64,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    // Supported already: the insert fails on the key, and the transaction changes nothing.
    let added = conn.transaction(|conn| {
        diesel::insert_into(ps::table)
            .values((
                ps::petition_id.eq(petition_id),
                ps::user_id.eq(user_id),
                ps::created_at.eq(now),
            ))
            .execute(conn)?;
        diesel::update(petitions::table.find(petition_id))
            .set(petitions::supporters.eq(petitions::supporters + 1))
            .execute(conn)?;
        QueryResult::Ok(())
    });
    match added {
        Ok(()) => {}
        Err(e) if is_unique_violation(&e) => {}
        Err(e) => return Err(e),
    }
    supporters(conn, petition_id)
}

/// Takes the account's support back (nothing when there was none). Answers the count.
pub fn unsupport(conn: &mut DbConn, petition_id: i64, user_id: i64) -> QueryResult<i64> {
    conn.transaction(|conn| {
        let removed = diesel::delete(
            ps::table
                .filter(ps::petition_id.eq(petition_id))
                .filter(ps::user_id.eq(user_id)),
        )
        .execute(conn)?;
        if removed == 1 {
            diesel::update(petitions::table.find(petition_id))
                .set(petitions::supporters.eq(petitions::supporters - 1))
                .execute(conn)?;
        }
        QueryResult::Ok(())
    })?;
    supporters(conn, petition_id)
}

pub fn supporters(conn: &mut DbConn, petition_id: i64) -> QueryResult<i64> {
    petitions::table
        .find(petition_id)
        .select(petitions::supporters)
        .first(conn)
}

/// Follows a petition (again is nothing new).
pub fn follow(
    conn: &mut DbConn,
    petition_id: i64,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let already: bool = diesel::select(diesel::dsl::exists(
        pf::table
            .filter(pf::petition_id.eq(petition_id))
            .filter(pf::user_id.eq(user_id)),
    ))
    .get_result(conn)?;
    if already {
        return Ok(());
    }
    match diesel::insert_into(pf::table)
        .values((
            pf::petition_id.eq(petition_id),
            pf::user_id.eq(user_id),
            pf::created_at.eq(now),
        ))
        .execute(conn)
    {
        Err(e) if !is_unique_violation(&e) => Err(e),
        _ => Ok(()),
    }
}

pub fn unfollow(conn: &mut DbConn, petition_id: i64, user_id: i64) -> QueryResult<()> {
    diesel::delete(
        pf::table
            .filter(pf::petition_id.eq(petition_id))
            .filter(pf::user_id.eq(user_id)),
    )
    .execute(conn)
    .map(|_| ())
}

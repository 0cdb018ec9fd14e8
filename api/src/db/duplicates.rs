//! The index of open petitions' text sketches (`petition_terms`) that finds likely repeats
//! without reading every open petition: see `domain::duplicates`.
//!
//! The statements are written out because one looked-up hash is one bounded index range
//! (`ORDER BY petition_id DESC LIMIT n` on the primary key `(category_id, term, petition_id)`);
//! every value in them is an integer this module computed or read, never user text. (A new
//! petition's postings on PostgreSQL are written with its search text, bound, by
//! `petitions::insert`.)

use std::fmt::Write as _;

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use minhu_types::PetitionStatus;

use super::petitions::PetitionRow;
use super::schema::petitions;
use super::DbConn;
use crate::domain::duplicates::{
    similarity, smallest_hashes, text_of, Doc, CANDIDATES, MIN_TEXT, POSTINGS_PER_TERM, PROBE,
    SHOWN, SKETCH,
};
use crate::domain::knowledge::terms;

/// Whether petitions of this status are in the index: those not yet ended.
pub fn indexed(status: PetitionStatus) -> bool {
    !status.has_ended()
}

fn indexed_statuses() -> Vec<&'static str> {
    PetitionStatus::ALL
        .iter()
        .copied()
        .filter(|s| indexed(*s))
        .map(PetitionStatus::as_str)
        .collect()
}

pub(super) fn sketch_of(title: &str, content: &str) -> Vec<i32> {
    smallest_hashes(&text_of(title, content), SKETCH)
}

/// A petition's postings, as `(category_id, term, petition_id)` SQL tuples.
fn postings(id: i64, category_id: i64, title: &str, content: &str) -> Vec<String> {
    sketch_of(title, content)
        .iter()
        .map(|h| format!("({category_id},{h},{id})"))
        .collect()
}

fn insert(conn: &mut DbConn, postings: &[String]) -> QueryResult<()> {
    if postings.is_empty() {
        return Ok(());
    }
    diesel::sql_query(format!(
        "INSERT INTO petition_terms (category_id, term, petition_id) VALUES {} \
         ON CONFLICT DO NOTHING",
        postings.join(",")
    ))
    .execute(conn)
    .map(|_| ())
}

/// Puts a petition's sketch in the index (again: existing postings are kept).
pub fn add(
    conn: &mut DbConn,
    id: i64,
    category_id: i64,
    title: &str,
    content: &str,
) -> QueryResult<()> {
    insert(conn, &postings(id, category_id, title, content))
}

/// Takes a petition's sketch out of the index (computed from the text it was added with).
pub fn remove(
    conn: &mut DbConn,
    id: i64,
    category_id: i64,
    title: &str,
    content: &str,
) -> QueryResult<()> {
    let hashes = sketch_of(title, content);
    if hashes.is_empty() {
        return Ok(());
    }
    let terms: Vec<String> = hashes.iter().map(i32::to_string).collect();
    diesel::sql_query(format!(
        "DELETE FROM petition_terms WHERE category_id = {category_id} AND term IN ({}) AND petition_id = {id}",
        terms.join(",")
    ))
    .execute(conn)
    .map(|_| ())
}

/// Keeps the index in step with a petition that moved from `from` to `to`; `content_after` is
/// its new content when the action changed it (a supplement adds to it).
pub fn follow(
    conn: &mut DbConn,
    row: &PetitionRow,
    from: PetitionStatus,
    to: PetitionStatus,
    content_after: Option<&str>,
) -> QueryResult<()> {
    let after = content_after.unwrap_or(&row.content);
    let changed = after != row.content;
    match (indexed(from), indexed(to)) {
        (true, false) => remove(conn, row.id, row.category_id, &row.title, &row.content),
        (false, true) => add(conn, row.id, row.category_id, &row.title, after),
        (true, true) if changed => {
            remove(conn, row.id, row.category_id, &row.title, &row.content)?;
            add(conn, row.id, row.category_id, &row.title, after)
        }
        _ => Ok(()),
    }
}

#[derive(QueryableByName)]
struct Hit {
    #[diesel(sql_type = BigInt)]
    petition_id: i64,
}

/// The open petitions of the category that share most of the probe's smallest hashes with
/// `row`'s text, most shared first (at most [`CANDIDATES`], `row` itself left out), loaded.
pub fn candidates(conn: &mut DbConn, row: &PetitionRow) -> QueryResult<Vec<PetitionRow>> {
    let probe = smallest_hashes(&text_of(&row.title, &row.content), PROBE);
    if probe.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = String::from("SELECT petition_id FROM (");
    for (i, h) in probe.iter().enumerate() {
        if i > 0 {
            sql.push_str(" UNION ALL ");
        }
        let _ = write!(
            sql,
            "SELECT petition_id FROM (SELECT petition_id FROM petition_terms \
             WHERE category_id = {} AND term = {h} ORDER BY petition_id DESC LIMIT {POSTINGS_PER_TERM}) AS t{i}",
            row.category_id
        );
    }
    let _ = write!(
        sql,
        ") AS hits WHERE petition_id <> {} GROUP BY petition_id \
         ORDER BY COUNT(*) DESC, petition_id DESC LIMIT {CANDIDATES}",
        row.id
    );
    let ids: Vec<i64> = diesel::sql_query(sql)
        .load::<Hit>(conn)?
        .into_iter()
        .map(|h| h.petition_id)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    petitions::table
        .filter(super::one_of(petitions::id, &ids))
        .filter(petitions::status.eq_any(indexed_statuses()))
        .select(PetitionRow::as_select())
        .load(conn)
}

fn doc_of(row: &PetitionRow) -> Doc<'_> {
    Doc {
        title: &row.title,
        content: &row.content,
        address: row.address.as_deref(),
        coords: row.latitude.zip(row.longitude),
        created_at: row.created_at,
    }
}

/// The open petitions most likely the same matter as `row`, with their similarity (0–1),
/// best first: candidates from the index, scored on their whole text, place and date.
pub fn suggest(conn: &mut DbConn, row: &PetitionRow) -> QueryResult<Vec<(PetitionRow, f64)>> {
    let me = doc_of(row);
    let my_terms = terms(&text_of(&row.title, &row.content));
    let mut scored: Vec<(PetitionRow, f64)> = candidates(conn, row)?
        .into_iter()
        .filter_map(|c| {
            let s = similarity(&me, &my_terms, &doc_of(&c));
            (s.text >= MIN_TEXT).then_some((c, s.score))
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.id.cmp(&a.0.id)));
    scored.truncate(SHOWN);
    Ok(scored)
}

/// Rebuilds the index from the petitions table in batches (after an upgrade, or to repair
/// it); returns how many petitions it indexed.
pub fn rebuild(conn: &mut DbConn, mut progress: impl FnMut(i64)) -> QueryResult<i64> {
    diesel::sql_query("DELETE FROM petition_terms").execute(conn)?;
    let statuses = indexed_statuses();
    let mut after = 0_i64;
    let mut done = 0_i64;
    loop {
        let batch: Vec<(i64, i64, String, String)> = petitions::table
            .filter(petitions::id.gt(after))
            .filter(petitions::status.eq_any(&statuses))
            .order(petitions::id.asc())
            .limit(2000)
            .select((
                petitions::id,
                petitions::category_id,
                petitions::title,
                petitions::content,
            ))
            .load(conn)?;
        let Some(last) = batch.last() else { break };
        after = last.0;
        conn.transaction(|conn| {
            for chunk in batch.chunks(250) {
                let rows: Vec<String> = chunk
                    .iter()
                    .flat_map(|(id, category, title, content)| {
                        postings(*id, *category, title, content)
                    })
                    .collect();
                insert(conn, &rows)?;
            }
            QueryResult::Ok(())
        })?;
        done += batch.len() as i64;
        progress(done);
    }
    Ok(done)
}

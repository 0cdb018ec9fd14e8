//! Deadline policies and the working-day calendar.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{calendar_days, categories, deadline_policies};
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = deadline_policies)]
pub struct PolicyRow {
    pub id: i64,
    pub name: String,
    pub urgency: Option<String>,
    pub kind: Option<String>,
    pub category_id: Option<i64>,
    pub sign_amount: i32,
    #[diesel(deserialize_as = String)]
    pub sign_unit: minhu_types::SpanUnit,
    pub reply_amount: i32,
    #[diesel(deserialize_as = String)]
    pub reply_unit: minhu_types::SpanUnit,
    pub visit_amount: Option<i32>,
    pub visit_unit: Option<String>,
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = deadline_policies, treat_none_as_null = true)]
pub struct PolicyValues<'a> {
    pub name: &'a str,
    pub urgency: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub category_id: Option<i64>,
    pub sign_amount: i32,
    pub sign_unit: &'a str,
    pub reply_amount: i32,
    pub reply_unit: &'a str,
    pub visit_amount: Option<i32>,
    pub visit_unit: Option<&'a str>,
    pub updated_at: NaiveDateTime,
}

pub fn policies(conn: &mut DbConn) -> QueryResult<Vec<PolicyRow>> {
    deadline_policies::table
        .order(deadline_policies::id.asc())
        .select(PolicyRow::as_select())
        .load(conn)
}

pub fn find_policy(conn: &mut DbConn, id: i64) -> QueryResult<PolicyRow> {
    deadline_policies::table
        .find(id)
        .select(PolicyRow::as_select())
        .first(conn)
}

pub fn insert_policy(conn: &mut DbConn, v: &PolicyValues<'_>) -> QueryResult<i64> {
    diesel::insert_into(deadline_policies::table)
        .values((v, deadline_policies::created_at.eq(v.updated_at)))
        .returning(deadline_policies::id)
        .get_result(conn)
}

pub fn update_policy(conn: &mut DbConn, id: i64, v: &PolicyValues<'_>) -> QueryResult<usize> {
    diesel::update(deadline_policies::table.find(id))
        .set(v)
        .execute(conn)
}

pub fn delete_policy(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::delete(deadline_policies::table.find(id)).execute(conn)
}

/// A policy with exactly these keys, other than `except`.
pub fn same_keys(
    conn: &mut DbConn,
    urgency: Option<&str>,
    kind: Option<&str>,
    category_id: Option<i64>,
    except: Option<i64>,
) -> QueryResult<Option<i64>> {
    let mut q = deadline_policies::table
        .select(deadline_policies::id)
        .into_boxed();
    q = match urgency {
        Some(u) => q.filter(deadline_policies::urgency.eq(u.to_owned())),
        None => q.filter(deadline_policies::urgency.is_null()),
    };
    q = match kind {
        Some(k) => q.filter(deadline_policies::kind.eq(k.to_owned())),
        None => q.filter(deadline_policies::kind.is_null()),
    };
    q = match category_id {
        Some(c) => q.filter(deadline_policies::category_id.eq(c)),
        None => q.filter(deadline_policies::category_id.is_null()),
    };
    if let Some(id) = except {
        q = q.filter(deadline_policies::id.ne(id));
    }
    q.first(conn).optional()
}

/// The category and its ancestors, nearest first.
pub fn category_chain(conn: &mut DbConn, id: i64) -> QueryResult<Vec<i64>> {
    let mut chain = Vec::new();
    let mut next = Some(id);
    while let Some(c) = next {
        if chain.contains(&c) || chain.len() > 16 {
            break;
        }
        chain.push(c);
        next = categories::table
            .find(c)
            .select(categories::parent_id)
            .first::<Option<i64>>(conn)
            .optional()?
            .flatten();
    }
    Ok(chain)
}

/// Every exceptional day of the calendar.
pub fn calendar(conn: &mut DbConn) -> QueryResult<Vec<(String, bool, String)>> {
    calendar_days::table
        .order(calendar_days::day.asc())
        .select((
            calendar_days::day,
            calendar_days::working,
            calendar_days::name,
        ))
        .load(conn)
}

pub fn calendar_year(conn: &mut DbConn, year: i32) -> QueryResult<Vec<(String, bool, String)>> {
    calendar_days::table
        .filter(calendar_days::day.ge(format!("{year:04}-01-01")))
        .filter(calendar_days::day.le(format!("{year:04}-12-31")))
        .order(calendar_days::day.asc())
        .select((
            calendar_days::day,
            calendar_days::working,
            calendar_days::name,
        ))
        .load(conn)
}

pub fn put_day(conn: &mut DbConn, day: NaiveDate, working: bool, name: &str) -> QueryResult<()> {
    let key = day.format("%Y-%m-%d").to_string();
    conn.transaction(|conn| {
        diesel::delete(calendar_days::table.find(&key)).execute(conn)?;
        diesel::insert_into(calendar_days::table)
            .values((
                calendar_days::day.eq(&key),
                calendar_days::working.eq(working),
                calendar_days::name.eq(name),
            ))
            .execute(conn)
            .map(|_| ())
    })
}

pub fn delete_day(conn: &mut DbConn, day: NaiveDate) -> QueryResult<usize> {
    diesel::delete(calendar_days::table.find(day.format("%Y-%m-%d").to_string())).execute(conn)
}

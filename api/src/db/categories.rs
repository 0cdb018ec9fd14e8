//! Petition categories: a tree with optional national codes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use minhu_types::Category;

use super::schema::categories;
use super::{DbConn, Paging};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = categories)]
pub struct CategoryRow {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
    pub code: Option<String>,
}

impl CategoryRow {
    pub fn to_category(&self) -> Category {
        Category {
            id: self.id,
            name: self.name.clone(),
            parent_id: self.parent_id,
            code: self.code.clone(),
        }
    }
}

pub fn insert(
    conn: &mut DbConn,
    name: &str,
    parent_id: Option<i64>,
    code: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<CategoryRow> {
    let id: i64 = diesel::insert_into(categories::table)
        .values((
            categories::name.eq(name),
            categories::parent_id.eq(parent_id),
            categories::code.eq(code),
            categories::created_at.eq(now),
        ))
        .returning(categories::id)
        .get_result(conn)?;
    find(conn, id)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<CategoryRow> {
    categories::table
        .find(id)
        .select(CategoryRow::as_select())
        .first(conn)
}

pub fn list(
    conn: &mut DbConn,
    parent_id: Option<i64>,
    paging: Paging,
) -> QueryResult<(Vec<CategoryRow>, i64)> {
    let query = || {
        let mut q = categories::table.into_boxed();
        if let Some(p) = parent_id {
            q = q.filter(categories::parent_id.eq(p));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .order(categories::id.asc())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(CategoryRow::as_select())
        .load(conn)?;
    Ok((items, total))
}

//! The unit tree, with a materialized path per unit for subtree queries.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use minhu_types::{Unit, UnitKind};

use super::schema::units;
use super::{subtree_range, utc, DbConn, Paging};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = units)]
pub struct UnitRow {
    pub id: i64,
    pub name: String,
    #[diesel(deserialize_as = String)]
    pub kind: minhu_types::UnitKind,
    pub parent_id: Option<i64>,
    pub path: String,
    pub created_at: NaiveDateTime,
}

impl UnitRow {
    pub fn kind(&self) -> UnitKind {
        self.kind
    }

    pub fn to_unit(&self) -> Unit {
        Unit {
            id: self.id,
            name: self.name.clone(),
            kind: self.kind(),
            parent_id: self.parent_id,
            created_at: utc(self.created_at),
        }
    }
}

/// Inserts a unit under `parent` (already checked) and fills in its path.
pub fn insert(
    conn: &mut DbConn,
    name: &str,
    kind: UnitKind,
    parent: Option<&UnitRow>,
    now: NaiveDateTime,
) -> QueryResult<UnitRow> {
    conn.transaction(|conn| {
        let id: i64 = diesel::insert_into(units::table)
            .values((
                units::name.eq(name),
                units::kind.eq(kind.as_str()),
                units::parent_id.eq(parent.map(|p| p.id)),
                units::path.eq(""),
                units::created_at.eq(now),
            ))
            .returning(units::id)
            .get_result(conn)?;
        let path = crate::domain::units::child_path(parent.map(|p| p.path.as_str()), id);
        diesel::update(units::table.find(id))
            .set(units::path.eq(&path))
            .execute(conn)?;
        find(conn, id)
    })
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<UnitRow> {
    units::table
        .find(id)
        .select(UnitRow::as_select())
        .first(conn)
}

/// The unit an order is given to, held until the transaction ends: a move of it, or of a unit
/// above it (which rewrites its path), waits for the order to be filed, and an order given
/// while a move is under way waits for the move and reads the unit where it ends up — so the
/// order's path and filing (`order_ancestors`) are the tree's either way. `FOR SHARE` on
/// PostgreSQL; on SQLite the transaction already holds the database's write lock
/// (`petitions::lock`), which a move needs too.
pub fn find_held(conn: &mut DbConn, id: i64) -> QueryResult<UnitRow> {
    match conn {
        DbConn::Pg(c) => units::table
            .find(id)
            .for_share()
            .select(UnitRow::as_select())
            .first(c),
        DbConn::Sqlite(_) => find(conn, id),
    }
}

#[derive(Debug, Default, Clone)]
pub struct UnitFilter {
    /// Only the direct children of this unit.
    pub parent_id: Option<i64>,
    /// Only units of this kind.
    pub kind: Option<UnitKind>,
    /// Only this unit and its descendants.
    pub within: Option<String>,
    /// Only root units (no parent).
    pub roots: bool,
}

pub fn list(
    conn: &mut DbConn,
    filter: &UnitFilter,
    paging: Paging,
) -> QueryResult<(Vec<UnitRow>, i64)> {
    let query = || {
        let mut q = units::table.into_boxed();
        if let Some(p) = filter.parent_id {
            q = q.filter(units::parent_id.eq(p));
        }
        if filter.roots {
            q = q.filter(units::parent_id.is_null());
        }
        if let Some(kind) = filter.kind {
            q = q.filter(units::kind.eq(kind.as_str()));
        }
        if let Some(path) = &filter.within {
            let (lo, hi) = subtree_range(path);
            q = q.filter(units::path.ge(lo)).filter(units::path.lt(hi));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .order(units::path.asc())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(UnitRow::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// Every unit, in tree order (a city has a few thousand).
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<UnitRow>> {
    units::table
        .order(units::path.asc())
        .select(UnitRow::as_select())
        .load(conn)
}

/// The kinds of a unit's direct children.
/// Whether any unit sits directly below `id`.
/// The areas of trends: units right under the hotline office (districts, city departments).
pub fn top_level(conn: &mut DbConn) -> QueryResult<Vec<UnitRow>> {
    let offices: Vec<i64> = units::table
        .filter(units::kind.eq(minhu_types::UnitKind::HotlineOffice.as_str()))
        .select(units::id)
        .load(conn)?;
    units::table
        .filter(units::parent_id.eq_any(offices))
        .order(units::id.asc())
        .select(UnitRow::as_select())
        .load(conn)
}

pub fn has_units_below(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    use diesel::dsl::exists;
    diesel::select(exists(units::table.filter(units::parent_id.eq(id)))).get_result(conn)
}

pub fn child_kinds(conn: &mut DbConn, id: i64) -> QueryResult<Vec<String>> {
    units::table
        .filter(units::parent_id.eq(id))
        .select(units::kind)
        .distinct()
        .load(conn)
}

pub fn rename(conn: &mut DbConn, id: i64, name: &str, kind: UnitKind) -> QueryResult<usize> {
    diesel::update(units::table.find(id))
        .set((units::name.eq(name), units::kind.eq(kind.as_str())))
        .execute(conn)
}

/// Moves a unit (and its subtree) under `new_parent`, rewriting the paths below it.
pub fn reparent(
    conn: &mut DbConn,
    unit: &UnitRow,
    new_parent: Option<&UnitRow>,
) -> QueryResult<()> {
    let new_path = crate::domain::units::child_path(new_parent.map(|p| p.path.as_str()), unit.id);
    let (lo, hi) = subtree_range(&unit.path);
    let subtree: Vec<(i64, String)> = units::table
        .filter(units::path.ge(lo))
        .filter(units::path.lt(hi))
        .select((units::id, units::path))
        .load(conn)?;
    diesel::update(units::table.find(unit.id))
        .set(units::parent_id.eq(new_parent.map(|p| p.id)))
        .execute(conn)?;
    for (id, path) in subtree {
        let rebased = crate::domain::units::rebase(&path, &unit.path, &new_path);
        diesel::update(units::table.find(id))
            .set(units::path.eq(&rebased))
            .execute(conn)?;
        // Orders carry their unit's path (a unit's inbox selects by it).
        diesel::update(
            super::schema::assignments::table.filter(super::schema::assignments::unit_id.eq(id)),
        )
        .set(super::schema::assignments::unit_path.eq(&rebased))
        .execute(conn)?;
    }
    // The subtree's orders are filed under new units above it (with their live copies: see
    // `db::petitions::live_copy`): those below stay as they were.
    use super::schema::order_ancestors as o;
    let above = |path: &str| {
        let mut ids = crate::domain::units::path_ids(path);
        ids.pop();
        ids
    };
    let moved = diesel::alias!(super::schema::order_ancestors as moved);
    diesel::delete(
        o::table
            .filter(o::ancestor_id.eq_any(above(&unit.path)))
            .filter(
                o::assignment_id.eq_any(
                    moved
                        .filter(moved.field(o::ancestor_id).eq(unit.id))
                        .select(moved.field(o::assignment_id)),
                ),
            ),
    )
    .execute(conn)?;
    for ancestor in above(&new_path) {
        diesel::insert_into(o::table)
            .values(o::table.filter(o::ancestor_id.eq(unit.id)).select((
                ancestor.into_sql::<diesel::sql_types::BigInt>(),
                o::assignment_id,
                o::petition_id,
                o::live_state,
                o::live_reply_by,
            )))
            .into_columns(super::petitions::FILED_COLUMNS)
            .execute(conn)?;
    }
    Ok(())
}

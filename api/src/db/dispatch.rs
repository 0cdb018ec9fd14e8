//! The dispatch catalogue's rules, and the units they suggest for a petition.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use minhu_types::{AssignmentRole, DispatchRule, NewDispatchRule, UnitRef};

use super::petitions::PetitionRow;
use super::schema::dispatch_rules as dr;
use super::units::UnitRow;
use super::{utc, DbConn};

/// The key of the dispatch settings (`auto_dispatch`) in `settings`.
pub const SETTINGS_KEY: &str = "dispatch";

pub fn settings(conn: &mut DbConn) -> QueryResult<minhu_types::DispatchSettings> {
    super::figures::json_setting(conn, SETTINGS_KEY)
}
use crate::domain::dispatch::{address_in, winners, Petition, Rule};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = dr)]
pub struct RuleRow {
    pub id: i64,
    pub category_id: i64,
    pub area_unit_id: Option<i64>,
    pub unit_id: i64,
    #[diesel(deserialize_as = String)]
    pub role: minhu_types::AssignmentRole,
    pub created_at: NaiveDateTime,
}

impl RuleRow {
    fn role(&self) -> AssignmentRole {
        self.role
    }

    /// The rule as the API shows it, with its units named.
    pub fn to_rule(&self, unit: UnitRef, area: Option<UnitRef>) -> DispatchRule {
        DispatchRule {
            id: self.id,
            category_id: self.category_id,
            area_unit_id: self.area_unit_id,
            unit_id: self.unit_id,
            role: self.role(),
            created_at: utc(self.created_at),
            unit,
            area,
        }
    }

    fn facts(&self) -> Rule {
        Rule {
            id: self.id,
            category_id: self.category_id,
            area_unit_id: self.area_unit_id,
            unit_id: self.unit_id,
            role: self.role(),
        }
    }
}

pub fn all(conn: &mut DbConn) -> QueryResult<Vec<RuleRow>> {
    dr::table
        .order(dr::id.asc())
        .select(RuleRow::as_select())
        .load(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<RuleRow> {
    dr::table.find(id).select(RuleRow::as_select()).first(conn)
}

pub fn insert(conn: &mut DbConn, r: &NewDispatchRule, now: NaiveDateTime) -> QueryResult<RuleRow> {
    let id: i64 = diesel::insert_into(dr::table)
        .values((
            dr::category_id.eq(r.category_id),
            dr::area_unit_id.eq(r.area_unit_id),
            dr::unit_id.eq(r.unit_id),
            dr::role.eq(r.role.as_str()),
            dr::created_at.eq(now),
        ))
        .returning(dr::id)
        .get_result(conn)?;
    find(conn, id)
}

pub fn update(conn: &mut DbConn, id: i64, r: &NewDispatchRule) -> QueryResult<usize> {
    diesel::update(dr::table.find(id))
        .set((
            dr::category_id.eq(r.category_id),
            dr::area_unit_id.eq(r.area_unit_id),
            dr::unit_id.eq(r.unit_id),
            dr::role.eq(r.role.as_str()),
        ))
        .execute(conn)
}

pub fn delete(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::delete(dr::table.find(id)).execute(conn)
}

/// The category and those above it, nearest first.
fn category_chain(conn: &mut DbConn, id: i64) -> QueryResult<Vec<i64>> {
    let mut chain = vec![id];
    let mut next = super::categories::find(conn, id)
        .optional()?
        .and_then(|c| c.parent_id);
    while let Some(parent) = next {
        if chain.contains(&parent) || chain.len() > 20 {
            break;
        }
        chain.push(parent);
        next = super::categories::find(conn, parent)
            .optional()?
            .and_then(|c| c.parent_id);
    }
    Ok(chain)
}

/// The winning rules for a petition with their units, lead first.
pub fn suggest(conn: &mut DbConn, p: &PetitionRow) -> QueryResult<Vec<(Rule, UnitRow)>> {
    let chain = category_chain(conn, p.category_id)?;
    let rows: Vec<RuleRow> = dr::table
        .filter(super::one_of(dr::category_id, &chain))
        .select(RuleRow::as_select())
        .load(conn)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let areas: Vec<i64> = rows.iter().filter_map(|r| r.area_unit_id).collect();
    let area_units = super::petitions::units_by_id(conn, &areas)?;
    let address = p.address.clone().unwrap_or_default();
    let area_depth = move |unit: i64| {
        area_units
            .iter()
            .find(|u| u.id == unit)
            .filter(|u| address_in(&address, &u.name))
            .map(|u| u.path.matches('/').count().saturating_sub(1))
    };
    let rules: Vec<Rule> = rows.iter().map(RuleRow::facts).collect();
    let won: Vec<Rule> = winners(
        &rules,
        &Petition {
            categories: &chain,
            area_depth: &area_depth,
        },
    )
    .into_iter()
    .cloned()
    .collect();
    let unit_ids: Vec<i64> = won.iter().map(|r| r.unit_id).collect();
    let units = super::petitions::units_by_id(conn, &unit_ids)?;
    Ok(won
        .into_iter()
        .filter_map(|r| {
            let unit = units.iter().find(|u| u.id == r.unit_id)?.clone();
            Some((r, unit))
        })
        .collect())
}

//! The dispatch catalogue (派单目录): which rules apply to a petition and which win.

use minhu_types::AssignmentRole;

/// A rule as the choice needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: i64,
    pub category_id: i64,
    pub area_unit_id: Option<i64>,
    pub unit_id: i64,
    pub role: AssignmentRole,
}

/// What is known of the petition: its category and the categories above it (nearest first),
/// and for an area unit how deep in the tree it is if the petition lies in it.
pub struct Petition<'a> {
    pub categories: &'a [i64],
    pub area_depth: &'a dyn Fn(i64) -> Option<usize>,
}

/// How specific a matching rule is: a deeper area first (no area is the least), then a
/// narrower category. `None` when the rule does not apply.
fn specificity(rule: &Rule, p: &Petition<'_>) -> Option<(usize, usize)> {
    let from_top = p.categories.iter().position(|c| *c == rule.category_id)?;
    let category = p.categories.len() - from_top;
    let area = match rule.area_unit_id {
        None => 0,
        Some(a) => (p.area_depth)(a)?,
    };
    Some((area, category))
}

/// The rules that win for this petition: every matching rule of the highest specificity,
/// leads before assists.
pub fn winners<'r>(rules: &'r [Rule], p: &Petition<'_>) -> Vec<&'r Rule> {
    let scored: Vec<(&Rule, (usize, usize))> = rules
        .iter()
        .filter_map(|r| specificity(r, p).map(|s| (r, s)))
        .collect();
    let Some(best) = scored.iter().map(|(_, s)| *s).max() else {
        return Vec::new();
    };
    let mut out: Vec<&Rule> = scored
        .into_iter()
        .filter(|(_, s)| *s == best)
        .map(|(r, _)| r)
        .collect();
    out.sort_by_key(|r| (r.role != AssignmentRole::Lead, r.id));
    out
}

/// The unit to dispatch to automatically: only when exactly one lead rule wins.
pub fn automatic<'r>(winners: &[&'r Rule]) -> Option<&'r Rule> {
    let mut leads = winners.iter().filter(|r| r.role == AssignmentRole::Lead);
    match (leads.next(), leads.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// Whether an address lies in a unit's area: the unit's name appears in it.
pub fn address_in(address: &str, unit_name: &str) -> bool {
    let name = unit_name.trim();
    !name.is_empty() && address.contains(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use AssignmentRole::{Assist, Lead};

    fn rule(
        id: i64,
        category_id: i64,
        area: Option<i64>,
        unit_id: i64,
        role: AssignmentRole,
    ) -> Rule {
        Rule {
            id,
            category_id,
            area_unit_id: area,
            unit_id,
            role,
        }
    }

    // Categories: 1 民生 > 2 供水. Units: 10 修武县 (depth 2) > 11 郇封镇 (depth 3); 20 新华区.
    const CHAIN: &[i64] = &[2, 1];

    fn in_huanfeng(unit: i64) -> Option<usize> {
        match unit {
            10 => Some(2),
            11 => Some(3),
            _ => None,
        }
    }

    fn ids(w: &[&Rule]) -> Vec<i64> {
        w.iter().map(|r| r.id).collect()
    }

    #[test]
    fn the_most_specific_rules_win() {
        let rules = vec![
            rule(1, 1, None, 90, Lead),     // 民生 anywhere
            rule(2, 2, None, 91, Lead),     // 供水 anywhere
            rule(3, 2, Some(10), 10, Lead), // 供水 in 修武县
            rule(4, 1, Some(11), 11, Lead), // 民生 in 郇封镇: deeper area beats narrower category
            rule(5, 1, Some(11), 92, Assist),
            rule(6, 2, Some(20), 20, Lead), // 供水 in 新华区: not here
        ];
        let p = Petition {
            categories: CHAIN,
            area_depth: &in_huanfeng,
        };
        let w = winners(&rules, &p);
        assert_eq!(ids(&w), [4, 5], "lead first, then its assist");
        assert_eq!(automatic(&w).map(|r| r.unit_id), Some(11));

        // Elsewhere: the narrower category without area.
        let nowhere = |_| None;
        let p = Petition {
            categories: CHAIN,
            area_depth: &nowhere,
        };
        assert_eq!(ids(&winners(&rules, &p)), [2]);
        // Another category: nothing.
        let p = Petition {
            categories: &[7],
            area_depth: &nowhere,
        };
        assert!(winners(&rules, &p).is_empty());
    }

    #[test]
    fn two_leads_at_the_top_are_not_dispatched_automatically() {
        let rules = vec![rule(1, 2, None, 90, Lead), rule(2, 2, None, 91, Lead)];
        let nowhere = |_| None;
        let p = Petition {
            categories: CHAIN,
            area_depth: &nowhere,
        };
        let w = winners(&rules, &p);
        assert_eq!(ids(&w), [1, 2]);
        assert_eq!(automatic(&w), None);
        let only_assist = vec![rule(3, 2, None, 90, Assist)];
        assert_eq!(automatic(&winners(&only_assist, &p)), None);
    }

    #[test]
    fn areas_by_name_in_the_address() {
        assert!(address_in("修武县郇封镇东常村东街12号", "郇封镇"));
        assert!(!address_in("新华区解放中路", "郇封镇"));
        assert!(!address_in("修武县", " "));
    }
}

//! Choosing the time-limit policy of an order: the most specific rule wins. Urgency counts
//! most (an emergency is an emergency whatever its category), then category — a rule for a
//! category covers its subcategories, the nearest one first — then kind.

use minhu_types::{PetitionKind, SpanUnit, TimeSpan, Urgency};

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub id: i64,
    pub urgency: Option<Urgency>,
    pub kind: Option<PetitionKind>,
    pub category_id: Option<i64>,
    pub sign: TimeSpan,
    pub reply: TimeSpan,
}

/// Used when no rule matches at all (an administrator deleted the catch-all).
pub const FALLBACK_SIGN: TimeSpan = TimeSpan {
    amount: 1,
    unit: SpanUnit::WorkingDays,
};
pub const FALLBACK_REPLY: TimeSpan = TimeSpan {
    amount: 7,
    unit: SpanUnit::Days,
};

/// `categories`: the order's category and its ancestors, nearest first.
pub fn choose<'a>(
    policies: &'a [Policy],
    urgency: Urgency,
    kind: PetitionKind,
    categories: &[i64],
) -> Option<&'a Policy> {
    policies
        .iter()
        .filter_map(|p| {
            let u = match p.urgency {
                Some(x) if x == urgency => 1,
                Some(_) => return None,
                None => 0,
            };
            let c = match p.category_id {
                Some(id) => match categories.iter().position(|c| *c == id) {
                    Some(depth) => 100 - depth.min(99) as i32,
                    None => return None,
                },
                None => 0,
            };
            let k = match p.kind {
                Some(x) if x == kind => 1,
                Some(_) => return None,
                None => 0,
            };
            Some((u * 1_000 + c * 10 + k, p))
        })
        .max_by_key(|(score, p)| (*score, -p.id))
        .map(|(_, p)| p)
}

/// Is `span` a sensible time limit?
pub fn valid_span(span: TimeSpan) -> bool {
    (1..=10_000).contains(&span.amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(amount: i32, unit: SpanUnit) -> TimeSpan {
        TimeSpan { amount, unit }
    }

    fn rules() -> Vec<Policy> {
        vec![
            Policy {
                id: 1,
                urgency: Some(Urgency::Emergency),
                kind: None,
                category_id: None,
                sign: span(30, SpanUnit::Minutes),
                reply: span(2, SpanUnit::Hours),
            },
            Policy {
                id: 2,
                urgency: None,
                kind: Some(PetitionKind::Report),
                category_id: None,
                sign: span(1, SpanUnit::WorkingDays),
                reply: span(15, SpanUnit::Days),
            },
            Policy {
                id: 3,
                urgency: None,
                kind: None,
                category_id: None,
                sign: span(1, SpanUnit::WorkingDays),
                reply: span(7, SpanUnit::Days),
            },
            // 水电气暖 (category 7, under 民生, category 1)
            Policy {
                id: 4,
                urgency: None,
                kind: None,
                category_id: Some(7),
                sign: span(2, SpanUnit::Hours),
                reply: span(24, SpanUnit::Hours),
            },
            Policy {
                id: 5,
                urgency: None,
                kind: None,
                category_id: Some(1),
                sign: span(1, SpanUnit::WorkingDays),
                reply: span(10, SpanUnit::Days),
            },
        ]
    }

    #[test]
    fn the_most_specific_rule_wins() {
        let r = rules();
        let id = |u, k, cats: &[i64]| choose(&r, u, k, cats).map(|p| p.id);
        assert_eq!(
            id(Urgency::Normal, PetitionKind::Help, &[12]),
            Some(3),
            "the catch-all"
        );
        assert_eq!(
            id(Urgency::Emergency, PetitionKind::Help, &[7, 1]),
            Some(1),
            "an emergency beats its category"
        );
        assert_eq!(
            id(Urgency::Normal, PetitionKind::Help, &[7, 1]),
            Some(4),
            "the nearest category"
        );
        assert_eq!(
            id(Urgency::Normal, PetitionKind::Help, &[8, 1]),
            Some(5),
            "a parent category covers its children"
        );
        assert_eq!(id(Urgency::Normal, PetitionKind::Report, &[12]), Some(2));
        assert_eq!(
            id(Urgency::Normal, PetitionKind::Report, &[7, 1]),
            Some(4),
            "category before kind"
        );
        assert_eq!(choose(&[], Urgency::Normal, PetitionKind::Help, &[]), None);
    }
}

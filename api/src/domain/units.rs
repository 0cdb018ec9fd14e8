//! The unit tree: hotline office → districts and city departments → streets and towns →
//! communities and villages → grids. A unit hangs only under a unit of a higher level, and never
//! under itself or its own subtree.

use minhu_types::UnitKind;

#[derive(Debug, PartialEq, Eq)]
pub enum TreeError {
    /// The parent's kind does not sit above the child's.
    KindOrder { parent: UnitKind, child: UnitKind },
    /// The new parent lies in the unit's own subtree.
    Cycle,
}

impl TreeError {
    pub fn message(&self) -> String {
        match self {
            TreeError::KindOrder { parent, child } => format!(
                "“{}”不能隶属于“{}”：上级单位的层级必须高于下级",
                child.label(),
                parent.label()
            ),
            TreeError::Cycle => "不能把单位移到它自己或它的下级单位之下".to_owned(),
        }
    }
}

/// May a unit of kind `child` hang under a unit of kind `parent`?
pub fn check_kinds(parent: UnitKind, child: UnitKind) -> Result<(), TreeError> {
    if parent.level() < child.level() {
        Ok(())
    } else {
        Err(TreeError::KindOrder { parent, child })
    }
}

/// The materialized path of a unit: its parent's path followed by its own id.
pub fn child_path(parent_path: Option<&str>, id: i64) -> String {
    format!("{}{id}/", parent_path.unwrap_or("/"))
}

/// The units on a materialized path, from the top down to the unit itself: '/1/12/314/' → 1, 12,
/// 314 (an order is filed under each of them: `order_ancestors`); none for the root '/'.
pub fn path_ids(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|id| id.parse().ok()).collect()
}

/// The unit a materialized path leads to ('/1/12/' → 12); none for the root '/' (everything).
pub fn path_unit(path: &str) -> Option<i64> {
    path_ids(path).last().copied()
}

/// Is `path` inside the subtree rooted at `root_path` (the root included)?
pub fn in_subtree(path: &str, root_path: &str) -> bool {
    path.starts_with(root_path)
}

/// Moving unit with `unit_path` under the unit with `new_parent_path`.
pub fn check_move(unit_path: &str, new_parent_path: &str) -> Result<(), TreeError> {
    if in_subtree(new_parent_path, unit_path) {
        Err(TreeError::Cycle)
    } else {
        Ok(())
    }
}

/// The path of a descendant after its ancestor moved from `old_prefix` to `new_prefix`.
pub fn rebase(path: &str, old_prefix: &str, new_prefix: &str) -> String {
    format!("{new_prefix}{}", &path[old_prefix.len().min(path.len())..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use UnitKind::*;

    #[test]
    fn a_path_names_its_units_from_the_top() {
        let path = child_path(Some(&child_path(Some("/1/"), 12)), 314);
        assert_eq!(path, "/1/12/314/");
        assert_eq!(path_ids(&path), [1, 12, 314]);
        assert_eq!(path_unit(&path), Some(314));
        assert_eq!(path_ids("/"), Vec::<i64>::new());
        assert_eq!(path_unit("/"), None);
        let moved = rebase(&path, "/1/12/", "/1/7/12/");
        assert_eq!(path_ids(&moved), [1, 7, 12, 314]);
    }

    #[test]
    fn kinds_hang_under_higher_kinds_only() {
        assert!(check_kinds(HotlineOffice, District).is_ok());
        assert!(check_kinds(District, Town).is_ok());
        assert!(check_kinds(Town, Community).is_ok());
        assert!(check_kinds(Community, Grid).is_ok());
        assert!(check_kinds(HotlineOffice, Grid).is_ok());
        assert!(check_kinds(District, Department).is_err());
        assert!(check_kinds(Grid, Community).is_err());
        assert!(check_kinds(Street, Street).is_err());
    }

    #[test]
    fn paths_and_moves() {
        let root = child_path(None, 1);
        assert_eq!(root, "/1/");
        let town = child_path(Some("/1/4/"), 9);
        assert_eq!(town, "/1/4/9/");
        assert!(in_subtree(&town, "/1/"));
        assert!(!in_subtree("/1/40/", "/1/4/"));
        assert_eq!(check_move("/1/4/", "/1/4/9/"), Err(TreeError::Cycle));
        assert_eq!(check_move("/1/4/", "/1/4/"), Err(TreeError::Cycle));
        assert!(check_move("/1/4/", "/1/5/").is_ok());
        assert_eq!(rebase("/1/4/9/", "/1/4/", "/2/4/"), "/2/4/9/");
    }
}

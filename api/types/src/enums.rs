//! The vocabulary of `domain.md`: each enum travels as its lowercase snake_case name, is stored
//! in the database under the same name, and has a Chinese label for people.

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use serde::{Deserialize, Serialize};

/// Declares a string enum with its wire name and Chinese label.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal / $zh:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The name on the wire and in the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)+ }
            }

            /// The name people read (zh-CN).
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $zh,)+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($wire => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// Who a caller is; carried in the token and enforced per endpoint.
    Role {
        /// A resident using the app or the web.
        Citizen = "citizen" / "市民",
        /// 12345 hotline office (热线办).
        Operator = "operator" / "热线办",
        /// Staff of a handling unit (承办单位).
        Handler = "handler" / "承办单位",
        /// Newspaper journalist or editor.
        Reporter = "reporter" / "记者",
        /// City or district leadership.
        Leader = "leader" / "领导",
        /// Platform administrator.
        Admin = "admin" / "管理员",
        /// An API client: newspaper app backend, county portal, Open311 client.
        Partner = "partner" / "合作方",
    }
}

string_enum! {
    /// The kind of a unit in the handling tree.
    UnitKind {
        HotlineOffice = "hotline_office" / "热线办",
        District = "district" / "县区",
        Department = "department" / "市直部门",
        Street = "street" / "街道",
        Town = "town" / "乡镇",
        Community = "community" / "社区/村",
        Grid = "grid" / "网格",
    }
}

impl UnitKind {
    /// Depth in the tree: a unit's parent must have a smaller level than the unit itself.
    pub fn level(self) -> u8 {
        match self {
            UnitKind::HotlineOffice => 0,
            UnitKind::District | UnitKind::Department => 1,
            UnitKind::Street | UnitKind::Town => 2,
            UnitKind::Community => 3,
            UnitKind::Grid => 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
            let json = serde_json::to_string(r).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(Role::parse("root"), None);
    }
}

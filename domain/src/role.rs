//! Staff roles of DESIGN.md's role table.

use super::Invalid;
use crate::text::{self, keyed_enum};
use serde::{Deserialize, Serialize};

keyed_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Role: as_str {
        Admin = "admin",
        Operator = "operator",
        Agent = "agent",
        Accountant = "accountant",
    }
}

impl Role {
    /// The code, in any case and with spaces around it.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        Self::ALL.into_iter().find(|r| r.as_str().eq_ignore_ascii_case(s)).ok_or(Invalid::RoleUnknown)
    }

    pub fn title_ru(self) -> &'static str {
        text::get("role", self.as_str())
    }
}

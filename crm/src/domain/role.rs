//! Staff roles of DESIGN.md's role table.

use super::Invalid;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Operator,
    Agent,
    Accountant,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Operator, Role::Agent, Role::Accountant];

    pub fn parse(s: &str) -> Result<Self, Invalid> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Role::Admin,
            "operator" => Role::Operator,
            "agent" => Role::Agent,
            "accountant" => Role::Accountant,
            _ => return Err(Invalid::RoleUnknown),
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Agent => "agent",
            Role::Accountant => "accountant",
        }
    }

    pub fn title_ru(self) -> &'static str {
        match self {
            Role::Admin => "администратор",
            Role::Operator => "туроператор",
            Role::Agent => "турагент",
            Role::Accountant => "бухгалтер",
        }
    }
}

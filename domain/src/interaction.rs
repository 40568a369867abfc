//! Kinds of entries in a client's (or a hotel's) interaction history.

use super::Invalid;
use crate::text::{self, keyed_enum};
use serde::{Deserialize, Serialize};

keyed_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum InteractionKind: as_str {
        Call = "call",
        Email = "email",
        Message = "message",
        Meeting = "meeting",
        Booking = "booking",
        Complaint = "complaint",
        Note = "note",
    }
}

impl InteractionKind {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim()).ok_or(Invalid::KindUnknown)
    }

    /// «Звонок», «Письмо»… as the history shows it.
    pub fn title_ru(self) -> &'static str {
        text::get("interaction_kind", self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the client (or hotel) to the agency.
    In,
    /// From the agency to the client (or hotel).
    Out,
    /// Internal: a note nobody sent.
    None,
}

impl Direction {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        Ok(match s.trim() {
            "in" => Direction::In,
            "out" => Direction::Out,
            "none" | "" => Direction::None,
            _ => return Err(Invalid::KindUnknown),
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
            Direction::None => "none",
        }
    }
}

//! Kinds of entries in a client's (or a hotel's) interaction history.

use super::Invalid;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InteractionKind {
    Call,
    Email,
    Message,
    Meeting,
    Booking,
    Complaint,
    Note,
}

impl InteractionKind {
    pub const ALL: [InteractionKind; 7] = [
        InteractionKind::Call,
        InteractionKind::Email,
        InteractionKind::Message,
        InteractionKind::Meeting,
        InteractionKind::Booking,
        InteractionKind::Complaint,
        InteractionKind::Note,
    ];

    pub fn parse(s: &str) -> Result<Self, Invalid> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim()).ok_or(Invalid::KindUnknown)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InteractionKind::Call => "call",
            InteractionKind::Email => "email",
            InteractionKind::Message => "message",
            InteractionKind::Meeting => "meeting",
            InteractionKind::Booking => "booking",
            InteractionKind::Complaint => "complaint",
            InteractionKind::Note => "note",
        }
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

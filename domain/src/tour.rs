//! Tour vocabulary: kinds, statuses, services.

use crate::text::{self, keyed_enum};
use serde::{Deserialize, Serialize};

keyed_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum TourKind: as_str {
        /// An author's excursion tour with its programme along a route.
        Excursion = "excursion",
        /// Flight + accommodation.
        Package = "package",
    }
}

impl TourKind {
    pub fn parse(s: &str) -> Option<TourKind> {
        Self::from_code(s)
    }

    pub fn title_ru(self) -> &'static str {
        text::get("tour_kind", self.as_str())
    }
}

keyed_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum TourStatus: as_str {
        Draft = "draft",
        Published = "published",
        Archived = "archived",
    }
}

impl TourStatus {
    pub fn parse(s: &str) -> Option<TourStatus> {
        Self::from_code(s)
    }

    pub fn title_ru(self) -> &'static str {
        text::get("tour_status", self.as_str())
    }
}

keyed_enum! {
    /// What a tour may include (or explicitly not include).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum TourService: as_str {
        Flight = "flight",
        Transfer = "transfer",
        Accommodation = "accommodation",
        Meals = "meals",
        Insurance = "insurance",
        Excursions = "excursions",
        Guide = "guide",
        VisaSupport = "visa_support",
        EntranceFees = "entrance_fees",
    }
}

impl TourService {
    pub fn parse(s: &str) -> Option<TourService> {
        Self::from_code(s)
    }

    pub fn title_ru(self) -> &'static str {
        text::get("tour_service", self.as_str())
    }
}

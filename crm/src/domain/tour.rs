//! Tour vocabulary: kinds, statuses, services.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TourKind {
    /// An author's excursion tour with its programme along a route.
    Excursion,
    /// Flight + accommodation.
    Package,
}

impl TourKind {
    pub fn parse(s: &str) -> Option<TourKind> {
        match s {
            "excursion" => Some(TourKind::Excursion),
            "package" => Some(TourKind::Package),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TourKind::Excursion => "excursion",
            TourKind::Package => "package",
        }
    }

    pub fn title_ru(self) -> &'static str {
        match self {
            TourKind::Excursion => "авторский экскурсионный тур",
            TourKind::Package => "пакетный тур",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TourStatus {
    Draft,
    Published,
    Archived,
}

impl TourStatus {
    pub fn parse(s: &str) -> Option<TourStatus> {
        match s {
            "draft" => Some(TourStatus::Draft),
            "published" => Some(TourStatus::Published),
            "archived" => Some(TourStatus::Archived),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TourStatus::Draft => "draft",
            TourStatus::Published => "published",
            TourStatus::Archived => "archived",
        }
    }

    pub fn title_ru(self) -> &'static str {
        match self {
            TourStatus::Draft => "черновик",
            TourStatus::Published => "опубликован",
            TourStatus::Archived => "в архиве",
        }
    }
}

/// What a tour may include (or explicitly not include).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TourService {
    Flight,
    Transfer,
    Accommodation,
    Meals,
    Insurance,
    Excursions,
    Guide,
    VisaSupport,
    EntranceFees,
}

impl TourService {
    pub const ALL: [TourService; 9] = [
        TourService::Flight,
        TourService::Transfer,
        TourService::Accommodation,
        TourService::Meals,
        TourService::Insurance,
        TourService::Excursions,
        TourService::Guide,
        TourService::VisaSupport,
        TourService::EntranceFees,
    ];

    pub fn parse(s: &str) -> Option<TourService> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TourService::Flight => "flight",
            TourService::Transfer => "transfer",
            TourService::Accommodation => "accommodation",
            TourService::Meals => "meals",
            TourService::Insurance => "insurance",
            TourService::Excursions => "excursions",
            TourService::Guide => "guide",
            TourService::VisaSupport => "visa_support",
            TourService::EntranceFees => "entrance_fees",
        }
    }

    pub fn title_ru(self) -> &'static str {
        match self {
            TourService::Flight => "перелёт",
            TourService::Transfer => "трансфер",
            TourService::Accommodation => "проживание",
            TourService::Meals => "питание",
            TourService::Insurance => "медицинская страховка",
            TourService::Excursions => "экскурсии",
            TourService::Guide => "сопровождение гида",
            TourService::VisaSupport => "визовая поддержка",
            TourService::EntranceFees => "входные билеты",
        }
    }
}

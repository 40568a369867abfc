//! Rooms of a hotel, their seasonal prices, and the hotel's cancellation terms: everything a
//! booking needs to price a stay and to price its cancellation.

use super::{FieldProblem, HotelAccess, Problems, check_hotel_access, line, refused, text};
use crate::audit::{self, AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{CancellationTerms, HotelId, Invalid, MealPlan, Money, RoomId, format_ru_range};
use crate::services::Crm;
use crate::store::hotels::{self as store, Room, RoomFields, Season};
use crate::{Actor, Conflict, Error, Result};
use chrono::NaiveDate;

/// A room type as the operator enters it.
#[derive(Debug, Clone)]
pub struct RoomInput {
    /// "Standard sea view", "Family suite"…
    pub room_type: String,
    /// Sleeping places, 1–20.
    pub capacity: i64,
    pub meal_plan: MealPlan,
    pub description: String,
}

/// A price period of a room; both dates inclusive (nights starting on them).
#[derive(Debug, Clone, Copy)]
pub struct SeasonInput {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub price_per_night: Money,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RoomWithSeasons {
    pub room: Room,
    pub seasons: Vec<Season>,
}

struct CleanRoom {
    room_type: String,
    description: String,
}

fn clean_room(r: &RoomInput) -> Result<CleanRoom, Vec<FieldProblem>> {
    let mut p = Problems::default();
    let room_type = p.take("room_type", line(&r.room_type, Invalid::TitleEmpty));
    p.check("capacity", (1..=20).contains(&r.capacity), Invalid::RoomCapacity);
    let description = p.take("description", text(&r.description));
    p.finish(CleanRoom { room_type, description })
}

impl RoomInput {
    /// Every field the service would refuse, by name (`room_type`, `capacity`, `description`).
    pub fn problems(&self) -> Vec<FieldProblem> {
        clean_room(self).err().unwrap_or_default()
    }
}

impl SeasonInput {
    /// What is wrong with the period itself, by field (`ends_on`, `price_per_night`); an
    /// overlap with another season is the service's to find.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut p = Problems::default();
        p.check("ends_on", self.ends_on >= self.starts_on, Invalid::DatesOrder);
        p.check("price_per_night", self.price_per_night.minor >= 0, Invalid::MoneyNegative);
        p.into_list()
    }
}

impl Crm {
    async fn room_for(&self, actor: &Actor, room_id: RoomId, access: HotelAccess) -> Result<Room> {
        check_hotel_access(actor, access)?;
        store::room(&mut *self.store.conn().await?, room_id).await?.ok_or(Error::NotFound("room"))
    }

    pub async fn add_room(&self, actor: &Actor, hotel_id: HotelId, input: RoomInput) -> Result<Room> {
        self.hotel_for(actor, hotel_id, HotelAccess::Write).await?;
        let r = clean_room(&input).map_err(refused)?;
        let mut tx = self.audited(actor).await?;
        let fields = RoomFields {
            room_type: &r.room_type,
            capacity: input.capacity,
            meal_plan: input.meal_plan,
            description: &r.description,
        };
        let id = store::insert_room(&mut tx, hotel_id, &fields).await?;
        let room = store::room(&mut tx, id).await?.ok_or(Error::NotFound("room"))?;
        let entry = room_entry(AuditAction::HotelRoomAdd, &room).with(AuditField::MealPlan, room.meal_plan.title_ru());
        tx.commit(entry).await?;
        Ok(room)
    }

    /// Changes a room's description. Bookings keep the price they were made at, so editing a
    /// room never rewrites a sold stay.
    pub async fn update_room(&self, actor: &Actor, room_id: RoomId, input: RoomInput) -> Result<Room> {
        self.room_for(actor, room_id, HotelAccess::Write).await?;
        let r = clean_room(&input).map_err(refused)?;
        let mut tx = self.audited(actor).await?;
        let fields = RoomFields {
            room_type: &r.room_type,
            capacity: input.capacity,
            meal_plan: input.meal_plan,
            description: &r.description,
        };
        if !store::update_room(&mut tx, room_id, &fields).await? {
            return Err(Error::NotFound("room"));
        }
        let room = store::room(&mut tx, room_id).await?.ok_or(Error::NotFound("room"))?;
        tx.commit(room_entry(AuditAction::HotelRoomUpdate, &room)).await?;
        Ok(room)
    }

    /// Archives (`true`) or restores a room: an archived room is no longer offered, but stays
    /// for the tours and bookings that name it.
    pub async fn archive_room(&self, actor: &Actor, room_id: RoomId, archived: bool) -> Result<Room> {
        self.room_for(actor, room_id, HotelAccess::Write).await?;
        let mut tx = self.audited(actor).await?;
        if !store::set_room_archived(&mut tx, room_id, archived).await? {
            return Err(Error::Conflict(Conflict::NoChange(if archived {
                "the room is already archived"
            } else {
                "the room is not archived"
            })));
        }
        let action = if archived { AuditAction::HotelRoomArchive } else { AuditAction::HotelRoomRestore };
        let room = store::room(&mut tx, room_id).await?.ok_or(Error::NotFound("room"))?;
        tx.commit(room_entry(action, &room)).await?;
        Ok(room)
    }

    /// A hotel's rooms. Clients see only the rooms on offer; staff see archived ones too.
    pub async fn hotel_rooms(&self, actor: &Actor, hotel_id: HotelId) -> Result<Vec<Room>> {
        self.hotel_for(actor, hotel_id, HotelAccess::Public).await?;
        let mut rooms = store::rooms(&mut *self.store.conn().await?, hotel_id).await?;
        if matches!(actor, Actor::Client(_)) {
            rooms.retain(|r| !r.archived);
        }
        Ok(rooms)
    }

    /// Adds a price period. A price that changes is a new season after the old one, so a season
    /// overlapping an existing one is refused; a mistyped one is removed and entered again.
    pub async fn add_season(&self, actor: &Actor, room_id: RoomId, input: SeasonInput) -> Result<Season> {
        let room = self.room_for(actor, room_id, HotelAccess::Write).await?;
        let problems = input.problems();
        if !problems.is_empty() {
            return Err(refused(problems));
        }
        let mut tx = self.audited(actor).await?;
        if !store::lock_room(&mut tx, room_id).await? {
            return Err(Error::NotFound("room"));
        }
        if store::overlapping_season(&mut tx, room_id, input.starts_on, input.ends_on).await?.is_some() {
            return Err(Error::Invalid(Invalid::SeasonsOverlap));
        }
        let id = store::insert_season(&mut tx, room_id, input.starts_on, input.ends_on, input.price_per_night).await?;
        let season = store::seasons(&mut tx, room_id)
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or(Error::NotFound("season"))?;
        tx.commit(season_entry(AuditAction::HotelSeasonAdd, &room, &season)).await?;
        Ok(season)
    }

    /// Removes a season, to correct a mistake. Bookings keep the price they were made at (it is
    /// stored with them), so only prices computed from now on change; the audit log keeps the
    /// removed dates and price.
    pub async fn remove_season(&self, actor: &Actor, room_id: RoomId, season_id: i64) -> Result<Season> {
        let room = self.room_for(actor, room_id, HotelAccess::Write).await?;
        let mut tx = self.audited(actor).await?;
        let season = store::delete_season(&mut tx, room_id, season_id).await?.ok_or(Error::NotFound("season"))?;
        tx.commit(season_entry(AuditAction::HotelSeasonRemove, &room, &season)).await?;
        Ok(season)
    }

    /// One room with its seasons, for the page that edits it.
    pub async fn hotel_room(&self, actor: &Actor, room_id: RoomId) -> Result<RoomWithSeasons> {
        let room = self.room_for(actor, room_id, HotelAccess::Read).await?;
        let seasons = store::seasons(&mut *self.store.conn().await?, room_id).await?;
        Ok(RoomWithSeasons { room, seasons })
    }

    /// A room's seasons in date order.
    pub async fn room_seasons(&self, actor: &Actor, room_id: RoomId) -> Result<Vec<Season>> {
        self.room_for(actor, room_id, HotelAccess::Read).await?;
        Ok(store::seasons(&mut *self.store.conn().await?, room_id).await?)
    }

    /// Replaces the hotel's cancellation terms as a whole, after checking the table
    /// ([`CancellationTerms::validate`]). Bookings already cancelled keep their penalty.
    pub async fn set_cancellation_terms(
        &self,
        actor: &Actor,
        hotel_id: HotelId,
        terms: CancellationTerms,
    ) -> Result<CancellationTerms> {
        self.hotel_for(actor, hotel_id, HotelAccess::Write).await?;
        let terms = CancellationTerms::new(terms.free_days, terms.rules)?;
        let mut tx = self.audited(actor).await?;
        store::set_cancellation_terms(&mut tx, hotel_id, &terms).await?;
        let stored = store::cancellation_terms(&mut tx, hotel_id).await?;
        let entry = Entry::new(AuditAction::HotelTermsSet, AuditObject::Hotel(hotel_id))
            .with(AuditField::FreeDays, terms.free_days)
            .with(AuditField::PenaltyRules, terms.rules.len());
        tx.commit(entry).await?;
        Ok(stored)
    }

    pub async fn hotel_cancellation_terms(&self, actor: &Actor, hotel_id: HotelId) -> Result<CancellationTerms> {
        self.hotel_for(actor, hotel_id, HotelAccess::Read).await?;
        Ok(store::cancellation_terms(&mut *self.store.conn().await?, hotel_id).await?)
    }
}

/// A change of a room, as the log records it: under the hotel, naming the room.
fn room_entry(action: AuditAction, room: &Room) -> Entry {
    Entry::new(action, AuditObject::Hotel(room.hotel_id)).with(AuditField::Room, audit::room(&room.room_type, room.id))
}

/// A season added or removed: its room, dates and price, so a removed one can be entered again.
fn season_entry(action: AuditAction, room: &Room, s: &Season) -> Entry {
    room_entry(action, room)
        .with(AuditField::Period, format_ru_range(s.starts_on, s.ends_on))
        .with(AuditField::PricePerNight, s.price_per_night)
}

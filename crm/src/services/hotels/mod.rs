//! Partner hotels: the hotel record, its card, search, and who may do what with them.
//! Hotels are shared partners of the whole agency, so any operator manages any hotel; agents
//! and the accountant read them (to sell and to reconcile); a client sees only the public part
//! (the hotel and its rooms). Rooms, seasons and terms are in `rooms`; managers, agreements
//! and the correspondence in `partners`.

mod partners;
mod rooms;

pub use partners::{AgreementInput, CorrespondenceInput, ManagerInput};
pub use rooms::{RoomInput, RoomWithSeasons, SeasonInput};

use super::Crm;
use crate::audit::{AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{CancellationTerms, HotelId, Invalid, Role, Stars};
use crate::store::hotels::{self as store, Agreement, Hotel, HotelFields, HotelFilter, Manager};
use crate::{Actor, Conflict, Error, Result};

/// Names, places, room types: one line.
const MAX_LINE: usize = 200;
/// Descriptions, agreement texts.
const MAX_TEXT: usize = 5_000;
const MAX_ADDRESS: usize = 1_000;

/// A hotel as the operator enters it; free text is checked by the service.
#[derive(Debug, Clone, Default)]
pub struct HotelInput {
    pub name: String,
    pub country: String,
    pub city: String,
    pub address: String,
    pub stars: Option<Stars>,
    pub description: String,
}

/// Everything the hotel page shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HotelCard {
    pub hotel: Hotel,
    pub managers: Vec<Manager>,
    pub rooms: Vec<RoomWithSeasons>,
    pub terms: CancellationTerms,
    /// The agreement in force today.
    pub agreement: Option<Agreement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HotelAccess {
    /// The hotel and its rooms, as a client may see them.
    Public,
    /// Everything stored about the hotel except the correspondence.
    Read,
    /// Changes, and the correspondence both ways.
    Write,
}

/// DESIGN.md's role table for hotels.
pub(crate) fn check_hotel_access(actor: &Actor, access: HotelAccess) -> Result<()> {
    let allowed = match actor {
        Actor::System | Actor::Staff { role: Role::Admin | Role::Operator, .. } => true,
        Actor::Staff { role: Role::Agent | Role::Accountant, .. } => access != HotelAccess::Write,
        Actor::Client(_) => access == HotelAccess::Public,
        Actor::Telegram(_) => false,
    };
    if allowed { Ok(()) } else { Err(Error::Forbidden("hotels are managed by operators and admins")) }
}

/// One line of text: whitespace collapsed, not empty, at most [`MAX_LINE`] characters.
pub(crate) fn line(s: &str, empty: Invalid) -> Result<String, Invalid> {
    let t = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        return Err(empty);
    }
    if t.chars().count() > MAX_LINE {
        return Err(Invalid::FieldTooLong);
    }
    Ok(t)
}

/// Free text, possibly empty, at most [`MAX_TEXT`] characters.
pub(crate) fn text(s: &str) -> Result<String, Invalid> {
    let t = s.trim();
    if t.chars().count() > MAX_TEXT {
        return Err(Invalid::TextTooLong);
    }
    Ok(t.to_owned())
}

/// A refused field of an input: the field's name as the forms name it, and why.
pub type FieldProblem = (&'static str, Invalid);

/// Collects every refused field of one input, so a form can mark them all at once; the
/// services refuse with the first.
#[derive(Default)]
pub(crate) struct Problems(Vec<FieldProblem>);

impl Problems {
    /// The checked value, or a placeholder while the problem is noted.
    pub(crate) fn take<T: Default>(&mut self, field: &'static str, checked: Result<T, Invalid>) -> T {
        checked.unwrap_or_else(|why| {
            self.0.push((field, why));
            T::default()
        })
    }

    pub(crate) fn check(&mut self, field: &'static str, ok: bool, why: Invalid) {
        if !ok {
            self.0.push((field, why));
        }
    }

    pub(crate) fn into_list(self) -> Vec<FieldProblem> {
        self.0
    }

    pub(crate) fn finish<T>(self, value: T) -> Result<T, Vec<FieldProblem>> {
        if self.0.is_empty() { Ok(value) } else { Err(self.0) }
    }
}

/// The service's answer to a refused input: its first problem.
pub(crate) fn refused(problems: Vec<FieldProblem>) -> Error {
    problems.into_iter().next().map_or(Error::Invalid(Invalid::TextEmpty), |(_, why)| Error::Invalid(why))
}

struct CleanHotel {
    name: String,
    country: String,
    city: String,
    address: String,
    description: String,
}

fn short_address(a: String) -> Result<String, Invalid> {
    if a.chars().count() > MAX_ADDRESS { Err(Invalid::TextTooLong) } else { Ok(a) }
}

fn clean_hotel(h: &HotelInput) -> Result<CleanHotel, Vec<FieldProblem>> {
    let mut p = Problems::default();
    let hotel = CleanHotel {
        name: p.take("name", line(&h.name, Invalid::TitleEmpty)),
        country: p.take("country", line(&h.country, Invalid::CountryEmpty)),
        city: p.take("city", line(&h.city, Invalid::CityEmpty)),
        address: p.take("address", text(&h.address).and_then(short_address)),
        description: p.take("description", text(&h.description)),
    };
    p.finish(hotel)
}

impl HotelInput {
    /// Every field the service would refuse, by name (`name`, `country`, `city`, `address`,
    /// `description`).
    pub fn problems(&self) -> Vec<FieldProblem> {
        clean_hotel(self).err().unwrap_or_default()
    }
}

impl Crm {
    /// Loads a hotel for an actor; a client is told an archived hotel does not exist.
    pub(crate) async fn hotel_for(&self, actor: &Actor, id: HotelId, access: HotelAccess) -> Result<Hotel> {
        check_hotel_access(actor, access)?;
        let hotel = store::get(&mut *self.store.conn().await?, id).await?.ok_or(Error::NotFound("hotel"))?;
        if hotel.archived && matches!(actor, Actor::Client(_)) {
            return Err(Error::NotFound("hotel"));
        }
        Ok(hotel)
    }

    pub async fn create_hotel(&self, actor: &Actor, input: HotelInput) -> Result<Hotel> {
        check_hotel_access(actor, HotelAccess::Write)?;
        let h = clean_hotel(&input).map_err(refused)?;
        let who = actor.audit_name();
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let fields = HotelFields {
            name: &h.name,
            country: &h.country,
            city: &h.city,
            address: &h.address,
            stars: input.stars,
            description: &h.description,
        };
        let id = store::insert(&mut tx, &fields, &who, now).await?;
        let hotel = store::get(&mut tx, id).await?.ok_or(Error::NotFound("hotel"))?;
        tx.commit(Entry::new(AuditAction::HotelCreate, AuditObject::Hotel(id)).with(AuditField::Title, h.name)).await?;
        Ok(hotel)
    }

    pub async fn update_hotel(&self, actor: &Actor, id: HotelId, input: HotelInput) -> Result<Hotel> {
        check_hotel_access(actor, HotelAccess::Write)?;
        let h = clean_hotel(&input).map_err(refused)?;
        let mut tx = self.audited(actor).await?;
        let fields = HotelFields {
            name: &h.name,
            country: &h.country,
            city: &h.city,
            address: &h.address,
            stars: input.stars,
            description: &h.description,
        };
        if !store::update(&mut tx, id, &fields).await? {
            return Err(Error::NotFound("hotel"));
        }
        let hotel = store::get(&mut tx, id).await?.ok_or(Error::NotFound("hotel"))?;
        tx.commit(Entry::new(AuditAction::HotelUpdate, AuditObject::Hotel(id))).await?;
        Ok(hotel)
    }

    /// Archives (`true`) or restores a hotel. An archived hotel leaves the lists and the
    /// clients' view; its rooms, agreements and history stay for the bookings made.
    pub async fn archive_hotel(&self, actor: &Actor, id: HotelId, archived: bool) -> Result<Hotel> {
        self.hotel_for(actor, id, HotelAccess::Write).await?;
        let mut tx = self.audited(actor).await?;
        if !store::set_archived(&mut tx, id, archived).await? {
            return Err(Error::Conflict(Conflict::NoChange(if archived {
                "the hotel is already archived"
            } else {
                "the hotel is not archived"
            })));
        }
        let action = if archived { AuditAction::HotelArchive } else { AuditAction::HotelRestore };
        let hotel = store::get(&mut tx, id).await?.ok_or(Error::NotFound("hotel"))?;
        tx.commit(Entry::new(action, AuditObject::Hotel(id))).await?;
        Ok(hotel)
    }

    /// The hotel record: staff, and clients for a hotel that is not archived.
    pub async fn get_hotel(&self, actor: &Actor, id: HotelId) -> Result<Hotel> {
        self.hotel_for(actor, id, HotelAccess::Public).await
    }

    /// Hotels by country, city and text; archived ones only when asked for.
    pub async fn list_hotels(&self, actor: &Actor, filter: HotelFilter) -> Result<Vec<Hotel>> {
        check_hotel_access(actor, HotelAccess::Read)?;
        Ok(store::list(&mut *self.store.conn().await?, &filter).await?)
    }

    /// The hotel page: managers, rooms with their seasons, cancellation terms and the agreement
    /// in force today.
    pub async fn hotel_card(&self, actor: &Actor, id: HotelId) -> Result<HotelCard> {
        let hotel = self.hotel_for(actor, id, HotelAccess::Read).await?;
        let mut conn = self.store.conn().await?;
        let mut rooms = Vec::new();
        for room in store::rooms(&mut conn, id).await? {
            let seasons = store::seasons(&mut conn, room.id).await?;
            rooms.push(RoomWithSeasons { room, seasons });
        }
        Ok(HotelCard {
            managers: store::managers(&mut conn, id).await?,
            rooms,
            terms: store::cancellation_terms(&mut conn, id).await?,
            agreement: store::agreement_in_force(&mut conn, id, self.today()).await?,
            hotel,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_collapsed_and_bounded() {
        assert_eq!(line("  Rixos   Premium ", Invalid::TitleEmpty), Ok("Rixos Premium".to_owned()));
        assert_eq!(line(" \n ", Invalid::TitleEmpty), Err(Invalid::TitleEmpty));
        assert_eq!(line(&"я".repeat(200), Invalid::TitleEmpty).map(|s| s.chars().count()), Ok(200));
        assert_eq!(line(&"я".repeat(201), Invalid::TitleEmpty), Err(Invalid::FieldTooLong));
        assert_eq!(text(&"x".repeat(5_001)), Err(Invalid::TextTooLong));
    }
}

//! Tours: operators create and edit their own (admins any), publish and archive them, manage
//! departures and seats. Published tours are the catalog everyone browses.

use super::Crm;
use crate::audit::{self, AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{
    DepartureId, HotelId, Invalid, Money, Role, TourId, TourKind, TourService, TourStatus, format_ru_range,
};
use crate::store::hotels::{Hotel, HotelFilter, Room};
use crate::store::tours::{
    self as store, Departure, RoutePoint, Tour, TourFields, TourFilter, TourHotel, TourHotelLink,
};
use crate::{Actor, Conflict, Error, Result};
use chrono::NaiveDate;

/// Everything an operator enters about a tour (departures are managed one by one).
#[derive(Debug, Clone)]
pub struct TourInput {
    pub kind: TourKind,
    pub title: String,
    pub description: String,
    pub country: String,
    pub region: String,
    pub departure_city: String,
    pub price: Money,
    pub route: Vec<RoutePoint>,
    pub services: Vec<(TourService, bool)>,
    pub hotels: Vec<TourHotelLink>,
    pub hot: Option<(NaiveDate, NaiveDate)>,
    pub early_booking: Option<(NaiveDate, NaiveDate)>,
}

/// What a tour card shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TourCard {
    pub tour: Tour,
    pub route: Vec<RoutePoint>,
    pub services: Vec<(TourService, bool)>,
    pub hotels: Vec<TourHotel>,
    pub departures: Vec<Departure>,
}

/// A tour card with the prices a client is shown: [`Crm::tour_offer`].
#[derive(Debug, Clone)]
pub struct TourOffer {
    pub card: TourCard,
    pub prices: Vec<crate::services::DeparturePrice>,
}

impl TourOffer {
    /// The «от» the tour is offered at wherever a client sees it (the card, the bot's list and
    /// its budget filter, a broadcast): the least one person pays, accommodation included, on
    /// the departures `shown` picks; the tour's own price where none of them is priced.
    pub fn least_per_person(&self, shown: impl Fn(&Departure) -> bool) -> crate::domain::Money {
        self.prices
            .iter()
            .filter(|p| self.card.departures.iter().any(|d| d.id == p.departure_id && shown(d)))
            .map(|p| p.per_person)
            .min_by_key(|m| m.minor)
            .unwrap_or(self.card.tour.price)
    }
}

/// The card of a tour `actor` may see, on `conn`.
async fn card_on(conn: &mut crate::store::Conn, actor: &Actor, id: TourId) -> Result<TourCard> {
    let tour = store::get(conn, id).await?.ok_or(Error::NotFound("tour"))?;
    may_see(actor, &tour)?;
    Ok(TourCard {
        route: store::route(conn, id).await?,
        services: store::services(conn, id).await?,
        hotels: store::hotels(conn, id).await?,
        departures: store::departures(conn, id).await?,
        tour,
    })
}

fn text(s: &str, max: usize, empty: Invalid) -> Result<String, Invalid> {
    let t = s.trim();
    if t.is_empty() {
        return Err(empty);
    }
    if t.chars().count() > max {
        return Err(Invalid::TextTooLong);
    }
    Ok(t.to_owned())
}

fn at_most(s: &str, max: usize) -> Result<(), Invalid> {
    if s.trim().chars().count() > max { Err(Invalid::TextTooLong) } else { Ok(()) }
}

fn check_period(p: Option<(NaiveDate, NaiveDate)>) -> Result<(), Invalid> {
    match p {
        Some((from, until)) if until < from => Err(Invalid::DatesOrder),
        _ => Ok(()),
    }
}

/// A departure's seats: at least one (a date without seats cannot be sold; an unneeded date is
/// removed), at most 1000.
fn seats(capacity: i64) -> std::result::Result<(), Invalid> {
    match capacity {
        0 => Err(Invalid::SeatsZero),
        1..=1000 => Ok(()),
        _ => Err(Invalid::CapacityRange),
    }
}

/// The last day a route may name.
pub const MAX_ROUTE_DAY: i64 = 366;

impl TourInput {
    /// Every reason this input is refused, each with the field it concerns (`title`, `country`,
    /// `departure_city`, `description`, `region`, `price`, `route`, `hotels`, `hot`,
    /// `early_booking`), so a form can show each one beside its field.
    pub fn problems(&self) -> Vec<(&'static str, Invalid)> {
        let mut out = Vec::new();
        let mut check = |field, r: Result<(), Invalid>| {
            if let Err(e) = r {
                out.push((field, e));
            }
        };
        check("title", text(&self.title, 200, Invalid::TitleEmpty).map(drop));
        check("country", text(&self.country, 100, Invalid::CountryEmpty).map(drop));
        check("departure_city", text(&self.departure_city, 100, Invalid::CityEmpty).map(drop));
        check("description", at_most(&self.description, 20_000));
        check("region", at_most(&self.region, 200));
        check(
            "price",
            match self.price.minor {
                m if m < 0 => Err(Invalid::MoneyNegative),
                0 => Err(Invalid::TourPriceZero),
                _ => Ok(()),
            },
        );
        let bad_point = |p: &RoutePoint| p.place.trim().is_empty() || !(1..=MAX_ROUTE_DAY).contains(&p.day_number);
        check("route", if self.route.iter().any(bad_point) { Err(Invalid::RoutePoint) } else { Ok(()) });
        let bad_nights = self.hotels.iter().any(|h| !(1..=60).contains(&h.nights));
        check("hotels", if bad_nights { Err(Invalid::NightsRange) } else { Ok(()) });
        check("hot", check_period(self.hot));
        check("early_booking", check_period(self.early_booking));
        out
    }

    fn validate(&self) -> Result<(), Invalid> {
        match self.problems().into_iter().next() {
            Some((_, reason)) => Err(reason),
            None => Ok(()),
        }
    }

    fn fields(&self) -> TourFields<'_> {
        TourFields {
            kind: self.kind,
            title: self.title.trim(),
            description: self.description.trim(),
            country: self.country.trim(),
            region: self.region.trim(),
            departure_city: self.departure_city.trim(),
            price: self.price,
            hot: self.hot,
            early_booking: self.early_booking,
        }
    }
}

/// May the actor change this tour? Its operator and admins may.
fn may_edit(actor: &Actor, tour: &Tour) -> Result<()> {
    match actor {
        Actor::System | Actor::Staff { role: Role::Admin, .. } => Ok(()),
        Actor::Staff { id, role: Role::Operator } if *id == tour.operator_id => Ok(()),
        _ => Err(Error::Forbidden("only the tour's operator or an admin changes it")),
    }
}

/// A hotel a tour may link, with its rooms on offer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LinkableHotel {
    pub hotel: Hotel,
    pub rooms: Vec<Room>,
}

/// Whether the tour's forms are offered to the actor (the service decides again on submit).
pub fn tour_editable_by(actor: &Actor, tour: &Tour) -> bool {
    may_edit(actor, tour).is_ok()
}

/// May the actor see this tour? Published ones are public; drafts are the operator's; the
/// archive is for staff.
fn may_see(actor: &Actor, tour: &Tour) -> Result<()> {
    match tour.status {
        TourStatus::Published => Ok(()),
        TourStatus::Archived if actor.role().is_some() || *actor == Actor::System => Ok(()),
        _ => may_edit(actor, tour),
    }
}

impl Crm {
    pub async fn create_tour(&self, actor: &Actor, input: TourInput) -> Result<TourCard> {
        actor.require(&[Role::Operator, Role::Admin], "only operators and admins create tours")?;
        let owner = actor.staff_id().ok_or(Error::Forbidden("a tour belongs to a staff member"))?;
        input.validate()?;
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        self.check_tour_hotels(&mut tx, &input.hotels, &[]).await?;
        let id = store::insert(&mut tx, &input.fields(), owner, now).await?;
        write_parts(&mut tx, id, &input).await?;
        tx.commit(Entry::new(AuditAction::TourCreate, AuditObject::Tour(id)).with(AuditField::Title, &input.title))
            .await?;
        self.tour_card(actor, id).await
    }

    pub async fn update_tour(&self, actor: &Actor, id: TourId, input: TourInput) -> Result<TourCard> {
        let tour = self.tour_for(actor, id).await?;
        may_edit(actor, &tour)?;
        input.validate()?;
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let linked = store::hotels(&mut tx, id).await?;
        self.check_tour_hotels(&mut tx, &input.hotels, &linked).await?;
        store::update(&mut tx, id, &input.fields(), now).await?;
        write_parts(&mut tx, id, &input).await?;
        tx.commit(Entry::new(AuditAction::TourUpdate, AuditObject::Tour(id))).await?;
        self.tour_card(actor, id).await
    }

    /// Every linked hotel and room exists, each room belongs to its hotel, and nothing archived
    /// is newly linked. A hotel or room the tour `already` links stays allowed after it was
    /// archived, so the operator can still edit the tour's text (the bookings keep their rooms).
    async fn check_tour_hotels(
        &self,
        conn: &mut crate::store::Conn,
        links: &[TourHotelLink],
        already: &[TourHotel],
    ) -> Result<()> {
        for l in links {
            let hotel = crate::store::hotels::get(conn, l.hotel_id).await?.ok_or(Error::NotFound("hotel"))?;
            if hotel.archived && !already.iter().any(|a| a.hotel_id == l.hotel_id) {
                return Err(Error::Invalid(Invalid::HotelArchived));
            }
            if let Some(room) = l.room_id {
                let r = crate::store::hotels::room(conn, room).await?.ok_or(Error::NotFound("room"))?;
                if r.hotel_id != l.hotel_id {
                    return Err(Error::Invalid(Invalid::RoomNotInTour));
                }
                if r.archived && !already.iter().any(|a| a.room_id == Some(room)) {
                    return Err(Error::Invalid(Invalid::RoomArchived));
                }
            }
        }
        Ok(())
    }

    /// Publishing checks the tour can really be sold: a price, a future departure with seats,
    /// and for a package tour a hotel.
    pub async fn publish_tour(&self, actor: &Actor, id: TourId) -> Result<TourCard> {
        let card = self.tour_card(actor, id).await?;
        may_edit(actor, &card.tour)?;
        let today = self.today();
        if card.tour.price.minor <= 0 {
            return Err(Error::Invalid(Invalid::TourPriceZero));
        }
        if card.tour.kind == TourKind::Package && card.hotels.is_empty() {
            return Err(Error::Invalid(Invalid::PackageNeedsHotel));
        }
        // The real reason: no date to come at all, or dates whose seats are all zero.
        let ahead: Vec<_> = card.departures.iter().filter(|d| d.starts_on > today).collect();
        if ahead.is_empty() {
            return Err(Error::Invalid(Invalid::NoDepartures));
        }
        if !ahead.iter().any(|d| d.capacity > 0) {
            return Err(Error::Invalid(Invalid::NoSeats));
        }
        self.set_tour_status(actor, &card.tour, TourStatus::Published).await?;
        self.tour_card(actor, id).await
    }

    pub async fn archive_tour(&self, actor: &Actor, id: TourId) -> Result<()> {
        let tour = self.tour_for(actor, id).await?;
        may_edit(actor, &tour)?;
        self.set_tour_status(actor, &tour, TourStatus::Archived).await
    }

    /// Back to draft, e.g. to fix a mistake before publishing again. Bookings stay valid.
    pub async fn unpublish_tour(&self, actor: &Actor, id: TourId) -> Result<()> {
        let tour = self.tour_for(actor, id).await?;
        may_edit(actor, &tour)?;
        self.set_tour_status(actor, &tour, TourStatus::Draft).await
    }

    async fn set_tour_status(&self, actor: &Actor, tour: &Tour, status: TourStatus) -> Result<()> {
        if tour.status == status {
            return Err(Error::Conflict(Conflict::NoChange("the tour already has this status")));
        }
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        store::set_status(&mut tx, tour.id, status, now).await?;
        tx.commit(Entry::new(AuditAction::tour_status(status), AuditObject::Tour(tour.id))).await
    }

    pub(crate) async fn tour_for(&self, actor: &Actor, id: TourId) -> Result<Tour> {
        let tour = store::get(&mut *self.store.conn().await?, id).await?.ok_or(Error::NotFound("tour"))?;
        may_see(actor, &tour)?;
        Ok(tour)
    }

    pub async fn get_tour(&self, actor: &Actor, id: TourId) -> Result<Tour> {
        self.tour_for(actor, id).await
    }

    /// A departure and its tour, as far as the actor may see the tour (a client: a published
    /// one) — what a client's question about it tells the agent.
    pub async fn departure_with_tour(&self, actor: &Actor, id: DepartureId) -> Result<(Tour, Departure)> {
        let mut conn = self.store.conn().await?;
        let d = store::get_departure(&mut conn, id).await?.ok_or(Error::NotFound("departure"))?;
        let tour = store::get(&mut conn, d.tour_id).await?.ok_or(Error::NotFound("tour"))?;
        may_see(actor, &tour)?;
        Ok((tour, d))
    }

    pub async fn tour_card(&self, actor: &Actor, id: TourId) -> Result<TourCard> {
        let mut conn = self.store.conn().await?;
        card_on(&mut conn, actor, id).await
    }

    /// A tour as the catalog offers it: the card and what one person pays on each departure,
    /// read on one connection (the bot shows both on every card and list item).
    pub async fn tour_offer(&self, actor: &Actor, id: TourId) -> Result<TourOffer> {
        let mut conn = self.store.conn().await?;
        let card = card_on(&mut conn, actor, id).await?;
        let prices = self.card_prices(&mut conn, &card).await?;
        Ok(TourOffer { card, prices })
    }

    /// The departures from `from` on of the tours a list shows, by tour and date, so the list
    /// can say when each goes next and how many seats are left. Tours the actor may not see
    /// are left out.
    pub async fn upcoming_departures(&self, actor: &Actor, tours: &[Tour], from: NaiveDate) -> Result<Vec<Departure>> {
        let ids: Vec<TourId> = tours.iter().filter(|t| may_see(actor, t).is_ok()).map(|t| t.id).collect();
        Ok(store::upcoming(&mut *self.store.conn().await?, &ids, from).await?)
    }

    /// The catalog. Operators see their own tours in every status; everyone else sees what is
    /// published (admins and the system see everything).
    pub async fn list_tours(&self, actor: &Actor, mut filter: TourFilter) -> Result<Vec<Tour>> {
        match actor {
            Actor::System | Actor::Staff { role: Role::Admin, .. } => {}
            Actor::Staff { id, role: Role::Operator } if filter.operator_id == Some(*id) => {}
            _ => filter.status = Some(TourStatus::Published),
        }
        Ok(store::list(&mut *self.store.conn().await?, &filter).await?)
    }

    /// The hotels and rooms a tour may newly link (neither archived), for the tour form.
    pub async fn linkable_hotels(&self, actor: &Actor) -> Result<Vec<LinkableHotel>> {
        actor.require(&[Role::Operator, Role::Admin], "only operators and admins link hotels to tours")?;
        let mut conn = self.store.conn().await?;
        let filter = HotelFilter { limit: 500, ..Default::default() };
        let hotels = crate::store::hotels::list(&mut conn, &filter).await?;
        let mut by_hotel: std::collections::HashMap<HotelId, Vec<Room>> = std::collections::HashMap::new();
        for room in crate::store::hotels::active_rooms(&mut conn).await? {
            by_hotel.entry(room.hotel_id).or_default().push(room);
        }
        Ok(hotels
            .into_iter()
            .map(|hotel| LinkableHotel { rooms: by_hotel.remove(&hotel.id).unwrap_or_default(), hotel })
            .collect())
    }

    /// When and where the group of a departure meets (shown in the departure reminder).
    pub async fn set_departure_details(
        &self,
        actor: &Actor,
        id: DepartureId,
        time: Option<chrono::NaiveTime>,
        meeting_point: &str,
    ) -> Result<Departure> {
        let d = store::get_departure(&mut *self.store.conn().await?, id).await?.ok_or(Error::NotFound("departure"))?;
        let t = self.tour_for(actor, d.tour_id).await?;
        may_edit(actor, &t)?;
        let place = meeting_point.split_whitespace().collect::<Vec<_>>().join(" ");
        if place.chars().count() > 300 {
            return Err(Error::Invalid(Invalid::TextTooLong));
        }
        let mut tx = self.audited(actor).await?;
        store::set_details(&mut tx, id, time, &place).await?;
        let d = store::get_departure(&mut tx, id).await?.ok_or(Error::NotFound("departure"))?;
        let time = time.map(|t| t.format("%H:%M").to_string());
        let entry = departure_entry(AuditAction::TourDepartureDetails, &d)
            .with(AuditField::Time, time.as_deref().unwrap_or(audit::not_set()))
            .with(AuditField::MeetingPoint, if place.is_empty() { audit::not_set() } else { &place });
        tx.commit(entry).await?;
        Ok(d)
    }

    pub async fn add_departure(
        &self,
        actor: &Actor,
        tour: TourId,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        capacity: i64,
    ) -> Result<Departure> {
        let t = self.tour_for(actor, tour).await?;
        may_edit(actor, &t)?;
        if ends_on < starts_on {
            return Err(Error::Invalid(Invalid::DatesOrder));
        }
        seats(capacity)?;
        let mut tx = self.audited(actor).await?;
        let id = store::add_departure(&mut tx, tour, starts_on, ends_on, capacity).await?;
        let d = store::get_departure(&mut tx, id).await?.ok_or(Error::NotFound("departure"))?;
        tx.commit(departure_entry(AuditAction::TourDepartureAdd, &d).with(AuditField::Capacity, capacity)).await?;
        Ok(d)
    }

    pub async fn set_departure_capacity(&self, actor: &Actor, id: DepartureId, capacity: i64) -> Result<Departure> {
        let d = store::get_departure(&mut *self.store.conn().await?, id).await?.ok_or(Error::NotFound("departure"))?;
        let t = self.tour_for(actor, d.tour_id).await?;
        may_edit(actor, &t)?;
        seats(capacity)?;
        let mut tx = self.audited(actor).await?;
        if !store::set_capacity(&mut tx, id, capacity).await? {
            return Err(Error::Invalid(Invalid::CapacityRange));
        }
        let d = store::get_departure(&mut tx, id).await?.ok_or(Error::NotFound("departure"))?;
        tx.commit(departure_entry(AuditAction::TourDepartureCapacity, &d).with(AuditField::Capacity, capacity)).await?;
        Ok(d)
    }

    pub async fn remove_departure(&self, actor: &Actor, id: DepartureId) -> Result<()> {
        let d = store::get_departure(&mut *self.store.conn().await?, id).await?.ok_or(Error::NotFound("departure"))?;
        let t = self.tour_for(actor, d.tour_id).await?;
        may_edit(actor, &t)?;
        let mut tx = self.audited(actor).await?;
        if !store::remove_departure(&mut tx, id).await? {
            return Err(Error::Conflict(Conflict::DepartureHasBookings));
        }
        tx.commit(departure_entry(AuditAction::TourDepartureRemove, &d)).await
    }
}

/// A change of a departure, as the log records it: under the tour, naming the departure by its dates.
fn departure_entry(action: AuditAction, d: &Departure) -> Entry {
    Entry::new(action, AuditObject::Tour(d.tour_id))
        .with(AuditField::Departure, format_ru_range(d.starts_on, d.ends_on))
}

async fn write_parts(conn: &mut crate::store::Conn, id: TourId, input: &TourInput) -> Result<()> {
    let route: Vec<RoutePoint> = input
        .route
        .iter()
        .map(|p| RoutePoint {
            day_number: p.day_number,
            place: p.place.trim().to_owned(),
            description: p.description.trim().to_owned(),
        })
        .collect();
    store::replace_route(conn, id, &route).await?;
    store::replace_services(conn, id, &input.services).await?;
    store::replace_hotels(conn, id, &input.hotels).await?;
    Ok(())
}

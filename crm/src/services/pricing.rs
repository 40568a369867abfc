//! Pricing of a booking: the rooms night by night at each night's season price, and the
//! payment schedule (deposit and balance, or one payment when departure is near). One path
//! prices everything a client is shown and charged: [`Crm::quote_booking`] (the breakdown the
//! client confirms), [`Crm::tour_offer`] (the tour card's per-person prices) and
//! `create_booking` all go through `prepare_booking` → `price_rooms`.

use super::Crm;
use super::bookings::{BookingRequest, RoomChoice};
use super::scope::Access;
use super::tours::TourCard;
use crate::domain::{ClientId, DepartureId, HotelId, Invalid, Money, Role, TourKind, TourStatus};
use crate::store::bookings::{BookedRoom, Installment};
use crate::store::clients::Client;
use crate::store::tours::{Departure, Tour};
use crate::store::{Conn, tours};
use crate::{Actor, Conflict, Error, Result};
use chrono::{Duration, NaiveDate};

/// Days before departure when the balance is due; closer than this, one full payment.
pub const BALANCE_DUE_DAYS: i64 = 14;
/// Share of the total paid as a deposit, in basis points.
pub const DEPOSIT_BP: i64 = 3_000;
/// Days to pay the deposit.
pub const DEPOSIT_DAYS: i64 = 3;

/// Splits the total into a deposit and the balance, or one payment when departure is near.
pub fn payment_schedule(total: Money, today: NaiveDate, departure: NaiveDate) -> Vec<Installment> {
    let balance_due = departure - Duration::days(BALANCE_DUE_DAYS);
    let deposit_due = today + Duration::days(DEPOSIT_DAYS);
    if balance_due <= deposit_due {
        let due = (today + Duration::days(1)).min(departure - Duration::days(1)).max(today);
        return vec![Installment { kind: "full".into(), amount: total, due_on: due }];
    }
    let deposit = crate::domain::share_bp(total.minor, DEPOSIT_BP);
    vec![
        Installment { kind: "deposit".into(), amount: Money::new(deposit, total.currency), due_on: deposit_due },
        Installment {
            kind: "balance".into(),
            amount: Money::new(total.minor - deposit, total.currency),
            due_on: balance_due,
        },
    ]
}

/// What a booking request costs, priced exactly as the booking will be: shown to the client to
/// confirm before the booking is made.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Quote {
    pub tour: Tour,
    pub departure: Departure,
    pub travellers: i64,
    /// The tour's own price per person.
    pub per_person: Money,
    /// The rooms, each for the whole stay.
    pub rooms: Vec<BookedRoom>,
    pub rooms_total: Money,
    pub total: Money,
    pub schedule: Vec<Installment>,
}

/// What one person pays on a departure, as the tour card shows it: tour and accommodation
/// together, at the party size where one person's share is the least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DeparturePrice {
    pub departure_id: DepartureId,
    /// The least one person pays, rounded up to a kopeck.
    pub per_person: Money,
    /// The party size that pays it (a double room shared by two).
    pub travellers: i64,
    /// Others pay more per person (fewer people in a room): the card says «от».
    pub varies: bool,
}

/// The most travellers one request may book.
pub const MAX_TRAVELLERS: i64 = 30;

pub(crate) struct Priced {
    pub(crate) rooms: Vec<BookedRoom>,
    pub(crate) rooms_total: i64,
}

impl Crm {
    /// The checks of a booking request and its price: the client it is for (as the actor may
    /// see them), the tour and departure, the rooms and the total, the payment schedule.
    pub(crate) async fn prepare_booking(&self, actor: &Actor, req: &BookingRequest) -> Result<(Client, Quote)> {
        if !(1..=MAX_TRAVELLERS).contains(&req.travellers_count) {
            return Err(Error::Invalid(Invalid::TravellersCount));
        }
        let listed = i64::from(req.client_travels) + i64::try_from(req.companions.len()).unwrap_or(i64::MAX);
        if listed > req.travellers_count {
            return Err(Error::Invalid(Invalid::TravellersCount));
        }
        let client = self.client_for(actor, req.client_id, Access::Write).await?;
        if matches!(actor, Actor::Staff { role: Role::Accountant | Role::Operator, .. }) {
            return Err(Error::Forbidden("agents, admins and the client themself book"));
        }
        if client.is_blacklisted() {
            return Err(Error::Conflict(Conflict::Blacklisted));
        }
        let mut conn = self.store.conn().await?;
        let departure = tours::get_departure(&mut conn, req.departure_id).await?.ok_or(Error::NotFound("departure"))?;
        let tour = tours::get(&mut conn, departure.tour_id).await?.ok_or(Error::NotFound("tour"))?;
        if tour.status != TourStatus::Published {
            return Err(Error::Conflict(Conflict::TourNotBookable));
        }
        if departure.starts_on <= self.today() {
            return Err(Error::Conflict(Conflict::DepartureStarted));
        }
        // Said before a price is shown for a party the departure cannot take; the booking takes
        // the seats in its own transaction and decides who gets the last ones.
        if departure.seats_left() < req.travellers_count {
            return Err(Error::Conflict(Conflict::NoSeatsLeft { left: departure.seats_left() }));
        }
        let links = tours::hotels(&mut conn, tour.id).await?;
        let priced = self.price_rooms(&mut conn, &tour, &links, departure.starts_on, req).await?;
        let total = booking_total(tour.price.minor, req.travellers_count, priced.rooms_total)?;
        let cur = tour.price.currency;
        let quote = Quote {
            per_person: tour.price,
            travellers: req.travellers_count,
            rooms: priced.rooms,
            rooms_total: Money::new(priced.rooms_total, cur),
            total: Money::new(total, cur),
            schedule: payment_schedule(Money::new(total, cur), self.today(), departure.starts_on),
            tour,
            departure,
        };
        Ok((client, quote))
    }

    /// What booking `req` would cost, with the same checks as booking it (the seats left as
    /// they are now: they are taken only by the booking itself).
    pub async fn quote_booking(&self, actor: &Actor, req: &BookingRequest) -> Result<Quote> {
        Ok(self.prepare_booking(actor, req).await?.1)
    }

    /// What one person pays on each departure of the card's tour from tomorrow on (tour and
    /// accommodation): the party sizes from one to the largest default room are priced the way
    /// a booking is, and the least share per person is shown. A departure some night of which
    /// has no room price is left out: it cannot be booked until the hotel's season is entered.
    /// The card was read for the actor, so the actor may see it ([`Crm::tour_offer`]).
    pub(crate) async fn card_prices(&self, conn: &mut Conn, card: &TourCard) -> Result<Vec<DeparturePrice>> {
        let tour = &card.tour;
        let mut largest_room = 1;
        if tour.kind == TourKind::Package {
            for l in &card.hotels {
                if let Some(room) = l.room_id {
                    let room = crate::store::hotels::room(conn, room).await?.ok_or(Error::NotFound("room"))?;
                    largest_room = largest_room.max(room.capacity.min(MAX_TRAVELLERS));
                }
            }
        }
        let today = self.today();
        let mut out = Vec::new();
        for d in card.departures.iter().filter(|d| d.starts_on > today) {
            // (total, travellers) of the cheapest share so far, and whether any share differs.
            let mut best: Option<(i64, i64)> = None;
            let mut shares = std::collections::BTreeSet::new();
            for n in 1..=largest_room {
                let req = BookingRequest {
                    client_id: ClientId(0),
                    departure_id: d.id,
                    travellers_count: n,
                    client_travels: true,
                    companions: vec![],
                    rooms: vec![],
                    notes: String::new(),
                    request_key: None,
                };
                let priced = match self.price_rooms(conn, tour, &card.hotels, d.starts_on, &req).await {
                    Ok(p) => p,
                    Err(Error::Invalid(Invalid::NoPriceForDate)) => {
                        best = None;
                        break;
                    }
                    Err(e) => return Err(e),
                };
                let total = booking_total(tour.price.minor, n, priced.rooms_total)?;
                // Compared as fractions, so a share is never rounded before it is compared.
                shares.insert((total + n - 1) / n);
                if best.is_none_or(|(bt, bn)| i128::from(total) * i128::from(bn) < i128::from(bt) * i128::from(n)) {
                    best = Some((total, n));
                }
            }
            if let Some((total, n)) = best {
                out.push(DeparturePrice {
                    departure_id: d.id,
                    per_person: Money::new((total + n - 1) / n, tour.price.currency),
                    travellers: n,
                    varies: shares.len() > 1,
                });
            }
        }
        Ok(out)
    }

    /// Prices the rooms: each night at the season price of that night. `links` are the tour's
    /// hotels, in the order of the stay.
    pub(crate) async fn price_rooms(
        &self,
        conn: &mut Conn,
        tour: &tours::Tour,
        links: &[tours::TourHotel],
        starts_on: NaiveDate,
        req: &BookingRequest,
    ) -> Result<Priced> {
        let mut choices = req.rooms.clone();
        if choices.is_empty() && tour.kind == TourKind::Package {
            // The tour's default rooms, as many as the travellers need.
            for l in links {
                if let Some(room_id) = l.room_id {
                    let room = crate::store::hotels::room(conn, room_id).await?.ok_or(Error::NotFound("room"))?;
                    let rooms = (req.travellers_count + room.capacity - 1) / room.capacity.max(1);
                    choices.push(RoomChoice { room_id, rooms });
                }
            }
        }
        let mut out = Vec::new();
        let mut total: i64 = 0;
        let mut capacity_by_hotel: std::collections::HashMap<HotelId, i64> = Default::default();
        for c in &choices {
            if !(1..=30).contains(&c.rooms) {
                return Err(Error::Invalid(Invalid::TravellersCount));
            }
            let room = crate::store::hotels::room(conn, c.room_id).await?.ok_or(Error::NotFound("room"))?;
            let (offset, link) = {
                let mut offset = 0;
                let mut found = None;
                for l in links {
                    if l.hotel_id == room.hotel_id {
                        found = Some(l.clone());
                        break;
                    }
                    offset += l.nights;
                }
                (offset, found.ok_or(Error::Invalid(Invalid::RoomNotInTour))?)
            };
            let check_in = starts_on + Duration::days(offset);
            let mut sum: i64 = 0;
            let mut nightly = None;
            for n in 0..link.nights {
                let price = crate::store::hotels::price_per_night(conn, room.id, check_in + Duration::days(n))
                    .await?
                    .ok_or(Error::Invalid(Invalid::NoPriceForDate))?;
                if price.currency != tour.price.currency {
                    return Err(Error::Invalid(Invalid::CurrencyMismatch));
                }
                nightly.get_or_insert(price);
                sum = sum.checked_add(price.minor).ok_or(Error::Invalid(Invalid::MoneyTooLarge))?;
            }
            let room_total = sum.checked_mul(c.rooms).ok_or(Error::Invalid(Invalid::MoneyTooLarge))?;
            total = total.checked_add(room_total).ok_or(Error::Invalid(Invalid::MoneyTooLarge))?;
            *capacity_by_hotel.entry(room.hotel_id).or_default() += room.capacity * c.rooms;
            out.push(BookedRoom {
                hotel_id: room.hotel_id,
                hotel_name: link.hotel_name.clone(),
                room_id: room.id,
                room_type: room.room_type.clone(),
                check_in,
                nights: link.nights,
                rooms: c.rooms,
                price_per_night: nightly.unwrap_or(Money::new(0, tour.price.currency)),
                total: Money::new(room_total, tour.price.currency),
            });
        }
        if capacity_by_hotel.values().any(|&cap| cap < req.travellers_count) {
            return Err(Error::Invalid(Invalid::RoomsTooSmall));
        }
        // Rooms chosen for a package must cover every hotel of it: a hotel left out would be
        // nights nobody priced or booked.
        let uncovered = |l: &tours::TourHotel| capacity_by_hotel.get(&l.hotel_id).copied().unwrap_or(0) == 0;
        if tour.kind == TourKind::Package && !req.rooms.is_empty() && links.iter().any(uncovered) {
            return Err(Error::Invalid(Invalid::RoomsTooSmall));
        }
        Ok(Priced { rooms: out, rooms_total: total })
    }
}

/// The booking's total: the tour's price for each traveller plus the rooms.
fn booking_total(per_person: i64, travellers: i64, rooms_total: i64) -> Result<i64> {
    per_person
        .checked_mul(travellers)
        .and_then(|t| t.checked_add(rooms_total))
        .ok_or(Error::Invalid(Invalid::MoneyTooLarge))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Currency;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn far_departures_get_a_deposit_and_a_balance() {
        let s = payment_schedule(Money::new(100_001, Currency::RUB), d(2026, 11, 25), d(2027, 2, 1));
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].amount.minor + s[1].amount.minor, 100_001);
        assert_eq!(s[0].amount.minor, 30_000);
        assert_eq!(s[0].due_on, d(2026, 11, 28));
        assert_eq!(s[1].due_on, d(2027, 1, 18));
    }

    #[test]
    fn near_departures_are_paid_in_full_at_once() {
        let s = payment_schedule(Money::new(5_000, Currency::RUB), d(2026, 11, 25), d(2026, 12, 5));
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].kind, "full");
        assert_eq!(s[0].due_on, d(2026, 11, 26));
        let tomorrow = payment_schedule(Money::new(5_000, Currency::RUB), d(2026, 11, 25), d(2026, 11, 26));
        assert_eq!(tomorrow[0].due_on, d(2026, 11, 25));
    }
}

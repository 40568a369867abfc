//! Pricing of a booking: the rooms night by night at each night's season price, and the
//! payment schedule (deposit and balance, or one payment when departure is near).

use super::Crm;
use super::bookings::{BookingRequest, RoomChoice};
use crate::domain::{HotelId, Invalid, Money, TourKind};
use crate::store::bookings::{BookedRoom, Installment};
use crate::store::{Conn, tours};
use crate::{Error, Result};
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

pub(crate) struct Priced {
    pub(crate) rooms: Vec<BookedRoom>,
    pub(crate) rooms_total: i64,
}

impl Crm {
    /// Prices the rooms: each night at the season price of that night.
    pub(crate) async fn price_rooms(
        &self,
        conn: &mut Conn,
        tour: &tours::Tour,
        starts_on: NaiveDate,
        req: &BookingRequest,
    ) -> Result<Priced> {
        let links = tours::hotels(conn, tour.id).await?;
        let mut choices = req.rooms.clone();
        if choices.is_empty() && tour.kind == TourKind::Package {
            // The tour's default rooms, as many as the travellers need.
            for l in &links {
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
                for l in &links {
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
                sum = sum.checked_add(price.minor).ok_or(Error::Invalid(Invalid::MoneyFormat))?;
            }
            let room_total = sum.checked_mul(c.rooms).ok_or(Error::Invalid(Invalid::MoneyFormat))?;
            total = total.checked_add(room_total).ok_or(Error::Invalid(Invalid::MoneyFormat))?;
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

//! The demo's sales: clients with tags, consents, passports and histories; bookings walked into
//! every status by their agents; payments, refunds and payouts in the ledger.

use super::catalog::{Made, Sellable};
use super::people;
use super::{Cast, Prng, Summary, ledger};
use chrono::{Datelike, Duration, NaiveDate};
use crm::domain::{
    BirthDate, BookingId, BookingStatus, City, Direction, ForeignPassport, InteractionKind, InternalPassport, Money,
    PaymentMethod, PersonName, Phone,
};
use crm::services::{
    BookingCard, BookingFilter, BookingRequest, NewClient, NewInteractionInput, NewTraveller, OperationFilter,
    PaymentInput, RoomChoice,
};
use crm::{Actor, Conflict, Crm, Error};

use BookingStatus::*;

/// Where each booking of the demo ends up: every status, a believable mix.
const PLAN: &[BookingStatus] = &[
    Paid,
    PartiallyPaid,
    ContractPending,
    ContractSigned,
    Paid,
    PartiallyPaid,
    Cancelled,
    ContractPending,
    Paid,
    CancellationRequested,
    PartiallyPaid,
    ContractSigned,
    Cancelled,
    Paid,
    ContractPending,
    PartiallyPaid,
    CancellationRequested,
    ContractSigned,
    Cancelled,
    Paid,
    PartiallyPaid,
    ContractPending,
];

/// Mobile prefixes the phones are made with.
const PREFIXES: &[u32] = &[916, 903, 926, 985, 913, 950, 905, 960, 912, 921];

pub(crate) async fn build(
    crm: &Crm,
    cast: &mut Cast,
    made: &Made,
    rng: &mut Prng,
    summary: &mut Summary,
) -> crm::Result<()> {
    clients(crm, cast, rng, summary).await?;
    let mut paid = Vec::new();
    let mut cancelled = 0;
    for (i, &target) in PLAN.iter().enumerate() {
        let Some(&(client, agent)) = cast.clients.get(i) else { break };
        // Three kinds of cancellation: paid in full close to arrival (the hotel's penalty
        // shows), withdrawn before the contract, and with a deposit far ahead (all refunded).
        let cancel_kind = if target == Cancelled { cancelled % 3 } else { 3 };
        cancelled += usize::from(target == Cancelled);
        let near = cancel_kind == 0;
        let card = book(crm, made, client, &agent, rng, near).await?;
        // The booking and each move of it write their own history entries (crm does).
        let id = card.booking.id;
        if target != ContractPending && cancel_kind != 1 {
            crm.change_booking_status(&agent, id, ContractSigned, "Договор подписан в офисе").await?;
        }
        let deposit = card.schedule.first().map(|s| s.amount.minor).unwrap_or(card.booking.total.minor);
        match target {
            PartiallyPaid => {
                pay(crm, &agent, id, deposit.min(card.booking.total.minor - 1), PaymentMethod::Cash).await?
            }
            Paid => {
                pay(crm, &agent, id, deposit, PaymentMethod::Cash).await?;
                let rest = card.booking.total.minor - deposit;
                if rest > 0 {
                    pay(crm, &cast.accountant, id, rest, PaymentMethod::BankTransfer).await?;
                }
                paid.push(card.clone());
            }
            CancellationRequested => {
                if i % 2 == 0 {
                    pay(crm, &agent, id, deposit, PaymentMethod::Cash).await?;
                }
                // The client asks in the bot themself: a client may only ask, never cancel.
                crm.change_booking_status(
                    &Actor::Client(client),
                    id,
                    CancellationRequested,
                    "Заболел ребёнок, просим отменить",
                )
                .await?;
            }
            Cancelled => {
                if near {
                    pay(crm, &agent, id, card.booking.total.minor, PaymentMethod::Cash).await?;
                } else if cancel_kind == 2 {
                    pay(crm, &agent, id, deposit, PaymentMethod::BankTransfer).await?;
                }
                crm.change_booking_status(&agent, id, CancellationRequested, "Клиент отказался от поездки").await?;
                let done = crm.change_booking_status(&agent, id, Cancelled, "Отмена подтверждена отелем").await?;
                ledger::refund(crm, cast, &done).await?;
            }
            _ => {}
        }
    }
    // People from the channel's posts and other networks (the KPIs' funnel).
    super::social::build(crm, cast, made, rng, summary).await?;
    ledger::suppliers(crm, cast, made, &paid).await?;
    ledger::commissions(crm, cast).await?;
    blacklist(crm, cast, summary).await?;
    for status in BookingStatus::ALL {
        let f = BookingFilter { status: Some(status), limit: 500, ..Default::default() };
        summary.bookings.push((status, crm.list_bookings(&Actor::System, f).await?.len()));
    }
    let ops = crm.list_operations(&Actor::System, OperationFilter { limit: 1000, ..Default::default() }).await?;
    summary.operations = ops.len();
    // Counted from the histories: bookings and their moves add entries of their own.
    summary.interactions = 0;
    for (client, _) in &cast.clients {
        summary.interactions += crm.client_history(&Actor::System, *client, 1000).await?.len();
    }
    Ok(())
}

async fn clients(crm: &Crm, cast: &mut Cast, rng: &mut Prng, summary: &mut Summary) -> crm::Result<()> {
    let today = crm.today();
    for (i, &name) in people::CLIENT_NAMES.iter().enumerate() {
        let agent = cast.agents[i % cast.agents.len()];
        let n = u32::try_from(i).unwrap_or(0);
        let number = 1_000_000 + (u64::from(n) * 2_654_435) % 9_000_000;
        let phone = format!("+7{}{number:07}", PREFIXES[i % PREFIXES.len()]);
        let born = NaiveDate::from_ymd_opt(
            i32::try_from(rng.range(1950, 2001)).unwrap_or(1980),
            u32::try_from(rng.range(1, 12)).unwrap_or(1),
            u32::try_from(rng.range(1, 28)).unwrap_or(1),
        )
        .unwrap_or(today);
        let city = rng.pick(people::CITIES);
        let new = NewClient {
            full_name: PersonName::parse(name)?,
            phone: Phone::parse(&phone)?,
            birth_date: BirthDate::new(born, today)?,
            city: City::parse(city)?,
            telegram_id: None,
            telegram_username: None,
            source: None,
            personal_data_consent: true,
            marketing_consent: rng.chance(60),
            agent_id: None,
        };
        let client = crm.register_client(&agent, new).await?;
        let id = client.id;
        cast.clients.push((id, agent));
        summary.clients += 1;
        if i % 10 == 3 {
            crm.add_tag(&agent, id, "VIP").await?;
        }
        if born.year() < 1962 {
            crm.add_tag(&agent, id, "пенсионеры").await?;
        }
        for _ in 0..rng.range(0, 2) {
            crm.add_tag(&agent, id, rng.pick(people::TAGS)).await?;
        }
        if i % 3 != 2 {
            for _ in 0..rng.range(1, 3) {
                let (kind, dir, body) = rng.pick(people::TALK);
                log(crm, &agent, id, kind, dir, body, rng.range(2, 90)).await?;
            }
        }
        if i % 5 == 0 {
            // The first one expires within six months: the reminder has something to show.
            let (issued, expires) = if i == 0 {
                (today - Duration::days(3_530), today + Duration::days(120))
            } else {
                let issued = today - Duration::days(rng.range(100, 2_500));
                (issued, issued + Duration::days(3_652))
            };
            let number = format!("7{}{:07}", i % 10, 1_234_567 + i * 7_919);
            let passport = ForeignPassport::parse(&number, issued, expires, "МВД 77001", &latin(name), today)?;
            crm.put_foreign_passport(&agent, id, &passport).await?;
            summary.passports += 1;
        }
        // Most clients gave their passport and address when they signed up; one in eight has
        // not yet, so their consents wait for them (the panel says what is missing).
        if i % 8 != 7 {
            identity(crm, &agent, id, born, city, rng).await?;
            summary.passports += 1;
        }
    }
    Ok(())
}

/// An internal passport as the city's office issues it (at 20, replaced at 45) and an address
/// there: the client's consents, made at registration without them, are made anew complete.
async fn identity(
    crm: &Crm,
    agent: &Actor,
    client: crm::domain::ClientId,
    born: NaiveDate,
    city: &str,
    rng: &mut Prng,
) -> crm::Result<()> {
    let today = crm.today();
    let &(_, region, issuer, division, postcode) =
        people::CITY_OFFICES.iter().find(|o| o.0 == city).ok_or(Error::NotFound("demo city office"))?;
    let at = |age: i32| born.with_year(born.year() + age).map(|d| d + Duration::days(rng.range(3, 40)));
    let issued = [45, 20].into_iter().filter_map(at).find(|d| *d < today).unwrap_or(today);
    let series = format!("{region}{:02}", issued.year() % 100);
    let number = format!("{:06}", rng.range(100_000, 999_999));
    let passport = InternalPassport::parse(&series, &number, issued, issuer, Some(division), today)?;
    crm.put_internal_passport(agent, client, &passport).await?;
    let address = format!(
        "{postcode}, г. {city}, {}, д. {}, кв. {}",
        rng.pick(people::STREETS),
        rng.range(1, 120),
        rng.range(1, 300)
    );
    crm.set_client_address(agent, client, &address).await?;
    Ok(())
}

/// The last clients (who have no bookings) go to the blacklist, each with its reason.
async fn blacklist(crm: &Crm, cast: &Cast, summary: &mut Summary) -> crm::Result<()> {
    let skip = cast.clients.len().saturating_sub(people::BLACKLIST_REASONS.len());
    for (&(id, _), reason) in cast.clients.iter().skip(skip.max(PLAN.len())).zip(people::BLACKLIST_REASONS) {
        crm.set_blacklist(&cast.admin, id, true, reason).await?;
        summary.blacklisted += 1;
    }
    Ok(())
}

async fn log(
    crm: &Crm,
    agent: &Actor,
    client: crm::domain::ClientId,
    kind: &str,
    dir: &str,
    body: &str,
    days_ago: i64,
) -> crm::Result<()> {
    let input = NewInteractionInput {
        client_id: client,
        kind: InteractionKind::parse(kind)?,
        direction: Direction::parse(dir)?,
        body: body.into(),
        occurred_at: Some(crm.now() - Duration::days(days_ago) - Duration::minutes(days_ago * 37 % 600)),
    };
    crm.log_interaction(agent, input).await?;
    Ok(())
}

/// Books a departure for the client; `near` takes the first package departure inside its
/// hotel's paid-cancellation window (15–20 days away).
pub(crate) async fn book(
    crm: &Crm,
    made: &Made,
    client: crm::domain::ClientId,
    agent: &Actor,
    rng: &mut Prng,
    near: bool,
) -> crm::Result<BookingCard> {
    let today = crm.today();
    let near_one = made.sellable.iter().find(|s| s.package && (15..=20).contains(&(s.starts_on - today).num_days()));
    for _ in 0..10 {
        let s: &Sellable = match (near, near_one) {
            (true, Some(s)) => s,
            _ => made.sellable.get(rng.index(made.sellable.len())).ok_or(Error::NotFound("demo departure"))?,
        };
        let travellers = rng.range(1, 4);
        let companions = (1..travellers)
            .map(|_| {
                let born = today - Duration::days(rng.range(2_000, 20_000));
                Ok(NewTraveller {
                    full_name: PersonName::parse(rng.pick(people::COMPANIONS))?,
                    birth_date: BirthDate::new(born, today)?,
                })
            })
            .collect::<crm::Result<Vec<_>>>()?;
        let rooms = match s.family_room {
            Some((room_id, capacity)) if travellers >= 3 && rng.chance(60) => {
                vec![RoomChoice { room_id, rooms: (travellers + capacity - 1) / capacity }]
            }
            _ => vec![],
        };
        let req = BookingRequest {
            client_id: client,
            departure_id: s.departure,
            travellers_count: travellers,
            client_travels: true,
            companions,
            rooms,
            notes: String::new(),
            request_key: None,
        };
        match crm.create_booking(agent, req).await {
            Err(Error::Conflict(Conflict::NoSeatsLeft { .. })) => continue,
            other => return other,
        }
    }
    Err(Error::Conflict(Conflict::NoSeatsLeft { left: 0 }))
}

pub(crate) async fn pay(
    crm: &Crm,
    actor: &Actor,
    booking: BookingId,
    minor: i64,
    method: PaymentMethod,
) -> crm::Result<()> {
    if minor <= 0 {
        return Ok(());
    }
    let (external_id, note) = match method {
        PaymentMethod::BankTransfer => (Some(format!("пп-{}-{minor}", booking.0)), "Платёжное поручение"),
        _ => (None, "Оплата в кассу офиса"),
    };
    let input = PaymentInput {
        booking_id: booking,
        amount: Money::new(minor, crm::domain::Currency::RUB),
        method,
        external_id,
        note: note.into(),
    };
    crm.record_client_payment(actor, input).await?;
    Ok(())
}

/// The name as in a foreign passport (the transliteration of the Russian passport rules).
fn latin(name: &str) -> String {
    let mut out = String::new();
    for word in name.split_whitespace().take(2) {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            out.push_str(match c {
                'а' => "a",
                'б' => "b",
                'в' => "v",
                'г' => "g",
                'д' => "d",
                'е' | 'ё' | 'э' => "e",
                'ж' => "zh",
                'з' => "z",
                'и' => "i",
                'й' => "i",
                'к' => "k",
                'л' => "l",
                'м' => "m",
                'н' => "n",
                'о' => "o",
                'п' => "p",
                'р' => "r",
                'с' => "s",
                'т' => "t",
                'у' => "u",
                'ф' => "f",
                'х' => "kh",
                'ц' => "ts",
                'ч' => "ch",
                'ш' => "sh",
                'щ' => "shch",
                'ы' => "y",
                'ю' => "iu",
                'я' => "ia",
                _ => "",
            });
        }
    }
    out.to_uppercase()
}

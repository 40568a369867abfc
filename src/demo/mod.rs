//! `tourcrm demo-data`: fills an empty database with a believable agency — staff, partner
//! hotels, tours, clients, bookings in every status and the ledger — so that a newcomer opens
//! the panel or the bot and sees a living system.
//!
//! Everything goes through the `crm` services, acting as the system or as the demo staff
//! themselves, so the role rules, the audit log and the encryption of passports apply exactly
//! as in real work. A fixed seed makes every run look alike; dates are relative to today.

mod catalog;
mod data;
mod hotels;
mod ledger;
mod paperwork;
mod people;
mod sales;
mod social;

use crm::domain::{ClientId, Role, StaffId};
use crm::services::{ClientFilter, HotelFilter, NewStaffInput, OutboxFilter, OutboxStatus, TourFilter};
use crm::{Actor, Conflict, Crm, Error};

/// One line for the console when the database already holds an agency's work.
pub const NOT_EMPTY: &str = "В базе уже есть клиенты, туры или отели: демо-данные заполняют только пустую базу \
                             (сотрудники, например первый администратор, не мешают).";

/// A tiny deterministic generator (SplitMix64): the same seed gives the same agency, and no
/// dependency is needed for a demo.
pub(crate) struct Prng(u64);

impl Prng {
    pub(crate) fn new(seed: u64) -> Prng {
        Prng(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1).max(1);
        lo + i64::try_from(self.next() % span).unwrap_or(0)
    }

    /// True `percent` times out of a hundred.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// An index below `len` (0 for an empty list).
    pub(crate) fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(len.max(1)).unwrap_or(1)).unwrap_or(0)
    }

    /// One of `items`, which must not be empty (the tables are constants).
    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }
}

/// A staff account the demo made, shown once at the end like `staff add` does.
pub struct Account {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub password: String,
}

/// What the run produced, for the closing summary.
#[derive(Default)]
pub struct Summary {
    pub accounts: Vec<Account>,
    /// The login of the admin who was already there (their password is not touched).
    pub kept_admin: Option<String>,
    pub hotels: usize,
    pub rooms: usize,
    pub tours_published: usize,
    pub tours_draft: usize,
    pub tours_archived: usize,
    pub departures: usize,
    pub clients: usize,
    pub blacklisted: usize,
    pub passports: usize,
    pub interactions: usize,
    pub bookings: Vec<(crm::domain::BookingStatus, usize)>,
    pub operations: usize,
}

/// Who acts in the demo: the staff it created (or found).
pub(crate) struct Cast {
    pub admin: Actor,
    pub operators: Vec<Actor>,
    pub agents: Vec<Actor>,
    pub accountant: Actor,
    /// Each client with the agent who registered them, filled as clients are registered.
    pub clients: Vec<(ClientId, Actor)>,
}

/// True when the database holds no clients, tours or hotels (staff do not count: `serve`
/// creates the first admin on its first start, and the demo must work after that).
pub async fn is_empty(crm: &Crm) -> crm::Result<bool> {
    let sys = Actor::System;
    let clients = crm.list_clients(&sys, ClientFilter { limit: 1, ..Default::default() }).await?;
    let tours = crm.list_tours(&sys, TourFilter { limit: 1, ..Default::default() }).await?;
    let hotels = crm.list_hotels(&sys, HotelFilter { include_archived: true, limit: 1, ..Default::default() }).await?;
    Ok(clients.is_empty() && tours.is_empty() && hotels.is_empty())
}

/// Fills the (checked empty) database. Fails on the first refused call: the services check
/// everything the demo writes, and a half-filled demo is better reported than hidden.
pub async fn fill(crm: &Crm) -> crm::Result<Summary> {
    let mut summary = Summary::default();
    let mut rng = Prng::new(0x7005_C0DE_2026);
    let mut cast = staff(crm, &mut summary).await?;
    paperwork::build(crm, &cast.admin, &cast.operators).await?;
    let made = catalog::build(crm, &cast, &mut rng, &mut summary).await?;
    sales::build(crm, &mut cast, &made, &mut rng, &mut summary).await?;
    quiet_history(crm, &cast.admin).await?;
    Ok(summary)
}

/// The demo's payments, status changes and documents are history: their messages to the
/// clients would have gone when they happened. Left pending, the first start would send them —
/// to Telegram ids the demo made up, which may be real people's. They are closed as skipped
/// (the outbox page shows why); broadcasts the demo schedules stay as they are.
async fn quiet_history(crm: &Crm, admin: &Actor) -> crm::Result<()> {
    let reason = crm::text::get("outbox_reason", "demo_history");
    loop {
        let filter = OutboxFilter {
            status: Some(OutboxStatus::Pending),
            notifications_only: true,
            limit: 200,
            ..Default::default()
        };
        let pending = crm.outbox_entries(admin, filter).await?;
        if pending.is_empty() {
            return Ok(());
        }
        for m in pending {
            crm.outgoing_closed(&Actor::System, m.id, OutboxStatus::Skipped, reason).await?;
        }
    }
}

/// The first admin is kept if there is one; otherwise the demo creates it as `serve` would,
/// because `serve` creates it only on a database without staff.
async fn staff(crm: &Crm, summary: &mut Summary) -> crm::Result<Cast> {
    let sys = Actor::System;
    let existing = crm.list_staff(&sys).await?;
    let admin = match existing.iter().find(|s| s.role == Role::Admin && s.active) {
        Some(a) => {
            summary.kept_admin = Some(a.login.clone());
            Actor::staff(a.id, Role::Admin)
        }
        None => {
            let id = add(crm, summary, "admin", "Администратор Системы", Role::Admin).await?;
            Actor::staff(id, Role::Admin)
        }
    };
    let mut operators = Vec::new();
    for s in data::OPERATORS {
        operators.push(Actor::staff(add(crm, summary, s.login, s.name, Role::Operator).await?, Role::Operator));
    }
    let mut agents = Vec::new();
    for s in data::AGENTS {
        let id = add(crm, summary, s.login, s.name, Role::Agent).await?;
        crm.set_agent_commission(&admin, id, s.commission_bp).await?;
        agents.push(Actor::staff(id, Role::Agent));
    }
    let a = &data::ACCOUNTANT;
    let accountant = Actor::staff(add(crm, summary, a.login, a.name, Role::Accountant).await?, Role::Accountant);
    Ok(Cast { admin, operators, agents, accountant, clients: Vec::new() })
}

/// Adds a staff member; a login somebody already has gets a number (`smirnova2`).
async fn add(crm: &Crm, summary: &mut Summary, login: &str, name: &str, role: Role) -> crm::Result<StaffId> {
    for n in 1..10 {
        let login = if n == 1 { login.to_owned() } else { format!("{login}{n}") };
        match crm.add_staff(&Actor::System, NewStaffInput { login: &login, name, role }).await {
            Ok(created) => {
                summary.accounts.push(Account {
                    login: created.staff.login.clone(),
                    name: created.staff.name.clone(),
                    role,
                    password: created.password,
                });
                return Ok(created.staff.id);
            }
            Err(Error::Conflict(Conflict::LoginTaken)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(Error::Conflict(Conflict::LoginTaken))
}

/// The closing report: what was made, and the accounts to sign in with.
pub fn print(s: &Summary) {
    println!("Демо-агентство готово.");
    println!("  Отели-партнёры: {} (номеров: {})", s.hotels, s.rooms);
    println!(
        "  Туры: {} опубликовано, {} в черновиках, {} в архиве; дат заезда: {}",
        s.tours_published, s.tours_draft, s.tours_archived, s.departures
    );
    println!(
        "  Клиенты: {} (в чёрном списке: {}, загранпаспортов: {}); записей в истории: {}",
        s.clients, s.blacklisted, s.passports, s.interactions
    );
    let total: usize = s.bookings.iter().map(|(_, n)| n).sum();
    println!("  Бронирования: {total}");
    for (status, n) in &s.bookings {
        println!("    {:<28} {n}", status.title_ru());
    }
    println!("  Операций в журнале: {}", s.operations);
    println!();
    println!("Сотрудники (одноразовые пароли показываются один раз; смените их при первом входе в панель):");
    if let Some(login) = &s.kept_admin {
        println!("  {login:<16} {:<14} (уже был; пароль прежний)", Role::Admin.title_ru());
    }
    for a in &s.accounts {
        println!("  {:<16} {:<14} {:<32} {}", a.login, a.role.title_ru(), a.name, a.password);
    }
}

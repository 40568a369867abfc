//! A `Crm` over a fresh database on the fixed clock, and the setup steps every test crate
//! shares.

use crate::backend::{Backend, TestDb};
use crate::clock::{FixedClock, t0};
use crm::clock::Clock;
use crm::crypto::MasterKey;
use crm::domain::{BirthDate, City, PersonName, Phone, Role};
use crm::services::{NewClient, NewStaffInput, StaffCreated};
use crm::store::Store;
use crm::{Actor, Crm};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

/// The address tests sign in and send requests from (TEST-NET-1).
pub const ADDRESS: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));

/// A `Crm` over its own fresh database, at [`t0`] until the test moves `clock`.
pub struct TestCrm {
    pub crm: Crm,
    pub clock: Arc<FixedClock>,
    pub backend: Backend,
    pub db: TestDb,
}

impl TestCrm {
    /// With a new random master key.
    pub async fn spawn(backend: Backend) -> TestCrm {
        TestCrm::spawn_with_key(backend, &MasterKey::generate_base64()).await
    }

    pub async fn spawn_with_key(backend: Backend, master_b64: &str) -> TestCrm {
        let db = TestDb::new(backend).await;
        let clock = Arc::new(FixedClock::new(t0()));
        let crm = open_crm(&db.url, master_b64, clock.clone()).await.unwrap_or_else(|e| panic!("open {backend}: {e}"));
        TestCrm { crm, clock, backend, db }
    }

    /// The URL `Store::open` takes for this database.
    pub fn url(&self) -> &str {
        &self.db.url
    }

    /// A second, independent `Crm` over this database (as after a restart), with the given
    /// master key and the same clock.
    pub async fn reopen(&self, master_b64: &str) -> crm::Result<Crm> {
        open_crm(&self.db.url, master_b64, self.clock.clone()).await
    }

    /// A new staff member, added by the system; still on the one-time password it returns.
    pub async fn add_staff(&self, login: &str, role: Role) -> StaffCreated {
        let name = format!("Сотрудник {login}");
        self.crm.add_staff(&Actor::System, NewStaffInput { login, name: &name, role }).await.unwrap()
    }
}

/// Opens (and migrates) the database at `url` and starts a `Crm` on it, as the binary does.
pub async fn open_crm(url: &str, master_b64: &str, clock: Arc<dyn Clock>) -> crm::Result<Crm> {
    let store = Store::open(url).await?;
    Crm::new(store, MasterKey::from_base64(master_b64)?, clock).await
}

/// A client who agreed to the processing of personal data, born 05.03.1990 in Novosibirsk.
pub fn new_client(name: &str, phone: &str) -> NewClient {
    NewClient {
        full_name: PersonName::parse(name).unwrap(),
        phone: Phone::parse(phone).unwrap(),
        birth_date: BirthDate::parse("05.03.1990", t0().date_naive()).unwrap(),
        city: City::parse("Новосибирск").unwrap(),
        telegram_id: None,
        telegram_username: None,
        source: None,
        personal_data_consent: true,
        marketing_consent: false,
        agent_id: None,
    }
}

//! Test helpers: a fresh database per test on every configured backend, a fixed clock, and
//! one helper per common setup step.

#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use crm::clock::FixedClock;
use crm::crypto::MasterKey;
use crm::domain::{BirthDate, City, PersonName, Phone, Role};
use crm::services::{NewClient, NewStaffInput};
use crm::store::Store;
use crm::store::clients::Client;
use crm::store::staff::Staff;
use crm::{Actor, Crm};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

pub struct TestApp {
    pub crm: Crm,
    pub clock: Arc<FixedClock>,
    pub backend: &'static str,
    /// SQLite: the database file (kept alive by the temp dir). PostgreSQL: the database URL.
    pub location: String,
    _dir: Option<tempfile::TempDir>,
}

/// The client address of the tests' sign-ins (TEST-NET-1).
pub const ADDRESS: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
}

/// The backends this run covers.
pub fn backends() -> Vec<&'static str> {
    let mut b = vec!["sqlite"];
    if std::env::var("TOURCRM_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty()) {
        b.push("postgres");
    }
    b
}

/// A new empty database of the given backend, migrated, with a CRM on a fixed clock.
pub async fn spawn(backend: &'static str) -> TestApp {
    spawn_with_key(backend, &MasterKey::generate_base64()).await
}

pub async fn spawn_with_key(backend: &'static str, master_b64: &str) -> TestApp {
    let (url, dir) = match backend {
        "sqlite" => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("test.db");
            (format!("sqlite://{}", path.display()), Some(dir))
        }
        "postgres" => (postgres_database().await, None),
        other => panic!("unknown backend {other}"),
    };
    let store = Store::open(&url).await.unwrap_or_else(|e| panic!("open {backend}: {e}"));
    let clock = Arc::new(FixedClock::new(t0()));
    let crm = Crm::new(store, MasterKey::from_base64(master_b64).unwrap(), clock.clone()).await.unwrap();
    let location = match &dir {
        Some(d) => d.path().join("test.db").display().to_string(),
        None => url,
    };
    TestApp { crm, clock, backend, location, _dir: dir }
}

impl TestApp {
    /// The URL `Store::open` takes for this app's database.
    pub fn url(&self) -> String {
        match self.backend {
            "sqlite" => format!("sqlite://{}", self.location),
            _ => self.location.clone(),
        }
    }

    /// A second, independent CRM over this app's database (as after a restart), with the given
    /// master key and the same clock.
    pub async fn reopen(&self, master_b64: &str) -> crm::Result<Crm> {
        let store = Store::open(&self.url()).await?;
        Crm::new(store, MasterKey::from_base64(master_b64)?, self.clock.clone()).await
    }
}

/// A fresh database on the server of `TOURCRM_TEST_POSTGRES_URL`.
pub async fn postgres_database() -> String {
    let base = std::env::var("TOURCRM_TEST_POSTGRES_URL").expect("TOURCRM_TEST_POSTGRES_URL");
    crm::store::testing::fresh_postgres_database(&base).await
}

impl TestApp {
    pub async fn staff(&self, login: &str, role: Role) -> Staff {
        let created = self
            .crm
            .add_staff(&Actor::System, NewStaffInput { login, name: &format!("Сотрудник {login}"), role })
            .await
            .unwrap();
        created.staff
    }

    /// Signs in from [`ADDRESS`]; the staff member when a session started.
    pub async fn signs_in(&self, login: &str, password: &str) -> Option<Staff> {
        match self.crm.sign_in(login, password, ADDRESS).await.unwrap() {
            crm::services::SignIn::Started(started) => Some(started.staff),
            _ => None,
        }
    }

    pub async fn actor(&self, login: &str, role: Role) -> Actor {
        let s = self.staff(login, role).await;
        Actor::staff(s.id, role)
    }

    pub async fn client(&self, phone: &str, agent: Option<&Actor>) -> Client {
        let new = new_client("Иванова Мария Петровна", phone);
        match agent {
            Some(a) => self.crm.register_client(a, new).await.unwrap(),
            None => self.crm.register_client(&Actor::System, new).await.unwrap(),
        }
    }
}

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

/// Runs an async test body once per backend, naming the backend on failure.
#[macro_export]
macro_rules! each_backend {
    ($name:ident, |$app:ident| $body:block) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for backend in $crate::helpers::backends() {
                let $app = $crate::helpers::spawn(backend).await;
                $body
            }
        }
    };
    ($name:ident, master = $key:expr, |$app:ident| $body:block) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for backend in $crate::helpers::backends() {
                let $app = $crate::helpers::spawn_with_key(backend, $key).await;
                $body
            }
        }
    };
}

/// Sample documents: the series, numbers and card that must never be stored in clear.
pub const SERIES: &str = "4508";
pub const INTERNAL_NUMBER: &str = "613729";
pub const FOREIGN_NUMBER: &str = "751234567";
pub const CARD_NUMBER: &str = "4276100012345671";

pub fn internal_passport() -> crm::domain::InternalPassport {
    let issued = chrono::NaiveDate::from_ymd_opt(2010, 1, 15).unwrap();
    crm::domain::InternalPassport::parse(
        "45 08",
        INTERNAL_NUMBER,
        issued,
        "ОВД Тверского района",
        Some("770-001"),
        t0().date_naive(),
    )
    .unwrap()
}

pub fn foreign_passport() -> crm::domain::ForeignPassport {
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
    crm::domain::ForeignPassport::parse(
        "75 1234567",
        d(2020, 2, 1),
        d(2030, 2, 1),
        "МВД 77001",
        "ivanova mariya",
        t0().date_naive(),
    )
    .unwrap()
}

pub fn card() -> crm::domain::PaymentDetails {
    crm::domain::PaymentDetails::card("4276 1000 1234 5671", "MARIYA IVANOVA").unwrap()
}

impl TestApp {
    /// Stores all three documents of a client as the system.
    pub async fn put_all_documents(&self, client: crm::domain::ClientId) {
        let sys = Actor::System;
        self.crm.put_internal_passport(&sys, client, &internal_passport()).await.unwrap();
        self.crm.put_foreign_passport(&sys, client, &foreign_passport()).await.unwrap();
        self.crm.put_payment_details(&sys, client, &card()).await.unwrap();
    }

    /// Registers `n` clients with distinct phones (`+7 9xx …`), assigned to `agent`.
    pub async fn clients(&self, n: usize, agent: Option<&Actor>) -> Vec<Client> {
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            out.push(self.client(&format!("+7 900 {:07}", 1_000_000 + i), agent).await);
        }
        out
    }
}

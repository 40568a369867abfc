//! The services' own helpers over the workspace's test harness (`testkit`): one helper per
//! common setup step.

#![allow(dead_code)]

use crm::Actor;
use crm::domain::Role;
use crm::services::{Client, Staff};
use std::ops::Deref;
use testkit::{Backend, TestCrm};

// Shared with the other test crates; defined once in the harness.
pub use testkit::{ADDRESS, new_client, t0};

/// A CRM over a fresh database on the fixed clock, with the helpers below.
pub struct TestApp(TestCrm);

impl Deref for TestApp {
    type Target = TestCrm;

    fn deref(&self) -> &TestCrm {
        &self.0
    }
}

/// What [`each_backend!`](testkit::each_backend) runs each test body with.
pub async fn spawn(backend: Backend) -> TestApp {
    TestApp(TestCrm::spawn(backend).await)
}

pub async fn spawn_with_key(backend: Backend, master_b64: &str) -> TestApp {
    TestApp(TestCrm::spawn_with_key(backend, master_b64).await)
}

impl TestApp {
    pub async fn staff(&self, login: &str, role: Role) -> Staff {
        self.add_staff(login, role).await.staff
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

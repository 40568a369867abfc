//! `tourcrm demo-data`: a believable agency on an empty database (also after `serve` made the
//! first admin), and a refusal that changes nothing on a database with data.

use crate::bot_client::open_crm;
use crate::helpers::{Sandbox, text};
use crm::Actor;
use crm::domain::{BookingStatus, Role};
use crm::services::{
    BookingFilter, ClientFilter, HotelFilter, OperationFilter, OutboxFilter, OutboxStatus, TourFilter,
};
use testkit::{Backend, backends};

/// Everything the demo makes, counted through the services.
#[derive(Debug, PartialEq, Eq)]
struct Counts {
    staff: usize,
    clients: usize,
    tours: usize,
    hotels: usize,
    bookings: Vec<usize>,
    operations: usize,
}

async fn counts(crm: &crm::Crm) -> Counts {
    let sys = Actor::System;
    let mut bookings = Vec::new();
    for status in BookingStatus::ALL {
        let f = BookingFilter { status: Some(status), limit: 500, ..Default::default() };
        bookings.push(crm.list_bookings(&sys, f).await.unwrap().len());
    }
    Counts {
        staff: crm.list_staff(&sys).await.unwrap().len(),
        clients: crm.list_clients(&sys, ClientFilter { limit: 200, ..Default::default() }).await.unwrap().len(),
        tours: crm.list_tours(&sys, TourFilter { limit: 200, ..Default::default() }).await.unwrap().len(),
        hotels: crm
            .list_hotels(&sys, HotelFilter { include_archived: true, limit: 500, ..Default::default() })
            .await
            .unwrap()
            .len(),
        bookings,
        operations: crm
            .list_operations(&sys, OperationFilter { limit: 1000, ..Default::default() })
            .await
            .unwrap()
            .len(),
    }
}

#[tokio::test]
async fn demo_data_fills_an_empty_database_once() {
    for backend in backends() {
        let sb = Sandbox::new(backend).await;
        let out = sb.run(&["demo-data"], &[]);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{backend}: {}\n{stdout}", text(&out.stderr));
        assert!(stdout.contains("smirnova") && stdout.contains("турагент"), "{stdout}");
        assert!(stdout.contains("admin"), "a database without staff gets its first admin: {stdout}");

        let crm = open_crm(&sb).await;
        let before = counts(&crm).await;
        for (status, n) in BookingStatus::ALL.iter().zip(&before.bookings) {
            assert!(*n > 0, "{backend}: no booking in {status:?}");
        }
        assert!(before.tours >= 10, "{backend}: {before:?}");
        assert!(before.clients >= 30, "{backend}: {before:?}");
        assert!(before.operations > 10, "{backend}: {before:?}");
        let hotels = crm
            .list_hotels(&Actor::System, HotelFilter { include_archived: true, limit: 500, ..Default::default() })
            .await
            .unwrap();
        let cities: Vec<&str> = hotels.iter().map(|h| h.city.as_str()).collect();
        for place in [
            &["Кемер", "Анталья"][..],
            &["Хургада", "Шарм-эль-Шейх"],
            &["Дубай"],
            &["Сочи", "Адлер"],
            &["Чемал", "Горно-Алтайск"],
        ] {
            assert!(place.iter().any(|p| cities.contains(p)), "{backend}: no hotel in {place:?}: {cities:?}");
        }
        let staff = crm.list_staff(&Actor::System).await.unwrap();
        assert_eq!(staff.iter().filter(|s| s.role == Role::Admin).count(), 1);
        assert_eq!(staff.iter().filter(|s| s.role == Role::Agent).count(), 4);
        let blacklisted = crm
            .list_clients(&Actor::System, ClientFilter { blacklisted: Some(true), limit: 200, ..Default::default() })
            .await
            .unwrap();
        assert!(!blacklisted.is_empty());
        // Most clients gave their passport and address: their consents are ready to sign; the
        // rest show what is missing.
        let (mut complete, mut lacking) = (0, 0);
        let all = crm.list_clients(&Actor::System, ClientFilter { limit: 200, ..Default::default() }).await.unwrap();
        for c in &all {
            for d in crm.client_documents(&Actor::System, c.id).await.unwrap() {
                if d.state.signable() {
                    if d.document.missing.is_empty() { complete += 1 } else { lacking += 1 }
                }
            }
        }
        assert!(complete > lacking && lacking > 0, "{backend}: {complete} complete, {lacking} lacking");
        // The demo's history is not sent at the first start to its made-up Telegram ids.
        let admin = Actor::staff(staff.iter().find(|s| s.role == Role::Admin).unwrap().id, Role::Admin);
        let pending = OutboxFilter {
            status: Some(OutboxStatus::Pending),
            notifications_only: true,
            limit: 10,
            ..Default::default()
        };
        assert!(crm.outbox_entries(&admin, pending).await.unwrap().is_empty(), "{backend}");
        let skipped = OutboxFilter { status: Some(OutboxStatus::Skipped), limit: 10, ..Default::default() };
        assert!(!crm.outbox_entries(&admin, skipped).await.unwrap().is_empty(), "{backend}: history is kept");

        let again = sb.run(&["demo-data"], &[]);
        assert_eq!(again.status.code(), Some(2), "{backend}: {}", text(&again.stdout));
        let err = text(&again.stderr);
        assert!(err.contains("уже есть клиенты"), "{err}");
        assert!(text(&again.stdout).is_empty());
        assert_eq!(counts(&crm).await, before, "{backend}: a refused run changes nothing");
        crm.store().close().await;
    }
}

#[tokio::test]
async fn demo_data_keeps_the_first_admin() {
    let sb = Sandbox::new(Backend::Sqlite).await;
    // What `serve` does on its first start: one admin, nothing else.
    let admin =
        sb.run(&["staff", "add", "--role", "admin", "--name", "Администратор Системы", "--login", "admin"], &[]);
    assert!(admin.status.success(), "{}", text(&admin.stderr));
    let out = sb.run(&["demo-data"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("уже был"), "{}", text(&out.stdout));
    let crm = open_crm(&sb).await;
    let staff = crm.list_staff(&Actor::System).await.unwrap();
    let admins: Vec<_> = staff.iter().filter(|s| s.role == Role::Admin).map(|s| s.login.as_str()).collect();
    assert_eq!(admins, ["admin"], "the existing admin is kept, no second one");
    assert_eq!(staff.len(), 8, "admin, 2 operators, 4 agents, 1 accountant");
    crm.store().close().await;
}

#[tokio::test]
async fn help_lists_demo_data() {
    let sb = Sandbox::new(Backend::Sqlite).await;
    let out = text(&sb.run(&["--help"], &[]).stdout);
    assert!(out.contains("demo-data"), "{out}");
}

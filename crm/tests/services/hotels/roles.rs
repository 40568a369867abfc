//! The hotels' role table, walked: every hotel service × every kind of actor. Operators and
//! admins (and the system) manage hotels; agents and the accountant read them; a client sees the
//! hotel and its rooms only; an unregistered Telegram user nothing. A refusal must be
//! `Error::Forbidden`, an allowed call must not be.

use super::{d, hotel_input, room_input, rule, season};
use crate::each_backend;
use crate::helpers::TestApp;
use crm::domain::{CancellationTerms, Direction, HotelId, InteractionKind, PenaltyKind, Role, RoomId};
use crm::services::{AgreementInput, CorrespondenceInput, HotelFilter, ManagerInput};
use crm::{Actor, Error};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Who {
    System,
    Admin,
    Operator,
    Agent,
    Accountant,
    Client,
    Telegram,
}

use Who::*;

const EVERYONE: [Who; 7] = [System, Admin, Operator, Agent, Accountant, Client, Telegram];
const WRITE: &[Who] = &[System, Admin, Operator];
const READ: &[Who] = &[System, Admin, Operator, Agent, Accountant];
const PUBLIC: &[Who] = &[System, Admin, Operator, Agent, Accountant, Client];

const TABLE: &[(&str, &[Who])] = &[
    ("create_hotel", WRITE),
    ("update_hotel", WRITE),
    ("archive_hotel", WRITE),
    ("get_hotel", PUBLIC),
    ("list_hotels", READ),
    ("hotel_card", READ),
    ("add_manager", WRITE),
    ("update_manager", WRITE),
    ("set_manager_active", WRITE),
    ("hotel_managers", READ),
    ("add_room", WRITE),
    ("update_room", WRITE),
    ("archive_room", WRITE),
    ("hotel_rooms", PUBLIC),
    ("add_season", WRITE),
    ("remove_season", WRITE),
    ("room_seasons", READ),
    ("set_cancellation_terms", WRITE),
    ("hotel_cancellation_terms", READ),
    ("record_agreement", WRITE),
    ("hotel_agreements", READ),
    ("agreement_in_force", READ),
    ("log_hotel_correspondence", WRITE),
    ("hotel_correspondence", WRITE),
    // Last: `archive_*` above alternate archive and restore by the parity of the call count.
    ("hotel_room", READ),
    ("hotel_manager", READ),
];

struct World {
    actors: HashMap<Who, Actor>,
    hotel: HotelId,
    room: RoomId,
    manager: i64,
    /// A hotel and a room only for archiving, so the others stay visible to the client.
    spare_hotel: HotelId,
    spare_room: RoomId,
    n: AtomicI64,
}

async fn world(app: &TestApp) -> World {
    let mut actors = HashMap::from([(System, Actor::System), (Telegram, Actor::Telegram(777_000_222))]);
    for (who, login, role) in [
        (Admin, "admin", Role::Admin),
        (Operator, "oper", Role::Operator),
        (Agent, "anna", Role::Agent),
        (Accountant, "buh", Role::Accountant),
    ] {
        actors.insert(who, app.actor(login, role).await);
    }
    let client = app.client("+7 912 345-67-89", None).await;
    actors.insert(Client, Actor::Client(client.id));
    let (h, r) = super::hotel_with_room(app, &Actor::System).await;
    let (spare, spare_room) = super::hotel_with_room(app, &Actor::System).await;
    let manager = ManagerInput { name: "Ayşe Yılmaz".into(), ..Default::default() };
    let m = app.crm.add_manager(&Actor::System, h.id, manager).await.unwrap();
    World {
        actors,
        hotel: h.id,
        room: r.id,
        manager: m.id,
        spare_hotel: spare.id,
        spare_room: spare_room.id,
        n: 0.into(),
    }
}

async fn call(app: &TestApp, w: &World, function: &str, who: Who) -> crm::Result<()> {
    let a = &w.actors[&who];
    let crm = &app.crm;
    let (h, r) = (w.hotel, w.room);
    let n = w.n.fetch_add(1, Ordering::Relaxed);
    let manager = || ManagerInput { name: format!("Manager {n}"), ..Default::default() };
    match function {
        "create_hotel" => crm.create_hotel(a, hotel_input(&format!("Hotel {n}"), "Турция", "Анталья")).await.map(drop),
        "update_hotel" => crm.update_hotel(a, h, hotel_input("Rixos Premium", "Турция", "Кемер")).await.map(drop),
        "archive_hotel" => crm.archive_hotel(a, w.spare_hotel, n % 2 == 0).await.map(drop),
        "get_hotel" => crm.get_hotel(a, h).await.map(drop),
        "list_hotels" => crm.list_hotels(a, HotelFilter::default()).await.map(drop),
        "hotel_card" => crm.hotel_card(a, h).await.map(drop),
        "add_manager" => crm.add_manager(a, h, manager()).await.map(drop),
        "update_manager" => crm.update_manager(a, w.manager, manager()).await.map(drop),
        "set_manager_active" => {
            let m = crm.add_manager(&Actor::System, h, manager()).await.unwrap();
            crm.set_manager_active(a, m.id, false).await.map(drop)
        }
        "hotel_managers" => crm.hotel_managers(a, h).await.map(drop),
        "hotel_manager" => crm.hotel_manager(a, w.manager).await.map(drop),
        "add_room" => crm.add_room(a, h, room_input(&format!("Room {n}"), 2)).await.map(drop),
        "update_room" => crm.update_room(a, r, room_input("Standard", 3)).await.map(drop),
        "archive_room" => crm.archive_room(a, w.spare_room, n % 2 == 0).await.map(drop),
        "hotel_rooms" => crm.hotel_rooms(a, h).await.map(drop),
        "add_season" => {
            // A fresh month for every call, so an allowed call never overlaps an earlier one.
            let day = d(2030, 1, 1) + chrono::Duration::days(31 * n);
            crm.add_season(a, r, season(day, day + chrono::Duration::days(30), 100_000)).await.map(drop)
        }
        "remove_season" => {
            // A season of its own for every call (added by the system), so each call has one to remove.
            let day = d(2040, 1, 1) + chrono::Duration::days(31 * n);
            let s = crm.add_season(&Actor::System, r, season(day, day + chrono::Duration::days(30), 1)).await.unwrap();
            crm.remove_season(a, r, s.id).await.map(drop)
        }
        "room_seasons" => crm.room_seasons(a, r).await.map(drop),
        "hotel_room" => crm.hotel_room(a, r).await.map(drop),
        "set_cancellation_terms" => {
            let terms = CancellationTerms { free_days: 14, rules: vec![rule(0, 13, PenaltyKind::Percent(5_000))] };
            crm.set_cancellation_terms(a, h, terms).await.map(drop)
        }
        "hotel_cancellation_terms" => crm.hotel_cancellation_terms(a, h).await.map(drop),
        "record_agreement" => {
            let input = AgreementInput { agreed_on: d(2026, 1, 1), commission_bp: Some(1_000), ..Default::default() };
            crm.record_agreement(a, h, input).await.map(drop)
        }
        "hotel_agreements" => crm.hotel_agreements(a, h).await.map(drop),
        "agreement_in_force" => crm.agreement_in_force(a, h, d(2026, 6, 1)).await.map(drop),
        "log_hotel_correspondence" => {
            let letter = CorrespondenceInput {
                kind: InteractionKind::Email,
                direction: Direction::Out,
                subject: "Квота".into(),
                body: "Запрос квоты".into(),
                occurred_at: None,
                manager_id: Some(w.manager),
            };
            crm.log_hotel_correspondence(a, h, letter).await.map(drop)
        }
        "hotel_correspondence" => crm.hotel_correspondence(a, h, 10).await.map(drop),
        other => panic!("no call for {other}"),
    }
}

each_backend!(every_hotel_service_refuses_exactly_the_actors_the_role_table_excludes, |app| {
    let w = world(&app).await;
    let mut wrong = Vec::new();
    for (function, allowed) in TABLE {
        for who in EVERYONE {
            let outcome = call(&app, &w, function, who).await;
            let forbidden = matches!(outcome, Err(Error::Forbidden(_)));
            // Allowed calls here are built to succeed; a conflict or a refusal of the input
            // would hide a broken check, so only success counts.
            let ok = outcome.is_ok();
            if allowed.contains(&who) != ok || (!ok && !forbidden) {
                wrong.push(format!("{function} by {who:?}: {outcome:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}: hotel role table violated:\n{}", app.backend, wrong.join("\n"));
});

each_backend!(refused_actors_learn_nothing_about_missing_hotels, |app| {
    let w = world(&app).await;
    // The role check comes before the lookup, so a refusal does not reveal which ids exist.
    for who in [Telegram, Client] {
        let got = app.crm.hotel_card(&w.actors[&who], HotelId(999_999)).await;
        assert!(matches!(got, Err(Error::Forbidden(_))), "{who:?}: {got:?}");
    }
    let got = app.crm.hotel_correspondence(&w.actors[&Agent], HotelId(999_999), 5).await;
    assert!(matches!(got, Err(Error::Forbidden(_))), "{got:?}");
});

//! The texts render, and render as the bot has always worded them.

use super::*;
use chrono::NaiveDate;
use dialogues::client::catalog::{Browse, TourFilter};
use dialogues::event::Outcome;
use dialogues::views::*;
use dialogues::{Callback, Effect, Event, State, Who};

#[test]
fn every_template_renders() {
    let t = Texts::load().unwrap();
    let s = t.render("staff_bound.tera", &serde_json::json!({"name": "Анна", "role": "турагент"}));
    assert!(s.contains("Анна"));
    assert!(!t.render("staff_invite_invalid.tera", &()).is_empty());
}

/// Each template the dialogues and the bot name in a `Reply::text` or a `Label::new` call
/// exists (missing variables are caught by the tests below and the flows' e2e tests).
#[test]
fn every_template_the_code_names_exists() {
    let t = Texts::load().unwrap();
    let mut stack = vec![std::path::PathBuf::from("../dialogues/src"), std::path::PathBuf::from("src")];
    let mut used = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let src = std::fs::read_to_string(&path).unwrap();
                for (call, prefix) in [("Reply::text(\"", ""), ("Label::new(\"", "button_")] {
                    for part in src.split(call).skip(1) {
                        used.push(format!("{prefix}{}", part.split('"').next().unwrap()));
                    }
                }
            }
        }
    }
    assert!(used.len() > 60, "found {used:?}");
    used.extend(dialogues::staff::NOTE_KINDS.map(|k| format!("button_note_{}", k.as_str())));
    used.extend(dialogues::staff::PAY_METHODS.map(|m| format!("button_pay_{}", m.as_str())));
    used.extend(MenuItem::CLIENT.into_iter().chain(MenuItem::STAFF).map(|i| format!("button_{}", i.label().key)));
    for name in used {
        assert!(t.has(&format!("{name}.tera")), "templates/bot/{name}.tera is missing");
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

/// The messages and keyboards a few steps make, rendered: (text, rows of button texts).
fn rendered(t: &Texts, state: State, who: &Who, event: Event) -> Vec<(String, Vec<Vec<String>>)> {
    let (_, effects) = dialogues::step(state, who, event, today());
    effects
        .iter()
        .filter_map(|e| if let Effect::Reply(r) = e { Some(r) } else { None })
        .map(|r| {
            let rows = match t.keyboard(&r.keyboard) {
                Keyboard::Inline(rows) => rows.into_iter().map(|r| r.into_iter().map(|b| b.label).collect()).collect(),
                Keyboard::Reply(rows) => rows
                    .into_iter()
                    .map(|r| {
                        r.into_iter()
                            .map(|b| match b {
                                dialogues::effect::ReplyButton::Text(l)
                                | dialogues::effect::ReplyButton::RequestContact(l) => l,
                            })
                            .collect()
                    })
                    .collect(),
                Keyboard::None | Keyboard::Remove => vec![],
            };
            (t.message(r), rows)
        })
        .collect()
}

fn client() -> Who {
    Who::Client { id: 1, first_name: "Мария".into(), marketing: true }
}

fn browse(filter: TourFilter) -> State {
    State::Browse(Browse { filter, page: 1, awaiting_destination: false })
}

#[test]
fn the_catalog_reads_as_before() {
    let t = Texts::load().unwrap();
    let filter =
        TourFilter { destination: Some("Турция".into()), month: Some(202701), budget_k: Some(100), hot: true };
    let item = TourItem {
        id: 1,
        title: "Алтай".into(),
        place: "Россия".into(),
        price: "50 000 ₽".into(),
        next_departure: None,
        hot: true,
    };
    let page = TourPage { items: vec![item], page: 1, has_more: true };
    let out = rendered(&t, browse(filter), &client(), Event::Outcome(Outcome::Tours(page)));
    let (text, rows) = &out[0];
    assert!(
        text.starts_with(
            "🌍 Туры (направление: Турция, месяц: январь 2027, до 100 000 ₽ на человека, только горящие), страница 2:"
        ),
        "{text}"
    );
    let expected: Vec<Vec<&str>> = vec![
        vec!["🔥 Алтай — 50 000 ₽"],
        vec!["◀ Назад", "Дальше ▶"],
        vec!["📍 Направление", "📅 Месяц"],
        vec!["💰 Бюджет", "🔥 Горящие ✓"],
        vec!["✖ Сбросить фильтры"],
    ];
    assert_eq!(rows, &expected);

    let out = rendered(&t, browse(TourFilter::default()), &client(), Event::Callback(Callback::AskMonth));
    assert_eq!(out[0].1[0], ["ноябрь 2026", "декабрь 2026"]);
    assert_eq!(out[0].1[3], ["Любой месяц"]);
    let out = rendered(&t, browse(TourFilter::default()), &client(), Event::Callback(Callback::AskBudget));
    assert_eq!(
        out[0].1,
        [vec!["до 50 000 ₽", "до 100 000 ₽"], vec!["до 200 000 ₽", "до 400 000 ₽"], vec!["Любой бюджет"]]
    );
}

#[test]
fn a_tour_card_words_its_route_hotels_and_departures() {
    let t = Texts::load().unwrap();
    let view = TourView {
        id: 3,
        title: "Алтай".into(),
        kind: "экскурсионный".into(),
        place: "Россия, Алтай".into(),
        description: String::new(),
        price: "50 000 ₽".into(),
        route: vec![RouteDay { day: 1, place: "Чемал".into(), description: "Встреча".into() }],
        included: vec![],
        not_included: vec![],
        hotels: vec![
            HotelStay {
                name: "Катунь".into(),
                stars: Some(4),
                city: "Чемал".into(),
                room: Some("стандарт".into()),
                nights: 3,
            },
            HotelStay { name: "Юрта".into(), stars: None, city: "Акташ".into(), room: None, nights: 1 },
        ],
        departures: vec![DepartureItem { id: 11, dates: "12.01–18.01".into(), seats_left: 4 }],
        hot: false,
        early_booking: false,
    };
    let out = rendered(&t, browse(TourFilter::default()), &client(), Event::Outcome(Outcome::Tour(view)));
    let (text, rows) = &out[0];
    assert!(text.contains("• День 1: Чемал — Встреча\n"), "{text}");
    assert!(text.contains("• Катунь 4* (Чемал), стандарт, ночей: 3\n• Юрта (Акташ), ночей: 1\n"), "{text}");
    assert_eq!(rows, &[vec!["📅 12.01–18.01 · мест: 4".to_owned()], vec!["◀ К списку туров".to_owned()]]);
}

#[test]
fn menus_render_and_a_pressed_menu_button_is_known_by_its_text() {
    let t = Texts::load().unwrap();
    let menu = rendered(&t, State::Idle, &client(), Event::Command(dialogues::Command::Menu));
    assert_eq!(menu[0].1, [vec!["🌍 Туры", "🧳 Мои брони"], vec!["💬 Написать агенту", "⚙\u{fe0f} Настройки"]]);
    let all: Vec<MenuItem> = MenuItem::CLIENT.into_iter().chain(MenuItem::STAFF).collect();
    for item in &all {
        assert_eq!(t.menu_item(&t.label(&item.label())), Some(*item), "{item:?}");
    }
    assert_eq!(t.menu, all.iter().map(|i| (t.label(&i.label()), *i)).collect());
    assert_eq!(t.menu.len(), all.len(), "two menu buttons read alike");
    assert_eq!(t.menu_item("🌍 туры"), None);
}

/// Every label of every keyboard these steps make renders (none falls back to the apology).
#[test]
fn every_label_renders() {
    let t = Texts::load().unwrap();
    let agent = Who::Staff { id: 3, role: crm::domain::Role::Admin, name: "Анна".into() };
    let booking = BookingItem {
        id: 17,
        tour: "Алтай".into(),
        dates: "d".into(),
        status: "заключение договора".into(),
        total: "1".into(),
        due: "1".into(),
        travellers: 2,
        documents: vec![],
    };
    let card = ClientCardView {
        id: 5,
        name: "Иванова Мария".into(),
        phone: "+79123456789".into(),
        city: String::new(),
        birth_date: String::new(),
        tags: vec![],
        blacklisted: None,
        bookings: vec![booking.clone()],
        history: vec![],
        telegram: true,
        documents: vec![],
    };
    let staff_booking = StaffBookingView {
        booking: booking.clone(),
        client_id: 5,
        client: "Иванова Мария".into(),
        paid: "0".into(),
        moves: vec![(crm::domain::BookingStatus::ContractSigned, "договор подписан".into())],
        accepts_payments: true,
        can_issue_contract: true,
    };
    let cases = [
        (State::Idle, Who::Stranger, Event::Start(dialogues::StartPayload::None)),
        (State::Idle, client(), Event::Outcome(Outcome::Settings(Settings { city: "Москва".into(), marketing: true }))),
        (State::Idle, client(), Event::Callback(Callback::ChangeCity)),
        (browse(TourFilter::default()), client(), Event::Callback(Callback::Depart(1))),
        (State::Staff(None), agent.clone(), Event::Start(dialogues::StartPayload::None)),
        (State::Staff(None), agent.clone(), Event::Outcome(Outcome::StaffClient(card.clone()))),
        (State::Staff(None), agent.clone(), Event::Outcome(Outcome::StaffBooking(staff_booking))),
        (State::Staff(None), agent.clone(), Event::Outcome(Outcome::StaffBookings(vec![booking]))),
        (
            State::Staff(None),
            agent.clone(),
            Event::Outcome(Outcome::StaffClients(vec![ClientItem {
                id: 5,
                name: card.name.clone(),
                phone: card.phone.clone(),
            }])),
        ),
        (State::Staff(None), agent, Event::Callback(Callback::Pay(17))),
    ];
    let mut labels = 0;
    for (state, who, event) in cases {
        for (text, rows) in rendered(&t, state, &who, event.clone()) {
            assert_ne!(text, t.fallback, "{event:?}");
            for label in rows.iter().flatten() {
                assert!(!label.is_empty() && *label != t.fallback, "{event:?}: {rows:?}");
                labels += 1;
            }
        }
    }
    assert!(labels > 25, "{labels}");
}

#[test]
fn the_command_menu_is_described() {
    let t = Texts::load().unwrap();
    let described: Vec<String> =
        crate::COMMANDS.iter().map(|c| t.render(&format!("command_{c}.tera"), &serde_json::Map::new())).collect();
    assert_eq!(
        described,
        [
            "Начать / главное меню",
            "Подобрать тур",
            "Мои брони",
            "Настройки",
            "Помощь",
            "Отменить текущее действие",
            "Отписаться от рассылок"
        ]
    );
}

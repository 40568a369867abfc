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
    used.extend(
        MenuItem::CLIENT
            .into_iter()
            .chain(MenuItem::STAFF)
            .chain(MenuItem::STRANGER)
            .map(|i| format!("button_{}", i.label().key)),
    );
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
            "🌍 Туры (по запросу «Турция», месяц: январь 2027, до 100 000 ₽ на человека, только горящие), страница 2:"
        ),
        "{text}"
    );
    let expected: Vec<Vec<&str>> = vec![
        vec!["🔥 Алтай — от 50 000 ₽"],
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

/// An empty list says what was searched, so a client sees how the bot read them.
#[test]
fn an_empty_list_names_the_filter() {
    let t = Texts::load().unwrap();
    let filter =
        TourFilter { destination: Some("в Турцию".into()), month: None, budget_k: Some(120), hot: false };
    let page = TourPage { items: vec![], page: 0, has_more: false };
    let out = rendered(&t, browse(filter), &client(), Event::Outcome(Outcome::Tours(page)));
    assert!(
        out[0].0.starts_with("Туров не нашлось (по запросу «в Турцию», до 120 000 ₽ на человека)."),
        "{}",
        out[0].0
    );
    let page = TourPage { items: vec![], page: 0, has_more: false };
    let out = rendered(&t, browse(TourFilter::default()), &client(), Event::Outcome(Outcome::Tours(page)));
    assert!(out[0].0.starts_with("По этим условиям туров не нашлось."), "{}", out[0].0);
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
        departures: vec![
            DepartureItem {
                id: 11,
                dates: "12.01–18.01".into(),
                seats_left: 4,
                price: Some("82 500 ₽".into()),
                price_from: true,
            },
            DepartureItem { id: 12, dates: "19.01–25.01".into(), seats_left: 2, price: None, price_from: false },
        ],
        hot: false,
        early_booking: false,
        price_from: true,
    };
    let out = rendered(&t, browse(TourFilter::default()), &client(), Event::Outcome(Outcome::Tour(view)));
    let (text, rows) = &out[0];
    assert!(text.contains("• День 1: Чемал — Встреча\n"), "{text}");
    assert!(text.contains("• Катунь 4* (Чемал), стандарт, ночей: 3\n• Юрта (Акташ), ночей: 1\n"), "{text}");
    assert!(text.contains("Цена: от 50 000 ₽ на человека с проживанием\n"), "{text}");
    // The departure without a price yet is not offered.
    let expected = [vec!["📅 12.01–18.01 · от 82 500 ₽ · мест: 4".to_owned()], vec!["◀ К списку туров".to_owned()]];
    assert_eq!(rows, &expected);
}

fn instalment(amount: &str, due_on: &str, paid: bool) -> InstalmentView {
    InstalmentView { amount: amount.into(), due_on: due_on.into(), paid }
}

#[test]
fn the_price_is_broken_down_before_booking() {
    let t = Texts::load().unwrap();
    let q = QuoteView {
        departure_id: 11,
        tour: "Кемер".into(),
        dates: "06.01–13.01.2027".into(),
        travellers: 2,
        per_person: "40 000 ₽".into(),
        tour_total: "80 000 ₽".into(),
        rooms: vec![QuoteRoom {
            hotel: "Rixos".into(),
            room: "Standard".into(),
            rooms: 1,
            nights: 7,
            total: "85 000 ₽".into(),
        }],
        rooms_total: "85 000 ₽".into(),
        total: "165 000 ₽".into(),
        total_per_person: "82 500 ₽".into(),
        request_key: None,
        schedule: vec![instalment("49 500 ₽", "28.11.2026", false), instalment("115 500 ₽", "23.12.2026", false)],
    };
    let draft = State::Booking(dialogues::client::catalog::BookingDraft {
        departure_id: 11,
        browse: None,
        question: Vec::new(),
    });
    let out = rendered(&t, draft, &client(), Event::Outcome(Outcome::Quote(q)));
    let (text, rows) = &out[0];
    assert!(text.contains("Тур: 2 × 40 000 ₽ = 80 000 ₽\n"), "{text}");
    assert!(text.contains("• Rixos, Standard, номеров: 1, ночей: 7 — 85 000 ₽\n"), "{text}");
    assert!(text.contains("Итого: 165 000 ₽ (82 500 ₽ на человека)\n"), "{text}");
    assert!(text.contains("• 49 500 ₽ до 28.11.2026\n• 115 500 ₽ до 23.12.2026\n"), "{text}");
    assert_eq!(rows, &[vec!["✅ Забронировать".to_owned(), "Не сейчас".to_owned()]]);
}

#[test]
fn my_bookings_say_what_is_paid_and_due_and_offer_to_cancel() {
    let t = Texts::load().unwrap();
    let item = |id, status: &str| BookingItem {
        id,
        tour: "Алтай".into(),
        dates: "12.01–18.01.2027".into(),
        status: status.into(),
        total: "100 000 ₽".into(),
        due: "70 000 ₽".into(),
        travellers: 2,
        client: "Иванова Мария".into(),
        documents: vec![],
    };
    let open = MyBookingView {
        booking: item(17, "частичная оплата"),
        paid: "30 000 ₽".into(),
        next_due: Some(instalment("70 000 ₽", "28.12.2026", false)),
        schedule: vec![instalment("30 000 ₽", "28.11.2026", true), instalment("70 000 ₽", "28.12.2026", false)],
        may_cancel: true,
        may_pay: true,
    };
    let gone = MyBookingView {
        booking: item(9, "бронь аннулирована"),
        paid: "0 ₽".into(),
        next_due: None,
        schedule: vec![instalment("100 000 ₽", "01.12.2026", false)],
        may_cancel: false,
        may_pay: false,
    };
    let out = rendered(
        &t,
        State::Idle,
        &client(),
        Event::Outcome(Outcome::Bookings { items: vec![open, gone], documents: vec![] }),
    );
    let (text, rows) = &out[0];
    assert!(
        text.contains("№17 · Алтай, 12.01–18.01.2027\n   путешественников: 2; статус: частичная оплата\n"),
        "{text}"
    );
    assert!(
        text.contains("стоимость 100 000 ₽, оплачено 30 000 ₽\n   следующий платёж: 70 000 ₽ до 28.12.2026\n"),
        "{text}"
    );
    assert!(text.contains("график: 30 000 ₽ до 28.11.2026 ✓; 70 000 ₽ до 28.12.2026\n"), "{text}");
    assert!(text.contains("№9 · Алтай") && !text.contains("100 000 ₽ до 01.12.2026"), "{text}");
    assert_eq!(rows, &[vec!["💳 Оплатить №17".to_owned()], vec!["❌ Запросить отмену №17".to_owned()]]);
    // No booking yet, a consent to sign: listed under the client's own documents, with its button.
    let consent = dialogues::views::DocumentItem {
        id: 5,
        title: "Согласие на обработку персональных данных".into(),
        state: "выдан".into(),
        signable: true,
        signed: false,
    };
    let none = Event::Outcome(Outcome::Bookings { items: vec![], documents: vec![consent] });
    let out = rendered(&t, State::Idle, &client(), none);
    let (text, rows) = &out[0];
    assert!(text.starts_with("У вас пока нет бронирований."), "{text}");
    assert!(text.ends_with("\n\n📄 Ваши документы:\n   Согласие на обработку персональных данных — выдан"), "{text}");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0][0].contains("Согласие на обработку персональных данных"), "{rows:?}");
    let out = rendered(&t, State::Idle, &client(), Event::Callback(Callback::AskCancel(17)));
    assert!(out[0].0.starts_with("Напишите одним сообщением, почему вы хотите отменить бронь №17."), "{}", out[0].0);
    let asked = State::CancelRequest(dialogues::client::account::CancelRequest { booking: 17, reason: None });
    let out = rendered(&t, asked, &client(), Event::Text("  заболел   ребёнок ".into()));
    assert!(out[0].0.contains("запрос на отмену брони №17?\nПричина: заболел ребёнок\n"), "{}", out[0].0);
    assert_eq!(out[0].1, [vec!["Да, отправить", "Нет, оставить бронь"]]);
}

#[test]
fn menus_render_and_a_pressed_menu_button_is_known_by_its_text() {
    let t = Texts::load().unwrap();
    let menu = rendered(&t, State::Idle, &client(), Event::Command(dialogues::Command::Menu));
    assert_eq!(menu[0].1, [vec!["🌍 Туры", "🧳 Мои брони"], vec!["💬 Написать агенту", "⚙\u{fe0f} Настройки"]]);
    let guest = rendered(&t, State::Idle, &Who::Stranger, Event::Command(dialogues::Command::Menu));
    assert_eq!(guest[0].1, [vec!["🌍 Туры", "💬 Написать агенту"], vec!["📝 Зарегистрироваться"]]);
    // The stranger's buttons are the client's where they mean the same (one text, one item).
    let mut all: Vec<MenuItem> = MenuItem::CLIENT.into_iter().chain(MenuItem::STAFF).collect();
    all.push(MenuItem::Register);
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
        client: "Иванова Мария".into(),
        documents: vec![],
    };
    let card = ClientCardView {
        id: 5,
        name: "Иванова Мария".into(),
        phone: "+79123456789".into(),
        bookings: vec![booking.clone()],
        telegram: true,
        consent_unsigned: true,
        on_file: Some(vec![]),
        ..Default::default()
    };
    let staff_booking = StaffBookingView {
        booking: booking.clone(),
        client_id: 5,
        client: "Иванова Мария".into(),
        paid: "0".into(),
        moves: vec![(crm::domain::BookingStatus::ContractSigned, "договор подписан".into())],
        status_reason: None,
        refund_left: None,
        accepts_payments: true,
        can_issue_contract: true,
        telegram_payments: true,
        send_payment: true,
    };
    let cases = [
        (State::Idle, Who::Stranger, Event::Start(dialogues::StartPayload::None)),
        (State::Idle, client(), Event::Outcome(Outcome::Settings(Settings { city: "Москва".into(), marketing: true }))),
        (State::Idle, client(), Event::Callback(Callback::ChangeCity)),
        (browse(TourFilter::default()), client(), Event::Callback(Callback::Depart(1))),
        (
            State::CancelRequest(dialogues::client::account::CancelRequest { booking: 17, reason: None }),
            client(),
            Event::Outcome(Outcome::CancelRequested { booking: 17, agent: Some("Петрова Мария".into()) }),
        ),
        (State::Staff(None), agent.clone(), Event::Start(dialogues::StartPayload::None)),
        (State::Staff(None), agent.clone(), Event::Outcome(Outcome::StaffClient(card.clone()))),
        (State::Staff(None), agent.clone(), Event::Outcome(Outcome::StaffBooking(staff_booking))),
        (
            State::Staff(None),
            agent.clone(),
            Event::Outcome(Outcome::StaffBookings {
                items: vec![booking],
                requests_only: true,
                more: Some(9),
                next_page: false,
            }),
        ),
        (
            State::Staff(None),
            agent.clone(),
            Event::Outcome(Outcome::Done { message: "Готово".into(), back: Some(Callback::Client(5)) }),
        ),
        (State::Idle, Who::Stranger, Event::Command(dialogues::Command::Cancel)),
        (State::Idle, Who::Blacklisted, Event::Text("привет".into())),
        (
            State::Staff(None),
            agent.clone(),
            Event::Outcome(Outcome::StaffClients {
                items: vec![ClientItem { id: 5, name: card.name.clone(), phone: card.phone.clone() }],
                more: Some(5),
                next_page: true,
                searched: false,
            }),
        ),
        (State::Staff(None), agent.clone(), Event::Callback(Callback::Pay(17))),
        // The agent's «Ссылка на оплату»: the amount and the ways worded for sending.
        (State::Staff(None), agent.clone(), Event::Outcome(Outcome::PayChoices(pay_choices()))),
        (
            State::Staff(Some(dialogues::staff::Awaiting::SendPay(dialogues::client::pay::Pay {
                choices: pay_choices(),
                amount: None,
                question: Vec::new(),
            }))),
            agent.clone(),
            Event::Callback(Callback::PayRest),
        ),
        (
            State::Staff(None),
            agent,
            Event::Outcome(Outcome::PayChoices(dialogues::views::PayChoicesView { methods: vec![], ..pay_choices() })),
        ),
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

/// The passport entry's messages read as a travel agent expects: the list with each
/// document's state and warnings, a question per field, the summary, the saved document.
#[test]
fn the_travellers_and_the_passport_entry_are_worded() {
    use crm::domain::DocKind;
    use dialogues::documents::DocEntry;
    use dialogues::staff::Awaiting;
    let t = Texts::load().unwrap();
    let agent = Who::Staff { id: 3, role: crm::domain::Role::Agent, name: "Анна".into() };
    let view = TravellersView {
        booking: 17,
        travellers_count: 2,
        can_add: true,
        travellers: vec![TravellerLine {
            id: 21,
            name: "Щукин Юрий".into(),
            birth_date: "01.02.1985".into(),
            is_client: false,
            documents: vec![DocLine {
                kind: DocKind::ForeignPassport,
                title: "загранпаспорт".into(),
                needed: true,
                on_file: false,
            }],
            warnings: vec!["Загранпаспорт действует до 01.06.2027".into()],
        }],
    };
    let list = rendered(&t, State::Staff(None), &agent, Event::Outcome(Outcome::StaffTravellers(view)));
    assert!(list[0].0.contains("Туристы брони №17 (1 из 2)"), "{}", list[0].0);
    assert!(list[0].0.contains("❗ загранпаспорт — нужен, не внесён"), "{}", list[0].0);
    assert!(list[0].0.contains("⚠️ Загранпаспорт действует до 01.06.2027"));
    assert!(list[0].0.contains("или добавьте следующего: «➕ Добавить туриста»"), "{}", list[0].0);
    let buttons = ["Щукин Юрий", "➕ Добавить туриста", "📄 Открыть бронь"].map(|b| vec![b.to_owned()]);
    assert_eq!(list[0].1, buttons);
    let name = rendered(&t, State::Staff(None), &agent, Event::Callback(Callback::AddTraveller(17)));
    assert!(name[0].0.starts_with("Новый турист брони: фамилия, имя и отчество"), "{}", name[0].0);
    let kinds = rendered(&t, State::Staff(None), &agent, Event::Callback(Callback::Traveller(21)));
    assert_eq!(kinds[0].1.concat(), ["паспорт РФ", "загранпаспорт", "свидетельство о рождении"]);
    // Every field of every kind has its own question (not only its label).
    for kind in DocKind::IDENTITY {
        for field in kind.fields() {
            let ask = Reply::text("staff_doc_field_ask")
                .var("kind", kind.as_str())
                .var("field", field.code())
                .var("title", field.title_ru());
            let q = t.message(&ask);
            assert!(q.ends_with(':') && q != format!("{}:", field.title_ru()), "{kind:?} {field:?}: {q}");
        }
    }
    let mut state = State::Staff(Some(Awaiting::Document(DocEntry::new(21, DocKind::BirthCertificate))));
    let mut asked = Vec::new();
    for typed in ["IV-МЮ", "583920", "01.06.2019", "Отдел ЗАГС"] {
        let (next, effects) = dialogues::step(state, &agent, Event::Text(typed.into()), today());
        asked.extend(effects.iter().filter_map(|e| if let Effect::Reply(r) = e { Some(t.message(r)) } else { None }));
        state = next;
    }
    assert!(asked[0].starts_with("Номер — 6 цифр"), "{asked:?}");
    assert!(asked[3].contains("Серия: IV-МЮ") && asked[3].contains("Кем выдан: Отдел ЗАГС"), "{}", asked[3]);
    let first =
        rendered(&t, State::Staff(None), &agent, Event::Callback(Callback::DocKind(21, DocKind::BirthCertificate)));
    assert!(first[0].0.starts_with("Серия свидетельства о рождении"), "{}", first[0].0);
    let done = t.message(
        &Reply::text("staff_done_document")
            .var("kind", "загранпаспорт")
            .var("warnings", vec!["Имя латиницей «X» отличается"])
            .var("remade", vec!["Договор № 7 от 01.06.2026"]),
    );
    assert_eq!(
        done,
        "Сохранено: загранпаспорт (данные зашифрованы).\n⚠️ Имя латиницей «X» отличается\n\
         📄 Документ «Договор № 7 от 01.06.2026» составлен заново с новыми данными; прежний экземпляр больше не действует."
    );
}

/// The registration's consent answers record the version and hash of the question text
/// (`crm::services::ShownText`): it must be exactly what the bot shows.
#[test]
fn the_consent_questions_shown_are_the_texts_whose_hash_is_recorded() {
    let t = Texts::load().unwrap();
    let pd = crm::services::ShownText::personal_data();
    assert_eq!(t.render("reg_ask_pd_consent.tera", &serde_json::json!({})), pd.text);
    let mk = crm::services::ShownText::marketing();
    assert_eq!(t.render("reg_ask_marketing.tera", &serde_json::json!({})), mk.text);
}

/// What a booking's client may pay, with the ways an agent sends.
fn pay_choices() -> dialogues::views::PayChoicesView {
    use dialogues::client::pay::PayVia;
    dialogues::views::PayChoicesView {
        booking: 17,
        tour: "Алтай".into(),
        due: "85 000 ₽".into(),
        next: None,
        next_minor: None,
        range: crm::domain::PayableRange::for_due(crm::domain::Money::new(8_500_000, crm::domain::Currency::RUB)),
        methods: vec![PayVia::Card, PayVia::Sbp, PayVia::BankQr],
    }
}

/// A staff action's outcome is shown through `staff_done.tera`, which puts the ✅ in front: the
/// outcome's own text must not bring another («✅ ✅ Отправлено клиенту» once did).
#[test]
fn a_staff_outcome_has_one_check_mark() {
    let dir = std::path::Path::new("../templates/bot");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with("staff_done_") {
            seen += 1;
            let text = std::fs::read_to_string(dir.join(&name)).unwrap();
            assert!(!text.trim_start().starts_with('✅'), "{name} brings its own ✅");
        }
    }
    assert!(seen > 5, "the outcomes' templates were not found in {}", dir.display());
}

#[test]
fn what_a_document_lacks_is_sent_where_the_client_can_enter_it() {
    let t = Texts::load().unwrap();
    let lacks = |mini_app: bool| {
        t.message(
            &Reply::text("sign_missing")
                .var("title", "Договор № 28")
                .var("missing", "адрес клиента")
                .var("mini_app", mini_app),
        )
    };
    let page = lacks(true);
    assert!(page.contains("не хватает данных: адрес клиента. Внесите их на странице документа"), "{page}");
    // Without the Mini App there is no such button under the document: the agent enters them.
    let chat = lacks(false);
    assert!(chat.contains("Сообщите их агенту через «💬 Написать агенту»"), "{chat}");
    assert!(!chat.contains("Открыть и подписать"), "{chat}");
    // Only the agency's part is missing: the client is asked for nothing and told no details.
    let agency = t.message(
        &Reply::text("sign_missing")
            .var("title", "Договор № 28")
            .var("missing", "")
            .var("agency", true)
            .var("mini_app", true),
    );
    assert_eq!(
        agency,
        "Документ «Договор № 28» ещё готовит агентство: как только он будет готов, новый экземпляр придёт сюда, в чат."
    );
}

#[test]
fn the_agent_is_told_who_enters_what_an_issued_contract_lacks() {
    let t = Texts::load().unwrap();
    let issued = |missing: &str, mini_app: bool| {
        t.message(
            &Reply::text("staff_contract_issued")
                .var("title", "Договор № 28")
                .var("missing", missing)
                .var("mini_app", mini_app),
        )
    };
    assert_eq!(issued("", false), "📝 Документ «Договор № 28» выдан клиенту на подпись.");
    let chat = issued("адрес клиента", false);
    assert!(chat.contains("В нём не хватает: адрес клиента.") && chat.contains("«🏠 Адрес»"), "{chat}");
    assert!(!chat.contains("клиент может внести"), "no page to enter it on: {chat}");
    assert!(issued("адрес клиента", true).contains("свой адрес клиент может внести сам"));
    let held = t.message(
        &Reply::text("staff_contract_issued")
            .var("title", "Договор № 28")
            .var("missing", "сведения о туристах")
            .var("held", true),
    );
    assert!(held.starts_with("📝 Документ «Договор № 28» составлен, но клиенту пока не отправлен"), "{held}");
}

#[test]
fn the_agent_is_told_which_consents_went_out_and_what_they_lack() {
    let t = Texts::load().unwrap();
    let issued = |documents: serde_json::Value, lacking: bool, mini_app: bool| {
        t.message(
            &Reply::text("staff_consents_issued")
                .var("documents", documents)
                .var("lacking", lacking)
                .var("mini_app", mini_app),
        )
    };
    let complete = serde_json::json!([{"title": "Согласие на обработку персональных данных", "missing": ""}]);
    assert_eq!(
        issued(complete, false, true),
        "📝 Выданы клиенту на подпись:\n• «Согласие на обработку персональных данных»"
    );
    let lacking = serde_json::json!([{"title": "Согласие на получение рекламы", "missing": "адрес клиента"}]);
    let text = issued(lacking.clone(), true, false);
    assert!(text.contains("• «Согласие на получение рекламы» — не хватает: адрес клиента\n"), "{text}");
    assert!(text.contains("«🏠 Адрес»") && !text.contains("клиент может внести сам"), "{text}");
    assert!(issued(lacking, true, true).contains("клиент может внести сам, открыв согласие"));
    assert_eq!(issued(serde_json::json!([]), false, true), "Все согласия клиента уже подписаны.");
}

#[test]
fn the_staff_client_card_says_which_of_the_clients_own_documents_are_on_file() {
    let t = Texts::load().unwrap();
    let agent = Who::Staff { id: 3, role: crm::domain::Role::Agent, name: "Смирнова Анна".into() };
    let card = |on_file: Option<Vec<String>>| ClientCardView {
        id: 5,
        name: "Иванова Мария".into(),
        phone: "+7 912 345-67-89".into(),
        city: "Томск".into(),
        telegram: true,
        on_file,
        ..Default::default()
    };
    let shown = |on_file| {
        let out = rendered(&t, State::Staff(None), &agent, Event::Outcome(Outcome::StaffClient(card(on_file))));
        out[0].0.clone()
    };
    let some = shown(Some(vec!["паспорт РФ".into(), "адрес".into()]));
    assert!(some.ends_with("\n🪪 Внесено: паспорт РФ, адрес"), "{some}");
    let none = shown(Some(vec![]));
    assert!(none.ends_with("\n🪪 Паспорт и адрес не внесены — они нужны для договора и согласия."), "{none}");
    // A role that sees no documents is told nothing of them.
    assert!(!shown(None).contains("🪪"));
}

/// A signed contract whose booking takes a payment says what is due (its «Оплатить» button
/// follows); any other signed document only says it is signed.
#[test]
fn a_signed_contract_says_what_is_due() {
    let t = Texts::load().unwrap();
    let consent = t.message(&Reply::text("sign_done").var("title", "Согласие"));
    assert_eq!(consent, "✅ Документ «Согласие» подписан. Скачать его можно в «Мои брони».");
    let contract = t.message(&Reply::text("sign_done").var("title", "Договор").var("due", "156 000 ₽"));
    assert!(contract.ends_with("\nТеперь бронь можно оплатить: к оплате 156 000 ₽."), "{contract}");
}

/// Correcting the client's card from the bot: the button, the fields, each question, a refusal
/// and the answer naming what was corrected and the documents made anew.
#[test]
fn correcting_the_clients_card_is_worded() {
    use dialogues::staff::{Awaiting, ClientField};
    let t = Texts::load().unwrap();
    let agent = Who::Staff { id: 3, role: crm::domain::Role::Agent, name: "Смирнова Анна".into() };
    let card = ClientCardView { id: 5, name: "Иванова Мария".into(), telegram: true, ..Default::default() };
    let out = rendered(&t, State::Staff(None), &agent, Event::Outcome(Outcome::StaffClient(card)));
    assert!(out[0].1.iter().flatten().any(|b| b == "✏️ Исправить данные"), "{:?}", out[0].1);
    let out = rendered(&t, State::Staff(None), &agent, Event::Callback(Callback::EditClient(5)));
    assert!(out[0].0.starts_with("Что исправить в карточке клиента?"), "{}", out[0].0);
    assert_eq!(out[0].1, [vec!["ФИО", "Телефон"], vec!["Дата рождения", "Город вылета"]]);
    let asks: Vec<String> = ClientField::ALL
        .into_iter()
        .map(|f| rendered(&t, State::Staff(None), &agent, Event::Callback(Callback::EditField(5, f)))[0].0.clone())
        .collect();
    assert!(asks[1].starts_with("Новый телефон клиента") && asks[2].contains("дд.мм.гггг"), "{asks:?}");
    let on_phone = State::Staff(Some(Awaiting::ClientField { client: 5, field: ClientField::Phone }));
    let taken = Event::Outcome(Outcome::Refused("Клиент с таким телефоном уже зарегистрирован.".into()));
    let out = rendered(&t, on_phone, &agent, taken);
    assert_eq!(out[0].0, "Клиент с таким телефоном уже зарегистрирован.\nНапишите ещё раз или /cancel, чтобы выйти.");
    let done = t.message(
        &Reply::text("staff_done_contacts").var("field", "phone").var("remade", vec!["Согласие на обработку"]),
    );
    assert_eq!(
        done,
        "Исправлено: телефон.\n📄 Документ «Согласие на обработку» составлен заново с новыми данными; прежний \
         экземпляр больше не действует."
    );
    let address = t.message(&Reply::text("staff_done_address").var("remade", Vec::<String>::new()));
    assert_eq!(address, "Адрес сохранён (данные зашифрованы).");
}

/// A question typed while paying: offered with the amounts below and saying the payment goes
/// on; the agent's header names the booking; the open chat says what comes next goes on too.
#[test]
fn a_question_while_paying_and_an_open_chat_read_as_meant() {
    let t = Texts::load().unwrap();
    let paying = State::Pay(dialogues::client::pay::Pay { choices: pay_choices(), amount: None, question: Vec::new() });
    let out = rendered(&t, paying, &client(), Event::Text("а можно частями?".into()));
    let [(text, rows)] = &out[..] else { panic!("{out:?}") };
    assert!(text.contains("Передать ему ваше сообщение?") && text.contains("а оплату продолжим"), "{text}");
    assert_eq!(rows.len(), 3, "«Передать агенту» and the amounts: {rows:?}");
    let header = t.message(
        &dialogues::Reply::text("agent_question_pay").var("booking", 17).var("tour", "Алтай").var("due", "85 000 ₽"),
    );
    assert_eq!(header, "❓ Вопрос об оплате брони №17 «Алтай» (осталось оплатить 85 000 ₽):");
    let relayed = Outcome::Relayed { agent: "Анна".into(), newly_assigned: false, in_chat: true };
    let out = rendered(&t, State::AgentChatOpening, &client(), Event::Outcome(relayed));
    let [(text, _)] = &out[..] else { panic!("{out:?}") };
    assert!(
        text.contains("Что напишете ещё — тоже передам; чтобы выйти, нажмите /cancel или любую кнопку меню."),
        "{text}"
    );
}

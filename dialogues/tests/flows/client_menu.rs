//! The registered client's flows: catalog, booking request, bookings, agent chat, settings.

use chrono::NaiveDate;
use dialogues::client::account::CancelRequest;
use dialogues::client::catalog::{BookingDraft, Browse, Confirm, TourFilter};
use dialogues::event::Outcome;
use dialogues::views::{
    BookingItem, DepartureItem, InstalmentView, MyBookingView, QuoteView, TourItem, TourPage, TourView,
};
use dialogues::{Callback, Command, Effect, Event, MenuItem, State, Who, step};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn client(marketing: bool) -> Who {
    Who::Client { id: 7, first_name: "Мария".into(), marketing }
}

fn run(state: State, event: Event) -> (State, Vec<Effect>) {
    step(state, &client(true), event, today())
}

fn reply_templates(effects: &[Effect]) -> Vec<&str> {
    effects.iter().filter_map(|e| if let Effect::Reply(r) = e { Some(r.template.as_str()) } else { None }).collect()
}

fn browse() -> State {
    State::Browse(Browse { filter: TourFilter::default(), page: 0, awaiting_destination: false })
}

fn page(n: usize, has_more: bool) -> TourPage {
    TourPage {
        items: (0..n)
            .map(|i| TourItem {
                id: i as i64 + 1,
                title: format!("Тур {i}"),
                place: "Россия".into(),
                price: "50 000 ₽".into(),
                next_departure: None,
                hot: i == 0,
            })
            .collect(),
        page: 0,
        has_more,
    }
}

#[test]
fn the_menu_opens_each_section_from_any_state() {
    let states = [
        State::Idle,
        browse(),
        State::AgentChat,
        State::AwaitingCity,
        State::Booking(BookingDraft { departure_id: 1, browse: None, question: Vec::new() }),
    ];
    for s in states {
        let (st, eff) = run(s.clone(), Event::Menu(MenuItem::Tours));
        assert!(matches!(st, State::Browse(_)) && matches!(eff[0], Effect::FindTours { page: 0, .. }), "{s:?}");
        let (st, eff) = run(s.clone(), Event::Menu(MenuItem::MyBookings));
        assert_eq!((st, &eff[..]), (State::Idle, &[Effect::MyBookings][..]));
        let (st, eff) = run(s.clone(), Event::Menu(MenuItem::Settings));
        assert_eq!((st, &eff[..]), (State::Idle, &[Effect::ShowSettings][..]));
        let (st, eff) = run(s.clone(), Event::Menu(MenuItem::WriteAgent));
        assert_eq!((st, reply_templates(&eff)), (State::AgentChat, vec!["agent_chat_open"]));
        let (st, eff) = run(s.clone(), Event::Command(Command::Stop));
        assert_eq!((st, &eff[..]), (State::Idle, &[Effect::SetMarketing(false)][..]));
        let (st, eff) = run(s, Event::Callback(Callback::Unsubscribe));
        assert_eq!((st, &eff[..]), (State::Idle, &[Effect::SetMarketing(false)][..]));
    }
}

#[test]
fn browsing_pages_filters_and_opens_a_card() {
    let (st, eff) = run(browse(), Event::Outcome(Outcome::Tours(page(5, true))));
    assert_eq!(reply_templates(&eff), ["tours_list"]);
    let Effect::Reply(r) = &eff[0] else { panic!() };
    let dialogues::Keyboard::Inline(rows) = &r.keyboard else { panic!() };
    assert!(rows.iter().flatten().any(|b| b.callback == Callback::Page(1)));
    assert!(rows.iter().flatten().any(|b| b.callback == Callback::Tour(3)));
    let (st, eff) = run(st, Event::Callback(Callback::Page(1)));
    assert!(matches!(&eff[0], Effect::FindTours { page: 1, .. }));
    let (st, eff) = run(st, Event::Callback(Callback::Hot));
    assert!(matches!(&eff[0], Effect::FindTours { filter, page: 0 } if filter.hot));
    let (st, eff) = run(st, Event::Callback(Callback::AskDestination));
    assert_eq!(reply_templates(&eff), ["tours_ask_destination"]);
    let (st, eff) = run(st, Event::Text("  Турция ".into()));
    assert!(
        matches!(&eff[0], Effect::FindTours { filter, .. } if filter.destination.as_deref() == Some("Турция") && filter.hot)
    );
    let (st, eff) = run(st, Event::Callback(Callback::Month(202702)));
    assert!(matches!(&eff[0], Effect::FindTours { filter, .. } if filter.month == Some(202702)));
    let (st, eff) = run(st, Event::Callback(Callback::Month(202713)));
    assert!(matches!(&eff[0], Effect::FindTours { filter, .. } if filter.month.is_none()), "a bad month is no filter");
    let (st, eff) = run(st, Event::Callback(Callback::Budget(100)));
    assert!(matches!(&eff[0], Effect::FindTours { filter, .. } if filter.budget_k == Some(100)));
    let (st, eff) = run(st, Event::Callback(Callback::ClearFilters));
    assert!(matches!(&eff[0], Effect::FindTours { filter, .. } if *filter == TourFilter::default()));
    let (st, eff) = run(st, Event::Outcome(Outcome::Tours(page(0, false))));
    assert_eq!(reply_templates(&eff), ["tours_none"]);
    let (st, eff) = run(st, Event::Callback(Callback::Tour(3)));
    assert_eq!(eff, [Effect::ShowTour(3)]);
    let view = TourView {
        id: 3,
        title: "Алтай".into(),
        kind: "экскурсионный".into(),
        place: "Россия, Алтай".into(),
        description: String::new(),
        price: "50 000 ₽".into(),
        route: vec![],
        included: vec![],
        not_included: vec![],
        hotels: vec![],
        departures: vec![
            DepartureItem {
                id: 11,
                dates: "12.01–18.01".into(),
                seats_left: 4,
                price: Some("50 000 ₽".into()),
                price_from: false,
            },
            DepartureItem { id: 12, dates: "19.01–25.01".into(), seats_left: 0, price: None, price_from: false },
        ],
        hot: false,
        early_booking: false,
        price_from: false,
    };
    let (st, eff) = run(st, Event::Outcome(Outcome::Tour(view)));
    let Effect::Reply(r) = &eff[0] else { panic!() };
    let dialogues::Keyboard::Inline(rows) = &r.keyboard else { panic!() };
    assert!(rows.iter().flatten().any(|b| b.callback == Callback::Depart(11)));
    assert!(!rows.iter().flatten().any(|b| b.callback == Callback::Depart(12)), "a full departure is not offered");
    let (st, eff) = run(st, Event::Callback(Callback::Depart(11)));
    assert!(matches!(st, State::Booking(BookingDraft { departure_id: 11, .. })));
    assert_eq!(reply_templates(&eff), ["book_ask_count"]);
    for bad in [
        "0",
        "много",
        "31",
        "-2",
        "2 взрослых и 1",
        "2х",
        "100500",
        "двое или трое",
        "2-3",
        "2–3 человека",
        "дети",
        "мы с мужем и двое детей",
        "20 взрослых и 11 детей",
    ] {
        let (s2, eff) = run(st.clone(), Event::Text(bad.into()));
        assert_eq!((s2, reply_templates(&eff)), (st.clone(), vec!["book_count_invalid"]), "{bad}");
    }
    // As people write it: a number among words, or the number in words.
    for (said, n) in [("двое", 2), ("Нас 3 человека", 3), ("вдвоём", 2), ("я одна", 1), ("Четверо.", 4), (" 5 ", 5)]
    {
        let (_, eff) = run(st.clone(), Event::Text(said.into()));
        assert_eq!(eff, [Effect::Quote { departure_id: 11, travellers: n }], "{said}");
    }
    // A party, added up as agencies count it: ages are no counts.
    for (said, n) in [
        ("2 взрослых и 1 ребёнок", 3),
        ("нас двое взрослых и ребёнок 5 лет", 3),
        ("2 взр + 1 реб", 3),
        ("2+1", 3),
        ("2 + 2", 4),
        ("двое взрослых, двое детей 3 и 7 лет", 4),
        ("взрослых 2, детей 2", 4),
        ("нас трое: я, муж и сын", 3),
        // A baby travels too (and is on the contract): never left out of the count.
        ("2 взрослых и малыш 1 год", 3),
        ("двое взрослых и младенец", 3),
    ] {
        let (_, eff) = run(st.clone(), Event::Text(said.into()));
        assert_eq!(eff, [Effect::Quote { departure_id: 11, travellers: n }], "{said}");
    }
    let (s2, eff) = run(st.clone(), Event::Unsupported);
    assert_eq!((s2, reply_templates(&eff)), (st.clone(), vec!["book_ask_count"]));
    // The count is priced first; the booking is made only once the client confirms the price.
    let (st, eff) = run(st, Event::Callback(Callback::Count(2)));
    assert_eq!(eff, [Effect::Quote { departure_id: 11, travellers: 2 }]);
    let (st, eff) = run(st, Event::Outcome(Outcome::Quote(quote(2))));
    let confirm = Confirm {
        departure_id: 11,
        travellers: 2,
        browse: Some(browse_of(&st)),
        request_key: Some("q-1".into()),
        question: Vec::new(),
        talked: false,
    };
    assert_eq!(st, State::ConfirmBooking(confirm));
    assert_eq!(reply_templates(&eff), ["book_quote"]);
    let (st, eff) = run(st, Event::Callback(Callback::Yes));
    assert_eq!(
        eff,
        [Effect::Book { departure_id: 11, travellers: 2, request_key: Some("q-1".into()), note: String::new() }]
    );
    let item = booked_item();
    let (st, eff) = run(st, Event::Outcome(Outcome::Booked(item)));
    assert_eq!((st, reply_templates(&eff)), (State::Idle, vec!["book_done"]));
}

#[test]
fn a_count_over_the_seats_left_is_asked_again_before_any_price() {
    let st = State::Booking(BookingDraft { departure_id: 11, browse: None, question: Vec::new() });
    let (again, eff) = run(st.clone(), Event::Outcome(Outcome::TooFewSeats { left: 2 }));
    assert_eq!((again.clone(), reply_templates(&eff)), (st.clone(), vec!["book_too_few_seats"]));
    let (_, eff) = run(again, Event::Text("2".into()));
    assert_eq!(eff, [Effect::Quote { departure_id: 11, travellers: 2 }]);
    // None left: nothing to ask, back to the menu.
    let (st, eff) = run(st, Event::Outcome(Outcome::TooFewSeats { left: 0 }));
    assert_eq!((st, reply_templates(&eff)), (State::Idle, vec!["book_too_few_seats"]));
}

#[test]
fn a_question_at_the_count_is_offered_to_the_agent_and_the_booking_goes_on() {
    let st = State::Booking(BookingDraft { departure_id: 11, browse: None, question: Vec::new() });
    // Not a count and not a question: asked again for the count.
    let (again, eff) = run(st.clone(), Event::Text("много".into()));
    assert_eq!((again, reply_templates(&eff)), (st.clone(), vec!["book_count_invalid"]));
    let q = "а дети до двух лет считаются?";
    let (asked, eff) = run(st.clone(), Event::Text(q.into()));
    let with_q = State::Booking(BookingDraft { departure_id: 11, browse: None, question: vec![q.into()] });
    assert_eq!((&asked, reply_templates(&eff)), (&with_q, vec!["book_question_offer"]));
    let Effect::Reply(r) = &eff[0] else { panic!() };
    assert_eq!(r.vars["at_price"], false);
    let dialogues::Keyboard::Inline(rows) = &r.keyboard else { panic!() };
    assert_eq!(rows[0][0].callback, Callback::RelayQuestion);
    assert!(rows[1..].iter().flatten().all(|b| matches!(b.callback, Callback::Count(_))), "the count's buttons stay");
    let (st2, eff) = run(asked, Event::Callback(Callback::RelayQuestion));
    let ask = Effect::AskAboutDeparture { departure_id: 11, travellers: None, text: q.into() };
    assert_eq!((&st2, &eff[..]), (&st, &[ask][..]));
    let relayed = Outcome::Relayed { agent: "Анна".into(), newly_assigned: false, in_chat: true };
    let (st2, eff) = run(st2, Event::Outcome(relayed));
    assert_eq!((&st2, reply_templates(&eff)), (&st, vec!["agent_relayed"]));
    // The booking goes on: no chat with the agent was opened.
    let Effect::Reply(r) = &eff[0] else { panic!() };
    assert!(r.vars.get("chat_open").is_none());
    // The count is still taken from there.
    let (_, eff) = run(st2, Event::Callback(Callback::Count(3)));
    assert_eq!(eff, [Effect::Quote { departure_id: 11, travellers: 3 }]);
}

#[test]
fn a_refused_booking_says_why_and_returns_to_the_menu() {
    let st = State::Booking(BookingDraft { departure_id: 11, browse: None, question: Vec::new() });
    let (st, eff) = run(st, Event::Outcome(Outcome::BookingRefused { reason: "Мест не осталось.".into() }));
    assert_eq!((st, reply_templates(&eff)), (State::Idle, vec!["book_refused"]));
}

#[test]
fn the_agent_chat_relays_text_only() {
    let (st, eff) = run(State::AgentChat, Event::Text("Здравствуйте, а виза нужна?".into()));
    assert_eq!(
        (st.clone(), &eff[..]),
        (State::AgentChat, &[Effect::RelayToAgent("Здравствуйте, а виза нужна?".into())][..])
    );
    let relayed = Outcome::Relayed { agent: "Смирнова Анна".into(), newly_assigned: true, in_chat: true };
    let (st, eff) = run(st, Event::Outcome(relayed));
    assert_eq!((st.clone(), reply_templates(&eff)), (State::AgentChat, vec!["agent_relayed"]));
    // Opened by «Написать агенту», which said so: not said again with each message.
    let Effect::Reply(r) = &eff[0] else { panic!() };
    assert_eq!(r.vars["chat_open"], false);
    // Opened by passing a question on: the first answer says the chat stays open, once.
    let relayed = Outcome::Relayed { agent: "Смирнова Анна".into(), newly_assigned: false, in_chat: true };
    let (opened, eff) = run(State::AgentChatOpening, Event::Outcome(relayed));
    let Effect::Reply(r) = &eff[0] else { panic!() };
    assert_eq!((&opened, &r.vars["chat_open"]), (&State::AgentChat, &serde_json::Value::Bool(true)));
    let (st, eff) = run(st, Event::Unsupported);
    assert_eq!((st.clone(), reply_templates(&eff)), (State::AgentChat, vec!["agent_text_only"]));
    let (st, eff) = run(st, Event::Outcome(Outcome::NoAgent));
    assert_eq!((st, reply_templates(&eff)), (State::Idle, vec!["agent_none"]));
}

#[test]
fn settings_change_city_and_marketing() {
    let (st, eff) = step(State::Idle, &client(false), Event::Callback(Callback::ToggleMarketing), today());
    assert_eq!((st, &eff[..]), (State::Idle, &[Effect::SetMarketing(true)][..]));
    let (st, eff) = run(State::Idle, Event::Callback(Callback::ChangeCity));
    assert_eq!((st.clone(), reply_templates(&eff)), (State::AwaitingCity, vec!["reg_ask_city"]));
    let (st2, eff) = run(st.clone(), Event::Text("<>".into()));
    assert_eq!((st2, reply_templates(&eff)), (State::AwaitingCity, vec!["invalid"]));
    let (st, eff) = run(st, Event::Callback(Callback::City(2)));
    assert!(matches!(&eff[0], Effect::SetCity(c) if c.name() == "Казань"));
    let (st, eff) = run(st, Event::Outcome(Outcome::CityChanged("Казань".into())));
    assert_eq!((st, reply_templates(&eff)), (State::Idle, vec!["city_changed"]));
    let (_, eff) = run(State::Idle, Event::Outcome(Outcome::MarketingChanged(false)));
    assert_eq!(reply_templates(&eff), ["marketing_off"]);
}

#[test]
fn stray_buttons_and_texts_are_answered_and_change_nothing() {
    for s in [State::Idle, browse(), State::AwaitingCity] {
        for e in [Event::Callback(Callback::Count(2)), Event::Callback(Callback::Yes)] {
            let (st, eff) = run(s.clone(), e.clone());
            assert_eq!(st, s, "{s:?} + {e:?}");
            assert_eq!(eff.len(), 1, "{s:?} + {e:?}: {eff:?}");
        }
    }
}

fn offer(texts: &[&str]) -> State {
    State::RelayOffer { texts: texts.iter().map(|t| t.to_string()).collect(), about: None }
}

/// A question typed at the menu is offered to the agent (kept, with what follows it) instead of
/// a pointer to the buttons; passed on only when the client says so.
#[test]
fn a_text_at_the_menu_is_offered_to_the_agent() {
    let (st, eff) = run(State::Idle, Event::Text("а когда вылет?".into()));
    assert_eq!((st.clone(), reply_templates(&eff)), (offer(&["а когда вылет?"]), vec!["relay_offer"]));
    let Effect::Reply(r) = &eff[0] else { unreachable!() };
    assert!(matches!(r.keyboard, dialogues::Keyboard::Inline(_)), "{r:?}");

    // A chatty client adds to it before answering: one message goes to the agent.
    let (st, eff) = run(st, Event::Text("и можно с собакой?".into()));
    assert_eq!(
        (st.clone(), reply_templates(&eff)),
        (offer(&["а когда вылет?", "и можно с собакой?"]), vec!["relay_offer"])
    );
    let (st, eff) = run(st, Event::Callback(Callback::Yes));
    assert_eq!(
        (st, &eff[..]),
        (State::AgentChatOpening, &[Effect::RelayToAgent("а когда вылет?\nи можно с собакой?".into())][..])
    );

    // Declined: nothing is sent, the menu is back.
    let (st, eff) = run(offer(&["привет"]), Event::Callback(Callback::No));
    assert_eq!((st, reply_templates(&eff)), (State::Idle, vec!["relay_kept"]));
    assert!(!eff.iter().any(|e| matches!(e, Effect::RelayToAgent(_))));

    // A photo is not text: said so, the offer stays.
    let (st, eff) = run(offer(&["привет"]), Event::Unsupported);
    assert_eq!((st, reply_templates(&eff)), (offer(&["привет"]), vec!["agent_text_only"]));

    // The menu and other buttons leave the offer, as they leave anything.
    let (st, eff) = run(offer(&["привет"]), Event::Menu(MenuItem::MyBookings));
    assert_eq!((st, &eff[..]), (State::Idle, &[Effect::MyBookings][..]));
    let (st, eff) = run(offer(&["привет"]), Event::Callback(Callback::Count(2)));
    assert_eq!((st, reply_templates(&eff)), (State::Idle, vec!["button_expired"]));
    let (st, eff) = run(offer(&["привет"]), Event::Command(Command::Cancel));
    assert_eq!((st, reply_templates(&eff)), (State::Idle, vec!["cancelled"]));
}

/// The agent gets the kept texts as one message, which Telegram caps at 4096 characters: what
/// would pass it is not added, and the client is told to send what is kept.
#[test]
fn the_offer_keeps_no_more_than_one_message_holds() {
    let long = "д".repeat(3000);
    let (st, _) = run(State::Idle, Event::Text(long.clone()));
    let (st, eff) = run(st, Event::Text("ещё".repeat(400)));
    assert_eq!((st.clone(), reply_templates(&eff)), (offer(&[&long]), vec!["relay_offer_full"]));
    let (st, eff) = run(st, Event::Text("ок".into()));
    assert_eq!((st, reply_templates(&eff)), (offer(&[&long, "ок"]), vec!["relay_offer"]));
}

#[test]
fn a_tour_button_from_a_broadcast_opens_the_tour_from_any_state() {
    for state in [State::Idle, State::AgentChat, State::AwaitingCity] {
        let (next, effects) = run(state.clone(), Event::Callback(Callback::Tour(42)));
        assert_eq!(effects, vec![Effect::ShowTour(42)], "from {state:?}");
        assert_eq!(next, browse(), "from {state:?}");
    }
}

fn quote(travellers: i64) -> QuoteView {
    QuoteView {
        departure_id: 11,
        tour: "Алтай".into(),
        dates: "12.01–18.01".into(),
        travellers,
        per_person: "50 000 ₽".into(),
        tour_total: "100 000 ₽".into(),
        rooms: vec![],
        rooms_total: "0 ₽".into(),
        total: "100 000 ₽".into(),
        total_per_person: "50 000 ₽".into(),
        request_key: Some("q-1".into()),
        schedule: vec![InstalmentView { amount: "100 000 ₽".into(), due_on: "26.11.2026".into(), paid: false }],
    }
}

/// The catalog state a confirmation keeps (to go back to the list).
fn browse_of(st: &State) -> Browse {
    match st {
        State::ConfirmBooking(c) => c.browse.clone().unwrap(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_priced_request_is_booked_only_when_confirmed() {
    let key = Some("q-1".to_owned());
    let confirm = State::ConfirmBooking(Confirm {
        departure_id: 11,
        travellers: 2,
        browse: None,
        request_key: key.clone(),
        question: Vec::new(),
        talked: false,
    });
    // «нет» (a button or typed) drops it; nothing is booked.
    for no in [Event::Callback(Callback::No), Event::Text("Нет".into())] {
        let (st, eff) = run(confirm.clone(), no);
        assert_eq!((st, reply_templates(&eff)), (State::Idle, vec!["book_dropped"]));
    }
    // «Забронировать» under an older price (for another count) books nothing: the newest holds.
    let (st, eff) = run(confirm.clone(), Event::Callback(Callback::ConfirmBooking(3)));
    assert_eq!((st, reply_templates(&eff)), (confirm.clone(), vec!["book_quote_outdated"]));
    let (_, eff) = run(confirm.clone(), Event::Callback(Callback::ConfirmBooking(2)));
    assert_eq!(eff, [Effect::Book { departure_id: 11, travellers: 2, request_key: key.clone(), note: String::new() }]);
    // A typed «да» books it, as the button does.
    let (st, eff) = run(confirm.clone(), Event::Text("да".into()));
    let book = Effect::Book { departure_id: 11, travellers: 2, request_key: key, note: String::new() };
    assert_eq!((st.clone(), &eff[..]), (confirm.clone(), &[book.clone()][..]));
    // The state saved before the booking still holds the key: the same «да» replayed after a
    // crash (or pressed again) asks with the same key, so the CRM answers with the one booking.
    for again in [Event::Text("да".into()), Event::Callback(Callback::Yes)] {
        let (st, eff) = run(st.clone(), again);
        assert_eq!((st, &eff[..]), (confirm.clone(), &[book.clone()][..]));
    }
    // Another count is priced again; anything else is answered and changes nothing.
    for (typed, n) in [("3", 3), ("нас 25", 25), ("Нет, нас трое", 3), ("вчетвером", 4)] {
        let (st, eff) = run(confirm.clone(), Event::Text(typed.into()));
        assert!(matches!(st, State::Booking(BookingDraft { departure_id: 11, .. })), "{typed}");
        assert_eq!(eff, [Effect::Quote { departure_id: 11, travellers: n }], "{typed}");
    }
    for other in [Event::Unsupported, Event::Callback(Callback::Hot)] {
        let (st, eff) = run(confirm.clone(), other.clone());
        assert_eq!((st, reply_templates(&eff)), (confirm.clone(), vec!["book_confirm_expected"]), "{other:?}");
    }
    // A question at the price is offered to the agent, the price and its buttons kept; a
    // second one joins it; passed on, the price still books.
    let State::ConfirmBooking(c) = confirm.clone() else { unreachable!() };
    let (st, eff) = run(confirm.clone(), Event::Text("а трансфер включен?".into()));
    let asked =
        State::ConfirmBooking(Confirm {
            question: vec!["а трансфер включен?".into()], talked: true, ..c.clone()
        });
    // Once a question was typed here, the price's own words no longer go by the last message.
    let talked = State::ConfirmBooking(Confirm { talked: true, ..c.clone() });
    assert_eq!((&st, reply_templates(&eff)), (&asked, vec!["book_question_offer"]));
    let buttons: Vec<Callback> = match &eff[..] {
        [Effect::Reply(r)] => match &r.keyboard {
            dialogues::Keyboard::Inline(rows) => rows.iter().flatten().map(|b| b.callback).collect(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    assert_eq!(buttons, [Callback::RelayQuestion, Callback::ConfirmBooking(2), Callback::No]);
    let (st, _) = run(st, Event::Text("а 15 числа можно?".into()));
    let two = vec!["а трансфер включен?".to_string(), "а 15 числа можно?".to_string()];
    assert_eq!(st, State::ConfirmBooking(Confirm { question: two, talked: true, ..c.clone() }));
    let (st, eff) = run(st, Event::Callback(Callback::RelayQuestion));
    let text = "а трансфер включен?\nа 15 числа можно?".to_string();
    assert_eq!(eff, [Effect::AskAboutDeparture { departure_id: 11, travellers: Some(2), text }]);
    assert_eq!(st, talked);
    let relayed = Event::Outcome(Outcome::Relayed { agent: "Анна".into(), newly_assigned: false, in_chat: true });
    let (st, eff) = run(st, relayed);
    assert_eq!((&st, reply_templates(&eff)), (&talked, vec!["agent_relayed"]));
    // A chatty «да» after «Передал…» books nothing: the button does.
    let (st2, eff) = run(st.clone(), Event::Text("да".into()));
    assert_eq!((&st2, reply_templates(&eff)), (&talked, vec!["book_confirm_expected"]));
    let (_, eff) = run(st.clone(), Event::Text("да, бронируйте".into()));
    assert!(matches!(&eff[..], [Effect::Book { travellers: 2, .. }]), "booked in words: {eff:?}");
    let (_, eff) = run(st, Event::Callback(Callback::ConfirmBooking(2)));
    assert!(matches!(&eff[..], [Effect::Book { travellers: 2, .. }]), "{eff:?}");
    let (st, eff) = run(asked.clone(), Event::Outcome(Outcome::NoAgent));
    assert_eq!(reply_templates(&eff), ["agent_none"]);
    assert!(matches!(st, State::ConfirmBooking(_)));
    // With the question waiting, a typed «да» answers «Передать?»: it is passed on, nothing booked.
    for yes in ["да", "Передайте, пожалуйста"] {
        let (st, eff) = run(asked.clone(), Event::Text(yes.into()));
        assert!(matches!(&eff[..], [Effect::AskAboutDeparture { travellers: Some(2), .. }]), "{yes}: {eff:?}");
        assert_eq!(st, talked, "{yes}");
    }
    // «нет»: not passed on, the price stays.
    let (st, eff) = run(asked.clone(), Event::Text("нет".into()));
    assert_eq!((&st, reply_templates(&eff)), (&talked, vec!["book_question_not_sent"]));
    // «Забронировать» (pressed or typed) with the question waiting: booked, the question going
    // with the request.
    for book in [Event::Callback(Callback::ConfirmBooking(2)), Event::Text("забронировать".into())] {
        let (_, eff) = run(asked.clone(), book);
        assert!(matches!(&eff[..], [Effect::Book { note, .. }] if note == "а трансфер включен?"), "{eff:?}");
    }
    let booked = Event::Outcome(Outcome::Booked(booked_item()));
    let (_, eff) = run(asked.clone(), booked);
    let Effect::Reply(done) = &eff[0] else { panic!("{eff:?}") };
    assert_eq!((done.template.as_str(), &done.vars["question_sent"]), ("book_done", &serde_json::json!(true)));
    // «Не сейчас»: the price declined, the question offered as at the menu.
    let (st, eff) = run(asked, Event::Callback(Callback::No));
    let about = Some(dialogues::client::account::Asked { departure_id: 11, travellers: Some(2) });
    assert_eq!(st, State::RelayOffer { texts: vec!["а трансфер включен?".into()], about });
    assert_eq!(reply_templates(&eff), ["book_dropped", "relay_offer"]);
    // Passed from there, the agent still hears which tour it is about.
    let (st, eff) = run(st, Event::Callback(Callback::Yes));
    assert_eq!(st, State::AgentChatOpening);
    assert!(matches!(&eff[..], [Effect::AskAboutDeparture { departure_id: 11, travellers: Some(2), .. }]), "{eff:?}");
    // A party described at the price is a new count asked for as a number, not a question.
    let (st2, eff) = run(confirm.clone(), Event::Text("мы с мужем и двое детей".into()));
    assert_eq!((&st2, reply_templates(&eff)), (&confirm, vec!["book_count_invalid"]));
    // «Передать агенту» pressed again there: said to be passed.
    let (st, eff) = run(st, Event::Callback(Callback::RelayQuestion));
    assert_eq!((st, reply_templates(&eff)), (State::AgentChat, vec!["book_question_sent"]));
    // «Передать агенту» pressed again once passed: said so, the price kept.
    let (st, eff) = run(confirm.clone(), Event::Callback(Callback::RelayQuestion));
    assert_eq!((&st, reply_templates(&eff)), (&confirm, vec!["book_question_sent"]));
    // Refused at the last moment (the seats went meanwhile): the reason, back to the menu.
    let refused = Event::Outcome(Outcome::BookingRefused { reason: "Мест не осталось.".into() });
    let (st, eff) = run(confirm.clone(), refused);
    assert_eq!((st, reply_templates(&eff)), (State::Idle, vec!["book_refused"]));
    // A quote refused (no price for a night): the same.
    let st = State::Booking(BookingDraft { departure_id: 11, browse: None, question: Vec::new() });
    let refused = Event::Outcome(Outcome::BookingRefused { reason: "Нет цены.".into() });
    let (st, eff) = run(st, refused);
    assert_eq!((st, reply_templates(&eff)), (State::Idle, vec!["book_refused"]));
}

fn my_booking(id: i64, may_cancel: bool) -> MyBookingView {
    MyBookingView {
        booking: BookingItem {
            id,
            tour: "Алтай".into(),
            dates: "12.01–18.01".into(),
            status: "договор подписан".into(),
            total: "100 000 ₽".into(),
            due: "100 000 ₽".into(),
            travellers: 2,
            client: String::new(),
            documents: vec![],
        },
        paid: "0 ₽".into(),
        next_due: None,
        schedule: vec![],
        may_cancel,
        may_pay: false,
    }
}

#[test]
fn a_cancellation_is_asked_with_a_reason_and_sent_only_when_confirmed() {
    let (_, eff) = run(
        State::Idle,
        Event::Outcome(Outcome::Bookings {
            items: vec![my_booking(17, true), my_booking(9, false)],
            documents: vec![],
        }),
    );
    let Effect::Reply(r) = &eff[0] else { panic!() };
    let dialogues::Keyboard::Inline(rows) = &r.keyboard else { panic!("{r:?}") };
    let offered: Vec<Callback> = rows.iter().flatten().map(|b| b.callback).collect();
    assert_eq!(offered, [Callback::AskCancel(17)], "only what may be cancelled");

    // From any state, the button asks for the reason.
    for s in [State::Idle, browse(), State::AgentChat] {
        let (st, eff) = run(s, Event::Callback(Callback::AskCancel(17)));
        assert_eq!(st, State::CancelRequest(CancelRequest { booking: 17, reason: None }));
        assert_eq!(reply_templates(&eff), ["cancel_ask_reason"]);
    }
    let asking = State::CancelRequest(CancelRequest { booking: 17, reason: None });
    for not_a_reason in [Event::Text("   ".into()), Event::Unsupported, Event::Callback(Callback::Yes)] {
        let (st, eff) = run(asking.clone(), not_a_reason.clone());
        assert_eq!((st, reply_templates(&eff)), (asking.clone(), vec!["cancel_ask_reason"]), "{not_a_reason:?}");
    }
    let (st, eff) = run(asking.clone(), Event::Text("a".repeat(1001)));
    assert_eq!((st, reply_templates(&eff)), (asking.clone(), vec!["cancel_reason_too_long"]));
    let (st, eff) = run(asking, Event::Text(" заболел  ребёнок ".into()));
    let confirming =
        State::CancelRequest(CancelRequest { booking: 17, reason: Some("заболел ребёнок".into()) });
    assert_eq!((st, reply_templates(&eff)), (confirming.clone(), vec!["cancel_confirm"]));
    // Neither yes nor no: asked again; no: nothing is sent.
    let (st, eff) = run(confirming.clone(), Event::Text("не знаю".into()));
    assert_eq!((st, reply_templates(&eff)), (confirming.clone(), vec!["cancel_confirm"]));
    let (st, eff) = run(confirming.clone(), Event::Callback(Callback::No));
    assert_eq!((st, reply_templates(&eff)), (State::Idle, vec!["cancel_dropped"]));
    // Yes: the request goes with the reason typed.
    let (st, eff) = run(confirming.clone(), Event::Callback(Callback::Yes));
    assert_eq!(eff, [Effect::RequestCancel { booking: 17, reason: "заболел ребёнок".into() }]);
    let (st2, eff) = run(st.clone(), Event::Outcome(Outcome::CancelRequested { booking: 17, agent: None }));
    assert_eq!((st2, reply_templates(&eff)), (State::Idle, vec!["cancel_requested"]));
    let (st2, eff) = run(st, Event::Outcome(Outcome::CancelRefused { reason: "Уже отменена.".into() }));
    assert_eq!((st2, reply_templates(&eff)), (State::Idle, vec!["cancel_refused"]));
    // The menu leaves the request unsent.
    let (st, eff) = run(confirming, Event::Menu(MenuItem::MyBookings));
    assert_eq!((st, &eff[..]), (State::Idle, &[Effect::MyBookings][..]));
}

#[test]
fn start_and_menu_lead_back_to_the_main_menu_from_any_state() {
    let states = [
        State::Idle,
        browse(),
        State::AgentChat,
        State::AwaitingCity,
        State::Booking(BookingDraft { departure_id: 1, browse: None, question: Vec::new() }),
    ];
    for s in states {
        for event in [Event::Start(dialogues::StartPayload::None), Event::Command(Command::Menu)] {
            let (st, eff) = run(s.clone(), event.clone());
            assert_eq!(st, State::Idle, "{s:?} {event:?}");
            assert_eq!(reply_templates(&eff), ["main_menu"], "{s:?} {event:?}");
        }
    }
}

#[test]
fn with_the_tours_on_screen_a_place_is_searched_and_a_question_offered_to_the_agent() {
    let (st, eff) = run(browse(), Event::Text("в Турцию".into()));
    assert!(matches!(&st, State::Browse(b) if b.filter.destination.as_deref() == Some("в Турцию")), "{st:?}");
    assert!(matches!(&eff[..], [Effect::FindTours { .. }]), "{eff:?}");
    for question in ["а в Египет есть туры на май?", "а виза в Турцию нужна для детей или нет"]
    {
        let (st, eff) = run(browse(), Event::Text(question.into()));
        assert_eq!(st, State::RelayOffer { texts: vec![question.into()], about: None }, "{question}");
        assert_eq!(reply_templates(&eff), ["relay_offer"]);
    }
}

#[test]
fn with_the_tours_on_screen_a_budget_typed_filters_by_it() {
    use dialogues::client::catalog::typed_budget_k;
    for (typed, k) in [
        ("до 110 тысяч", 110),
        ("110 000 ₽", 110),
        ("110000", 110),
        ("99 990 руб.", 100),
        ("150к", 150),
        ("бюджет 90 т.р.", 90),
        ("до 110", 110),
        ("не дороже 60 тыс на человека", 60),
    ] {
        assert_eq!(typed_budget_k(typed), Some(k), "{typed}");
        let (st, eff) = run(browse(), Event::Text(typed.into()));
        assert!(
            matches!(&st, State::Browse(b) if b.filter.budget_k == Some(k) && b.filter.destination.is_none()),
            "{typed}: {st:?}"
        );
        assert!(matches!(&eff[..], [Effect::FindTours { .. }]), "{eff:?}");
    }
    // Not a budget: a place, a count, two numbers, a bare small number, a year, nothing.
    for other in ["Турция", "3", "2 3 тысячи", "до 5 Сочи", "100 рублей", "до 0", "", "тысяч", "2027", "в 2027"]
    {
        assert_eq!(typed_budget_k(other), None, "{other}");
    }
    assert_eq!(typed_budget_k("дешевле 100 тысяч"), Some(100));
    // A place and a budget together set both.
    let (st, _) = run(browse(), Event::Text("Турция до 120 тысяч".into()));
    assert!(
        matches!(&st, State::Browse(b) if b.filter.budget_k == Some(120) && b.filter.destination.as_deref() == Some("Турция")),
        "{st:?}"
    );
    // A year alone is neither a budget nor a place.
    let (st, _) = run(browse(), Event::Text("в 2027".into()));
    assert!(!matches!(&st, State::Browse(_)), "{st:?}");
}

#[test]
fn with_the_tours_on_screen_a_month_typed_filters_by_it() {
    use dialogues::client::catalog::{TypedFilter, typed_filter};
    let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
    let f = |place: Option<&str>, month, budget_k| TypedFilter { place: place.map(str::to_owned), month, budget_k };
    for (typed, want) in [
        ("в январе", f(None, Some(202701), None)),
        ("январь 2027", f(None, Some(202701), None)),
        ("Турция в январе", f(Some("Турция"), Some(202701), None)),
        ("Сочи на майские", f(Some("Сочи"), Some(202705), None)),
        ("в декабре", f(None, Some(202612), None)),
        ("в марте 2027 года до 100 тысяч", f(None, Some(202703), Some(100))),
        ("Египет до 90 тысяч в феврале", f(Some("Египет"), Some(202702), Some(90))),
    ] {
        assert_eq!(typed_filter(typed, today), Some(want), "{typed}");
    }
    for other in ["Турция", "в Турцию", "Магадан", "2027", "а в январе есть?"] {
        assert_eq!(typed_filter(other, today), None, "{other}");
    }
}

#[test]
fn a_typed_yes_or_no_answers_the_offer_to_pass_a_question_on() {
    let offer =
        State::RelayOffer { texts: vec!["а визу в Египет вы оформляете?".into()], about: None };
    for yes in ["да", "Да, передайте", "передайте пожалуйста"] {
        let (st, eff) = run(offer.clone(), Event::Text(yes.into()));
        assert_eq!(
            (st, &eff[..]),
            (State::AgentChatOpening, &[Effect::RelayToAgent("а визу в Египет вы оформляете?".into())][..]),
            "{yes}"
        );
    }
    for no in ["нет", "не надо"] {
        let (st, eff) = run(offer.clone(), Event::Text(no.into()));
        assert_eq!((st, reply_templates(&eff)), (State::Idle, vec!["relay_kept"]), "{no}");
    }
    // More text is added, as before.
    let (st, _) = run(offer, Event::Text("и страховку".into()));
    assert!(matches!(st, State::RelayOffer { texts, .. } if texts.len() == 2));
}

#[test]
fn thanks_at_the_menu_are_answered_not_offered_to_the_agent() {
    for thanks in ["Спасибо!", "спасибо большое", "спс"] {
        let (st, eff) = run(State::Idle, Event::Text(thanks.into()));
        assert_eq!((st, reply_templates(&eff)), (State::Idle, vec!["thanks"]), "{thanks}");
    }
    let (st, _) = run(State::Idle, Event::Text("спасибо, а когда вылет?".into()));
    assert!(matches!(st, State::RelayOffer { .. }), "a question with the thanks is offered: {st:?}");
}

/// A booking request as crm answers «Забронировать».
fn booked_item() -> BookingItem {
    BookingItem {
        id: 17,
        tour: "Алтай".into(),
        dates: "12.01–18.01".into(),
        status: "заключение договора".into(),
        total: "100 000 ₽".into(),
        due: "100 000 ₽".into(),
        travellers: 2,
        client: "Иванова Мария".into(),
        documents: vec![],
    }
}

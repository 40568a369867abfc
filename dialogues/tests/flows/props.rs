//! Property tests of `step` over random event sequences, for every kind of writer: it never
//! panics, every message a person sends is answered (an effect, never silence — except for the
//! blacklisted), `/cancel` leaves any state, and every state survives storage (serde).
//! Bounded (`PROPTEST_CASES` overrides the count) so they run in every `cargo test`.

use chrono::NaiveDate;
use dialogues::event::{Outcome, PhoneCheck};
use dialogues::views::{BookingItem, DepartureItem, MyBookingView, TourItem, TourPage, TourView};
use dialogues::{Callback, Command, Event, MenuItem, StartPayload, State, Who};
use domain::Role;
use proptest::prelude::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        Just(Who::Stranger),
        any::<bool>().prop_map(|marketing| Who::Client { id: 7, first_name: "Мария".into(), marketing }),
        Just(Who::Blacklisted),
        proptest::sample::select(Role::ALL.to_vec())
            .prop_map(|role| Who::Staff { id: 3, role, name: "Анна".into() }),
    ]
}

/// Texts a person might type: names, phones, dates, numbers, noise, very long ones.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "Иванова Мария",
            "Петров Пётр Иванович",
            "+7 913 000-00-01",
            "89130000001",
            "05.03.1990",
            "31.02.2000",
            "1990-03-05",
            "Москва",
            "Новосибирск",
            "2",
            "0",
            "-1",
            "да",
            "",
            " ",
            "🌍 Туры",
            "/",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
        "[a-zа-я0-9 .+-]{0,40}",
        (0usize..2).prop_map(|extra| "я".repeat(4096 + extra)),
    ]
}

fn callback() -> impl Strategy<Value = Callback> {
    // Valid payloads of every kind, by decoding what a button could carry…
    let tags = ["c", "y", "n", "t", "d", "k", "p", "fd", "fm", "m", "fb", "b", "fh", "fx", "sc", "sm", "u", "cl", "bk"];
    let args = ["", ":0", ":1", ":2", ":7", ":30", ":202607", ":999999"];
    let staff = ["sr", "rt:7", "nt:7:call", "tg:7", "mv:17:contract_signed", "mv:17:cancelled", "py:17", "pm:cash"];
    let staff_more = ["bl:7", "ub:7", "mc:7", "mb:7", "mr:7"];
    let mut all: Vec<String> = tags.iter().flat_map(|t| args.iter().map(move |a| format!("{t}{a}"))).collect();
    all.extend(staff.iter().chain(&staff_more).map(|s| (*s).to_owned()));
    let decoded: Vec<Callback> = all.iter().filter_map(|d| Callback::decode(d)).collect();
    proptest::sample::select(decoded)
}

fn outcome() -> impl Strategy<Value = Outcome> {
    let tour = TourItem {
        id: 1,
        title: "Алтай".into(),
        place: "Россия".into(),
        price: "50 000 ₽".into(),
        next_departure: None,
        hot: false,
    };
    let booking = BookingItem {
        id: 17,
        tour: "Алтай".into(),
        dates: "01.07–07.07".into(),
        status: "заключение договора".into(),
        total: "100 000 ₽".into(),
        due: "".into(),
        travellers: 2,
        client: "Иванова Мария".into(),
        documents: vec![],
    };
    let view = TourView {
        id: 1,
        title: "Алтай".into(),
        kind: "экскурсионный".into(),
        place: "Россия".into(),
        description: "".into(),
        price: "50 000 ₽".into(),
        route: vec![],
        included: vec![],
        not_included: vec![],
        hotels: vec![],
        departures: vec![DepartureItem {
            id: 5,
            dates: "01.07–07.07".into(),
            seats_left: 3,
            price: Some("50 000 ₽".into()),
            price_from: false,
        }],
        hot: false,
        early_booking: false,
        price_from: false,
    };
    let mine = MyBookingView {
        booking: booking.clone(),
        paid: "0 ₽".into(),
        next_due: None,
        schedule: vec![],
        may_cancel: true,
        may_pay: true,
    };
    prop_oneof![
        Just(Outcome::Registered { first_name: "Мария".into() }),
        Just(Outcome::RegistrationRefused { reason: "phone_taken".into() }),
        any::<bool>().prop_map(move |has_more| Outcome::Tours(TourPage {
            items: vec![tour.clone()],
            page: 0,
            has_more
        })),
        Just(Outcome::Tours(TourPage { items: vec![], page: 0, has_more: false })),
        Just(Outcome::Tour(view)),
        Just(Outcome::NotFound),
        Just(Outcome::Booked(booking.clone())),
        Just(Outcome::BookingRefused { reason: "мест нет".into() }),
        Just(Outcome::TooFewSeats { left: 2 }),
        Just(Outcome::TooFewSeats { left: 0 }),
        Just(Outcome::Bookings { items: vec![mine], documents: vec![] }),
        Just(Outcome::CancelRequested { booking: 17, agent: None }),
        Just(Outcome::CancelRefused { reason: "нельзя".into() }),
        Just(Outcome::Bookings { items: vec![], documents: vec![] }),
        (any::<bool>(), any::<bool>()).prop_map(|(newly_assigned, in_chat)| Outcome::Relayed {
            agent: "Смирнова Анна".into(),
            newly_assigned,
            in_chat
        }),
        proptest::sample::select(vec![
            PhoneCheck::Free,
            PhoneCheck::OnRecord { full_name: "Иванова Мария".into() },
            PhoneCheck::Unconfirmed,
            PhoneCheck::Taken,
            PhoneCheck::Declined,
        ])
        .prop_map(Outcome::PhoneChecked),
        Just(Outcome::NoAgent),
        any::<bool>().prop_map(Outcome::MarketingChanged),
        Just(Outcome::CityChanged("Москва".into())),
        (any::<bool>(), any::<bool>()).prop_map(|(more, searched)| Outcome::StaffClients {
            items: vec![],
            more: more.then_some(7),
            next_page: false,
            searched
        }),
        any::<bool>().prop_map(|requests_only| Outcome::StaffBookings {
            items: vec![],
            requests_only,
            more: Some(9),
            next_page: true
        }),
        Just(Outcome::Done { message: "готово".into(), back: Some(Callback::Client(7)) }),
        Just(Outcome::Done { message: "готово".into(), back: None }),
        Just(Outcome::Refused("нельзя".into())),
    ]
}

/// What a person can send (everything but the answers of effects).
fn sent_by_a_person() -> impl Strategy<Value = Event> {
    prop_oneof![
        "[A-Za-z0-9_-]{0,70}|.{0,10}".prop_map(|p| Event::Start(StartPayload::parse(&p))),
        "[a-z]{0,12}".prop_map(|w| Event::Command(Command::parse(&w))),
        proptest::sample::select(
            MenuItem::CLIENT.into_iter().chain(MenuItem::STAFF).chain(MenuItem::STRANGER).collect::<Vec<_>>()
        )
        .prop_map(Event::Menu),
        text().prop_map(Event::Text),
        ("[+0-9 ()-]{0,20}", any::<bool>()).prop_map(|(phone, own)| Event::Contact { phone, own }),
        callback().prop_map(Event::Callback),
        Just(Event::Unsupported),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![4 => sent_by_a_person(), 1 => outcome().prop_map(Event::Outcome)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_sequence_of_events_panics_silences_or_traps(who in who(), events in proptest::collection::vec(event(), 1..25)) {
        let mut state = State::default();
        for event in events {
            let by_person = !matches!(event, Event::Outcome(_));
            let (next, effects) = dialogues::step(state.clone(), &who, event.clone(), today());
            if by_person && who != Who::Blacklisted {
                prop_assert!(!effects.is_empty(), "{event:?} in {state:?} for {who:?} got no answer");
            }
            // Every state is stored between updates: it must come back as it was.
            let stored = serde_json::to_string(&next).unwrap();
            prop_assert_eq!(serde_json::from_str::<State>(&stored).unwrap(), next.clone());
            // And no state is a trap: /cancel leaves it for the writer's resting state.
            let (after_cancel, _) = dialogues::step(next.clone(), &who, Event::Command(Command::Cancel), today());
            let rest = match who {
                Who::Staff { .. } => State::Staff(None),
                Who::Blacklisted => next.clone(),
                _ => State::Idle,
            };
            prop_assert_eq!(after_cancel, rest, "/cancel in {:?}", next);
            state = next;
        }
    }

    /// Outside input reaches the dialogues through these parsers: none panics on anything.
    #[test]
    fn parsers_of_chat_input_take_anything(s in any::<String>()) {
        let _ = Callback::decode(&s);
        let _ = StartPayload::parse(&s);
        let _ = Command::parse(&s);
        let _ = dialogues::client::catalog::travellers_count(&s);
        let _ = dialogues::client::catalog::typed_budget_k(&s);
        let _ = dialogues::client::catalog::typed_filter(&s, chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap());
        let bytes = s.as_bytes();
        let _ = Callback::decode(std::str::from_utf8(&bytes[..bytes.len().min(64)]).unwrap_or(""));
    }

    /// A decoded button encodes back to what decodes to it again (no two readings of one button).
    #[test]
    fn callbacks_round_trip(cb in callback()) {
        let data = cb.encode();
        prop_assert!(data.len() <= 64, "{data} is over Telegram's 64 bytes");
        prop_assert_eq!(Callback::decode(&data), Some(cb));
    }

    /// A start payload keeps only what a deep link can carry.
    #[test]
    fn start_payloads_are_deep_link_tokens(s in any::<String>()) {
        match StartPayload::parse(&s) {
            StartPayload::None => {}
            StartPayload::StaffInvite(t) | StartPayload::Source(t) => {
                prop_assert!(!t.is_empty() && t.len() <= 64);
                prop_assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
            }
        }
    }
}

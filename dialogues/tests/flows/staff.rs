//! The staff menu: every button asks the transport (which checks access), texts complete the
//! pending action, and wrong input keeps it.

use chrono::NaiveDate;
use dialogues::event::{Outcome, PhoneCheck};
use dialogues::staff::Awaiting;
use dialogues::views::{BookingItem, ClientCardView, StaffBookingView};
use dialogues::{Callback, Command, Effect, Event, Keyboard, MenuItem, State, Who, step};
use domain::{BookingStatus, InteractionKind, PaymentMethod, Role};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn agent() -> Who {
    Who::Staff { id: 3, role: Role::Agent, name: "Смирнова Анна".into() }
}

fn run(state: State, event: Event) -> (State, Vec<Effect>) {
    step(state, &agent(), event, today())
}

fn templates(effects: &[Effect]) -> Vec<&str> {
    effects.iter().filter_map(|e| if let Effect::Reply(r) = e { Some(r.template.as_str()) } else { None }).collect()
}

fn text(s: &str) -> Event {
    Event::Text(s.into())
}

#[test]
fn buttons_ask_and_texts_complete_each_action() {
    let cases: Vec<(Callback, &str, Effect)> = vec![
        (Callback::ReplyTo(5), "Добрый день!", Effect::MessageClient { client: 5, text: "Добрый день!".into() }),
        (
            Callback::Note(5, InteractionKind::Call),
            "Звонил, уточнил даты",
            Effect::LogNote {
                client: 5, kind: InteractionKind::Call, text: "Звонил, уточнил даты".into()
            },
        ),
        (Callback::Tag(5), "VIP", Effect::TagClient { client: 5, tag: "VIP".into() }),
        (
            Callback::Blacklist(5),
            "не оплатил",
            Effect::SetBlacklist { client: 5, on: true, reason: "не оплатил".into() },
        ),
        (Callback::SearchClients, "Иванова", Effect::StaffClients { query: Some("Иванова".into()), before: None }),
    ];
    for (button, answer, expected) in cases {
        let (st, eff) = run(State::Staff(None), Event::Callback(button));
        assert!(matches!(st, State::Staff(Some(_))), "{button:?}");
        assert_eq!(eff.len(), 1);
        // A sticker instead of the text keeps the action pending.
        let (st2, eff2) = run(st.clone(), Event::Unsupported);
        assert_eq!((st2, templates(&eff2)), (st.clone(), vec!["staff_text_expected"]));
        // So does a message of spaces only.
        let (st2, eff2) = run(st.clone(), text("   "));
        assert_eq!((st2, templates(&eff2)), (st.clone(), vec!["staff_text_expected"]), "{button:?}");
        let (st, eff) = run(st, text(answer));
        assert_eq!((st, eff), (State::Staff(None), vec![expected]), "{button:?}");
    }
}

#[test]
fn a_status_button_is_checked_before_the_reason_is_asked() {
    let signed = BookingStatus::ContractSigned;
    let (st, eff) = run(State::Staff(None), Event::Callback(Callback::Move(9, signed)));
    assert_eq!((&st, eff), (&State::Staff(None), vec![Effect::CheckMove { booking: 9, to: signed }]));
    // A button of an older card (the booking moved since): refused at once, nothing asked.
    let refused = Event::Outcome(Outcome::Refused("Бронь уже в другом статусе.".into()));
    let (st2, eff2) = run(st.clone(), refused);
    assert_eq!((st2, templates(&eff2)), (State::Staff(None), vec!["staff_refused"]));
    let (st, eff) = run(st, Event::Outcome(Outcome::MoveAllowed { booking: 9, to: signed }));
    assert_eq!(
        (&st, templates(&eff)),
        (&State::Staff(Some(Awaiting::MoveReason { booking: 9, to: signed })), vec!["staff_reason_ask"])
    );
    let (st2, eff2) = run(st.clone(), Event::Unsupported);
    assert_eq!((st2, templates(&eff2)), (st.clone(), vec!["staff_text_expected"]));
    let (st, eff) = run(st, text("подписан в офисе"));
    let moved = Effect::MoveBooking { booking: 9, to: signed, reason: "подписан в офисе".into() };
    assert_eq!((st, eff), (State::Staff(None), vec![moved]));
}

#[test]
fn a_telegram_invoice_asks_a_valid_amount_and_stays_on_it_until_sent() {
    let (st, eff) = run(State::Staff(None), Event::Callback(Callback::TelegramInvoice(9)));
    let on_amount = State::Staff(Some(Awaiting::InvoiceAmount(9)));
    assert_eq!((st.clone(), templates(&eff)), (on_amount.clone(), vec!["staff_invoice_amount_ask"]));
    for bad in ["ноль", "-5", "0", "15000,505"] {
        let (s2, eff) = run(st.clone(), text(bad));
        assert_eq!(s2, on_amount, "{bad}");
        assert_eq!(eff.len(), 1, "{bad}");
        assert!(matches!(eff[0], Effect::Reply(_)), "{bad}: {eff:?}");
    }
    let (st, eff) = run(st, text("20 000"));
    assert_eq!(
        (st.clone(), eff),
        (on_amount.clone(), vec![Effect::SendTelegramInvoice { booking: 9, amount_minor: 2_000_000 }])
    );
    // Refused (over the balance, payments off): said, and the next text is another amount.
    let refused = Event::Outcome(Outcome::Refused("Сумма больше остатка к оплате (10 000 ₽).".into()));
    let (st, eff) = run(st, refused);
    assert_eq!((st.clone(), templates(&eff)), (on_amount.clone(), vec!["staff_amount_refused"]));
    let (st, eff) = run(st, Event::Outcome(Outcome::Done { message: "Счёт отправлен.".into(), back: None }));
    assert_eq!((st, templates(&eff)), (State::Staff(None), vec!["staff_done"]));
}

#[test]
fn a_payment_asks_the_method_then_a_valid_amount() {
    let (st, eff) = run(State::Staff(None), Event::Callback(Callback::Pay(9)));
    assert_eq!(
        (st.clone(), templates(&eff)),
        (State::Staff(Some(Awaiting::PaymentMethod(9))), vec!["staff_choose_method"])
    );
    let (st, eff) = run(st, Event::Callback(Callback::PayMethod(PaymentMethod::BankTransfer)));
    assert_eq!(
        (st.clone(), templates(&eff)),
        (
            State::Staff(Some(Awaiting::PaymentAmount { booking: 9, method: PaymentMethod::BankTransfer })),
            vec!["staff_amount_ask"]
        )
    );
    for bad in ["ноль", "-5", "0"] {
        let (s2, eff) = run(st.clone(), text(bad));
        assert_eq!(s2, st, "{bad}");
        assert_eq!(eff.len(), 1);
    }
    // The amount is recorded; until the answer comes, the dialogue stays on the amount.
    let (st, eff) = run(st.clone(), text("15 000,50"));
    let on_amount = State::Staff(Some(Awaiting::PaymentAmount { booking: 9, method: PaymentMethod::BankTransfer }));
    assert_eq!(
        (st.clone(), eff),
        (
            on_amount.clone(),
            vec![Effect::RecordPayment { booking: 9, method: PaymentMethod::BankTransfer, amount_minor: 1_500_050 }]
        )
    );
    // Refused (more than is due): said, and the next text is another amount, not the menu.
    let refused = Event::Outcome(Outcome::Refused("Сумма больше остатка к оплате (10 000,00 ₽).".into()));
    let (st, eff) = run(st, refused);
    assert_eq!((st.clone(), templates(&eff)), (on_amount.clone(), vec!["staff_amount_refused"]));
    let (st, eff) = run(st, text("10000"));
    assert_eq!(
        eff,
        [Effect::RecordPayment { booking: 9, method: PaymentMethod::BankTransfer, amount_minor: 1_000_000 }]
    );
    let (st, eff) = run(st, Event::Outcome(Outcome::Done { message: "Оплата записана.".into(), back: None }));
    assert_eq!((st, templates(&eff)), (State::Staff(None), vec!["staff_done"]));
    // Any other refusal leaves the action.
    let (st, _) = run(State::Staff(None), Event::Outcome(Outcome::Refused("Нет доступа.".into())));
    assert_eq!(st, State::Staff(None));
}

#[test]
fn registering_a_client_on_their_behalf_checks_like_self_registration() {
    let (st, eff) = run(State::Staff(None), Event::Menu(MenuItem::StaffNewClient));
    assert_eq!(templates(&eff), ["staff_new_client_name"]);
    let (st, eff) = run(st, text("Мария"));
    assert_eq!(templates(&eff), ["invalid"]);
    let (st, _) = run(st, text("Иванова Мария"));
    let (st, eff) = run(st, text("123"));
    assert_eq!(templates(&eff), ["invalid"]);
    // The phone is checked before the rest is typed.
    let (st, eff) = run(st, text("89123456789"));
    let phone = domain::Phone::parse("89123456789").unwrap();
    assert_eq!(eff, vec![Effect::CheckPhone { phone, verified: false }]);
    let (st, eff) = run(st, Event::Outcome(Outcome::PhoneChecked(PhoneCheck::Free)));
    assert_eq!(templates(&eff), ["staff_new_client_birth_date"]);
    let (st, eff) = run(st, text("31.02.1990"));
    assert_eq!(templates(&eff), ["invalid"]);
    let (st, _) = run(st, text("05.03.1990"));
    let (st, eff) = run(st, text("Томск"));
    assert_eq!(st, State::Staff(None));
    let Effect::StaffRegister(c) = &eff[0] else { panic!("{eff:?}") };
    assert_eq!(c.phone.as_ref().unwrap().as_str(), "+79123456789");
    assert!(!c.personal_data_consent, "consent is the client's own");
}

#[test]
fn menu_and_outcomes_work_from_any_pending_action() {
    let pending = State::Staff(Some(Awaiting::Tag(5)));
    let (st, eff) = run(pending.clone(), Event::Menu(MenuItem::StaffClients));
    assert_eq!((st, eff), (State::Staff(None), vec![Effect::StaffClients { query: None, before: None }]));
    let (st, eff) = run(pending.clone(), Event::Menu(MenuItem::StaffRequests));
    assert_eq!((st, eff), (State::Staff(None), vec![Effect::StaffBookings { requests_only: true, before: None }]));
    let (st, eff) = run(pending.clone(), Event::Command(Command::Cancel));
    assert_eq!((st, templates(&eff)), (State::Staff(None), vec!["cancelled"]));
    let (st, eff) = run(pending, Event::Outcome(Outcome::Refused("Нет доступа".into())));
    assert_eq!((st, templates(&eff)), (State::Staff(None), vec!["staff_refused"]));
}

fn callbacks(effects: &[Effect]) -> Vec<Callback> {
    let Some(Effect::Reply(r)) = effects.first() else { panic!("{effects:?}") };
    let Keyboard::Inline(rows) = &r.keyboard else { panic!("{:?}", r.keyboard) };
    rows.iter().flatten().map(|b| b.callback).collect()
}

#[test]
fn cards_offer_each_note_kind_the_allowed_moves_and_only_an_admin_the_blacklist() {
    let card = ClientCardView {
        id: 5,
        name: "Иванова Мария".into(),
        phone: "+7 912 345-67-89".into(),
        city: "Томск".into(),
        birth_date: "05.03.1990".into(),
        telegram: true,
        ..Default::default()
    };
    for (role, blacklist) in [(Role::Agent, false), (Role::Operator, false), (Role::Admin, true)] {
        let who = Who::Staff { id: 3, role, name: "Смирнова Анна".into() };
        let (_, eff) = step(State::Staff(None), &who, Event::Outcome(Outcome::StaffClient(card.clone())), today());
        let offered = callbacks(&eff);
        for kind in [InteractionKind::Call, InteractionKind::Email, InteractionKind::Complaint, InteractionKind::Note] {
            assert!(offered.contains(&Callback::Note(5, kind)), "{role:?}: {kind:?}");
        }
        assert_eq!(offered.contains(&Callback::Blacklist(5)), blacklist, "{role:?}");
    }
    let booking = BookingItem {
        id: 17,
        tour: "Алтай".into(),
        dates: "12.01–18.01.2027".into(),
        status: "заключение договора".into(),
        total: "50 000 ₽".into(),
        due: "50 000 ₽".into(),
        travellers: 1,
        client: "Иванова Мария".into(),
        documents: vec![],
    };
    let view = StaffBookingView {
        booking,
        client_id: 5,
        client: "Иванова Мария".into(),
        paid: "0 ₽".into(),
        moves: vec![
            (BookingStatus::ContractSigned, "договор подписан".into()),
            (BookingStatus::CancellationRequested, "запрос отмены бронирования".into()),
        ],
        status_reason: None,
        refund_left: None,
        accepts_payments: false,
        can_issue_contract: false,
        telegram_payments: true,
        send_payment: true,
    };
    let (_, eff) = run(State::Staff(None), Event::Outcome(Outcome::StaffBooking(view.clone())));
    assert_eq!(
        callbacks(&eff),
        [
            Callback::Move(17, BookingStatus::ContractSigned),
            Callback::Move(17, BookingStatus::CancellationRequested),
            Callback::Travellers(17),
            Callback::Client(5)
        ]
    );
    let (_, eff) = run(State::Staff(None), Event::Callback(Callback::Pay(17)));
    assert_eq!(
        callbacks(&eff),
        [Callback::PayMethod(PaymentMethod::Cash), Callback::PayMethod(PaymentMethod::BankTransfer)]
    );
    // A booking that takes payments: «Записать оплату», and «Счёт в Telegram» only when
    // Telegram Payments are configured.
    let payable = StaffBookingView { accepts_payments: true, ..view };
    let (_, eff) = run(State::Staff(None), Event::Outcome(Outcome::StaffBooking(payable.clone())));
    let offered = callbacks(&eff);
    assert!(offered.contains(&Callback::Pay(17)) && offered.contains(&Callback::TelegramInvoice(17)), "{offered:?}");
    // «Ссылка на оплату» beside it, for whoever may send one.
    assert!(offered.contains(&Callback::SendPayment(17)), "{offered:?}");
    let off = StaffBookingView { telegram_payments: false, send_payment: false, ..payable };
    let (_, eff) = run(State::Staff(None), Event::Outcome(Outcome::StaffBooking(off)));
    assert!(!callbacks(&eff).contains(&Callback::TelegramInvoice(17)));
    assert!(!callbacks(&eff).contains(&Callback::SendPayment(17)));
}

/// A cut list says so and offers the next page; a searched one asks to refine instead.
#[test]
fn cut_lists_page_on() {
    let items = |n: i64| {
        (0..n)
            .map(|i| dialogues::views::ClientItem {
                id: 100 - i, name: format!("Клиент {i}"), phone: String::new()
            })
            .collect::<Vec<_>>()
    };
    let page = Outcome::StaffClients { items: items(20), more: Some(81), next_page: false, searched: false };
    let (_, eff) = run(State::Staff(None), Event::Outcome(page));
    let offered = callbacks(&eff);
    assert!(offered.contains(&Callback::MoreClients(81)), "{offered:?}");
    let Effect::Reply(r) = &eff[0] else { panic!() };
    assert_eq!((r.vars["count"].clone(), r.vars["more"].clone()), (serde_json::json!(20), serde_json::json!(true)));
    let (st, eff) = run(State::Staff(None), Event::Callback(Callback::MoreClients(81)));
    assert_eq!((st, eff), (State::Staff(None), vec![Effect::StaffClients { query: None, before: Some(81) }]));

    let searched = Outcome::StaffClients { items: items(20), more: Some(81), next_page: false, searched: true };
    let (_, eff) = run(State::Staff(None), Event::Outcome(searched));
    assert!(!callbacks(&eff).iter().any(|c| matches!(c, Callback::MoreClients(_))));

    let requests = Outcome::StaffBookings { items: vec![], requests_only: true, more: None, next_page: false };
    let (_, eff) = run(State::Staff(None), Event::Outcome(requests));
    let Effect::Reply(r) = &eff[0] else { panic!() };
    assert_eq!((r.template.as_str(), &r.vars["requests_only"]), ("staff_bookings_none", &serde_json::json!(true)));
    let (st, eff) = run(State::Staff(None), Event::Callback(Callback::MoreRequests(40)));
    assert_eq!((st, eff), (State::Staff(None), vec![Effect::StaffBookings { requests_only: true, before: Some(40) }]));
}

/// After logging a call (or any action on a card) the answer leads back to that card.
#[test]
fn a_done_action_leads_back_to_its_card() {
    let done = |back| Event::Outcome(Outcome::Done { message: "Записано".into(), back });
    let (_, eff) = run(State::Staff(None), done(Some(Callback::Client(5))));
    assert_eq!(callbacks(&eff), [Callback::Client(5)]);
    let (_, eff) = run(State::Staff(None), done(Some(Callback::Booking(17))));
    assert_eq!(callbacks(&eff), [Callback::Booking(17)]);
    let (_, eff) = run(State::Staff(None), done(None));
    assert_eq!(templates(&eff), ["staff_done"]);
}

/// A client without Telegram cannot be written to in the bot: the card does not offer it.
#[test]
fn the_card_offers_writing_only_to_a_client_in_the_bot() {
    let mut card = ClientCardView {
        id: 5,
        name: "Иванова Мария".into(),
        phone: "+7 912 345-67-89".into(),
        city: "Томск".into(),
        birth_date: "05.03.1990".into(),
        telegram: true,
        ..Default::default()
    };
    let (_, eff) = run(State::Staff(None), Event::Outcome(Outcome::StaffClient(card.clone())));
    assert!(callbacks(&eff).contains(&Callback::ReplyTo(5)));
    card.telegram = false;
    let (_, eff) = run(State::Staff(None), Event::Outcome(Outcome::StaffClient(card)));
    assert!(!callbacks(&eff).contains(&Callback::ReplyTo(5)));
}

#[test]
fn a_name_or_phone_typed_at_the_menu_searches_the_clients() {
    let (st, eff) = run(State::Staff(None), text("  Соколова "));
    assert_eq!(
        (st, eff),
        (State::Staff(None), vec![Effect::StaffClients { query: Some("Соколова".into()), before: None }])
    );
    let (st, eff) = run(State::Staff(None), text("913 555"));
    assert_eq!(eff, vec![Effect::StaffClients { query: Some("913 555".into()), before: None }]);
    assert_eq!(st, State::Staff(None));
    // One letter, a sticker: the menu again.
    for e in [text("а"), Event::Unsupported] {
        let (st, eff) = run(State::Staff(None), e);
        assert_eq!((st, templates(&eff)), (State::Staff(None), vec!["staff_menu"]));
    }
}

#[test]
fn a_phone_already_on_a_card_is_asked_again_with_the_card_when_it_is_the_agents() {
    let (st, _) = run(State::Staff(None), Event::Menu(MenuItem::StaffNewClient));
    let (st, _) = run(st, text("Иванова Мария"));
    let (asked, _) = run(st, text("+7 912 345-67-89"));
    // The agent's own client: the card is offered, the phone asked again, the name kept.
    let mine = PhoneCheck::Card { client: 5, full_name: "Иванова Мария Петровна".into() };
    let (st, eff) = run(asked.clone(), Event::Outcome(Outcome::PhoneChecked(mine)));
    assert_eq!(templates(&eff), ["staff_phone_on_card"]);
    assert_eq!(callbacks(&eff), [Callback::Client(5)]);
    let State::Staff(Some(Awaiting::NewClient(c))) = &st else { panic!("{st:?}") };
    assert!(c.phone.is_none() && c.full_name.is_some(), "{c:?}");
    let (_, eff) = run(st.clone(), text("+7 912 000-00-01"));
    assert!(matches!(eff[..], [Effect::CheckPhone { .. }]), "{eff:?}");
    let (st2, eff) = run(st, Event::Callback(Callback::Client(5)));
    assert_eq!((st2, eff), (State::Staff(None), vec![Effect::StaffClientCard(5)]));
    // Another agent's client: only that it is taken.
    let (st, eff) = run(asked, Event::Outcome(Outcome::PhoneChecked(PhoneCheck::Taken)));
    assert_eq!(templates(&eff), ["staff_phone_taken"]);
    let State::Staff(Some(Awaiting::NewClient(c))) = &st else { panic!("{st:?}") };
    assert!(c.phone.is_none());
}

#[test]
fn a_steps_button_pressed_after_the_step_ended_is_said_to_be_outdated() {
    for button in [Callback::Yes, Callback::No, Callback::PayMethod(PaymentMethod::Cash)] {
        let (st, eff) = run(State::Staff(None), Event::Callback(button));
        assert_eq!((st, templates(&eff)), (State::Staff(None), vec!["button_expired"]), "{button:?}");
        let Effect::Reply(r) = &eff[0] else { panic!("a reply") };
        assert!(matches!(r.keyboard, Keyboard::Reply(_)), "with the work menu: {r:?}");
    }
}

#[test]
fn an_agent_corrects_one_field_of_the_card_checked_as_typed() {
    use dialogues::staff::ClientField;
    let (st, eff) = run(State::Staff(None), Event::Callback(Callback::EditField(5, ClientField::Phone)));
    let on_phone = State::Staff(Some(Awaiting::ClientField { client: 5, field: ClientField::Phone }));
    assert_eq!((st.clone(), templates(&eff)), (on_phone.clone(), vec!["staff_edit_ask"]));
    // A wrong phone: its reason, the same question.
    let (st, eff) = run(st, text("12345"));
    assert_eq!((st.clone(), templates(&eff)), (on_phone.clone(), vec!["invalid"]));
    // A right one goes to crm as the card writes it; the question stays for crm's answer.
    let (st, eff) = run(st, text("8 (913) 000-11-22"));
    let edit = Effect::EditClient { client: 5, field: ClientField::Phone, value: "+79130001122".into() };
    assert_eq!((st.clone(), eff), (on_phone.clone(), vec![edit]));
    let (st2, eff) = run(st.clone(), Event::Outcome(Outcome::Refused("занят".into())));
    assert_eq!((st2, templates(&eff)), (on_phone, vec!["staff_edit_refused"]));
    let done = Event::Outcome(Outcome::Done {
        message: "Исправлено: телефон.".into(),
        back: Some(Callback::Client(5)),
    });
    let (st, eff) = run(st, done);
    assert_eq!((st, templates(&eff)), (State::Staff(None), vec!["staff_done"]));
    // A birth date and a city are checked and written as registration writes them.
    for (field, typed, value) in [
        (ClientField::BirthDate, "2.3.1985", "02.03.1985"),
        (ClientField::City, "из Томска", "Томск"),
        (ClientField::FullName, "  Петрова   Мария ", "Петрова Мария"),
    ] {
        let (st, _) = run(State::Staff(None), Event::Callback(Callback::EditField(5, field)));
        let (_, eff) = run(st, text(typed));
        assert_eq!(eff, [Effect::EditClient { client: 5, field, value: value.into() }], "{typed}");
    }
}

#[test]
fn a_reason_that_says_nothing_is_asked_again() {
    let allowed = Outcome::MoveAllowed { booking: 9, to: BookingStatus::Cancelled };
    let (st, _) = run(State::Staff(None), Event::Outcome(allowed));
    for nothing in [".", "-", "?"] {
        let (st2, eff) = run(st.clone(), text(nothing));
        assert_eq!((st2, templates(&eff)), (st.clone(), vec!["invalid"]), "{nothing}");
    }
    let (_, eff) = run(st, text("клиент передумал"));
    let moved = Effect::MoveBooking {
        booking: 9, to: BookingStatus::Cancelled, reason: "клиент передумал".into()
    };
    assert_eq!(eff, [moved]);
}

//! An agent enters a traveller's document in the bot: the list from the booking card, the
//! kind, each field checked as it comes (a wrong one asked again with its reason, nothing
//! kept), a summary to confirm or redo, and only then the effect that saves it.

use chrono::NaiveDate;
use dialogues::documents::DocEntry;
use dialogues::event::Outcome;
use dialogues::staff::Awaiting;
use dialogues::views::{BookingItem, StaffBookingView, TravellerLine, TravellersView};
use dialogues::{Callback, Command, Effect, Event, Keyboard, State, Who, step};
use domain::{DocField, DocKind, Role};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn agent() -> Who {
    Who::Staff { id: 3, role: Role::Agent, name: "Смирнова Анна".into() }
}

fn run(state: State, event: Event) -> (State, Vec<Effect>) {
    step(state, &agent(), event, today())
}

fn text(s: &str) -> Event {
    Event::Text(s.into())
}

/// The templates of the replies, and the `field` each field question asks.
fn said(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| if let Effect::Reply(r) = e { Some(r) } else { None })
        .map(|r| match r.vars.get("field").and_then(|v| v.as_str()) {
            Some(f) => format!("{}:{f}", r.template),
            None => r.template.clone(),
        })
        .collect()
}

fn callbacks(effects: &[Effect]) -> Vec<Callback> {
    effects
        .iter()
        .filter_map(|e| if let Effect::Reply(r) = e { Some(&r.keyboard) } else { None })
        .flat_map(|k| match k {
            Keyboard::Inline(rows) => rows.iter().flatten().map(|b| b.callback).collect(),
            _ => vec![],
        })
        .collect()
}

fn entering(kind: DocKind) -> State {
    State::Staff(Some(Awaiting::Document(DocEntry::new(21, kind))))
}

#[test]
fn the_booking_card_leads_to_the_travellers_and_a_traveller_to_the_kinds() {
    let view = StaffBookingView {
        booking: BookingItem {
            id: 17,
            tour: "Стамбул".into(),
            dates: "25.12–31.12.2026".into(),
            status: "заключение договора".into(),
            total: "100 000,00 ₽".into(),
            due: "100 000,00 ₽".into(),
            travellers: 2,
            client: "Иванова Мария".into(),
            documents: vec![],
        },
        client_id: 5,
        client: "Иванова Мария".into(),
        paid: "0,00 ₽".into(),
        moves: vec![],
        status_reason: None,
        refund_left: None,
        accepts_payments: false,
        can_issue_contract: false,
        telegram_payments: false,
        send_payment: false,
    };
    let (_, eff) = run(State::Staff(None), Event::Outcome(Outcome::StaffBooking(view)));
    assert!(callbacks(&eff).contains(&Callback::Travellers(17)));
    let (st, eff) = run(State::Staff(None), Event::Callback(Callback::Travellers(17)));
    assert_eq!((st, eff), (State::Staff(None), vec![Effect::StaffTravellers(17)]));
    let list = TravellersView {
        booking: 17,
        travellers_count: 2,
        can_add: true,
        travellers: vec![TravellerLine {
            id: 21,
            name: "Щукин Юрий".into(),
            birth_date: "01.02.1985".into(),
            is_client: false,
            documents: vec![],
            warnings: vec![],
        }],
    };
    let (_, eff) = run(State::Staff(None), Event::Outcome(Outcome::StaffTravellers(list)));
    assert_eq!(said(&eff), ["staff_travellers"]);
    // One of two entered: the second can be added.
    assert_eq!(callbacks(&eff), [Callback::Traveller(21), Callback::AddTraveller(17), Callback::Booking(17)]);
    let (_, eff) = run(State::Staff(None), Event::Callback(Callback::Traveller(21)));
    assert_eq!(said(&eff), ["staff_doc_choose"]);
    assert_eq!(callbacks(&eff), DocKind::IDENTITY.map(|k| Callback::DocKind(21, k)));
    let (st, eff) = run(State::Staff(None), Event::Callback(Callback::DocKind(21, DocKind::ForeignPassport)));
    assert_eq!(st, entering(DocKind::ForeignPassport));
    assert_eq!(said(&eff), ["staff_doc_field_ask:number"]);
}

#[test]
fn a_companion_is_added_by_name_then_birth_date_each_checked() {
    let (st, eff) = run(State::Staff(None), Event::Callback(Callback::AddTraveller(17)));
    assert_eq!(said(&eff), ["staff_traveller_name_ask"]);
    let (st, eff) = run(st, text("Щукин"));
    assert_eq!(said(&eff), ["invalid"], "one word is not a name");
    let (st, eff) = run(st, text("  Щукин   Юрий "));
    assert_eq!(said(&eff), ["staff_traveller_birth_ask"]);
    let (st, eff) = run(st, text("01.02.2030"));
    assert_eq!(said(&eff), ["invalid"], "born in the future");
    let (st, eff) = run(st, text("01.02.1985"));
    assert_eq!(st, State::Staff(None));
    let born = NaiveDate::from_ymd_opt(1985, 2, 1).unwrap();
    assert_eq!(eff, [Effect::AddTraveller { booking: 17, full_name: "Щукин Юрий".into(), birth_date: born }]);
    // Given name first, as people say it: put surname first, as the passport has it.
    let (st, _) = run(State::Staff(None), Event::Callback(Callback::AddTraveller(17)));
    let (st, _) = run(st, text("Мария Николаева"));
    let (_, eff) = run(st, text("01.02.1985"));
    assert_eq!(eff, [Effect::AddTraveller { booking: 17, full_name: "Николаева Мария".into(), birth_date: born }]);
}

/// (typed wrong, typed right, the field, as it is kept).
type FieldStep = (&'static str, &'static str, DocField, &'static str);

/// Each kind typed right, field by field, with a wrong answer before each right one.
#[test]
fn every_field_is_checked_as_it_comes_and_a_wrong_one_is_asked_again() {
    let cases: [(DocKind, &[FieldStep]); 3] = [
        (
            DocKind::InternalPassport,
            &[
                ("45", "45 08", DocField::Series, "4508"),
                ("12345", "613729", DocField::Number, "613729"),
                ("31.02.2010", "15.01.2010", DocField::IssuedOn, "15.01.2010"),
                ("   ", "ОВД Тверского района", DocField::Issuer, "ОВД Тверского района"),
                ("77-001", "770001", DocField::DivisionCode, "770-001"),
            ],
        ),
        (
            DocKind::ForeignPassport,
            &[
                ("75 12345", "75 1234567", DocField::Number, "751234567"),
                ("Иванова Мария", "ivanova mariia", DocField::LatinName, "IVANOVA MARIIA"),
                ("01.01.2030", "01.02.2020", DocField::IssuedOn, "01.02.2020"),
                ("когда-то", "01.02.2030", DocField::ExpiresOn, "01.02.2030"),
                ("", "МВД 77001", DocField::Issuer, "МВД 77001"),
            ],
        ),
        (
            DocKind::BirthCertificate,
            &[
                ("IIII-МЮ", "iv-мю", DocField::Series, "IV-МЮ"),
                ("1234567", "583920", DocField::Number, "583920"),
                ("2019-13-01", "01.06.2019", DocField::IssuedOn, "01.06.2019"),
                ("", "Отдел ЗАГС Новосибирска", DocField::Issuer, "Отдел ЗАГС Новосибирска"),
            ],
        ),
    ];
    for (kind, steps) in cases {
        let mut st = entering(kind);
        let mut kept = Vec::new();
        for (wrong, right, field, stored) in steps {
            let (again, eff) = run(st.clone(), text(wrong));
            assert_eq!(again, st, "{kind:?} {field:?}: {wrong:?} changes nothing");
            assert_eq!(said(&eff), ["invalid".to_owned(), format!("staff_doc_field_ask:{}", field.code())]);
            // A sticker or a stray button is not an answer either.
            let (again, eff) = run(st.clone(), Event::Unsupported);
            assert_eq!((again, said(&eff)), (st.clone(), vec!["staff_text_expected".to_owned()]));
            let (next, _) = run(st, text(right));
            kept.push((*field, stored.to_string()));
            st = next;
        }
        let State::Staff(Some(Awaiting::Document(entry))) = &st else { panic!("{kind:?}: {st:?}") };
        assert!(entry.confirming, "{kind:?}: the summary waits");
        assert_eq!(entry.values, kept);
        let (done, eff) = run(st, Event::Callback(Callback::Yes));
        assert_eq!(done, State::Staff(None));
        assert_eq!(eff, [Effect::PutTravellerDocument { traveller: 21, kind, fields: kept }]);
    }
}

fn foreign_summary(expires: &str) -> State {
    let mut st = entering(DocKind::ForeignPassport);
    for t in ["751234567", "IVANOVA MARIIA", "01.02.2020", expires, "МВД 77001"] {
        st = run(st, text(t)).0;
    }
    st
}

#[test]
fn the_summary_is_confirmed_redone_or_asked_again() {
    let st = foreign_summary("01.02.2030");
    let (same, eff) = run(st.clone(), text("может быть"));
    assert_eq!((same.clone(), said(&eff)), (st.clone(), vec!["staff_doc_summary".to_owned()]));
    assert_eq!(callbacks(&eff), [Callback::Yes, Callback::No]);
    // «Нет» starts the document over; a typed «да» saves like the button.
    let (over, eff) = run(st.clone(), Event::Callback(Callback::No));
    assert_eq!(over, entering(DocKind::ForeignPassport));
    assert_eq!(said(&eff), ["staff_doc_restarted", "staff_doc_field_ask:number"]);
    let (_, eff) = run(st, text("да"));
    assert!(matches!(eff[..], [Effect::PutTravellerDocument { traveller: 21, .. }]), "{eff:?}");
    // /cancel leaves the entry at any step.
    let (st, _) = run(foreign_summary("01.02.2030"), Event::Command(Command::Cancel));
    assert_eq!(st, State::Staff(None));
}

#[test]
fn an_expiry_before_the_issue_is_asked_again_as_soon_as_it_is_typed() {
    let mut st = entering(DocKind::ForeignPassport);
    for t in ["751234567", "IVANOVA MARIIA", "01.02.2020"] {
        st = run(st, text(t)).0;
    }
    let (st, eff) = run(st, text("01.01.2019"));
    assert_eq!(said(&eff), ["invalid", "staff_doc_field_ask:expires_on"]);
    let State::Staff(Some(Awaiting::Document(entry))) = &st else { panic!("{st:?}") };
    assert!(!entry.confirming && entry.values.len() == 3, "the other fields are kept: {entry:?}");
    let (st, eff) = run(st, text("01.02.2030"));
    assert_eq!(said(&eff), ["staff_doc_field_ask:issuer"]);
    let (st, eff) = run(st, text("МВД 77001"));
    assert_eq!(said(&eff), ["staff_doc_summary"]);
    let (_, eff) = run(st, Event::Callback(Callback::Yes));
    assert!(matches!(eff[..], [Effect::PutTravellerDocument { .. }]));
}

#[test]
fn refund_details_are_entered_from_the_client_card_field_by_field() {
    use dialogues::refund::RefundEntry;
    use dialogues::views::ClientCardView;
    use domain::RefundField;
    let card = ClientCardView {
        id: 5,
        name: "Иванова Мария".into(),
        phone: "+7 912 345-67-89".into(),
        telegram: true,
        ..Default::default()
    };
    let (_, eff) = run(State::Staff(None), Event::Outcome(Outcome::StaffClient(card)));
    assert!(callbacks(&eff).contains(&Callback::Refund(5)));
    let (_, eff) = run(State::Staff(None), Event::Callback(Callback::Refund(5)));
    assert_eq!(callbacks(&eff), [Callback::RefundTo(5, true), Callback::RefundTo(5, false)]);
    type RefundStep = (&'static str, &'static str, RefundField, &'static str);
    let steps: [(bool, &[RefundStep]); 2] = [
        (
            true,
            &[
                ("4276 1000 1234 5674", "4276 1000 1234 5671", RefundField::CardNumber, "4276100012345671"),
                (" ", "MARIIA IVANOVA", RefundField::Holder, "MARIIA IVANOVA"),
            ],
        ),
        (
            false,
            &[
                ("4081", "40817 810 0 9991 0004312", RefundField::Account, "40817810099910004312"),
                ("04452522", "044525225", RefundField::Bik, "044525225"),
                ("", "Сбербанк", RefundField::Bank, "Сбербанк"),
                ("", "Иванова Мария", RefundField::Holder, "Иванова Мария"),
            ],
        ),
    ];
    for (by_card, fields) in steps {
        let (mut st, eff) = run(State::Staff(None), Event::Callback(Callback::RefundTo(5, by_card)));
        assert_eq!(said(&eff), [format!("staff_refund_field_ask:{}", fields[0].2.code())]);
        let mut kept = Vec::new();
        for (wrong, right, field, stored) in fields {
            let (again, eff) = run(st.clone(), text(wrong));
            assert_eq!(again, st, "{field:?}: {wrong:?} changes nothing");
            assert_eq!(said(&eff), ["invalid".to_owned(), format!("staff_refund_field_ask:{}", field.code())]);
            st = run(st, text(right)).0;
            kept.push((*field, stored.to_string()));
        }
        let expected = RefundEntry { client: 5, by_card, values: kept.clone(), confirming: true };
        assert_eq!(st, State::Staff(Some(Awaiting::Refund(expected))));
        let (over, eff) = run(st.clone(), Event::Callback(Callback::No));
        assert_eq!(said(&eff)[0], "staff_doc_restarted");
        assert!(
            matches!(over, State::Staff(Some(Awaiting::Refund(RefundEntry { ref values, .. }))) if values.is_empty())
        );
        let (done, eff) = run(st, Event::Callback(Callback::Yes));
        assert_eq!(
            (done, eff),
            (State::Staff(None), vec![Effect::PutPaymentDetails { client: 5, by_card, fields: kept }])
        );
    }
}

/// The client's own passport from the client card: the same fields, checks and summary, then
/// the effect that saves it as the client's (not a traveller's).
#[test]
fn the_clients_own_passport_is_entered_from_the_client_card() {
    let (_, eff) = run(State::Staff(None), Event::Callback(Callback::ClientDocuments(5)));
    assert_eq!(said(&eff), ["staff_doc_choose"]);
    assert_eq!(callbacks(&eff), DocKind::CLIENT_CARD.map(|k| Callback::ClientDocKind(5, k)));
    let (st, eff) = run(State::Staff(None), Event::Callback(Callback::ClientDocKind(5, DocKind::InternalPassport)));
    assert_eq!(said(&eff), ["staff_doc_field_ask:series"]);
    let (st, eff) = run(st, text("45 0"));
    assert_eq!(said(&eff), ["invalid", "staff_doc_field_ask:series"]);
    let mut st = st;
    for answer in ["45 08", "613729", "15.01.2010", "ОВД Тверского района"] {
        st = run(st, text(answer)).0;
    }
    let (st, eff) = run(st, text("770001"));
    assert_eq!(said(&eff), ["staff_doc_summary"]);
    // «Заново» keeps whose it is.
    let (again, _) = run(st.clone(), Event::Callback(Callback::No));
    let State::Staff(Some(Awaiting::Document(entry))) = &again else { panic!("{again:?}") };
    assert_eq!(entry.client, Some(5));
    let (st, eff) = run(st, Event::Callback(Callback::Yes));
    assert_eq!(st, State::Staff(None));
    let [Effect::PutClientDocument { client: 5, kind: DocKind::InternalPassport, fields }] = &eff[..] else {
        panic!("{eff:?}")
    };
    assert_eq!(fields.len(), 5);
}

#[test]
fn a_passports_series_and_number_typed_together_are_both_taken() {
    let (st, eff) = run(entering(DocKind::InternalPassport), text("4510 654321"));
    assert_eq!(said(&eff), ["staff_doc_field_ask:issued_on"]);
    let State::Staff(Some(Awaiting::Document(entry))) = st else { panic!("{st:?}") };
    let kept: Vec<(DocField, &str)> = entry.values.iter().map(|(f, v)| (*f, v.as_str())).collect();
    assert_eq!(kept, [(DocField::Series, "4510"), (DocField::Number, "654321")]);
}

//! What outlives a version: buttons under messages already sent (their callback data) and stored
//! dialogue states (JSON in the database or Redis). Each is written here literally, as this
//! version writes it, and must read back as the same typed value, and be written so again. So
//! reordering or renaming an enum, a variant, a field or a code fails here, not in a chat. A
//! value that joins an enum needs its row (the coverage checks below ask for it).
//!
//! The version before codes wrote list positions (`mv:17:1`, `"to":1`). Those are not read: an
//! old button is answered «button expired» (`bot`'s callback handler) and an old state restarts
//! the dialogue (`bot::state`), as any state that no longer parses does.

use chrono::NaiveDate;
use dialogues::client::account::CancelRequest;
use dialogues::client::catalog::{BookingDraft, Browse, Confirm, TourFilter};
use dialogues::client::pay::{Pay, PayVia};
use dialogues::client::registration::{Collected, Registration, Step};
use dialogues::staff::{Awaiting, NOTE_KINDS, PAY_METHODS};
use dialogues::{Callback, State};
use domain::{BirthDate, BookingStatus, City, InteractionKind, PaymentMethod, PersonName, Phone};

fn buttons() -> Vec<(&'static str, Callback)> {
    use BookingStatus::*;
    vec![
        ("c:3", Callback::City(3)),
        ("y", Callback::Yes),
        ("n", Callback::No),
        ("t:12", Callback::Tour(12)),
        ("d:42", Callback::Depart(42)),
        ("k:2", Callback::Count(2)),
        ("p:1", Callback::Page(1)),
        ("fd", Callback::AskDestination),
        ("fm", Callback::AskMonth),
        ("m:202701", Callback::Month(202701)),
        ("m:0", Callback::Month(0)),
        ("fb", Callback::AskBudget),
        ("b:100", Callback::Budget(100)),
        ("fh", Callback::Hot),
        ("fx", Callback::ClearFilters),
        ("sc", Callback::ChangeCity),
        ("sm", Callback::ToggleMarketing),
        ("u", Callback::Unsubscribe),
        ("cl:5", Callback::Client(5)),
        ("bk:17", Callback::Booking(17)),
        ("sr", Callback::SearchClients),
        ("rt:5", Callback::ReplyTo(5)),
        ("nt:5:call", Callback::Note(5, InteractionKind::Call)),
        ("nt:5:email", Callback::Note(5, InteractionKind::Email)),
        ("nt:5:complaint", Callback::Note(5, InteractionKind::Complaint)),
        ("nt:5:note", Callback::Note(5, InteractionKind::Note)),
        ("tg:5", Callback::Tag(5)),
        ("mv:17:contract_pending", Callback::Move(17, ContractPending)),
        ("mv:17:contract_signed", Callback::Move(17, ContractSigned)),
        ("mv:17:partially_paid", Callback::Move(17, PartiallyPaid)),
        ("mv:17:paid", Callback::Move(17, Paid)),
        ("mv:17:cancellation_requested", Callback::Move(17, CancellationRequested)),
        ("mv:17:cancelled", Callback::Move(17, Cancelled)),
        ("py:17", Callback::Pay(17)),
        ("pm:cash", Callback::PayMethod(PaymentMethod::Cash)),
        ("pm:bank_transfer", Callback::PayMethod(PaymentMethod::BankTransfer)),
        ("bl:5", Callback::Blacklist(5)),
        ("ub:5", Callback::Unblacklist(5)),
        ("xc:17", Callback::AskCancel(17)),
        ("tr:17", Callback::Travellers(17)),
        ("tv:21", Callback::Traveller(21)),
        ("dk:21:internal_passport", Callback::DocKind(21, domain::DocKind::InternalPassport)),
        ("dk:21:foreign_passport", Callback::DocKind(21, domain::DocKind::ForeignPassport)),
        ("dk:21:birth_certificate", Callback::DocKind(21, domain::DocKind::BirthCertificate)),
        ("cd:5", Callback::ClientDocuments(5)),
        ("ck:5:internal_passport", Callback::ClientDocKind(5, domain::DocKind::InternalPassport)),
        ("ck:5:foreign_passport", Callback::ClientDocKind(5, domain::DocKind::ForeignPassport)),
        ("rf:5", Callback::Refund(5)),
        ("rb:5:card", Callback::RefundTo(5, true)),
        ("rb:5:account", Callback::RefundTo(5, false)),
        ("ti:17", Callback::TelegramInvoice(17)),
        ("sp:17", Callback::SendPayment(17)),
    ]
}

fn collected() -> Collected {
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    Collected {
        full_name: Some(PersonName::parse("Иванова Мария").unwrap()),
        phone: Some(Phone::parse("89123456789").unwrap()),
        birth_date: Some(BirthDate::parse("05.03.1990", today).unwrap()),
        city: Some(City::parse("Томск").unwrap()),
        source: Some("post_1".into()),
        personal_data_consent: true,
        marketing_consent: false,
        phone_verified: true,
        link: None,
    }
}

fn browse() -> Browse {
    let filter =
        TourFilter { destination: Some("Алтай".into()), month: Some(202701), budget_k: Some(100), hot: true };
    Browse { filter, page: 2, awaiting_destination: false }
}

/// A payment an agent is sending: the amount chosen, the ways the agency sends.
fn send_pay() -> State {
    let choices = crate::paying::choices(vec![PayVia::Card, PayVia::Sbp, PayVia::BankQr]);
    staff(Awaiting::SendPay(Pay { choices, amount: Some(1_500_000), question: Vec::new() }))
}

fn staff(a: Awaiting) -> State {
    State::Staff(Some(a))
}

fn states() -> Vec<(&'static str, State)> {
    use BookingStatus::*;
    let move_to = |to| staff(Awaiting::MoveReason { booking: 17, to });
    let note = |kind| staff(Awaiting::Note { client: 5, kind });
    let amount = |method| staff(Awaiting::PaymentAmount { booking: 17, method });
    vec![
        (r#""Idle""#, State::Idle),
        (
            r#"{"Registration":{"step":"Marketing","collected":{"full_name":"Иванова Мария","phone":"+79123456789","birth_date":"1990-03-05","city":{"name":"Томск","tz":"Asia/Tomsk"},"source":"post_1","personal_data_consent":true,"marketing_consent":false,"phone_verified":true}}}"#,
            State::Registration(Registration {
                step: Step::Marketing,
                collected: collected(),
                then: None,
                question: Vec::new(),
                travellers: None,
            }),
        ),
        (
            r#"{"Browse":{"filter":{"destination":"Алтай","month":202701,"budget_k":100,"hot":true},"page":2,"awaiting_destination":false}}"#,
            State::Browse(browse()),
        ),
        (
            r#"{"Booking":{"departure_id":42,"browse":{"filter":{"destination":"Алтай","month":202701,"budget_k":100,"hot":true},"page":2,"awaiting_destination":false}}}"#,
            State::Booking(BookingDraft { departure_id: 42, browse: Some(browse()), question: Vec::new() }),
        ),
        (
            r#"{"ConfirmBooking":{"departure_id":42,"travellers":2,"browse":null}}"#,
            State::ConfirmBooking(Confirm {
                departure_id: 42,
                travellers: 2,
                browse: None,
                request_key: None,
                question: Vec::new(),
                talked: false,
            }),
        ),
        (
            r#"{"ConfirmBooking":{"departure_id":42,"travellers":2,"browse":null,"request_key":"q-1"}}"#,
            State::ConfirmBooking(Confirm {
                departure_id: 42,
                travellers: 2,
                browse: None,
                request_key: Some("q-1".into()),
                question: Vec::new(),
                talked: false,
            }),
        ),
        (
            r#"{"ConfirmBooking":{"departure_id":42,"travellers":2,"browse":null,"request_key":"q-1","question":["а трансфер?"]}}"#,
            State::ConfirmBooking(Confirm {
                departure_id: 42,
                travellers: 2,
                browse: None,
                request_key: Some("q-1".into()),
                question: vec!["а трансфер?".into()],
                talked: false,
            }),
        ),
        (
            r#"{"CancelRequest":{"booking":17,"reason":null}}"#,
            State::CancelRequest(CancelRequest { booking: 17, reason: None }),
        ),
        (
            r#"{"CancelRequest":{"booking":17,"reason":"заболел"}}"#,
            State::CancelRequest(CancelRequest { booking: 17, reason: Some("заболел".into()) }),
        ),
        (r#""AgentChat""#, State::AgentChat),
        (
            r#"{"RelayOffer":{"texts":["а когда вылет?","и можно с собакой?"]}}"#,
            State::RelayOffer {
                texts: vec!["а когда вылет?".into(), "и можно с собакой?".into()], about: None
            },
        ),
        (r#""AwaitingCity""#, State::AwaitingCity),
        (
            r#"{"Declined":{"told_on":"2026-11-25"}}"#,
            State::Declined { told_on: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap() },
        ),
        (r#"{"Staff":null}"#, State::Staff(None)),
        (r#"{"Staff":"SearchQuery"}"#, staff(Awaiting::SearchQuery)),
        (r#"{"Staff":{"MessageTo":5}}"#, staff(Awaiting::MessageTo(5))),
        (r#"{"Staff":{"Note":{"client":5,"kind":"call"}}}"#, note(InteractionKind::Call)),
        (r#"{"Staff":{"Note":{"client":5,"kind":"email"}}}"#, note(InteractionKind::Email)),
        (r#"{"Staff":{"Note":{"client":5,"kind":"complaint"}}}"#, note(InteractionKind::Complaint)),
        (r#"{"Staff":{"Note":{"client":5,"kind":"note"}}}"#, note(InteractionKind::Note)),
        (r#"{"Staff":{"Tag":5}}"#, staff(Awaiting::Tag(5))),
        (r#"{"Staff":{"MoveReason":{"booking":17,"to":"contract_pending"}}}"#, move_to(ContractPending)),
        (r#"{"Staff":{"MoveReason":{"booking":17,"to":"contract_signed"}}}"#, move_to(ContractSigned)),
        (r#"{"Staff":{"MoveReason":{"booking":17,"to":"partially_paid"}}}"#, move_to(PartiallyPaid)),
        (r#"{"Staff":{"MoveReason":{"booking":17,"to":"paid"}}}"#, move_to(Paid)),
        (r#"{"Staff":{"MoveReason":{"booking":17,"to":"cancellation_requested"}}}"#, move_to(CancellationRequested)),
        (r#"{"Staff":{"MoveReason":{"booking":17,"to":"cancelled"}}}"#, move_to(Cancelled)),
        (r#"{"Staff":{"PaymentMethod":17}}"#, staff(Awaiting::PaymentMethod(17))),
        (r#"{"Staff":{"InvoiceAmount":17}}"#, staff(Awaiting::InvoiceAmount(17))),
        (
            r#"{"Staff":{"SendPay":{"choices":{"booking":17,"tour":"Алтай","due":"85 000 ₽","next":{"amount":"15 000 ₽","due_on":"28.11.2026","paid":false},"next_minor":1500000,"range":{"min":{"minor":100,"currency":"RUB"},"max":{"minor":8500000,"currency":"RUB"}},"methods":["Card","Sbp","BankQr"]},"amount":1500000}}}"#,
            send_pay(),
        ),
        (r#"{"Staff":{"PaymentAmount":{"booking":17,"method":"cash"}}}"#, amount(PaymentMethod::Cash)),
        (r#"{"Staff":{"PaymentAmount":{"booking":17,"method":"bank_transfer"}}}"#, amount(PaymentMethod::BankTransfer)),
        (
            r#"{"Staff":{"BlacklistReason":{"client":5,"on":true}}}"#,
            staff(Awaiting::BlacklistReason { client: 5, on: true }),
        ),
        (
            r#"{"Staff":{"NewClient":{"full_name":"Иванова Мария","phone":"+79123456789","birth_date":"1990-03-05","city":{"name":"Томск","tz":"Asia/Tomsk"},"source":"post_1","personal_data_consent":true,"marketing_consent":false,"phone_verified":true}}}"#,
            staff(Awaiting::NewClient(collected())),
        ),
        (
            r#"{"Staff":{"Document":{"traveller":21,"kind":"foreign_passport","values":[["number","751234567"],["latin_name","IVANOVA MARIIA"]],"confirming":false}}}"#,
            staff(Awaiting::Document(dialogues::documents::DocEntry {
                traveller: 21,
                client: None,
                kind: domain::DocKind::ForeignPassport,
                values: vec![
                    (domain::DocField::Number, "751234567".into()),
                    (domain::DocField::LatinName, "IVANOVA MARIIA".into()),
                ],
                confirming: false,
            })),
        ),
        (
            r#"{"Staff":{"Document":{"traveller":0,"client":5,"kind":"internal_passport","values":[["series","4508"]],"confirming":false}}}"#,
            staff(Awaiting::Document(dialogues::documents::DocEntry {
                traveller: 0,
                client: Some(5),
                kind: domain::DocKind::InternalPassport,
                values: vec![(domain::DocField::Series, "4508".into())],
                confirming: false,
            })),
        ),
    ]
}

#[test]
fn a_button_drawn_by_this_version_means_the_same_when_pressed() {
    let rows = buttons();
    for (data, meant) in &rows {
        assert_eq!(Callback::decode(data), Some(*meant), "{data:?}");
        assert_eq!(meant.encode(), *data, "{meant:?}");
    }
    let drawn: Vec<Callback> = rows.iter().map(|(_, c)| *c).collect();
    for s in BookingStatus::ALL {
        assert!(drawn.contains(&Callback::Move(17, s)), "no row for a move to {s:?}");
    }
    for k in NOTE_KINDS {
        assert!(drawn.contains(&Callback::Note(5, k)), "no row for a note of kind {k:?}");
    }
    for m in PAY_METHODS {
        assert!(drawn.contains(&Callback::PayMethod(m)), "no row for a payment by {m:?}");
    }
}

#[test]
fn a_state_stored_by_this_version_reads_back_the_same() {
    let rows = states();
    for (json, meant) in &rows {
        let read: State = serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(&read, meant, "{json}");
        assert_eq!(serde_json::to_string(meant).unwrap(), *json, "{meant:?}");
    }
    let stored: Vec<&State> = rows.iter().map(|(_, s)| s).collect();
    for s in BookingStatus::ALL {
        assert!(stored.contains(&&staff(Awaiting::MoveReason { booking: 17, to: s })), "no row for {s:?}");
    }
    for kind in NOTE_KINDS {
        assert!(stored.contains(&&staff(Awaiting::Note { client: 5, kind })), "no row for {kind:?}");
    }
    for method in PAY_METHODS {
        assert!(stored.contains(&&staff(Awaiting::PaymentAmount { booking: 17, method })), "no row for {method:?}");
    }
}

/// The forms the version before codes wrote: positions in a list. None of them is read, so none
/// can be read as something else after a reorder.
#[test]
fn positions_written_by_the_version_before_are_not_read() {
    for data in ["nt:5:0", "nt:5:3", "mv:17:1", "mv:17:5", "pm:0", "pm:1"] {
        assert_eq!(Callback::decode(data), None, "{data:?}");
    }
    for json in [
        r#"{"Staff":{"Note":{"client":5,"kind":0}}}"#,
        r#"{"Staff":{"MoveReason":{"booking":17,"to":1}}}"#,
        r#"{"Staff":{"PaymentAmount":{"booking":17,"method":0}}}"#,
    ] {
        assert!(serde_json::from_str::<State>(json).is_err(), "{json}");
    }
}

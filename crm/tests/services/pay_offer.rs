//! Paying from the chat: the amounts a client may pick (the next instalment, the rest, another
//! within the balance), refused before the contract is signed and once nothing is due; the
//! bank-transfer QR by GOST R 56042-2014, read back by a real QR reader.

use crate::each_backend;
use crate::sales::{pay, request};
use crm::bank_transfer::booking_in_purpose;
use crm::domain::{BookingStatus, Currency, Money, Role};
use crm::{Actor, Conflict, Error};
use testkit::{agency, qr_text};

each_backend!(a_signed_booking_offers_the_next_instalment_the_rest_and_a_range, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let agent = app.actor("anna", Role::Agent).await;
    let admin = app.actor("boss", Role::Admin).await;
    let client = app.client("+79123456789", Some(&agent)).await;
    let me = Actor::Client(client.id);
    let (_, dep) = app.published_tour(&operator, 10).await;
    let b = app.crm.create_booking(&agent, request(&client, dep, 2)).await.unwrap().booking.id;

    let early = app.crm.payment_choices(&me, b).await;
    assert!(matches!(early, Err(Error::Conflict(Conflict::ContractNotSigned))), "{}: {early:?}", app.backend);
    app.crm.change_booking_status(&agent, b, BookingStatus::ContractSigned, "подписан").await.unwrap();

    let c = app.crm.payment_choices(&me, b).await.unwrap();
    assert_eq!(c.due.minor, 10_000_000, "{}", app.backend);
    let (next, _) = c.next.expect("a deposit is scheduled");
    assert!(next.minor > 0 && next.minor < c.due.minor, "{}: {next:?}", app.backend);
    assert_eq!((c.range.min.minor, c.range.max.minor), (100, 10_000_000));
    assert!(!c.bank_transfer, "{}: no requisites yet", app.backend);

    // The deposit paid: the next instalment is the rest, so only the rest is offered.
    app.crm.record_client_payment(&agent, pay(b, next.minor / 100)).await.unwrap();
    let c = app.crm.payment_choices(&me, b).await.unwrap();
    assert_eq!(c.due.minor, 10_000_000 - next.minor);
    assert_eq!(c.next, None, "{}", app.backend);

    // Operators and strangers are never offered to pay; another client's booking is not theirs.
    assert!(matches!(app.crm.payment_choices(&operator, b).await, Err(Error::Forbidden(_))));
    let other = app.client("+79123456780", None).await;
    assert!(matches!(app.crm.payment_choices(&Actor::Client(other.id), b).await, Err(Error::Forbidden(_))));

    app.crm.record_client_payment(&admin, pay(b, c.due.minor / 100)).await.unwrap();
    let done = app.crm.payment_choices(&me, b).await;
    assert!(matches!(done, Err(Error::Conflict(Conflict::PaymentsNotAccepted(_)))), "{}: {done:?}", app.backend);
});

each_backend!(the_bank_transfer_qr_carries_the_gost_payload_and_names_the_booking, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let agent = app.actor("anna", Role::Agent).await;
    let admin = app.actor("boss", Role::Admin).await;
    let client = app.client("+79123456789", Some(&agent)).await;
    let me = Actor::Client(client.id);
    let (_, dep) = app.published_tour(&operator, 10).await;
    let b = app.crm.create_booking(&agent, request(&client, dep, 2)).await.unwrap().booking.id;
    app.crm.change_booking_status(&agent, b, BookingStatus::ContractSigned, "подписан").await.unwrap();
    let rub = |minor| Money::new(minor, Currency::RUB);

    let missing = app.crm.bank_transfer_offer(&me, b, rub(1_500_000)).await;
    assert!(matches!(missing, Err(Error::Conflict(Conflict::AgencyRequisitesMissing))), "{missing:?}");
    app.crm.save_agency_requisites(&admin, &agency()).await.unwrap();
    assert!(app.crm.payment_choices(&me, b).await.unwrap().bank_transfer);

    let too_big = app.crm.bank_transfer_offer(&me, b, rub(10_000_001)).await;
    assert!(matches!(too_big, Err(Error::Conflict(Conflict::Overpayment { due })) if due.minor == 10_000_000));
    let too_small = app.crm.bank_transfer_offer(&me, b, rub(99)).await;
    assert!(matches!(too_small, Err(Error::Conflict(Conflict::PaymentTooSmall { .. }))), "{too_small:?}");

    let offer = app.crm.bank_transfer_offer(&me, b, rub(1_500_050)).await.unwrap();
    let purpose = format!("Оплата по брони №{}, Иванова М.П., без НДС", b.0);
    assert_eq!(offer.purpose, purpose, "{}", app.backend);
    assert_eq!(booking_in_purpose(&offer.purpose), Some(b));
    assert_eq!(
        offer.payload,
        format!(
            "ST00012|Name=ООО «Солнечный берег»|PersonalAcc=40702810938000000001|BankName=ПАО Сбербанк|\
             BIC=044525225|CorrespAcc=30101810400000000225|PayeeINN=7707083893|Purpose={purpose}|Sum=1500050"
        )
    );
    if let Some(read) = qr_text(&offer.png) {
        assert_eq!(read, offer.payload, "{}: the QR code reads back exactly", app.backend);
    }
    // The agent may send the same; the system (a reminder) too.
    assert_eq!(app.crm.bank_transfer_offer(&agent, b, rub(1_500_050)).await.unwrap().payload, offer.payload);
});

#[test]
fn a_payment_link_reads_back_from_its_qr_code() {
    let link = "https://yoomoney.ru/checkout/payments/v2/contract?orderId=2f1e4c7a-000f-5000-9000-1b5e7a0c3d21";
    let png = crm::qr::png(link).unwrap();
    if let Some(read) = qr_text(&png) {
        assert_eq!(read, link);
    }
}

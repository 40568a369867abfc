//! A report's table shown and taken away, on the booking statement that demonstrates it: the
//! HTML table (figures right-aligned, totals in bold, a chart, download links keeping the
//! query), the CSV and XLSX downloads with their headers and a Cyrillic file name, a wrong
//! format refused in Russian, and the ledger's access rule (an operator gets 403).

use crate::each_backend;
use axum::http::{StatusCode, header};
use crm::Actor;
use crm::domain::{Currency, Money, OperationKind, PaymentMethod, Role};
use crm::services::{OperationInput, PaymentInput};

each_backend!(a_booking_statement_is_a_table_a_chart_and_two_downloads, |app| {
    let (oleg, operator) = app.signed_in("oleg", Role::Operator).await;
    let (anna, agent) = app.signed_in("anna", Role::Agent).await;
    let (buh, accountant) = app.signed_in("buh", Role::Accountant).await;
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let (_, dep) = app.published_tour(&oleg).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", Some(&anna)).await;
    let id = app.booking(&anna, &client, dep).await;
    let sign = [("to", "contract_signed"), ("reason", "Подписан в офисе")];
    assert_eq!(app.post(&admin, &format!("/bookings/{id}/status"), &sign).await.status, StatusCode::SEE_OTHER);
    let buh_actor = Actor::staff(buh.id, Role::Accountant);
    let payment = PaymentInput {
        booking_id: id,
        amount: Money::new(2_000_000, Currency::RUB),
        method: PaymentMethod::Cash,
        external_id: None,
        // Typed by staff: must stay text in the page, the CSV and the XLSX.
        note: "=HYPERLINK(\"http://evil\") <b>".into(),
    };
    app.crm.record_client_payment(&buh_actor, payment).await.unwrap();
    let (hotel_id, _, _) = crate::hotels::hotel_with_room_and_manager(&app).await;
    let hotel = OperationInput {
        kind: OperationKind::HotelPayment,
        booking_id: Some(id),
        amount: Money::new(1_250_050, Currency::RUB),
        counterparty_id: Some(hotel_id.0),
        method: PaymentMethod::BankTransfer,
        external_id: None,
        note: "Отель «Алтай»".into(),
    };
    app.crm.record_operation(&buh_actor, hotel).await.unwrap();
    let path = format!("/bookings/{id}/operations");

    let page = app.get(&accountant, &path).await;
    assert_eq!(page.status, StatusCode::OK);
    for shown in [
        &format!("Операции по бронированию № {id}"),
        "<td data-label=\"Поступило\" class=\"num\">20\u{a0}000,00\u{a0}₽</td>",
        "<td data-label=\"Выплачено\" class=\"num\">12\u{a0}500,50\u{a0}₽</td>",
        "<tr class=\"totals\"><td data-label=\"Когда\" class=\"\">Итого</td>",
        "=HYPERLINK(&quot;http:&#x2F;&#x2F;evil&quot;) &lt;b&gt;",
        "href=\"?format=csv\"",
        "href=\"?format=xlsx\"",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"",
        "оплата отелю: 12\u{a0}500,50\u{a0}₽",
    ] {
        assert!(page.body.contains(shown), "{shown} on the statement:\n{}", page.body);
    }
    assert!(!page.body.contains("<b>"), "the note's markup is text");
    // The card links to it.
    assert!(
        app.get(&accountant, &format!("/bookings/{id}"))
            .await
            .body
            .contains(&format!("href=\"/bookings/{id}/operations\""))
    );

    let (status, headers, csv) = app.download(&accountant, &format!("{path}?format=csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let disposition = headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.starts_with(&format!("attachment; filename=\"Operatsii_po_bronirovaniiu_No_{id}.csv\"")),
        "{disposition}"
    );
    let encoded = "%D0%9E%D0%BF%D0%B5%D1%80%D0%B0%D1%86%D0%B8%D0%B8%20%D0%BF%D0%BE%20"; // «Операции по »
    assert!(disposition.contains(&format!("filename*=UTF-8''{encoded}")), "{disposition}");
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.starts_with(
            "\u{feff}Когда;Операция;Поступило;Выплачено;Начислено агенту;Способ;Комментарий;Кто записал\r\n"
        ),
        "{csv}"
    );
    assert!(csv.contains(";оплата от клиента;20000,00;;;наличные;\"'=HYPERLINK(\"\"http://evil\"\") <b>\";"), "{csv}");
    assert!(csv.contains(";оплата отелю;;12500,50;;"), "{csv}");
    assert!(csv.ends_with("Итого;;20000,00;12500,50;0,00;;;\r\n"), "{csv}");

    let (status, headers, xlsx) = app.download(&accountant, &format!("{path}?format=xlsx")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains(".xlsx"));
    assert_eq!(&xlsx[..4], b"PK\x03\x04", "an XLSX is a zip");

    // A format that does not exist is refused in Russian; the agent reads their own booking's
    // statement, the operator of the tour does not read the ledger.
    let wrong = app.get(&accountant, &format!("{path}?format=pdf")).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains("Формат выгрузки — csv или xlsx."));
    assert_eq!(app.get(&agent, &path).await.status, StatusCode::OK);
    assert_eq!(app.get(&operator, &path).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.download(&operator, &format!("{path}?format=csv")).await.0, StatusCode::FORBIDDEN);
});

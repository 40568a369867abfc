//! The financial reports' pages: each report as the accountant sees it (the table with money
//! to the kopeck, the totals row, the notes), the filter form's Russian answers to wrong input,
//! and the refusals for agents and operators on every report, known or not.

use crate::each_backend;
use axum::http::StatusCode;
use crm::Actor;
use crm::domain::{BookingStatus, Currency, Money, OperationKind, PaymentMethod, Role};
use crm::services::{OperationInput, PaymentInput, ReportName};

each_backend!(the_accountant_reads_every_report_with_its_totals, |app| {
    let (operator, _) = app.signed_in("oper", Role::Operator).await;
    let (agent, _) = app.signed_in("agent", Role::Agent).await;
    let (_, accountant) = app.signed_in("buh", Role::Accountant).await;
    let client = app.client("Клиентова Ольга", "+7 912 111-22-33", Some(&agent)).await;
    let (_, departure) = app.published_tour(&operator).await;
    let booking = app.booking(&agent, &client, departure).await;
    app.crm.change_booking_status(&Actor::System, booking, BookingStatus::ContractSigned, "подписан").await.unwrap();
    let pay = PaymentInput {
        booking_id: booking,
        amount: Money::new(1_234_550, Currency::RUB),
        method: PaymentMethod::Cash,
        external_id: Some("ПКО-17".into()),
        note: "аванс".into(),
    };
    app.crm.record_client_payment(&Actor::staff(agent.id, Role::Agent), pay).await.unwrap();
    let day = app.crm.today().format("%d.%m.%Y").to_string();
    let query = format!("?from={day}&to={day}");

    let index = app.get(&accountant, "/reports").await;
    assert_eq!(index.status, StatusCode::OK, "{}", app.backend);
    for name in ReportName::ALL {
        assert!(index.body.contains(&format!("/reports/{}", name.code())), "{name:?} listed");
    }
    let revenue = app.get(&accountant, &format!("/reports/revenue{query}")).await;
    assert_eq!(revenue.status, StatusCode::OK, "{}", revenue.body);
    assert!(revenue.body.contains("Итого"), "the totals row");
    assert!(revenue.body.contains("12\u{a0}345,50\u{a0}₽"), "money to the kopeck: {}", revenue.body);
    assert!(revenue.body.contains("Сотрудник oper"), "the operator's row");

    let statement = app.get(&accountant, &format!("/reports/statement{query}")).await;
    assert_eq!(statement.status, StatusCode::OK);
    for shown in ["оплата от клиента", "Клиентова Ольга", "ПКО-17", "аванс", "Сотрудник agent", "наличные"]
    {
        assert!(statement.body.contains(shown), "the statement shows {shown}: {}", statement.body);
    }
    assert!(statement.body.contains("Остаток на конец периода: 12\u{a0}345,50\u{a0}₽"));

    let sold = app.get(&accountant, &format!("/reports/tours_sold{query}&group=destination")).await;
    assert_eq!(sold.status, StatusCode::OK);
    assert!(sold.body.contains("Россия") && sold.body.contains("договор подписан"), "{}", sold.body);
    // Nothing accrued yet (the agent's rate is 0 on a fresh install): the page says so.
    let commissions = app.get(&accountant, &format!("/reports/commissions{query}")).await;
    assert_eq!(commissions.status, StatusCode::OK);
    assert!(commissions.body.contains("За этот период данных нет."), "{}", commissions.body);
    let (hotel_id, _, _) = crate::hotels::hotel_with_room_and_manager(&app).await;
    let paid_hotel = OperationInput {
        kind: OperationKind::HotelPayment,
        booking_id: Some(booking),
        amount: Money::new(500_000, Currency::RUB),
        counterparty_id: Some(hotel_id.0),
        method: PaymentMethod::BankTransfer,
        external_id: None,
        note: String::new(),
    };
    app.crm.record_operation(&Actor::System, paid_hotel).await.unwrap();
    let hotels = app.get(&accountant, &format!("/reports/hotel_expenses{query}")).await;
    assert_eq!(hotels.status, StatusCode::OK);
    assert!(hotels.body.contains("Rixos Premium") && hotels.body.contains("Итого"), "{}", hotels.body);
    assert!(hotels.body.contains("5\u{a0}000,00\u{a0}₽"), "{}", hotels.body);
    // The same table taken away: the statement's file has the payment and the totals.
    let csv = app.get(&accountant, &format!("/reports/statement{query}&format=csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("ПКО-17") && csv.body.contains("Итого"), "{}", csv.body);
    let xlsx = app.get(&accountant, &format!("/reports/revenue{query}&format=xlsx")).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let pdf = app.get(&accountant, &format!("/reports/revenue{query}&format=pdf")).await;
    assert_eq!(pdf.status, StatusCode::BAD_REQUEST);
    // Empty dates are the current month on the agency's clock.
    let month = app.get(&accountant, "/reports/revenue").await;
    assert!(month.body.contains("value=\"01."), "{}", month.body);
});

each_backend!(a_wrong_filter_is_answered_in_russian_with_the_form_kept, |app| {
    let (_, accountant) = app.signed_in("buh", Role::Accountant).await;
    let cases = [
        ("?from=31.02.2026", "такого дня нет"),
        ("?from=вчера", "дд.мм.гггг"),
        ("?from=10.03.2026&to=01.03.2026", "раньше даты начала"),
        ("?from=01.01.2010&to=01.01.2026", "не больше 10 лет"),
        ("?operator=abc", "из списка"),
        ("?operator=99999", "из списка"),
        ("?destination=Атлантида", "из списка"),
        ("?currency=XYZ", "Неизвестная валюта"),
        ("?group=hotel", "из списка"),
    ];
    for (query, says) in cases {
        let page = app.get(&accountant, &format!("/reports/tours_sold{query}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(page.body.to_lowercase().contains(&says.to_lowercase()), "{query}: {}", page.body);
        assert!(page.body.contains("<form"), "{query}: the form stays");
    }
    let unknown = app.get(&accountant, "/reports/salaries").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
});

each_backend!(agents_and_operators_are_refused_every_report, |app| {
    let (_, agent) = app.signed_in("agent", Role::Agent).await;
    let (_, operator) = app.signed_in("oper", Role::Operator).await;
    let mut paths = vec!["/reports".to_owned(), "/reports/salaries".to_owned()];
    paths.extend(ReportName::ALL.iter().map(|n| format!("/reports/{}?format=csv", n.code())));
    for browser in [&agent, &operator] {
        for path in &paths {
            let page = app.get(browser, path).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{path} on {}", app.backend);
            assert!(!page.body.contains("Итого"), "{path}");
        }
    }
});

// The KPI page takes its period the reports' way: days typed дд.мм.гггг on the agency's clock,
// a wrong one answered on the page with the form keeping what was typed.
each_backend!(the_kpi_page_reads_its_period_like_the_reports, |app| {
    let (_, accountant) = app.signed_in("buh", Role::Accountant).await;
    let day = app.crm.today().format("%d.%m.%Y").to_string();
    let page = app.get(&accountant, &format!("/kpi?from={day}&to={day}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", app.backend);
    assert!(page.body.contains(&format!("value=\"{day}\"")), "the period as typed");
    assert!(page.body.contains("Воронка по постам") && page.body.contains("Средний чек по направлениям"));
    let month = app.get(&accountant, "/kpi").await;
    assert!(month.body.contains("value=\"01."), "empty dates are this month: {}", month.body);
    for (query, says) in
        [("?from=31.02.2026", "такого дня нет"), ("?from=10.03.2026&to=01.03.2026", "раньше даты начала")]
    {
        let page = app.get(&accountant, &format!("/kpi{query}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(page.body.to_lowercase().contains(says), "{query}: {}", page.body);
        assert!(page.body.contains("<form") && !page.body.contains("Воронка по постам"), "{query}");
    }
    let csv = app.get(&accountant, &format!("/kpi?from={day}&to={day}&format=csv&table=check_months")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("Средний чек"), "{}", csv.body);
});

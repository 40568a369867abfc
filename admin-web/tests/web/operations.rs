//! The accountant's desk in the panel: a bank transfer matched by its purpose and recorded once,
//! payments to hotels, operators and agents and refunds with their refusals, reversal with a
//! reason, the statement's filters; commission rates with the tour's override and their
//! history; each role's figures of the day on a known data set.

use crate::each_backend;
use crate::helpers::{Browser, PASSWORD, Page, TestApp};
use axum::http::StatusCode;
use chrono::Duration;
use crm::domain::{BookingId, BookingStatus, Currency, Money, OperationKind, PaymentMethod, Role, StaffId};
use crm::services::{AuditFilter, DayFigures, OperationFilter, PaymentInput, Staff};
use crm::{Actor, Crm};

const NBSP: char = '\u{a0}';

/// `10 000,00 ₽` as the pages write it.
fn rub(s: &str) -> String {
    format!("{}{NBSP}₽", s.replace(' ', &NBSP.to_string()))
}

async fn paid(crm: &Crm, id: BookingId) -> i64 {
    crm.booking_balance(&Actor::System, id).await.unwrap().0.minor
}

async fn count_operations(crm: &Crm) -> usize {
    crm.list_operations(&Actor::System, OperationFilter { limit: 1000, ..Default::default() }).await.unwrap().len()
}

/// The id in `/operations?recorded=N`.
fn recorded(page: &Page) -> i64 {
    let to = page.location.as_deref().unwrap_or_else(|| panic!("no redirect: {} {}", page.status, page.body));
    to.strip_prefix("/operations?recorded=").unwrap_or_else(|| panic!("{to}")).parse().unwrap()
}

/// An agent's booking of a published 50 000 ₽ excursion (deposit 15 000 ₽ due in 3 days),
/// with the contract signed so it takes payments.
async fn signed_booking(app: &TestApp, operator: &Staff, agent: &Staff, phone: &str) -> BookingId {
    let (_, dep) = app.published_tour(operator).await;
    let client = app.client("Иванова Мария", phone, Some(agent)).await;
    let id = app.booking(agent, &client, dep).await;
    app.crm.change_booking_status(&Actor::System, id, BookingStatus::ContractSigned, "Подписан в офисе").await.unwrap();
    id
}

async fn accountant_and_booking(app: &TestApp) -> (Browser, Staff, Staff, BookingId) {
    let oleg = app.staff("oleg", Role::Operator).await;
    let anna = app.staff("anna", Role::Agent).await;
    let (_, buh) = app.signed_in("buh", Role::Accountant).await;
    let id = signed_booking(app, &oleg, &anna, "+7 912 345-67-89").await;
    (buh, oleg, anna, id)
}

each_backend!(a_bank_transfer_is_matched_by_its_purpose_recorded_once_and_reversed_with_a_reason, |app| {
    let (buh, _, _, id) = accountant_and_booking(&app).await;
    assert_eq!(app.get(&buh, "/operations/transfer").await.status, StatusCode::OK);

    let purpose = format!("Оплата по брони №{id}, Иванова М., без НДС");
    let found = app.post(&buh, "/operations/transfer/check", &[("purpose", &purpose)]).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    for shown in ["Иванова Мария", "Алтай: золотые горы", &rub("50 000,00"), &rub("0,00")] {
        assert!(found.body.contains(shown), "{shown}: {}", found.body);
    }
    assert!(!found.body.contains("оплата не принимается"), "a signed contract takes payments");
    let (oleg2, anna2) = (app.staff("olegb", Role::Operator).await, app.staff("annab", Role::Agent).await);
    let (_, dep2) = app.published_tour(&oleg2).await;
    let petrov = app.client("Петров Пётр", "+7 912 000-11-22", Some(&anna2)).await;
    let unsigned = app.booking(&anna2, &petrov, dep2).await;
    let unsigned = app.post(&buh, "/operations/transfer/check", &[("purpose", &format!("№{unsigned}"))]).await;
    assert!(unsigned.body.contains("В статусе «заключение договора» оплата не принимается"), "{}", unsigned.body);
    let lost = app.post(&buh, "/operations/transfer/check", &[("purpose", "Оплата за тур")]).await;
    assert_eq!(lost.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(lost.body.contains("Не нашёл номер брони"), "{}", lost.body);
    let nobody = app.post(&buh, "/operations/transfer/check", &[("purpose", "№999999")]).await;
    assert!(nobody.body.contains("Брони с таким номером нет"), "{}", nobody.body);

    let booking = id.0.to_string();
    let send = |amount: &'static str, document: &'static str| {
        let booking = booking.clone();
        let purpose = purpose.clone();
        let app = &app;
        let buh = &buh;
        async move {
            let form =
                [("booking", booking.as_str()), ("purpose", &purpose), ("amount", amount), ("document", document)];
            app.post(buh, "/operations/transfer", &form).await
        }
    };
    // Refusals: beside their field, nothing recorded.
    let before = count_operations(&app.crm).await;
    let bad = send("десять тысяч", "").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Сумма должна быть числом"), "{}", bad.body);
    assert!(bad.body.contains("Укажите номер платёжного документа"), "{}", bad.body);
    let zero = send("0", "ПП-1").await;
    assert!(zero.body.contains("больше нуля"), "{}", zero.body);
    let over = send("60 000", "ПП-1").await;
    assert!(over.body.contains("больше остатка"), "{}", over.body);
    assert_eq!(count_operations(&app.crm).await, before);

    let done = send("10 000", "ПП-15").await;
    let op = recorded(&done);
    assert_eq!(paid(&app.crm, id).await, 1_000_000);
    let again = send("5 000", "ПП-15").await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.body.contains(&format!("Платёжный документ банка №ПП-15 уже записан (операция №{op})")),
        "{}",
        again.body
    );
    assert_eq!(paid(&app.crm, id).await, 1_000_000, "the same document is not recorded twice");

    let statement = app.get(&buh, &format!("/operations?booking={id}&kind=client_payment")).await;
    assert!(statement.body.contains(&rub("10 000,00")), "{}", statement.body);
    assert!(statement.body.contains("ПП-15"), "{}", statement.body);
    assert!(statement.body.contains("Иванова Мария"), "the client is the counterparty");

    let reverse = format!("/operations/{op}/reverse");
    let no_reason = app.post(&buh, &reverse, &[("reason", "  ")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains(&format!("Операция № {op} не сторнирована")), "{}", no_reason.body);
    assert_eq!(paid(&app.crm, id).await, 1_000_000);
    let rev = recorded(&app.post(&buh, &reverse, &[("reason", "Ошибочно зачислено")]).await);
    assert_eq!(paid(&app.crm, id).await, 0);
    let twice = app.post(&buh, &reverse, &[("reason", "Ещё раз")]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(twice.body.contains("уже сторнирована"), "{}", twice.body);
    let the_reversal = app.post(&buh, &format!("/operations/{rev}/reverse"), &[("reason", "Назад")]).await;
    assert_eq!(the_reversal.status, StatusCode::CONFLICT);
    let after = app.get(&buh, &format!("/operations?booking={id}")).await;
    assert!(after.body.contains(&format!("-{}", rub("10 000,00"))), "{}", after.body);
    assert!(after.body.contains("Ошибочно зачислено"));
    assert!(after.body.contains(&format!("сторно операции № {op}")));
});

each_backend!(hotels_operators_agents_and_refunds_are_paid_through_forms_that_refuse_what_is_wrong, |app| {
    let (boss, admin) = app.signed_in("boss", Role::Admin).await;
    let (buh, oleg, anna, id) = accountant_and_booking(&app).await;
    let (hotel, _) = app.hotel(&oleg, "Rixos Premium").await;
    let before = count_operations(&app.crm).await;

    // A hotel: who and how much must be right.
    let hotel_id = hotel.0.to_string();
    let nobody = app.post(&buh, "/operations/hotel", &[("payee", ""), ("amount", "10 000")]).await;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nobody.body.contains("Выберите получателя"), "{}", nobody.body);
    let minus = app.post(&buh, "/operations/hotel", &[("payee", &hotel_id), ("amount", "-5")]).await;
    assert_eq!(minus.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ghost = app.post(&buh, "/operations/hotel", &[("payee", "999999"), ("amount", "5")]).await;
    assert!(ghost.body.contains("Выберите получателя"), "{}", ghost.body);
    assert_eq!(count_operations(&app.crm).await, before);
    let form =
        [("payee", hotel_id.as_str()), ("amount", "120 000,50"), ("method", "bank_transfer"), ("document", "77")];
    let to_hotel = recorded(&app.post(&buh, "/operations/hotel", &form).await);
    let dup = app.post(&buh, "/operations/hotel", &form).await;
    assert!(dup.body.contains("№77 уже записан"), "{}", dup.body);
    let by_hotel = app.get(&buh, &format!("/operations?counterparty=hotel:{hotel_id}")).await;
    assert!(by_hotel.body.contains(&rub("120 000,50")) && by_hotel.body.contains("Rixos Premium"), "{}", by_hotel.body);
    assert!(by_hotel.body.contains(&format!(">{to_hotel}<")));

    // An operator, and not an agent in the operator's place.
    let wrong = app.post(&buh, "/operations/operator", &[("payee", &anna.id.0.to_string()), ("amount", "1000")]).await;
    assert!(wrong.body.contains("Выберите получателя"), "{}", wrong.body);
    let oleg_id = oleg.id.0.to_string();
    recorded(
        &app.post(&buh, "/operations/operator", &[("payee", &oleg_id), ("amount", "30 000"), ("method", "cash")]).await,
    );

    // An agent is paid what is owed: 10 % of the booking paid in full, accrued then.
    let agent = anna.id.0.to_string();
    let nothing_owed = app.post(&buh, "/operations/commission", &[("payee", &agent), ("amount", "100")]).await;
    assert_eq!(nothing_owed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nothing_owed.body.contains(&format!("причитается ({})", rub("0,00"))), "{}", nothing_owed.body);
    let admin_actor = Actor::staff(boss.id, Role::Admin);
    app.crm.set_agent_commission(&admin_actor, anna.id, Some(1_000)).await.unwrap();
    let olga = app.staff("olga", Role::Operator).await;
    let sold = signed_booking(&app, &olga, &anna, "+7 912 000-00-02").await;
    let full = PaymentInput {
        booking_id: sold,
        amount: Money::new(5_000_000, Currency::RUB),
        method: PaymentMethod::Cash,
        external_id: None,
        note: String::new(),
    };
    app.crm.record_client_payment(&Actor::System, full).await.unwrap();
    let shown = app.get(&buh, &format!("/operations/commission?payee={agent}")).await;
    assert!(shown.body.contains("Начислено") && shown.body.contains(&rub("5 000,00")), "{}", shown.body);
    let too_much = app.post(&buh, "/operations/commission", &[("payee", &agent), ("amount", "5 000,01")]).await;
    assert!(too_much.body.contains(&format!("причитается ({})", rub("5 000,00"))), "{}", too_much.body);
    let unexplained = [("payee", agent.as_str()), ("amount", "6000"), ("over", "1"), ("over_reason", "")];
    let unexplained = app.post(&buh, "/operations/commission", &unexplained).await;
    assert!(unexplained.body.contains("Укажите причину"), "{}", unexplained.body);
    recorded(&app.post(&buh, "/operations/commission", &[("payee", &agent), ("amount", "5 000")]).await);
    let advance = [("payee", agent.as_str()), ("amount", "1000"), ("over", "1"), ("over_reason", "Аванс за декабрь")];
    let advance = recorded(&app.post(&buh, "/operations/commission", &advance).await);
    let owed = app.crm.commission_balance(&Actor::System, StaffId(anna.id.0)).await.unwrap();
    assert_eq!((owed.accrued.minor, owed.paid.minor, owed.owed.minor), (500_000, 600_000, -100_000));
    let statement = app.get(&admin, &format!("/operations?kind=commission_paid&counterparty=agent:{agent}")).await;
    assert!(statement.body.contains("Аванс за декабрь") && statement.body.contains(&format!(">{advance}<")));

    // A refund: of a booking, not more than paid minus refunded.
    let no_booking = app.post(&buh, "/operations/refund", &[("amount", "100")]).await;
    assert!(no_booking.body.contains("Укажите номер брони"), "{}", no_booking.body);
    let sold_no = sold.0.to_string();
    let over = app.post(&buh, "/operations/refund", &[("booking", &sold_no), ("amount", "50 000,01")]).await;
    assert!(over.body.contains("больше остатка"), "{}", over.body);
    let unpaid = app.post(&buh, "/operations/refund", &[("booking", &id.0.to_string()), ("amount", "1")]).await;
    assert_eq!(unpaid.status, StatusCode::UNPROCESSABLE_ENTITY);
    recorded(&app.post(&buh, "/operations/refund", &[("booking", &sold_no), ("amount", "20 000")]).await);
    let rest = app.post(&buh, "/operations/refund", &[("booking", &sold_no), ("amount", "30 000,01")]).await;
    assert!(rest.body.contains(&rub("30 000")), "what is left to refund is named: {}", rest.body);
    let refunds = OperationFilter { kind: Some(OperationKind::ClientRefund), limit: 10, ..Default::default() };
    assert_eq!(app.crm.list_operations(&Actor::System, refunds).await.unwrap().len(), 1);
});

each_backend!(a_tour_override_wins_over_the_agent_rate_and_every_change_is_in_the_history, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    app.signed_in("buh", Role::Accountant).await;
    let oleg = app.staff("oleg", Role::Operator).await;
    let anna = app.staff("anna", Role::Agent).await;
    let (tour, dep) = app.published_tour(&oleg).await;
    let agent_url = format!("/commissions/agents/{}", anna.id.0);
    let tour_url = format!("/commissions/tours/{}", tour.0);

    assert!(app.post(&admin, &agent_url, &[("rate", "7,5")]).await.redirects_to("/commissions"));
    assert!(app.post(&admin, &tour_url, &[("rate", "12")]).await.redirects_to("/commissions"));
    for (rate, from, why) in [
        ("abc", "", "процент"),
        ("150", "", "от 0 до 100"),
        ("5", "01.01.2020", "с сегодняшнего дня или позже"),
        ("5", "31.02.2027", "такого дня нет"),
    ] {
        let page = app.post(&admin, &agent_url, &[("rate", rate), ("from", from)]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{rate} {from}");
        assert!(page.body.to_lowercase().contains(why), "{rate} {from}: {}", page.body);
    }

    let book = async |phone: &str| {
        let client = app.client("Петров Пётр", phone, Some(&anna)).await;
        let id = app.booking(&anna, &client, dep).await;
        app.crm.booking_card(&Actor::System, id).await.unwrap().booking.commission_bp
    };
    assert_eq!(book("+7 913 000-00-01").await, 1_200, "the tour's override wins");
    assert!(app.post(&admin, &tour_url, &[("rate", "")]).await.redirects_to("/commissions"));
    assert_eq!(book("+7 913 000-00-02").await, 750, "without an override, the agent's rate");
    let later = (app.crm.today() + Duration::days(10)).format("%d.%m.%Y").to_string();
    assert!(app.post(&admin, &agent_url, &[("rate", "9"), ("from", &later)]).await.redirects_to("/commissions"));
    assert_eq!(book("+7 913 000-00-03").await, 750, "a change applies from its day");
    app.clock.advance(chrono::Duration::days(10));
    assert_eq!(book("+7 913 000-00-04").await, 900);
    // Ten days on, the sessions have lapsed.
    let buh = app.sign_in("buh", PASSWORD).await;
    let admin = app.sign_in("boss", PASSWORD).await;

    let page = app.get(&buh, "/commissions").await;
    assert_eq!(page.status, StatusCode::OK);
    for shown in ["7,5 %", "12 %", "по ставке агента", "9 %", &later, "Сотрудник anna"] {
        assert!(page.body.contains(shown), "{shown}: {}", page.body);
    }
    assert!(!page.body.contains("action=\"/commissions/"), "the accountant reads, the admin edits");
    assert!(app.get(&admin, "/commissions").await.body.contains(&format!("action=\"{agent_url}\"")));
    let audit = app.crm.audit_log(&Actor::System, &AuditFilter { limit: 100, ..Default::default() }).await.unwrap();
    let changes = audit.iter().filter(|e| e.action.ends_with(".commission")).count();
    assert_eq!(changes, 4, "every change audited");
});

each_backend!(each_role_sees_its_figures_of_the_day, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let (oleg, operator) = app.signed_in("oleg", Role::Operator).await;
    let (anna, agent) = app.signed_in("anna", Role::Agent).await;
    let ivan = app.staff("ivan", Role::Agent).await;
    let (_, buh) = app.signed_in("buh", Role::Accountant).await;
    let mine = signed_booking(&app, &oleg, &anna, "+7 914 000-00-01").await;
    let other = signed_booking(&app, &oleg, &ivan, "+7 914 000-00-02").await;
    let pay = PaymentInput {
        booking_id: other,
        amount: Money::new(1_500_000, Currency::RUB),
        method: PaymentMethod::Cash,
        external_id: None,
        note: String::new(),
    };
    app.crm.record_client_payment(&Actor::System, pay).await.unwrap();
    // Yesterday's booking counts in nothing of today but its payment due.
    app.clock.advance(Duration::days(1));
    let figures = app.crm.day_figures(&Actor::staff(anna.id, Role::Agent)).await.unwrap();
    let DayFigures::Agent { bookings_today, due } = figures else { panic!("{figures:?}") };
    assert_eq!(bookings_today, 0);
    assert_eq!(due.len(), 1, "only the agent's own: {due:?}");
    assert_eq!((due[0].booking_id, due[0].amount.minor), (mine, 1_500_000));
    app.clock.advance(Duration::days(-1));

    let DayFigures::Agency { bookings_today, money_in_today, due, undelivered } =
        app.crm.day_figures(&Actor::System).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(bookings_today, 2);
    assert_eq!(money_in_today, vec![Money::new(1_500_000, Currency::RUB)]);
    assert_eq!(due.iter().map(|d| d.booking_id).collect::<Vec<_>>(), vec![mine], "the deposit of the other is paid");
    assert_eq!(undelivered, 0);

    for who in [&admin, &buh] {
        let page = app.get(who, "/").await;
        assert!(page.body.contains("<strong>2</strong><span>броней за сегодня"), "{}", page.body);
        assert!(page.body.contains(&rub("15 000,00")), "money in and due: {}", page.body);
        assert!(page.body.contains("сообщений не доставлено"));
        // The month's KPIs: the admin's, once; not the accountant's start page.
        let kpi_blocks = page.body.matches("Показатели месяца").count();
        assert_eq!(kpi_blocks, usize::from(std::ptr::eq(who, &admin)), "{}", page.body);
    }
    let page = app.get(&agent, "/").await;
    assert!(page.body.contains("<strong>1</strong><span>ваших броней за сегодня"), "{}", page.body);
    assert!(page.body.contains(&format!("/bookings/{mine}")) && !page.body.contains(&format!("/bookings/{other}\"")));
    assert!(!page.body.contains("поступило от клиентов"), "an agent does not see the agency's money");
    let page = app.get(&operator, "/").await;
    assert!(page.body.contains("<strong>2</strong><span>броней ваших туров за сегодня"), "{}", page.body);
    assert!(page.body.contains("Алтай: золотые горы") && page.body.contains("9 из 10"), "{}", page.body);
});

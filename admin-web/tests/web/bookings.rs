//! Booking pages: the card with its money and history, the status change along the table only
//! (with a reason), who sees which bookings, the list's filters and pages, hostile text.

use crate::each_backend;
use axum::http::StatusCode;
use chrono::Duration;
use crm::domain::{BookingStatus, Currency, Money, PaymentMethod, Role};
use crm::services::PaymentInput;
use crm::{Actor, Crm};

async fn status_of(crm: &Crm, id: crm::domain::BookingId) -> BookingStatus {
    crm.booking_card(&Actor::System, id).await.unwrap().booking.status
}

each_backend!(the_card_shows_travellers_money_operations_and_history, |app| {
    let (oleg, operator) = app.signed_in("oleg", Role::Operator).await;
    let (anna, agent) = app.signed_in("anna", Role::Agent).await;
    let (buh, accountant) = app.signed_in("buh", Role::Accountant).await;
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let (_, dep) = app.published_tour(&oleg).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", Some(&anna)).await;
    let id = app.booking(&anna, &client, dep).await;
    let card = format!("/bookings/{id}");
    let sign = [("to", "contract_signed"), ("reason", "Подписан в офисе")];
    assert!(
        app.post(&admin, &format!("{card}/status"), &sign).await.redirects_to(&format!("{card}?saved=status#status"))
    );
    let moved = app.get(&admin, &format!("{card}?saved=status")).await.body;
    assert!(moved.contains("<p class=\"ok\" role=\"status\">Статус изменён"), "{moved}");
    let payment = PaymentInput {
        booking_id: id,
        amount: Money::new(2_000_000, Currency::RUB),
        method: PaymentMethod::Cash,
        external_id: None,
        note: "Внесла в кассу".into(),
    };
    app.crm.record_client_payment(&Actor::staff(buh.id, Role::Accountant), payment).await.unwrap();

    let page = app.get(&admin, &card).await;
    assert_eq!(page.status, StatusCode::OK);
    let start = app.crm.today() + Duration::days(30);
    for shown in [
        "Иванова Мария",
        "Алтай: золотые горы",
        &format!("{} – {}", start.format("%d.%m.%Y"), (start + Duration::days(6)).format("%d.%m.%Y")),
        "05.03.1990",
        "Сотрудник anna",
        "50\u{a0}000\u{a0}₽",
        "частичная оплата",
        // The deposit (30 %) is covered, the balance partly: 5 000 of 35 000.
        "15\u{a0}000\u{a0}₽",
        "оплачен частично",
        "30\u{a0}000\u{a0}₽",
        "оплата от клиента",
        "Внесла в кассу",
        "Сотрудник buh",
        "бронирование создано",
        "заключение договора → договор подписан",
        "Подписан в офисе",
        "Сотрудник boss",
    ] {
        assert!(page.body.contains(shown), "{shown} on the card");
    }
    // The admin may move it; from «частичная оплата» a person may only ask to cancel.
    assert!(page.body.contains("value=\"cancellation_requested\""));
    assert!(!page.body.contains("<option value=\"paid\""), "payments, not people, mark it paid");

    // The accountant and the agent read it without the form; the operator without the ledger.
    for b in [&accountant, &agent] {
        let page = app.get(b, &card).await;
        assert!(page.body.contains("Внесла в кассу") && !page.body.contains("Перевести"));
    }
    let page = app.get(&operator, &card).await;
    assert_eq!(page.status, StatusCode::OK, "bookings of the operator's own tour");
    assert!(page.body.contains("Иванова Мария") && !page.body.contains("Внесла в кассу"));
    assert!(page.body.contains("20\u{a0}000\u{a0}₽"), "what is paid is shown");
});

each_backend!(the_status_moves_only_along_the_table_with_a_reason, |app| {
    let (oleg, operator) = app.signed_in("oleg", Role::Operator).await;
    let (anna, agent) = app.signed_in("anna", Role::Agent).await;
    let (_, accountant) = app.signed_in("buh", Role::Accountant).await;
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let (_, dep) = app.published_tour(&oleg).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", Some(&anna)).await;
    let id = app.booking(&anna, &client, dep).await;
    let path = format!("/bookings/{id}/status");

    let page = app.get(&admin, &format!("/bookings/{id}")).await;
    let form = page.body.split("name=\"to\"").nth(1).unwrap().split("</select>").next().unwrap();
    assert_eq!(
        form.matches("<option value=\"").count(),
        3,
        "none chosen, contract signed or cancellation request: {form}"
    );
    assert!(form.contains("договор подписан") && form.contains("запрос отмены бронирования"));

    let no_reason = app.post(&admin, &path, &[("to", "contract_signed"), ("reason", "   ")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("Укажите причину."));
    let skipping = app.post(&admin, &path, &[("to", "paid"), ("reason", "Клиент сказал, что оплатил")]).await;
    assert_eq!(skipping.status, StatusCode::CONFLICT);
    assert!(skipping.body.contains("Из статуса «заключение договора» в «полная оплата» перевести нельзя."));
    assert!(skipping.body.contains("Клиент сказал, что оплатил"), "the reason is kept");
    let made_up = app.post(&admin, &path, &[("to", "booked"), ("reason", "x")]).await;
    assert_eq!(made_up.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(made_up.body.contains("Выберите новый статус из списка."));
    for b in [&agent, &accountant, &operator] {
        let page = app.post(b, &path, &[("to", "cancellation_requested"), ("reason", "Передумал")]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(!page.body.contains("Иванова Мария"));
    }
    assert_eq!(status_of(&app.crm, id).await, BookingStatus::ContractPending, "nothing moved");

    // Asked to cancel and changed their mind: the card offers the way back, named for what it
    // does, to the status it was asked from only.
    let asked = app.post(&admin, &path, &[("to", "cancellation_requested"), ("reason", "Сомневается")]).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let card = app.get(&admin, &format!("/bookings/{id}")).await;
    assert!(
        card.body.contains(
            "<option value=\"contract_pending\">отозвать запрос отмены (снова «заключение договора»)</option>"
        ),
        "{}",
        card.body
    );
    assert!(
        card.body.contains("<option value=\"\" selected disabled>— выберите —</option>"),
        "nothing chosen for the user"
    );
    let none = app.post(&admin, &path, &[("to", ""), ("reason", "Передумал отменять")]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = app.post(&admin, &path, &[("to", "contract_signed"), ("reason", "Передумал отменять")]).await;
    assert_eq!(wrong.status, StatusCode::CONFLICT);
    let back = app.post(&admin, &path, &[("to", "contract_pending"), ("reason", "Передумал отменять")]).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app.crm, id).await, BookingStatus::ContractPending);

    let script = "<script>alert(1)</script>";
    for (to, reason) in [("cancellation_requested", script), ("cancelled", "Отказ клиента")] {
        assert_eq!(app.post(&admin, &path, &[("to", to), ("reason", reason)]).await.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(status_of(&app.crm, id).await, BookingStatus::Cancelled);
    let card = app.get(&admin, &format!("/bookings/{id}")).await;
    assert!(card.body.contains("&lt;script&gt;") && !card.body.contains("<script>"), "hostile reason escaped");
    assert!(card.body.contains("Бронь в конечном статусе") && !card.body.contains("name=\"to\""));
    assert!(
        card.body.contains("<dt>Осталось вернуть</dt><dd>0\u{a0}₽</dd>"),
        "nothing was paid, nothing to return: {}",
        card.body
    );
    assert_eq!(
        app.crm
            .tour_card(&Actor::System, app.crm.booking_card(&Actor::System, id).await.unwrap().booking.tour_id)
            .await
            .unwrap()
            .departures[0]
            .seats_booked,
        0,
        "cancelling released the seat"
    );
    let again = app.post(&admin, &path, &[("to", "cancelled"), ("reason", "ещё раз")]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("Бронь уже в статусе «бронь аннулирована»."), "{}", again.body);

    // The client is told of each move made here exactly once, through the outbox; refused
    // moves said nothing.
    let filter = crm::services::OutboxFilter { limit: 50, ..Default::default() };
    let rows = app.crm.outbox_entries(&Actor::System, filter).await.unwrap();
    let mut told: Vec<&str> = rows.iter().filter(|r| r.kind == "booking_status").map(|r| r.body.as_str()).collect();
    told.sort();
    assert_eq!(told.len(), 4, "{told:#?}");
    assert_eq!(told.iter().filter(|t| t.contains("новый статус — запрос отмены бронирования")).count(), 2);
    assert!(
        told.iter().any(|t| t.contains("запрос отмены отозван, бронь снова действует — статус «заключение договора»")),
        "the way back too: {told:#?}"
    );
    assert!(told.iter().any(|t| t.contains("новый статус — бронь аннулирована")));
});

each_backend!(each_role_lists_the_bookings_it_may_see_with_filters_and_pages, |app| {
    let (oleg, operator) = app.signed_in("oleg", Role::Operator).await;
    let olga = app.staff("olga", Role::Operator).await;
    let (anna, agent) = app.signed_in("anna", Role::Agent).await;
    let boris = app.staff("boris", Role::Agent).await;
    let (_, accountant) = app.signed_in("buh", Role::Accountant).await;
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let (tour, dep) = app.published_tour(&oleg).await;
    let (other_tour, other_dep) = app.published_tour(&olga).await;
    let sys = Actor::System;
    app.crm.set_departure_capacity(&sys, dep, 100).await.unwrap();
    let mine = app.client("Иванова Мария", "+7 912 345-67-89", Some(&anna)).await;
    let theirs = app.client("Петров Пётр", "+7 912 000-00-02", Some(&boris)).await;
    for _ in 0..52 {
        app.booking(&anna, &mine, dep).await;
    }
    let boris_booking = app.booking(&boris, &theirs, other_dep).await;
    app.crm.change_booking_status(&sys, boris_booking, BookingStatus::ContractSigned, "подписан").await.unwrap();
    let rows = |body: &str| body.matches("<tr").count().saturating_sub(1);

    let first = app.get(&admin, "/bookings").await;
    assert_eq!(rows(&first.body), 50);
    let next = first.body.split("href=\"/bookings?").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
    assert_eq!(rows(&app.get(&admin, &format!("/bookings?{next}")).await.body), 3);
    let signed = app.get(&admin, "/bookings?status=contract_signed").await;
    assert!(rows(&signed.body) == 1 && signed.body.contains("Петров Пётр"));
    let by_agent = app.get(&accountant, &format!("/bookings?agent={}", boris.id)).await;
    assert!(rows(&by_agent.body) == 1 && by_agent.body.contains("Петров Пётр"));
    assert!(by_agent.body.contains("name=\"agent\""), "the accountant filters by agent");
    let by_tour = app.get(&admin, &format!("/bookings?tour={other_tour}")).await;
    assert!(rows(&by_tour.body) == 1 && by_tour.body.contains("Петров Пётр"));
    let start = app.crm.today() + Duration::days(30);
    let day = |d: chrono::NaiveDate| d.format("%d.%m.%Y").to_string();
    let in_range = app.get(&admin, &format!("/bookings?from={}&until={}&tour={tour}", day(start), day(start))).await;
    assert_eq!(rows(&in_range.body), 50);
    let later = app.get(&admin, &format!("/bookings?from={}", day(start + Duration::days(1)))).await;
    assert_eq!(rows(&later.body), 0);
    let bad_date = app.get(&admin, "/bookings?from=31.02.2027&until=1.2.27").await;
    assert!(bad_date.body.contains("Такого дня нет в календаре") && bad_date.body.contains("31.02.2027"));
    assert!(bad_date.body.contains("Дата должна быть в формате дд.мм.гггг"), "a typo is still a format error");

    // Agents see their own, operators their tours', whatever the filter says.
    let own = app.get(&agent, &format!("/bookings?agent={}&tour={other_tour}", boris.id)).await;
    assert_eq!(rows(&own.body), 0, "an agent never gets another agent's bookings");
    assert!(!own.body.contains("name=\"agent\""));
    let own = app.get(&agent, "/bookings?status=contract_signed").await;
    assert!(!own.body.contains("Петров Пётр"));
    let ops = app.get(&operator, "/bookings").await;
    assert_eq!(rows(&ops.body), 50);
    assert!(!ops.body.contains("Петров Пётр"));
    assert_eq!(app.get(&operator, &format!("/bookings/{boris_booking}")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&agent, &format!("/bookings/{boris_booking}")).await.status, StatusCode::FORBIDDEN);
});

each_backend!(tampered_booking_ids_end_in_a_clear_page, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    for path in ["/bookings/999999", "/bookings/abc", "/bookings/-3"] {
        let page = app.get(&admin, path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.body.contains("Страница не найдена"));
    }
    let page = app.post(&admin, "/bookings/999999/status", &[("to", "cancelled"), ("reason", "x")]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    // A URL no route knows keeps the navigation too, and a form's action opened as a link says
    // what it is rather than the browser's bare 405.
    let page = app.get(&admin, "/clients/1/passport").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("Страница не найдена") && page.body.contains("<nav class=\"main\">"), "{}", page.body);
    assert_eq!(page.cache_control.as_deref(), Some("no-store"), "it names who is signed in");
    let page = app.get(&admin, "/bookings/1/status").await;
    assert_eq!(page.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(page.body.contains("Ссылка не открывается сама") && page.body.contains("<nav class=\"main\">"));
    // A period that ends before it starts is said to be one.
    let page = app.get(&admin, "/bookings?from=10.01.2027&until=01.01.2027").await;
    assert!(page.body.contains("Дата окончания не может быть раньше даты начала"), "{}", page.body);
    // Nobody signed in: the same pages, without the navigation.
    let page = app.get(&crate::helpers::Browser::default(), "/nowhere").await;
    assert!(page.body.contains("Страница не найдена") && !page.body.contains("<nav class=\"main\">"));
});

each_backend!(the_client_card_lists_the_bookings_and_the_history_links_them, |app| {
    let (oleg, operator) = app.signed_in("oleg", Role::Operator).await;
    let (anna, agent) = app.signed_in("anna", Role::Agent).await;
    let (_, accountant) = app.signed_in("buh", Role::Accountant).await;
    let (_, dep) = app.published_tour(&oleg).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", Some(&anna)).await;
    let id = app.booking(&anna, &client, dep).await;
    let me = Actor::Client(client.id);
    app.crm.change_booking_status(&me, id, BookingStatus::CancellationRequested, "Заболела").await.unwrap();

    let page = app.get(&agent, &format!("/clients/{}", client.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    let bookings = page.body.split("id=\"bookings\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(bookings.contains(&format!("<a href=\"/bookings/{id}\">№{id}</a>")), "{bookings}");
    assert!(bookings.contains("Алтай: золотые горы") && bookings.contains("запрос отмены бронирования"));
    let history = page.body.split("id=\"history\"").nth(1).unwrap();
    assert_eq!(history.matches(&format!("<a href=\"/bookings/{id}\">бронь №{id}</a>")).count(), 2, "{history}");
    assert!(history.contains("(Заболела)"), "{history}");

    // The accountant reads the card's bookings but not the history.
    let page = app.get(&accountant, &format!("/clients/{}", client.id)).await;
    assert!(page.body.contains(&format!("href=\"/bookings/{id}\"")) && !page.body.contains("id=\"history\""));

    // In the bookings list the client's name opens the client; the operator, who may not open
    // clients, sees the name only.
    let list = app.get(&agent, "/bookings").await;
    assert!(list.body.contains(&format!("<a href=\"/clients/{}\">Иванова Мария</a>", client.id)), "{}", list.body);
    let list = app.get(&operator, "/bookings").await;
    assert!(list.body.contains("Иванова Мария") && !list.body.contains("href=\"/clients/"), "{}", list.body);
});

//! Staff pages and the audit log: secrets shown once, invites, filters, entries in words.

use crate::each_backend;
use crate::helpers::{PASSWORD, spawn, spawn_with};
use axum::http::StatusCode;
use chrono::Duration;
use crm::Actor;
use crm::domain::{Currency, Money, PaymentMethod, Role};
use crm::services::PaymentInput;
use testkit::Backend;

#[tokio::test]
async fn adding_staff_shows_the_password_and_invite_once() {
    let app =
        spawn_with(Backend::Sqlite, |crm| admin_web::AppState::configured(crm, None, Some("agency_bot".into()))).await;
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let bad = app.post(&admin, "/staff", &[("login", "я"), ("name", "Петров Пётр"), ("role", "agent")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Логин: 3–32") && bad.body.contains("value=\"Петров Пётр\""));
    let page = app.post(&admin, "/staff", &[("login", "petrov"), ("name", "Петров Пётр"), ("role", "agent")]).await;
    assert_eq!(page.status, StatusCode::OK);
    // Tera escapes `/` as `&#x2F;`, which browsers read back as `/`.
    let body = page.body.replace("&#x2F;", "/");
    assert!(body.contains("href=\"https://t.me/agency_bot?start=staff_"), "{body}");
    let start = page.body.find("<code class=\"secret\">").unwrap() + "<code class=\"secret\">".len();
    let password = &page.body[start..start + 14];
    let (signed, _) = app.try_sign_in("petrov", password).await;
    assert!(signed.redirects_to("/password"), "the shown password works once: {signed:?}");
    let taken = app.post(&admin, "/staff", &[("login", "petrov"), ("name", "Петров Пётр"), ("role", "agent")]).await;
    assert!(taken.body.contains("Этот логин уже занят"));
    let list = app.get(&admin, "/staff").await;
    assert!(list.body.contains("Петров Пётр") && !list.body.contains(password), "never shown again");
}

#[tokio::test]
async fn reset_password_and_invite_without_a_bot_name() {
    let app = spawn(Backend::Sqlite).await;
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let (anna, _) = app.signed_in("anna", Role::Agent).await;
    let reset = app.post(&admin, &format!("/staff/{}/password", anna.id), &[]).await;
    assert_eq!(reset.status, StatusCode::OK);
    assert!(reset.body.contains("Пароль сброшен"));
    assert_eq!(app.try_sign_in("anna", PASSWORD).await.0.status, StatusCode::UNAUTHORIZED);
    let invite = app.post(&admin, &format!("/staff/{}/invite", anna.id), &[]).await;
    assert!(invite.body.contains("/start staff_") && invite.body.contains("TOURCRM_BOT_USERNAME"));
    let me = app.post(&admin, "/staff/1/active", &[("active", "0")]).await;
    assert_eq!(me.status, StatusCode::FORBIDDEN, "an admin cannot switch themselves off");
}

/// The rows of the audit page (its filters list every action and kind of record).
fn log_rows(body: &str) -> &str {
    body.split_once("<tbody>").map_or("", |(_, rows)| rows)
}

/// The page without its `title="…"` tooltips, which keep each action's stored code.
fn without_tooltips(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find(" title=\"") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " title=\"".len()..];
        rest = after.find('"').map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn the_audit_log_filters_and_names_people() {
    let app = spawn(Backend::Sqlite).await;
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", None).await;
    app.post(&admin, &format!("/clients/{}/blacklist", client.id), &[("on", "1"), ("reason", "Проверка")]).await;
    let all = app.get(&admin, "/audit").await;
    let rows = log_rows(&all.body);
    assert!(rows.contains("Вход в панель") && rows.contains("Клиент внесён в чёрный список"), "{rows}");
    let only = app.get(&admin, "/audit?action=client.blacklist").await;
    let rows = log_rows(&only.body);
    assert!(rows.contains("Клиент внесён в чёрный список") && !rows.contains("Вход в панель"), "{rows}");
    assert!(rows.contains("Сотрудник boss") && rows.contains("Причина: Проверка"), "{rows}");
    assert!(rows.contains(&format!("<a href=\"/clients/{}\">клиент №{}</a>", client.id, client.id)), "{rows}");
    assert!(only.body.contains("<option value=\"client.blacklist\" selected>"), "the filter keeps its choice");
}

each_backend!(the_staff_page_shows_a_locked_login_and_an_admin_unlocks_it, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let anna = app.staff("anna", Role::Agent).await;
    for _ in 0..5 {
        app.try_sign_in("anna", "неверный").await;
    }
    let list = app.get(&admin, "/staff").await;
    assert!(list.body.contains("вход заблокирован до 25.11.2026 12:15"), "{}: {}", app.backend, list.body);
    assert!(list.body.contains(&format!("action=\"/staff/{}/unlock\"", anna.id)));
    assert_eq!(list.body.matches("Разблокировать вход").count(), 1, "only the locked member has the button");
    let done = app.post(&admin, &format!("/staff/{}/unlock", anna.id), &[]).await;
    assert!(done.redirects_to("/staff"), "{done:?}");
    let list = app.get(&admin, "/staff").await;
    assert!(!list.body.contains("заблокирован") && !list.body.contains("Разблокировать вход"));
    assert!(app.try_sign_in("anna", PASSWORD).await.0.redirects_to("/"), "{}: unlocked", app.backend);
    let audit = app.get(&admin, "/audit?action=staff.unlock").await;
    let rows = log_rows(&audit.body);
    assert!(rows.contains("Блокировка входа снята") && rows.contains("Сотрудник boss"), "{rows}");
    assert!(rows.contains(&format!("<a href=\"/staff#staff-{}\">сотрудник Сотрудник anna</a>", anna.id)), "{rows}");
    assert!(rows.contains("Блокировка до: 25.11.2026 12:15 (МСК)"), "{rows}");
});

each_backend!(a_password_reset_on_the_staff_page_lifts_the_lock, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let anna = app.staff("anna", Role::Agent).await;
    for _ in 0..5 {
        app.try_sign_in("anna", "неверный").await;
    }
    let reset = app.post(&admin, &format!("/staff/{}/password", anna.id), &[]).await;
    assert_eq!(reset.status, StatusCode::OK);
    let start = reset.body.find("<code class=\"secret\">").unwrap() + "<code class=\"secret\">".len();
    let password = &reset.body[start..start + 14];
    let (signed, _) = app.try_sign_in("anna", password).await;
    assert!(signed.redirects_to("/password"), "{}: the reset lifted the lock: {signed:?}", app.backend);
    assert!(!app.get(&admin, "/staff").await.body.contains("заблокирован"));
});

each_backend!(the_audit_log_reads_in_words_with_links_and_money, |app| {
    let (oleg, _) = app.signed_in("oleg", Role::Operator).await;
    let (anna, _) = app.signed_in("anna", Role::Agent).await;
    let (buh, _) = app.signed_in("buh", Role::Accountant).await;
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let (tour, dep) = app.published_tour(&oleg).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", Some(&anna)).await;
    let id = app.booking(&anna, &client, dep).await;
    let sign = [("to", "contract_signed"), ("reason", "Подписан в офисе")];
    app.post(&admin, &format!("/bookings/{id}/status"), &sign).await;
    let payment = PaymentInput {
        booking_id: id,
        amount: Money::new(2_000_000, Currency::RUB),
        method: PaymentMethod::Cash,
        external_id: None,
        note: String::new(),
    };
    app.crm.record_client_payment(&Actor::staff(buh.id, Role::Accountant), payment).await.unwrap();
    let start = app.crm.today() + Duration::days(30);
    let dates = format!("{}–{}", start.format("%d.%m"), (start + Duration::days(6)).format("%d.%m.%Y"));

    let page = app.get(&admin, &format!("/audit?entity=booking&entity_id={id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let rows = log_rows(&page.body);
    let link = format!("<a href=\"/bookings/{id}\">бронь №{id}</a>");
    assert_eq!(rows.matches(&link).count(), 3, "{}: created, signed, paid: {rows}", app.backend);
    for shown in [
        "Бронирование создано",
        "Тур: Алтай: золотые горы",
        &format!("Выезд: {dates}"),
        "Сумма: 50\u{a0}000\u{a0}₽",
        "Бронь переведена: договор подписан",
        "Причина: Подписан в офисе",
        "Оплата от клиента",
        "Сумма: 20\u{a0}000\u{a0}₽",
        "Сотрудник buh",
    ] {
        assert!(rows.contains(shown), "{}: {shown} in {rows}", app.backend);
    }
    // The stored codes stay in the tooltips only; nothing raw is left for people to decode.
    let words = without_tooltips(rows);
    for raw in ["booking.", "ledger.", "amount=", "operation=", "2000000", "client="] {
        assert!(!words.contains(raw), "{}: {raw} in {words}", app.backend);
    }
    let tours = app.get(&admin, &format!("/audit?action=tour.published&entity_id={}", tour.0)).await;
    let tour_link = format!("<a href=\"/tours/{}\">тур №{}</a>", tour.0, tour.0);
    assert!(log_rows(&tours.body).contains(&tour_link), "{}", tours.body);
    assert!(log_rows(&tours.body).contains("Тур опубликован"));
});

each_backend!(rows_written_before_details_had_fields_show_as_they_were, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let at = crm::store::time::ts(app.crm.now());
    for (action, entity, id, details) in [
        ("ledger.client_payment", "booking", "7", "operation=5 amount=10140000"),
        ("broadcast.create", "broadcast", "3", r#"{"tag_keys":[],"city":null}"#),
        ("crm.some_old_action", "ledger_row", "9", "kept as written"),
    ] {
        sqlx::query(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id, details) VALUES ($1, 'system', $2, $3, $4, $5)",
        )
        .bind(&at)
        .bind(action)
        .bind(entity)
        .bind(id)
        .bind(details)
        .execute(app.crm.store().pool())
        .await
        .unwrap();
    }
    let rows = app.get(&admin, "/audit?actor=system").await.body;
    let rows = log_rows(&rows);
    for shown in [
        "Оплата от клиента",
        "<a href=\"/bookings/7\">бронь №7</a>",
        "operation=5 amount=10140000",
        "Рассылка создана",
        "{&quot;tag_keys&quot;:[],&quot;city&quot;:null}",
        // A code no version of the vocabulary knows is shown as stored, never hidden.
        "crm.some_old_action",
        "ledger_row №9",
        "kept as written",
    ] {
        assert!(rows.contains(shown), "{}: {shown} in {rows}", app.backend);
    }
});

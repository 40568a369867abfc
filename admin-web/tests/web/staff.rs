//! Staff pages and the audit log: secrets shown once, invites, filters.

use crate::each_backend;
use crate::helpers::{PASSWORD, spawn, spawn_with};
use axum::http::StatusCode;
use crm::domain::Role;
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

#[tokio::test]
async fn the_audit_log_filters_and_names_people() {
    let app = spawn(Backend::Sqlite).await;
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", None).await;
    app.post(&admin, &format!("/clients/{}/blacklist", client.id), &[("on", "1"), ("reason", "Проверка")]).await;
    let all = app.get(&admin, "/audit").await;
    assert!(all.body.contains("staff.sign_in") && all.body.contains("client.blacklist"));
    let only = app.get(&admin, "/audit?action=client.blacklist").await;
    assert!(only.body.contains("client.blacklist") && !only.body.contains("staff.sign_in"));
    assert!(only.body.contains("Сотрудник boss") && only.body.contains("Проверка"));
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
    assert!(audit.body.contains("staff.unlock") && audit.body.contains("Сотрудник boss"), "{}", audit.body);
    assert!(audit.body.contains(&format!("staff №{}", anna.id)), "{}", audit.body);
    assert!(audit.body.contains("блокировка входа до 25.11.2026 12:15 (МСК) снята"), "{}", audit.body);
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

//! Sign-in, the forced password change, sessions (expiry, sign-out, deactivation), the
//! lockout after failed sign-ins (attacked in parallel, through the password change and from one
//! address), and CSRF: a form without this session's token changes nothing.

use crate::each_backend;
use crate::helpers::{Browser, PASSWORD, spawn_with};
use axum::http::StatusCode;
use chrono::Duration;
use crm::Actor;
use crm::domain::Role;
use crm::services::{ADDRESS_MAX_FAILURES, NewStaffInput};
use std::net::IpAddr;
use testkit::Backend;

each_backend!(the_first_sign_in_forces_a_password_change, |app| {
    let created = app
        .crm
        .add_staff(&Actor::System, NewStaffInput { login: "anna", name: "Смирнова Анна", role: Role::Admin })
        .await
        .unwrap();
    let (page, mut b) = app.try_sign_in("Anna", &created.password).await;
    assert!(page.redirects_to("/password"), "{page:?}");
    let cookie = page.set_cookies.iter().find(|c| c.starts_with("tourcrm_session=")).unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"), "{cookie}");
    for path in ["/", "/clients", "/staff", "/audit"] {
        assert!(app.get(&b, path).await.redirects_to("/password"), "{path} before the change");
    }
    let form = app.get(&b, "/password").await;
    assert!(form.body.contains("одноразовым паролем"));
    let short = app.post(&b, "/password", &[("old", &created.password), ("new", "short"), ("repeat", "short")]).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("не короче 10 символов"));
    let mismatch =
        app.post(&b, "/password", &[("old", &created.password), ("new", PASSWORD), ("repeat", "другой")]).await;
    assert!(mismatch.body.contains("Пароли не совпадают"));
    let wrong = app.post(&b, "/password", &[("old", "не тот"), ("new", PASSWORD), ("repeat", PASSWORD)]).await;
    assert!(wrong.body.contains("Текущий пароль указан неверно"));
    let done = app.post(&b, "/password", &[("old", &created.password), ("new", PASSWORD), ("repeat", PASSWORD)]).await;
    assert!(done.redirects_to("/?password_changed=1"), "{done:?}");
    b.csrf = app.get(&b, "/").await.csrf();
    let home = app.get(&b, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Смирнова Анна"));
    // The one-time password is spent; the new one works.
    assert_eq!(app.try_sign_in("anna", &created.password).await.0.status, StatusCode::UNAUTHORIZED);
    assert!(app.try_sign_in("anna", PASSWORD).await.0.redirects_to("/"));
});

each_backend!(a_wrong_password_and_an_unknown_login_get_the_same_answer, |app| {
    app.staff("anna", Role::Agent).await;
    let (wrong, b) = app.try_sign_in("anna", "неверный пароль").await;
    let (unknown, _) = app.try_sign_in("nobody", "неверный пароль").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Неверный логин или пароль"));
    assert!(unknown.body.contains("Неверный логин или пароль"));
    assert!(b.session.is_none());
    assert!(wrong.body.contains("value=\"anna\""), "the login is kept in the form");
});

each_backend!(five_failures_lock_the_login_for_fifteen_minutes, |app| {
    app.staff("anna", Role::Agent).await;
    for i in 1..=4 {
        let (page, _) = app.try_sign_in("anna", "неверный").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let (fifth, _) = app.try_sign_in("anna", "неверный").await;
    assert_eq!(fifth.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(fifth.body.contains("заблокирован до 25.11.2026 12:15"), "{}", fifth.body);
    // Even the right password is not checked while locked.
    let (locked, b) = app.try_sign_in("anna", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(b.session.is_none());
    app.clock.advance(Duration::minutes(16));
    let (open, _) = app.try_sign_in("anna", PASSWORD).await;
    assert!(open.redirects_to("/"), "{open:?}");
    // A success clears the count: four more failures do not lock.
    for _ in 0..4 {
        assert_eq!(app.try_sign_in("anna", "неверный").await.0.status, StatusCode::UNAUTHORIZED);
    }
    assert!(app.try_sign_in("anna", PASSWORD).await.0.redirects_to("/"));
});

each_backend!(thirty_one_parallel_sign_ins_check_five_passwords_and_leave_the_login_locked, |app| {
    app.staff("anna", Role::Admin).await;
    let app = std::sync::Arc::new(app);
    let before = app.crm.password_checks();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..31u8 {
        let app = app.clone();
        let from = IpAddr::from([198, 51, 100, i]);
        tasks.spawn(async move { app.try_sign_in_from(from, "anna", "неверный").await.0.status });
    }
    let statuses = tasks.join_all().await;
    assert_eq!(app.crm.password_checks() - before, 5, "{}: argon2 checks", app.backend);
    let count = |status| statuses.iter().filter(|s| **s == status).count();
    assert_eq!(count(StatusCode::UNAUTHORIZED), 4, "{}: {statuses:?}", app.backend);
    assert_eq!(count(StatusCode::TOO_MANY_REQUESTS), 27, "{}: {statuses:?}", app.backend);
    let (locked, b) = app.try_sign_in("anna", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "{}", app.backend);
    assert!(locked.body.contains("заблокирован до 25.11.2026 12:15"), "{}", locked.body);
    assert!(b.session.is_none());
    assert_eq!(app.crm.password_checks() - before, 5, "the right password was not checked either");
});

each_backend!(wrong_old_passwords_on_the_password_page_lock_the_login, |app| {
    let (_, b) = app.signed_in("anna", Role::Agent).await;
    let new = "Новый-пароль-надёжный";
    for _ in 0..4 {
        let wrong = app.post(&b, "/password", &[("old", "не тот"), ("new", new), ("repeat", new)]).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains("Текущий пароль указан неверно"));
    }
    let fifth = app.post(&b, "/password", &[("old", "не тот"), ("new", new), ("repeat", new)]).await;
    assert_eq!(fifth.status, StatusCode::TOO_MANY_REQUESTS, "{}", app.backend);
    assert!(fifth.body.contains("заблокированы до 25.11.2026 12:15"), "{}", fifth.body);
    let right = app.post(&b, "/password", &[("old", PASSWORD), ("new", new), ("repeat", new)]).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS, "not checked while locked");
    let (sign_in, _) = app.try_sign_in("anna", PASSWORD).await;
    assert_eq!(sign_in.status, StatusCode::TOO_MANY_REQUESTS, "{}: the same lock", app.backend);
    assert!(sign_in.body.contains("заблокирован до 25.11.2026 12:15"));
    assert_eq!(app.get(&b, "/").await.status, StatusCode::OK, "the session itself goes on");
    app.clock.advance(Duration::minutes(15));
    let done = app.post(&b, "/password", &[("old", PASSWORD), ("new", new), ("repeat", new)]).await;
    assert!(done.redirects_to("/?password_changed=1"), "{done:?}");
});

each_backend!(one_address_gets_thirty_failed_sign_ins_then_waits, |app| {
    app.staff("anna", Role::Agent).await;
    let from = IpAddr::from([203, 0, 113, 9]);
    // A different login each time: no login's lock comes into play, only the address's budget.
    for i in 0..ADDRESS_MAX_FAILURES {
        let (page, _) = app.try_sign_in_from(from, &format!("guess{i}"), "неверный").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{}: attempt {i}", app.backend);
    }
    let before = app.crm.password_checks();
    let (waits, b) = app.try_sign_in_from(from, "anna", PASSWORD).await;
    assert_eq!(waits.status, StatusCode::TOO_MANY_REQUESTS, "{}", app.backend);
    assert!(waits.body.contains("с вашего адреса") && waits.body.contains("до 25.11.2026 12:15"), "{}", waits.body);
    assert!(b.session.is_none());
    assert_eq!(app.crm.password_checks(), before, "nothing checked for the address");
    assert!(app.try_sign_in("anna", PASSWORD).await.0.redirects_to("/"), "another address signs in");
    app.clock.advance(Duration::minutes(15));
    assert!(app.try_sign_in_from(from, "anna", PASSWORD).await.0.redirects_to("/"), "{}", app.backend);
});

each_backend!(a_session_expires_after_eight_idle_hours_but_not_while_used, |app| {
    let (_, b) = app.signed_in("anna", Role::Admin).await;
    for _ in 0..3 {
        app.clock.advance(Duration::hours(7));
        assert_eq!(app.get(&b, "/").await.status, StatusCode::OK, "used every 7 hours, the session lives on");
    }
    app.clock.advance(Duration::hours(8) + Duration::minutes(1));
    let page = app.get(&b, "/clients").await;
    assert!(page.redirects_to("/login?expired=1"), "{page:?}");
    assert_eq!(page.cookie("tourcrm_session").as_deref(), Some(""), "the dead cookie is deleted");
    let login = app.get(&Browser::default(), "/login?expired=1").await;
    assert!(login.body.contains("Сеанс завершён"));
    // Signing in again works.
    assert!(app.try_sign_in("anna", PASSWORD).await.0.redirects_to("/"));
});

each_backend!(signing_out_ends_the_session_on_the_server, |app| {
    let (_, b) = app.signed_in("anna", Role::Admin).await;
    let out = app.post(&b, "/logout", &[]).await;
    assert!(out.redirects_to("/login"));
    assert_eq!(out.cookie("tourcrm_session").as_deref(), Some(""));
    // The old cookie, replayed, is worth nothing.
    assert!(app.get(&b, "/").await.redirects_to("/login?expired=1"));
    let token = b.session.clone().unwrap();
    assert!(app.crm.session_actor(&token).await.unwrap().is_none());
});

each_backend!(a_deactivated_member_is_signed_out_at_the_next_request, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let (anna, b) = app.signed_in("anna", Role::Agent).await;
    assert_eq!(app.get(&b, "/").await.status, StatusCode::OK);
    let off = app.post(&admin, &format!("/staff/{}/active", anna.id), &[("active", "0")]).await;
    assert!(off.redirects_to("/staff"), "{off:?}");
    assert!(app.get(&b, "/").await.redirects_to("/login?expired=1"));
    assert_eq!(app.try_sign_in("anna", PASSWORD).await.0.status, StatusCode::UNAUTHORIZED);
});

each_backend!(changing_the_password_ends_the_other_sessions, |app| {
    let (_, laptop) = app.signed_in("anna", Role::Agent).await;
    let phone = app.sign_in("anna", PASSWORD).await;
    let new = "Новый-пароль-надёжный";
    let done = app.post(&laptop, "/password", &[("old", PASSWORD), ("new", new), ("repeat", new)]).await;
    assert!(done.redirects_to("/?password_changed=1"));
    assert_eq!(app.get(&laptop, "/").await.status, StatusCode::OK);
    assert!(app.get(&phone, "/").await.redirects_to("/login?expired=1"));
});

each_backend!(a_form_without_the_session_token_changes_nothing, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let (_, other) = app.signed_in("chief", Role::Admin).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", None).await;
    let path = format!("/clients/{}/blacklist", client.id);
    let form = [("on", "1"), ("reason", "Не платит")];
    let missing = app.post_raw(&admin, &path, &form).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(missing.body.contains("Форма устарела"));
    let forged = app.post_raw(&admin, &path, &[("_csrf", "forged-token-forged-token-forged!"), form[0], form[1]]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Another session's token does not fit this session.
    let other_token = other.csrf.clone().unwrap();
    let foreign = app.post_raw(&admin, &path, &[("_csrf", &other_token), form[0], form[1]]).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    let staff_form = [("login", "mallory"), ("name", "Злоумышленник Мэллори"), ("role", "admin")];
    assert_eq!(app.post_raw(&admin, "/staff", &staff_form).await.status, StatusCode::FORBIDDEN);
    let system = Actor::System;
    assert!(!app.crm.get_client(&system, client.id).await.unwrap().is_blacklisted(), "nothing changed");
    assert!(app.crm.list_staff(&system).await.unwrap().iter().all(|s| s.login != "mallory"));
    let real = app.post(&admin, &path, &form).await;
    assert_eq!(real.status, StatusCode::SEE_OTHER);
    assert!(app.crm.get_client(&system, client.id).await.unwrap().is_blacklisted());
});

each_backend!(the_sign_in_form_needs_its_own_nonce, |app| {
    app.staff("anna", Role::Agent).await;
    // A cross-site form has neither the nonce cookie nor the field.
    let no_cookie = app.post_raw(&Browser::default(), "/login", &[("login", "anna"), ("password", PASSWORD)]).await;
    assert_eq!(no_cookie.status, StatusCode::FORBIDDEN);
    assert!(no_cookie.cookie("tourcrm_session").is_none());
    let b = app.visit_login().await;
    let wrong = app.post_raw(&b, "/login", &[("_csrf", "other"), ("login", "anna"), ("password", PASSWORD)]).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
});

#[tokio::test]
async fn cookies_are_secure_behind_https() {
    let app =
        spawn_with(Backend::Sqlite, |crm| admin_web::AppState::configured(crm, Some("https://crm.example.ru"), None))
            .await;
    app.staff("anna", Role::Agent).await;
    let (page, _) = app.try_sign_in("anna", PASSWORD).await;
    let cookie = page.set_cookies.iter().find(|c| c.starts_with("tourcrm_session=")).unwrap();
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
}

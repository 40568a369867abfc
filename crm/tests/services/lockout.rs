//! The sign-in lockout, attacked: parallel guesses, guesses through the password change,
//! a flood of unknown logins, one address trying many logins; and the ways out of a lock.

use crate::each_backend;
use crate::helpers::{ADDRESS, TestApp};
use chrono::Duration;
use crm::audit::AuditField;
use crm::domain::Role;
use crm::services::{ADDRESS_MAX_FAILURES, AuditFilter, LOCKOUT_MINUTES, MAX_FAILURES, NewStaffInput, SignIn};
use crm::{Actor, Error};
use std::net::{IpAddr, Ipv4Addr};

/// A member with a known password (the one-time one, which signs in as well as any).
async fn member(app: &TestApp, login: &str, role: Role) -> (crm::services::Staff, String) {
    let created =
        app.crm.add_staff(&Actor::System, NewStaffInput { login, name: "Смирнова Анна", role }).await.unwrap();
    (created.staff, created.password)
}

/// The `i`th address of a documentation network, so each guess can come from its own address.
fn address(i: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(0xc633_6400 + i)) // 198.51.100.0/24 and on
}

/// Fires `n` sign-ins of `login` with wrong passwords at once, each from its own address.
async fn parallel_guesses(app: &TestApp, login: &str, n: u32) -> Vec<SignIn> {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let (crm, login) = (app.crm.clone(), login.to_owned());
        tasks.spawn(async move { crm.sign_in(&login, &format!("guess-{i}"), address(i)).await.unwrap() });
    }
    tasks.join_all().await
}

async fn stored_count(app: &TestApp, login: &str) -> Option<(i64, Option<String>)> {
    sqlx::query_as("SELECT failures, locked_until FROM login_failures WHERE login = $1")
        .bind(login)
        .fetch_optional(app.crm.store().pool())
        .await
        .unwrap()
}

async fn rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM login_failures").fetch_one(app.crm.store().pool()).await.unwrap()
}

fn until() -> chrono::DateTime<chrono::Utc> {
    crate::helpers::t0() + Duration::minutes(LOCKOUT_MINUTES)
}

each_backend!(thirty_one_parallel_guesses_check_five_passwords_and_the_lock_stands, |app| {
    let (_, password) = member(&app, "anna", Role::Admin).await;
    let before = app.crm.password_checks();
    let outcomes = parallel_guesses(&app, "Anna", 31).await;
    assert_eq!(app.crm.password_checks() - before, MAX_FAILURES as u64, "{}: argon2 checks", app.backend);
    let locked = outcomes.iter().filter(|o| matches!(o, SignIn::Locked { until: u } if *u == until())).count();
    let refused = outcomes.iter().filter(|o| matches!(o, SignIn::Refused { .. })).count();
    assert_eq!(locked + refused, 31, "{}: {outcomes:?}", app.backend);
    assert_eq!(
        (refused, locked),
        (4, 27),
        "{}: checks 1–4 refused, the 5th locks, the rest never checked",
        app.backend
    );
    let (failures, locked_until) = stored_count(&app, "anna").await.unwrap();
    assert_eq!(failures, MAX_FAILURES, "{}", app.backend);
    assert!(locked_until.as_deref().is_some_and(|u| u.starts_with("2026-11-25T09:15:00")), "{locked_until:?}");
    let audit = AuditFilter { action: Some("staff.sign_in_locked".into()), limit: 10, ..Default::default() };
    let entries = app.crm.audit_log(&Actor::System, &audit).await.unwrap();
    assert_eq!(entries.len(), 1, "the lock is recorded once");
    assert_eq!(entries[0].detail(AuditField::LockedUntil).as_deref(), Some("25.11.2026 12:15 (МСК)"));

    // The right password is not even checked while the lock stands.
    app.clock.advance(Duration::minutes(5));
    let right = app.crm.sign_in("anna", &password, address(99)).await.unwrap();
    assert!(matches!(right, SignIn::Locked { until: u } if u == until()), "{}: {right:?}", app.backend);
    // A second wave on the locked login neither checks a password nor moves or resets the lock.
    let again = parallel_guesses(&app, "anna", 31).await;
    assert!(again.iter().all(|o| matches!(o, SignIn::Locked { until: u } if *u == until())), "{again:?}");
    assert_eq!(app.crm.password_checks() - before, MAX_FAILURES as u64, "{}: nothing hashed", app.backend);
    assert_eq!(stored_count(&app, "anna").await.unwrap().0, MAX_FAILURES);

    app.clock.advance(Duration::minutes(LOCKOUT_MINUTES - 5));
    assert!(app.signs_in("anna", &password).await.is_some(), "{}: the lock ends on time", app.backend);
    assert_eq!(stored_count(&app, "anna").await, None, "a success forgets the count");
});

each_backend!(a_success_forgets_the_count_and_a_window_ends_after_fifteen_minutes, |app| {
    let (_, password) = member(&app, "anna", Role::Agent).await;
    for left in (1..MAX_FAILURES).rev() {
        let o = app.crm.sign_in("anna", "wrong", ADDRESS).await.unwrap();
        assert!(matches!(o, SignIn::Refused { attempts_left } if attempts_left == left), "{}: {o:?}", app.backend);
    }
    app.signs_in("anna", &password).await.unwrap();
    for _ in 1..MAX_FAILURES {
        app.crm.sign_in("anna", "wrong", ADDRESS).await.unwrap();
    }
    // Four old failures and one new do not add up to five.
    app.clock.advance(Duration::minutes(LOCKOUT_MINUTES));
    let o = app.crm.sign_in("anna", "wrong", ADDRESS).await.unwrap();
    assert!(matches!(o, SignIn::Refused { attempts_left: 4 }), "{}: {o:?}", app.backend);
});

each_backend!(an_admin_lifts_a_lock_and_the_audit_log_says_who, |app| {
    let (boss, boss_password) = member(&app, "boss", Role::Admin).await;
    let (anna, password) = member(&app, "anna", Role::Agent).await;
    let admin = Actor::staff(boss.id, Role::Admin);
    parallel_guesses(&app, "anna", 10).await;
    assert_eq!(app.crm.staff_locks(&admin).await.unwrap().get(&anna.id), Some(&until()), "{}", app.backend);
    let agent = Actor::staff(anna.id, Role::Agent);
    assert!(matches!(app.crm.unlock_staff(&agent, anna.id).await, Err(Error::Forbidden(_))));
    assert!(matches!(app.crm.staff_locks(&agent).await, Err(Error::Forbidden(_))));
    assert!(app.crm.unlock_staff(&admin, anna.id).await.unwrap(), "{}", app.backend);
    assert!(app.crm.staff_locks(&admin).await.unwrap().is_empty());
    assert!(app.signs_in("anna", &password).await.is_some(), "{}: unlocked", app.backend);
    assert!(!app.crm.unlock_staff(&admin, anna.id).await.unwrap(), "nothing left to unlock");
    let filter = AuditFilter { action: Some("staff.unlock".into()), limit: 10, ..Default::default() };
    let entries = app.crm.audit_log(&admin, &filter).await.unwrap();
    assert_eq!(entries.len(), 1, "{}: one lock lifted, one entry", app.backend);
    assert_eq!(entries[0].actor, format!("staff:{}", boss.id));
    assert_eq!(entries[0].entity_id, Some(anna.id.to_string()));
    assert_eq!(entries[0].detail(AuditField::LockedUntil).as_deref(), Some("25.11.2026 12:15 (МСК)"));
    assert!(matches!(app.crm.unlock_staff(&admin, crm::domain::StaffId(9999)).await, Err(Error::NotFound(_))));

    // Anyone who knows the admin's login can lock it; the system (the command line) lifts it.
    parallel_guesses(&app, "boss", 6).await;
    let refused = app.crm.sign_in("boss", &boss_password, address(50)).await.unwrap();
    assert!(matches!(refused, SignIn::Locked { .. }), "the admin's lock is no weaker: {refused:?}");
    assert!(app.crm.unlock_staff(&Actor::System, boss.id).await.unwrap());
    assert!(app.signs_in("boss", &boss_password).await.is_some(), "{}", app.backend);
    let entries = app.crm.audit_log(&admin, &filter).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].actor, "system");
});

each_backend!(a_password_reset_lifts_the_lock, |app| {
    let (boss, _) = member(&app, "boss", Role::Admin).await;
    let (anna, _) = member(&app, "anna", Role::Agent).await;
    let admin = Actor::staff(boss.id, Role::Admin);
    parallel_guesses(&app, "anna", 5).await;
    assert!(app.crm.staff_locks(&admin).await.unwrap().contains_key(&anna.id));
    let fresh = app.crm.reset_password(&admin, anna.id).await.unwrap();
    let signed_in = app.signs_in("anna", &fresh).await;
    assert!(signed_in.is_some_and(|s| s.must_change_password), "{}: the reset password signs in", app.backend);
    let filter = AuditFilter { action: Some("staff.unlock".into()), limit: 10, ..Default::default() };
    let entries = app.crm.audit_log(&admin, &filter).await.unwrap();
    assert_eq!(entries.len(), 1, "{}", app.backend);
    assert_eq!(entries[0].actor, format!("staff:{}", boss.id));
});

each_backend!(wrong_old_passwords_count_towards_the_same_lock, |app| {
    let (anna, password) = member(&app, "anna", Role::Agent).await;
    let me = Actor::staff(anna.id, Role::Agent);
    let new = "совсем-новый-пароль";
    for _ in 0..2 {
        app.crm.sign_in("anna", "wrong", ADDRESS).await.unwrap();
    }
    for _ in 0..2 {
        let wrong = app.crm.change_password(&me, "guess-guess-guess", new).await;
        assert!(matches!(wrong, Err(Error::Forbidden(_))), "{}: {wrong:?}", app.backend);
    }
    let fifth = app.crm.change_password(&me, "guess-guess-guess", new).await;
    assert!(matches!(fifth, Err(Error::LoginLocked { until: u }) if u == until()), "{}: {fifth:?}", app.backend);
    let before = app.crm.password_checks();
    let right_old = app.crm.change_password(&me, &password, new).await;
    assert!(matches!(right_old, Err(Error::LoginLocked { .. })), "{right_old:?}");
    let sign_in = app.crm.sign_in("anna", &password, ADDRESS).await.unwrap();
    assert!(matches!(sign_in, SignIn::Locked { .. }), "{sign_in:?}");
    // A stolen session guessing in parallel gets nothing checked either.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..30 {
        let crm = app.crm.clone();
        tasks.spawn(async move {
            crm.change_password(&me, &format!("guess-{i}-guess"), "совсем-новый-пароль").await
        });
    }
    for outcome in tasks.join_all().await {
        assert!(matches!(outcome, Err(Error::LoginLocked { .. })), "{outcome:?}");
    }
    assert_eq!(app.crm.password_checks(), before, "{}: no password checked while locked", app.backend);
    app.crm.unlock_staff(&Actor::System, anna.id).await.unwrap();
    app.crm.change_password(&me, &password, new).await.unwrap();
    assert!(app.signs_in("anna", new).await.is_some(), "{}", app.backend);
});

each_backend!(parallel_wrong_old_passwords_check_at_most_five, |app| {
    let (anna, password) = member(&app, "anna", Role::Agent).await;
    let me = Actor::staff(anna.id, Role::Agent);
    let before = app.crm.password_checks();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..31 {
        let crm = app.crm.clone();
        tasks.spawn(async move {
            crm.change_password(&me, &format!("guess-{i}-guess"), "совсем-новый-пароль").await
        });
    }
    let outcomes = tasks.join_all().await;
    assert_eq!(app.crm.password_checks() - before, MAX_FAILURES as u64, "{}: {outcomes:?}", app.backend);
    assert!(outcomes.iter().all(|o| matches!(o, Err(Error::Forbidden(_) | Error::LoginLocked { .. }))));
    let sign_in = app.crm.sign_in("anna", &password, ADDRESS).await.unwrap();
    assert!(matches!(sign_in, SignIn::Locked { until: u } if u == until()), "{}: {sign_in:?}", app.backend);
});

each_backend!(rows_of_unknown_logins_expire, |app| {
    member(&app, "anna", Role::Agent).await;
    for i in 0..40 {
        app.crm.sign_in(&format!("nobody-{i}"), "wrong", address(i)).await.unwrap();
    }
    assert_eq!(rows(&app).await, 40, "{}", app.backend);
    app.clock.advance(Duration::minutes(10));
    parallel_guesses(&app, "anna", 5).await;
    app.clock.advance(Duration::minutes(LOCKOUT_MINUTES - 10));
    // A new window of any login sweeps the old ones; a lock in force stays.
    app.crm.sign_in("somebody", "wrong", address(200)).await.unwrap();
    assert_eq!(rows(&app).await, 2, "{}: only anna's lock and the new count", app.backend);
    assert!(stored_count(&app, "anna").await.unwrap().1.is_some());
    assert!(stored_count(&app, "nobody-0").await.is_none());
    app.clock.advance(Duration::minutes(LOCKOUT_MINUTES));
    app.crm.sign_in("somebody-else", "wrong", address(201)).await.unwrap();
    assert_eq!(rows(&app).await, 1, "{}: the ended lock went too", app.backend);
});

each_backend!(one_address_gets_thirty_failed_sign_ins_then_waits, |app| {
    let (_, password) = member(&app, "anna", Role::Agent).await;
    // Successes do not use the budget.
    for _ in 0..ADDRESS_MAX_FAILURES + 5 {
        app.signs_in("anna", &password).await.unwrap();
    }
    let before = app.crm.password_checks();
    // One login each: no login lock comes into play, only the address's budget.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..ADDRESS_MAX_FAILURES + 10 {
        let crm = app.crm.clone();
        tasks.spawn(async move { crm.sign_in(&format!("login-{i}"), "wrong", ADDRESS).await.unwrap() });
    }
    let outcomes = tasks.join_all().await;
    let throttled = outcomes.iter().filter(|o| matches!(o, SignIn::Throttled { until: u } if *u == until())).count();
    assert_eq!(throttled, 10, "{}: {outcomes:?}", app.backend);
    assert_eq!(app.crm.password_checks() - before, u64::from(ADDRESS_MAX_FAILURES), "{}", app.backend);
    let right = app.crm.sign_in("anna", &password, ADDRESS).await.unwrap();
    assert!(matches!(right, SignIn::Throttled { .. }), "nothing is checked for the address: {right:?}");
    let elsewhere = app.crm.sign_in("anna", &password, address(7)).await.unwrap();
    assert!(matches!(elsewhere, SignIn::Started(_)), "{}: other addresses sign in", app.backend);
    app.clock.advance(Duration::minutes(LOCKOUT_MINUTES));
    assert!(app.signs_in("anna", &password).await.is_some(), "{}: the address's window ended", app.backend);
});

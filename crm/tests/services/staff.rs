//! Staff accounts: one-time passwords, sign-in, resets, deactivation, Telegram invites.

use crate::each_backend;
use crate::helpers::ADDRESS;
use chrono::Duration;
use crm::domain::{Invalid, Role};
use crm::services::{NewStaffInput, SignIn};
use crm::{Actor, Conflict, Error};

fn input<'a>(login: &'a str, role: Role) -> NewStaffInput<'a> {
    NewStaffInput { login, name: "Смирнова Анна", role }
}

each_backend!(a_new_staff_member_gets_a_fourteen_character_password_that_signs_in, |app| {
    let created = app.crm.add_staff(&Actor::System, input(" Anna.K ", Role::Agent)).await.unwrap();
    assert_eq!(created.password.chars().count(), 14);
    assert_eq!(created.staff.login, "anna.k");
    assert!(created.staff.must_change_password);
    assert!(created.staff.invite_pending);
    assert!(created.staff.active);
    let signed_in = app.signs_in("ANNA.K", &created.password).await.unwrap();
    assert_eq!(signed_in.id, created.staff.id, "{}", app.backend);
    assert_eq!(app.crm.list_staff(&Actor::System).await.unwrap().len(), 1);
    let other = app.crm.add_staff(&Actor::System, input("boris", Role::Agent)).await.unwrap();
    assert_ne!(other.password, created.password);
    assert_ne!(other.invite_token, created.invite_token);
});

each_backend!(a_wrong_password_and_an_unknown_login_give_the_same_refusal, |app| {
    let created = app.crm.add_staff(&Actor::System, input("anna", Role::Agent)).await.unwrap();
    let wrong = app.crm.sign_in("anna", "not-the-password", ADDRESS).await.unwrap();
    let unknown = app.crm.sign_in("nobody", &created.password, ADDRESS).await.unwrap();
    assert!(matches!(wrong, SignIn::Refused { attempts_left: 4 }), "{wrong:?}");
    assert!(matches!(unknown, SignIn::Refused { attempts_left: 4 }), "{}: {unknown:?}", app.backend);
    let empty = app.crm.sign_in("anna", "", ADDRESS).await.unwrap();
    assert!(matches!(empty, SignIn::Refused { attempts_left: 3 }), "{empty:?}");
});

each_backend!(a_login_is_taken_once_whatever_its_case, |app| {
    app.crm.add_staff(&Actor::System, input("anna", Role::Agent)).await.unwrap();
    let again = app.crm.add_staff(&Actor::System, input("ANNA", Role::Admin)).await;
    assert!(matches!(again, Err(Error::Conflict(Conflict::LoginTaken))), "{}: {again:?}", app.backend);
    let bad = app.crm.add_staff(&Actor::System, input("ан", Role::Admin)).await;
    assert!(matches!(bad, Err(Error::Invalid(Invalid::LoginFormat))), "{bad:?}");
    assert_eq!(app.crm.staff_count().await.unwrap(), 1);
});

each_backend!(deactivated_staff_cannot_sign_in_until_reactivated, |app| {
    let created = app.crm.add_staff(&Actor::System, input("anna", Role::Agent)).await.unwrap();
    let id = created.staff.id;
    app.crm.set_staff_active(&Actor::System, id, false).await.unwrap();
    let refused = app.crm.sign_in("anna", &created.password, ADDRESS).await.unwrap();
    assert!(matches!(refused, SignIn::Refused { .. }), "{}: {refused:?}", app.backend);
    assert!(!app.crm.get_staff(&Actor::System, id).await.unwrap().active);
    app.crm.set_staff_active(&Actor::System, id, true).await.unwrap();
    app.signs_in("anna", &created.password).await.unwrap();
    let missing = app.crm.set_staff_active(&Actor::System, crm::domain::StaffId(9999), false).await;
    assert!(matches!(missing, Err(Error::NotFound(_))));
});

each_backend!(a_reset_password_replaces_the_old_one_and_must_be_changed, |app| {
    let created = app.crm.add_staff(&Actor::System, input("anna", Role::Agent)).await.unwrap();
    let me = Actor::staff(created.staff.id, Role::Agent);
    app.crm.change_password(&me, &created.password, "мой-надёжный-пароль").await.unwrap();
    assert!(!app.crm.get_staff(&me, created.staff.id).await.unwrap().must_change_password);
    let fresh = app.crm.reset_password(&Actor::System, created.staff.id).await.unwrap();
    assert_eq!(fresh.chars().count(), 14);
    let staff = app.signs_in("anna", &fresh).await.unwrap();
    assert!(staff.must_change_password, "{}", app.backend);
    assert!(app.signs_in("anna", "мой-надёжный-пароль").await.is_none());
    assert!(app.signs_in("anna", &created.password).await.is_none());
    let missing = app.crm.reset_password(&Actor::System, crm::domain::StaffId(9999)).await;
    assert!(matches!(missing, Err(Error::NotFound(_))));
});

each_backend!(changing_a_password_needs_the_old_one_and_ten_characters, |app| {
    let created = app.crm.add_staff(&Actor::System, input("anna", Role::Agent)).await.unwrap();
    let me = Actor::staff(created.staff.id, Role::Agent);
    let wrong_old = app.crm.change_password(&me, "guess-guess-guess", "совсем-новый-пароль").await;
    assert!(matches!(wrong_old, Err(Error::Forbidden(_))), "{wrong_old:?}");
    let short = app.crm.change_password(&me, &created.password, "корот9").await;
    assert!(matches!(short, Err(Error::Invalid(Invalid::PasswordTooShort))), "{short:?}");
    let nine = app.crm.change_password(&me, &created.password, "123456789").await;
    assert!(matches!(nine, Err(Error::Invalid(Invalid::PasswordTooShort))));
    app.signs_in("anna", &created.password).await.unwrap();
    app.crm.change_password(&me, &created.password, "1234567890").await.unwrap();
    let staff = app.signs_in("anna", "1234567890").await.unwrap();
    assert!(!staff.must_change_password, "{}", app.backend);
    assert!(app.signs_in("anna", &created.password).await.is_none());
});

each_backend!(an_invite_binds_one_telegram_account_once, |app| {
    let created = app.crm.add_staff(&Actor::System, input("anna", Role::Agent)).await.unwrap();
    let tg = Actor::Telegram(555);
    let bound = app.crm.redeem_invite(&tg, &format!(" {} ", created.invite_token), Some("anna_tg")).await.unwrap();
    assert_eq!(bound.id, created.staff.id);
    assert_eq!(bound.telegram_id, Some(555));
    assert_eq!(bound.telegram_username.as_deref(), Some("anna_tg"));
    assert!(!bound.invite_pending);
    let again = app.crm.redeem_invite(&Actor::Telegram(556), &created.invite_token, None).await;
    assert!(matches!(again, Err(Error::NotFound(_))), "{}: {again:?}", app.backend);
    let same = app.crm.redeem_invite(&tg, &created.invite_token, None).await;
    assert!(matches!(same, Err(Error::NotFound(_))), "{same:?}");
    assert_eq!(app.crm.staff_by_telegram(555).await.unwrap().map(|s| s.id), Some(created.staff.id));
    assert_eq!(app.crm.staff_by_telegram(556).await.unwrap(), None);
    let unknown = app.crm.redeem_invite(&Actor::Telegram(557), "no-such-token", None).await;
    assert!(matches!(unknown, Err(Error::NotFound(_))));
    // A second staff member cannot bind an account that is already bound.
    let boris = app.crm.add_staff(&Actor::System, input("boris", Role::Agent)).await.unwrap();
    let taken = app.crm.redeem_invite(&tg, &boris.invite_token, None).await;
    assert!(matches!(taken, Err(Error::Conflict(Conflict::TelegramTaken))), "{}: {taken:?}", app.backend);
    // A deactivated staff member's Telegram account stops counting.
    app.crm.set_staff_active(&Actor::System, created.staff.id, false).await.unwrap();
    assert_eq!(app.crm.staff_by_telegram(555).await.unwrap(), None);
});

each_backend!(an_invite_expires_after_seven_days_and_a_new_one_replaces_it, |app| {
    let created = app.crm.add_staff(&Actor::System, input("anna", Role::Agent)).await.unwrap();
    app.clock.advance(Duration::days(8));
    let expired = app.crm.redeem_invite(&Actor::Telegram(555), &created.invite_token, None).await;
    assert!(matches!(expired, Err(Error::NotFound(_))), "{}: {expired:?}", app.backend);
    let token = app.crm.new_invite(&Actor::System, created.staff.id).await.unwrap();
    assert_ne!(token, created.invite_token);
    let old = app.crm.redeem_invite(&Actor::Telegram(555), &created.invite_token, None).await;
    assert!(matches!(old, Err(Error::NotFound(_))));
    app.clock.advance(Duration::days(6));
    let bound = app.crm.redeem_invite(&Actor::Telegram(555), &token, None).await.unwrap();
    assert_eq!(bound.telegram_id, Some(555));
});

each_backend!(every_staff_member_reads_names_and_roles_but_not_the_staff_list, |app| {
    let anna = app.crm.add_staff(&Actor::System, input("anna", Role::Agent)).await.unwrap().staff;
    let buh = app.crm.add_staff(&Actor::System, input("buh", Role::Accountant)).await.unwrap().staff;
    let accountant = Actor::staff(buh.id, Role::Accountant);
    let names = app.crm.staff_directory(&accountant).await.unwrap();
    assert_eq!(names.len(), 2);
    assert!(names.iter().any(|n| n.id == anna.id && n.role == Role::Agent && n.name == "Смирнова Анна" && n.active));
    assert!(matches!(app.crm.list_staff(&accountant).await, Err(Error::Forbidden(_))));
    let client = Actor::Client(crm::domain::ClientId(1));
    assert!(matches!(app.crm.staff_directory(&client).await, Err(Error::Forbidden(_))));
});

//! The audit log as services write it: a change and its one entry commit together, a refused or
//! empty change leaves no entry, and details read as people write them.

use crate::each_backend;
use crate::helpers::TestApp;
use chrono::{Duration, NaiveTime};
use crm::audit::{AuditAction, AuditField};
use crm::domain::Role;
use crm::services::{AuditEntry, AuditFilter};
use crm::{Actor, Error};

async fn entries(app: &TestApp, action: AuditAction) -> Vec<AuditEntry> {
    let filter = AuditFilter { action: Some(action.code().into()), limit: 50, ..Default::default() };
    app.crm.audit_log(&Actor::System, &filter).await.unwrap()
}

each_backend!(a_change_commits_with_its_one_entry_and_a_refused_or_empty_one_with_none, |app| {
    let admin = app.actor("boss", Role::Admin).await;
    let accountant = app.staff("buh", Role::Accountant).await;
    let agent = app.staff("anna", Role::Agent).await;
    let client = app.client("+7 912 345-67-89", None).await;
    // Refused inside the transaction (not an agent): the change and its entry are both gone.
    let refused = app.crm.assign_agent(&admin, client.id, accountant.id).await;
    assert!(matches!(refused, Err(Error::NotFound("agent"))), "{refused:?}");
    assert!(entries(&app, AuditAction::ClientAssignAgent).await.is_empty(), "{}", app.backend);
    app.crm.assign_agent(&admin, client.id, agent.id).await.unwrap();
    let assigned = entries(&app, AuditAction::ClientAssignAgent).await;
    assert_eq!(assigned.len(), 1, "{}", app.backend);
    assert_eq!(assigned[0].actor, admin.audit_name());
    assert_eq!(assigned[0].entity_id, Some(client.id.to_string()));
    assert_eq!(assigned[0].detail(AuditField::Agent).as_deref(), Some("Сотрудник anna"));
    // A request already fulfilled changes nothing and records nothing.
    for _ in 0..2 {
        app.crm.add_tag(&admin, client.id, "VIP").await.unwrap();
        app.crm.set_marketing_consent(&admin, client.id, true).await.unwrap();
    }
    let tagged = entries(&app, AuditAction::ClientTagAdd).await;
    assert_eq!(tagged.len(), 1, "{}", app.backend);
    assert_eq!(tagged[0].detail(AuditField::Tag).as_deref(), Some("VIP"));
    assert_eq!(entries(&app, AuditAction::ClientMarketingConsentGiven).await.len(), 1);
    // One change may record two things: a password reset that also lifts a lock.
    for _ in 0..5 {
        app.crm.sign_in("anna", "неверный", crate::helpers::ADDRESS).await.unwrap();
    }
    app.crm.reset_password(&admin, agent.id).await.unwrap();
    let (reset, unlock) =
        (entries(&app, AuditAction::StaffPasswordReset).await, entries(&app, AuditAction::StaffUnlock).await);
    assert_eq!((reset.len(), unlock.len()), (1, 1), "{}", app.backend);
    assert_eq!(reset[0].at, unlock[0].at, "one transaction, one moment");
});

each_backend!(details_are_written_as_people_read_them, |app| {
    let operator = app.actor("oleg", Role::Operator).await;
    let admin = app.actor("boss", Role::Admin).await;
    let (tour, departure) = app.published_tour(&operator, 10).await;
    let at = NaiveTime::from_hms_opt(6, 40, 0);
    app.crm.set_departure_details(&operator, departure, at, "  Аэропорт   Толмачёво ").await.unwrap();
    app.crm.set_departure_details(&operator, departure, None, "").await.unwrap();
    let details = entries(&app, AuditAction::TourDepartureDetails).await;
    let start = app.crm.today() + Duration::days(30);
    let dates = format!("{}–{}", start.format("%d.%m"), (start + Duration::days(6)).format("%d.%m.%Y"));
    let shown = |e: &AuditEntry| {
        [AuditField::Departure, AuditField::Time, AuditField::MeetingPoint].map(|f| e.detail(f).unwrap_or_default())
    };
    // Newest first: cleared, then set.
    assert_eq!(shown(&details[1]), [dates.clone(), "06:40".into(), "Аэропорт Толмачёво".into()], "{}", app.backend);
    assert_eq!(shown(&details[0]), [dates, "не указано".into(), "не указано".into()]);

    app.crm.set_tour_commission(&admin, tour, Some(1_250)).await.unwrap();
    app.crm.set_tour_commission(&admin, tour, None).await.unwrap();
    let rates: Vec<_> = entries(&app, AuditAction::TourCommission)
        .await
        .iter()
        .map(|e| e.detail(AuditField::Commission).unwrap_or_default())
        .collect();
    assert_eq!(rates, ["12,5 % → по ставке агента", "по ставке агента → 12,5 %"]);
});

use crate::each_backend;
use crate::helpers::new_client;
use crm::domain::Role;
use crm::{Actor, Conflict, Error};

each_backend!(a_client_registers_once_per_phone, |app| {
    let agent = app.actor("anna", Role::Agent).await;
    let c = app.client("8 (912) 345-67-89", Some(&agent)).await;
    assert_eq!(c.phone, "+79123456789");
    assert_eq!(c.agent_id, agent.staff_id());
    assert!(c.pd_consent_at.is_some());
    let again = app.crm.register_client(&agent, new_client("Петров Пётр", "+7 912 3456789")).await;
    assert!(
        matches!(again, Err(Error::Conflict(Conflict::PhoneTaken(id))) if id == c.id.0),
        "{}: {again:?}",
        app.backend
    );
});

each_backend!(an_agent_sees_only_own_clients, |app| {
    let anna = app.actor("anna", Role::Agent).await;
    let boris = app.actor("boris", Role::Agent).await;
    let c = app.client("9123456789", Some(&anna)).await;
    assert!(app.crm.get_client(&anna, c.id).await.is_ok());
    assert!(matches!(app.crm.get_client(&boris, c.id).await, Err(Error::Forbidden(_))));
    let listed = app.crm.list_clients(&boris, Default::default()).await.unwrap();
    assert!(listed.is_empty());
    let listed = app.crm.list_clients(&Actor::System, crm::Crm::search_filter("мария")).await.unwrap();
    assert_eq!(listed.len(), 1, "{}", app.backend);
});

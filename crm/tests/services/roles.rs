//! DESIGN.md's role table, walked: every public service of `Crm` that takes an actor, called by
//! every kind of actor. A refusal must be `Error::Forbidden`; an allowed call must not be.

use crate::each_backend;
use crate::helpers::{TestApp, card, foreign_passport, internal_passport, new_client};
use crm::domain::{City, ClientId, Direction, InteractionId, InteractionKind, Role, StaffId};
use crm::services::{AuditFilter, NewInteractionInput, NewStaffInput};
use crm::{Actor, Error};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Who {
    System,
    Admin,
    Operator,
    AgentOwner,
    AgentOther,
    Accountant,
    ClientSelf,
    ClientOther,
    Telegram,
}

use Who::*;

const EVERYONE: [Who; 9] =
    [System, Admin, Operator, AgentOwner, AgentOther, Accountant, ClientSelf, ClientOther, Telegram];
const ADMIN: &[Who] = &[System, Admin];
const STAFF: &[Who] = &[System, Admin, Operator, AgentOwner, AgentOther, Accountant];
/// The client's people: the admin, the client's own agent, the client themself.
const OWNERS: &[Who] = &[System, Admin, AgentOwner, ClientSelf];
const AGENCY_WRITERS: &[Who] = &[System, Admin, AgentOwner];

/// Who may call what. The telegram account is not yet registered (it has no client card).
const TABLE: &[(&str, &[Who])] = &[
    ("add_staff", ADMIN),
    ("list_staff", ADMIN),
    ("get_staff", ADMIN),
    ("reset_password", ADMIN),
    ("set_staff_active", ADMIN),
    ("new_invite", ADMIN),
    ("unlock_staff", ADMIN),
    ("staff_locks", ADMIN),
    ("redeem_invite", &[Telegram]),
    ("change_password", &[Admin, Operator, AgentOwner, AgentOther, Accountant]),
    ("register_client", &[System, Admin, AgentOwner, AgentOther, Telegram]),
    ("get_client", &[System, Admin, AgentOwner, Accountant, ClientSelf]),
    ("client_card", &[System, Admin, AgentOwner, Accountant, ClientSelf]),
    ("client_by_telegram", &[System, Telegram]),
    ("telegram_account", &[System, Telegram]),
    ("telegram_account_and_chat_state", &[System]),
    ("list_clients", &[System, Admin, AgentOwner, AgentOther, Accountant]),
    ("set_blacklist", ADMIN),
    ("set_marketing_consent", OWNERS),
    ("set_personal_data_consent", OWNERS),
    ("add_tag", AGENCY_WRITERS),
    ("remove_tag", AGENCY_WRITERS),
    ("all_tags", STAFF),
    ("assign_agent", ADMIN),
    ("change_city", OWNERS),
    ("log_interaction", AGENCY_WRITERS),
    ("correct_interaction", AGENCY_WRITERS),
    ("client_history", AGENCY_WRITERS),
    ("put_internal_passport", OWNERS),
    ("put_foreign_passport", OWNERS),
    ("put_payment_details", OWNERS),
    ("open_documents", OWNERS),
    ("rotate_keys", ADMIN),
    ("finish_rotation", ADMIN),
    ("audit_log", ADMIN),
    // The bot's dialogue states: only the bot itself, as the system, keeps them.
    ("chat_state", &[System]),
    ("put_chat_state", &[System]),
    ("remove_chat_state", &[System]),
    ("all_chat_states", &[System]),
    ("remove_chat_state_if", &[System]),
];

const TELEGRAM_ID: i64 = 777_000_111;

struct World {
    actors: HashMap<Who, Actor>,
    passwords: HashMap<Who, String>,
    client: ClientId,
    owner: StaffId,
    spare: StaffId,
    entry: InteractionId,
    phones: std::sync::atomic::AtomicU32,
}

async fn world(app: &TestApp) -> World {
    let mut actors = HashMap::from([(System, Actor::System), (Telegram, Actor::Telegram(TELEGRAM_ID))]);
    let mut passwords = HashMap::new();
    for (who, login, role) in [
        (Admin, "admin", Role::Admin),
        (Operator, "oper", Role::Operator),
        (AgentOwner, "anna", Role::Agent),
        (AgentOther, "boris", Role::Agent),
        (Accountant, "buh", Role::Accountant),
    ] {
        let created = app
            .crm
            .add_staff(&Actor::System, NewStaffInput { login, name: "Сотрудник Агентства", role })
            .await
            .unwrap();
        actors.insert(who, Actor::staff(created.staff.id, role));
        passwords.insert(who, created.password);
    }
    let spare = app.staff("spare", Role::Agent).await.id;
    let client = app.client("+7 912 345-67-89", Some(&actors[&AgentOwner])).await;
    let other = app.client("+7 912 345-67-80", None).await;
    actors.insert(ClientSelf, Actor::Client(client.id));
    actors.insert(ClientOther, Actor::Client(other.id));
    app.put_all_documents(client.id).await;
    let entry = app.crm.log_interaction(&Actor::System, interaction(client.id)).await.unwrap().id;
    World {
        owner: actors[&AgentOwner].staff_id().unwrap(),
        actors,
        passwords,
        client: client.id,
        spare,
        entry,
        phones: 0.into(),
    }
}

fn interaction(client_id: ClientId) -> NewInteractionInput {
    NewInteractionInput {
        client_id,
        kind: InteractionKind::Call,
        direction: Direction::In,
        body: "Спрашивала про Алтай в июле".into(),
        occurred_at: None,
    }
}

/// Calls `function` as `who`, with arguments that would succeed for an allowed actor.
async fn call(app: &TestApp, w: &World, function: &str, who: Who) -> crm::Result<()> {
    let a = &w.actors[&who];
    let crm = &app.crm;
    let c = w.client;
    let n = w.phones.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    match function {
        "add_staff" => {
            let login = format!("new{n}");
            crm.add_staff(a, NewStaffInput { login: &login, name: "Новый Сотрудник", role: Role::Agent })
                .await
                .map(drop)
        }
        "list_staff" => crm.list_staff(a).await.map(drop),
        "get_staff" => crm.get_staff(a, w.spare).await.map(drop),
        "reset_password" => crm.reset_password(a, w.spare).await.map(drop),
        "set_staff_active" => crm.set_staff_active(a, w.spare, true).await,
        "new_invite" => crm.new_invite(a, w.spare).await.map(drop),
        "unlock_staff" => crm.unlock_staff(a, w.spare).await.map(drop),
        "staff_locks" => crm.staff_locks(a).await.map(drop),
        "redeem_invite" => {
            let token = crm.new_invite(&Actor::System, w.spare).await.unwrap();
            crm.redeem_invite(a, &token, Some("spare_tg")).await.map(drop)
        }
        "change_password" => {
            let old = w.passwords.get(&who).map_or("irrelevant-old", String::as_str);
            crm.change_password(a, old, "совсем-новый-пароль").await
        }
        "register_client" => {
            let mut new = new_client("Петров Пётр Ильич", &format!("+7 913 {:07}", 1_000_000 + n));
            if who == Telegram {
                new.telegram_id = Some(TELEGRAM_ID);
            }
            crm.register_client(a, new).await.map(drop)
        }
        "get_client" => crm.get_client(a, c).await.map(drop),
        "client_card" => crm.client_card(a, c).await.map(drop),
        "client_by_telegram" => crm.client_by_telegram(a, TELEGRAM_ID).await.map(drop),
        "telegram_account" => crm.telegram_account(a, TELEGRAM_ID).await.map(drop),
        "telegram_account_and_chat_state" => {
            crm.telegram_account_and_chat_state(a, TELEGRAM_ID, TELEGRAM_ID).await.map(drop)
        }
        "list_clients" => crm.list_clients(a, crm::Crm::search_filter("")).await.map(drop),
        "set_blacklist" => crm.set_blacklist(a, c, n.is_multiple_of(2), "проверка ролей").await.map(drop),
        "set_marketing_consent" => crm.set_marketing_consent(a, c, n.is_multiple_of(2)).await.map(drop),
        "set_personal_data_consent" => crm.set_personal_data_consent(a, c, true).await.map(drop),
        "add_tag" => crm.add_tag(a, c, "VIP").await.map(drop),
        "remove_tag" => crm.remove_tag(a, c, "vip").await.map(drop),
        "all_tags" => crm.all_tags(a).await.map(drop),
        "assign_agent" => crm.assign_agent(a, c, w.owner).await.map(drop),
        "change_city" => crm.change_city(a, c, City::parse("Барнаул").unwrap()).await.map(drop),
        "log_interaction" => crm.log_interaction(a, interaction(c)).await.map(drop),
        "correct_interaction" => crm.correct_interaction(a, w.entry, "Про Алтай в августе").await.map(drop),
        "client_history" => crm.client_history(a, c, 10).await.map(drop),
        "put_internal_passport" => crm.put_internal_passport(a, c, &internal_passport()).await.map(drop),
        "put_foreign_passport" => crm.put_foreign_passport(a, c, &foreign_passport()).await.map(drop),
        "put_payment_details" => crm.put_payment_details(a, c, &card()).await,
        "open_documents" => crm.open_documents(a, c).await.map(drop),
        "rotate_keys" => crm.rotate_keys(a).await.map(drop),
        "finish_rotation" => crm.finish_rotation(a).await.map(drop),
        "audit_log" => crm.audit_log(a, &AuditFilter { limit: 5, ..Default::default() }).await.map(drop),
        "chat_state" => crm.chat_state(a, TELEGRAM_ID).await.map(drop),
        "put_chat_state" => crm.put_chat_state(a, TELEGRAM_ID, "\"AskName\"").await,
        "remove_chat_state" => crm.remove_chat_state(a, TELEGRAM_ID).await.map(drop),
        "all_chat_states" => crm.all_chat_states(a).await.map(drop),
        "remove_chat_state_if" => crm.remove_chat_state_if(a, TELEGRAM_ID, "\"AskName\"").await.map(drop),
        other => panic!("no call for {other}"),
    }
}

each_backend!(every_service_refuses_exactly_the_actors_the_role_table_excludes, |app| {
    let w = world(&app).await;
    let mut wrong = Vec::new();
    for (function, allowed) in TABLE {
        for who in EVERYONE {
            let outcome = call(&app, &w, function, who).await;
            let forbidden = matches!(outcome, Err(Error::Forbidden(_)));
            let broken = matches!(outcome, Err(Error::Db(_) | Error::Crypto(_) | Error::Migrate(_)));
            if allowed.contains(&who) == forbidden || broken {
                wrong.push(format!("{function} by {who:?}: {outcome:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}: role table violated:\n{}", app.backend, wrong.join("\n"));
});

each_backend!(allowed_calls_of_the_role_table_succeed_on_a_fresh_client, |app| {
    // The walk above accepts conflicts from repeated calls; here each allowed owner succeeds
    // outright on its first try.
    let w = world(&app).await;
    for who in OWNERS {
        let a = &w.actors[who];
        app.crm.get_client(a, w.client).await.unwrap();
        app.crm.change_city(a, w.client, City::parse("Томск").unwrap()).await.unwrap();
        app.crm.put_payment_details(a, w.client, &card()).await.unwrap();
        assert_eq!(app.crm.open_documents(a, w.client).await.unwrap().payment_details, Some(card()));
    }
    for who in AGENCY_WRITERS {
        let a = &w.actors[who];
        app.crm.log_interaction(a, interaction(w.client)).await.unwrap();
        assert!(!app.crm.client_history(a, w.client, 10).await.unwrap().is_empty());
    }
    // Staff may always read their own staff record, and nobody else's.
    let anna = &w.actors[&AgentOwner];
    assert_eq!(app.crm.get_staff(anna, w.owner).await.unwrap().login, "anna");
    assert!(matches!(app.crm.get_staff(anna, w.spare).await, Err(Error::Forbidden(_))));
    // Agents always register clients for themselves, whatever agent they name.
    let boris = &w.actors[&AgentOther];
    let mut new = new_client("Сидоров Олег Ильич", "+7 913 555-00-00");
    new.agent_id = Some(w.owner);
    let c = app.crm.register_client(boris, new).await.unwrap();
    assert_eq!(c.agent_id, boris.staff_id(), "{}", app.backend);
    // An agent's list holds only their own clients whatever the filter asks.
    let mut f = crm::Crm::search_filter("");
    f.agent_id = Some(w.owner);
    let listed = app.crm.list_clients(boris, f).await.unwrap();
    assert_eq!(listed.iter().map(|c| c.id).collect::<Vec<_>>(), [c.id]);
    // An admin cannot lock themselves out.
    let admin = &w.actors[&Admin];
    let me = admin.staff_id().unwrap();
    assert!(matches!(app.crm.set_staff_active(admin, me, false).await, Err(Error::Forbidden(_))));
});

//! Requests shaped against the guard itself: a HEAD is checked as the GET it stands for, and a
//! body over the limit is refused as too large (413, the panel's page), not as a stale form.
//! The route × role walk in `routes` also sends a HEAD for every GET.

use crate::each_backend;
use crate::helpers::Browser;
use axum::http::StatusCode;
use crm::Actor;
use crm::domain::Role;
use crm::services::NewStaffInput;

each_backend!(a_head_request_passes_the_same_guard_as_its_get, |app| {
    let (_, accountant) = app.signed_in("buh", Role::Accountant).await;
    let (_, agent) = app.signed_in("anna", Role::Agent).await;
    for (who, b, path) in
        [("accountant", &accountant, "/staff"), ("accountant", &accountant, "/audit"), ("agent", &agent, "/outbox")]
    {
        let head = app.head(b, path).await;
        assert_eq!(head.status, StatusCode::FORBIDDEN, "{}: HEAD {path} by the {who}", app.backend);
        assert!(head.body.is_empty());
        assert_eq!(app.get(b, path).await.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(app.head(&accountant, "/bookings").await.status, StatusCode::OK, "an allowed page answers");
    assert!(app.head(&Browser::default(), "/clients").await.redirects_to("/login"), "anonymous");
    // A member who must still change the one-time password is sent there, HEAD or GET.
    let created = app
        .crm
        .add_staff(&Actor::System, NewStaffInput { login: "new", name: "Новикова Вера", role: Role::Admin })
        .await
        .unwrap();
    let (_, fresh) = app.try_sign_in("new", &created.password).await;
    for path in ["/", "/staff", "/clients"] {
        assert!(app.head(&fresh, path).await.redirects_to("/password"), "{}: HEAD {path}", app.backend);
    }
});

each_backend!(a_body_over_the_limit_gets_413_and_changes_nothing, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let client = app.client("Иванова Мария", "+7 912 345-67-89", None).await;
    let path = format!("/clients/{}/tags", client.id);
    // A real form with this session's token, padded past the limit (256 KiB).
    let padding = "я".repeat(200 * 1024);
    let page = app.post(&admin, &path, &[("tag", "VIP"), ("note", &padding)]).await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", app.backend);
    assert!(page.body.contains("Слишком большой запрос"), "the panel's own page, in Russian");
    assert!(!page.body.contains("Форма устарела"), "not reported as a stale form");
    assert!(app.crm.get_client(&Actor::System, client.id).await.unwrap().tags.is_empty(), "nothing changed");
    // The sign-in form too, before any session exists.
    let b = app.visit_login().await;
    let login = app.post(&b, "/login", &[("login", "boss"), ("password", &padding)]).await;
    assert_eq!(login.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(login.cookie("tourcrm_session").is_none());
    // Below the limit the same form is read and taken.
    let small = app.post(&admin, &path, &[("tag", "VIP"), ("note", &"я".repeat(1024))]).await;
    assert_eq!(small.status, StatusCode::SEE_OTHER);
    assert_eq!(app.crm.get_client(&Actor::System, client.id).await.unwrap().tags, ["VIP"]);
});

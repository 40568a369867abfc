//! Notification settings, broadcasts and the outbox: a template that does not render is named
//! beside the field and not saved, the preview escapes markup, a broadcast is counted before it
//! is sent and then paused, resumed and cancelled, a message of unknown fate is resent only by
//! the admin, and only the roles that may see these pages see them.

use crate::each_backend;
use crate::helpers::{Page, TestApp, new_client};
use axum::http::StatusCode;
use crm::Actor;
use crm::domain::{BroadcastId, City, OutboxId, Role, TourId};
use crm::notify::{BroadcastKind, Daytime, NotificationKind};
use crm::services::notify::BroadcastInput;
use crm::services::{AudienceFilter, Client, OutboxFilter, OutboxStatus};
use testkit::ClaimOne;

const SYS: Actor = Actor::System;
pub const TOUR_TITLE: &str = "Алтай: золотые горы";

impl TestApp {
    /// A client the bot can reach (chat `telegram_id`) who agreed to marketing.
    pub async fn subscriber(&self, name: &str, phone: &str, city: &str, telegram_id: i64) -> Client {
        let mut new = new_client(name, phone);
        new.city = City::parse(city).unwrap();
        new.telegram_id = Some(telegram_id);
        new.marketing_consent = true;
        self.crm.register_client(&SYS, new).await.unwrap()
    }

    /// A broadcast to everyone, sent now and already expanded into outbox rows by the scheduler.
    pub async fn running_broadcast(&self, tour: TourId) -> BroadcastId {
        let input = BroadcastInput {
            kind: BroadcastKind::NewTour,
            title: "Новинка осени".into(),
            template: BroadcastKind::NewTour.default_template().into(),
            tour_id: Some(tour),
            audience: AudienceFilter::default(),
            send_at: None,
        };
        let b = self.crm.create_broadcast(&SYS, input).await.unwrap();
        self.crm.expand_due_broadcasts(&SYS, Daytime::default()).await.unwrap();
        b.id
    }

    /// A message the sender claimed when the process died: its fate is unknown.
    pub async fn message_of_unknown_fate(&self) -> OutboxId {
        let m = self.crm.claim_outgoing(&SYS).await.unwrap().expect("a due message");
        self.crm.recover_outbox(&SYS).await.unwrap();
        m.id
    }
}

/// The text of the `<em class="error">` right after the field named `name`.
fn error_beside(page: &Page, name: &str) -> Option<String> {
    let at = page.body.find(&format!("name=\"{name}\""))?;
    let rest = &page.body[at..];
    let start = rest.find("<em class=\"error\">")? + "<em class=\"error\">".len();
    let end = rest[start..].find("</em>")?;
    // The next field's label must not come before the error.
    (!rest[..start].contains("<label")).then(|| rest[start..start + end].to_owned())
}

const GREETING: &str = "/notifications/birthday_greeting";

each_backend!(a_template_that_does_not_render_is_named_beside_the_field_and_not_saved, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let list = app.get(&admin, "/notifications").await;
    assert_eq!(list.status, StatusCode::OK);
    for k in NotificationKind::ALL {
        assert!(list.body.contains(&format!("href=\"/notifications/{}\"", k.as_str())), "{k:?}");
    }
    let form = app.get(&admin, GREETING).await;
    assert!(
        form.body.contains("{{ client.first_name }}") && form.body.contains("Анна"),
        "variables with sample values"
    );
    assert!(form.body.contains("id=\"preview\">Анна, с днём рождения!"), "the text in force, previewed");

    let unknown = [("enabled", "1"), ("lead_days", "0"), ("template", "Привет, {{ client.nickname }}!")];
    let page = app.post(&admin, GREETING, &unknown).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_beside(&page, "template").is_some_and(|e| e.contains("nickname")), "{}", page.body);
    assert!(page.body.contains("Привет, {{ client.nickname }}!</textarea>"), "the input is kept");
    let syntax = [("enabled", "1"), ("lead_days", "0"), ("template", "{% if client.first_name %}без конца")];
    let page = app.post(&admin, GREETING, &syntax).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_beside(&page, "template").is_some_and(|e| e.starts_with("Ошибка в шаблоне")));
    // The preview of a broken template is refused the same way.
    let page = app.post(&admin, &format!("{GREETING}/preview"), &unknown).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_beside(&page, "template").is_some());

    let admin_actor = app.crm.list_staff(&SYS).await.unwrap().into_iter().find(|s| s.login == "boss").unwrap();
    let settings = app.crm.notification_settings(&Actor::staff(admin_actor.id, Role::Admin)).await.unwrap();
    let g = settings.iter().find(|s| s.kind == NotificationKind::BirthdayGreeting).unwrap();
    assert!(!g.customized && g.updated_at.is_none(), "nothing saved");
});

each_backend!(a_good_template_is_previewed_escaped_then_saved, |app| {
    let (boss, admin) = app.signed_in("boss", Role::Admin).await;
    let text = "С днём рождения, {{ client.first_name }}! <script>alert(1)</script>";
    let form = [("enabled", "1"), ("lead_days", "0"), ("template", text)];
    let page = app.post(&admin, &format!("{GREETING}/preview"), &form).await;
    assert_eq!(page.status, StatusCode::OK);
    let preview = &page.body[page.body.find("id=\"preview\"").unwrap()..];
    assert!(preview.contains("С днём рождения, Анна! &lt;script&gt;"), "{preview}");
    assert!(!page.body.contains("<script>alert"), "markup is shown as text");
    let boss = Actor::staff(boss.id, Role::Admin);
    let saved = |crm: crm::Crm| async move {
        let all = crm.notification_settings(&boss).await.unwrap();
        all.into_iter().find(|s| s.kind == NotificationKind::BirthdayGreeting).unwrap()
    };
    assert!(!saved(app.crm.clone()).await.customized, "a preview saves nothing");

    let done = app.post(&admin, GREETING, &form).await;
    assert!(done.redirects_to("/notifications?saved=birthday_greeting"), "{done:?}");
    let s = saved(app.crm.clone()).await;
    assert!(s.customized && s.template == text);
    let list = app.get(&admin, done.location.as_deref().unwrap()).await;
    assert!(list.body.contains("Сохранено: поздравление с днём рождения"));
    let row = &list.body[list.body.find("href=\"/notifications/birthday_greeting\">").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("свой") && row.contains("<small class=\"muted\">Сотрудник boss</small>"), "{row}");

    // «Вернуть текст по умолчанию» puts the default in the form and previews it; saving is a
    // separate step.
    let reset = [("enabled", "1"), ("lead_days", "0"), ("template", text), ("reset", "1")];
    let page = app.post(&admin, &format!("{GREETING}/preview"), &reset).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(NotificationKind::BirthdayGreeting.default_template().contains("Желаем ярких путешествий"));
    assert!(page.body.contains("Желаем ярких путешествий"), "the default in the textarea and the preview");
    assert!(!page.body.contains("&lt;script&gt;"));
    assert!(saved(app.crm.clone()).await.customized);
});

each_backend!(lead_days_are_validated_and_a_kind_can_be_switched_off, |app| {
    let (boss, admin) = app.signed_in("boss", Role::Admin).await;
    let template = "Поздравляем, {{ client.first_name }}!";
    for bad in ["400", "-1", "две недели", ""] {
        let page = app.post(&admin, GREETING, &[("enabled", "1"), ("lead_days", bad), ("template", template)]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(error_beside(&page, "lead_days").is_some_and(|e| e.contains("от 0 до 365")), "{bad}");
        assert!(page.body.contains(&format!("value=\"{bad}\"")), "the input is kept");
        assert!(error_beside(&page, "template").is_none());
    }
    // Both wrong: both named.
    let page = app.post(&admin, GREETING, &[("lead_days", "400"), ("template", "{{ nope }}")]).await;
    assert!(error_beside(&page, "lead_days").is_some() && error_beside(&page, "template").is_some());
    // No `enabled` in the form: the checkbox is off.
    let done = app.post(&admin, GREETING, &[("lead_days", "2"), ("template", template)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let all = app.crm.notification_settings(&Actor::staff(boss.id, Role::Admin)).await.unwrap();
    let s = all.iter().find(|s| s.kind == NotificationKind::BirthdayGreeting).unwrap();
    assert!(!s.enabled && s.lead_days == 2);
    let list = app.get(&admin, "/notifications").await;
    assert!(list.body.contains("выключено") && list.body.contains("за 2 дн."));
    assert_eq!(app.get(&admin, "/notifications/no_such_kind").await.status, StatusCode::NOT_FOUND);
});

/// The compose form's fields for a broadcast of `tour` to clients departing from `city`.
fn compose<'a>(tour: &'a str, city: &'a str, title: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("kind", "hot_tour"),
        ("title", title),
        ("tour_id", tour),
        ("template", "{{ client.first_name }}, горящий тур «{{ tour.title }}» от {{ tour.price }}!"),
        ("city", city),
        ("when", "now"),
        ("send_at", ""),
    ]
}

each_backend!(a_broadcast_is_counted_and_previewed_before_it_is_sent, |app| {
    let (oper, operator) = app.signed_in("oper", Role::Operator).await;
    let tour = app.published_tour(&oper).await.0.to_string();
    app.subscriber("Морозова Анна", "+7 912 000-00-01", "Москва", 7001).await;
    let lebedev = app.subscriber("Лебедев Олег", "+7 912 000-00-02", "Москва", 7002).await;
    app.subscriber("Орлов Иван", "+7 912 000-00-03", "Омск", 7003).await;
    let banned = app.subscriber("Жуков Пётр", "+7 912 000-00-04", "Москва", 7004).await;
    app.crm.set_blacklist(&SYS, banned.id, true, "Спам").await.unwrap();

    let new = app.get(&operator, "/broadcasts/new?kind=early_booking").await;
    assert_eq!(new.status, StatusCode::OK);
    assert!(new.body.contains(TOUR_TITLE), "published tours to pick");
    assert!(BroadcastKind::EarlyBooking.default_template().contains("открыто раннее бронирование"));
    assert!(new.body.contains("открыто раннее бронирование"), "the kind's default text");

    let title = "Горящий Алтай <b>срочно</b>";
    let check = app.post(&operator, "/broadcasts/check", &compose(&tour, "москва", title)).await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.body);
    assert!(check.body.contains("Получателей сейчас: 2"), "the blacklisted and Omsk are not counted");
    assert!(check.body.contains(&format!("Анна, горящий тур «{TOUR_TITLE}» от 50")), "the preview with the real tour");
    assert!(check.body.contains("value=\"Москва\"") || check.body.contains("value=\"москва\""), "input kept");
    assert!(check.body.contains("&lt;b&gt;срочно"), "the title is kept, escaped");

    // Tags narrow it: by the name as the form shows it.
    app.crm.add_tag(&SYS, lebedev.id, "VIP").await.unwrap();
    let mut tagged = compose(&tour, "", title);
    tagged.push(("tags", "VIP"));
    let check = app.post(&operator, "/broadcasts/check", &tagged).await;
    assert!(check.body.contains("Получателей сейчас: 1"), "only the tagged client");
    assert!(check.body.contains("value=\"VIP\" checked"), "the checkbox stays checked");

    let no_tour = app.post(&operator, "/broadcasts/check", &compose("", "", title)).await;
    assert_eq!(no_tour.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_beside(&no_tour, "tour_id").is_some_and(|e| e.contains("Выберите тур")));
    let mut past = compose(&tour, "", title);
    past.retain(|(k, _)| *k != "when" && *k != "send_at");
    past.extend([("when", "at"), ("send_at", "2026-11-25T11:00")]); // 12:00 in Moscow now
    let refused = app.post(&operator, "/broadcasts", &past).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_beside(&refused, "send_at").is_some_and(|e| e.contains("уже прошло")));
    assert!(app.crm.list_broadcasts(&SYS).await.unwrap().is_empty(), "nothing created");

    let created = app.post(&operator, "/broadcasts", &compose(&tour, "Москва", title)).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let card_url = created.location.clone().unwrap();
    let card = app.get(&operator, &card_url).await;
    assert!(card.body.contains("&lt;b&gt;срочно") && !card.body.contains("<b>срочно"));
    assert!(card.body.contains("запланирована") && card.body.contains("Москва") && card.body.contains(TOUR_TITLE));
    assert!(card.body.contains(&format!("id=\"preview\">Анна, горящий тур «{TOUR_TITLE}»")), "the text as sent");
    assert!(!card.body.contains("/outbox?broadcast="), "the outbox is the admin's");

    // The scheduler picks the recipients; the sender delivers one.
    app.crm.expand_due_broadcasts(&SYS, Daytime::default()).await.unwrap();
    let m = app.crm.claim_outgoing(&SYS).await.unwrap().unwrap();
    app.crm.outgoing_sent(&SYS, &[(m.id, Some(1))]).await.unwrap();
    let card = app.get(&operator, &card_url).await;
    assert!(card.body.contains("Доставлено 1 из 2") && card.body.contains("отправляется"), "{}", card.body);
    assert!(card.body.contains("<progress value=\"1\" max=\"2\""));
    let list = app.get(&operator, "/broadcasts").await;
    assert!(list.body.contains("1 из 2") && list.body.contains("Сотрудник oper"));
});

each_backend!(pause_resume_and_cancel_move_the_broadcast_and_its_messages, |app| {
    let (oper, operator) = app.signed_in("oper", Role::Operator).await;
    let tour = app.published_tour(&oper).await.0;
    app.subscriber("Морозова Анна", "+7 912 000-00-01", "Москва", 7001).await;
    let id = app.running_broadcast(tour).await;
    let url = format!("/broadcasts/{id}");
    let status = |crm: crm::Crm| async move { crm.broadcast_card(&SYS, id).await.unwrap() };
    let card = app.get(&operator, &url).await;
    assert!(card.body.contains(&format!("{url}/pause")) && !card.body.contains(&format!("{url}/resume")));

    assert!(app.post(&operator, &format!("{url}/pause"), &[]).await.redirects_to(&url));
    let c = status(app.crm.clone()).await;
    assert_eq!((c.broadcast.status.as_str(), c.count(OutboxStatus::Held)), ("paused", 1));
    assert_eq!(app.crm.claim_outgoing(&SYS).await.unwrap(), None, "nothing goes while paused");
    let card = app.get(&operator, &url).await;
    assert!(card.body.contains("на паузе") && card.body.contains(&format!("{url}/resume")));

    assert!(app.post(&operator, &format!("{url}/resume"), &[]).await.redirects_to(&url));
    let c = status(app.crm.clone()).await;
    assert_eq!((c.broadcast.status.as_str(), c.count(OutboxStatus::Pending)), ("sending", 1));

    assert!(app.post(&operator, &format!("{url}/cancel"), &[]).await.redirects_to(&url));
    let c = status(app.crm.clone()).await;
    assert_eq!((c.broadcast.status.as_str(), c.count(OutboxStatus::Cancelled)), ("cancelled", 1));
    let card = app.get(&operator, &url).await;
    assert!(card.body.contains("отменена") && !card.body.contains(&format!("{url}/resume")));
    let again = app.post(&operator, &format!("{url}/resume"), &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "a cancelled broadcast is not resumed");
    assert_eq!(app.get(&operator, "/broadcasts/9999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post(&operator, "/broadcasts/abc/pause", &[]).await.status, StatusCode::NOT_FOUND);
});

each_backend!(a_message_of_unknown_fate_is_explained_and_resent_only_by_the_admin, |app| {
    let (oper, _) = app.signed_in("oper", Role::Operator).await;
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let tour = app.published_tour(&oper).await.0;
    let client = app.subscriber("Морозова Анна", "+7 912 000-00-01", "Москва", 7001).await;
    let broadcast = app.running_broadcast(tour).await;
    let quiet = app.get(&admin, "/").await;
    assert!(!quiet.body.contains("с неизвестной судьбой"), "nothing to worry about yet");
    let id = app.message_of_unknown_fate().await;
    // The start page tells the admin, and only the admin.
    let home = app.get(&admin, "/").await;
    assert!(home.body.contains("1 с неизвестной судьбой") && home.body.contains("/outbox?status=unknown"));
    let (_, operator) = app.signed_in("olya", Role::Operator).await;
    assert!(!app.get(&operator, "/").await.body.contains("с неизвестной судьбой"));

    let page = app.get(&admin, "/outbox?status=unknown").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("неизвестно (сбой при отправке)") && page.body.contains("мог его доставить"));
    assert!(page.body.contains(&format!("href=\"/clients/{}\"", client.id)) && page.body.contains("новый тур"));
    assert!(page.body.contains(&format!("/outbox/{id}/requeue")));
    let sent_only = app.get(&admin, "/outbox?status=sent").await;
    assert!(!sent_only.body.contains(&format!("/outbox/{id}/requeue")));
    let by_broadcast = app.get(&admin, &format!("/outbox?broadcast={broadcast}")).await;
    assert!(by_broadcast.body.contains(&format!("id=\"m{id}\"")));

    let done = app.post(&admin, &format!("/outbox/{id}/requeue"), &[]).await;
    assert!(done.redirects_to(&format!("/outbox?requeued={id}")), "{done:?}");
    let filter = OutboxFilter { limit: 10, ..Default::default() };
    let rows = app.crm.outbox_entries(&SYS, filter).await.unwrap();
    assert_eq!(rows[0].status, OutboxStatus::Pending);
    let again = app.post(&admin, &format!("/outbox/{id}/requeue"), &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "a pending message is not queued twice");
    assert_eq!(app.post(&admin, "/outbox/9999/requeue", &[]).await.status, StatusCode::NOT_FOUND);
});

each_backend!(operators_compose_broadcasts_but_only_admins_edit_templates, |app| {
    let (oper, operator) = app.signed_in("oper", Role::Operator).await;
    let (_, agent) = app.signed_in("anna", Role::Agent).await;
    let (_, accountant) = app.signed_in("buh", Role::Accountant).await;
    let tour = app.published_tour(&oper).await.0.to_string();
    app.subscriber("Морозова Анна", "+7 912 000-00-01", "Москва", 7001).await;
    assert_eq!(app.get(&operator, "/broadcasts").await.status, StatusCode::OK);
    assert_eq!(app.get(&operator, "/broadcasts/new").await.status, StatusCode::OK);
    for path in ["/notifications", GREETING, "/outbox"] {
        assert_eq!(app.get(&operator, path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let form = [("lead_days", "0"), ("template", "Привет, {{ client.first_name }}")];
    assert_eq!(app.post(&operator, GREETING, &form).await.status, StatusCode::FORBIDDEN);
    for b in [&agent, &accountant] {
        for path in ["/broadcasts", "/broadcasts/new", "/notifications", GREETING, "/outbox"] {
            assert_eq!(app.get(b, path).await.status, StatusCode::FORBIDDEN, "{path}");
        }
        let page = app.post(b, "/broadcasts/check", &compose(&tour, "", "Проверка")).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(!page.body.contains("Получателей"), "no count for a refused role");
        assert_eq!(app.post(b, "/broadcasts", &compose(&tour, "", "Проверка")).await.status, StatusCode::FORBIDDEN);
        // Even a bad form is refused for the role first, not explained.
        assert_eq!(app.post(b, GREETING, &[("lead_days", "x")]).await.status, StatusCode::FORBIDDEN);
    }
    assert!(app.crm.list_broadcasts(&SYS).await.unwrap().is_empty(), "nothing was created");
    let nav = app.get(&operator, "/").await.body;
    assert!(nav.contains("href=\"/broadcasts\"") && !nav.contains("href=\"/notifications\""));
});

each_backend!(an_operator_cannot_read_the_environment_or_exhaust_the_server_through_a_template, |app| {
    let (oper, operator) = app.signed_in("oper", Role::Operator).await;
    let tour = app.published_tour(&oper).await.0.to_string();
    app.subscriber("Морозова Анна", "+7 912 000-00-01", "Москва", 7001).await;
    // The variable exists in this process, so a leak would show its value.
    let path = std::env::var("PATH").unwrap();
    let attacks = [
        r#"{{ get_env(name="PATH") }}"#,
        "{% set r = range(end=100000000) %}{{ r | length }}",
        "{% for a in [0,0,0,0,0,0,0,0,0,0] %}{% for b in [0,0,0,0,0,0,0,0,0,0] %}{% for c in [0,0,0,0,0,0,0,0,0,0] %}xxxxxxxxxx{% endfor %}{% endfor %}{% endfor %}",
    ];
    for attack in attacks {
        let mut form = compose(&tour, "", "Проверка");
        form.retain(|(k, _)| *k != "template");
        form.push(("template", attack));
        for route in ["/broadcasts/check", "/broadcasts"] {
            let page = app.post(&operator, route, &form).await;
            assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{route} {attack}");
            assert!(!page.body.contains(&path), "{route}: the environment leaked");
            assert!(error_beside(&page, "template").is_some(), "{route} {attack}: the reason beside the field");
        }
    }
    assert!(app.crm.list_broadcasts(&SYS).await.unwrap().is_empty(), "nothing saved");
    // The page lists what a template may use.
    let new = app.get(&operator, "/broadcasts/new?kind=new_tour").await;
    assert!(new.body.contains("Что ещё можно в тексте") && new.body.contains("truncate(length=40)"));
});

each_backend!(a_broadcast_form_names_every_reason_at_once_and_asks_before_sending_to_nobody, |app| {
    let (oper, operator) = app.signed_in("oper", Role::Operator).await;
    let tour = app.published_tour(&oper).await.0.to_string();
    app.subscriber("Морозова Анна", "+7 912 000-00-01", "Москва", 7001).await;

    // No title, a broken text, an unknown city and a past time: all four named by «Посчитать».
    let mut bad = compose(&tour, "123", "  ");
    bad.retain(|(k, _)| !matches!(*k, "template" | "when" | "send_at"));
    bad.extend([("template", "{{ client.first_name"), ("when", "at"), ("send_at", "25.11.2026 11:00")]);
    let page = app.post(&operator, "/broadcasts/check", &bad).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["title", "template", "city", "send_at"] {
        assert!(error_beside(&page, field).is_some(), "{field} named: {}", page.body);
    }
    assert!(error_beside(&page, "send_at").is_some_and(|e| e.contains("уже прошло")), "a past time at «Посчитать»");
    assert!(page.body.contains("id=\"refused\"") && !page.body.contains("Получателей сейчас"));
    let no_tour = app.post(&operator, "/broadcasts/check", &compose("", "", "Без тура")).await;
    assert!(error_beside(&no_tour, "tour_id").is_some(), "the missing tour is the reason");
    assert!(error_beside(&no_tour, "template").is_none(), "not the text that names the tour");
    let mut no_day = compose(&tour, "", "Распродажа");
    no_day.retain(|(k, _)| !matches!(*k, "when" | "send_at"));
    no_day.extend([("when", "at"), ("send_at", "31.02.2027 10:00")]);
    let page = app.post(&operator, "/broadcasts/check", &no_day).await;
    assert!(error_beside(&page, "send_at").is_some_and(|e| e.contains("Такого дня нет в календаре")));

    // Nobody departs from Омск: «Отправить» asks first and creates nothing; the answer creates it.
    let nobody = compose(&tour, "Омск", "Омск, горящий");
    let asked = app.post(&operator, "/broadcasts", &nobody).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(asked.body.contains("Получателей сейчас: 0") && asked.body.contains("name=\"confirm_empty\" value=\"1\""));
    assert!(app.crm.list_broadcasts(&SYS).await.unwrap().is_empty(), "nothing created before the answer");
    let mut sure = nobody.clone();
    sure.push(("confirm_empty", "1"));
    let created = app.post(&operator, "/broadcasts", &sure).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let url = created.location.clone().unwrap();

    // Cancelling asks first; a cancelled broadcast promises no recipients later.
    let card = app.get(&operator, &url).await;
    assert!(card.body.contains("<details class=\"confirm\">") && card.body.contains("Отменить рассылку?"));
    assert!(app.post(&operator, &format!("{url}/cancel"), &[]).await.redirects_to(&url));
    let card = app.get(&operator, &url).await;
    assert!(card.body.contains("никому не ушла") && !card.body.contains("Получатели ещё не выбраны"), "{}", card.body);
});

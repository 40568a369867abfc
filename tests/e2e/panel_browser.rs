//! The panel in a real browser (headless Chromium through chromedriver): people sign in and do
//! their work; screenshots are kept in `target/screenshots/` as test artifacts.

use crate::helpers::{Sandbox, text};
use crate::webdriver::{Browser, available};
use crm::Actor;
use testkit::Backend;

/// Adds a staff member through the CLI and returns the one-time password it printed.
fn staff(sb: &Sandbox, role: &str, name: &str, login: &str) -> String {
    let out = sb.run(&["staff", "add", "--role", role, "--name", name, "--login", login], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let line = stdout.lines().find(|l| l.starts_with("Одноразовый пароль")).unwrap();
    line.split_whitespace().last().unwrap().to_owned()
}

/// Signs in with a one-time password and sets a permanent one, as a new employee does.
async fn first_sign_in(b: &Browser, base: &str, login: &str, one_time: &str, name: &str) {
    b.goto(&format!("{base}/login")).await;
    b.screenshot(&format!("{name}-login")).await;
    b.fill("input[name=login]", login).await;
    b.fill("input[name=password]", one_time).await;
    b.submit("form[action='/login'] button[type=submit]").await;
    b.fill("input[name=old]", one_time).await;
    b.fill("input[name=new]", "новый-надёжный-пароль-1").await;
    b.fill("input[name=repeat]", "новый-надёжный-пароль-1").await;
    b.screenshot(&format!("{name}-password-change")).await;
    b.submit("form[action='/password'] button[type=submit]").await;
}

/// Whether the browser tests can run. `.ci/run` installs chromium and chromium-driver, so in CI
/// a missing browser is a failure; a developer machine without them skips, saying so.
fn browser_ready() -> bool {
    if available() {
        return true;
    }
    assert!(std::env::var("CI").is_err(), "CI must have /usr/bin/chromium and /usr/bin/chromedriver");
    eprintln!(
        "skipped: /usr/bin/chromium or /usr/bin/chromedriver is missing (apt-get install chromium chromium-driver)"
    );
    false
}

/// A new installation with one employee of `role`, the server, the CRM beside it and a browser
/// in which that employee has signed in (screenshots named after `shots`). Keep `sb` alive: it
/// holds the database.
struct Desk {
    sb: Sandbox,
    server: crate::helpers::Server,
    crm: crm::Crm,
    b: Browser,
}

async fn desk(role: &str, name: &str, login: &str, shots: &str, height: u32) -> Desk {
    let sb = Sandbox::new(Backend::Sqlite).await;
    let one_time = staff(&sb, role, name, login);
    // No bot: what the panel queues for it waits in the outbox, which is all these tests need.
    let server = sb.serve(&[]).await;
    let crm = crate::bot_client::open_crm(&sb).await;
    let b = Browser::start(1280, height).await;
    first_sign_in(&b, &server.base, login, &one_time, shots).await;
    Desk { sb, server, crm, b }
}

#[tokio::test]
async fn an_admin_blacklists_a_client_in_the_browser() {
    if !browser_ready() {
        return;
    }
    let Desk { sb: _sb, server, crm, b } = desk("admin", "Главная Админка", "boss", "admin", 1000).await;
    let today = crm.today();
    let client = crm
        .register_client(
            &Actor::System,
            crm::services::NewClient {
                full_name: crm::domain::PersonName::parse("Должников Денис").unwrap(),
                phone: crm::domain::Phone::parse("+79001112233").unwrap(),
                birth_date: crm::domain::BirthDate::parse("01.02.1985", today).unwrap(),
                city: crm::domain::City::parse("Казань").unwrap(),
                telegram_id: None,
                telegram_username: None,
                source: None,
                personal_data_consent: true,
                marketing_consent: false,
                agent_id: None,
            },
        )
        .await
        .unwrap();

    b.goto(&format!("{}/clients", server.base)).await;
    b.screenshot("admin-clients").await;
    b.goto(&format!("{}/clients/{}", server.base, client.id)).await;
    b.fill("form[action$='/blacklist'] input[name=reason]", "Не оплатил прошлый тур").await;
    b.submit("form[action$='/blacklist'] button[type=submit]").await;
    let shot = b.screenshot("admin-client-blacklisted").await;
    assert!(b.text("body").await.contains("Не оплатил прошлый тур"), "{}", b.text("body").await);
    assert!(crm.get_client(&Actor::System, client.id).await.unwrap().is_blacklisted());
    assert!(shot.exists());
}

#[tokio::test]
async fn an_admin_edits_a_reminder_and_sends_a_broadcast_in_the_browser() {
    if !browser_ready() {
        return;
    }
    let Desk { sb: _sb, server, crm, b } = desk("admin", "Главная Админка", "boss", "notify-admin", 1200).await;
    let (tour_id, _) = crate::bot_client::published_tour(&crm).await;
    crate::subscribers::subscribers(&crm, 3, 800_000, 916).await;

    let kind = "birthday_greeting";
    b.goto(&format!("{}/notifications/{kind}", server.base)).await;
    let save = format!("form[action='/notifications/{kind}'] button:not([formaction])");
    let preview = format!("form[action='/notifications/{kind}'] button[formaction$='/preview']:not([name])");
    // A variable the reminder does not have: refused beside the field, nothing saved.
    b.fill("textarea[name=template]", "С днём рождения, {{ client.nickname }}!").await;
    b.submit(&save).await;
    b.find("em.error").await;
    b.screenshot("admin-template-refused").await;
    assert!(b.text("em.error").await.contains("неизвестная переменная «client.nickname»"), "{}", b.text("body").await);
    let settings = crm.notification_settings(&Actor::System).await.unwrap();
    assert!(!settings.iter().any(|s| s.customized));
    // A good one: previewed on the sample client, then saved.
    b.fill("textarea[name=template]", "С днём рождения, {{ client.first_name }}! Ваш {{ agent.name }}.").await;
    b.submit(&preview).await;
    b.wait_for_path(&format!("/notifications/{kind}/preview")).await;
    assert!(b.text("#preview").await.contains("С днём рождения, Анна!"), "{}", b.text("body").await);
    b.screenshot("admin-template-preview").await;
    b.submit(&save).await;
    b.wait_for_path("/notifications").await;
    let settings = crm.notification_settings(&Actor::System).await.unwrap();
    assert!(settings.iter().any(|s| s.kind.as_str() == kind && s.customized));

    // A broadcast: counted and previewed before it is sent.
    b.goto(&format!("{}/broadcasts/new?kind=hot_tour", server.base)).await;
    b.fill("input[name=title]", "Горящий Алтай").await;
    b.select("select[name=tour_id]", &tour_id.to_string()).await;
    b.submit("form[action='/broadcasts'] button[formaction='/broadcasts/check']").await;
    b.wait_for_path("/broadcasts/check").await;
    let checked = b.text("body").await;
    assert!(checked.contains("Получателей сейчас: 3"), "{checked}");
    assert!(checked.contains("Алтай: золотые горы"), "the preview with the tour: {checked}");
    b.screenshot("admin-broadcast-checked").await;
    b.submit("form[action='/broadcasts'] button:not([formaction])").await;
    let list = crm.list_broadcasts(&Actor::System).await.unwrap();
    assert_eq!(list.len(), 1);
    b.wait_for_path(&format!("/broadcasts/{}", list[0].broadcast.id)).await;
    let shot = b.screenshot("admin-broadcast-card").await;
    assert!(b.text("body").await.contains("Горящий Алтай"));
    assert!(shot.exists());
    server.stop();
}

#[tokio::test]
async fn an_operator_creates_a_hotel_and_a_package_tour_and_publishes_it_in_the_browser() {
    if !browser_ready() {
        return;
    }
    let Desk { sb: _sb, server, crm, b } = desk("operator", "Орлова Ольга", "olga", "operator", 1400).await;
    let base = &server.base;

    // A partner hotel with a room.
    b.goto(&format!("{base}/hotels/new")).await;
    b.fill("form[action='/hotels'] input[name=name]", "Sunrise Resort & Spa").await;
    b.fill("form[action='/hotels'] input[name=country]", "Турция").await;
    b.fill("form[action='/hotels'] input[name=city]", "Аланья").await;
    b.screenshot("operator-hotel-new").await;
    b.submit("form[action='/hotels'] button[type=submit]").await;
    b.find("form[action$='/rooms']").await;
    let hotel_url = b.url().await;
    let hotel_id = hotel_url.rsplit('/').next().unwrap().to_owned();
    b.fill("form[action$='/rooms'] input[name=room_type]", "Standard sea view").await;
    b.fill("form[action$='/rooms'] input[name=capacity]", "2").await;
    b.submit("form[action$='/rooms'] button[type=submit]").await;
    b.wait_for_path(&format!("/hotels/{hotel_id}")).await;
    b.screenshot("operator-hotel-card").await;
    let hotel = crm.hotel_card(&Actor::System, crm::domain::HotelId(hotel_id.parse().unwrap())).await.unwrap();
    assert_eq!(hotel.hotel.name, "Sunrise Resort & Spa");
    assert_eq!(hotel.rooms.len(), 1, "the room was added");

    // A package tour with that hotel, then a departure, then published.
    b.goto(&format!("{base}/tours/new")).await;
    b.select("form[action='/tours'] select[name=kind]", "package").await;
    b.fill("form[action='/tours'] input[name=title]", "Аланья всё включено").await;
    b.fill("form[action='/tours'] input[name=country]", "Турция").await;
    b.fill("form[action='/tours'] input[name=departure_city]", "Новосибирск").await;
    b.fill("form[action='/tours'] input[name=price]", "85000").await;
    b.fill("form[action='/tours'] textarea[name=route]", "1: Перелёт, трансфер в отель\n2: Отдых на море").await;
    b.select("form[action='/tours'] select[name=hotel_id]", &hotel_id).await;
    b.fill("form[action='/tours'] input[name=nights]", "7").await;
    b.screenshot("operator-tour-new").await;
    b.submit("form[action='/tours'] button[type=submit]").await;
    b.find("form[action$='/departures'] input[name=starts_on]").await;
    let tour_id: i64 = b.url().await.rsplit('/').next().unwrap().parse().unwrap();
    let start = crm.today() + chrono::Duration::days(40);
    let end = start + chrono::Duration::days(7);
    b.fill("form[action$='/departures'] input[name=starts_on]", &start.format("%d.%m.%Y").to_string()).await;
    b.fill("form[action$='/departures'] input[name=ends_on]", &end.format("%d.%m.%Y").to_string()).await;
    b.fill("form[action$='/departures'] input[name=capacity]", "20").await;
    b.submit("form[action$='/departures'] button[type=submit]").await;
    b.find("form[action$='/publish'] button").await;
    b.submit("form[action$='/publish'] button").await;
    b.find("form[action$='/unpublish'] button").await;
    let shot = b.screenshot("operator-tour-published").await;
    let card = crm.tour_card(&Actor::System, crm::domain::TourId(tour_id)).await.unwrap();
    assert_eq!(card.tour.status, crm::domain::TourStatus::Published);
    assert_eq!(card.tour.kind, crm::domain::TourKind::Package);
    assert_eq!((card.departures.len(), card.hotels.len()), (1, 1));
    assert_eq!(card.hotels[0].hotel_name, "Sunrise Resort & Spa");
    assert!(shot.exists());
    server.stop();
}

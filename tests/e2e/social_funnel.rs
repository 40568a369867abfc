//! The social funnel end to end (issue #15): the bot, an administrator of the agency's
//! channel, receives a post with a deep link and its reaction counts through the fake Bot API;
//! a stranger starts the bot from the link, registers and books in the bot; the accountant
//! records the payment through the ledger. The funnel then shows one at each step.

use crate::bot_client::{World, published_tour, register_as};
use crate::fake_telegram::{BOT_USERNAME, PostLink, WAIT};
use chrono::Duration;
use crm::Actor;
use crm::domain::{BookingStatus, Currency, Money, PaymentMethod, Role};
use crm::services::{NewStaffInput, PaymentInput, Period};
use crm::tabular::{Cell, Table};
use testkit::backends;

const CHANNEL: i64 = -1_001_234_567_890;
const TITLE: &str = "Горящие туры";

#[tokio::test]
async fn a_reaction_to_a_channel_post_becomes_a_paid_booking_in_the_funnel() {
    for backend in backends() {
        funnel(World::on(backend).await).await;
    }
}

/// The row of `table` whose column `col` is `key`.
fn row<'a>(table: &'a Table, col: usize, key: &str) -> &'a [Cell] {
    table
        .rows
        .iter()
        .find(|r| matches!(&r[col], Cell::Text(t) if t == key))
        .unwrap_or_else(|| panic!("no row {key} in {}: {:#?}", table.title, table.rows))
}

fn counts(cells: &[Cell]) -> Vec<i64> {
    cells.iter().filter_map(|c| if let Cell::Count(n) = c { Some(*n) } else { None }).collect()
}

fn shares(cells: &[Cell]) -> Vec<Option<f64>> {
    cells.iter().filter_map(|c| if let Cell::Percent(p) = c { Some(*p) } else { None }).collect()
}

async fn funnel(w: World) {
    let _server = w.serve().await;
    let crm = w.crm().await;
    let (tour_id, dep_id) = published_tour(&crm).await;
    let (agent, _) = w.linked_agent(&crm, 500_001).await;

    // The post: the link written out, a button with it, and a link to another bot (not ours).
    let link = format!("https://t.me/{BOT_USERNAME}?start=post_7");
    let text = format!("Алтай в сентябре — 50 000 ₽ 🔥\nПодробнее: {link}\nИ чужой бот");
    let post = w.fake.push_channel_post(
        CHANNEL,
        TITLE,
        &text,
        &[
            PostLink::Plain(&link),
            PostLink::Button { label: "Забронировать", url: &link },
            PostLink::Hidden { words: "чужой бот", url: "https://t.me/other_bot?start=post_99" },
        ],
    );
    let edit = w.fake.push_edited_channel_post(CHANNEL, post, &text.replace("50 000", "49 000"));
    w.fake.push_reaction_count(CHANNEL, TITLE, post, &[("👍", 2)]);
    let last = w.fake.push_reaction_count(CHANNEL, TITLE, post, &[("👍", 3), ("🔥", 1)]);
    w.fake.wait_until_acked(edit.max(last), WAIT).await;

    // A stranger comes from the post, registers, books; the accountant records the payment.
    let vera = w.fake.user(640_001, "Вера", None);
    w.say(&vera, "/start post_7", "без регистрации").await;
    register_as(&w, &vera, "Соцсетева Вера", "+79130000099").await;
    let list = w.say(&vera, "🌍 Туры", "Алтай: золотые горы").await;
    let card = w.press(&vera, &list, &format!("t:{tour_id}"), "Маршрут").await;
    let ask = w.press(&vera, &card, &format!("d:{dep_id}"), "Сколько человек").await;
    let quote = w.press(&vera, &ask, "k:1", "Стоимость брони").await;
    w.press(&vera, &quote, "bc:1", "Заявка на бронирование").await;
    let client = crm.client_by_telegram(&Actor::System, vera.id).await.unwrap().unwrap();
    let booking = crm.list_bookings(&Actor::System, Default::default()).await.unwrap()[0].id;
    let buh = crm
        .add_staff(&Actor::System, NewStaffInput { login: "buh", name: "Бухова Нина", role: Role::Accountant })
        .await
        .unwrap();
    let accountant = Actor::staff(buh.staff.id, Role::Accountant);
    let agent_actor = Actor::staff(agent.staff.id, Role::Agent);
    crm.change_booking_status(&agent_actor, booking, BookingStatus::ContractSigned, "договор подписан").await.unwrap();
    let payment = PaymentInput {
        booking_id: booking,
        amount: Money::new(1_000_000, Currency::RUB),
        method: PaymentMethod::BankTransfer,
        external_id: Some("п/п 12".into()),
        note: String::new(),
    };
    crm.record_client_payment(&accountant, payment).await.unwrap();

    // Bad payloads from someone else: /start still answers, they count as «прочее» only.
    let noise = w.fake.user(640_002, "Шум", None);
    w.say(&noise, "/start <script>alert(1)</script>", "без регистрации").await;
    w.say(&noise, &format!("/start {}", "x".repeat(300)), "без регистрации").await;
    w.say(&noise, "/start promo-2026", "без регистрации").await;
    w.say(&noise, "/start post_7abc", "без регистрации").await;

    let today = crm.today();
    let period = Period::new(today - Duration::days(1), today).unwrap();
    let funnel = crm.social_funnel(&accountant, period).await.unwrap();
    let post_row = row(&funnel.by_post, 1, "post_7");
    assert_eq!(post_row[0], Cell::Text("Алтай в сентябре — 49 000 ₽ 🔥".into()), "named by its edited text");
    // Reactions 4 (the latest count), then one person at each step.
    assert_eq!(counts(post_row), vec![4, 1, 1, 1, 1]);
    assert_eq!(shares(post_row), vec![Some(0.25), Some(1.0), Some(1.0), Some(1.0)]);
    assert!(funnel.by_post.rows.iter().all(|r| r[1] != Cell::Text("post_99".into())), "another bot's link");
    let telegram = row(&funnel.by_source, 0, "Telegram-канал");
    assert_eq!(counts(telegram), vec![4, 1, 1, 1, 1]);
    let other = row(&funnel.by_source, 0, "прочее");
    assert_eq!(counts(other), vec![1, 0, 0, 0], "one person, no reactions for «прочее»");
    assert_eq!(shares(other), vec![None, Some(0.0), None, None]);
    assert_eq!(counts(row(&funnel.by_destination, 0, "Россия")), vec![1, 1]);
    assert_eq!(funnel.chart.labels, vec!["post_7".to_owned()]);

    // The reaction counts over time, per kind as Telegram gave them.
    let history = crm.reaction_history(&accountant, CHANNEL, post).await.unwrap();
    assert!(!history.is_empty() && history.len() <= 2, "{history:?}");
    let (_, total, kinds) = history.last().unwrap();
    assert_eq!((*total, kinds.as_str()), (4, r#"{"👍":3,"🔥":1}"#));
    // The starts were kept beside the registration's source.
    assert_eq!(client.source.as_deref(), Some("post_7"));
    // Agents and operators see no KPIs.
    assert!(matches!(crm.social_funnel(&agent_actor, period).await, Err(crm::Error::Forbidden(_))));
}

//! The demo's social funnel: three posts in the agency's channel with deep links to the bot and
//! their reaction counts growing over a few days, people who opened the bot from them (and from
//! VK, and from a link of no known shape), some of whom registered, booked and paid — so `/kpi`
//! and the admin's start page have something to show.

use super::catalog::Made;
use super::sales::{book, pay};
use super::{Cast, Prng, Summary};
use chrono::Duration;
use crm::domain::{BirthDate, BookingStatus, City, PaymentMethod, PersonName, Phone};
use crm::services::{ChannelPost, NewClient, ReactionCount};
use crm::{Actor, Crm};

/// The agency's channel (a supergroup-style id, as Telegram gives channels).
const CHANNEL: i64 = -1_002_026_000_001;

/// (message id, days ago, text, payload of its link, reactions per day: 👍, 🔥, ❤).
const POSTS: &[(i64, i64, &str, &str, [i64; 3])] = &[
    (41, 12, "Алтай осенью: золотые горы и Телецкое озеро. 7 дней с гидом", "post_41", [9, 4, 3]),
    (42, 6, "Горящий тур в Турцию: Кемер, всё включено, вылет из Москвы", "post_42", [14, 9, 2]),
    (43, 2, "Байкал зимой: лёд, нерпы и баня на берегу", "post_43", [5, 2, 4]),
];

/// Who opened the bot: (their payload, registers, books, pays).
const PEOPLE: &[(&str, bool, bool, bool)] = &[
    ("post_41", true, true, true),
    ("post_41", true, true, false),
    ("post_41", true, false, false),
    ("post_41", false, false, false),
    ("post_42", true, true, true),
    ("post_42", true, true, true),
    ("post_42", true, false, false),
    ("post_42", false, false, false),
    ("post_42", false, false, false),
    ("post_43", true, false, false),
    ("post_43", false, false, false),
    ("src_vk_club2026", true, true, true),
    ("src_vk_club2026", false, false, false),
    ("promo-autumn", false, false, false),
];

const NAMES: &[&str] = &[
    "Лисицына Анна Олеговна",
    "Журавлёв Максим Игоревич",
    "Соболева Кира Андреевна",
    "Гришин Лев Аркадьевич",
    "Ершова Диана Павловна",
    "Осипов Глеб Романович",
    "Пахомова Нина Сергеевна",
    "Рябов Тимофей Ильич",
    "Щукина Ева Максимовна",
];

pub(crate) async fn build(
    crm: &Crm,
    cast: &Cast,
    made: &Made,
    rng: &mut Prng,
    summary: &mut Summary,
) -> crm::Result<()> {
    let now = crm.now();
    let bot = Actor::System;
    for &(message_id, days_ago, text, payload, per_day) in POSTS {
        let posted_at = now - Duration::days(days_ago);
        let post = ChannelPost {
            chat_id: CHANNEL,
            message_id,
            posted_at,
            edited_at: None,
            text: format!("{text}\nПодробнее и бронь — в нашем боте"),
            payloads: vec![payload.to_owned()],
        };
        crm.record_channel_post(&bot, &post).await?;
        // A snapshot a day, the counts growing as Telegram would report them.
        for day in 1..=days_ago {
            let counts: Vec<ReactionCount> = ["👍", "🔥", "❤"]
                .iter()
                .zip(per_day)
                .map(|(kind, n)| ReactionCount { kind: (*kind).to_owned(), count: n * day + rng.range(0, 2) })
                .collect();
            crm.record_reactions(&bot, CHANNEL, message_id, posted_at + Duration::days(day), &counts).await?;
        }
    }
    let mut named = NAMES.iter();
    for (i, &(payload, registers, books, pays)) in PEOPLE.iter().enumerate() {
        let n = i64::try_from(i).unwrap_or(0);
        let telegram_id = 7_000_000_001 + n;
        let who = Actor::Telegram(telegram_id);
        crm.record_deep_link_start(&who, 1, payload).await?;
        if !registers {
            continue;
        }
        let Some(name) = named.next() else { break };
        let today = crm.today();
        let new = NewClient {
            full_name: PersonName::parse(name)?,
            phone: Phone::parse(&format!("+7999{:07}", 1_000_000 + n * 7_919))?,
            birth_date: BirthDate::new(today - Duration::days(9_000 + n * 400), today)?,
            city: City::parse("Москва")?,
            telegram_id: Some(telegram_id),
            telegram_username: None,
            source: None,
            personal_data_consent: true,
            marketing_consent: true,
            agent_id: None,
        };
        let client = crm.register_client(&who, new).await?;
        summary.clients += 1;
        if !books {
            continue;
        }
        let card = book(crm, made, client.id, &cast.admin, rng, false).await?;
        let id = card.booking.id;
        crm.change_booking_status(&cast.admin, id, BookingStatus::ContractSigned, "Договор подписан в боте").await?;
        if pays {
            pay(crm, &cast.accountant, id, card.booking.total.minor, PaymentMethod::BankTransfer).await?;
        }
    }
    Ok(())
}

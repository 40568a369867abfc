//! Seeding many clients for the benchmarks: through the store in batches of 2 000 (the services
//! would add an audit row each, which is not what is measured), with names, cities, birthdays
//! spread over the year and Telegram chats.

#![allow(dead_code)]

use chrono::{NaiveDate, Utc};
use crm::domain::{City, KNOWN_CITIES, PersonName, StaffId};
use crm::store::clients::{NewClientRow, insert};

const SURNAMES: [&str; 12] = [
    "Иванов",
    "Петров",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Соколов",
    "Лебедев",
    "Козлов",
    "Новиков",
    "Морозов",
    "Волков",
    "Зайцев",
];
const NAMES: [&str; 10] =
    ["Мария", "Анна", "Елена", "Ольга", "Иван", "Пётр", "Сергей", "Алексей", "Дмитрий", "Наталья"];

/// Inserts `n` clients through the store in batches (the services would add an audit row each,
/// which is not what is measured here).
pub async fn seed(crm: &crm::Crm, n: usize, agent: Option<StaffId>) {
    let store = crm.store();
    let now = Utc::now();
    let first_birthday = NaiveDate::from_ymd_opt(1960, 1, 1).unwrap();
    let mut done = 0;
    while done < n {
        let mut tx = store.begin().await.unwrap();
        for i in done..(done + 2000).min(n) {
            let name = PersonName::parse(
                &format!("{} {} {i}", SURNAMES[i % 12], NAMES[(i / 12) % 10]).replace(char::is_numeric, ""),
            )
            .unwrap_or_else(|_| PersonName::parse("Иванова Мария").unwrap());
            let city = City::parse(KNOWN_CITIES[i % KNOWN_CITIES.len()].0).unwrap();
            let phone = format!("+79{:09}", i);
            insert(
                &mut tx,
                &NewClientRow {
                    full_name: name.as_str(),
                    name_key: &name.search_key(),
                    phone: &phone,
                    // Spread over the calendar, so every day has its birthdays.
                    birth_date: first_birthday + chrono::Duration::days((i * 367 % 15_000) as i64),
                    city: &city,
                    telegram_id: Some(10_000_000 + i as i64),
                    telegram_username: None,
                    agent_id: agent.filter(|_| i % 3 == 0),
                    source: None,
                    pd_consent_at: None,
                    marketing_consent: i % 2 == 0,
                    created_by: None,
                    now,
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        done = (done + 2000).min(n);
    }
}

//! Clients reachable in Telegram who agreed to marketing: the audience of the broadcast test
//! and of the broadcast benchmark (which includes this file by path).

use crm::Actor;
use crm::domain::{BirthDate, City, ClientId, PersonName, Phone};
use crm::services::NewClient;

/// Registers `n` subscribers in Moscow with chat ids from `first_chat` and phones
/// `+7 <operator> 1xxxxxx`; returns each one's id and chat.
pub async fn subscribers(crm: &crm::Crm, n: i64, first_chat: i64, operator: u16) -> Vec<(ClientId, i64)> {
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n {
        let new = NewClient {
            full_name: PersonName::parse("Подписчикова Анна").unwrap(),
            phone: Phone::parse(&format!("+7 {operator} {:07}", 1_000_000 + i)).unwrap(),
            birth_date: BirthDate::parse("01.01.1990", crm.today()).unwrap(),
            city: City::parse("Москва").unwrap(),
            telegram_id: Some(first_chat + i),
            telegram_username: None,
            source: None,
            personal_data_consent: true,
            marketing_consent: true,
            agent_id: None,
        };
        out.push((crm.register_client(&Actor::System, new).await.unwrap().id, first_chat + i));
    }
    out
}

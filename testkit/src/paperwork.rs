//! What documents need besides a booking: the agency's requisites and a tour operator's
//! registry data, valid (check digits and all), as an admin enters them once.

use chrono::NaiveDate;
use crm::services::{AgencyRequisites, OperatorRegistry, SecurityKind};

pub fn agency() -> AgencyRequisites {
    AgencyRequisites {
        legal_form: "ООО".into(),
        name: "Солнечный берег".into(),
        inn: "7707083893".into(),
        ogrn: "1027700132195".into(),
        address: "630099, г. Новосибирск, ул. Ленина, д. 12, офис 5".into(),
        city: "Новосибирск".into(),
        phone: "+7 383 200-00-00".into(),
        email: "office@sunshore.example".into(),
        bank_account: "40702810938000000001".into(),
        bik: "044525225".into(),
        bank_name: "ПАО Сбербанк".into(),
        corr_account: "30101810400000000225".into(),
        director: "генерального директора Петрова Петра Петровича, действующего на основании устава".into(),
    }
}

pub fn registry() -> OperatorRegistry {
    OperatorRegistry {
        full_name: "Общество с ограниченной ответственностью «Горизонт Тур»".into(),
        address: "119019, г. Москва, ул. Арбат, д. 1".into(),
        inn: "7714698320".into(),
        registry_number: "РТО 012345".into(),
        security_kind: SecurityKind::Guarantee,
        security_amount: 50_000_000 * 100,
        security_number: "БГ-2026/118".into(),
        security_date: NaiveDate::from_ymd_opt(2025, 12, 1),
        // In force on the test clock's day and on the days the real-clock tests run.
        security_from: NaiveDate::from_ymd_opt(2026, 1, 1),
        security_until: NaiveDate::from_ymd_opt(2036, 12, 31),
        guarantor_name: "АО «Надёжный банк»".into(),
        guarantor_address: "125009, г. Москва, ул. Тверская, д. 7".into(),
    }
}

//! Documents in the panel: the admin enters the requisites (a wrong INN named beside its
//! field), the operator's registry data, previews and saves a template on a real booking (a
//! missing mandatory term named), and the booking's contract downloads as PDF.

use crate::each_backend;
use crate::helpers::Page;
use axum::http::StatusCode;
use crm::domain::Role;
use crm::services::DocKind;

const AGENCY: &[(&str, &str)] = &[
    ("legal_form", "ООО"),
    ("name", "Солнечный берег"),
    ("inn", "7707083893"),
    ("ogrn", "1027700132195"),
    ("address", "630099, г. Новосибирск, ул. Ленина, д. 12"),
    ("city", "Новосибирск"),
    ("phone", "+7 383 200-00-00"),
    ("email", "office@sunshore.example"),
    ("bank_account", "40702810938000000001"),
    ("bik", "044525225"),
    ("bank_name", "ПАО Сбербанк"),
    ("corr_account", "30101810400000000225"),
    ("director", "генерального директора Петрова Петра Петровича"),
];

const OPERATOR: &[(&str, &str)] = &[
    ("full_name", "Общество с ограниченной ответственностью «Горизонт Тур»"),
    ("address", "119019, г. Москва, ул. Арбат, д. 1"),
    ("inn", "7714698320"),
    ("registry_number", "РТО 012345"),
    ("security_kind", "insurance"),
    ("security_amount", "50000000"),
    ("security_number", "ГО-2027/7"),
    ("security_date", "01.12.2026"),
    ("security_from", "01.01.2027"),
    ("security_until", "31.12.2027"),
    ("guarantor_name", "АО «Страховая компания»"),
    ("guarantor_address", "125009, г. Москва, ул. Тверская, д. 7"),
];

fn with(
    form: &[(&'static str, &'static str)],
    key: &'static str,
    value: &'static str,
) -> Vec<(&'static str, &'static str)> {
    form.iter().map(|(k, v)| (*k, if *k == key { value } else { *v })).collect()
}

fn error_near(page: &Page, name: &str) -> String {
    let at = page.body.find(&format!("name=\"{name}\"")).unwrap_or_else(|| panic!("no field {name}"));
    let rest = &page.body[at..];
    let start = rest.find("<em class=\"error\">").map(|s| s + 18).unwrap_or(0);
    rest[start..start + rest[start..].find("</em>").unwrap_or(0)].to_owned()
}

each_backend!(the_admin_enters_requisites_edits_a_template_on_a_booking_and_downloads_the_contract, |app| {
    let (_, admin) = app.signed_in("boss", Role::Admin).await;
    let (operator, _) = app.signed_in("oper", Role::Operator).await;
    let (agent_staff, agent) = app.signed_in("agent", Role::Agent).await;
    let client = app.client("Клиентова Ольга Ивановна", "+7 912 111-22-33", Some(&agent_staff)).await;
    let (_, departure) = app.published_tour(&operator).await;
    let booking = app.booking(&agent_staff, &client, departure).await;

    let page = app.get(&admin, "/documents").await;
    assert!(page.body.contains("Не заполнены"), "{}", app.backend);
    let refused = app.get(&admin, &format!("/bookings/{booking}/contract.pdf")).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}: no requisites yet", app.backend);

    let wrong = app.post(&admin, "/documents/requisites", &with(AGENCY, "inn", "7707083894")).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_near(&wrong, "inn").contains("контрольных цифр"), "{}", wrong.body);
    assert!(wrong.body.contains("value=\"Солнечный берег\""), "what was typed is kept");
    let saved = app.post(&admin, "/documents/requisites", AGENCY).await;
    assert!(saved.redirects_to("/documents?saved=requisites"), "{saved:?}");

    let path = format!("/documents/operators/{}", operator.id);
    let wrong = app.post(&admin, &path, &with(OPERATOR, "security_from", "завтра")).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_near(&wrong, "security_from").contains("дд.мм.гггг"), "{}", wrong.body);
    let saved = app.post(&admin, &path, OPERATOR).await;
    assert!(saved.redirects_to("/documents?saved=operator"), "{saved:?}");
    let list = app.get(&admin, "/documents").await.body;
    assert!(list.contains("РТО 012345"));
    // Next year's guarantee, entered early: said on the list, as no contract of today is covered.
    assert!(list.contains("Финансовое обеспечение не действует сегодня"), "{list}");
    // A contract issued now lacks that and the client's passport: the client gets it to enter
    // their part, and the card says it was issued.
    let issued = app.post(&admin, &format!("/bookings/{booking}/contract"), &[]).await;
    assert!(issued.redirects_to(&format!("/bookings/{booking}?saved=contract#documents")), "{:?}", issued.location);
    let card = app.get(&admin, &format!("/bookings/{booking}?saved=contract")).await.body;
    assert!(card.contains("Договор выдан: клиент получит его в Telegram."), "{card}");

    // The editor opens with the template in force previewed on the newest booking.
    let page = app.get(&admin, "/documents/contract").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<iframe id=\"preview\" sandbox"), "{}", page.body);
    assert!(page.body.contains("РТО 012345") && page.body.contains("Клиентова Ольга Ивановна"));
    let subject = format!("b{booking}");
    let without = DocKind::Contract.default_source().replace("{{ operator.registry_number }}", "");
    let form = [("source", without.as_str()), ("subject", subject.as_str())];
    let refused = app.post(&admin, "/documents/contract", &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("реестровый номер туроператора"), "{}", refused.body);
    let edited = DocKind::Contract.default_source().replace("11. Заключительные положения", "11. Прочие условия");
    let form = [("source", edited.as_str()), ("subject", subject.as_str())];
    let preview = app.post(&admin, "/documents/contract/preview", &form).await;
    assert!(preview.status == StatusCode::OK && preview.body.contains("Прочие условия"), "{}", app.backend);
    let saved = app.post(&admin, "/documents/contract", &form).await;
    assert!(saved.redirects_to("/documents?saved=contract"), "{saved:?}");
    assert!(app.get(&admin, "/documents/contract").await.body.contains("в силе версия 2"));

    for who in [&admin, &agent] {
        let pdf = app.get(who, &format!("/bookings/{booking}/contract.pdf")).await;
        assert_eq!(pdf.status, StatusCode::OK, "{}", app.backend);
        assert!(pdf.body.starts_with("%PDF-"));
    }
});

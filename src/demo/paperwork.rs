//! The demo agency's requisites and its tour operators' registry data, so contracts and
//! consents can be made from the first start (made-up companies with well-formed numbers).

use crm::Actor;
use crm::services::{AgencyRequisites, Crm, OperatorRegistry, SecurityKind};

pub async fn build(crm: &Crm, admin: &Actor, operators: &[Actor]) -> crm::Result<()> {
    let agency = AgencyRequisites {
        legal_form: "ООО".into(),
        name: "Солнечный берег".into(),
        inn: "5406123450".into(),
        ogrn: "1025401000008".into(),
        address: "630099, г. Новосибирск, ул. Ленина, д. 12, офис 5".into(),
        city: "Новосибирск".into(),
        phone: "+7 383 200-00-00".into(),
        email: "office@sunshore.example".into(),
        bank_account: "40702810938000000001".into(),
        bik: "044525225".into(),
        bank_name: "ПАО Сбербанк".into(),
        corr_account: "30101810400000000225".into(),
        director: "генерального директора Солнцевой Марины Викторовны, действующей на основании устава".into(),
    };
    crm.save_agency_requisites(admin, &agency).await?;
    // A year's security in force around today, so the demo's bookings (made lately) and new
    // ones get contracts it covers.
    let from = crm.today() - chrono::Duration::days(180);
    let until = from + chrono::Duration::days(364);
    let companies = [
        (
            "Общество с ограниченной ответственностью «Горизонт Тур»",
            "7728123459",
            "РТО 012345",
            SecurityKind::Insurance,
        ),
        (
            "Общество с ограниченной ответственностью «Алтай Трэвел»",
            "7728168971",
            "РТО 023456",
            SecurityKind::Guarantee,
        ),
    ];
    for (operator, (name, inn, number, kind)) in operators.iter().zip(companies) {
        let Some(id) = operator.staff_id() else { continue };
        let registry = OperatorRegistry {
            full_name: name.into(),
            address: "119019, г. Москва, ул. Арбат, д. 1".into(),
            inn: inn.into(),
            registry_number: number.into(),
            security_kind: kind,
            security_amount: 50_000_000 * 100,
            security_number: format!(
                "{}-{}/118",
                if kind == SecurityKind::Insurance { "ГО" } else { "БГ" },
                chrono::Datelike::year(&from)
            ),
            security_date: Some(from - chrono::Duration::days(20)),
            security_from: Some(from),
            security_until: Some(until),
            guarantor_name: "АО «Надёжная страховая компания»".into(),
            guarantor_address: "125009, г. Москва, ул. Тверская, д. 7".into(),
        };
        crm.save_operator_registry(admin, id, &registry).await?;
    }
    Ok(())
}

//! Rendering: the tera templates of `templates/web/`, compiled into the binary (so it runs from
//! any directory) with autoescaping on for `.html`, the context every page shares (who is
//! signed in, what the navigation may show, the CSRF token) and date formatting.

use crate::error::AppError;
use axum::response::Html;
use chrono::{DateTime, NaiveDate, Utc};
use crm::services::{Capability, PanelSession};
use crm::text;
use std::collections::HashMap;
use std::sync::LazyLock;

macro_rules! web_templates {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../../templates/web/", $name)))),*]
    };
}

static TEMPLATES: LazyLock<Result<tera::Tera, String>> = LazyLock::new(|| {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html"]);
    tera.add_raw_templates(web_templates![
        "base.html",
        "nav.html",
        "macros.html",
        "error.html",
        "login.html",
        "password.html",
        "dashboard.html",
        "clients/list.html",
        "clients/new.html",
        "clients/card.html",
        "clients/documents.html",
        "bookings/traveller.html",
        "bookings/traveller_documents.html",
        "hotels/list.html",
        "hotels/edit.html",
        "hotels/card.html",
        "hotels/room.html",
        "hotels/manager.html",
        "staff/list.html",
        "staff/new.html",
        "staff/secret.html",
        "notifications/list.html",
        "notifications/edit.html",
        "broadcasts/list.html",
        "broadcasts/new.html",
        "broadcasts/card.html",
        "outbox.html",
        "payments.html",
        "audit.html",
        "tours/list.html",
        "tours/form.html",
        "tours/card.html",
        "bookings/list.html",
        "bookings/card.html",
        "bookings/statement.html",
        "documents/list.html",
        "documents/edit.html",
        "documents/agency.html",
        "documents/operator.html",
        // Report and KPI tables with their charts and downloads (src/exports.rs).
        "tabular.html",
        // The signing Mini App (src/signing).
        "sign/shell.html",
        "sign/panel.html",
        "sign/refused.html",
        // The accountant's desk and commission rates (issue #15).
        "operations/list.html",
        "operations/form.html",
        "operations/transfer.html",
        "commissions.html",
        // The KPIs page and the admin's start page block (src/kpi.rs).
        "kpi.html",
        "dashboard_kpi.html",
        // The financial reports (src/reports.rs).
        "reports/index.html",
        "reports/show.html",
    ])
    .map_err(|e| format!("{e:?}"))?;
    tera.register_function("interaction_kind", interaction_kind);
    tera.register_filter("phone", phone);
    Ok(tera)
});

/// `{{ interaction_kind(code=k) }}`: «Звонок», «Письмо»… for a history entry's kind, from the
/// catalog the bot uses too; an unknown code is shown as it is.
fn interaction_kind(args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let code = args.get("code").and_then(tera::Value::as_str).unwrap_or_default();
    let title = crm::domain::InteractionKind::parse(code).map(|k| k.title_ru()).unwrap_or(code);
    Ok(tera::Value::String(title.to_owned()))
}

/// `{{ p.phone | phone }}`: a stored phone written the one way (`+7 916 123-45-67`).
fn phone(value: &tera::Value, _: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    Ok(tera::Value::String(crm::domain::format_phone(value.as_str().unwrap_or_default())))
}

pub fn check() -> Result<(), String> {
    TEMPLATES.as_ref().map(|_| ()).map_err(Clone::clone)
}

pub fn render(name: &str, ctx: &tera::Context) -> Result<Html<String>, AppError> {
    let tera = TEMPLATES.as_ref().map_err(|e| AppError::Template(e.clone()))?;
    tera.render(name, ctx).map(Html).map_err(|e| AppError::Template(format!("{name}: {e:?}")))
}

/// The context of a page for a signed-in user: `me`, `can` (navigation), `csrf`, `section`.
pub fn page(session: &PanelSession, section: &str) -> tera::Context {
    let a = &session.actor;
    let mut ctx = tera::Context::new();
    ctx.insert(
        "me",
        &serde_json::json!({
            "id": session.staff.id.0,
            "name": session.staff.name,
            "short_name": crm::domain::surname_and_initials(&session.staff.name),
            "login": session.staff.login,
            "role": session.staff.role.as_str(),
            "role_title": session.staff.role.title_ru(),
        }),
    );
    ctx.insert(
        "can",
        &serde_json::json!({
            "clients": Capability::ListClients.allows(a),
            "register_clients": Capability::RegisterClients.allows(a),
            "staff": Capability::ManageStaff.allows(a),
            "audit": Capability::ReadAuditLog.allows(a),
            "blacklist": Capability::Blacklist.allows(a),
            "tours": Capability::ViewTours.allows(a),
            "manage_tours": Capability::ManageTours.allows(a),
            "hotels": Capability::ViewHotels.allows(a),
            "manage_hotels": Capability::ManageHotels.allows(a),
            "bookings": Capability::ListBookings.allows(a),
            "templates": Capability::ManageTemplates.allows(a),
            "broadcasts": Capability::Broadcasts.allows(a),
            "online_payments": Capability::OnlinePayments.allows(a),
            "finance": Capability::Finance.allows(a),
            "reports": Capability::FinancialReports.allows(a),
            "kpi": Capability::Kpi.allows(a),
        }),
    );
    ctx.insert("csrf", &session.csrf_token);
    ctx.insert("section", section);
    ctx
}

/// Times are stored in UTC and shown on the agency's clock, which `base.html` names once.
pub fn when(t: DateTime<Utc>) -> String {
    crm::domain::format_agency_time(t)
}

pub fn day(d: NaiveDate) -> String {
    crm::domain::format_ru_date(d)
}

/// Basis points as a percent number, Russian style: 1 250 → `12,5`.
pub fn percent(bp: i64) -> String {
    crm::domain::format_percent_bp(bp)
}

/// A query string (`?a=1&b=x`) with the values percent-encoded; empty values are left out.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    let parts: Vec<String> =
        pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect();
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

/// How an audit-style actor (`staff:3`, `system`, `client:5`) is shown: staff by name.
pub fn actor_name(actor: &str, staff: &std::collections::HashMap<i64, String>) -> String {
    match actor.split_once(':') {
        Some(("staff", id)) => match id.parse::<i64>().ok().and_then(|id| staff.get(&id)) {
            Some(name) => name.clone(),
            None => text::fill("web", "actor_staff", &[("id", &id)]),
        },
        Some(("client", _)) => text::get("web", "actor_client").to_owned(),
        Some(("telegram", _)) => text::get("web", "actor_telegram").to_owned(),
        _ if actor == "system" => text::get("web", "actor_system").to_owned(),
        _ => actor.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_strings_are_encoded() {
        assert_eq!(
            query_string(&[("q", "Иван Ив"), ("tag", ""), ("before_id", "5")]),
            "?q=%D0%98%D0%B2%D0%B0%D0%BD%20%D0%98%D0%B2&before_id=5"
        );
        assert_eq!(query_string(&[("q", "")]), "");
    }

    use super::*;

    #[test]
    fn templates_parse_and_escape_html() {
        check().unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("status", &404);
        ctx.insert("kind", "invalid");
        ctx.insert("message", "<script>alert(1)</script>");
        let html = render("error.html", &ctx).unwrap().0;
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>alert"));
    }
}

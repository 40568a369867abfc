//! Documents as services: render a contract or a consent for a booking or a client, the
//! templates' versions and their editing by the admin (refused when a required term is missing
//! or the text does not render on a real booking), and the data entered once that documents
//! need (`requisites`).

mod context;
mod requisites;

pub use requisites::OperatorEntry;

use super::Crm;
use super::clients::Access;
use crate::audit::{AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{BookingId, ClientId, Role};
use crate::heavy;
use crate::paperwork::requisites::{AgencyRequisites, OperatorRegistry};
use crate::paperwork::{self, DocKind, RenderedDocument};
use crate::sandbox::{Template, TemplateError};
use crate::store::paperwork::{self as store, TemplateVersion};
use crate::text;
use crate::{Actor, Conflict, Error, Result};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// What a document is made for: the contract for a booking, a consent for a client (a booking
/// stands for its client).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocSubject {
    Booking(BookingId),
    Client(ClientId),
}

/// A document template as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocTemplate {
    pub kind: DocKind,
    /// 1 is the default from `templates/docs/`.
    pub version: i64,
    pub source: String,
    /// `None` for the default.
    pub created_by: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

impl DocTemplate {
    fn default_of(kind: DocKind) -> DocTemplate {
        DocTemplate { kind, version: 1, source: kind.default_source().to_owned(), created_by: None, created_at: None }
    }

    fn stored(kind: DocKind, v: TemplateVersion) -> DocTemplate {
        DocTemplate {
            kind,
            version: v.version,
            source: v.source,
            created_by: Some(v.created_by),
            created_at: Some(v.created_at),
        }
    }
}

/// A document's HTML and PDF, made on the blocking pool: laying out a contract's PDF, subsetting
/// its font and compressing it holds a core for milliseconds (see [`heavy`]).
async fn render_off_workers(
    kind: DocKind,
    compiled: Template,
    version: i64,
    title: String,
    ctx: Value,
    missing: Vec<String>,
) -> Result<RenderedDocument> {
    let rendered = heavy::run(move || paperwork::render(kind, &compiled, version, title, &ctx, missing)).await;
    // `None`: the rendering panicked (a bug, logged by the panic hook); the request fails whole.
    rendered
        .unwrap_or_else(|| Err(TemplateError(text::get("documents", "render_failed").to_owned())))
        .map_err(Error::Template)
}

fn admin(actor: &Actor) -> Result<()> {
    actor.require(&[Role::Admin], "document templates and requisites are the admin's")
}

impl Crm {
    /// The document of `kind` for `subject`, from the template in force. Its PDF's hash is the
    /// same for the same data and template version.
    pub async fn render_document(&self, actor: &Actor, kind: DocKind, subject: DocSubject) -> Result<RenderedDocument> {
        let template = self.template_in_force(kind).await?;
        self.render_with(actor, &template, subject).await
    }

    /// The document from a given template version, as it was issued: re-rendering an issued
    /// document and comparing hashes tells whether it changed since.
    pub async fn render_document_version(
        &self,
        actor: &Actor,
        kind: DocKind,
        version: i64,
        subject: DocSubject,
    ) -> Result<RenderedDocument> {
        let template = self.template_version(kind, version).await?;
        self.render_with(actor, &template, subject).await
    }

    /// A document's HTML from a given template version and what it lacks: what an issued copy
    /// is compared with to tell whether its data changed since (`signing::stale`).
    pub(crate) async fn document_html_version(
        &self,
        actor: &Actor,
        kind: DocKind,
        version: i64,
        subject: DocSubject,
    ) -> Result<(String, Vec<String>)> {
        let template = self.template_version(kind, version).await?;
        let (ctx, _, missing) = self.document_context(actor, kind, subject).await?;
        let html = heavy::run(move || {
            let compiled = paperwork::compile(kind, &template.source)?;
            paperwork::render_html(&compiled, &ctx)
        })
        .await;
        let html = html
            .unwrap_or_else(|| Err(TemplateError(text::get("documents", "render_failed").to_owned())))
            .map_err(Error::Template)?;
        Ok((html, missing))
    }

    /// The template in force for each kind.
    pub async fn document_templates(&self, actor: &Actor) -> Result<Vec<DocTemplate>> {
        admin(actor)?;
        let mut out = Vec::new();
        for kind in DocKind::ALL {
            out.push(self.template_in_force(kind).await?);
        }
        Ok(out)
    }

    /// Every version of a kind's template, newest first, ending with the default (version 1).
    pub async fn document_template_versions(&self, actor: &Actor, kind: DocKind) -> Result<Vec<DocTemplate>> {
        admin(actor)?;
        let stored = store::template_versions(&mut *self.store.conn().await?, kind.code()).await?;
        let mut out: Vec<DocTemplate> = stored.into_iter().map(|v| DocTemplate::stored(kind, v)).collect();
        out.push(DocTemplate::default_of(kind));
        Ok(out)
    }

    /// A text the admin typed, rendered for a real subject without saving it; or why it cannot
    /// be saved (a required term missing, a syntax error, an unsafe construct, a tag the PDF
    /// cannot show).
    pub async fn preview_document_template(
        &self,
        actor: &Actor,
        kind: DocKind,
        source: &str,
        subject: DocSubject,
    ) -> Result<RenderedDocument> {
        admin(actor)?;
        let compiled = paperwork::compile(kind, source).map_err(Error::Template)?;
        let next = self.template_in_force(kind).await?.version + 1;
        self.render_compiled(actor, kind, compiled, next, subject).await
    }

    /// Saves a new version of a kind's template once it renders for `subject` (the booking or
    /// client the admin previewed it on). Returns the new version.
    pub async fn save_document_template(
        &self,
        actor: &Actor,
        kind: DocKind,
        source: &str,
        subject: DocSubject,
    ) -> Result<DocTemplate> {
        let preview = self.preview_document_template(actor, kind, source, subject).await?;
        let current = self.template_in_force(kind).await?;
        if current.source == source {
            return Err(Error::Conflict(Conflict::NoChange("document template")));
        }
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let by = actor.audit_name();
        store::insert_template(&mut tx, kind.code(), preview.template_version, source, &by, now).await?;
        let entry = Entry::new(AuditAction::DocumentTemplateSave, AuditObject::DocumentTemplate(kind))
            .with(AuditField::Version, preview.template_version);
        tx.commit(entry).await?;
        Ok(DocTemplate {
            kind,
            version: preview.template_version,
            source: source.to_owned(),
            created_by: Some(by),
            created_at: Some(now),
        })
    }

    /// The variables a template of `kind` reads, with their values for `subject`: the editor's
    /// table of what can be written.
    pub async fn document_variables(&self, actor: &Actor, kind: DocKind, subject: DocSubject) -> Result<Value> {
        admin(actor)?;
        Ok(self.document_context(actor, kind, subject).await?.0)
    }

    async fn template_in_force(&self, kind: DocKind) -> Result<DocTemplate> {
        let latest = store::latest_template(&mut *self.store.conn().await?, kind.code()).await?;
        Ok(latest.map_or_else(|| DocTemplate::default_of(kind), |v| DocTemplate::stored(kind, v)))
    }

    async fn template_version(&self, kind: DocKind, version: i64) -> Result<DocTemplate> {
        if version == 1 {
            return Ok(DocTemplate::default_of(kind));
        }
        let v = store::template_version(&mut *self.store.conn().await?, kind.code(), version).await?;
        v.map(|v| DocTemplate::stored(kind, v)).ok_or(Error::NotFound("document template version"))
    }

    async fn render_with(
        &self,
        actor: &Actor,
        template: &DocTemplate,
        subject: DocSubject,
    ) -> Result<RenderedDocument> {
        // The data first: without the agency's requisites (a registration's consent before they
        // are entered) there is nothing to render, and compiling a document's template costs
        // about as much as the rest of a registration step.
        let (ctx, title, missing) = self.document_context(actor, template.kind, subject).await?;
        let compiled = paperwork::compile(template.kind, &template.source).map_err(Error::Template)?;
        render_off_workers(template.kind, compiled, template.version, title, ctx, missing).await
    }

    async fn render_compiled(
        &self,
        actor: &Actor,
        kind: DocKind,
        compiled: Template,
        version: i64,
        subject: DocSubject,
    ) -> Result<RenderedDocument> {
        let (ctx, title, missing) = self.document_context(actor, kind, subject).await?;
        render_off_workers(kind, compiled, version, title, ctx, missing).await
    }

    /// The variables of a document, its title and what it lacks.
    async fn document_context(
        &self,
        actor: &Actor,
        kind: DocKind,
        subject: DocSubject,
    ) -> Result<(Value, String, Vec<String>)> {
        let booking = match subject {
            DocSubject::Booking(id) => Some(self.booking_card(actor, id).await?),
            DocSubject::Client(_) if kind.for_booking() => return Err(Error::NotFound("booking")),
            DocSubject::Client(_) => None,
        };
        let client_id = match (&booking, subject) {
            (Some(card), _) => card.booking.client_id,
            (None, DocSubject::Client(id)) => id,
            (None, DocSubject::Booking(_)) => return Err(Error::NotFound("booking")),
        };
        let client = self.client_for(actor, client_id, Access::Read).await?;
        // The agency's requisites before the client's documents: without them no document can be
        // made (a registration's consent in an agency that has not entered them), and the
        // documents would be decrypted, and their reading audited, for nothing.
        let agency = store::agency(&mut *self.store.conn().await?)
            .await?
            .and_then(|s| serde_json::from_str::<AgencyRequisites>(&s.data).ok())
            .ok_or(Error::Conflict(Conflict::AgencyRequisitesMissing))?;
        let docs = self.open_documents(actor, client_id).await?;
        let mut conn = self.store.conn().await?;
        let address = docs.address.clone();
        let tour = match &booking {
            Some(card) => {
                Some(crate::store::tours::get(&mut conn, card.booking.tour_id).await?.ok_or(Error::NotFound("tour"))?)
            }
            None => None,
        };
        let abroad = tour.as_ref().is_some_and(|t| crate::domain::is_abroad(&t.country));
        drop(conn);
        let mut missing = Vec::new();
        if address.is_none() && kind.states_identity() {
            missing.push(text::get("documents", "missing_address").to_owned());
        }
        if !kind.for_booking() && kind.states_identity() && context::document_parts(&docs).is_none() {
            missing.push(text::get("documents", "missing_document").to_owned());
        }
        let mut ctx = json!({
            "agency": context::agency(&agency),
            "client": context::client(&client, &docs, address.as_deref(), abroad),
        });
        let date = match &booking {
            Some(card) => card.booking.created_at,
            None => client.created_at,
        };
        let day = date.with_timezone(&client.time_zone).date_naive();
        let date = context::day(day);
        let mut title = kind.title_ru().to_owned();
        if let (Some(card), Some(tour)) = (booking.filter(|_| kind.for_booking()), tour) {
            let b = &card.booking;
            let mut conn = self.store.conn().await?;
            let registry = store::operator(&mut conn, tour.operator_id)
                .await?
                .and_then(|s| serde_json::from_str::<OperatorRegistry>(&s.data).ok())
                .ok_or(Error::Conflict(Conflict::OperatorRegistryMissing))?;
            let route = crate::store::tours::route(&mut conn, b.tour_id).await?;
            let services = crate::store::tours::services(&mut conn, b.tour_id).await?;
            let hotels = crate::store::tours::hotels(&mut conn, b.tour_id).await?;
            // The operator's financial security (132-FZ art. 17.1) must be in force on the
            // contract's date: one entered early for next year, or one that ran out, would be
            // stated for a contract it does not cover. Missing like data, so it is not signed.
            if !registry.security_covers(day) {
                let values: &[(&str, &dyn std::fmt::Display)] =
                    &[("date", &date), ("term", &context::security_term(&registry))];
                missing.push(text::fill("documents", "missing_security", values));
            }
            let (operator, security) = context::operator(&registry);
            let trip = context::Trip {
                booking: b,
                tour: &tour,
                route: &route,
                services: &services,
                hotels: &hotels,
                rooms: &card.rooms,
                schedule: &card.schedule,
            };
            context::merge(&mut ctx, context::trip(&trip));
            context::merge(&mut ctx, json!({"operator": operator, "security": security}));
            drop(conn);
            let travellers = self.traveller_rows(actor, b, &card.travellers, &docs, abroad).await?;
            // The contract names every traveller it is made for: one not entered yet is missing
            // like a document, so it cannot be signed for fewer people than it is priced for.
            let entered = i64::try_from(card.travellers.len()).unwrap_or(i64::MAX);
            if entered < b.travellers_count {
                let values: &[(&str, &dyn std::fmt::Display)] =
                    &[("entered", &entered), ("count", &b.travellers_count)];
                missing.push(text::fill("documents", "missing_travellers", values));
            }
            for (id, doc) in self.missing_documents(actor, b.id).await? {
                let name = card.travellers.iter().find(|t| t.id == id).map_or("", |t| t.full_name.as_str());
                let values: &[(&str, &dyn std::fmt::Display)] = &[("name", &name), ("document", &doc.title_ru())];
                missing.push(text::fill("documents", "missing_traveller_document", values));
            }
            context::merge(&mut ctx, json!({"travellers": travellers}));
            title = text::fill("documents", "contract_title", &[("number", &b.id), ("date", &date)]);
        }
        let number = match subject {
            DocSubject::Booking(id) => id.to_string(),
            DocSubject::Client(id) => id.to_string(),
        };
        context::merge(&mut ctx, json!({"document": {"number": number, "date": date, "city": agency.city}}));
        Ok((ctx, title, missing))
    }

    /// The travellers' table: each with their document where one is on file (a companion's are
    /// opened for it, which is audited like any reading).
    async fn traveller_rows(
        &self,
        actor: &Actor,
        booking: &crate::services::Booking,
        travellers: &[crate::services::Traveller],
        client_docs: &crate::services::Documents,
        abroad: bool,
    ) -> Result<Vec<Value>> {
        let mut rows = Vec::new();
        for (n, t) in travellers.iter().enumerate() {
            let document = if t.client_id == Some(booking.client_id) {
                context::document_line(client_docs, abroad)
            } else {
                context::document_line(&self.open_traveller_documents(actor, t.id).await?, abroad)
            };
            rows.push(json!({
                "n": n + 1,
                "full_name": t.full_name,
                "birth_date": context::day(t.birth_date),
                "document": document.unwrap_or_else(context::blank),
            }));
        }
        Ok(rows)
    }
}

/// What an issued document lacks (its `missing`, `; `-separated), split by who enters it: the
/// client (an address, an identity document, a traveller's document) or the agency (the
/// travellers not added yet, an operator's security in force). The client is asked only for
/// their part and told the rest is the agency's.
pub fn missing_parts(missing: &str) -> (Vec<String>, Vec<String>) {
    // The agency's items start as their texts do, before the first variable.
    let agency = [text::get("documents", "missing_travellers"), text::get("documents", "missing_security")];
    let starts = agency.map(|t| t.split('{').next().unwrap_or(t));
    missing
        .split("; ")
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .partition(|item| !starts.iter().any(|s| item.starts_with(s)))
}

/// Whether a document lacks only what the agency enters: it is not sent to the client until it
/// is complete (`issue`), and staff are told it waits.
pub fn waits_for_agency(missing: &str) -> bool {
    let (by_client, by_agency) = missing_parts(missing);
    by_client.is_empty() && !by_agency.is_empty()
}

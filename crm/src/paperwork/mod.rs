//! The paperwork of a sale: the tour sale contract, the consent to personal-data processing and
//! the marketing consent, made from templates the admin may edit (`templates/docs/` are their
//! first versions) and rendered to HTML and PDF.
//!
//! Templates run in the sandbox (`crate::sandbox`), not tera, although tera renders the bot's
//! and the panel's own pages: document templates are edited by staff, so they are untrusted
//! input, and tera cannot be kept from reading the environment (`get_env`) or looping without
//! bound. The sandbox allows only variables, filters, `if` and `for`, with escaping of every
//! value into HTML on.
//!
//! What a document must say is listed per kind ([`Term`]): a variable the template must use
//! (the operator's registry number, the price…) or a section its text must have (claims,
//! termination…). A template without one is refused with the term named.

pub mod html;
pub mod pdf;
pub mod requisites;

use crate::sandbox::{Template, TemplateError};
use crate::text::{self, keyed_enum};
use sha2::{Digest, Sha256};

keyed_enum! {
    /// A kind of document made from a template.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum DocKind: code {
        /// The tour sale contract (132-FZ art. 10), for a booking.
        Contract = "contract",
        /// The consent to personal-data processing (152-FZ art. 9), for a client.
        PersonalDataConsent = "pd_consent",
        /// The consent to advertising messages (38-FZ art. 18), for a client.
        MarketingConsent = "marketing_consent",
    }
}

impl DocKind {
    /// The document's title: the panel's lists, the PDF's metadata, the file's name.
    pub fn title_ru(self) -> &'static str {
        text::get("doc_kind", self.code())
    }

    /// The first version of the template, shipped with the product.
    pub fn default_source(self) -> &'static str {
        match self {
            DocKind::Contract => include_str!("../../../templates/docs/contract.html"),
            DocKind::PersonalDataConsent => include_str!("../../../templates/docs/pd_consent.html"),
            DocKind::MarketingConsent => include_str!("../../../templates/docs/marketing_consent.html"),
        }
    }

    /// Whether the subject is a booking (the contract) or a client (the consents).
    pub fn for_booking(self) -> bool {
        self == DocKind::Contract
    }

    /// Whether the document names the client's address and identity document: the contract and
    /// the personal-data consent do; the advertising consent names only the person, so it lacks
    /// nothing without them (and is not made anew when they are entered).
    pub fn states_identity(self) -> bool {
        self != DocKind::MarketingConsent
    }

    /// What this kind's text must contain.
    pub fn required(self) -> &'static [Term] {
        use Term::*;
        match self {
            DocKind::Contract => &[
                AgencyName,
                AgencyInn,
                AgencyOgrn,
                AgencyAddress,
                OperatorName,
                OperatorAddress,
                OperatorRegistry,
                SecurityKind,
                SecurityAmount,
                SecurityNumber,
                SecurityDate,
                SecurityTerm,
                GuarantorName,
                GuarantorAddress,
                ClientName,
                ClientDocument,
                Total,
                Dates,
                Route,
                Hotels,
                Services,
                Travellers,
                Payments,
                Rights,
                Liability,
                Termination,
                Claims,
                SecurityClaim,
            ],
            DocKind::PersonalDataConsent => &[
                ClientName,
                ClientAddress,
                DocumentNumber,
                DocumentIssuedOn,
                DocumentIssuer,
                AgencyName,
                AgencyAddress,
                Purpose,
                DataList,
                Actions,
                Methods,
                ConsentTerm,
                Withdrawal,
                Signature,
            ],
            DocKind::MarketingConsent => {
                &[ClientName, ClientPhone, AgencyName, AgencyAddress, Advertising, Withdrawal, Signature]
            }
        }
    }
}

keyed_enum! {
    /// Something a document must state. A code with a dot or a plain name is a variable the
    /// template must use; a code starting with `§` is a section its text must have.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Term: code {
        AgencyName = "agency.full_name",
        AgencyInn = "agency.inn",
        AgencyOgrn = "agency.ogrn",
        AgencyAddress = "agency.address",
        OperatorName = "operator.full_name",
        OperatorAddress = "operator.address",
        OperatorRegistry = "operator.registry_number",
        SecurityKind = "security.kind",
        SecurityAmount = "security.amount",
        SecurityNumber = "security.number",
        SecurityDate = "security.date",
        SecurityTerm = "security.term",
        GuarantorName = "security.guarantor_name",
        GuarantorAddress = "security.guarantor_address",
        ClientName = "client.full_name",
        ClientAddress = "client.address",
        ClientPhone = "client.phone",
        ClientDocument = "client.document",
        DocumentNumber = "client.document_number",
        DocumentIssuedOn = "client.document_issued_on",
        DocumentIssuer = "client.document_issuer",
        Total = "booking.total",
        Dates = "booking.dates",
        Route = "route",
        Hotels = "hotels",
        Services = "services",
        Travellers = "travellers",
        Payments = "payments",
        Rights = "§rights",
        Liability = "§liability",
        Termination = "§termination",
        Claims = "§claims",
        SecurityClaim = "§security_claim",
        Purpose = "§purpose",
        DataList = "§data_list",
        Actions = "§actions",
        Methods = "§methods",
        ConsentTerm = "§term",
        Withdrawal = "§withdrawal",
        Signature = "§signature",
        Advertising = "§advertising",
    }
}

impl Term {
    /// What it is, in the admin's words.
    pub fn title_ru(self) -> &'static str {
        text::get("doc_term", self.code())
    }

    /// The word stem whose presence in the text shows the section is there (lower case).
    fn stem(self) -> Option<&'static str> {
        Some(match self {
            Term::Rights => "права и обязанности",
            Term::Liability => "ответственност",
            Term::Termination => "расторжени",
            Term::Claims => "претензи",
            Term::SecurityClaim => "требовани",
            Term::Purpose => "цел",
            Term::DataList => "перечень",
            Term::Actions => "действи",
            Term::Methods => "способ",
            Term::ConsentTerm => "срок",
            Term::Withdrawal => "отозва",
            Term::Signature => "подпис",
            Term::Advertising => "реклам",
            _ => return None,
        })
    }

    fn present(self, source_lower: &str, variables: &[String]) -> bool {
        match self.stem() {
            Some(stem) => source_lower.contains(stem),
            None => {
                let code = self.code();
                variables.iter().any(|v| v == code || v.starts_with(&format!("{code}.")))
            }
        }
    }
}

/// A template compiled and checked for its kind: every required term present, every tag one
/// the PDF can show.
pub fn compile(kind: DocKind, source: &str) -> Result<Template, TemplateError> {
    let template = Template::compile_document(source)?;
    let variables = template.variables();
    let lower = source.to_lowercase();
    if let Some(missing) = kind.required().iter().find(|t| !t.present(&lower, &variables)) {
        let what = text::fill("documents", "term_missing", &[("term", &missing.title_ru()), ("code", &missing.code())]);
        return Err(TemplateError(what));
    }
    Ok(template)
}

/// A document made for one subject: its HTML, its PDF and the PDF's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedDocument {
    pub kind: DocKind,
    /// The template's version (1: the default of `templates/docs/`).
    pub template_version: i64,
    /// «Договор о реализации туристского продукта № 12 от 05.03.2027».
    pub title: String,
    pub html: String,
    pub pdf: Vec<u8>,
    /// SHA-256 of `pdf`, lower-case hex. The same inputs give the same bytes and so this hash.
    pub sha256: String,
    /// Data the document lacks, in words («паспорт клиента», «адрес клиента»): left blank for
    /// hand filling. A document to be signed electronically should have none.
    pub missing: Vec<String>,
}

/// Renders a compiled template on `ctx` to HTML and PDF.
/// The document's HTML alone (what its `html_sha256` is taken of), without the layout and
/// the PDF, which cost most of a rendering: enough to tell whether an issued copy still says
/// what the data says.
pub fn render_html(template: &Template, ctx: &serde_json::Value) -> Result<String, TemplateError> {
    template.check_variables(ctx)?;
    template.render_document(ctx)
}

pub fn render(
    kind: DocKind,
    template: &Template,
    version: i64,
    title: String,
    ctx: &serde_json::Value,
    missing: Vec<String>,
) -> Result<RenderedDocument, TemplateError> {
    let html = render_html(template, ctx)?;
    let blocks = html::parse(&html).map_err(TemplateError)?;
    let pdf = pdf::write(&title, &blocks).map_err(|e| TemplateError(e.0))?;
    let sha256 = hex::encode(Sha256::digest(&pdf));
    Ok(RenderedDocument { kind, template_version: version, title, html, pdf, sha256, missing })
}

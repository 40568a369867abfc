//! The Telegram Mini App where a client reads and signs a document: public routes, outside the
//! panel's sign-in. Each request carries the Mini App's `initData`, verified with the bot's
//! token ([`init_data`]); the Telegram user it names acts as themself (`Actor::Telegram` →
//! their client), and the services decide the rest (only the client a document was issued to
//! reads and signs it). The page is a shell plus one script that reads `initData` from the
//! launch URL and posts it with each form; every answer is the signing panel, rendered anew.

pub mod init_data;
pub mod panel;

use crate::AppState;
use crate::views;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use crm::domain::{DocField, DocKind as IdKind, FieldError, IssuedDocumentId, TravellerId, parse_document};
use crm::services::{Evidence, SigningView};
use crm::{Actor, Error, text};
use init_data::{InitDataError, MiniAppKey};
use std::collections::HashMap;
use std::net::SocketAddr;

const SCRIPT: &str = include_str!("../../../templates/web/sign/sign.js");

/// The Mini App's routes; none without the bot token to check `initData` with.
pub fn router(state: &AppState) -> Router<AppState> {
    if state.mini_app.is_none() {
        return Router::new();
    }
    Router::new()
        .route("/sign/app.js", get(script))
        .route("/sign/{id}", get(shell))
        // view, agreement, code, sign: one handler, the step named by the path.
        .route("/sign/{id}/{step}", post(act))
        .route("/sign/{id}/documents", post(documents))
        .layer(axum::middleware::map_response(headers))
}

/// The panel's headers, but framing allowed to Telegram's web client, which opens Mini Apps in
/// a frame (the apps open them in a web view).
async fn headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; form-action 'self'; \
             frame-ancestors https://web.telegram.org",
        ),
    );
    resp
}

async fn script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT)
}

fn parse_id(id: &str) -> Option<IssuedDocumentId> {
    id.parse::<i64>().ok().filter(|n| *n > 0).map(IssuedDocumentId)
}

async fn shell(Path(id): Path<String>) -> Response {
    let Some(id) = parse_id(&id) else { return StatusCode::NOT_FOUND.into_response() };
    let mut ctx = tera::Context::new();
    ctx.insert("id", &id.0);
    match views::render("sign/shell.html", &ctx) {
        Ok(html) => html.into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(serde::Deserialize)]
struct SignForm {
    #[serde(default)]
    init_data: String,
    #[serde(default)]
    code: String,
}

/// What one request did, for the panel's message line.
enum Outcome {
    Shown,
    Done(String),
    Refused(String),
}

#[derive(Clone, Copy)]
enum Step {
    View,
    Agreement,
    Code,
    Sign,
}

impl Step {
    /// The step a path names; any other is not found, like an unknown route.
    fn from_path(step: &str) -> Option<Step> {
        match step {
            "view" => Some(Step::View),
            "agreement" => Some(Step::Agreement),
            "code" => Some(Step::Code),
            "sign" => Some(Step::Sign),
            _ => None,
        }
    }
}

async fn act(
    State(state): State<AppState>,
    Path((id, step)): Path<(String, String)>,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    axum::Form(form): axum::Form<SignForm>,
) -> Response {
    let (Some(id), Some(step)) = (parse_id(&id), Step::from_path(&step)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(key) = &state.mini_app else { return StatusCode::NOT_FOUND.into_response() };
    let actor = match client_of(&state, key, &form.init_data).await {
        Ok(a) => a,
        Err((status, message)) => return refusal(status, &message),
    };
    let ip = ext.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let evidence = Evidence::mini_app(ip, agent);
    let crm = &state.crm;
    let done = match step {
        Step::View => Ok(Outcome::Shown),
        Step::Agreement => crm
            .accept_signature_agreement(&actor, &evidence)
            .await
            .map(|()| Outcome::Done(text::get("mini_app", "agreement_accepted").to_owned())),
        Step::Code => crm
            .send_signing_code(&actor, id)
            .await
            .map(|()| Outcome::Done(text::get("mini_app", "code_sent").to_owned())),
        Step::Sign => match crm.sign_with_code(&actor, id, &form.code, &evidence).await {
            // A contract whose booking now takes a payment: where to pay, which is the chat's.
            Ok(line) => {
                let said = match crm.due_after_signing(&actor, &line).await {
                    Some(_) => text::get("mini_app", "signed_pay"),
                    None => text::get("mini_app", "signed"),
                };
                Ok(Outcome::Done(said.to_owned()))
            }
            Err(e) => Err(e),
        },
    };
    let outcome = match done {
        Ok(o) => o,
        Err(e) => match refusal_of(&e) {
            Some(message) => Outcome::Refused(message),
            None => return failure(&e),
        },
    };
    // A copy made anew (its data changed, or it was issued again) is neither shown nor signed:
    // the page shows the new one, and says so.
    let (id, outcome) = match (outcome, crm.current_copy(&actor, id).await) {
        (Outcome::Refused(_) | Outcome::Shown, Ok(now)) if now.document.id != id => {
            (now.document.id, Outcome::Refused(text::get("mini_app", "replaced").to_owned()))
        }
        (outcome, _) => (id, outcome),
    };
    show(&state, &actor, id, &outcome, &form.init_data, None).await
}

/// An identity document refused field by field: the form shown again with the reasons and
/// what was typed.
struct RefusedDocument {
    /// `None`: the client's own, for a document without travellers (the consent).
    traveller: Option<TravellerId>,
    kind: IdKind,
    errors: Vec<FieldError>,
    values: HashMap<String, String>,
}

/// A refused form, shown again with what was typed and why.
enum Refused {
    Document(RefusedDocument),
    Address { typed: String, reason: String },
}

/// What entering a missing document did.
enum Entered {
    /// Saved; the document to show next (made anew once nothing the client enters here is
    /// missing) and whether it still lacks what only the agency enters (the page says so).
    Saved {
        show: IssuedDocumentId,
        complete: bool,
        agency_pending: bool,
    },
    Refused(Refused),
    /// Not one the document lacks (entered meanwhile, or not needed for the trip).
    NotMissing,
}

/// The client enters a traveller's identity document the document lacks (`traveller`, `kind`
/// and the fields, as the panel's traveller page posts them).
async fn documents(
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let Some(id) = parse_id(&id) else { return StatusCode::NOT_FOUND.into_response() };
    let Some(key) = &state.mini_app else { return StatusCode::NOT_FOUND.into_response() };
    let init = form.get("init_data").cloned().unwrap_or_default();
    let actor = match client_of(&state, key, &init).await {
        Ok(a) => a,
        Err((status, message)) => return refusal(status, &message),
    };
    match enter_document(&state, &actor, id, &form).await {
        Ok(Entered::Saved { show: next, complete, agency_pending }) => {
            let message = match (complete, agency_pending) {
                (false, _) => text::get("mini_app_documents", "saved"),
                (true, false) => text::get("mini_app_documents", "completed"),
                (true, true) => text::get("mini_app_documents", "client_part_done"),
            }
            .to_owned();
            show(&state, &actor, next, &Outcome::Done(message), &init, None).await
        }
        Ok(Entered::NotMissing) => {
            let outcome = Outcome::Refused(text::get("mini_app_documents", "not_missing").to_owned());
            show(&state, &actor, id, &outcome, &init, None).await
        }
        Ok(Entered::Refused(refused)) => {
            let outcome = Outcome::Refused(text::get("mini_app_documents", "fix_fields").to_owned());
            show(&state, &actor, id, &outcome, &init, Some(&refused)).await
        }
        Err(e) => match refusal_of(&e) {
            Some(message) => {
                if matches!(e, Error::Signing(crm::services::SigningRefusal::NotYours)) {
                    return refusal(StatusCode::FORBIDDEN, &message);
                }
                show(&state, &actor, id, &Outcome::Refused(message), &init, None).await
            }
            None => failure(&e),
        },
    }
}

/// Checks that the document is the client's, still signable, and lacks this very document
/// (a traveller's identity document; for a consent, which has no travellers, the client's own;
/// or the client's address), then saves it (sealed and audited by the service) and, when
/// nothing the client enters here is missing any more, makes the document anew. Each step is
/// its own transaction; a refused form changes nothing.
async fn enter_document(
    state: &AppState,
    actor: &Actor,
    id: IssuedDocumentId,
    form: &HashMap<String, String>,
) -> Result<Entered, Error> {
    let crm = &state.crm;
    let line = crm.issued_document(actor, id).await?;
    if !line.state.signable() {
        return Err(Error::Signing(crm::services::SigningRefusal::NotSignable(line.state)));
    }
    let client = line.document.client_id;
    let booking = line.document.booking_id;
    let mut on_file = crm.client_document_kinds(actor, client).await?;
    let kind = form.get("kind").and_then(|k| IdKind::from_code(k)).ok_or(crm::domain::Invalid::KindUnknown)?;
    let value = |f: DocField| form.get(f.code()).map(String::as_str).unwrap_or_default();
    let refused = |traveller, errors| {
        Entered::Refused(Refused::Document(RefusedDocument { traveller, kind, errors, values: form.clone() }))
    };
    match (kind, booking) {
        (IdKind::Address, _) => {
            if on_file.address() {
                return Ok(Entered::NotMissing);
            }
            let typed = form.get("address").cloned().unwrap_or_default();
            match crm.set_client_address(actor, client, &typed).await {
                Ok(_) => {}
                Err(Error::Invalid(why)) => {
                    return Ok(Entered::Refused(Refused::Address { typed, reason: why.message_ru().to_owned() }));
                }
                Err(e) => return Err(e),
            }
        }
        (_, None) => {
            if !IdKind::CLIENT_CARD.contains(&kind) || on_file.identity() {
                return Ok(Entered::NotMissing);
            }
            match parse_document(kind, value, crm.today()) {
                Ok(doc) => drop(crm.put_client_document(actor, client, &doc).await?),
                Err(errors) => return Ok(refused(None, errors)),
            }
        }
        (_, Some(booking)) => {
            let traveller = form.get("traveller").and_then(|t| t.parse::<i64>().ok()).map(TravellerId);
            let Some(traveller) = traveller else { return Err(crm::domain::Invalid::KindUnknown.into()) };
            if !crm.missing_documents(actor, booking).await?.contains(&(traveller, kind)) {
                return Ok(Entered::NotMissing);
            }
            match parse_document(kind, value, crm.today()) {
                Ok(doc) => crm.put_traveller_document(actor, traveller, &doc).await?,
                Err(errors) => return Ok(refused(Some(traveller), errors)),
            };
        }
    }
    // What was just saved to the client's own record is on file now (not read again); a
    // traveller's document counts through the booking's missing documents below.
    if kind == IdKind::Address || booking.is_none() {
        on_file.0.push(kind);
    }
    let complete = on_file.address()
        && match booking {
            Some(b) => crm.missing_documents(actor, b).await?.is_empty(),
            None => on_file.identity(),
        };
    if !complete {
        return Ok(Entered::Saved { show: id, complete: false, agency_pending: false });
    }
    // Saving what was missing made the document anew (the service remakes a copy whose data
    // changed): the page follows to that copy.
    let anew = crm.current_copy(actor, id).await?;
    let agency_pending = crm::services::waits_for_agency(&anew.document.missing);
    Ok(Entered::Saved { show: anew.document.id, complete: true, agency_pending })
}

/// The signing panel of a document after a step, with the forms for what it still lacks.
async fn show(
    state: &AppState,
    actor: &Actor,
    id: IssuedDocumentId,
    outcome: &Outcome,
    init_data: &str,
    refused: Option<&Refused>,
) -> Response {
    let crm = &state.crm;
    let view = match crm.open_for_signing(actor, id).await {
        Ok(view) => view,
        Err(e) => {
            return match refusal_of(&e) {
                Some(message) => refusal(status_of(&e), &message),
                None => failure(&e),
            };
        }
    };
    let forms = match missing_forms(state, actor, &view, refused).await {
        Ok(forms) => forms,
        Err(e) => return failure(&e),
    };
    panel(&view, outcome, init_data, &forms)
}

/// One form per (traveller, identity document) the document lacks (for a consent, the client's
/// own), and one for the client's address while none is on file; none when it lacks nothing the
/// client can enter here.
async fn missing_forms(
    state: &AppState,
    actor: &Actor,
    view: &SigningView,
    refused: Option<&Refused>,
) -> Result<Vec<serde_json::Value>, Error> {
    let doc = &view.document;
    if doc.document.missing.is_empty() || !doc.state.signable() {
        return Ok(Vec::new());
    }
    let on_file = state.crm.client_document_kinds(actor, doc.document.client_id).await?;
    let mut forms = Vec::new();
    if !on_file.address() {
        let (typed, reason) = match refused {
            Some(Refused::Address { typed, reason }) => (Some(typed.as_str()), Some(reason.as_str())),
            _ => (None, None),
        };
        forms.push(serde_json::json!({
            "traveller": "",
            "name": text::get("mini_app_documents", "address_owner"),
            "kind": IdKind::Address.as_str(),
            "title": text::get("mini_app_documents", "address_title"),
            "fields": [{
                "name": "address",
                "label": text::get("mini_app_documents", "address_label"),
                "hint": text::get("mini_app_documents", "address_hint"),
                "value": typed,
                "error": reason,
            }],
        }));
    }
    let refused = match refused {
        Some(Refused::Document(r)) => Some(r),
        _ => None,
    };
    let fields = |traveller: Option<TravellerId>, kind: IdKind| {
        let here = refused.filter(|r| r.traveller == traveller && r.kind == kind);
        crate::bookings::travellers::document_fields_json(kind, here.map(|r| (r.errors.as_slice(), &r.values)))
    };
    let Some(booking) = doc.document.booking_id else {
        // The client's own identity document, as the client card takes it: the internal
        // passport, which nearly every client has, or else the foreign one (one is enough).
        if !on_file.identity() {
            for (n, kind) in IdKind::CLIENT_CARD.into_iter().enumerate() {
                let typed_here = refused.is_some_and(|r| r.traveller.is_none() && r.kind == kind);
                forms.push(serde_json::json!({
                    "traveller": "",
                    "name": text::get("mini_app_documents", "identity_owner"),
                    "kind": kind.as_str(),
                    "title": kind.title_ru(),
                    "fields": fields(None, kind),
                    "alternative": (n > 0).then(|| text::get("mini_app_documents", "identity_alternative")),
                    "open": n == 0 || typed_here,
                }));
            }
        }
        return Ok(forms);
    };
    let list = state.crm.travellers(actor, booking).await?;
    for e in &list.travellers {
        for kind in e.missing() {
            forms.push(serde_json::json!({
                "traveller": e.traveller.id.0,
                "name": e.traveller.full_name,
                "kind": kind.as_str(),
                "title": kind.title_ru(),
                "fields": fields(Some(e.traveller.id), kind),
            }));
        }
    }
    Ok(forms)
}

/// The client the verified `initData` names.
async fn client_of(state: &AppState, key: &MiniAppKey, init_data: &str) -> Result<Actor, (StatusCode, String)> {
    let telegram_id = init_data::verify(key, init_data, state.crm.now())
        .map_err(|e: InitDataError| (StatusCode::FORBIDDEN, e.message_ru().to_owned()))?;
    match state.crm.client_by_telegram(&Actor::Telegram(telegram_id), telegram_id).await {
        Ok(Some(client)) => Ok(Actor::Client(client.id)),
        Ok(None) => Err((StatusCode::FORBIDDEN, text::get("mini_app", "not_a_client").to_owned())),
        Err(e) => Err((StatusCode::INTERNAL_SERVER_ERROR, failure_text(&e))),
    }
}

fn refusal_of(e: &Error) -> Option<String> {
    match e {
        Error::Forbidden(_) => Some(text::get("mini_app", "forbidden").to_owned()),
        Error::NotFound(_) => Some(text::get("mini_app", "not_found").to_owned()),
        other => other.refusal_ru(),
    }
}

fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::Forbidden(_) | Error::Signing(crm::services::SigningRefusal::NotYours) => StatusCode::FORBIDDEN,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::CONFLICT,
    }
}

fn failure_text(e: &Error) -> String {
    tracing::error!(error = %e, "mini app: request failed");
    text::get("mini_app", "internal").to_owned()
}

fn failure(e: &Error) -> Response {
    refusal(StatusCode::INTERNAL_SERVER_ERROR, &failure_text(e))
}

/// A refusal with nothing else to show (the request was not the document's client's).
fn refusal(status: StatusCode, message: &str) -> Response {
    let mut ctx = tera::Context::new();
    ctx.insert("message", message);
    match views::render("sign/refused.html", &ctx) {
        Ok(html) => (status, html).into_response(),
        Err(e) => e.into_response(),
    }
}

fn panel(view: &SigningView, outcome: &Outcome, init_data: &str, forms: &[serde_json::Value]) -> Response {
    let mut ctx = tera::Context::new();
    ctx.insert("forms", forms);
    ctx.insert("v", view);
    ctx.insert("id", &view.document.document.id.0);
    // The document's own HTML as issued: rendered by the documents' templates, not typed by
    // anyone here, so it is inserted as it is.
    ctx.insert("document_html", &view.html);
    ctx.insert("agreement_html", view.agreement_html);
    ctx.insert("signable", &view.document.state.signable());
    // While the document lacks anything it cannot be signed: no agreement or code is offered,
    // the client's part is asked for (`forms`) and the agency's only said to be under way.
    let (_, by_agency) = crm::services::missing_parts(&view.document.document.missing);
    ctx.insert("lacking", &!view.document.document.missing.is_empty());
    ctx.insert("agency_pending", &!by_agency.is_empty());
    ctx.insert("init_data", init_data);
    ctx.insert("signed_at", &view.document.document.signed_at.map(views::when).unwrap_or_default());
    let (ok, message) = match outcome {
        Outcome::Shown => (true, String::new()),
        Outcome::Done(m) => (true, m.clone()),
        Outcome::Refused(m) => (false, m.clone()),
    };
    ctx.insert("ok", &ok);
    ctx.insert("message", &message);
    let status = if ok { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    match views::render("sign/panel.html", &ctx) {
        Ok(html) => (status, html).into_response(),
        Err(e) => e.into_response(),
    }
}

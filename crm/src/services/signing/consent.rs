//! Consents issued for signing "at registration or at the first booking, whichever comes
//! first" (issue #13): the personal-data consent always, the marketing consent when the client
//! opted in. And the registration's own yes/no question: the text shown and its fingerprint,
//! recorded with each answer for clients who never open a Mini App.

use super::DocumentLine;
use crate::crypto::sha256_hex;
use crate::domain::ClientId;
use crate::paperwork::DocKind;
use crate::services::Crm;
use crate::services::clients::Access;
use crate::services::paperwork::DocSubject;
use crate::store::signing as store;
use crate::{Actor, Conflict, Error, Result};

const PD_QUESTION: &str = include_str!("../../../../templates/bot/reg_ask_pd_consent.tera");
const MARKETING_QUESTION: &str = include_str!("../../../../templates/bot/reg_ask_marketing.tera");

/// A consent question as the registration showed it: its text (the template has no variables,
/// so the bot's rendering is the trimmed file — a bot test holds them equal), its SHA-256, and
/// a version. The version is derived from the hash rather than kept as a constant, so a changed
/// text can never be recorded under the old version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownText {
    pub text: &'static str,
    pub version: String,
    pub sha256: String,
}

impl ShownText {
    fn of(name: &str, raw: &'static str) -> ShownText {
        let text = raw.trim();
        let sha256 = sha256_hex(text.as_bytes());
        ShownText { text, version: format!("{name}@{}", &sha256[..12]), sha256 }
    }

    /// The personal-data question (`templates/bot/reg_ask_pd_consent.tera`).
    pub fn personal_data() -> ShownText {
        ShownText::of("reg_ask_pd_consent", PD_QUESTION)
    }

    /// The marketing question (`templates/bot/reg_ask_marketing.tera`).
    pub fn marketing() -> ShownText {
        ShownText::of("reg_ask_marketing", MARKETING_QUESTION)
    }
}

/// The consents a client is asked to sign: the personal-data one always, the marketing one
/// while they agree to it.
fn needed(client: &crate::services::Client) -> Vec<DocKind> {
    let mut kinds = vec![DocKind::PersonalDataConsent];
    if client.marketing_consent {
        kinds.push(DocKind::MarketingConsent);
    }
    kinds
}

/// Whether a consent the client is asked to sign is not signed among `documents` (theirs):
/// what the cards offer «Выдать согласие на подпись» for.
pub fn consent_unsigned(client: &crate::services::Client, documents: &[DocumentLine]) -> bool {
    needed(client).into_iter().any(|kind| {
        !documents.iter().any(|l| l.document.kind == kind && l.state == crate::store::signing::DocumentState::Signed)
    })
}

/// Which consents an issue skips: ensuring skips those signed or still signable; staff issuing
/// again (after entering what they lacked) skip only those signed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Skip {
    Present,
    Signed,
}

impl Crm {
    /// Issues the client's consents for signing unless they have them already: the
    /// personal-data consent, and the marketing one when the client opted in. A consent counts
    /// as present while one is signed or still signable (issued or opened, not expired); so a
    /// second call issues nothing. The system issues them, on behalf of the client's own
    /// registration or a booking. Without the agency's requisites a consent cannot name its
    /// operator: nothing is issued, a warning is logged, and the caller carries on.
    pub async fn ensure_consent(&self, actor: &Actor, client: ClientId) -> Result<Vec<DocumentLine>> {
        let card = match actor {
            // The client's own registration: their card, reached by their Telegram account.
            Actor::Telegram(tid) => {
                let card = crate::store::clients::get(&mut *self.store.conn().await?, client)
                    .await?
                    .ok_or(Error::NotFound("client"))?;
                if card.telegram_id != Some(*tid) {
                    return Err(Error::Forbidden("this client is not yours"));
                }
                card
            }
            _ => self.client_for(actor, client, Access::Read).await?,
        };
        match self.issue_consents(&Actor::System, &card, Skip::Present).await {
            Err(Error::Conflict(Conflict::AgencyRequisitesMissing | Conflict::OperatorRegistryMissing)) => {
                tracing::warn!(
                    client = client.0,
                    "consent not issued: the agency's requisites are not entered, and a consent \
                     cannot be rendered without the operator's name and address"
                );
                Ok(Vec::new())
            }
            other => other,
        }
    }

    /// Staff issue the client's consents anew from what is on file now (the card's «Выдать
    /// согласие на подпись» after entering the passport or the address a copy lacked): each
    /// one the client needs and has not signed, superseding an unsigned copy. Staff who may
    /// change the client (agent: own) issue; a refusal (no requisites) is the caller's to show.
    pub async fn reissue_consents(&self, actor: &Actor, client: ClientId) -> Result<Vec<DocumentLine>> {
        let card = self.client_for(actor, client, Access::Write).await?;
        self.issue_consents(actor, &card, Skip::Signed).await
    }

    async fn issue_consents(
        &self,
        actor: &Actor,
        card: &crate::services::Client,
        skip: Skip,
    ) -> Result<Vec<DocumentLine>> {
        let now = self.now();
        let existing = store::of_client(&mut *self.store.conn().await?, card.id).await?;
        let mut issued = Vec::new();
        for kind in needed(card) {
            let skipped = existing.iter().any(|d| {
                let state = d.state(now);
                d.kind == kind
                    && (state == crate::store::signing::DocumentState::Signed
                        || (skip == Skip::Present && state.signable()))
            });
            if !skipped {
                issued.push(self.issue_document(actor, kind, DocSubject::Client(card.id)).await?);
            }
        }
        Ok(issued)
    }
}

//! The agency's requisites, the tour operators' registry data and clients' addresses: entered
//! once, validated field by field, each change audited. Only the admin edits the requisites;
//! a client's address is written by whoever may change the client.

use super::admin;
use crate::audit::{AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{ClientId, Role, StaffId};
use crate::paperwork::requisites::{AgencyRequisites, FieldProblem, OperatorRegistry};
use crate::services::Crm;
use crate::services::Staff;
use crate::services::clients::Access;
use crate::store::paperwork as store;
use crate::{Actor, Error, Result};

/// An operator account with its registry data, if entered.
#[derive(Debug, Clone)]
pub struct OperatorEntry {
    pub operator: Staff,
    pub registry: Option<OperatorRegistry>,
}

fn refused(problems: Vec<FieldProblem>) -> Error {
    match problems.into_iter().next() {
        Some((field, why)) => Error::InvalidField { field: field.label_ru(), why },
        None => Error::NotFound("requisites"),
    }
}

const MAX_ADDRESS: usize = 300;

impl Crm {
    /// The agency's requisites, `None` until the admin enters them.
    pub async fn agency_requisites(&self, actor: &Actor) -> Result<Option<AgencyRequisites>> {
        admin(actor)?;
        let stored = store::agency(&mut *self.store.conn().await?).await?;
        Ok(stored.and_then(|s| serde_json::from_str(&s.data).ok()))
    }

    /// Checks every field (INN, OGRN, BIK and the accounts by their check digits) and saves.
    /// The first wrong field is named in the refusal; [`AgencyRequisites::checked`] lists all.
    pub async fn save_agency_requisites(&self, actor: &Actor, input: &AgencyRequisites) -> Result<AgencyRequisites> {
        admin(actor)?;
        let clean = input.checked().map_err(refused)?;
        let data = serde_json::to_string(&clean).map_err(|_| Error::NotFound("requisites"))?;
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        store::put_agency(&mut tx, &data, &actor.audit_name(), now).await?;
        let entry = Entry::new(AuditAction::AgencyRequisites, AuditObject::Agency)
            .with(AuditField::Title, clean.full_name())
            .with(AuditField::Inn, &clean.inn);
        tx.commit(entry).await?;
        Ok(clean)
    }

    /// Every operator account (tours name their operator by account) with its registry data.
    pub async fn operator_registry(&self, actor: &Actor) -> Result<Vec<OperatorEntry>> {
        admin(actor)?;
        let mut conn = self.store.conn().await?;
        let staff = crate::store::staff::list(&mut conn).await?;
        let mut out = Vec::new();
        for s in staff.into_iter().filter(|s| s.role == Role::Operator) {
            let registry = store::operator(&mut conn, s.id).await?.and_then(|r| serde_json::from_str(&r.data).ok());
            out.push(OperatorEntry { operator: s, registry });
        }
        Ok(out)
    }

    pub async fn save_operator_registry(
        &self,
        actor: &Actor,
        operator: StaffId,
        input: &OperatorRegistry,
    ) -> Result<OperatorRegistry> {
        admin(actor)?;
        let mut conn = self.store.conn().await?;
        let staff = crate::store::staff::get(&mut conn, operator).await?.ok_or(Error::NotFound("operator"))?;
        drop(conn);
        if staff.role != Role::Operator {
            return Err(Error::NotFound("operator"));
        }
        let clean = input.checked().map_err(refused)?;
        let data = serde_json::to_string(&clean).map_err(|_| Error::NotFound("registry"))?;
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        store::put_operator(&mut tx, operator, &data, &actor.audit_name(), now).await?;
        let entry = Entry::new(AuditAction::OperatorRegistry, AuditObject::Staff(operator))
            .with(AuditField::Title, &clean.full_name)
            .with(AuditField::RegistryNumber, &clean.registry_number);
        tx.commit(entry).await?;
        Ok(clean)
    }

    /// A client's address for the documents (152-FZ asks the consent to state it).
    pub async fn set_client_address(&self, actor: &Actor, client: ClientId, address: &str) -> Result<String> {
        self.client_for(actor, client, Access::Write).await?;
        let clean = address.split_whitespace().collect::<Vec<_>>().join(" ");
        if clean.split_whitespace().count() < 3 || clean.chars().count() < 15 {
            return Err(crate::domain::Invalid::AddressTooShort.into());
        }
        if clean.chars().count() > MAX_ADDRESS {
            return Err(crate::domain::Invalid::FieldTooLong.into());
        }
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        store::put_client_address(&mut tx, client, &clean, &actor.audit_name(), now).await?;
        tx.commit(Entry::new(AuditAction::ClientAddress, AuditObject::Client(client))).await?;
        Ok(clean)
    }

    /// The address on file, for whoever reads the client.
    pub async fn client_address(&self, actor: &Actor, client: ClientId) -> Result<Option<String>> {
        self.client_for(actor, client, Access::Read).await?;
        Ok(store::client_address(&mut *self.store.conn().await?, client).await?)
    }
}

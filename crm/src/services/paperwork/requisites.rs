//! The agency's requisites, the tour operators' registry data and clients' addresses: entered
//! once, validated field by field, each change audited. Only the admin edits the requisites;
//! a client's address is written by whoever may change the client.

use super::admin;
use crate::audit::{AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{ClientId, DocKind, Role, StaffId};
use crate::paperwork::requisites::{AgencyRequisites, FieldProblem, OperatorRegistry};
use crate::services::Crm;
use crate::services::Staff;
use crate::services::clients::Access;
use crate::store::documents::Owner;
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
        // The documents that waited for these (a consent issued before the requisites were
        // complete) go out now.
        self.remake_completed().await?;
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
        // A contract that waited for a security in force goes out now.
        self.remake_completed().await?;
        Ok(clean)
    }

    /// A client's address for the documents (152-FZ asks the consent to state it). Returns the
    /// client's documents made anew because they stated the previous one (see `signing::stale`).
    pub async fn set_client_address(
        &self,
        actor: &Actor,
        client: ClientId,
        address: &str,
    ) -> Result<Vec<crate::services::DocumentLine>> {
        self.client_for(actor, client, Access::Write).await?;
        let clean = address.split_whitespace().collect::<Vec<_>>().join(" ");
        if clean.split_whitespace().count() < 3 || clean.chars().count() < 15 {
            return Err(crate::domain::Invalid::AddressTooShort.into());
        }
        if clean.chars().count() > MAX_ADDRESS {
            return Err(crate::domain::Invalid::FieldTooLong.into());
        }
        // Personal data: sealed like the passports, never stored in clear.
        let entry = Entry::new(AuditAction::document_put(DocKind::Address), AuditObject::Client(client));
        let plain = crate::services::documents::plain_of(&clean)?;
        self.seal_and_store(actor, Owner::Client(client.0), DocKind::Address, &plain, entry, None).await?;
        self.remake_stale(client).await
    }

    /// The address on file, for whoever reads the client; the reading is audited.
    pub async fn client_address(&self, actor: &Actor, client: ClientId) -> Result<Option<String>> {
        self.client_for(actor, client, Access::Read).await?;
        let entry = Entry::new(AuditAction::DocumentRead, AuditObject::Client(client));
        Ok(self.open_owner(actor, Owner::Client(client.0), &[DocKind::Address], entry).await?.address)
    }

    /// Seals the addresses an earlier version kept in clear (`client_addresses`) and deletes
    /// the clear rows, each in one transaction; run at every start, a no-op once done. An
    /// address already sealed meanwhile (typed again) wins over the old clear one.
    pub async fn seal_clear_addresses(&self) -> Result<usize> {
        let (mut sealed, mut removed) = (0, 0);
        loop {
            let rows = store::clear_addresses(&mut *self.store.conn().await?, 100).await?;
            if rows.is_empty() {
                if removed > 0 {
                    self.store.truncate_wal().await?;
                }
                return Ok(sealed);
            }
            for (client, address) in rows {
                let owner = Owner::Client(client.0);
                let mut conn = self.store.conn().await?;
                let exists = crate::store::documents::get(&mut conn, owner, DocKind::Address).await?.is_some();
                drop(conn);
                if !exists {
                    let entry = Entry::new(AuditAction::document_put(DocKind::Address), AuditObject::Client(client));
                    let plain = crate::services::documents::plain_of(&address)?;
                    self.seal_and_store(&Actor::System, owner, DocKind::Address, &plain, entry, None).await?;
                    sealed += 1;
                }
                store::delete_clear_address(&mut *self.store.conn().await?, client).await?;
                removed += 1;
            }
        }
    }
}

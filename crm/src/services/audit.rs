//! Reading the audit log: the admin's.

use super::Crm;
use crate::domain::Role;
use crate::store::audit::{self, AuditEntry, AuditFilter};
use crate::{Actor, Result};

impl Crm {
    pub async fn audit_log(&self, actor: &Actor, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        actor.require(&[Role::Admin], "only an admin reads the audit log")?;
        Ok(audit::list(&mut *self.store.conn().await?, filter).await?)
    }
}

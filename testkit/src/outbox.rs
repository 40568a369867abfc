//! The outbox one message at a time, as tests read it. The sender itself claims in batches
//! ([`Crm::claim_outgoing_batch`]); a batch of one is the same rule.

use crm::services::notify::OutgoingMessage;
use crm::{Actor, Crm};
use std::future::Future;

pub trait ClaimOne {
    /// Takes the next due message (service reminders first) and marks it `sending`.
    fn claim_outgoing(&self, actor: &Actor) -> impl Future<Output = crm::Result<Option<OutgoingMessage>>> + Send;
}

impl ClaimOne for Crm {
    async fn claim_outgoing(&self, actor: &Actor) -> crm::Result<Option<OutgoingMessage>> {
        Ok(self.claim_outgoing_batch(actor, 1).await?.pop())
    }
}

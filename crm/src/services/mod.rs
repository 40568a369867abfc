//! The services: every operation of the product, each taking the acting user and enforcing the
//! role table of DESIGN.md before it touches the store. Front-ends call only these.

mod address_limits;
mod audit;
mod bookings;
mod clients;
mod documents;
mod hotels;
mod interactions;
mod keys;
mod ledger;
mod lockout;
pub mod notify;
mod passwords;
mod permissions;
mod pricing;
mod staff;
mod tours;
mod web_sessions;

pub use address_limits::ADDRESS_MAX_FAILURES;
pub use bookings::{BookingCard, BookingRequest, NewTraveller, RoomChoice};
pub use clients::{ClientCard, NewClient};
pub use documents::Documents;
pub use hotels::{
    AgreementInput, CorrespondenceInput, FieldProblem, HotelCard, HotelInput, ManagerInput, RoomInput, RoomWithSeasons,
    SeasonInput,
};
pub use interactions::NewInteractionInput;
pub use keys::RotationReport;
pub use ledger::{OperationInput, PaymentInput, PaymentOutcome};
pub use lockout::{LOCKOUT_MINUTES, MAX_FAILURES};
pub use permissions::Capability;
pub use staff::INVITE_TTL_DAYS;
pub use staff::{NewStaffInput, StaffCreated, StaffName};
pub use tours::{LinkableHotel, MAX_ROUTE_DAY, TourCard, TourInput, tour_editable_by};
pub use web_sessions::{PanelSession, SESSION_IDLE_HOURS, SessionStarted, SignIn};

use crate::clock::Clock;
use crate::crypto::{DataKey, Keyring, MasterKey};
use crate::store::{self, Store};
use crate::{Actor, Result};
use chrono::{DateTime, Utc};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, RwLock};

/// The application core: a store, the keyring and a clock (and what this process remembers of
/// sign-in attempts). Cheap to clone.
#[derive(Clone)]
pub struct Crm {
    store: Store,
    master: Arc<MasterKey>,
    keys: Arc<RwLock<Arc<Keyring>>>,
    clock: Arc<dyn Clock>,
    addresses: Arc<address_limits::AddressLimits>,
    password_checks: Arc<AtomicU64>,
}

impl std::fmt::Debug for Crm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crm").field("store", &self.store).finish_non_exhaustive()
    }
}

impl Crm {
    /// Loads the data keys (creating the first one on a new database) and is ready to serve.
    pub async fn new(store: Store, master: MasterKey, clock: Arc<dyn Clock>) -> Result<Crm> {
        let master = Arc::new(master);
        let keyring = load_keyring(&store, &master, clock.now()).await?;
        Ok(Crm {
            store,
            master,
            keys: Arc::new(RwLock::new(Arc::new(keyring))),
            clock,
            addresses: Arc::default(),
            password_checks: Arc::default(),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn today(&self) -> chrono::NaiveDate {
        self.now().date_naive()
    }

    fn keyring(&self) -> Arc<Keyring> {
        self.keys.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    async fn reload_keyring(&self) -> Result<()> {
        let ring = load_keyring(&self.store, &self.master, self.now()).await?;
        *self.keys.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(ring);
        Ok(())
    }

    /// Writes one audit record outside any transaction (for reads, such as decryptions).
    async fn audit(
        &self,
        actor: &Actor,
        action: &str,
        entity: &str,
        id: impl ToString,
        details: Option<String>,
    ) -> Result<()> {
        let mut conn = self.store.conn().await?;
        store::audit::record(&mut conn, self.now(), &actor.audit_name(), action, entity, Some(id.to_string()), details)
            .await?;
        Ok(())
    }
}

async fn load_keyring(store: &Store, master: &MasterKey, now: DateTime<Utc>) -> Result<Keyring> {
    let mut tx = store.begin().await?;
    let mut stored = store::keys::all(&mut tx).await?;
    if stored.is_empty() {
        let key = DataKey::generate();
        store::keys::insert(&mut tx, &key.id, &key.wrap(master)?, "active", now).await?;
        stored = store::keys::all(&mut tx).await?;
    }
    tx.commit().await?;
    let current = stored
        .iter()
        .find(|k| k.state == "active")
        .map(|k| k.id.clone())
        .ok_or(crate::Error::NotFound("active data key"))?;
    let keys = stored.iter().map(|k| DataKey::unwrap_from(&k.id, &k.wrapped, master)).collect::<Result<Vec<_>, _>>()?;
    Ok(Keyring::new(&current, keys)?)
}

//! The services: every operation of the product, each taking the acting user and enforcing the
//! role table of DESIGN.md before it touches the store. Front-ends call only these.

mod address_limits;
mod audit;
mod booking_events;
mod bookings;
mod clients;
// The accountant's desk and commission rates (issue #15).
mod commissions;
mod contact;
mod day_figures;
mod desk;
mod dialogue_states;
mod documents;
mod hotels;
mod interactions;
mod keys;
mod ledger;
mod linking;
mod lockout;
pub mod notify;
mod paperwork;
mod passwords;
/// 32 random characters of `[A-Za-z0-9_-]` (an invite's token, a webhook's secret).
pub use passwords::invite_token as random_token;
// Paying from the chat: the amounts a client may pay, the bank-transfer QR, and the payment an
// agent sends the client from the booking card.
mod pay_offer;
mod permissions;
mod pricing;
// The financial reports.
pub mod reports;
mod scope;
mod staff;
mod telegram_accounts;
mod tours;
mod travellers;
mod web_sessions;
// Issuing documents for signing and their electronic signature.
mod signing;
// The KPIs (social funnel, average check) and the channel facts they read.
mod kpi;
mod social;
// Online payments through a provider (YooKassa): links, webhooks, reconciliation, refunds.
pub mod payments;
// Telegram Payments: invoices in the chat, pre-checkout, successful payments.
mod telegram_payments;

// The rows and filters of the store that front-ends read and pass: the services are the one seam
// between front-ends and storage, so these are named here, not through `crate::store`.
pub use crate::store::audit::{AuditEntry, AuditFilter};
pub use crate::store::bookings::{BookedRoom, Booking, BookingFilter, Installment, StatusChange, Traveller};
pub use crate::store::clients::{BlacklistEvent, Client, ClientFilter, ConsentEvent, ConsentKind};
pub use crate::store::hotels::{Hotel, HotelFilter, Room, Season};
pub use crate::store::interactions::Interaction;
pub use crate::store::notifications::{AudienceFilter, BroadcastRow};
pub use crate::store::operations::{Operation, OperationFilter};
pub use crate::store::outbox::{OutboxEntry, OutboxFilter, OutboxStatus};
pub use crate::store::staff::Staff;
pub use crate::store::tours::{Departure, RoutePoint, Tour, TourFilter, TourHotel, TourHotelLink};
pub use address_limits::ADDRESS_MAX_FAILURES;
pub use booking_events::BookingListeners;
pub use bookings::{BookingCard, BookingRequest, NewTraveller, RoomChoice};
pub use clients::{ClientCard, ClientContacts, NewClient, source_title_ru};
// The accountant's desk and commission rates (issue #15).
pub use crate::store::commissions::{RateChange, RateOf};
pub use commissions::{CommissionRates, RateLine};
pub use contact::ClientMessage;
pub use day_figures::{DUE_DAYS, DayFigures, DuePayment, SeatsLeft, agency_day_bounds};
pub use desk::{CommissionBalance, Payee, Payees, TransferMatch, bank_document_id, booking_number_in, document_number};
pub use documents::{Documents, OnFile};
pub use hotels::{
    AgreementInput, CorrespondenceInput, FieldProblem, HotelCard, HotelInput, ManagerInput, RoomInput, RoomWithSeasons,
    SeasonInput,
};
pub use interactions::NewInteractionInput;
pub use keys::{MasterKeyHome, MasterRotation, MasterStep, RotationReport};
pub use ledger::{OperationInput, PaymentInput, PaymentOutcome, next_instalment};
pub use linking::PhoneOnRecord;
pub use lockout::{LOCKOUT_MINUTES, MAX_FAILURES};
pub use permissions::Capability;
pub use pricing::{DeparturePrice, MAX_TRAVELLERS, Quote};
// The financial reports.
pub use reports::{
    FilterField, Grouping, Period, Report, ReportChoices, ReportFilter, ReportName, STATEMENT_EXPORT_MAX,
    STATEMENT_PAGE,
};
// Documents made from templates.
pub use crate::paperwork::requisites::{AgencyRequisites, OperatorRegistry, RequisiteField, SecurityKind};
pub use crate::paperwork::{DocKind, RenderedDocument, Term};
pub use paperwork::{DocSubject, DocTemplate, OperatorEntry, missing_parts, waits_for_agency};
pub use pay_offer::{BankTransferOffer, OfferChoices, PayWay, PaymentChoices, SentPayment};
pub use staff::INVITE_TTL_DAYS;
pub use staff::{NewStaffInput, StaffCreated, StaffName};
pub use telegram_accounts::TelegramAccount;
pub use tours::{LinkableHotel, MAX_ROUTE_DAY, TourCard, TourInput, TourOffer, tour_editable_by};
pub use travellers::{DocState, DocumentSaved, TravellerEntry, TravellerList};
pub use web_sessions::{PanelSession, SESSION_IDLE_HOURS, SessionStarted, SignIn};
// Signing: the documents issued to clients and the evidence of their signature.
pub use crate::store::signing::{Channel, DocumentState, IssuedDocument, Signature};
// The KPIs and the channel's posts, reactions and deep-link starts.
pub use kpi::attribution::WINDOW_DAYS as ATTRIBUTION_WINDOW_DAYS;
pub use kpi::{AverageCheck, KpiSummary, SOLD, SocialFunnel};
pub use signing::{
    AGREEMENT_VERSION, CODE_MAX_ATTEMPTS, CODE_RESEND_SECONDS, CODE_TTL_MINUTES, DocumentLine, Evidence,
    SIGN_WINDOW_DAYS, ShownText, SigningRefusal, SigningView, consent_unsigned, signature_agreement,
};
pub use social::{ChannelPost, DeepLink, PAYLOAD_MAX, ReactionCount};
// Telegram Payments.
pub use telegram_payments::{
    CHECKOUT_DEADLINE, ChargeOutcome, CheckoutQuery, CheckoutRefusal, INVOICE_TTL_DAYS, InvoicePrice, TelegramCharge,
    TelegramInvoice,
};

use crate::audit::{AuditAction, AuditField, AuditObject, Entry};
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
    /// Replaced only by a master key rotation with the key file (`keys::rotate_master_key`).
    master: Arc<RwLock<Arc<MasterKey>>>,
    keys: Arc<RwLock<Arc<Keyring>>>,
    clock: Arc<dyn Clock>,
    addresses: Arc<address_limits::AddressLimits>,
    password_checks: Arc<AtomicU64>,
    /// The agency's phone for clients (see `contact`).
    agency_phone: Option<crate::domain::Phone>,
    /// The online payment provider; `None`: online payment is off.
    payments: Option<Arc<payments::OnlinePayments>>,
    /// The provider token of Telegram Payments (`TOURCRM_TELEGRAM_PAYMENT_TOKEN`); `None`: off.
    telegram_payment_token: Option<Arc<secrecy::SecretString>>,
}

impl std::fmt::Debug for Crm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crm").field("store", &self.store).finish_non_exhaustive()
    }
}

impl Crm {
    /// Loads the data keys (creating the first one on a new database, finishing a master key
    /// rotation whose new key this is) and is ready to serve.
    pub async fn new(store: Store, master: MasterKey, clock: Arc<dyn Clock>) -> Result<Crm> {
        let master = Arc::new(master);
        let (keyring, waiting) = load_keyring(&store, &master, clock.now()).await?;
        if waiting > 0 {
            tracing::warn!(
                data_keys = waiting,
                "a master key rotation is waiting for its new key: start with the TOURCRM_MASTER_KEY printed by `tourcrm keys rotate --master`, or run that command again; until then the old master key still opens the data"
            );
        }
        Ok(Crm {
            store,
            master: Arc::new(RwLock::new(master)),
            keys: Arc::new(RwLock::new(Arc::new(keyring))),
            clock,
            addresses: Arc::default(),
            password_checks: Arc::default(),
            agency_phone: None,
            payments: None,
            telegram_payment_token: None,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Which database the CRM runs on (the health check names it).
    pub fn database_backend(&self) -> store::Backend {
        self.store.backend()
    }

    /// Whether the database answers (the health check).
    pub async fn ping_database(&self) -> Result<()> {
        self.store.ping().await
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today on the agency's clock (Moscow), the calendar its reports' periods are days of: the
    /// UTC date lagged it by a day from 00:00 to 03:00 Moscow time, so «today» then was yesterday
    /// (a period ending «today» ended three hours ago, a departure of today was still bookable).
    pub fn today(&self) -> chrono::NaiveDate {
        self.now().with_timezone(&crate::domain::AGENCY_TZ).date_naive()
    }

    fn keyring(&self) -> Arc<Keyring> {
        self.keys.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn master(&self) -> Arc<MasterKey> {
        self.master.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    async fn reload_keyring(&self) -> Result<()> {
        let (ring, _) = load_keyring(&self.store, &self.master(), self.now()).await?;
        *self.keys.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(ring);
        Ok(())
    }
}

/// Unwraps every data key with `master`; also returns how many keys still wait for another
/// master key. A key whose usual form `master` does not open but whose staged form it does is
/// the end of a master key rotation (see `keys`): the staged form becomes its only one, so the
/// old master key opens it no more. All or nothing: one key that opens with neither form stops
/// the load and changes nothing.
async fn load_keyring(store: &Store, master: &MasterKey, now: DateTime<Utc>) -> Result<(Keyring, i64)> {
    let mut tx = store.begin().await?;
    let mut stored = store::keys::all(&mut tx).await?;
    if stored.is_empty() {
        let key = DataKey::generate();
        store::keys::insert(&mut tx, &key.id, &key.wrap(master)?, "active", now).await?;
        stored = store::keys::all(&mut tx).await?;
    }
    let mut keys = Vec::with_capacity(stored.len());
    let mut promoted = 0;
    for k in &stored {
        match DataKey::unwrap_from(&k.id, &k.wrapped, master) {
            Ok(key) => keys.push(key),
            Err(e) => {
                let next = k.wrapped_next.as_deref().ok_or_else(|| e.clone())?;
                keys.push(DataKey::unwrap_from(&k.id, next, master).map_err(|_| e)?);
                if store::keys::promote_next(&mut tx, &k.id, next).await? {
                    promoted += 1;
                }
            }
        }
    }
    if promoted > 0 {
        // No `Crm` yet (this builds its keyring): the entry goes into this transaction directly.
        let entry =
            Entry::new(AuditAction::KeysMasterInPlace, AuditObject::DataKeys).with(AuditField::DataKeys, promoted);
        store::audit::record(&mut tx, now, &Actor::System.audit_name(), &entry).await?;
    }
    let waiting = store::keys::waiting_for_next(&mut tx).await?;
    tx.commit().await?;
    let current = stored
        .iter()
        .find(|k| k.state == "active")
        .map(|k| k.id.clone())
        .ok_or(crate::Error::NotFound("active data key"))?;
    Ok((Keyring::new(&current, keys)?, waiting))
}

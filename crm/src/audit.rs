//! The audit log's vocabulary: what was done ([`AuditAction`]), to which record
//! ([`AuditObject`], one of the [`AuditEntity`] kinds) and the details worth keeping
//! ([`AuditField`]). Each is declared once with a stable code, which is what the log stores, and
//! has its Russian title in `templates/text/ru.toml` (`[audit_action]`, `[audit_entity]`,
//! `[audit_field]`). Writing an entry: [`Entry`], through `Crm::audited` (services/audit.rs).
//!
//! **Codes are what the log has always stored** (`hotel.room.archive`, `booking.status.paid`),
//! so rows written before these types read back as the same actions. A code is never renamed: a
//! new action is a new variant.
//!
//! **Details are written readable.** An entry's details are pairs of a field and its value, the
//! value written once, at record time, the way people read it — money as `425 000 ₽`, dates
//! as `12.06.2027`, moments in Moscow time — because that is where the typed values are at hand.
//! They are stored as a JSON array of `[field, value]` pairs. Details of rows written before were
//! free text (`amount=10140000`, `{"tag_keys":[],"city":null}`): [`parse_details`] does not take
//! them for pairs, and the page shows them as they are.

use crate::domain::{
    BookingId, BookingStatus, BroadcastId, ClientId, HotelId, OperationId, OperationKind, OutboxId, RoomId, StaffId,
    TourId, TourStatus, format_agency_time, format_percent_bp,
};
use crate::notify::NotificationKind;
use crate::store::clients::ConsentKind;
use crate::store::documents::DocKind;
use crate::text::{self, keyed_enum};
use chrono::{DateTime, Utc};
use std::fmt::Display;

keyed_enum! {
    /// What an audit entry records. The code is stored; the title is the page's.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum AuditAction: code {
        ClientRegister = "client.register",
        ClientBlacklist = "client.blacklist",
        ClientUnblacklist = "client.unblacklist",
        ClientPersonalDataConsentGiven = "client.consent.personal_data.given",
        ClientPersonalDataConsentWithdrawn = "client.consent.personal_data.withdrawn",
        ClientMarketingConsentGiven = "client.consent.marketing.given",
        ClientMarketingConsentWithdrawn = "client.consent.marketing.withdrawn",
        ClientTagAdd = "client.tag.add",
        ClientTagRemove = "client.tag.remove",
        ClientAssignAgent = "client.assign_agent",
        ClientCity = "client.city",
        ClientEdit = "client.edit",
        ClientTelegramLinked = "client.telegram_linked",
        InteractionAdd = "interaction.add",
        InteractionCorrect = "interaction.correct",
        DocumentPutInternalPassport = "document.put.internal_passport",
        DocumentPutForeignPassport = "document.put.foreign_passport",
        DocumentPutPaymentDetails = "document.put.payment_details",
        DocumentPutAddress = "document.put.address",
        /// A decryption: reading personal documents is audited like a change.
        DocumentRead = "document.read",
        BookingCreate = "booking.create",
        BookingContractPending = "booking.status.contract_pending",
        BookingContractSigned = "booking.status.contract_signed",
        BookingPartiallyPaid = "booking.status.partially_paid",
        BookingPaid = "booking.status.paid",
        BookingCancellationRequested = "booking.status.cancellation_requested",
        BookingCancelled = "booking.status.cancelled",
        BookingTravellerAdd = "booking.traveller.add",
        LedgerClientPayment = "ledger.client_payment",
        LedgerClientRefund = "ledger.client_refund",
        LedgerCommissionAccrued = "ledger.commission_accrued",
        LedgerCommissionPaid = "ledger.commission_paid",
        LedgerHotelPayment = "ledger.hotel_payment",
        LedgerOperatorPayment = "ledger.operator_payment",
        LedgerReverse = "ledger.reverse",
        OnlinePaymentCreate = "online_payment.create",
        OnlinePaymentCanceled = "online_payment.canceled",
        OnlinePaymentFlagged = "online_payment.flagged",
        OnlinePaymentRefundAsked = "online_payment.refund_asked",
        OnlinePaymentRefunded = "online_payment.refunded",
        OnlinePaymentFlagResolved = "online_payment.flag_resolved",
        TourCreate = "tour.create",
        TourUpdate = "tour.update",
        TourDraft = "tour.draft",
        TourPublished = "tour.published",
        TourArchived = "tour.archived",
        TourDepartureAdd = "tour.departure.add",
        TourDepartureDetails = "tour.departure.details",
        TourDepartureCapacity = "tour.departure.capacity",
        TourDepartureRemove = "tour.departure.remove",
        TourCommission = "tour.commission",
        HotelCreate = "hotel.create",
        HotelUpdate = "hotel.update",
        HotelArchive = "hotel.archive",
        HotelRestore = "hotel.restore",
        HotelRoomAdd = "hotel.room.add",
        HotelRoomUpdate = "hotel.room.update",
        HotelRoomArchive = "hotel.room.archive",
        HotelRoomRestore = "hotel.room.restore",
        HotelSeasonAdd = "hotel.season.add",
        HotelSeasonRemove = "hotel.season.remove",
        HotelTermsSet = "hotel.terms.set",
        HotelManagerAdd = "hotel.manager.add",
        HotelManagerUpdate = "hotel.manager.update",
        HotelManagerDeactivate = "hotel.manager.deactivate",
        HotelManagerReactivate = "hotel.manager.reactivate",
        HotelAgreementAdd = "hotel.agreement.add",
        HotelCorrespondenceAdd = "hotel.correspondence.add",
        StaffAdd = "staff.add",
        StaffSignIn = "staff.sign_in",
        StaffSignOut = "staff.sign_out",
        StaffSignInLocked = "staff.sign_in_locked",
        StaffUnlock = "staff.unlock",
        StaffPasswordChanged = "staff.password_changed",
        StaffPasswordReset = "staff.password_reset",
        StaffActivate = "staff.activate",
        StaffDeactivate = "staff.deactivate",
        StaffInvite = "staff.invite",
        StaffTelegramBound = "staff.telegram_bound",
        StaffCommission = "staff.commission",
        NotificationSettings = "notification.settings",
        BroadcastCreate = "broadcast.create",
        BroadcastPaused = "broadcast.paused",
        BroadcastScheduled = "broadcast.scheduled",
        BroadcastSending = "broadcast.sending",
        BroadcastCancelled = "broadcast.cancelled",
        OutboxRequeue = "outbox.requeue",
        KeysRotate = "keys.rotate",
        KeysResealed = "keys.resealed",
        KeysMasterRotate = "keys.master_rotate",
        KeysMasterInPlace = "keys.master_in_place",
        // Signing: documents issued, read, signed, refused; the signature agreement.
        DocumentIssue = "document.issue",
        DocumentDownload = "document.download",
        DocumentSign = "document.sign",
        DocumentSignRefused = "document.sign_refused",
        SignatureAgreementAccepted = "document.es_agreement",
        // Documents: templates, requisites, registry data, addresses.
        DocumentTemplateSave = "document_template.save",
        AgencyRequisites = "agency.requisites",
        OperatorRegistry = "operator.registry",
        ClientAddress = "client.address",
        // Travellers and their documents.
        BookingTravellerEdit = "booking.traveller.edit",
        BookingTravellerRemove = "booking.traveller.remove",
        DocumentPutBirthCertificate = "document.put.birth_certificate",
        /// A companion's documents decrypted for a person to read.
        DocumentReadTraveller = "document.read.traveller",
        /// The travellers' documents decrypted inside the CRM to compute their warnings.
        DocumentCheck = "document.check",
        // Telegram Payments: an invoice sent, a charge Telegram reported, one set aside.
        TelegramInvoiceIssue = "payment.telegram.invoice",
        TelegramPaymentReceived = "payment.telegram.received",
        TelegramPaymentUnapplied = "payment.telegram.unapplied",
        // A payment link or a bank-transfer QR sent to the client from the booking card.
        PaymentOfferSent = "payment.offer.sent",
    }
}

impl AuditAction {
    /// The action a stored code names; `None` for a code no version wrote.
    pub fn parse(code: &str) -> Option<AuditAction> {
        Self::from_code(code)
    }

    pub fn title_ru(self) -> &'static str {
        text::get("audit_action", self.code())
    }

    /// A person's move of a booking to `to` (payments move it too, recorded as the payment).
    pub fn booking_status(to: BookingStatus) -> AuditAction {
        match to {
            BookingStatus::ContractPending => AuditAction::BookingContractPending,
            BookingStatus::ContractSigned => AuditAction::BookingContractSigned,
            BookingStatus::PartiallyPaid => AuditAction::BookingPartiallyPaid,
            BookingStatus::Paid => AuditAction::BookingPaid,
            BookingStatus::CancellationRequested => AuditAction::BookingCancellationRequested,
            BookingStatus::Cancelled => AuditAction::BookingCancelled,
        }
    }

    pub fn tour_status(to: TourStatus) -> AuditAction {
        match to {
            TourStatus::Draft => AuditAction::TourDraft,
            TourStatus::Published => AuditAction::TourPublished,
            TourStatus::Archived => AuditAction::TourArchived,
        }
    }

    /// An operation of the ledger recorded, by its kind.
    pub fn ledger(kind: OperationKind) -> AuditAction {
        match kind {
            OperationKind::ClientPayment => AuditAction::LedgerClientPayment,
            OperationKind::ClientRefund => AuditAction::LedgerClientRefund,
            OperationKind::CommissionAccrued => AuditAction::LedgerCommissionAccrued,
            OperationKind::CommissionPaid => AuditAction::LedgerCommissionPaid,
            OperationKind::HotelPayment => AuditAction::LedgerHotelPayment,
            OperationKind::OperatorPayment => AuditAction::LedgerOperatorPayment,
        }
    }

    pub fn document_put(kind: DocKind) -> AuditAction {
        match kind {
            DocKind::InternalPassport => AuditAction::DocumentPutInternalPassport,
            DocKind::ForeignPassport => AuditAction::DocumentPutForeignPassport,
            DocKind::PaymentDetails => AuditAction::DocumentPutPaymentDetails,
            DocKind::Address => AuditAction::DocumentPutAddress,
            DocKind::BirthCertificate => AuditAction::DocumentPutBirthCertificate,
        }
    }

    pub fn consent(kind: ConsentKind, granted: bool) -> AuditAction {
        match (kind, granted) {
            (ConsentKind::PersonalData, true) => AuditAction::ClientPersonalDataConsentGiven,
            (ConsentKind::PersonalData, false) => AuditAction::ClientPersonalDataConsentWithdrawn,
            (ConsentKind::Marketing, true) => AuditAction::ClientMarketingConsentGiven,
            (ConsentKind::Marketing, false) => AuditAction::ClientMarketingConsentWithdrawn,
        }
    }
}

keyed_enum! {
    /// The kind of record an entry is about (the log's `entity` column).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum AuditEntity: code {
        Client = "client",
        Booking = "booking",
        Tour = "tour",
        Hotel = "hotel",
        Staff = "staff",
        Broadcast = "broadcast",
        /// One message of the outbox.
        Outbox = "outbox",
        /// An operation of the ledger.
        Operation = "operation",
        /// The settings of a kind of notification (the id is the kind's code).
        Notification = "notification",
        DataKey = "data_key",
        /// A login typed at the sign-in form (the id is the login, which may name nobody).
        Login = "login",
        /// A kind of document's template (the id is the kind's code).
        DocumentTemplate = "document_template",
        /// The agency itself (its requisites).
        Agency = "agency",
    }
}

impl AuditEntity {
    pub fn parse(code: &str) -> Option<AuditEntity> {
        Self::from_code(code)
    }

    pub fn title_ru(self) -> &'static str {
        text::get("audit_entity", self.code())
    }
}

/// The record an entry is about, typed: a booking's id cannot be filed under a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditObject {
    Client(ClientId),
    Booking(BookingId),
    Tour(TourId),
    Hotel(HotelId),
    Staff(StaffId),
    Broadcast(BroadcastId),
    OutboxMessage(OutboxId),
    Operation(OperationId),
    Notification(NotificationKind),
    DataKey(String),
    /// Every data key at once (a master key rotation).
    DataKeys,
    Login(String),
    DocumentTemplate(crate::paperwork::DocKind),
    Agency,
}

impl AuditObject {
    pub fn entity(&self) -> AuditEntity {
        match self {
            AuditObject::Client(_) => AuditEntity::Client,
            AuditObject::Booking(_) => AuditEntity::Booking,
            AuditObject::Tour(_) => AuditEntity::Tour,
            AuditObject::Hotel(_) => AuditEntity::Hotel,
            AuditObject::Staff(_) => AuditEntity::Staff,
            AuditObject::Broadcast(_) => AuditEntity::Broadcast,
            AuditObject::OutboxMessage(_) => AuditEntity::Outbox,
            AuditObject::Operation(_) => AuditEntity::Operation,
            AuditObject::Notification(_) => AuditEntity::Notification,
            AuditObject::DataKey(_) | AuditObject::DataKeys => AuditEntity::DataKey,
            AuditObject::Login(_) => AuditEntity::Login,
            AuditObject::DocumentTemplate(_) => AuditEntity::DocumentTemplate,
            AuditObject::Agency => AuditEntity::Agency,
        }
    }

    /// The `entity_id` column.
    pub fn id(&self) -> Option<String> {
        match self {
            AuditObject::Client(id) => Some(id.to_string()),
            AuditObject::Booking(id) => Some(id.to_string()),
            AuditObject::Tour(id) => Some(id.to_string()),
            AuditObject::Staff(id) => Some(id.to_string()),
            AuditObject::Operation(id) => Some(id.to_string()),
            AuditObject::Hotel(id) => Some(id.to_string()),
            AuditObject::Broadcast(id) => Some(id.to_string()),
            AuditObject::OutboxMessage(id) => Some(id.to_string()),
            AuditObject::Notification(kind) => Some(kind.as_str().to_owned()),
            AuditObject::DataKey(id) | AuditObject::Login(id) => Some(id.clone()),
            AuditObject::DataKeys | AuditObject::Agency => None,
            AuditObject::DocumentTemplate(kind) => Some(kind.code().to_owned()),
        }
    }
}

keyed_enum! {
    /// The label of one detail of an entry.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum AuditField: code {
        Reason = "reason",
        Amount = "amount",
        Operation = "operation",
        Booking = "booking",
        Client = "client",
        Tour = "tour",
        Departure = "departure",
        Title = "title",
        Kind = "kind",
        Source = "source",
        Tag = "tag",
        Agent = "agent",
        City = "city",
        Role = "role",
        Entry = "entry",
        Documents = "documents",
        Room = "room",
        MealPlan = "meal_plan",
        Period = "period",
        PricePerNight = "price_per_night",
        FreeDays = "free_days",
        PenaltyRules = "penalty_rules",
        Manager = "manager",
        AgreedOn = "agreed_on",
        Time = "time",
        MeetingPoint = "meeting_point",
        Capacity = "capacity",
        Commission = "commission",
        Enabled = "enabled",
        LeadDays = "lead_days",
        Template = "template",
        SendAt = "send_at",
        Tags = "tags",
        Countries = "countries",
        Messages = "messages",
        LockedUntil = "locked_until",
        Records = "records",
        DeletedKeys = "deleted_keys",
        DataKeys = "data_keys",
        FullName = "full_name",
        Changed = "changed",
        // Signing.
        Sha256 = "sha256",
        Version = "version",
        Inn = "inn",
        RegistryNumber = "registry_number",
        Traveller = "traveller",
        // Telegram Payments.
        Invoice = "invoice",
        ChargeId = "charge_id",
        // Commission rates (issue #15).
        AppliesFrom = "applies_from",
        // A payment sent to the client.
        PayWay = "pay_way",
        Delivery = "delivery",
    }
}

impl AuditField {
    pub fn parse(code: &str) -> Option<AuditField> {
        Self::from_code(code)
    }

    pub fn title_ru(self) -> &'static str {
        text::get("audit_field", self.code())
    }
}

/// One entry to write: the action, its record, and its details in the order they are shown.
/// The moment and the actor come from the transaction that writes it (`Crm::audited`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub action: AuditAction,
    pub object: AuditObject,
    pub details: Vec<(AuditField, String)>,
}

impl Entry {
    pub fn new(action: AuditAction, object: AuditObject) -> Entry {
        Entry { action, object, details: Vec::new() }
    }

    /// Adds a detail, its value already written for people (see the module's documentation).
    pub fn with(mut self, field: AuditField, value: impl Display) -> Entry {
        self.details.push((field, value.to_string()));
        self
    }

    /// Adds a detail when there is one.
    pub fn with_some(self, field: AuditField, value: Option<impl Display>) -> Entry {
        match value {
            Some(v) => self.with(field, v),
            None => self,
        }
    }

    /// The `details` column: the pairs as a JSON array, or nothing.
    pub fn details_column(&self) -> Option<String> {
        if self.details.is_empty() {
            return None;
        }
        let pairs: Vec<(&str, &str)> = self.details.iter().map(|(f, v)| (f.code(), v.as_str())).collect();
        serde_json::to_string(&pairs).ok()
    }
}

/// The detail pairs of a stored `details` column, or `None` when it is not pairs of known fields
/// (free text of a row written before details had fields).
pub fn parse_details(stored: &str) -> Option<Vec<(AuditField, String)>> {
    let pairs: Vec<(String, String)> = serde_json::from_str(stored).ok()?;
    pairs.into_iter().map(|(f, v)| AuditField::parse(&f).map(|f| (f, v))).collect()
}

/// `№12`: a record named by its number in a detail.
pub fn number(id: impl Display) -> String {
    text::fill("audit", "number", &[("id", &id)])
}

/// `25.11.2026 12:15 (МСК)`: a moment in a detail, on the agency's clock, which it says.
pub fn moment(t: DateTime<Utc>) -> String {
    text::fill("audit", "moscow_time", &[("time", &format_agency_time(t))])
}

/// `12,5 %`: a rate in basis points.
pub fn percent(bp: i64) -> String {
    format!("{} %", format_percent_bp(bp))
}

/// A tour's commission: its own rate, or «по ставке агента» when it has none.
pub fn tour_commission(bp: Option<i64>) -> String {
    bp.map_or_else(|| text::get("audit", "commission_by_agent").to_owned(), percent)
}

/// An agent's default commission rate, or «не задана».
pub fn agent_commission(bp: Option<i64>) -> String {
    bp.map_or_else(|| text::get("audit", "commission_none").to_owned(), percent)
}

/// Whether a notification's template is the agency's own or the default.
pub fn template(custom: bool) -> &'static str {
    if custom { text::get("audit", "template_custom") } else { text::get("audit", "template_default") }
}

/// «не указано»: a value left empty.
pub fn not_set() -> &'static str {
    text::get("audit", "not_set")
}

/// `Standard sea view (№5)`: a hotel's room by its type and number.
pub fn room(room_type: &str, id: RoomId) -> String {
    format!("{room_type} ({})", number(id.0))
}

/// `да` / `нет`.
pub fn yes_no(b: bool) -> &'static str {
    if b { text::get("audit", "yes") } else { text::get("audit", "no") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Currency, Money};

    /// Every code any version stored, `format!`-built ones included, reads back as its action.
    #[test]
    fn every_stored_code_reads_back_as_its_action() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.code()), Some(a));
        }
        let legacy = [
            "client.register",
            "client.blacklist",
            "client.unblacklist",
            "client.tag.add",
            "client.tag.remove",
            "client.assign_agent",
            "client.city",
            "client.edit",
            "client.telegram_linked",
            "interaction.add",
            "interaction.correct",
            "document.read",
            "booking.create",
            "booking.traveller.add",
            "ledger.reverse",
            "tour.create",
            "tour.update",
            "tour.departure.add",
            "tour.departure.details",
            "tour.departure.capacity",
            "tour.departure.remove",
            "tour.commission",
            "staff.commission",
            "hotel.create",
            "hotel.update",
            "hotel.archive",
            "hotel.restore",
            "hotel.room.add",
            "hotel.room.update",
            "hotel.room.archive",
            "hotel.room.restore",
            "hotel.season.add",
            "hotel.season.remove",
            "hotel.terms.set",
            "hotel.manager.add",
            "hotel.manager.update",
            "hotel.manager.deactivate",
            "hotel.manager.reactivate",
            "hotel.agreement.add",
            "hotel.correspondence.add",
            "staff.add",
            "staff.sign_in",
            "staff.sign_out",
            "staff.sign_in_locked",
            "staff.unlock",
            "staff.password_changed",
            "staff.password_reset",
            "staff.activate",
            "staff.deactivate",
            "staff.invite",
            "staff.telegram_bound",
            "notification.settings",
            "broadcast.create",
            "outbox.requeue",
            "keys.rotate",
            "keys.resealed",
            "keys.master_rotate",
            "keys.master_in_place",
            "document_template.save",
            "agency.requisites",
            "operator.registry",
            "client.address",
            // Travellers and their documents.
            "booking.traveller.edit",
            "booking.traveller.remove",
            "document.read.traveller",
            "document.check",
            // Signing.
            "document.issue",
            "document.download",
            "document.sign",
            "document.sign_refused",
            "document.es_agreement",
            // Online payments.
            "online_payment.create",
            "online_payment.canceled",
            "online_payment.flagged",
            "online_payment.refund_asked",
            "online_payment.refunded",
            "online_payment.flag_resolved",
            // Telegram Payments.
            "payment.telegram.invoice",
            "payment.telegram.received",
            "payment.telegram.unapplied",
            "payment.offer.sent",
        ];
        let mut built: Vec<(String, AuditAction)> = Vec::new();
        for s in BookingStatus::ALL {
            built.push((format!("booking.status.{}", s.as_str()), AuditAction::booking_status(s)));
        }
        for s in TourStatus::ALL {
            built.push((format!("tour.{}", s.as_str()), AuditAction::tour_status(s)));
        }
        for k in OperationKind::ALL {
            built.push((format!("ledger.{}", k.as_str()), AuditAction::ledger(k)));
        }
        for k in DocKind::ALL {
            built.push((format!("document.put.{}", k.as_str()), AuditAction::document_put(k)));
        }
        for k in [ConsentKind::PersonalData, ConsentKind::Marketing] {
            for (granted, word) in [(true, "given"), (false, "withdrawn")] {
                built.push((format!("client.consent.{}.{word}", k.as_str()), AuditAction::consent(k, granted)));
            }
        }
        for to in ["paused", "scheduled", "sending", "cancelled"] {
            let code = format!("broadcast.{to}");
            let action = AuditAction::parse(&code).unwrap_or_else(|| panic!("{code}"));
            built.push((code, action));
        }
        for code in legacy {
            assert!(AuditAction::parse(code).is_some(), "{code} no longer reads");
        }
        for (code, action) in &built {
            assert_eq!(action.code(), code, "the typed action stores what the format! did");
        }
        let all: std::collections::BTreeSet<&str> =
            legacy.into_iter().chain(built.iter().map(|(c, _)| c.as_str())).collect();
        assert_eq!(all.len(), AuditAction::ALL.len(), "every action is one some version stored");
        assert_eq!(AuditAction::parse("booking.status.lost"), None);
        for e in AuditEntity::ALL {
            assert_eq!(AuditEntity::parse(e.code()), Some(e));
        }
    }

    #[test]
    fn details_are_pairs_and_free_text_is_not() {
        let entry = Entry::new(AuditAction::LedgerClientPayment, AuditObject::Booking(BookingId(7)))
            .with(AuditField::Amount, Money::new(42_500_000, Currency::RUB))
            .with(AuditField::Operation, number(12))
            .with_some(AuditField::Reason, None::<&str>);
        let stored = entry.details_column().unwrap();
        assert_eq!(
            parse_details(&stored),
            Some(vec![
                (AuditField::Amount, "425\u{a0}000\u{a0}₽".to_owned()),
                (AuditField::Operation, "№12".to_owned())
            ])
        );
        assert_eq!(Entry::new(AuditAction::HotelUpdate, AuditObject::Hotel(HotelId(1))).details_column(), None);
        for old in [
            "operation=5 amount=10140000",
            r#"{"tag_keys":[],"city":null}"#,
            "departure=3 time=Some(06:40:00) meeting_point=Аэропорт",
            r#"[["no_such_field","x"]]"#,
            "Проверка",
        ] {
            assert_eq!(parse_details(old), None, "{old}");
        }
        let t = DateTime::parse_from_rfc3339("2026-11-25T09:15:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(moment(t), "25.11.2026 12:15 (МСК)");
        assert_eq!(AuditObject::Notification(NotificationKind::PaymentDue).id().as_deref(), Some("payment_due"));
        assert_eq!(AuditObject::DataKeys.id(), None);
    }
}

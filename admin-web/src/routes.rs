//! Every route of the panel, in one table. The router is built from it and the route × role
//! test walks it, so a route cannot exist without being tested for every role.

use crate::AppState;
use crate::kpi;
use crate::{
    assets, audit, auth, bookings, broadcasts, clients, dashboard, documents, health, hotels, notifications, outbox,
    payments, signing, staff, tours,
};
// The accountant's desk and commission rates (issue #15).
use crate::{commissions, operations};
// The financial reports.
use crate::reports;
use axum::routing::{MethodFilter, MethodRouter, on};

/// What the guard demands before a handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// No session is looked up (health check, stylesheet).
    Open,
    /// Anyone; the session is read if present (the sign-in page).
    Public,
    /// A session, even one that must change its password first.
    PasswordChange,
    /// A session with a password already changed; anything else is redirected.
    SignedIn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Health,
    Stylesheet,
    LoginForm,
    Login,
    Logout,
    PasswordForm,
    Password,
    Dashboard,
    ClientList,
    ClientNewForm,
    ClientCreate,
    ClientCard,
    ClientTagAdd,
    ClientTagRemove,
    ClientInteraction,
    ClientBlacklist,
    ClientDocuments,
    HotelList,
    HotelNewForm,
    HotelCreate,
    HotelCard,
    HotelEditForm,
    HotelUpdate,
    HotelArchive,
    HotelRoomAdd,
    HotelTerms,
    HotelManagerAdd,
    HotelAgreement,
    HotelCorrespondence,
    RoomForm,
    RoomUpdate,
    RoomArchive,
    RoomSeasonAdd,
    RoomSeasonRemove,
    ManagerForm,
    ManagerUpdate,
    ManagerActive,
    StaffList,
    StaffNewForm,
    StaffCreate,
    StaffActive,
    StaffPassword,
    StaffUnlock,
    StaffInvite,
    NotificationList,
    NotificationForm,
    NotificationSave,
    NotificationPreview,
    BroadcastList,
    BroadcastNewForm,
    BroadcastCheck,
    BroadcastCreate,
    BroadcastCard,
    BroadcastPause,
    BroadcastResume,
    BroadcastCancel,
    OutboxList,
    OutboxRequeue,
    AuditLog,
    TourList,
    TourNewForm,
    TourCreate,
    TourCard,
    TourEditForm,
    TourUpdate,
    TourPublish,
    TourUnpublish,
    TourArchive,
    TourDepartureAdd,
    TourDepartureCapacity,
    TourDepartureRemove,
    BookingList,
    BookingCard,
    BookingStatus,
    // A payment link or the transfer QR sent to the client from the card.
    BookingPaymentOffer,
    // Travellers of a booking and their documents.
    BookingTravellerAdd,
    // A booking's operations as a table, chart and CSV/XLSX (the exports' demonstration).
    BookingStatement,
    TravellerCard,
    TravellerUpdate,
    TravellerRemove,
    TravellerDocument,
    TravellerDocumentsOpen,
    ClientPaymentDetails,
    ClientAddress,
    ClientContacts,
    ClientAgent,
    ClientIdentity,
    ClientConsents,
    // Documents: templates, requisites, a booking's contract.
    DocumentList,
    DocumentRequisitesForm,
    DocumentRequisitesSave,
    DocumentOperatorForm,
    DocumentOperatorSave,
    DocumentTemplateForm,
    DocumentTemplateSave,
    DocumentTemplatePreview,
    BookingContractPdf,
    // Signing.
    BookingContract,
    DocumentPdf,
    // Online payments: the accountant's page and the provider's notifications.
    PaymentList,
    PaymentRefund,
    PaymentResolve,
    YooKassaWebhook,
    // The accountant's desk and commission rates (issue #15).
    OperationList,
    OperationReverse,
    OperationHotelForm,
    OperationHotel,
    OperationOperatorForm,
    OperationOperator,
    OperationCommissionForm,
    OperationCommission,
    OperationRefundForm,
    OperationRefund,
    OperationTransferForm,
    OperationTransferCheck,
    OperationTransfer,
    CommissionRates,
    CommissionAgent,
    CommissionTour,
    // The financial reports.
    ReportList,
    Report,
    // The KPIs (social funnel, average check).
    Kpi,
}

#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// `"GET"` or `"POST"`.
    pub method: &'static str,
    /// axum path syntax; `{id}` is a row id, `{kind}` a notification kind.
    pub path: &'static str,
    pub guard: Guard,
    pub page: Page,
}

const fn r(method: &'static str, path: &'static str, guard: Guard, page: Page) -> Route {
    Route { method, path, guard, page }
}

use Guard::{Open, PasswordChange, Public, SignedIn};

pub const ROUTES: &[Route] = &[
    r("GET", "/healthz", Open, Page::Health),
    r("GET", "/static/panel.css", Open, Page::Stylesheet),
    r("GET", "/login", Public, Page::LoginForm),
    r("POST", "/login", Public, Page::Login),
    r("POST", "/logout", PasswordChange, Page::Logout),
    r("GET", "/password", PasswordChange, Page::PasswordForm),
    r("POST", "/password", PasswordChange, Page::Password),
    r("GET", "/", SignedIn, Page::Dashboard),
    r("GET", "/clients", SignedIn, Page::ClientList),
    r("GET", "/clients/new", SignedIn, Page::ClientNewForm),
    r("POST", "/clients", SignedIn, Page::ClientCreate),
    r("GET", "/clients/{id}", SignedIn, Page::ClientCard),
    r("POST", "/clients/{id}/tags", SignedIn, Page::ClientTagAdd),
    r("POST", "/clients/{id}/tags/remove", SignedIn, Page::ClientTagRemove),
    r("POST", "/clients/{id}/interactions", SignedIn, Page::ClientInteraction),
    r("POST", "/clients/{id}/blacklist", SignedIn, Page::ClientBlacklist),
    r("POST", "/clients/{id}/documents", SignedIn, Page::ClientDocuments),
    r("GET", "/hotels", SignedIn, Page::HotelList),
    r("GET", "/hotels/new", SignedIn, Page::HotelNewForm),
    r("POST", "/hotels", SignedIn, Page::HotelCreate),
    r("GET", "/hotels/{id}", SignedIn, Page::HotelCard),
    r("GET", "/hotels/{id}/edit", SignedIn, Page::HotelEditForm),
    r("POST", "/hotels/{id}", SignedIn, Page::HotelUpdate),
    r("POST", "/hotels/{id}/archive", SignedIn, Page::HotelArchive),
    r("POST", "/hotels/{id}/rooms", SignedIn, Page::HotelRoomAdd),
    r("POST", "/hotels/{id}/terms", SignedIn, Page::HotelTerms),
    r("POST", "/hotels/{id}/managers", SignedIn, Page::HotelManagerAdd),
    r("POST", "/hotels/{id}/agreements", SignedIn, Page::HotelAgreement),
    r("POST", "/hotels/{id}/correspondence", SignedIn, Page::HotelCorrespondence),
    r("GET", "/hotels/rooms/{id}", SignedIn, Page::RoomForm),
    r("POST", "/hotels/rooms/{id}", SignedIn, Page::RoomUpdate),
    r("POST", "/hotels/rooms/{id}/archive", SignedIn, Page::RoomArchive),
    r("POST", "/hotels/rooms/{id}/seasons", SignedIn, Page::RoomSeasonAdd),
    r("POST", "/hotels/rooms/{id}/seasons/remove", SignedIn, Page::RoomSeasonRemove),
    r("GET", "/hotels/managers/{id}", SignedIn, Page::ManagerForm),
    r("POST", "/hotels/managers/{id}", SignedIn, Page::ManagerUpdate),
    r("POST", "/hotels/managers/{id}/active", SignedIn, Page::ManagerActive),
    r("GET", "/staff", SignedIn, Page::StaffList),
    r("GET", "/staff/new", SignedIn, Page::StaffNewForm),
    r("POST", "/staff", SignedIn, Page::StaffCreate),
    r("POST", "/staff/{id}/active", SignedIn, Page::StaffActive),
    r("POST", "/staff/{id}/password", SignedIn, Page::StaffPassword),
    r("POST", "/staff/{id}/unlock", SignedIn, Page::StaffUnlock),
    r("POST", "/staff/{id}/invite", SignedIn, Page::StaffInvite),
    r("GET", "/notifications", SignedIn, Page::NotificationList),
    r("GET", "/notifications/{kind}", SignedIn, Page::NotificationForm),
    r("POST", "/notifications/{kind}", SignedIn, Page::NotificationSave),
    r("POST", "/notifications/{kind}/preview", SignedIn, Page::NotificationPreview),
    r("GET", "/broadcasts", SignedIn, Page::BroadcastList),
    r("GET", "/broadcasts/new", SignedIn, Page::BroadcastNewForm),
    r("POST", "/broadcasts/check", SignedIn, Page::BroadcastCheck),
    r("POST", "/broadcasts", SignedIn, Page::BroadcastCreate),
    r("GET", "/broadcasts/{id}", SignedIn, Page::BroadcastCard),
    r("POST", "/broadcasts/{id}/pause", SignedIn, Page::BroadcastPause),
    r("POST", "/broadcasts/{id}/resume", SignedIn, Page::BroadcastResume),
    r("POST", "/broadcasts/{id}/cancel", SignedIn, Page::BroadcastCancel),
    r("GET", "/outbox", SignedIn, Page::OutboxList),
    r("POST", "/outbox/{id}/requeue", SignedIn, Page::OutboxRequeue),
    r("GET", "/audit", SignedIn, Page::AuditLog),
    r("GET", "/tours", SignedIn, Page::TourList),
    r("GET", "/tours/new", SignedIn, Page::TourNewForm),
    r("POST", "/tours", SignedIn, Page::TourCreate),
    r("GET", "/tours/{id}", SignedIn, Page::TourCard),
    r("GET", "/tours/{id}/edit", SignedIn, Page::TourEditForm),
    r("POST", "/tours/{id}", SignedIn, Page::TourUpdate),
    r("POST", "/tours/{id}/publish", SignedIn, Page::TourPublish),
    r("POST", "/tours/{id}/unpublish", SignedIn, Page::TourUnpublish),
    r("POST", "/tours/{id}/archive", SignedIn, Page::TourArchive),
    r("POST", "/tours/{id}/departures", SignedIn, Page::TourDepartureAdd),
    r("POST", "/tours/{id}/departures/capacity", SignedIn, Page::TourDepartureCapacity),
    r("POST", "/tours/{id}/departures/remove", SignedIn, Page::TourDepartureRemove),
    r("GET", "/bookings", SignedIn, Page::BookingList),
    r("GET", "/bookings/{id}", SignedIn, Page::BookingCard),
    r("POST", "/bookings/{id}/status", SignedIn, Page::BookingStatus),
    r("POST", "/bookings/{id}/payment-offer", SignedIn, Page::BookingPaymentOffer),
    r("POST", "/bookings/{id}/travellers", SignedIn, Page::BookingTravellerAdd),
    r("GET", "/bookings/{id}/operations", SignedIn, Page::BookingStatement),
    r("GET", "/travellers/{id}", SignedIn, Page::TravellerCard),
    r("POST", "/travellers/{id}", SignedIn, Page::TravellerUpdate),
    r("POST", "/travellers/{id}/remove", SignedIn, Page::TravellerRemove),
    r("POST", "/travellers/{id}/documents", SignedIn, Page::TravellerDocument),
    r("POST", "/travellers/{id}/documents/open", SignedIn, Page::TravellerDocumentsOpen),
    r("POST", "/clients/{id}/payment-details", SignedIn, Page::ClientPaymentDetails),
    r("POST", "/clients/{id}/address", SignedIn, Page::ClientAddress),
    r("POST", "/clients/{id}/contacts", SignedIn, Page::ClientContacts),
    r("POST", "/clients/{id}/agent", SignedIn, Page::ClientAgent),
    r("POST", "/clients/{id}/identity", SignedIn, Page::ClientIdentity),
    r("POST", "/clients/{id}/consents", SignedIn, Page::ClientConsents),
    r("GET", "/bookings/{id}/contract.pdf", SignedIn, Page::BookingContractPdf),
    r("GET", "/documents", SignedIn, Page::DocumentList),
    r("GET", "/documents/requisites", SignedIn, Page::DocumentRequisitesForm),
    r("POST", "/documents/requisites", SignedIn, Page::DocumentRequisitesSave),
    r("GET", "/documents/operators/{id}", SignedIn, Page::DocumentOperatorForm),
    r("POST", "/documents/operators/{id}", SignedIn, Page::DocumentOperatorSave),
    r("GET", "/documents/{kind}", SignedIn, Page::DocumentTemplateForm),
    r("POST", "/documents/{kind}", SignedIn, Page::DocumentTemplateSave),
    r("POST", "/documents/{kind}/preview", SignedIn, Page::DocumentTemplatePreview),
    r("POST", "/bookings/{id}/contract", SignedIn, Page::BookingContract),
    r("GET", "/documents/{id}/pdf", SignedIn, Page::DocumentPdf),
    r("GET", "/payments", SignedIn, Page::PaymentList),
    r("POST", "/payments/{id}/refund", SignedIn, Page::PaymentRefund),
    r("POST", "/payments/{id}/resolve", SignedIn, Page::PaymentResolve),
    // No session and no CSRF token: YooKassa posts here; the source address is checked and the
    // payment re-fetched from YooKassa (crm::services::payments).
    r("POST", "/webhooks/yookassa", Open, Page::YooKassaWebhook),
    // The accountant's desk and commission rates (issue #15).
    r("GET", "/operations", SignedIn, Page::OperationList),
    r("POST", "/operations/{id}/reverse", SignedIn, Page::OperationReverse),
    r("GET", "/operations/hotel", SignedIn, Page::OperationHotelForm),
    r("POST", "/operations/hotel", SignedIn, Page::OperationHotel),
    r("GET", "/operations/operator", SignedIn, Page::OperationOperatorForm),
    r("POST", "/operations/operator", SignedIn, Page::OperationOperator),
    r("GET", "/operations/commission", SignedIn, Page::OperationCommissionForm),
    r("POST", "/operations/commission", SignedIn, Page::OperationCommission),
    r("GET", "/operations/refund", SignedIn, Page::OperationRefundForm),
    r("POST", "/operations/refund", SignedIn, Page::OperationRefund),
    r("GET", "/operations/transfer", SignedIn, Page::OperationTransferForm),
    r("POST", "/operations/transfer/check", SignedIn, Page::OperationTransferCheck),
    r("POST", "/operations/transfer", SignedIn, Page::OperationTransfer),
    r("GET", "/commissions", SignedIn, Page::CommissionRates),
    r("POST", "/commissions/agents/{id}", SignedIn, Page::CommissionAgent),
    r("POST", "/commissions/tours/{id}", SignedIn, Page::CommissionTour),
    // The financial reports.
    r("GET", "/reports", SignedIn, Page::ReportList),
    r("GET", "/reports/{name}", SignedIn, Page::Report),
    r("GET", "/kpi", SignedIn, Page::Kpi),
];

/// Agents work in the bot; in the panel they read their own clients and bookings (DESIGN.md).
/// So besides signing in and out and their password (routes of other guards), the forms they
/// may send are the audited «Показать» of their own client's documents and the paperwork of a
/// sale: their bookings' travellers, the travellers' documents, the client's refund
/// details (issue #13: entered by the agent in the bot or the panel), the contact data the
/// documents state (a corrected name, phone or birth date), address and own identity
/// document (the contract and the consent state them) and the consents issued anew, and a payment sent to
/// their booking's client (issue #14, as from the bot's booking card). The services would allow
/// agents more; this is the panel's own narrowing, checked by the guard for every signed-in
/// route.
pub fn agent_may_use(route: &Route) -> bool {
    route.method == "GET"
        || matches!(
            route.page,
            Page::ClientDocuments
                | Page::BookingTravellerAdd
                | Page::TravellerUpdate
                | Page::TravellerRemove
                | Page::TravellerDocument
                | Page::TravellerDocumentsOpen
                | Page::ClientPaymentDetails
                | Page::ClientAddress
                | Page::ClientContacts
                | Page::ClientIdentity
                | Page::ClientConsents
                | Page::BookingContract
                | Page::BookingPaymentOffer
        )
}

/// The route for a matched path and method, for the guard. axum answers a HEAD with the GET
/// handler (its body dropped), so a HEAD is the GET route and passes the GET route's checks;
/// without this it matched no route and went past the guard unchecked.
pub fn find(method: &str, path: &str) -> Option<&'static Route> {
    let method = if method == "HEAD" { "GET" } else { method };
    ROUTES.iter().find(|r| r.path == path && r.method == method)
}

/// The handler of a route. The match is exhaustive, so a new page needs a handler here.
pub fn mount(route: &Route) -> MethodRouter<AppState> {
    let m = if route.method == "POST" { MethodFilter::POST } else { MethodFilter::GET };
    match route.page {
        Page::Health => on(m, health::healthz),
        Page::Stylesheet => on(m, assets::stylesheet),
        Page::LoginForm => on(m, auth::login_form),
        Page::Login => on(m, auth::login),
        Page::Logout => on(m, auth::logout),
        Page::PasswordForm => on(m, auth::password_form),
        Page::Password => on(m, auth::change_password),
        Page::Dashboard => on(m, dashboard::dashboard),
        Page::ClientList => on(m, clients::list),
        Page::ClientNewForm => on(m, clients::new_form),
        Page::ClientCreate => on(m, clients::create),
        Page::ClientCard => on(m, clients::card::show),
        Page::ClientTagAdd => on(m, clients::card::add_tag),
        Page::ClientTagRemove => on(m, clients::card::remove_tag),
        Page::ClientInteraction => on(m, clients::card::add_interaction),
        Page::ClientBlacklist => on(m, clients::card::blacklist),
        Page::ClientDocuments => on(m, clients::card::documents),
        Page::HotelList => on(m, hotels::list),
        Page::HotelNewForm => on(m, hotels::new_form),
        Page::HotelCreate => on(m, hotels::create),
        Page::HotelCard => on(m, hotels::card::show),
        Page::HotelEditForm => on(m, hotels::edit_form),
        Page::HotelUpdate => on(m, hotels::update),
        Page::HotelArchive => on(m, hotels::archive),
        Page::HotelRoomAdd => on(m, hotels::card::add_room),
        Page::HotelTerms => on(m, hotels::card::set_terms),
        Page::HotelManagerAdd => on(m, hotels::card::add_manager),
        Page::HotelAgreement => on(m, hotels::card::record_agreement),
        Page::HotelCorrespondence => on(m, hotels::card::log_correspondence),
        Page::RoomForm => on(m, hotels::rooms::show),
        Page::RoomUpdate => on(m, hotels::rooms::update),
        Page::RoomArchive => on(m, hotels::rooms::archive),
        Page::RoomSeasonAdd => on(m, hotels::rooms::add_season),
        Page::RoomSeasonRemove => on(m, hotels::rooms::remove_season),
        Page::ManagerForm => on(m, hotels::managers::show),
        Page::ManagerUpdate => on(m, hotels::managers::update),
        Page::ManagerActive => on(m, hotels::managers::set_active),
        Page::StaffList => on(m, staff::list),
        Page::StaffNewForm => on(m, staff::new_form),
        Page::StaffCreate => on(m, staff::create),
        Page::StaffActive => on(m, staff::set_active),
        Page::StaffPassword => on(m, staff::reset_password),
        Page::StaffUnlock => on(m, staff::unlock),
        Page::StaffInvite => on(m, staff::invite),
        Page::NotificationList => on(m, notifications::list),
        Page::NotificationForm => on(m, notifications::edit),
        Page::NotificationSave => on(m, notifications::save),
        Page::NotificationPreview => on(m, notifications::preview),
        Page::BroadcastList => on(m, broadcasts::list),
        Page::BroadcastNewForm => on(m, broadcasts::compose::new_form),
        Page::BroadcastCheck => on(m, broadcasts::compose::check),
        Page::BroadcastCreate => on(m, broadcasts::compose::create),
        Page::BroadcastCard => on(m, broadcasts::show),
        Page::BroadcastPause => on(m, broadcasts::pause),
        Page::BroadcastResume => on(m, broadcasts::resume),
        Page::BroadcastCancel => on(m, broadcasts::cancel),
        Page::OutboxList => on(m, outbox::list),
        Page::OutboxRequeue => on(m, outbox::requeue),
        Page::AuditLog => on(m, audit::list),
        Page::TourList => on(m, tours::list),
        Page::TourNewForm => on(m, tours::new_form),
        Page::TourCreate => on(m, tours::create),
        Page::TourCard => on(m, tours::card::show),
        Page::TourEditForm => on(m, tours::card::edit_form),
        Page::TourUpdate => on(m, tours::card::update),
        Page::TourPublish => on(m, tours::card::publish),
        Page::TourUnpublish => on(m, tours::card::unpublish),
        Page::TourArchive => on(m, tours::card::archive),
        Page::TourDepartureAdd => on(m, tours::card::add_departure),
        Page::TourDepartureCapacity => on(m, tours::card::set_capacity),
        Page::TourDepartureRemove => on(m, tours::card::remove_departure),
        Page::BookingList => on(m, bookings::list),
        Page::BookingCard => on(m, bookings::card::show),
        Page::BookingStatus => on(m, bookings::card::change_status),
        Page::BookingPaymentOffer => on(m, bookings::payment_offer::send),
        Page::BookingTravellerAdd => on(m, bookings::travellers::add),
        Page::BookingStatement => on(m, bookings::statement::show),
        Page::TravellerCard => on(m, bookings::travellers::show),
        Page::TravellerUpdate => on(m, bookings::travellers::update),
        Page::TravellerRemove => on(m, bookings::travellers::remove),
        Page::TravellerDocument => on(m, bookings::travellers::put_document),
        Page::TravellerDocumentsOpen => on(m, bookings::travellers::open_documents),
        Page::ClientPaymentDetails => on(m, clients::card::payment_details),
        Page::ClientAddress => on(m, clients::card::address),
        Page::ClientContacts => on(m, clients::card::contacts),
        Page::ClientAgent => on(m, clients::card::agent),
        Page::ClientIdentity => on(m, clients::card::identity),
        Page::ClientConsents => on(m, clients::card::issue_consents),
        Page::BookingContractPdf => on(m, documents::contract_pdf),
        Page::DocumentList => on(m, documents::list),
        Page::DocumentRequisitesForm => on(m, documents::requisites::agency_form),
        Page::DocumentRequisitesSave => on(m, documents::requisites::agency_save),
        Page::DocumentOperatorForm => on(m, documents::requisites::operator_form),
        Page::DocumentOperatorSave => on(m, documents::requisites::operator_save),
        Page::DocumentTemplateForm => on(m, documents::edit),
        Page::DocumentTemplateSave => on(m, documents::save),
        Page::DocumentTemplatePreview => on(m, documents::preview),
        Page::BookingContract => on(m, signing::panel::issue_contract),
        Page::DocumentPdf => on(m, signing::panel::pdf),
        Page::PaymentList => on(m, payments::list),
        Page::PaymentRefund => on(m, payments::refund),
        Page::PaymentResolve => on(m, payments::resolve),
        Page::YooKassaWebhook => on(m, payments::yookassa_webhook),
        // The accountant's desk and commission rates (issue #15).
        Page::OperationList => on(m, operations::list),
        Page::OperationReverse => on(m, operations::reverse),
        Page::OperationHotelForm => on(m, operations::forms::hotel_form),
        Page::OperationHotel => on(m, operations::forms::hotel_save),
        Page::OperationOperatorForm => on(m, operations::forms::operator_form),
        Page::OperationOperator => on(m, operations::forms::operator_save),
        Page::OperationCommissionForm => on(m, operations::forms::commission_form),
        Page::OperationCommission => on(m, operations::forms::commission_save),
        Page::OperationRefundForm => on(m, operations::forms::refund_form),
        Page::OperationRefund => on(m, operations::forms::refund_save),
        Page::OperationTransferForm => on(m, operations::transfer::form),
        Page::OperationTransferCheck => on(m, operations::transfer::check),
        Page::OperationTransfer => on(m, operations::transfer::record),
        Page::CommissionRates => on(m, commissions::show),
        Page::CommissionAgent => on(m, commissions::agent),
        Page::CommissionTour => on(m, commissions::tour),
        // The financial reports.
        Page::ReportList => on(m, reports::index),
        Page::Report => on(m, reports::show),
        Page::Kpi => on(m, kpi::show),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_method_and_path_is_listed_once() {
        for (i, a) in ROUTES.iter().enumerate() {
            assert!(a.method == "GET" || a.method == "POST", "{}", a.path);
            for b in &ROUTES[i + 1..] {
                assert!(!(a.method == b.method && a.path == b.path), "{} {} twice", a.method, a.path);
            }
        }
    }

    #[test]
    fn a_head_request_is_the_get_route() {
        for route in ROUTES.iter().filter(|r| r.method == "GET") {
            assert_eq!(find("HEAD", route.path).map(|r| r.page), Some(route.page), "{}", route.path);
        }
        assert_eq!(find("HEAD", "/login").map(|r| r.method), Some("GET"));
        assert!(find("HEAD", "/clients/{id}/documents").is_none(), "a POST-only route has no HEAD");
        assert!(find("PUT", "/clients").is_none());
    }
}

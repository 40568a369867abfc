//! The travellers of a booking and their identity documents. The client who booked is the
//! first traveller (created with the booking) and their documents are their own
//! (`Owner::Client`, so the passport-expiry reminder reads them); companions are added, renamed
//! and removed here, their documents sealed under the traveller (`Owner::Traveller`).
//!
//! **The count is the booking's.** A booking is priced per person for `travellers_count`
//! travellers, so the list never grows past it: adding one more is refused with the reason
//! (re-book for the right number), never a silent change of the price.
//!
//! **Who.** Names: the booking's agent, the admin, the system. Documents: the same and the
//! client themself for their own booking (they enter what is missing while signing); the
//! accountant and operators never see them. Every decryption is audited, including the one
//! that computes the warnings shown on the list.

use super::Crm;
use super::bookings::{NewTraveller, check_booking_access};
use super::documents::{ClientExpiry, Documents, decode, may_open, plain_of};
use super::scope::{Access, Scope};
use crate::audit::{self, AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{
    BookingId, BookingStatus, DocKind, DocWarning, ForeignPassport, TravellerDocument, TravellerId,
    foreign_passport_warnings, is_abroad, needed_documents,
};
use crate::store::bookings::{self as bookings_store, Booking, Traveller};
use crate::store::documents::{self as doc_store, Owner};
use crate::store::{Conn, tours, travellers as store};
use crate::{Actor, Conflict, Error, Result};
use chrono::NaiveDate;

/// One identity document of a traveller: whether the trip needs it and whether it is on file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DocState {
    pub kind: DocKind,
    pub needed: bool,
    pub on_file: bool,
}

/// One row of the «Туристы» list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TravellerEntry {
    pub traveller: Traveller,
    /// The client who booked: their documents are the client's own.
    pub is_client: bool,
    pub age_on_departure: u32,
    /// The identity documents the trip needs or that are on file, in [`DocKind::IDENTITY`] order.
    pub documents: Vec<DocState>,
    pub warnings: Vec<DocWarning>,
}

impl TravellerEntry {
    /// The documents the trip needs that are not on file yet.
    pub fn missing(&self) -> Vec<DocKind> {
        self.documents.iter().filter(|d| d.needed && !d.on_file).map(|d| d.kind).collect()
    }
}

/// A traveller's identity document saved: what to tell about it, and the client's documents
/// made anew because they stated the previous data (see `signing::stale`).
#[derive(Debug)]
pub struct DocumentSaved {
    /// About the document, never stopping it from being saved.
    pub warnings: Vec<DocWarning>,
    pub remade: Vec<crate::services::DocumentLine>,
}

/// A booking's travellers with the state of their documents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TravellerList {
    pub booking_id: BookingId,
    pub travellers_count: i64,
    /// The tour goes abroad: everyone needs a foreign passport.
    pub abroad: bool,
    pub returns_on: NaiveDate,
    pub travellers: Vec<TravellerEntry>,
    /// Whether one more companion fits: seats left unlisted and the booking not cancelled.
    pub can_add: bool,
}

fn owner_of(b: &Booking, t: &Traveller) -> Owner {
    if t.client_id == Some(b.client_id) { Owner::Client(b.client_id.0) } else { Owner::Traveller(t.id.0) }
}

fn age_on(t: &Traveller, day: NaiveDate) -> u32 {
    day.years_since(t.birth_date).unwrap_or(0)
}

fn open_for_changes(b: &Booking) -> Result<()> {
    if b.status == BookingStatus::Cancelled { Err(Error::Conflict(Conflict::BookingClosed)) } else { Ok(()) }
}

/// Who may read or write a booking's travellers' documents: whoever reaches the booking (the
/// client their own, for writing too) and sees documents at all.
fn check_documents_access(actor: &Actor, b: &Booking, access: Access) -> Result<()> {
    may_open(actor)?;
    if Scope::of(actor, access).booking(b) { Ok(()) } else { Err(Error::Forbidden("this booking is not yours")) }
}

/// The warnings about one traveller's foreign passport on this trip (the expiry only matters
/// abroad).
fn warnings_for(p: &ForeignPassport, t: &Traveller, returns_on: NaiveDate, abroad: bool) -> Vec<DocWarning> {
    let mut w = foreign_passport_warnings(p, &t.full_name, returns_on);
    if !abroad {
        w.retain(|w| !matches!(w, DocWarning::ForeignPassportExpiresSoon { .. }));
    }
    w
}

impl Crm {
    async fn booking_of_traveller(&self, id: TravellerId) -> Result<(Booking, Traveller)> {
        let mut conn = self.store.conn().await?;
        let (booking, t) = store::get(&mut conn, id).await?.ok_or(Error::NotFound("traveller"))?;
        let b = bookings_store::get(&mut conn, booking).await?.ok_or(Error::NotFound("booking"))?;
        Ok((b, t))
    }

    async fn is_abroad(&self, conn: &mut Conn, b: &Booking) -> Result<bool> {
        let tour = tours::get(conn, b.tour_id).await?.ok_or(Error::NotFound("tour"))?;
        Ok(is_abroad(&tour.country))
    }

    /// The travellers of a booking, each with their documents' state and warnings. Computing
    /// the warnings opens the foreign passports on file, which is audited (one entry).
    pub async fn travellers(&self, actor: &Actor, booking: BookingId) -> Result<TravellerList> {
        let b = self.booking_for(actor, booking, false).await?;
        check_documents_access(actor, &b, Access::Read)?;
        let mut conn = self.store.conn().await?;
        let abroad = self.is_abroad(&mut conn, &b).await?;
        let listed = bookings_store::travellers(&mut conn, booking).await?;
        let mut checked = Vec::new();
        let mut travellers = Vec::with_capacity(listed.len());
        for t in listed {
            let owner = owner_of(&b, &t);
            let on_file: Vec<DocKind> =
                doc_store::kinds_of(&mut conn, owner).await?.iter().filter_map(|k| DocKind::from_code(k)).collect();
            let age = age_on(&t, b.starts_on);
            let needed = needed_documents(abroad, age, owner == Owner::Client(b.client_id.0));
            let documents = DocKind::IDENTITY
                .into_iter()
                .filter(|k| needed.contains(k) || on_file.contains(k))
                .map(|kind| DocState { kind, needed: needed.contains(&kind), on_file: on_file.contains(&kind) })
                .collect();
            let mut warnings = Vec::new();
            if on_file.contains(&DocKind::ForeignPassport)
                && let Some(plain) = self.open_one(&mut conn, owner, DocKind::ForeignPassport).await?
            {
                let p: ForeignPassport = decode(&plain)?;
                warnings = warnings_for(&p, &t, b.ends_on, abroad);
                checked.push(t.full_name.clone());
            }
            travellers.push(TravellerEntry {
                is_client: owner == Owner::Client(b.client_id.0),
                age_on_departure: age,
                documents,
                warnings,
                traveller: t,
            });
        }
        drop(conn);
        if !checked.is_empty() {
            let entry = Entry::new(AuditAction::DocumentCheck, AuditObject::Booking(booking))
                .with(AuditField::Traveller, checked.join(", "))
                .with(AuditField::Documents, DocKind::ForeignPassport.title_ru());
            self.audit(actor, &entry).await?;
        }
        let listed = i64::try_from(travellers.len()).unwrap_or(i64::MAX);
        Ok(TravellerList {
            booking_id: booking,
            travellers_count: b.travellers_count,
            abroad,
            returns_on: b.ends_on,
            can_add: listed < b.travellers_count && b.status != BookingStatus::Cancelled,
            travellers,
        })
    }

    /// The list of the booking a traveller is on (a traveller's own page shows it).
    pub async fn travellers_of(&self, actor: &Actor, id: TravellerId) -> Result<TravellerList> {
        let (b, _) = self.booking_of_traveller(id).await?;
        check_documents_access(actor, &b, Access::Read)?;
        self.travellers(actor, b.id).await
    }

    /// The booking a traveller is on (the bot's way back to the list after a document).
    pub async fn traveller_booking(&self, actor: &Actor, id: TravellerId) -> Result<BookingId> {
        let (b, _) = self.booking_of_traveller(id).await?;
        check_documents_access(actor, &b, Access::Read)?;
        Ok(b.id)
    }

    /// Adds a companion (up to the booking's number of travellers: the price is per person, so
    /// one more needs a new booking).
    pub async fn add_traveller(&self, actor: &Actor, booking: BookingId, t: NewTraveller) -> Result<Traveller> {
        let b = self.booking_for(actor, booking, true).await?;
        open_for_changes(&b)?;
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        store::lock_booking(&mut tx, booking, now).await?;
        if store::count(&mut tx, booking).await? >= b.travellers_count {
            return Err(Error::Conflict(Conflict::TravellersFull { count: b.travellers_count }));
        }
        let id =
            bookings_store::add_traveller(&mut tx, booking, None, t.full_name.as_str(), t.birth_date.date()).await?;
        let added = store::get(&mut tx, id).await?.ok_or(Error::NotFound("traveller"))?.1;
        let entry = Entry::new(AuditAction::BookingTravellerAdd, AuditObject::Booking(booking))
            .with(AuditField::Traveller, &added.full_name);
        tx.commit(entry).await?;
        self.remake_stale(b.client_id).await?;
        Ok(added)
    }

    /// Corrects a traveller's full name and birth date to what their passport says (the
    /// client's own record keeps the name they registered with).
    pub async fn edit_traveller(&self, actor: &Actor, id: TravellerId, t: NewTraveller) -> Result<Traveller> {
        let (b, before) = self.booking_of_traveller(id).await?;
        check_booking_access(actor, &b, true)?;
        open_for_changes(&b)?;
        if before.full_name == t.full_name.as_str() && before.birth_date == t.birth_date.date() {
            return Err(Error::Conflict(Conflict::NoChange("the traveller is already so")));
        }
        if before.birth_date != t.birth_date.date() {
            let entry = Entry::new(AuditAction::DocumentCheck, AuditObject::Booking(b.id))
                .with(AuditField::Traveller, &before.full_name);
            self.check_issued_after_birth(actor, owner_of(&b, &before), entry, t.birth_date.date()).await?;
        }
        let mut tx = self.audited(actor).await?;
        store::update(&mut tx, id, t.full_name.as_str(), t.birth_date.date()).await?;
        let after = store::get(&mut tx, id).await?.ok_or(Error::NotFound("traveller"))?.1;
        let entry = Entry::new(AuditAction::BookingTravellerEdit, AuditObject::Booking(b.id))
            .with(AuditField::Traveller, format!("{} → {}", before.full_name, after.full_name));
        tx.commit(entry).await?;
        self.remake_stale(b.client_id).await?;
        Ok(after)
    }

    /// Removes a companion and their documents. The client who booked stays.
    pub async fn remove_traveller(&self, actor: &Actor, id: TravellerId) -> Result<()> {
        let (b, t) = self.booking_of_traveller(id).await?;
        check_booking_access(actor, &b, true)?;
        open_for_changes(&b)?;
        let Owner::Traveller(_) = owner_of(&b, &t) else {
            return Err(Error::Conflict(Conflict::ClientTravellerStays));
        };
        let mut tx = self.audited(actor).await?;
        doc_store::delete_all(&mut tx, Owner::Traveller(id.0)).await?;
        store::delete(&mut tx, id).await?;
        let entry = Entry::new(AuditAction::BookingTravellerRemove, AuditObject::Booking(b.id))
            .with(AuditField::Traveller, &t.full_name);
        tx.commit(entry).await?;
        self.remake_stale(b.client_id).await.map(drop)
    }

    /// Stores (or replaces) one identity document of a traveller and returns the warnings
    /// about it, which never stop it from being saved. The client's own documents go to the
    /// client's record.
    pub async fn put_traveller_document(
        &self,
        actor: &Actor,
        id: TravellerId,
        doc: &TravellerDocument,
    ) -> Result<DocumentSaved> {
        let (b, t) = self.booking_of_traveller(id).await?;
        check_documents_access(actor, &b, Access::Write)?;
        open_for_changes(&b)?;
        doc.check_issued_to(t.birth_date)?;
        let kind = doc.kind();
        let owner = owner_of(&b, &t);
        let (entry, expiry): (Entry, ClientExpiry) = match owner {
            Owner::Client(_) => (
                Entry::new(AuditAction::document_put(kind), AuditObject::Client(b.client_id))
                    .with(AuditField::Booking, audit::number(b.id)),
                match doc {
                    TravellerDocument::ForeignPassport(p) => Some((b.client_id, p.expires_on)),
                    _ => None,
                },
            ),
            Owner::Traveller(_) => (
                Entry::new(AuditAction::document_put(kind), AuditObject::Booking(b.id))
                    .with(AuditField::Traveller, &t.full_name),
                None,
            ),
        };
        let plain = match doc {
            TravellerDocument::InternalPassport(p) => plain_of(p)?,
            TravellerDocument::ForeignPassport(p) => plain_of(p)?,
            TravellerDocument::BirthCertificate(c) => plain_of(c)?,
        };
        self.seal_and_store(actor, owner, kind, &plain, entry, expiry).await?;
        let remade = self.remake_stale(b.client_id).await?;
        let warnings = match doc {
            TravellerDocument::ForeignPassport(p) => {
                let abroad = self.is_abroad(&mut *self.store.conn().await?, &b).await?;
                warnings_for(p, &t, b.ends_on, abroad)
            }
            _ => Vec::new(),
        };
        Ok(DocumentSaved { warnings, remade })
    }

    /// Decrypts a traveller's identity documents («Показать»), audited before they are returned.
    pub async fn open_traveller_documents(&self, actor: &Actor, id: TravellerId) -> Result<Documents> {
        let (b, t) = self.booking_of_traveller(id).await?;
        check_documents_access(actor, &b, Access::Read)?;
        let owner = owner_of(&b, &t);
        let entry = match owner {
            Owner::Client(_) => Entry::new(AuditAction::DocumentRead, AuditObject::Client(b.client_id))
                .with(AuditField::Booking, audit::number(b.id)),
            Owner::Traveller(_) => Entry::new(AuditAction::DocumentReadTraveller, AuditObject::Booking(b.id))
                .with(AuditField::Traveller, &t.full_name),
        };
        self.open_owner(actor, owner, &DocKind::IDENTITY, entry).await
    }

    /// The documents the booking's travellers still lack, in list order: what the signing page
    /// asks the client for. Reads only which documents are on file, opens none.
    pub async fn missing_documents(&self, actor: &Actor, booking: BookingId) -> Result<Vec<(TravellerId, DocKind)>> {
        let b = self.booking_for(actor, booking, false).await?;
        check_documents_access(actor, &b, Access::Read)?;
        let mut conn = self.store.conn().await?;
        let abroad = self.is_abroad(&mut conn, &b).await?;
        let mut out = Vec::new();
        for t in bookings_store::travellers(&mut conn, booking).await? {
            let owner = owner_of(&b, &t);
            let on_file = doc_store::kinds_of(&mut conn, owner).await?;
            for kind in needed_documents(abroad, age_on(&t, b.starts_on), owner == Owner::Client(b.client_id.0)) {
                if !on_file.iter().any(|k| k == kind.as_str()) {
                    out.push((t.id, kind));
                }
            }
        }
        Ok(out)
    }
}

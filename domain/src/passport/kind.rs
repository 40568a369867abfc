//! The kinds of personal document, and which identity documents a traveller needs for a trip.

use crate::text::{self, keyed_enum};

keyed_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum DocKind: as_str {
        InternalPassport = "internal_passport",
        ForeignPassport = "foreign_passport",
        PaymentDetails = "payment_details",
        BirthCertificate = "birth_certificate",
        /// The client's address as the contract and the consent state it (152-FZ art. 9).
        Address = "address",
    }
}

impl DocKind {
    pub fn title_ru(self) -> &'static str {
        text::get("document_kind", self.as_str())
    }

    /// The identity documents a traveller may have entered (payment details are the client's).
    pub const IDENTITY: [DocKind; 3] = [DocKind::InternalPassport, DocKind::ForeignPassport, DocKind::BirthCertificate];

    /// The client's own identity documents staff enter on the client card (the contract and the
    /// consents name one); a companion's are entered on the booking's travellers.
    pub const CLIENT_CARD: [DocKind; 2] = [DocKind::InternalPassport, DocKind::ForeignPassport];
}

/// Below this age on the departure day a Russian child has no internal passport, only a birth
/// certificate (the passport is issued at 14).
pub const CHILD_AGE: u32 = 14;

/// Whether a tour's country (as the operator typed it) is abroad: anything but Russia.
pub fn is_abroad(country: &str) -> bool {
    let c = crate::search_key(country.trim());
    !matches!(c.as_str(), "россия" | "рф" | "российская федерация" | "russia" | "russian federation")
}

/// The documents a traveller needs: abroad, a foreign passport for everyone, children too; in
/// Russia, the internal passport from 14 and the birth certificate below. The client who booked
/// signs the contract as its customer, which names their internal passport, trip or not.
pub fn needed_documents(abroad: bool, age_on_departure: u32, is_client: bool) -> Vec<DocKind> {
    let adult = age_on_departure >= CHILD_AGE;
    let mut out = Vec::new();
    if adult && (is_client || !abroad) {
        out.push(DocKind::InternalPassport);
    }
    if !adult && !abroad {
        out.push(DocKind::BirthCertificate);
    }
    if abroad {
        out.push(DocKind::ForeignPassport);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_each_traveller_needs() {
        use DocKind::*;
        assert!(!is_abroad(" Россия "));
        assert!(!is_abroad("РФ"));
        assert!(is_abroad("Турция"));
        assert_eq!(needed_documents(true, 35, true), [InternalPassport, ForeignPassport]);
        assert_eq!(needed_documents(true, 35, false), [ForeignPassport]);
        assert_eq!(needed_documents(true, 5, false), [ForeignPassport]);
        assert_eq!(needed_documents(false, 35, false), [InternalPassport]);
        assert_eq!(needed_documents(false, 13, false), [BirthCertificate]);
        assert_eq!(needed_documents(false, 14, true), [InternalPassport]);
    }
}

//! Typed row ids, so a client id can never be passed where a staff id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($($name:ident),*) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    ClientId,
    StaffId,
    InteractionId,
    TourId,
    DepartureId,
    BookingId,
    OperationId,
    HotelId,
    RoomId,
    BroadcastId,
    OutboxId,
    TravellerId
);

// A document issued for signing (contract, consents): its own block, beside the others.
id_type!(IssuedDocumentId);

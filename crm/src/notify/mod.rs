//! Automatic notifications: what is due for whom and when, as pure functions of dates, time
//! zones and settings. The scheduler, the outbox and the sending come with the notifications
//! issue and build on these rules; nothing here touches the store or a clock.

pub mod due;
pub mod kinds;
pub mod templates;

pub use due::{Daytime, birthday_in, local_date, occurrence_key};
pub use kinds::NotificationKind;
pub use templates::BroadcastKind;

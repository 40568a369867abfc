//! Inline-button payloads: compact (Telegram allows 64 bytes), and parsed strictly — anything
//! that does not parse is `None`, never a guess. Ids in callbacks are only *requests*: the
//! services check the actor may touch the record, so a crafted payload reaches nothing.
//!
//! A button outlives the version that drew it (it stays under a message in the chat), so a
//! domain value travels as its stable code (`mv:17:contract_signed`), never as a position in a
//! list: reordering an enum leaves old buttons meaning what they meant. A button of the
//! version before codes (`mv:17:1`) does not decode and is answered «button expired».

use crate::staff::{ClientField, NOTE_KINDS, PAY_METHODS};
use domain::{BookingStatus, DocKind, InteractionKind, PaymentMethod};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Callback {
    /// A departure city offered during registration, by its index in the built-in list.
    City(u16),
    Yes,
    No,
    /// Open a tour card.
    Tour(i64),
    /// Book this departure.
    Depart(i64),
    /// Number of travellers.
    Count(u8),
    /// «Забронировать» under a price for this many travellers: only the newest price books,
    /// an older one's button (another count) is refused.
    ConfirmBooking(u8),
    /// At the price: pass the question typed there to the agent, the price kept.
    RelayQuestion,
    /// Catalog page.
    Page(u32),
    /// Catalog filters: ask for a destination, choose a month (yyyymm, 0 = any), a budget
    /// (thousands of roubles, 0 = any), toggle hot tours, clear all.
    AskDestination,
    AskMonth,
    Month(u32),
    AskBudget,
    Budget(u32),
    Hot,
    ClearFilters,
    /// Settings.
    ChangeCity,
    ToggleMarketing,
    /// The «Отписаться» button under marketing messages.
    Unsubscribe,
    /// Staff: open a client card, a booking card; search clients.
    Client(i64),
    Booking(i64),
    SearchClients,
    /// Staff: write to the client (the next text goes to them).
    ReplyTo(i64),
    /// Staff: log an interaction of this kind (one of [`NOTE_KINDS`]) for a client.
    Note(i64, InteractionKind),
    /// Staff: tag a client.
    Tag(i64),
    /// Staff: move a booking to this status (crm checks the move).
    Move(i64, BookingStatus),
    /// Staff: record a payment for a booking, then its method (one of [`PAY_METHODS`]).
    Pay(i64),
    PayMethod(PaymentMethod),
    /// Admin: blacklist or un-blacklist a client.
    Blacklist(i64),
    Unblacklist(i64),
    /// Staff: the next page of the client list, of bookings, of new requests (below this id).
    MoreClients(i64),
    MoreBookings(i64),
    MoreRequests(i64),
    /// Client: ask to cancel this booking of theirs (a reason and a confirmation follow).
    AskCancel(i64),
    /// Staff: a booking's travellers; one traveller (choose a document); enter this identity
    /// document (one of [`DocKind::IDENTITY`]) of a traveller.
    Travellers(i64),
    Traveller(i64),
    /// Staff: add a companion to this booking (a name and a birth date follow).
    AddTraveller(i64),
    DocKind(i64, DocKind),
    /// Staff: the client's own identity document (choose which; enter this one, one of
    /// [`DocKind::CLIENT_CARD`]).
    ClientDocuments(i64),
    ClientDocKind(i64, DocKind),
    /// Staff: enter a client's refund details; to a card (`true`) or an account.
    Refund(i64),
    /// Staff: enter a client's address for the documents (a text follows).
    Address(i64),
    /// Staff: correct the client's card (choose the field; then its new value follows).
    EditClient(i64),
    EditField(i64, ClientField),
    RefundTo(i64, bool),
    /// Signing a document in the chat (the client): start, accept the signature agreement, a
    /// new code. The PDF of a document (the client, staff). Staff: issue a booking's contract.
    Sign(i64),
    SignAccept(i64),
    SignCode(i64),
    DocumentPdf(i64),
    IssueContract(i64),
    /// Staff: issue the client's unsigned consents anew (client id).
    IssueConsents(i64),
    /// Staff: send the client an invoice to pay in Telegram for a booking (an amount follows).
    TelegramInvoice(i64),
    /// Client: pay this booking; the next instalment, the rest, another amount (typed); this
    /// way to pay. The amounts are the dialogue's, from crm, never the button's.
    PayBooking(i64),
    PayNext,
    PayRest,
    PayOther,
    PayVia(crate::client::pay::PayVia),
    /// Staff: send the client a payment (a link or the transfer QR) for this booking; the
    /// amount and the way follow with the client's own buttons.
    SendPayment(i64),
}

impl Callback {
    /// A press that shows the tour list another way (another page, a filter, the question
    /// choosing one): its answer takes the pressed message's place rather than adding one, so
    /// browsing leaves one list in the chat, not a message per page.
    pub fn refines_list(&self) -> bool {
        matches!(
            self,
            Callback::Page(_)
                | Callback::AskMonth
                | Callback::Month(_)
                | Callback::AskBudget
                | Callback::Budget(_)
                | Callback::Hot
                | Callback::ClearFilters
        )
    }

    pub fn encode(&self) -> String {
        match self {
            Callback::City(i) => format!("c:{i}"),
            Callback::Yes => "y".into(),
            Callback::No => "n".into(),
            Callback::Tour(id) => format!("t:{id}"),
            Callback::Depart(id) => format!("d:{id}"),
            Callback::Count(n) => format!("k:{n}"),
            Callback::ConfirmBooking(n) => format!("bc:{n}"),
            Callback::RelayQuestion => "rq".into(),
            Callback::Page(p) => format!("p:{p}"),
            Callback::AskDestination => "fd".into(),
            Callback::AskMonth => "fm".into(),
            Callback::Month(m) => format!("m:{m}"),
            Callback::AskBudget => "fb".into(),
            Callback::Budget(b) => format!("b:{b}"),
            Callback::Hot => "fh".into(),
            Callback::ClearFilters => "fx".into(),
            Callback::ChangeCity => "sc".into(),
            Callback::ToggleMarketing => "sm".into(),
            Callback::Unsubscribe => "u".into(),
            Callback::Client(id) => format!("cl:{id}"),
            Callback::Booking(id) => format!("bk:{id}"),
            Callback::SearchClients => "sr".into(),
            Callback::ReplyTo(id) => format!("rt:{id}"),
            Callback::Note(id, k) => format!("nt:{id}:{}", k.as_str()),
            Callback::Tag(id) => format!("tg:{id}"),
            Callback::Move(id, s) => format!("mv:{id}:{}", s.as_str()),
            Callback::Pay(id) => format!("py:{id}"),
            Callback::PayMethod(m) => format!("pm:{}", m.as_str()),
            Callback::Blacklist(id) => format!("bl:{id}"),
            Callback::Unblacklist(id) => format!("ub:{id}"),
            Callback::MoreClients(id) => format!("mc:{id}"),
            Callback::MoreBookings(id) => format!("mb:{id}"),
            Callback::MoreRequests(id) => format!("mr:{id}"),
            Callback::AskCancel(id) => format!("xc:{id}"),
            Callback::Travellers(id) => format!("tr:{id}"),
            Callback::Address(id) => format!("ad:{id}"),
            Callback::EditClient(id) => format!("ec:{id}"),
            Callback::EditField(id, f) => format!("ef:{id}:{}", f.code()),
            Callback::AddTraveller(id) => format!("ta:{id}"),
            Callback::Traveller(id) => format!("tv:{id}"),
            Callback::DocKind(id, k) => format!("dk:{id}:{}", k.as_str()),
            Callback::ClientDocuments(id) => format!("cd:{id}"),
            Callback::ClientDocKind(id, k) => format!("ck:{id}:{}", k.as_str()),
            Callback::Refund(id) => format!("rf:{id}"),
            Callback::RefundTo(id, card) => format!("rb:{id}:{}", if *card { "card" } else { "account" }),
            Callback::Sign(id) => format!("sg:{id}"),
            Callback::SignAccept(id) => format!("sa:{id}"),
            Callback::SignCode(id) => format!("sq:{id}"),
            Callback::DocumentPdf(id) => format!("dp:{id}"),
            Callback::IssueContract(id) => format!("ic:{id}"),
            Callback::IssueConsents(id) => format!("cs:{id}"),
            Callback::TelegramInvoice(id) => format!("ti:{id}"),
            Callback::PayBooking(id) => format!("pb:{id}"),
            Callback::PayNext => "pn".into(),
            Callback::PayRest => "pr".into(),
            Callback::PayOther => "po".into(),
            Callback::PayVia(v) => format!("pv:{}", v.code()),
            Callback::SendPayment(id) => format!("sp:{id}"),
        }
    }

    pub fn decode(data: &str) -> Option<Callback> {
        if data.len() > 64 {
            return None;
        }
        let (tag, arg) = match data.split_once(':') {
            Some((t, a)) => (t, Some(a)),
            None => (data, None),
        };
        fn digits(a: Option<&str>, max_len: usize) -> Option<&str> {
            a.filter(|a| !a.is_empty() && a.len() <= max_len && a.bytes().all(|b| b.is_ascii_digit()))
        }
        // A domain value's code as `as_str()` writes it: lowercase and `_`, nothing around it.
        fn code(a: Option<&str>) -> Option<&str> {
            a.filter(|a| !a.is_empty() && a.len() <= 32 && a.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        }
        let positive = |a: Option<&str>| digits(a, 15)?.parse::<i64>().ok().filter(|v| *v > 0);
        let id = || positive(arg);
        // "id:code", e.g. a booking and a status.
        let with_code = || -> Option<(i64, &str)> {
            let (a, b) = arg?.split_once(':')?;
            Some((positive(Some(a))?, code(Some(b))?))
        };
        let note_kind = |k: &str| InteractionKind::parse(k).ok().filter(|k| NOTE_KINDS.contains(k));
        let pay_method = |m: &str| PaymentMethod::parse(m).filter(|m| PAY_METHODS.contains(m));
        let small = |max_len| digits(arg, max_len)?.parse::<u32>().ok();
        Some(match (tag, arg) {
            ("c", _) => Callback::City(u16::try_from(small(5)?).ok()?),
            ("y", None) => Callback::Yes,
            ("n", None) => Callback::No,
            ("t", _) => Callback::Tour(id()?),
            ("d", _) => Callback::Depart(id()?),
            ("k", _) => Callback::Count(u8::try_from(small(2)?).ok().filter(|n| (1..=30).contains(n))?),
            ("bc", _) => Callback::ConfirmBooking(u8::try_from(small(2)?).ok().filter(|n| (1..=30).contains(n))?),
            ("rq", None) => Callback::RelayQuestion,
            ("p", _) => Callback::Page(small(4)?),
            ("fd", None) => Callback::AskDestination,
            ("fm", None) => Callback::AskMonth,
            ("m", _) => Callback::Month(small(6)?),
            ("fb", None) => Callback::AskBudget,
            ("b", _) => Callback::Budget(small(5)?),
            ("fh", None) => Callback::Hot,
            ("fx", None) => Callback::ClearFilters,
            ("sc", None) => Callback::ChangeCity,
            ("sm", None) => Callback::ToggleMarketing,
            ("u", None) => Callback::Unsubscribe,
            ("cl", _) => Callback::Client(id()?),
            ("bk", _) => Callback::Booking(id()?),
            ("sr", None) => Callback::SearchClients,
            ("rt", _) => Callback::ReplyTo(id()?),
            ("nt", _) => with_code().and_then(|(id, k)| Some(Callback::Note(id, note_kind(k)?)))?,
            ("tg", _) => Callback::Tag(id()?),
            ("mv", _) => with_code().and_then(|(id, s)| Some(Callback::Move(id, BookingStatus::parse(s)?)))?,
            ("py", _) => Callback::Pay(id()?),
            ("pm", _) => Callback::PayMethod(pay_method(code(arg)?)?),
            ("bl", _) => Callback::Blacklist(id()?),
            ("ub", _) => Callback::Unblacklist(id()?),
            ("mc", _) => Callback::MoreClients(id()?),
            ("mb", _) => Callback::MoreBookings(id()?),
            ("mr", _) => Callback::MoreRequests(id()?),
            ("xc", _) => Callback::AskCancel(id()?),
            ("rf", _) => Callback::Refund(id()?),
            ("rb", _) => with_code().and_then(|(id, to)| match to {
                "card" => Some(Callback::RefundTo(id, true)),
                "account" => Some(Callback::RefundTo(id, false)),
                _ => None,
            })?,
            ("tr", _) => Callback::Travellers(id()?),
            ("ad", _) => Callback::Address(id()?),
            ("ec", _) => Callback::EditClient(id()?),
            ("ef", _) => with_code().and_then(|(id, f)| Some(Callback::EditField(id, ClientField::from_code(f)?)))?,
            ("ta", _) => Callback::AddTraveller(id()?),
            ("tv", _) => Callback::Traveller(id()?),
            ("dk", _) => with_code().and_then(|(id, k)| {
                Some(Callback::DocKind(id, DocKind::from_code(k).filter(|k| DocKind::IDENTITY.contains(k))?))
            })?,
            ("cd", _) => Callback::ClientDocuments(id()?),
            ("ck", _) => with_code().and_then(|(id, k)| {
                Some(Callback::ClientDocKind(id, DocKind::from_code(k).filter(|k| DocKind::CLIENT_CARD.contains(k))?))
            })?,
            ("ti", _) => Callback::TelegramInvoice(id()?),
            ("sg", _) => Callback::Sign(id()?),
            ("sa", _) => Callback::SignAccept(id()?),
            ("sq", _) => Callback::SignCode(id()?),
            ("dp", _) => Callback::DocumentPdf(id()?),
            ("ic", _) => Callback::IssueContract(id()?),
            ("cs", _) => Callback::IssueConsents(id()?),
            ("pb", _) => Callback::PayBooking(id()?),
            ("pn", None) => Callback::PayNext,
            ("pr", None) => Callback::PayRest,
            ("po", None) => Callback::PayOther,
            ("pv", _) => Callback::PayVia(crate::client::pay::PayVia::from_code(code(arg)?)?),
            ("sp", _) => Callback::SendPayment(id()?),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_lists_own_buttons_refine_it_in_place() {
        for c in [Callback::Page(2), Callback::Hot, Callback::ClearFilters, Callback::AskMonth, Callback::Month(202701)]
        {
            assert!(c.refines_list(), "{c:?}");
        }
        // A tour's card, a booking, a payment: answers of their own, below the list.
        for c in
            [Callback::Tour(1), Callback::Depart(2), Callback::Yes, Callback::PayBooking(3), Callback::MoreClients(4)]
        {
            assert!(!c.refines_list(), "{c:?}");
        }
    }

    #[test]
    fn callbacks_round_trip_and_garbage_is_refused() {
        let all = [
            Callback::City(0),
            Callback::City(31),
            Callback::Yes,
            Callback::No,
            Callback::Tour(1),
            Callback::Tour(999_999_999_999),
            Callback::Depart(42),
            Callback::Count(3),
            Callback::Page(0),
            Callback::AskDestination,
            Callback::AskMonth,
            Callback::Month(202701),
            Callback::AskBudget,
            Callback::Budget(150),
            Callback::Hot,
            Callback::ClearFilters,
            Callback::ChangeCity,
            Callback::ToggleMarketing,
            Callback::Unsubscribe,
            Callback::Client(5),
            Callback::Booking(6),
            Callback::SearchClients,
            Callback::ReplyTo(7),
            Callback::Tag(9),
            Callback::Pay(11),
            Callback::Blacklist(12),
            Callback::Unblacklist(13),
            Callback::MoreClients(14),
            Callback::MoreBookings(15),
            Callback::MoreRequests(16),
            Callback::AskCancel(17),
            Callback::Travellers(14),
            Callback::Traveller(15),
            Callback::AddTraveller(16),
            Callback::Address(16),
            Callback::ConfirmBooking(3),
            Callback::RelayQuestion,
            Callback::EditClient(17),
            Callback::EditField(17, crate::staff::ClientField::BirthDate),
            Callback::Refund(17),
            Callback::RefundTo(17, true),
            Callback::RefundTo(17, false),
            Callback::TelegramInvoice(18),
            Callback::PayBooking(18),
            Callback::PayNext,
            Callback::PayRest,
            Callback::PayOther,
            Callback::SendPayment(19),
        ]
        .into_iter()
        .chain(NOTE_KINDS.map(|k| Callback::Note(8, k)))
        .chain(BookingStatus::ALL.map(|s| Callback::Move(10, s)))
        .chain(PAY_METHODS.map(Callback::PayMethod))
        .chain(DocKind::IDENTITY.map(|k| Callback::DocKind(16, k)))
        .chain(DocKind::CLIENT_CARD.map(|k| Callback::ClientDocKind(17, k)))
        .chain([Callback::ClientDocuments(18)])
        .chain(crate::client::pay::PayVia::ALL.map(Callback::PayVia));
        for c in all {
            assert_eq!(Callback::decode(&c.encode()), Some(c));
        }
        for bad in [
            "",
            "c:",
            "c:-1",
            "c:99999999",
            "c:1:2",
            "y:1",
            "x",
            "c:1a",
            "t:0",
            "t:-5",
            "t:1e3",
            "k:0",
            "k:31",
            "t:1234567890123456",
            "d: 1",
            "fh:1",
            "u:",
            "mc:",
            "mc:0",
            "mb:x",
            // A domain value by its code only: no positions, no other spelling, no other values.
            "mv:10:1",
            "mv:10:",
            "mv:10",
            "mv:10:Paid",
            "mv:10:paid ",
            "mv:10:booked",
            "mv:0:paid",
            "mv:10:paid:1",
            "nt:8:0",
            "nt:8:booking",
            "nt:8: call",
            "pm:0",
            "pm:online",
            "pm:internal",
            "pm:",
            "dk:16:payment_details",
            "dk:16:passport",
            "dk:0:foreign_passport",
            "tr:0",
            "rb:17:cash",
            "rb:17",
            "ti:0",
            "ti:",
            "pb:0",
            "pn:1",
            "pv:",
            "pv:cash",
            "sp:0",
            "sp:",
            &"c".repeat(65),
        ] {
            assert_eq!(Callback::decode(bad), None, "{bad:?}");
        }
    }

    /// Telegram refuses a button whose data is over 64 bytes (and the whole message with it):
    /// the longest payloads carry the largest id a payload may hold with the longest code.
    #[test]
    fn the_longest_payload_fits_telegram() {
        let id = 999_999_999_999_999;
        let longest = BookingStatus::ALL
            .map(|s| Callback::Move(id, s))
            .into_iter()
            .chain(NOTE_KINDS.map(|k| Callback::Note(id, k)))
            .chain(PAY_METHODS.map(Callback::PayMethod))
            .chain(DocKind::IDENTITY.map(|k| Callback::DocKind(id, k)))
            .chain(DocKind::CLIENT_CARD.map(|k| Callback::ClientDocKind(id, k)))
            .chain([Callback::Unblacklist(id), Callback::Month(999_999), Callback::City(u16::MAX)])
            .chain([
                Callback::Sign(id),
                Callback::SignAccept(id),
                Callback::SignCode(id),
                Callback::DocumentPdf(id),
                Callback::IssueContract(id),
                Callback::IssueConsents(id),
                Callback::SendPayment(id),
            ])
            .map(|c| c.encode())
            .max_by_key(String::len)
            .unwrap();
        assert!(longest.len() <= 64, "{longest:?} is {} bytes", longest.len());
        assert!(Callback::decode(&longest).is_some());
    }
}

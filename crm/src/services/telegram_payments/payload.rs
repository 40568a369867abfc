//! The invoice payload and the checks of a checkout against its invoice, as pure functions.
//!
//! The payload travels through Telegram and comes back in `pre_checkout_query` and
//! `successful_payment`; it is never trusted alone. It names the invoice row and carries a
//! random token of 128 bits whose SHA-256 only is stored: a payload made up by anyone else (a
//! guessed id, an altered token) matches no row. What the payer is asked to pay is then compared
//! with what the row says, never taken from the payload.

use crate::crypto::{same_secret, sha256_hex};
use crate::domain::{BookingStatus, Money};
use crate::store::telegram_payments::Invoice;
use crate::text;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};

/// The payload's version tag: a later format can be told apart.
const TAG: &str = "tp1";
/// Random bytes in a token.
const TOKEN_BYTES: usize = 16;
/// How long an invoice may be paid: long enough for a client who pays in the evening, short
/// enough that a forgotten one does not take money for a trip whose terms changed.
pub const INVOICE_TTL_DAYS: i64 = 7;

/// A payload taken apart: which invoice it claims, and the token that proves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Payload {
    pub invoice_id: i64,
    token: String,
}

impl Payload {
    /// A new token for a new invoice: the payload is made once the row has its id.
    pub(crate) fn new_token() -> String {
        let mut bytes = [0u8; TOKEN_BYTES];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    pub(crate) fn token_hash(token: &str) -> String {
        sha256_hex(token.as_bytes())
    }

    pub(crate) fn encode(invoice_id: i64, token: &str) -> String {
        format!("{TAG}.{invoice_id}.{token}")
    }

    /// `None` for anything but `tp1.<id>.<22 base64url characters of 16 bytes>`.
    pub(crate) fn parse(raw: &str) -> Option<Payload> {
        let mut parts = raw.split('.');
        let (tag, id, token) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || tag != TAG {
            return None;
        }
        if id.is_empty() || id.len() > 18 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let invoice_id: i64 = id.parse().ok().filter(|i| *i > 0)?;
        let decoded = URL_SAFE_NO_PAD.decode(token).ok()?;
        if decoded.len() != TOKEN_BYTES || URL_SAFE_NO_PAD.encode(&decoded) != token {
            return None;
        }
        Some(Payload { invoice_id, token: token.to_owned() })
    }

    /// Whether this payload's token is the one `invoice` was made with (in constant time).
    pub(crate) fn opens(&self, invoice: &Invoice) -> bool {
        invoice.id == self.invoice_id
            && same_secret(invoice.token_hash.as_bytes(), Payload::token_hash(&self.token).as_bytes())
    }
}

/// Why a checkout is refused; worded for the payer (Telegram shows it in the payment form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckoutRefusal {
    /// The payload names no invoice of ours (made up, altered, or the invoice is gone).
    UnknownInvoice,
    /// This invoice was paid already.
    AlreadyPaid,
    /// Older than [`INVOICE_TTL_DAYS`].
    Expired,
    /// The amount or currency asked differs from the invoice's.
    AmountChanged,
    /// The booking no longer takes payments (cancelled, not signed…): its status's title.
    NotPayable(&'static str),
    /// The invoice's amount is more than what is left to pay now.
    Overpayment { due: Money },
    /// Our own checks did not finish in time (the database is slow or away).
    Unavailable,
}

impl CheckoutRefusal {
    pub fn message_ru(&self) -> String {
        match self {
            CheckoutRefusal::UnknownInvoice => text::get("telegram_payments", "refused_unknown").to_owned(),
            CheckoutRefusal::AlreadyPaid => text::get("telegram_payments", "refused_paid").to_owned(),
            CheckoutRefusal::Expired => {
                text::fill("telegram_payments", "refused_expired", &[("days", &INVOICE_TTL_DAYS)])
            }
            CheckoutRefusal::AmountChanged => text::get("telegram_payments", "refused_amount").to_owned(),
            CheckoutRefusal::NotPayable(status) => {
                text::fill("telegram_payments", "refused_status", &[("status", status)])
            }
            CheckoutRefusal::Overpayment { due } => {
                text::fill("telegram_payments", "refused_overpayment", &[("due", due)])
            }
            CheckoutRefusal::Unavailable => text::get("telegram_payments", "refused_unavailable").to_owned(),
        }
    }
}

/// What Telegram says the payer is about to pay (or has paid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutQuery {
    pub payload: String,
    pub currency: String,
    /// In minor units (kopecks), as Telegram sends it.
    pub total_amount: u32,
    pub payer_telegram_id: i64,
}

/// The checks that need no database: the invoice is this payload's, open, fresh, and asks for
/// exactly its own amount and currency.
pub(crate) fn check_invoice(
    payload: &Payload,
    invoice: Option<&Invoice>,
    q: &CheckoutQuery,
    now: DateTime<Utc>,
) -> Result<(), CheckoutRefusal> {
    let invoice = invoice.filter(|i| payload.opens(i)).ok_or(CheckoutRefusal::UnknownInvoice)?;
    if invoice.status != "open" {
        return Err(CheckoutRefusal::AlreadyPaid);
    }
    if now - invoice.created_at > Duration::days(INVOICE_TTL_DAYS) {
        return Err(CheckoutRefusal::Expired);
    }
    if q.currency != invoice.amount.currency.code() || i64::from(q.total_amount) != invoice.amount.minor {
        return Err(CheckoutRefusal::AmountChanged);
    }
    Ok(())
}

/// The checks of the booking now: it still takes payments and the invoice still fits its balance.
pub(crate) fn check_booking(
    invoice: &Invoice,
    status: BookingStatus,
    total: Money,
    paid: i64,
) -> Result<(), CheckoutRefusal> {
    if !status.accepts_payments() {
        return Err(CheckoutRefusal::NotPayable(status.title_ru()));
    }
    let due = total.minor - paid;
    if invoice.amount.currency != total.currency {
        return Err(CheckoutRefusal::AmountChanged);
    }
    if invoice.amount.minor > due {
        return Err(CheckoutRefusal::Overpayment { due: Money::new(due.max(0), total.currency) });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BookingId, Currency};
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap()
    }

    fn invoice(token: &str) -> Invoice {
        Invoice {
            id: 41,
            booking_id: BookingId(7),
            amount: Money::new(1_500_000, Currency::RUB),
            token_hash: Payload::token_hash(token),
            status: "open".into(),
            created_at: t0(),
        }
    }

    fn query(payload: &str, amount: u32) -> CheckoutQuery {
        CheckoutQuery { payload: payload.into(), currency: "RUB".into(), total_amount: amount, payer_telegram_id: 5 }
    }

    #[test]
    fn a_payload_made_by_us_is_read_back_and_opens_its_invoice() {
        let token = Payload::new_token();
        let raw = Payload::encode(41, &token);
        assert!(raw.len() <= 128, "Telegram takes payloads of 1–128 bytes: {raw}");
        let p = Payload::parse(&raw).expect("our own payload parses");
        assert_eq!(p.invoice_id, 41);
        assert!(p.opens(&invoice(&token)));
        assert_eq!(check_invoice(&p, Some(&invoice(&token)), &query(&raw, 1_500_000), t0()), Ok(()));
    }

    #[test]
    fn forged_and_garbled_payloads_are_refused() {
        let token = Payload::new_token();
        let inv = invoice(&token);
        // Another token for the same id (a guess), the same token under another id, a token
        // one character off: each names no invoice.
        for forged in [
            Payload::encode(41, &Payload::new_token()),
            Payload::encode(42, &token),
            Payload::encode(41, &format!("{}{}", &token[..21], if token.ends_with('A') { 'Q' } else { 'A' })),
        ] {
            let p = Payload::parse(&forged).expect("well-formed");
            let looked_up = (p.invoice_id == inv.id).then_some(&inv);
            assert_eq!(
                check_invoice(&p, looked_up, &query(&forged, 1_500_000), t0()),
                Err(CheckoutRefusal::UnknownInvoice),
                "{forged}"
            );
        }
        for garbled in [
            "",
            "tp1",
            "tp1.41",
            "tp2.41.AAAAAAAAAAAAAAAAAAAAAA",
            "tp1.-41.AAAAAAAAAAAAAAAAAAAAAA",
            "tp1.0.AAAAAAAAAAAAAAAAAAAAAA",
            "tp1.4x1.AAAAAAAAAAAAAAAAAAAAAA",
            "tp1.41.AAAAAAAAAAAAAAAAAAAAA",
            "tp1.41.AAAAAAAAAAAAAAAAAAAAAAAA",
            "tp1.41.AAAAAAAAAAAAAAAAAAAA+/",
            "tp1.41.AAAAAAAAAAAAAAAAAAAAAA.x",
            "tp1.99999999999999999999.AAAAAAAAAAAAAAAAAAAAAA",
            "{\"booking\":7,\"amount\":1}",
        ] {
            assert_eq!(Payload::parse(garbled), None, "{garbled:?}");
        }
    }

    #[test]
    fn the_amount_and_currency_asked_must_be_the_invoices() {
        let token = Payload::new_token();
        let raw = Payload::encode(41, &token);
        let p = Payload::parse(&raw).unwrap();
        let inv = invoice(&token);
        assert_eq!(check_invoice(&p, Some(&inv), &query(&raw, 1_499_999), t0()), Err(CheckoutRefusal::AmountChanged));
        let mut usd = query(&raw, 1_500_000);
        usd.currency = "USD".into();
        assert_eq!(check_invoice(&p, Some(&inv), &usd, t0()), Err(CheckoutRefusal::AmountChanged));
        let late = t0() + Duration::days(INVOICE_TTL_DAYS) + Duration::seconds(1);
        assert_eq!(check_invoice(&p, Some(&inv), &query(&raw, 1_500_000), late), Err(CheckoutRefusal::Expired));
        let paid = Invoice { status: "paid".into(), ..inv };
        assert_eq!(check_invoice(&p, Some(&paid), &query(&raw, 1_500_000), t0()), Err(CheckoutRefusal::AlreadyPaid));
    }

    #[test]
    fn the_booking_must_still_take_the_whole_invoice() {
        let inv = invoice(&Payload::new_token());
        let total = Money::new(4_000_000, Currency::RUB);
        assert_eq!(check_booking(&inv, BookingStatus::ContractSigned, total, 0), Ok(()));
        assert_eq!(check_booking(&inv, BookingStatus::PartiallyPaid, total, 2_500_000), Ok(()));
        assert_eq!(
            check_booking(&inv, BookingStatus::PartiallyPaid, total, 2_500_001),
            Err(CheckoutRefusal::Overpayment { due: Money::new(1_499_999, Currency::RUB) })
        );
        for status in [
            BookingStatus::ContractPending,
            BookingStatus::Paid,
            BookingStatus::CancellationRequested,
            BookingStatus::Cancelled,
        ] {
            assert!(matches!(check_booking(&inv, status, total, 0), Err(CheckoutRefusal::NotPayable(_))), "{status:?}");
        }
        for r in [CheckoutRefusal::UnknownInvoice, CheckoutRefusal::Expired, CheckoutRefusal::Unavailable] {
            let m = r.message_ru();
            assert!(!m.is_empty() && m.chars().count() <= 200, "{m}");
        }
    }
}

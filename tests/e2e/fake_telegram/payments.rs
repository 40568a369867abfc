//! Telegram Payments in the fake: `sendInvoice`, `createInvoiceLink` and
//! `answerPreCheckoutQuery` answered and checked as the Bot API does, and the payer's side —
//! the `pre_checkout_query` Telegram sends before taking the money and the `successful_payment`
//! message after — pushed in the real JSON shapes.

use super::{FakeTelegram, FakeUser, SentMessage, State, json};
use serde_json::{Value, json as j};
use std::time::Duration;
use tokio::time::Instant;

type Answer = Result<Value, (u16, String)>;

/// An invoice the bot made: its parameters as sent (`sendInvoice` or `createInvoiceLink`).
#[derive(Clone, Debug)]
pub struct FakeInvoice {
    pub title: String,
    pub payload: String,
    pub currency: String,
    pub total_amount: i64,
    pub provider_token: String,
    /// For `createInvoiceLink`: the link handed back.
    pub link: Option<String>,
}

fn field<'a>(p: &'a Value, key: &str) -> Option<&'a str> {
    p[key].as_str()
}

/// `prices` arrives as JSON (teloxide sends JSON bodies) or as a JSON string (form bodies).
fn prices(p: &Value) -> Option<Vec<Value>> {
    match &p["prices"] {
        Value::Array(a) => Some(a.clone()),
        Value::String(s) => serde_json::from_str::<Vec<Value>>(s).ok(),
        _ => None,
    }
}

/// The checks Telegram makes of an invoice's parameters, with its error texts.
fn invoice(p: &Value) -> Result<FakeInvoice, (u16, String)> {
    let bad = |what: &str| Err((400, format!("Bad Request: {what}")));
    let title = field(p, "title").unwrap_or_default();
    let description = field(p, "description").unwrap_or_default();
    let payload = field(p, "payload").unwrap_or_default();
    let currency = field(p, "currency").unwrap_or_default();
    if !(1..=32).contains(&title.chars().count()) {
        return bad("INVOICE_TITLE_EMPTY");
    }
    if !(1..=255).contains(&description.chars().count()) {
        return bad("INVOICE_DESCRIPTION_EMPTY");
    }
    if payload.is_empty() || payload.len() > 128 {
        return bad("INVOICE_PAYLOAD_INVALID");
    }
    if currency.len() != 3 {
        return bad("CURRENCY_INVALID");
    }
    let Some(prices) = prices(p).filter(|l| !l.is_empty()) else { return bad("can't parse prices JSON object") };
    let mut total = 0i64;
    for price in &prices {
        let label_ok = price["label"].as_str().is_some_and(|l| !l.is_empty());
        match price["amount"].as_i64() {
            Some(a) if label_ok => total += a,
            _ => return bad("can't parse prices JSON object"),
        }
    }
    let provider_token = field(p, "provider_token").unwrap_or_default().to_owned();
    if currency != "XTR" && provider_token.is_empty() {
        return bad("PAYMENT_PROVIDER_INVALID");
    }
    if total <= 0 {
        return bad("CURRENCY_TOTAL_AMOUNT_INVALID");
    }
    Ok(FakeInvoice {
        title: title.to_owned(),
        payload: payload.to_owned(),
        currency: currency.to_owned(),
        total_amount: total,
        provider_token,
        link: None,
    })
}

/// The payment methods, or `None` for any other method.
pub(super) fn method_call(s: &mut State, m: &str, p: &Value) -> Option<Answer> {
    Some(match m {
        "sendinvoice" => send_invoice(s, p),
        "createinvoicelink" => invoice(p).map(|mut inv| {
            let link = format!("https://t.me/$fakeinvoice{}", s.next());
            inv.link = Some(link.clone());
            s.invoices.push(inv);
            j!(link)
        }),
        "answerprecheckoutquery" => {
            let Some(id) = field(p, "pre_checkout_query_id").map(str::to_owned) else {
                return Some(Err((400, "Bad Request: QUERY_ID_INVALID".into())));
            };
            let ok = p["ok"] == j!(true) || p["ok"] == j!("true");
            let error = field(p, "error_message").map(str::to_owned);
            if !ok && error.as_deref().is_none_or(str::is_empty) {
                return Some(Err((400, "Bad Request: ERROR_MESSAGE_EMPTY".into())));
            }
            if !s.checkouts.contains_key(&id) {
                return Some(Err((
                    400,
                    "Bad Request: query is too old and response timeout expired or query ID is invalid".into(),
                )));
            }
            s.checkouts.insert(id, Some((ok, error)));
            Ok(j!(true))
        }
        _ => return None,
    })
}

fn send_invoice(s: &mut State, p: &Value) -> Answer {
    let chat_id = match &p["chat_id"] {
        Value::Number(n) => n.as_i64(),
        Value::String(v) => v.parse().ok(),
        _ => None,
    }
    .ok_or((400, "Bad Request: chat not found".to_owned()))?;
    let inv = invoice(p)?;
    let message_id = s.next_message_id(chat_id);
    let mut msg = json::message(message_id, json::bot_user(s.bot_id), json::chat(chat_id, s.users.get(&chat_id)));
    msg["invoice"] = j!({
        "title": inv.title, "description": p["description"], "start_parameter": p["start_parameter"].as_str().unwrap_or(""),
        "currency": inv.currency, "total_amount": inv.total_amount,
    });
    s.messages.insert((chat_id, message_id), msg.clone());
    s.sent.push(SentMessage {
        method: "sendInvoice".into(),
        chat_id,
        message_id,
        text: Some(inv.title.clone()),
        reply_markup: p.get("reply_markup").cloned(),
        body: p.clone(),
        at: std::time::Instant::now(),
    });
    s.invoices.push(inv);
    Ok(msg)
}

impl FakeTelegram {
    /// Every invoice the bot made, oldest first.
    pub fn invoices(&self) -> Vec<FakeInvoice> {
        self.state().invoices.clone()
    }

    /// The payer presses «Оплатить» and confirms: Telegram asks the bot with a
    /// `pre_checkout_query` of the invoice (`total_amount` as given, to play a changed amount).
    /// Returns the query's id.
    pub fn push_pre_checkout(&self, payer: &FakeUser, inv: &FakeInvoice, total_amount: i64) -> String {
        let id = {
            let mut s = self.state();
            let id = format!("{}{:08}", payer.id, s.next());
            s.checkouts.insert(id.clone(), None);
            id
        };
        self.push_update(
            "pre_checkout_query",
            j!({
                "id": id, "from": json::user(payer), "currency": inv.currency,
                "total_amount": total_amount, "invoice_payload": inv.payload,
            }),
        );
        id
    }

    /// The bot's answer to a pre-checkout query (`ok`, `error_message`), waited for up to
    /// `timeout` (Telegram gives the bot 10 s).
    pub async fn pre_checkout_answer(&self, id: &str, timeout: Duration) -> (bool, Option<String>) {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(Some(answer)) = self.state().checkouts.get(id).cloned() {
                return answer;
            }
            assert!(Instant::now() < deadline, "pre-checkout query {id} not answered within {timeout:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Telegram took the money: the `successful_payment` service message in the payer's chat.
    pub fn push_successful_payment(&self, payer: &FakeUser, inv: &FakeInvoice, charge_id: &str) -> i64 {
        let paid = j!({
            "currency": inv.currency, "total_amount": inv.total_amount, "invoice_payload": inv.payload,
            "telegram_payment_charge_id": charge_id,
            "provider_payment_charge_id": format!("2f1e-{charge_id}"),
        });
        self.push_message(payer.id, payer, |m| m["successful_payment"] = paid)
    }
}

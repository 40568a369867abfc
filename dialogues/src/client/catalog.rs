//! The catalog: browsing published tours with filters and pages, a tour card, and the booking
//! request (how many travellers) that becomes a booking in `contract_pending`.
//!
//! ```text
//! client: 🌍 Туры
//! bot:    Туры (стр. 1): [Алтай — 50 000 ₽] [Домбай 🔥 — 30 000 ₽] [📍 Направление] [📅 Месяц] …
//! client: [Алтай — 50 000 ₽]
//! bot:    <tour card> [📅 12.01–18.01 · мест: 8]
//! client: [📅 12.01–18.01 · мест: 8]
//! bot:    Сколько человек поедет? [1] [2] [3] [4] [5] [6]
//! client: [2]
//! bot:    Заявка на бронирование №17 принята! Агент свяжется с вами …
//! ```

use crate::State;
use crate::callback::Callback;
use crate::effect::{Button, Effect, Keyboard, Reply};
use crate::event::{Event, Outcome};
use crate::views::{TourPage, TourView};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// What the client narrowed the catalog to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TourFilter {
    pub destination: Option<String>,
    /// `yyyymm`.
    pub month: Option<u32>,
    /// Upper bound per person, thousands of roubles.
    pub budget_k: Option<u32>,
    pub hot: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Browse {
    pub filter: TourFilter,
    pub page: u32,
    /// Waiting for the destination to be typed.
    pub awaiting_destination: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingDraft {
    pub departure_id: i64,
    pub browse: Option<Browse>,
}

pub const PAGE_SIZE: u32 = 5;
const BUDGETS_K: [u32; 4] = [50, 100, 200, 400];

pub fn open(filter: TourFilter, page: u32) -> (State, Vec<Effect>) {
    let b = Browse { filter: filter.clone(), page, awaiting_destination: false };
    (State::Browse(b), vec![Effect::FindTours { filter, page }])
}

fn month_name(m: u32) -> String {
    const NAMES: [&str; 12] = [
        "январь",
        "февраль",
        "март",
        "апрель",
        "май",
        "июнь",
        "июль",
        "август",
        "сентябрь",
        "октябрь",
        "ноябрь",
        "декабрь",
    ];
    let idx = usize::try_from(m % 100).unwrap_or(1).clamp(1, 12) - 1;
    format!("{} {}", NAMES[idx], m / 100)
}

/// The filter in words, for the list's header.
fn describe(f: &TourFilter) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = &f.destination {
        out.push(format!("направление: {d}"));
    }
    if let Some(m) = f.month {
        out.push(format!("месяц: {}", month_name(m)));
    }
    if let Some(b) = f.budget_k {
        out.push(format!("до {b} 000 ₽ на человека"));
    }
    if f.hot {
        out.push("только горящие".into());
    }
    out
}

fn b(label: impl Into<String>, callback: Callback) -> Button {
    Button { label: label.into(), callback }
}

fn list_reply(browse: &Browse, page: &TourPage) -> Reply {
    let mut rows: Vec<Vec<Button>> = page
        .items
        .iter()
        .map(|t| vec![b(format!("{}{} — {}", if t.hot { "🔥 " } else { "" }, t.title, t.price), Callback::Tour(t.id))])
        .collect();
    let mut paging = Vec::new();
    if page.page > 0 {
        paging.push(b("◀ Назад", Callback::Page(page.page - 1)));
    }
    if page.has_more {
        paging.push(b("Дальше ▶", Callback::Page(page.page + 1)));
    }
    if !paging.is_empty() {
        rows.push(paging);
    }
    let hot = if browse.filter.hot { "🔥 Горящие ✓" } else { "🔥 Горящие" };
    rows.push(vec![b("📍 Направление", Callback::AskDestination), b("📅 Месяц", Callback::AskMonth)]);
    rows.push(vec![b("💰 Бюджет", Callback::AskBudget), b(hot, Callback::Hot)]);
    if browse.filter != TourFilter::default() {
        rows.push(vec![b("✖ Сбросить фильтры", Callback::ClearFilters)]);
    }
    Reply::text("tours_list")
        .var("items", serde_json::to_value(&page.items).unwrap_or_default())
        .var("page", page.page + 1)
        .var("filters", describe(&browse.filter))
        .keyboard(Keyboard::Inline(rows))
}

fn card_reply(t: &TourView) -> Reply {
    let mut rows: Vec<Vec<Button>> = t
        .departures
        .iter()
        .filter(|d| d.seats_left > 0)
        .map(|d| vec![b(format!("📅 {} · мест: {}", d.dates, d.seats_left), Callback::Depart(d.id))])
        .collect();
    rows.push(vec![b("◀ К списку туров", Callback::Page(0))]);
    Reply::text("tour_card").var("tour", serde_json::to_value(t).unwrap_or_default()).keyboard(Keyboard::Inline(rows))
}

fn month_buttons(today: NaiveDate) -> Keyboard {
    let mut months = Vec::new();
    let (mut y, mut m) = (today.year(), today.month());
    for _ in 0..6 {
        let code = u32::try_from(y).unwrap_or(0) * 100 + m;
        months.push(b(month_name(code), Callback::Month(code)));
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    let mut rows: Vec<Vec<Button>> = months.chunks(2).map(<[Button]>::to_vec).collect();
    rows.push(vec![b("Любой месяц", Callback::Month(0))]);
    Keyboard::Inline(rows)
}

fn budget_buttons() -> Keyboard {
    let mut rows: Vec<Vec<Button>> = BUDGETS_K
        .chunks(2)
        .map(|c| c.iter().map(|k| b(format!("до {k} 000 ₽"), Callback::Budget(*k))).collect())
        .collect();
    rows.push(vec![b("Любой бюджет", Callback::Budget(0))]);
    Keyboard::Inline(rows)
}

pub fn count_buttons() -> Keyboard {
    let row = |r: std::ops::RangeInclusive<u8>| r.map(|n| b(n.to_string(), Callback::Count(n))).collect::<Vec<_>>();
    Keyboard::Inline(vec![row(1..=3), row(4..=6)])
}

/// Steps of the catalog state. `None` means "not mine": the caller handles the event.
pub fn step(mut br: Browse, event: Event, today: NaiveDate) -> Option<(State, Vec<Effect>)> {
    let stay = |br: Browse, r: Reply| (State::Browse(br), vec![Effect::Reply(r)]);
    Some(match event {
        Event::Outcome(Outcome::Tours(page)) => {
            let reply = if page.items.is_empty() {
                Reply::text("tours_none").keyboard(list_reply(&br, &page).keyboard)
            } else {
                list_reply(&br, &page)
            };
            stay(br, reply)
        }
        Event::Outcome(Outcome::Tour(t)) => stay(br, card_reply(&t)),
        Event::Outcome(Outcome::NotFound) => stay(br, Reply::text("tour_not_found")),
        Event::Callback(Callback::Page(p)) => open(br.filter, p),
        Event::Callback(Callback::Tour(id)) => (State::Browse(br), vec![Effect::ShowTour(id)]),
        Event::Callback(Callback::Depart(id)) => (
            State::Booking(BookingDraft { departure_id: id, browse: Some(br) }),
            vec![Effect::Reply(Reply::text("book_ask_count").keyboard(count_buttons()))],
        ),
        Event::Callback(Callback::AskDestination) => {
            br.awaiting_destination = true;
            stay(br, Reply::text("tours_ask_destination"))
        }
        Event::Text(t) if br.awaiting_destination => {
            let d = t.split_whitespace().collect::<Vec<_>>().join(" ");
            if d.is_empty() || d.chars().count() > 60 {
                return Some(stay(br, Reply::text("tours_ask_destination")));
            }
            br.filter.destination = Some(d);
            open(br.filter, 0)
        }
        Event::Callback(Callback::AskMonth) => stay(br, Reply::text("tours_ask_month").keyboard(month_buttons(today))),
        Event::Callback(Callback::Month(m)) => {
            br.filter.month = (m != 0 && (1..=12).contains(&(m % 100))).then_some(m);
            open(br.filter, 0)
        }
        Event::Callback(Callback::AskBudget) => stay(br, Reply::text("tours_ask_budget").keyboard(budget_buttons())),
        Event::Callback(Callback::Budget(k)) => {
            br.filter.budget_k = (k != 0).then_some(k);
            open(br.filter, 0)
        }
        Event::Callback(Callback::Hot) => {
            br.filter.hot = !br.filter.hot;
            open(br.filter, 0)
        }
        Event::Callback(Callback::ClearFilters) => open(TourFilter::default(), 0),
        _ => return None,
    })
}

/// Steps of a booking request (how many travellers).
pub fn book(draft: BookingDraft, event: Event) -> Option<(State, Vec<Effect>)> {
    let ask =
        |d: BookingDraft, t: &str| (State::Booking(d), vec![Effect::Reply(Reply::text(t).keyboard(count_buttons()))]);
    Some(match event {
        Event::Callback(Callback::Count(n)) => {
            let id = draft.departure_id;
            (State::Booking(draft), vec![Effect::Book { departure_id: id, travellers: n }])
        }
        Event::Text(t) => match t.trim().parse::<u8>() {
            Ok(n) if (1..=30).contains(&n) => {
                let id = draft.departure_id;
                (State::Booking(draft), vec![Effect::Book { departure_id: id, travellers: n }])
            }
            _ => ask(draft, "book_count_invalid"),
        },
        Event::Outcome(Outcome::Booked(item)) => (
            State::Idle,
            vec![Effect::Reply(
                Reply::text("book_done")
                    .var("booking", serde_json::to_value(&item).unwrap_or_default())
                    .keyboard(super::client_menu()),
            )],
        ),
        Event::Outcome(Outcome::BookingRefused { reason }) => (
            State::Idle,
            vec![Effect::Reply(Reply::text("book_refused").var("reason", reason).keyboard(super::client_menu()))],
        ),
        Event::Callback(Callback::Tour(id)) => (
            State::Browse(draft.browse.unwrap_or(Browse {
                filter: TourFilter::default(),
                page: 0,
                awaiting_destination: false,
            })),
            vec![Effect::ShowTour(id)],
        ),
        Event::Callback(Callback::Page(p)) => open(draft.browse.map(|b| b.filter).unwrap_or_default(), p),
        Event::Unsupported | Event::Callback(_) | Event::Contact { .. } => ask(draft, "book_ask_count"),
        _ => return None,
    })
}

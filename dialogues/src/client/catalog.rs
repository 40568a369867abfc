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
//! bot:    Тур 2 × 50 000 ₽ … Итого 100 000 ₽; график оплаты … [✅ Забронировать] [✖️ Не сейчас]
//! client: [✅ Забронировать]
//! bot:    Заявка на бронирование №17 принята! Агент свяжется с вами …
//! ```

use crate::State;
use crate::callback::Callback;
use crate::effect::{Button, Effect, Keyboard, Reply};
use crate::event::{Event, MAX_TEXT, Outcome};
use crate::label::Label;
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
    /// A question typed at the count, kept until the client passes it to the agent
    /// ([`Confirm::question`] at the price).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub question: Vec<String>,
}

/// A priced booking request waiting for the client's «да».
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirm {
    pub departure_id: i64,
    pub travellers: u8,
    pub browse: Option<Browse>,
    /// Saved with the state before «да» books, so the same «да» replayed after a crash (or
    /// pressed again) asks with the same key and gets the booking already made. None in
    /// states saved before keys existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_key: Option<String>,
    /// What the client typed at the price that is not an answer to it («а трансфер включен?»),
    /// kept until they choose to pass it to the agent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub question: Vec<String>,
    /// A question was typed at this price: the last message may not be the price's, so a bare
    /// «да» no longer books (the button does).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub talked: bool,
}

pub const PAGE_SIZE: u32 = 5;
const BUDGETS_K: [u32; 4] = [50, 100, 200, 400];

pub fn open(filter: TourFilter, page: u32) -> (State, Vec<Effect>) {
    let b = Browse { filter: filter.clone(), page, awaiting_destination: false };
    (State::Browse(b), vec![Effect::FindTours { filter, page }])
}

/// A month (`yyyymm`) as the texts take it: `{year, month}`, the month 1–12.
fn month_vars(m: u32) -> serde_json::Value {
    serde_json::json!({ "year": m / 100, "month": (m % 100).clamp(1, 12) })
}

/// The filter as the list's header words it (`tours_list.tera`).
fn filter_vars(f: &TourFilter) -> serde_json::Value {
    serde_json::json!({
        "destination": f.destination,
        "month": f.month.map(month_vars),
        "budget_k": f.budget_k,
        "hot": f.hot,
    })
}

fn list_reply(browse: &Browse, page: &TourPage) -> Reply {
    let mut rows: Vec<Vec<Button>> = page
        .items
        .iter()
        .map(|t| {
            let label =
                Label::new("tour").var("title", t.title.as_str()).var("price", t.price.as_str()).var("hot", t.hot);
            vec![Button::new(label, Callback::Tour(t.id))]
        })
        .collect();
    let mut paging = Vec::new();
    if page.page > 0 {
        paging.push(Button::new(Label::new("page_back"), Callback::Page(page.page - 1)));
    }
    if page.has_more {
        paging.push(Button::new(Label::new("page_next"), Callback::Page(page.page + 1)));
    }
    if !paging.is_empty() {
        rows.push(paging);
    }
    rows.push(vec![
        Button::new(Label::new("filter_destination"), Callback::AskDestination),
        Button::new(Label::new("filter_month"), Callback::AskMonth),
    ]);
    rows.push(vec![
        Button::new(Label::new("filter_budget"), Callback::AskBudget),
        Button::new(Label::new("filter_hot").var("on", browse.filter.hot), Callback::Hot),
    ]);
    if browse.filter != TourFilter::default() {
        rows.push(vec![Button::new(Label::new("filter_clear"), Callback::ClearFilters)]);
    }
    Reply::text("tours_list")
        .var("items", serde_json::to_value(&page.items).unwrap_or_default())
        .var("page", page.page + 1)
        .var("filter", filter_vars(&browse.filter))
        .keyboard(Keyboard::Inline(rows))
}

fn card_reply(t: &TourView) -> Reply {
    let mut rows: Vec<Vec<Button>> = t
        .departures
        .iter()
        // A departure without a price (a night of its stay has no room price yet) cannot be
        // booked: it is not offered.
        .filter(|d| d.seats_left > 0 && d.price.is_some())
        .map(|d| {
            let label = Label::new("departure")
                .var("dates", d.dates.as_str())
                .var("seats_left", d.seats_left)
                .var("price", d.price.clone())
                .var("price_from", d.price_from);
            vec![Button::new(label, Callback::Depart(d.id))]
        })
        .collect();
    rows.push(vec![Button::new(Label::new("back_to_tours"), Callback::Page(0))]);
    Reply::text("tour_card").var("tour", serde_json::to_value(t).unwrap_or_default()).keyboard(Keyboard::Inline(rows))
}

fn month_buttons(today: NaiveDate) -> Keyboard {
    let mut months = Vec::new();
    let (mut y, mut m) = (today.year(), today.month());
    for _ in 0..6 {
        let code = u32::try_from(y).unwrap_or(0) * 100 + m;
        months.push(Button::new(Label::new("month").var("year", y).var("month", m), Callback::Month(code)));
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    let mut rows: Vec<Vec<Button>> = months.chunks(2).map(<[Button]>::to_vec).collect();
    rows.push(vec![Button::new(Label::new("month_any"), Callback::Month(0))]);
    Keyboard::Inline(rows)
}

fn budget_buttons() -> Keyboard {
    let mut rows: Vec<Vec<Button>> = BUDGETS_K
        .chunks(2)
        .map(|c| {
            c.iter().map(|k| Button::new(Label::new("budget").var("budget_k", *k), Callback::Budget(*k))).collect()
        })
        .collect();
    rows.push(vec![Button::new(Label::new("budget_any"), Callback::Budget(0))]);
    Keyboard::Inline(rows)
}

pub fn count_buttons() -> Keyboard {
    Keyboard::Inline(count_rows())
}

fn count_rows() -> Vec<Vec<Button>> {
    let row = |r: std::ops::RangeInclusive<u8>| {
        r.map(|n| Button::new(Label::new("count").var("count", n), Callback::Count(n))).collect::<Vec<_>>()
    };
    vec![row(1..=3), row(4..=6)]
}

/// Steps of the catalog state. `None` means "not mine": the caller handles the event.
pub fn step(mut br: Browse, event: Event, today: NaiveDate) -> Option<(State, Vec<Effect>)> {
    let stay = |br: Browse, r: Reply| (State::Browse(br), vec![Effect::Reply(r)]);
    Some(match event {
        Event::Outcome(Outcome::Tours(page)) => {
            let reply = if page.items.is_empty() {
                Reply::text("tours_none")
                    .var("filter", filter_vars(&br.filter))
                    .keyboard(list_reply(&br, &page).keyboard)
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
            State::Booking(BookingDraft { departure_id: id, browse: Some(br), question: Vec::new() }),
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
        // A budget or a month typed rather than pressed («до 110 тысяч», «в январе»), alone or
        // after a place («Турция до 120 тысяч», «Сочи в мае»).
        Event::Text(t) if typed_filter(&t, today).is_some() => {
            let typed = typed_filter(&t, today)?;
            br.filter.budget_k = typed.budget_k.or(br.filter.budget_k);
            br.filter.month = typed.month.or(br.filter.month);
            br.filter.destination = typed.place.or(br.filter.destination);
            open(br.filter, 0)
        }
        // A short text with the list on screen names where to go («Турция», «в Грецию»); a
        // question, a number or a longer text is for a person (the caller offers to pass it on).
        Event::Text(t)
            if !t.contains(|c: char| c == '?' || c.is_ascii_digit())
                && (1..=3).contains(&t.split_whitespace().count()) =>
        {
            br.filter.destination = Some(t.split_whitespace().collect::<Vec<_>>().join(" "));
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

/// How many travellers a client's answer names, the way people write it: «2», «нас 3», «двое»,
/// «вдвоём», «я одна» — or as a party, added up: «2 взрослых и 1 ребёнок», «двое взрослых и
/// ребёнок 5 лет» (an age is no count), «2 взр + 1 реб», «2+1». `None` when it names none, or
/// counts that are not one party («двое или трое», «2 взрослых и 1»): asked again.
pub fn travellers_count(text: &str) -> Option<u8> {
    let lower = domain::search_key(text);
    // «-2» is no count, and «2-3» or «2–3» is a range: asked again.
    let chars: Vec<char> = lower.chars().collect();
    if chars.windows(2).any(|w| matches!(w[0], '-' | '–' | '—' | '−') && w[1].is_ascii_digit()) {
        return None;
    }
    let words = Word::all(&lower);
    if words.contains(&Word::Unreadable) {
        return None;
    }
    party_size(&words)
}

/// A word of a traveller count, as [`travellers_count`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    Count(u8),
    /// A number that is no count: too long («100500»), letters glued on («2х»).
    Unreadable,
    /// «+» between two counts: «2+1».
    Plus,
    /// «лет», «года», «мес.»: the count before it is an age.
    Age,
    /// Who travels: «взрослых», «детей», «человек»; `alone` when the word is one person without a
    /// count («ребёнок», «малыш»).
    People {
        alone: bool,
    },
    /// Someone named, not counted: «я», «муж», «с дочкой». In a party («мы с мужем и двое
    /// детей») the total is not in the words: asked again.
    Kin,
    Other,
}

impl Word {
    const NUMBERS: &[(&str, u8)] = &[
        ("один", 1),
        ("одна", 1),
        ("одного", 1),
        ("два", 2),
        ("две", 2),
        ("двое", 2),
        ("вдвоем", 2),
        ("три", 3),
        ("трое", 3),
        ("втроем", 3),
        ("четыре", 4),
        ("четверо", 4),
        ("вчетвером", 4),
        ("пять", 5),
        ("пятеро", 5),
        ("впятером", 5),
        ("шесть", 6),
        ("шестеро", 6),
        ("вшестером", 6),
        ("семь", 7),
        ("семеро", 7),
        ("всемером", 7),
        ("восемь", 8),
        ("восьмером", 8),
        ("девять", 9),
        ("десять", 10),
    ];
    const AGES: &[&str] = &["лет", "год", "года", "годика", "годиков", "мес", "месяц", "месяца", "месяцев"];
    /// One traveller each, counted without a number before them.
    const ONE_PERSON: &[&str] =
        &["ребенок", "ребенка", "реб", "малыш", "малыша", "младенец", "младенца", "подросток", "подростка"];
    /// Stems of the words a party is counted in.
    const PEOPLE: &[&str] = &[
        "взр",
        "реб",
        "дет",
        "малыш",
        "младен",
        "человек",
        "чел",
        "турист",
        "пассажир",
        "пенсионер",
        "подрост",
        "школьник",
    ];

    /// Stems of the words that name someone of the party without a number.
    const KIN: &[&str] = &[
        "муж",
        "жен",
        "мам",
        "пап",
        "сын",
        "доч",
        "бабушк",
        "дедушк",
        "друг",
        "подруг",
        "внук",
        "внучк",
        "сестр",
        "брат",
    ];

    /// The words of a text folded by `domain::search_key`.
    fn all(folded: &str) -> Vec<Word> {
        folded.split(|c: char| !c.is_alphanumeric() && c != '+').flat_map(Word::read).collect()
    }

    /// One piece of the text split at whatever is not a letter, a digit or «+» («2+1» is three).
    fn read(piece: &str) -> Vec<Word> {
        let mut words = Vec::new();
        for (i, part) in piece.split('+').enumerate() {
            if i > 0 {
                words.push(Word::Plus);
            }
            if !part.is_empty() {
                words.push(Word::of(part));
            }
        }
        words
    }

    fn of(w: &str) -> Word {
        if let Ok(n) = w.parse::<u8>() {
            return Word::Count(n);
        }
        if w.chars().any(|c| c.is_ascii_digit()) {
            return Word::Unreadable;
        }
        if let Some((_, n)) = Word::NUMBERS.iter().find(|(word, _)| *word == w) {
            return Word::Count(*n);
        }
        if Word::AGES.contains(&w) {
            return Word::Age;
        }
        if Word::PEOPLE.iter().any(|stem| w.starts_with(stem)) {
            return Word::People { alone: Word::ONE_PERSON.contains(&w) };
        }
        if matches!(w, "я" | "мы") || Word::KIN.iter().any(|stem| w.starts_with(stem)) {
            return Word::Kin;
        }
        Word::Other
    }
}

/// The travellers the words count: one count alone («нас 3»), or every count of people added
/// up («2 взрослых и ребёнок 5 лет», «2+1»), ages left out. `None` when a count belongs to no
/// one («2 взрослых и 1») or there are several without people («двое или трое»).
fn party_size(words: &[Word]) -> Option<u8> {
    // Which counts are ages: a count followed by «лет», or by another age («3 и 7 лет»).
    let mut age = vec![false; words.len()];
    let mut next_is_age = false;
    for (i, w) in words.iter().enumerate().rev() {
        match w {
            Word::Age => next_is_age = true,
            Word::Count(_) => age[i] = next_is_age,
            Word::Other | Word::Kin => {}
            Word::People { .. } | Word::Plus | Word::Unreadable => next_is_age = false,
        }
    }
    let counts: Vec<usize> = (0..words.len()).filter(|&i| matches!(words[i], Word::Count(_)) && !age[i]).collect();
    let count_at = |i: usize| match words[i] {
        Word::Count(n) => n,
        _ => 0,
    };
    let has_people = words.iter().any(|w| matches!(w, Word::People { .. }));
    let has_plus = words.contains(&Word::Plus);
    if !has_people && !has_plus {
        return match counts.as_slice() {
            [i] => Some(count_at(*i)),
            _ => None,
        };
    }
    if words.contains(&Word::Kin) {
        return None;
    }
    // A party: each count goes with the people word next to it (before it: «взрослых 2»; after
    // it: «2 взрослых»), or with «+»; a people word without a count is one person («ребёнок»),
    // or unclear («дети»).
    let mut used = vec![false; words.len()];
    let mut total: u32 = 0;
    for (i, w) in words.iter().enumerate() {
        let Word::People { alone } = *w else { continue };
        let before = i.checked_sub(1).filter(|&j| counts.contains(&j) && !used[j]);
        let after = Some(i + 1).filter(|&j| counts.contains(&j) && !used[j]);
        match before.or(after) {
            Some(j) => {
                used[j] = true;
                total += u32::from(count_at(j));
            }
            None if alone => total += 1,
            None if counts.len() == 1 && !has_plus => {}
            None => return None,
        }
    }
    // «2+1»: counts joined by «+» add up, whatever the words after them.
    for &i in &counts {
        let joined = words.get(i + 1) == Some(&Word::Plus) || (i > 0 && words[i - 1] == Word::Plus);
        if !used[i] && joined {
            used[i] = true;
            total += u32::from(count_at(i));
        }
    }
    if counts.iter().any(|&i| !used[i]) {
        // «нас 3 человека» is one count with its word; a count left over is unclear.
        return None;
    }
    if total == 0 {
        return None;
    }
    u8::try_from(total).ok()
}

/// A budget per person typed with the tours on screen, in thousands of roubles: «до 110 тысяч»,
/// «110 000 ₽», «150к», «бюджет 90 т.р.». An amount in roubles is rounded up to the thousand
/// (the list shows tours up to it); a bare number under a thousand counts as thousands only
/// with a word that makes it a budget («до 110»), and a bare four-digit one («2027») is none.
/// `None` for anything else (a destination).
pub fn typed_budget_k(text: &str) -> Option<u32> {
    const BUDGET_WORDS: &[&str] = &[
        "до",
        "бюджет",
        "максимум",
        "макс",
        "не",
        "больше",
        "дороже",
        "дешевле",
        "меньше",
        "пределах",
        "около",
        "примерно",
    ];
    const FILLER: &[&str] = &["на", "человека", "чел", "человек", "за", "одного", "с"];
    const THOUSANDS: &[&str] = &["тысяч", "тысячи", "тысяча", "тыс", "т", "тр", "к", "k"];
    const ROUBLES: &[&str] = &["рублей", "рубля", "рубль", "руб", "р", "₽", "rub"];
    let lower = text.to_lowercase().replace(['.', ','], " ").replace('₽', " ₽ ");
    let (mut digits, mut thousands, mut budget_word, mut currency) = (String::new(), false, false, false);
    for word in lower.split_whitespace() {
        // «150к», «110000р»: the number and its unit written together.
        let split = word.find(|c: char| !c.is_ascii_digit()).unwrap_or(word.len());
        let (number, unit) = word.split_at(split);
        if !number.is_empty() {
            // One number, in groups of three after the first («110 000»), not two numbers.
            if !digits.is_empty() && (thousands || currency || number.len() != 3) {
                return None;
            }
            digits.push_str(number);
        }
        match unit {
            "" => {}
            u if THOUSANDS.contains(&u) => thousands = true,
            u if ROUBLES.contains(&u) => currency = true,
            u if BUDGET_WORDS.contains(&u) && number.is_empty() => budget_word = true,
            u if FILLER.contains(&u) && number.is_empty() => {}
            _ => return None,
        }
    }
    let n: u64 = digits.parse().ok()?;
    // A bare four-digit number is more likely a year («2027») than roubles.
    let k = if thousands {
        n
    } else if n >= 10_000 || (n >= 1000 && (budget_word || currency)) {
        n.div_ceil(1000)
    } else if n < 1000 && budget_word && !currency {
        n
    } else {
        return None;
    };
    u32::try_from(k).ok().filter(|k| (1..=100_000).contains(k))
}

/// What a client typed with the tours on screen to narrow them: a place (one to three words
/// without digits) first, then a month and a budget in either order, each optional but one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TypedFilter {
    pub place: Option<String>,
    pub month: Option<u32>,
    pub budget_k: Option<u32>,
}

/// «Турция до 120 тысяч», «Сочи в мае», «в январе 2027 до 100 тысяч», «до 110 тысяч»; `None`
/// when the text is not such a filter (a destination alone, a question).
pub fn typed_filter(text: &str, today: NaiveDate) -> Option<TypedFilter> {
    if text.contains('?') {
        return None;
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    (0..words.len().min(4)).find_map(|split| {
        let (place, rest) = words.split_at(split);
        if rest.is_empty() || place.iter().any(|w| w.chars().any(|c| c.is_ascii_digit())) {
            return None;
        }
        let place = (!place.is_empty()).then(|| place.join(" "));
        // A month first, then perhaps a budget; or a budget, then perhaps a month.
        if let Some((month, used)) = typed_month(rest, today) {
            let budget_k = match &rest[used..] {
                [] => None,
                more => Some(typed_budget_k(&more.join(" "))?),
            };
            return Some(TypedFilter { place, month: Some(month), budget_k });
        }
        (1..=rest.len()).rev().find_map(|end| {
            let budget_k = typed_budget_k(&rest[..end].join(" "))?;
            let month = match &rest[end..] {
                [] => None,
                more => match typed_month(more, today) {
                    Some((m, used)) if used == more.len() => Some(m),
                    _ => return None,
                },
            };
            Some(TypedFilter { place: place.clone(), month, budget_k: Some(budget_k) })
        })
    })
}

/// A month at the start of `words` («в январе», «январь 2027», «на майские»): `yyyymm` (the
/// next such month from `today` when no year is given) and how many words it took.
fn typed_month(words: &[&str], today: NaiveDate) -> Option<(u32, usize)> {
    const MONTHS: [(&str, u32); 12] = [
        ("янв", 1),
        ("фев", 2),
        ("март", 3),
        ("апр", 4),
        ("ма", 5),
        ("июн", 6),
        ("июл", 7),
        ("авг", 8),
        ("сен", 9),
        ("окт", 10),
        ("ноя", 11),
        ("дек", 12),
    ];
    let lower: Vec<String> =
        words.iter().map(|w| domain::search_key(w).trim_matches(|c: char| !c.is_alphanumeric()).to_owned()).collect();
    let mut i = usize::from(matches!(lower.first().map(String::as_str), Some("в" | "во" | "на" | "с")));
    let word = lower.get(i)?;
    // «май», «мая», «мае», «майские»: «ма» alone would take «март» and «магадан».
    let is_may = |w: &str| matches!(w, "май" | "мая" | "мае") || w.starts_with("майск");
    let month = MONTHS.iter().find(|(stem, m)| if *m == 5 { is_may(word) } else { word.starts_with(stem) })?.1;
    i += 1;
    let year = match lower.get(i).and_then(|w| w.parse::<i32>().ok()).filter(|y| (2000..=2100).contains(y)) {
        Some(y) => {
            i += 1;
            if matches!(lower.get(i).map(String::as_str), Some("года" | "год" | "г")) {
                i += 1;
            }
            y
        }
        None if month >= today.month() => today.year(),
        None => today.year() + 1,
    };
    Some((u32::try_from(year).ok()? * 100 + month, i))
}

/// A text in the middle of a booking that asks rather than answers («а дети до двух лет
/// считаются?», «а трансфер включён?»): a question mark, or more words than an answer has, no
/// number and no party (a count the step cannot read, «двое или трое», is asked again instead).
pub(crate) fn is_question(text: &str) -> bool {
    text.contains('?')
        || (text.split_whitespace().count() > 4 && !text.chars().any(|c| c.is_ascii_digit()) && !describes_party(text))
}

/// Who travels, in words the count cannot add up («мы с мужем и двое детей»): an answer to the
/// count, asked again as one, not a question for the agent.
fn describes_party(text: &str) -> bool {
    let words = Word::all(&domain::search_key(text));
    words.iter().any(|w| matches!(w, Word::Count(_)))
        && words.iter().any(|w| matches!(w, Word::People { .. } | Word::Kin))
}

/// The step a question was typed at, which its offer names to say what goes on meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asking {
    Count,
    Price,
    Pay,
}

/// A question typed in the middle of a booking is for a person, as at the menu: offered to the
/// agent, kept in `question` meanwhile, with the step's own buttons below, so the booking goes
/// on from where it was. The agent gets it as one message, which Telegram caps.
pub(crate) fn offer_question(question: &mut Vec<String>, text: String, at: Asking, step: Vec<Vec<Button>>) -> Reply {
    let kept: usize = question.iter().map(|q| q.chars().count() + 1).sum();
    let full = kept + text.chars().count() > MAX_TEXT;
    if !full {
        question.push(text);
    }
    let mut rows = vec![vec![Button::new(Label::new("relay_send"), Callback::RelayQuestion)]];
    rows.extend(step);
    Reply::text("book_question_offer")
        .var("parts", question.len())
        .var("full", full)
        .var("at_price", at == Asking::Price)
        .var("at_pay", at == Asking::Pay)
        .keyboard(Keyboard::Inline(rows))
}

/// The client's answer to [`offer_question`] in a step that keeps the question: the button, or a
/// typed «да»/«передайте», passes it on; «нет» keeps it back. With a question waiting, a typed
/// «да» or «нет» answers «Передать?», not the step. `None` for any other event.
pub(crate) enum OfferAnswer {
    /// Pass this text on (taken from the step's question).
    Pass(String),
    /// Answer with this: the question was passed already, or is kept back.
    Reply(Reply),
}

pub(crate) fn offer_answer(
    question: &mut Vec<String>,
    event: &Event,
    at: Asking,
    step: impl FnOnce() -> Keyboard,
) -> Option<OfferAnswer> {
    let pass = match event {
        Event::Text(t) if !question.is_empty() => super::account::pass_on_answer(t),
        Event::Callback(Callback::RelayQuestion) => Some(true),
        _ => None,
    }?;
    Some(match pass {
        true if question.is_empty() => OfferAnswer::Reply(Reply::text("book_question_sent").keyboard(step())),
        true => OfferAnswer::Pass(std::mem::take(question).join("\n")),
        false => {
            question.clear();
            let reply = Reply::text("book_question_not_sent")
                .var("at_price", at == Asking::Price)
                .var("at_pay", at == Asking::Pay)
                .keyboard(step());
            OfferAnswer::Reply(reply)
        }
    })
}

/// What passing a question on answered, with the step's buttons again; `None` for other events.
pub(crate) fn question_passed(event: &Event, step: Keyboard) -> Option<Reply> {
    match event {
        Event::Outcome(Outcome::Relayed { agent, newly_assigned, in_chat }) => {
            Some(super::account::relayed(agent, *newly_assigned, *in_chat).keyboard(step))
        }
        Event::Outcome(Outcome::NoAgent) => Some(Reply::text("agent_none").keyboard(step)),
        _ => None,
    }
}

/// Steps of a booking request (how many travellers).
pub fn book(mut draft: BookingDraft, event: Event) -> Option<(State, Vec<Effect>)> {
    let ask =
        |d: BookingDraft, t: &str| (State::Booking(d), vec![Effect::Reply(Reply::text(t).keyboard(count_buttons()))]);
    if let Some(reply) = question_passed(&event, count_buttons()) {
        return Some((State::Booking(draft), vec![Effect::Reply(reply)]));
    }
    match offer_answer(&mut draft.question, &event, Asking::Count, count_buttons) {
        Some(OfferAnswer::Pass(text)) => {
            let ask = Effect::AskAboutDeparture { departure_id: draft.departure_id, travellers: None, text };
            return Some((State::Booking(draft), vec![ask]));
        }
        Some(OfferAnswer::Reply(reply)) => return Some((State::Booking(draft), vec![Effect::Reply(reply)])),
        None => {}
    }
    // A count pressed (its callback is read within 1–30 already) or typed: one way to the quote.
    let count = match &event {
        Event::Callback(Callback::Count(n)) => Some(Some(*n)),
        Event::Text(t) => Some(travellers_count(t)),
        _ => None,
    };
    if let Event::Text(t) = &event
        && count == Some(None)
        && is_question(t)
    {
        let reply = offer_question(&mut draft.question, t.clone(), Asking::Count, count_rows());
        return Some((State::Booking(draft), vec![Effect::Reply(reply)]));
    }
    if let Some(count) = count {
        return Some(match count.filter(|n| (1..=30).contains(n)) {
            Some(n) => {
                let id = draft.departure_id;
                (State::Booking(draft), vec![Effect::Quote { departure_id: id, travellers: n }])
            }
            None => ask(draft, "book_count_invalid"),
        });
    }
    Some(match event {
        Event::Outcome(Outcome::Quote(q)) => {
            let travellers = u8::try_from(q.travellers).unwrap_or(1);
            let confirm = Confirm {
                departure_id: draft.departure_id,
                travellers,
                browse: draft.browse,
                request_key: q.request_key.clone(),
                // A question typed at the count and not passed on yet goes along.
                question: draft.question,
                talked: false,
            };
            (State::ConfirmBooking(confirm), vec![Effect::Reply(quote_reply(&q))])
        }
        Event::Outcome(Outcome::Booked(item)) => (
            State::Idle,
            vec![Effect::Reply(
                Reply::text("book_done")
                    .var("booking", serde_json::to_value(&item).unwrap_or_default())
                    .var("question_sent", !draft.question.is_empty())
                    .keyboard(super::client_menu()),
            )],
        ),
        // The quote for more travellers than seats left: the count is asked again.
        Event::Outcome(Outcome::TooFewSeats { left }) if left > 0 => (
            State::Booking(draft),
            vec![Effect::Reply(Reply::text("book_too_few_seats").var("left", left).keyboard(count_buttons()))],
        ),
        // None left at all (taken meanwhile): nothing to ask; another date is chosen on the card.
        Event::Outcome(Outcome::TooFewSeats { left }) => (
            State::Idle,
            vec![Effect::Reply(Reply::text("book_too_few_seats").var("left", left).keyboard(super::client_menu()))],
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

/// «Забронировать» names the count it was priced for, so an older price's button (the client
/// changed the count since) cannot book the newer one.
fn confirm_buttons(travellers: u8) -> Keyboard {
    Keyboard::Inline(vec![confirm_row(travellers)])
}

fn confirm_row(travellers: u8) -> Vec<Button> {
    vec![
        Button::new(Label::new("confirm_booking"), Callback::ConfirmBooking(travellers)),
        Button::new(Label::new("not_now"), Callback::No),
    ]
}

/// The price of the request, as the booking will be made: the client confirms it or not.
pub fn quote_reply(q: &crate::views::QuoteView) -> Reply {
    let travellers = u8::try_from(q.travellers).unwrap_or(1);
    Reply::text("book_quote")
        .var("q", serde_json::to_value(q).unwrap_or_default())
        .keyboard(confirm_buttons(travellers))
}

/// Steps of a priced request: «да» books it, «нет» drops it; another count is priced again,
/// and the booking's answer is taken as while choosing the count. A question typed here is
/// offered to the agent (see [`offer_question`]); while it waits, a typed «да» or «нет»
/// answers «Передать?», not the price, and the price's own buttons take it along: booked, it
/// goes with the request; declined, it is offered as at the menu.
pub fn confirm(mut c: Confirm, event: Event) -> Option<(State, Vec<Effect>)> {
    let kept = |c: Confirm, reply: Reply| Some((State::ConfirmBooking(c), vec![Effect::Reply(reply)]));
    let typed_booking = matches!(&event, Event::Text(t) if says_book(t));
    // «Забронировать» typed books, and takes a waiting question along (below).
    if !typed_booking {
        let travellers = c.travellers;
        match offer_answer(&mut c.question, &event, Asking::Price, || confirm_buttons(travellers)) {
            Some(OfferAnswer::Pass(text)) => return Some(ask_about_price(c, text)),
            Some(OfferAnswer::Reply(reply)) => return kept(c, reply),
            None => {}
        }
    }
    let asking = !c.question.is_empty();
    let answer = match &event {
        // «y»: the button of a version before the count was on it.
        Event::Callback(Callback::Yes) => Some(true),
        Event::Callback(Callback::ConfirmBooking(n)) if *n == c.travellers => Some(true),
        Event::Callback(Callback::ConfirmBooking(_)) => {
            let again = Reply::text("book_quote_outdated").var("travellers", c.travellers);
            let buttons = confirm_buttons(c.travellers);
            return kept(c, again.keyboard(buttons));
        }
        Event::Callback(Callback::No) => Some(false),
        Event::Text(_) if typed_booking => Some(true),
        // After a question the last message may be another one's: «да» there is no booking.
        Event::Text(t) if c.talked && crate::label::typed_answer(t).is_some() => {
            let buttons = confirm_buttons(c.travellers);
            return kept(c, Reply::text("book_confirm_expected").keyboard(buttons));
        }
        Event::Text(t) => crate::label::typed_answer(t),
        _ => None,
    };
    match answer {
        Some(true) => {
            let effect = Effect::Book {
                departure_id: c.departure_id,
                travellers: c.travellers,
                request_key: c.request_key.clone(),
                note: c.question.join("\n"),
            };
            return Some((State::ConfirmBooking(c), vec![effect]));
        }
        // The price declined, the question still stands: offered as at the menu.
        Some(false) if asking => {
            let about = super::account::Asked { departure_id: c.departure_id, travellers: Some(c.travellers) };
            let (state, mut effects) = super::account::offer_relay_about(c.question, Some(about), true, false);
            effects.insert(0, Effect::Reply(Reply::text("book_dropped").keyboard(super::client_menu())));
            return Some((state, effects));
        }
        Some(false) => {
            return Some((
                State::Idle,
                vec![Effect::Reply(Reply::text("book_dropped").keyboard(super::client_menu()))],
            ));
        }
        None => {}
    }
    if let Some(reply) = question_passed(&event, confirm_buttons(c.travellers)) {
        return kept(c, reply);
    }
    let draft = BookingDraft { departure_id: c.departure_id, browse: c.browse.clone(), question: c.question.clone() };
    match event {
        Event::Outcome(_) | Event::Callback(Callback::Count(_) | Callback::Tour(_) | Callback::Page(_)) => {
            book(draft, event)
        }
        // Another count, typed as at the count's step («25», «нас трое»); a question that
        // holds a number («а 15 числа?») is not one.
        Event::Text(t) if !t.contains('?') && travellers_count(&t).is_some() => book(draft, Event::Text(t)),
        // Who travels, in words the count cannot add up («мы с мужем и двое детей»): a new count
        // meant, asked for as a number; the price stays meanwhile.
        Event::Text(t) if !t.contains('?') && describes_party(&t) => {
            let buttons = confirm_buttons(c.travellers);
            kept(c, Reply::text("book_count_invalid").keyboard(buttons))
        }
        // Anything else typed is a question for a person, the price kept.
        Event::Text(t) => {
            let mut c = Confirm { talked: true, ..c };
            let reply = offer_question(&mut c.question, t, Asking::Price, vec![confirm_row(c.travellers)]);
            kept(c, reply)
        }
        Event::Unsupported | Event::Callback(_) | Event::Contact { .. } => {
            let buttons = confirm_buttons(c.travellers);
            kept(c, Reply::text("book_confirm_expected").keyboard(buttons))
        }
        _ => None,
    }
}

/// «Забронировать», «да, бронируйте», «оформляйте» typed at the price: the booking asked for in
/// words, whatever else is waiting.
fn says_book(text: &str) -> bool {
    let key = crate::label::folded_words(text);
    let words: Vec<&str> = key.split(' ').collect();
    let first = match words.as_slice() {
        ["да", first, ..] | [first, ..] => *first,
        [] => return false,
    };
    words.len() <= 4 && ["заброн", "брониру", "оформля", "оформит"].iter().any(|stem| first.starts_with(stem))
}

/// The question waiting at the price (`text`, taken from it), passed on with what it is about:
/// the price and its buttons stay, so the client may book once answered (or at once).
fn ask_about_price(c: Confirm, text: String) -> (State, Vec<Effect>) {
    let ask = Effect::AskAboutDeparture { departure_id: c.departure_id, travellers: Some(c.travellers), text };
    (State::ConfirmBooking(Confirm { question: Vec::new(), talked: true, ..c }), vec![ask])
}

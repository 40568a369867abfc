//! The hotel pages' forms: what each sends, how it becomes a `crm` input, and where a refusal
//! is shown. Typed fields (numbers, dates, money, phones) are parsed here with the domain's
//! own parsers; the rules on free text are the service's, asked through `problems()`, so
//! every bad field is marked at once and the service still decides.

use crm::domain::{
    CancellationRule, CancellationTerms, Currency, DEFAULT_TZ, Direction, Email, InteractionKind, IntlPhone, Invalid,
    MealPlan, Money, PenaltyKind, Stars, parse_local_datetime, parse_percent_bp, parse_ru_date,
};
use crm::services::{
    AgreementInput, CorrespondenceInput, FieldProblem, HotelInput, ManagerInput, RoomInput, SeasonInput,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The reasons beside the fields of one form, in Russian; the first reason of a field wins.
#[derive(Debug, Default, Serialize)]
#[serde(transparent)]
pub struct Errors(HashMap<&'static str, String>);

impl Errors {
    pub fn one(field: &'static str, why: &Invalid) -> Errors {
        let mut e = Errors::default();
        e.note(field, why);
        e
    }

    fn note(&mut self, field: &'static str, why: &Invalid) {
        self.0.entry(field).or_insert_with(|| why.message_ru().to_owned());
    }

    /// The parsed value, or `None` with the reason noted.
    fn take<T>(&mut self, field: &'static str, parsed: Result<T, Invalid>) -> Option<T> {
        parsed.map_err(|why| self.note(field, &why)).ok()
    }

    fn add(&mut self, problems: Vec<FieldProblem>) {
        for (field, why) in problems {
            self.note(field, &why);
        }
    }

    fn finish<T>(self, value: Option<T>) -> Result<T, Errors> {
        match value {
            Some(v) if self.0.is_empty() => Ok(v),
            _ => Err(self),
        }
    }
}

/// A form of the hotel pages.
pub trait HotelForm: Serialize {
    /// What the service takes.
    type Input;
    /// The typed input, or every refused field.
    fn parse(&self) -> Result<Self::Input, Errors>;
    /// Where a refusal the service found by itself (an overlap, a manager of another hotel) is
    /// shown.
    fn field_of(why: &Invalid) -> &'static str;
}

/// An empty field is "not given"; anything else must parse.
fn optional<T>(s: &str, parse: impl FnOnce(&str) -> Result<T, Invalid>) -> Result<Option<T>, Invalid> {
    if s.trim().is_empty() { Ok(None) } else { parse(s).map(Some) }
}

fn whole_number(s: &str, why: Invalid) -> Result<i64, Invalid> {
    s.trim().parse::<i64>().map_err(|_| why)
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct HotelFields {
    pub name: String,
    pub country: String,
    pub city: String,
    pub address: String,
    pub stars: String,
    pub description: String,
}

impl HotelForm for HotelFields {
    type Input = HotelInput;

    fn parse(&self) -> Result<HotelInput, Errors> {
        let mut e = Errors::default();
        let stars = e.take("stars", optional(&self.stars, Stars::parse));
        let input = HotelInput {
            name: self.name.clone(),
            country: self.country.clone(),
            city: self.city.clone(),
            address: self.address.clone(),
            stars: stars.flatten(),
            description: self.description.clone(),
        };
        e.add(input.problems());
        e.finish(Some(input))
    }

    fn field_of(_: &Invalid) -> &'static str {
        "name"
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(default)]
pub struct RoomFields {
    pub room_type: String,
    pub capacity: String,
    pub meal_plan: String,
    pub description: String,
}

impl Default for RoomFields {
    fn default() -> Self {
        RoomFields {
            room_type: String::new(),
            capacity: "2".into(),
            meal_plan: "BB".into(),
            description: String::new(),
        }
    }
}

impl HotelForm for RoomFields {
    type Input = RoomInput;

    fn parse(&self) -> Result<RoomInput, Errors> {
        let mut e = Errors::default();
        let capacity = e.take("capacity", whole_number(&self.capacity, Invalid::RoomCapacity));
        let meal_plan = e.take("meal_plan", MealPlan::parse(&self.meal_plan));
        let input = RoomInput {
            room_type: self.room_type.clone(),
            capacity: capacity.unwrap_or(1),
            meal_plan: meal_plan.unwrap_or(MealPlan::RO),
            description: self.description.clone(),
        };
        e.add(input.problems());
        e.finish(Some(input))
    }

    fn field_of(_: &Invalid) -> &'static str {
        "room_type"
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(default)]
pub struct SeasonFields {
    pub starts_on: String,
    pub ends_on: String,
    pub price_per_night: String,
    pub currency: String,
}

impl Default for SeasonFields {
    fn default() -> Self {
        SeasonFields {
            starts_on: String::new(),
            ends_on: String::new(),
            price_per_night: String::new(),
            currency: Currency::RUB.code().into(),
        }
    }
}

impl HotelForm for SeasonFields {
    type Input = SeasonInput;

    fn parse(&self) -> Result<SeasonInput, Errors> {
        let mut e = Errors::default();
        let starts_on = e.take("starts_on", parse_ru_date(&self.starts_on));
        let ends_on = e.take("ends_on", parse_ru_date(&self.ends_on));
        let currency = e.take("currency", Currency::parse(&self.currency));
        let price = currency.and_then(|c| e.take("price_per_night", Money::parse(&self.price_per_night, c)));
        let (Some(starts_on), Some(ends_on)) = (starts_on, ends_on) else { return Err(e) };
        // The period is checked even when the price is still wrong, so both are marked.
        let zero = Money::new(0, currency.unwrap_or(Currency::RUB));
        let input = SeasonInput { starts_on, ends_on, price_per_night: price.unwrap_or(zero) };
        e.add(input.problems());
        e.finish(price.map(|_| input))
    }

    fn field_of(_: &Invalid) -> &'static str {
        // The only refusal left to the service is an overlap with another season.
        "starts_on"
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ManagerFields {
    pub name: String,
    pub position: String,
    pub phone: String,
    pub email: String,
    pub telegram: String,
}

impl HotelForm for ManagerFields {
    type Input = ManagerInput;

    fn parse(&self) -> Result<ManagerInput, Errors> {
        let mut e = Errors::default();
        let phone = e.take("phone", optional(&self.phone, IntlPhone::parse));
        let email = e.take("email", optional(&self.email, Email::parse));
        let input = ManagerInput {
            name: self.name.clone(),
            position: self.position.clone(),
            phone: phone.flatten(),
            email: email.flatten(),
            telegram: Some(self.telegram.clone()),
        };
        e.add(input.problems());
        e.finish(Some(input))
    }

    fn field_of(_: &Invalid) -> &'static str {
        "name"
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AgreementFields {
    pub agreed_on: String,
    /// Percent, as typed (`10`, `12,5`).
    pub commission: String,
    pub allotment: String,
    pub special_prices: String,
    pub terms: String,
}

impl HotelForm for AgreementFields {
    type Input = AgreementInput;

    fn parse(&self) -> Result<AgreementInput, Errors> {
        let mut e = Errors::default();
        let agreed_on = e.take("agreed_on", parse_ru_date(&self.agreed_on));
        let commission_bp = e.take("commission", optional(&self.commission, parse_percent_bp)).flatten();
        let allotment = e.take("allotment", optional(&self.allotment, |s| whole_number(s, Invalid::AllotmentRange)));
        let input = AgreementInput {
            agreed_on: agreed_on.unwrap_or_default(),
            commission_bp,
            allotment: allotment.flatten(),
            special_prices: self.special_prices.clone(),
            terms: self.terms.clone(),
        };
        e.add(input.problems());
        e.finish(agreed_on.map(|_| input))
    }

    fn field_of(_: &Invalid) -> &'static str {
        "agreed_on"
    }
}

/// A letter, call or message with the hotel.
#[derive(Debug, Deserialize, Serialize)]
#[serde(default)]
pub struct LetterFields {
    pub kind: String,
    pub direction: String,
    /// Moscow time as typed; empty is now.
    pub occurred_at: String,
    pub subject: String,
    pub body: String,
    pub manager_id: String,
}

impl Default for LetterFields {
    fn default() -> Self {
        LetterFields {
            kind: InteractionKind::Email.as_str().into(),
            direction: Direction::Out.as_str().into(),
            occurred_at: String::new(),
            subject: String::new(),
            body: String::new(),
            manager_id: String::new(),
        }
    }
}

impl HotelForm for LetterFields {
    type Input = CorrespondenceInput;

    fn parse(&self) -> Result<CorrespondenceInput, Errors> {
        let mut e = Errors::default();
        let kind = e.take("kind", InteractionKind::parse(&self.kind));
        let direction = e.take("direction", Direction::parse(&self.direction));
        let occurred_at = e.take("occurred_at", optional(&self.occurred_at, |s| parse_local_datetime(s, DEFAULT_TZ)));
        let manager_id =
            e.take("manager_id", optional(&self.manager_id, |s| whole_number(s, Invalid::ManagerNotOfHotel)));
        let input = CorrespondenceInput {
            kind: kind.unwrap_or(InteractionKind::Note),
            direction: direction.unwrap_or(Direction::None),
            subject: self.subject.clone(),
            body: self.body.clone(),
            occurred_at: occurred_at.flatten(),
            manager_id: manager_id.flatten(),
        };
        e.add(input.problems());
        e.finish(Some(input))
    }

    fn field_of(why: &Invalid) -> &'static str {
        match why {
            Invalid::TimeFuture => "occurred_at",
            Invalid::ManagerNotOfHotel => "manager_id",
            _ => "body",
        }
    }
}

/// Rows of the cancellation-terms table a form offers; more than any real contract has.
pub const MAX_RULE_ROWS: usize = 12;

/// One row of the terms table as typed: days before arrival and the penalty, in percent
/// (`unit` = `percent`) or a sum in a currency (`unit` = its code).
#[derive(Debug, Default, Clone, Serialize)]
pub struct RuleRow {
    pub min_days: String,
    pub max_days: String,
    pub penalty: String,
    pub unit: String,
}

impl RuleRow {
    fn is_blank(&self) -> bool {
        [&self.min_days, &self.max_days, &self.penalty].iter().all(|s| s.trim().is_empty())
    }

    fn parse(&self) -> Result<CancellationRule, Invalid> {
        let days = |s: &str| whole_number(s, Invalid::RuleDays);
        let penalty = match self.unit.as_str() {
            "percent" => PenaltyKind::Percent(parse_percent_bp(&self.penalty)?),
            code => PenaltyKind::Fixed(Money::parse(&self.penalty, Currency::parse(code)?)?),
        };
        Ok(CancellationRule { min_days: days(&self.min_days)?, max_days: days(&self.max_days)?, penalty })
    }

    pub fn of(rule: &CancellationRule) -> RuleRow {
        let (penalty, unit) = match rule.penalty {
            PenaltyKind::Percent(bp) => (crate::views::percent(bp), "percent".to_owned()),
            PenaltyKind::Fixed(m) => (amount(m), m.currency.code().to_owned()),
        };
        RuleRow { min_days: rule.min_days.to_string(), max_days: rule.max_days.to_string(), penalty, unit }
    }
}

/// A sum as a form shows it for editing: `5000,50`, no grouping, no currency sign.
fn amount(m: Money) -> String {
    format!("{},{:02}", m.minor / 100, (m.minor % 100).abs())
}

/// The cancellation terms as a whole: the free window and the table of penalties. Rows are
/// numbered fields (`min_days_0`, `max_days_0`, `penalty_0`, `unit_0`, …) so the form works
/// without scripts; blank rows are skipped.
#[derive(Debug, Default, Serialize)]
pub struct TermsFields {
    pub free_days: String,
    pub rows: Vec<RuleRow>,
}

impl TermsFields {
    pub fn from_form(mut form: HashMap<String, String>) -> TermsFields {
        let mut take = |key: String| form.remove(&key).unwrap_or_default();
        let free_days = take("free_days".to_owned());
        let rows = (0..MAX_RULE_ROWS)
            .map(|i| RuleRow {
                min_days: take(format!("min_days_{i}")),
                max_days: take(format!("max_days_{i}")),
                penalty: take(format!("penalty_{i}")),
                unit: take(format!("unit_{i}")),
            })
            .collect();
        TermsFields { free_days, rows }
    }

    /// The current terms, with blank rows to add to.
    pub fn of(terms: &CancellationTerms) -> TermsFields {
        let mut rows: Vec<_> = terms.rules.iter().map(RuleRow::of).collect();
        let blank = RuleRow { unit: "percent".into(), ..Default::default() };
        rows.resize((rows.len() + 2).clamp(3, MAX_RULE_ROWS).max(rows.len()), blank);
        TermsFields { free_days: terms.free_days.to_string(), rows }
    }
}

impl HotelForm for TermsFields {
    type Input = CancellationTerms;

    fn parse(&self) -> Result<CancellationTerms, Errors> {
        let mut e = Errors::default();
        let free_days = e.take("free_days", whole_number(&self.free_days, Invalid::FreeDaysRange));
        let mut rules = Vec::new();
        for (i, row) in self.rows.iter().enumerate().filter(|(_, r)| !r.is_blank()) {
            match row.parse() {
                Ok(rule) => rules.push(rule),
                Err(why) => {
                    e.0.entry("rules").or_insert_with(|| format!("Строка {}: {}", i + 1, why.message_ru()));
                }
            }
        }
        match free_days {
            Some(free_days) if e.0.is_empty() => {
                CancellationTerms::new(free_days, rules).map_err(|why| Errors::one(Self::field_of(&why), &why))
            }
            _ => Err(e),
        }
    }

    fn field_of(why: &Invalid) -> &'static str {
        if *why == Invalid::FreeDaysRange { "free_days" } else { "rules" }
    }
}

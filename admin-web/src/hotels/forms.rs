//! The hotel pages' forms: what each sends, how it becomes a `crm` input, and where a refusal
//! is shown. Typed fields (numbers, dates, money, phones) are parsed here with the domain's
//! own parsers; the rules on free text are the service's, asked through `problems()`, so
//! every bad field is marked at once and the service still decides.

use crm::domain::{
    Currency, DEFAULT_TZ, Direction, Email, InteractionKind, IntlPhone, Invalid, MealPlan, Money, Stars,
    parse_local_datetime, parse_percent_bp, parse_ru_date,
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

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(super) fn note(&mut self, field: &'static str, why: &Invalid) {
        self.0.entry(field).or_insert_with(|| why.message_ru().to_owned());
    }

    /// The parsed value, or `None` with the reason noted.
    pub(super) fn take<T>(&mut self, field: &'static str, parsed: Result<T, Invalid>) -> Option<T> {
        parsed.map_err(|why| self.note(field, &why)).ok()
    }

    /// The first refused row of the table beside `field`: the reason, and the row's number
    /// (from 1) under `rule_row` for the template to name it.
    pub(super) fn note_row(&mut self, field: &'static str, row: usize, why: &Invalid) {
        if !self.0.contains_key(field) {
            self.note(field, why);
            self.0.insert("rule_row", (row + 1).to_string());
        }
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

pub(super) fn whole_number(s: &str, why: Invalid) -> Result<i64, Invalid> {
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

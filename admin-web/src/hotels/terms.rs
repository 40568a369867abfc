//! The cancellation-terms form: the free window and the table of penalties, one row per
//! range of days before arrival. Rows are numbered fields (`min_days_0`, `max_days_0`,
//! `penalty_0`, `unit_0`, …) so the table works without scripts; blank rows are skipped and
//! the terms are replaced as a whole.

use super::forms::{Errors, HotelForm, whole_number};
use crate::views;
use crm::domain::{CancellationRule, CancellationTerms, Currency, Invalid, Money, PenaltyKind, parse_percent_bp};
use serde::Serialize;
use std::collections::HashMap;

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
            PenaltyKind::Percent(bp) => (views::percent(bp), "percent".to_owned()),
            PenaltyKind::Fixed(m) => (m.as_decimal(), m.currency.code().to_owned()),
        };
        RuleRow { min_days: rule.min_days.to_string(), max_days: rule.max_days.to_string(), penalty, unit }
    }
}

/// The cancellation terms as typed.
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
                Err(why) => e.note_row("rules", i, &why),
            }
        }
        match free_days {
            Some(free_days) if e.is_empty() => {
                CancellationTerms::new(free_days, rules).map_err(|why| Errors::one(Self::field_of(&why), &why))
            }
            _ => Err(e),
        }
    }

    fn field_of(why: &Invalid) -> &'static str {
        if *why == Invalid::FreeDaysRange { "free_days" } else { "rules" }
    }
}

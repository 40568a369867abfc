//! Hotel vocabulary: meal plans, star ratings and cancellation terms with the penalty they
//! imply. Pure: no storage, no clock — the bookings ask [`CancellationTerms::penalty`] with the
//! days they counted themselves.

use super::{Invalid, Money, share_bp};
use crate::text::{self, keyed_enum};
use serde::{Deserialize, Serialize};

keyed_enum! {
    /// The board basis a room is sold with, by the codes every tour operator uses.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum MealPlan: as_str {
        /// Room only.
        RO = "RO",
        /// Bed and breakfast.
        BB = "BB",
        /// Half board.
        HB = "HB",
        /// Full board.
        FB = "FB",
        /// All inclusive.
        AI = "AI",
        /// Ultra all inclusive.
        UAI = "UAI",
    }
}

impl MealPlan {
    /// The code, in any case (`bb`, `BB`).
    pub fn parse(s: &str) -> Result<MealPlan, Invalid> {
        Self::ALL.into_iter().find(|m| m.as_str().eq_ignore_ascii_case(s.trim())).ok_or(Invalid::MealPlanUnknown)
    }

    pub fn title_ru(self) -> &'static str {
        text::get("meal_plan", self.as_str())
    }
}

/// A hotel's star rating, 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Stars(u8);

impl Stars {
    pub fn new(n: i64) -> Result<Stars, Invalid> {
        u8::try_from(n).ok().filter(|n| (1..=5).contains(n)).map(Stars).ok_or(Invalid::StarsRange)
    }

    /// What people type: `4`, `4*`, `4 ★`.
    pub fn parse(s: &str) -> Result<Stars, Invalid> {
        let t = s.trim().trim_end_matches(['*', '★', ' ']);
        t.parse::<i64>().map_err(|_| Invalid::StarsRange).and_then(Stars::new)
    }

    pub fn get(self) -> i64 {
        i64::from(self.0)
    }
}

impl TryFrom<i64> for Stars {
    type Error = Invalid;
    fn try_from(n: i64) -> Result<Self, Invalid> {
        Stars::new(n)
    }
}

impl From<Stars> for i64 {
    fn from(s: Stars) -> i64 {
        s.get()
    }
}

/// What cancelling inside a rule's window costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PenaltyKind {
    /// Basis points of the room cost (1 % = 100, 100 % = 10 000).
    Percent(i64),
    /// A fixed sum, in the currency the hotel prices its rooms in.
    Fixed(Money),
}

/// A penalty for cancelling between `min_days` and `max_days` (inclusive) before arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancellationRule {
    pub min_days: i64,
    pub max_days: i64,
    pub penalty: PenaltyKind,
}

/// Free cancellation until `free_days` before arrival; closer, the rule covering the days
/// left applies; with no rule covering them (a no-show, or a gap in the table) the whole
/// room cost is the penalty — the hotel keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CancellationTerms {
    pub free_days: i64,
    pub rules: Vec<CancellationRule>,
}

/// Longest free-cancellation window we accept: a year covers every real contract.
pub const MAX_FREE_DAYS: i64 = 365;

impl CancellationTerms {
    /// Terms checked by [`CancellationTerms::validate`], rules sorted nearest-to-arrival first.
    pub fn new(free_days: i64, mut rules: Vec<CancellationRule>) -> Result<CancellationTerms, Invalid> {
        rules.sort_by_key(|r| (r.min_days, r.max_days));
        let terms = CancellationTerms { free_days, rules };
        terms.validate()?;
        Ok(terms)
    }

    /// A rule table an operator can have meant: ranges ordered and disjoint, all inside the
    /// paid window (`max_days < free_days`: a day inside the free window would never reach
    /// the rule, so such a rule is a typo), percents within 0–100 %, sums not negative.
    pub fn validate(&self) -> Result<(), Invalid> {
        if !(0..=MAX_FREE_DAYS).contains(&self.free_days) {
            return Err(Invalid::FreeDaysRange);
        }
        for r in &self.rules {
            if r.min_days < 0 || r.min_days > r.max_days {
                return Err(Invalid::RuleDays);
            }
            if r.max_days >= self.free_days {
                return Err(Invalid::RuleInFreeWindow);
            }
            match r.penalty {
                PenaltyKind::Percent(bp) if !(0..=10_000).contains(&bp) => return Err(Invalid::PenaltyRange),
                PenaltyKind::Fixed(m) if m.minor < 0 => return Err(Invalid::MoneyNegative),
                _ => {}
            }
        }
        let mut sorted: Vec<_> = self.rules.iter().collect();
        sorted.sort_by_key(|r| r.min_days);
        if sorted.windows(2).any(|w| w[1].min_days <= w[0].max_days) {
            return Err(Invalid::RulesOverlap);
        }
        Ok(())
    }

    /// The penalty for cancelling a room costing `room_cost` with `days_before_arrival` days
    /// left (0 = the arrival day, negative = after it: a no-show).
    ///
    /// A fixed penalty is capped at the room cost. A fixed penalty in another currency than the
    /// room cost cannot be compared without a rate we do not keep, so the whole room cost is
    /// charged: overstating a penalty is caught by the accountant, understating it is a loss.
    pub fn penalty(&self, room_cost: Money, days_before_arrival: i64) -> Money {
        if days_before_arrival >= self.free_days {
            return Money::new(0, room_cost.currency);
        }
        let rule = self.rules.iter().find(|r| r.min_days <= days_before_arrival && days_before_arrival <= r.max_days);
        let minor = match rule.map(|r| r.penalty) {
            Some(PenaltyKind::Percent(bp)) => share_bp(room_cost.minor, bp),
            Some(PenaltyKind::Fixed(m)) if m.currency == room_cost.currency => m.minor,
            _ => room_cost.minor,
        };
        Money::new(minor.clamp(0, room_cost.minor.max(0)), room_cost.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn rub(m: i64) -> Money {
        Money::new(m, Currency::RUB)
    }

    fn rule(min_days: i64, max_days: i64, penalty: PenaltyKind) -> CancellationRule {
        CancellationRule { min_days, max_days, penalty }
    }

    fn terms() -> CancellationTerms {
        CancellationTerms::new(
            14,
            vec![
                rule(1, 6, PenaltyKind::Fixed(rub(50_000))),
                rule(7, 13, PenaltyKind::Percent(3_000)),
                rule(0, 0, PenaltyKind::Percent(10_000)),
            ],
        )
        .unwrap()
    }

    #[test]
    fn penalties_follow_the_terms() {
        let t = terms();
        let cases: &[(i64, i64, i64, &str)] = &[
            // (room cost, days before arrival, penalty, why)
            (100_001, 30, 0, "far ahead: free"),
            (100_001, 14, 0, "the first free day"),
            (100_001, 13, 30_000, "30 % of 100 001 = 30 000.3 → 30 000"),
            (100_005, 7, 30_002, "30 % of 100 005 = 30 001.5 → rounds half up"),
            (100_001, 6, 50_000, "fixed"),
            (100_001, 1, 50_000, "fixed, last day of the range"),
            (10_000, 3, 10_000, "a fixed penalty is capped at the room cost"),
            (100_001, 0, 100_001, "the arrival day: 100 %"),
            (100_001, -1, 100_001, "no-show after arrival: the whole cost"),
            (0, 5, 0, "nothing to lose"),
        ];
        for &(cost, days, want, why) in cases {
            assert_eq!(t.penalty(rub(cost), days), rub(want), "{why}");
        }
    }

    #[test]
    fn gaps_and_foreign_currencies_cost_the_whole_room() {
        let t =
            CancellationTerms::new(10, vec![rule(5, 9, PenaltyKind::Fixed(Money::new(100, Currency::EUR)))]).unwrap();
        assert_eq!(t.penalty(rub(70_000), 6), rub(70_000), "a EUR penalty on a RUB room");
        assert_eq!(t.penalty(rub(70_000), 3), rub(70_000), "no rule for 3 days: the whole cost");
        assert_eq!(t.penalty(Money::new(500, Currency::EUR), 6), Money::new(100, Currency::EUR));
        assert_eq!(CancellationTerms::default().penalty(rub(5), -1), rub(5), "no terms: a no-show costs all");
        assert_eq!(CancellationTerms::default().penalty(rub(5), 0), rub(0), "no terms: free until arrival");
        let non_refundable = CancellationTerms::new(MAX_FREE_DAYS, vec![]).unwrap();
        assert_eq!(non_refundable.penalty(rub(5), 200), rub(5), "non-refundable: the whole cost");
    }

    #[test]
    fn bad_tables_are_refused() {
        let p = PenaltyKind::Percent(5_000);
        let cases: Vec<(i64, Vec<CancellationRule>, Result<(), Invalid>)> = vec![
            (14, vec![rule(7, 13, p), rule(0, 6, p)], Ok(())),
            (0, vec![], Ok(())),
            (-1, vec![], Err(Invalid::FreeDaysRange)),
            (366, vec![], Err(Invalid::FreeDaysRange)),
            (14, vec![rule(8, 7, p)], Err(Invalid::RuleDays)),
            (14, vec![rule(-1, 3, p)], Err(Invalid::RuleDays)),
            (14, vec![rule(7, 14, p)], Err(Invalid::RuleInFreeWindow)),
            (14, vec![rule(20, 30, p)], Err(Invalid::RuleInFreeWindow)),
            (14, vec![rule(0, 7, p), rule(7, 13, p)], Err(Invalid::RulesOverlap)),
            (14, vec![rule(3, 10, p), rule(0, 13, p)], Err(Invalid::RulesOverlap)),
            (14, vec![rule(0, 3, PenaltyKind::Percent(10_001))], Err(Invalid::PenaltyRange)),
            (14, vec![rule(0, 3, PenaltyKind::Percent(-1))], Err(Invalid::PenaltyRange)),
            (14, vec![rule(0, 3, PenaltyKind::Fixed(rub(-1)))], Err(Invalid::MoneyNegative)),
        ];
        for (free, rules, want) in cases {
            let got = CancellationTerms::new(free, rules.clone()).map(drop);
            assert_eq!(got, want, "free {free}, rules {rules:?}");
        }
    }

    #[test]
    fn meal_plans_and_stars_parse() {
        for m in MealPlan::ALL {
            assert_eq!(MealPlan::parse(&m.as_str().to_lowercase()), Ok(m));
        }
        assert_eq!(MealPlan::AI.title_ru(), "Всё включено");
        assert_eq!(MealPlan::parse("XX"), Err(Invalid::MealPlanUnknown));
        assert_eq!(Stars::parse("4*").map(Stars::get), Ok(4));
        assert_eq!(Stars::parse(" 5 ★").map(Stars::get), Ok(5));
        for bad in ["0", "6", "", "four"] {
            assert_eq!(Stars::parse(bad), Err(Invalid::StarsRange), "{bad:?}");
        }
    }
}

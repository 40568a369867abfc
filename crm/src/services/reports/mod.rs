//! The five financial reports (the accountant's and the admins'; everyone else is refused):
//! revenue per tour operator, agents' commissions, hotel expenses, the statement of all
//! operations and tours sold. Each is built as a [`Table`] with its totals row and a [`Chart`],
//! so the page, the CSV/XLSX exports and the picture show one set of numbers.
//!
//! **Periods are calendar days on the agency's clock** ([`AGENCY_TZ`], Moscow): «01.03–31.03»
//! is from 00:00 МСК on 1 March to 00:00 МСК on 1 April, whatever the server's zone. The
//! figures are SQL aggregates over the ledger (store/reports.rs); money never leaves the one
//! currency a report is asked in, so no rate is ever made up.
//!
//! Never here: writing anything, or summing operations in memory.

mod commissions;
mod hotels;
mod revenue;
mod sold;
mod statement;

use super::Crm;
use crate::domain::{AGENCY_TZ, Currency, Invalid, Money, OperationId, StaffId, parse_ru_date};
use crate::services::day_figures::agency_day_bounds;
use crate::store::reports::{self as store, ReportQuery};
use crate::tabular::{Chart, Table};
use crate::text::{self, keyed_enum};
use crate::{Actor, Error, Result};
use chrono::{DateTime, Datelike, NaiveDate, Utc};

pub use statement::{STATEMENT_EXPORT_MAX, STATEMENT_PAGE};

keyed_enum! {
    /// A report, by the code in its URL (`/reports/<code>`); its title is `[report_name]`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
    pub enum ReportName: code {
        Revenue = "revenue",
        Commissions = "commissions",
        HotelExpenses = "hotel_expenses",
        Statement = "statement",
        ToursSold = "tours_sold",
    }
}

/// A filter a report's form may offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterField {
    Operator,
    Agent,
    Destination,
    /// Tours sold: a row per tour or per destination.
    Grouping,
}

impl ReportName {
    pub fn title_ru(self) -> &'static str {
        text::get("report_name", self.code())
    }

    /// The filters that mean something for this report; the others are not offered (and are
    /// ignored if sent).
    pub fn filters(self) -> &'static [FilterField] {
        use FilterField::*;
        match self {
            ReportName::Revenue | ReportName::Statement => &[Operator, Agent, Destination],
            // Commissions are the agent's, whatever the tour; a payout may have no booking.
            ReportName::Commissions => &[Agent],
            // A hotel is paid for many bookings at once: only its country narrows it.
            ReportName::HotelExpenses => &[Destination],
            ReportName::ToursSold => &[Operator, Agent, Destination, Grouping],
        }
    }
}

/// Whole days on the agency's clock, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Period {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// The longest period a report covers (ten years and the leap days in them).
const MAX_DAYS: i64 = 3_653;

impl Period {
    pub fn new(first: NaiveDate, last: NaiveDate) -> std::result::Result<Period, Invalid> {
        if last < first {
            return Err(Invalid::DatesOrder);
        }
        if (last - first).num_days() >= MAX_DAYS {
            return Err(Invalid::PeriodTooLong);
        }
        Ok(Period { first, last })
    }

    /// The dates as typed (`01.03.2026`, `2026-03-01`); an empty one is the current month's
    /// first or last day on the agency's clock.
    pub fn parse(first: &str, last: &str, now: DateTime<Utc>) -> std::result::Result<Period, Invalid> {
        let month = Period::month_of(now);
        let day = |s: &str, default: NaiveDate| {
            if s.trim().is_empty() { Ok(default) } else { parse_ru_date(s) }
        };
        Period::new(day(first, month.first)?, day(last, month.last)?)
    }

    /// The calendar month of `now` on the agency's clock.
    pub fn month_of(now: DateTime<Utc>) -> Period {
        let today = now.with_timezone(&AGENCY_TZ).date_naive();
        let first = today.with_day(1).unwrap_or(today);
        let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(first);
        Period { first, last: next.pred_opt().unwrap_or(first) }
    }

    /// The period's bounds as instants: `[00:00 of the first day, 00:00 of the day after the last)`.
    pub fn bounds(self) -> (DateTime<Utc>, DateTime<Utc>) {
        (agency_day_bounds(self.first).0, agency_day_bounds(self.last).1)
    }

    /// `01.03.2026 — 31.03.2026`.
    pub fn title_ru(self) -> String {
        text::fill(
            "reports",
            "period",
            &[("first", &self.first.format("%d.%m.%Y")), ("last", &self.last.format("%d.%m.%Y"))],
        )
    }
}

/// Tours sold: one row per tour, or per destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    #[default]
    Tour,
    Destination,
}

/// What a report is asked for. Filters a report does not take are ignored.
#[derive(Debug, Clone)]
pub struct ReportFilter {
    pub period: Period,
    pub currency: Currency,
    pub operator: Option<StaffId>,
    pub agent: Option<StaffId>,
    pub destination: Option<String>,
    pub grouping: Grouping,
    /// The statement: the page after this operation.
    pub after: Option<OperationId>,
    /// The statement: rows at most (a page on screen, more for an export).
    pub limit: i64,
}

impl ReportFilter {
    /// The current month in roubles, unfiltered, a page of the statement.
    pub fn month_of(now: DateTime<Utc>) -> ReportFilter {
        ReportFilter {
            period: Period::month_of(now),
            currency: Currency::RUB,
            operator: None,
            agent: None,
            destination: None,
            grouping: Grouping::Tour,
            after: None,
            limit: STATEMENT_PAGE,
        }
    }

    fn query(&self, name: ReportName) -> ReportQuery {
        let (from, until) = self.period.bounds();
        let takes = |f| name.filters().contains(&f);
        ReportQuery {
            from,
            until,
            currency: self.currency,
            operator_id: self.operator.filter(|_| takes(FilterField::Operator)).map(|s| s.0),
            agent_id: self.agent.filter(|_| takes(FilterField::Agent)).map(|s| s.0),
            destination: self.destination.clone().filter(|_| takes(FilterField::Destination)),
        }
    }
}

/// A report as shown and exported.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub name: ReportName,
    pub period: Period,
    pub table: Table,
    pub chart: Chart,
    /// Lines shown under the title: what counts, how a figure is computed.
    pub notes: Vec<String>,
    /// The statement: the operation after which the next page starts, when there is one.
    pub next_after: Option<OperationId>,
}

/// The choices of the filter form: operators, agents, destinations.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReportChoices {
    pub operators: Vec<(i64, String)>,
    pub agents: Vec<(i64, String)>,
    pub destinations: Vec<String>,
}

fn finance(actor: &Actor) -> Result<()> {
    super::Capability::FinancialReports.check(actor)
}

/// Money of a report's currency.
pub(super) fn money(minor: i64, currency: Currency) -> Money {
    Money::new(minor, currency)
}

impl Crm {
    /// One report over a period with its filters. The filters must name an existing operator,
    /// agent and destination (a typo is an answer, not an empty report).
    pub async fn report(&self, actor: &Actor, name: ReportName, filter: &ReportFilter) -> Result<Report> {
        finance(actor)?;
        let mut conn = self.store.conn().await?;
        let choices = store::choices(&mut conn).await?;
        let known =
            |id: Option<StaffId>, list: &[(i64, String)]| id.is_none_or(|s| list.iter().any(|(i, _)| *i == s.0));
        if !known(filter.operator, &choices.operators)
            || !known(filter.agent, &choices.agents)
            || filter.destination.as_ref().is_some_and(|d| !choices.destinations.contains(d))
        {
            return Err(Error::Invalid(Invalid::ReportFilterUnknown));
        }
        let q = filter.query(name);
        let c = filter.currency;
        let mut report = match name {
            ReportName::Revenue => revenue::build(&mut conn, &q, c).await?,
            ReportName::Commissions => commissions::build(&mut conn, &q, c).await?,
            ReportName::HotelExpenses => hotels::build(&mut conn, &q, c).await?,
            ReportName::Statement => statement::build(&mut conn, &q, c, filter.after, filter.limit).await?,
            ReportName::ToursSold => sold::build(&mut conn, &q, c, filter.grouping).await?,
        };
        report.period = filter.period;
        report.table.title = format!("{} {}", name.title_ru(), filter.period.title_ru());
        Ok(report)
    }

    /// The operators, agents and destinations a report may be filtered by.
    pub async fn report_choices(&self, actor: &Actor) -> Result<ReportChoices> {
        finance(actor)?;
        let c = store::choices(&mut *self.store.conn().await?).await?;
        Ok(ReportChoices { operators: c.operators, agents: c.agents, destinations: c.destinations })
    }
}

/// An empty report of `name`, filled in by its builder.
pub(super) fn shell(name: ReportName, table: Table, chart: Chart) -> Report {
    Report {
        name,
        period: Period { first: NaiveDate::MIN, last: NaiveDate::MIN },
        table,
        chart,
        notes: Vec::new(),
        next_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_period_is_whole_days_on_the_agency_clock() {
        let p = Period::new(d(2026, 3, 1), d(2026, 3, 31)).unwrap();
        let (from, until) = p.bounds();
        // Moscow is UTC+3: its midnight is 21:00 UTC of the day before.
        assert_eq!(from, Utc.with_ymd_and_hms(2026, 2, 28, 21, 0, 0).unwrap());
        assert_eq!(until, Utc.with_ymd_and_hms(2026, 3, 31, 21, 0, 0).unwrap());
    }

    #[test]
    fn periods_are_checked() {
        let now = Utc.with_ymd_and_hms(2026, 12, 31, 22, 0, 0).unwrap();
        // 22:00 UTC on 31 December is already 1 January in Moscow.
        assert_eq!(Period::month_of(now), Period { first: d(2027, 1, 1), last: d(2027, 1, 31) });
        assert_eq!(Period::parse("", "", now), Ok(Period::month_of(now)));
        assert_eq!(
            Period::parse("01.02.2026", "28.02.2026", now),
            Ok(Period { first: d(2026, 2, 1), last: d(2026, 2, 28) })
        );
        assert_eq!(Period::parse("2026-02-01", "2026-02-01", now).map(|p| p.first), Ok(d(2026, 2, 1)));
        assert_eq!(Period::parse("10.02.2026", "01.02.2026", now), Err(Invalid::DatesOrder));
        assert_eq!(Period::parse("31.02.2026", "", now), Err(Invalid::NoSuchDate));
        assert_eq!(Period::parse("вчера", "", now), Err(Invalid::DateFormat));
        assert_eq!(Period::parse("01.01.2000", "01.01.2026", now), Err(Invalid::PeriodTooLong));
    }
}

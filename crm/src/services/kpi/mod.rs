//! The two KPIs of issue #15 as tables and charts (`crate::tabular`), for the admin and the
//! accountant:
//!
//! - **The social funnel** per post, per source (network) and per destination: reactions →
//!   bot starts (distinct people) → registrations → people who booked → people who paid, with
//!   the conversion of each step. A person counts for the period of their start; who registered
//!   is attributed by [`attribution`]'s rule; their bookings count whenever made (a cohort), and
//!   a booking is paid when its client payments, net of reversals, are above zero.
//! - **The average check**: the sum of booking totals of *sold* bookings over their count, per
//!   destination, per tour operator and per month with the change to the month before. Sold:
//!   [`SOLD`] — a signed contract or money received; a booking still awaiting its contract or
//!   being cancelled is not a sale.
//!
//! Periods are the reports' [`Period`]: calendar days on the agency's clock, both ends included.

pub mod attribution;
mod check;
mod funnel;

use super::{Capability, Crm, Period};
use crate::domain::BookingStatus;
use crate::tabular::{Cell, Chart, Table};
use crate::{Actor, Result};

pub use check::SOLD;

/// The social funnel of a period.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SocialFunnel {
    pub by_post: Table,
    pub by_source: Table,
    pub by_destination: Table,
    /// Starts, registrations, bookings and payments of the posts with the most starts.
    pub chart: Chart,
}

/// The average check of a period.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AverageCheck {
    pub by_destination: Table,
    pub by_operator: Table,
    pub by_month: Table,
    pub destination_chart: Chart,
    pub month_chart: Chart,
}

/// The admin's start page block: this month's best posts and the average check against the
/// month before.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KpiSummary {
    /// (the post's name, its starts, people who paid, paid / starts), best first, at most 3.
    pub top_posts: Vec<(String, i64, i64, Option<f64>)>,
    pub this_month: Option<String>,
    pub last_month: Option<String>,
    /// This month's average check over last month's, minus one.
    pub change: Option<f64>,
}

impl Crm {
    pub async fn social_funnel(&self, actor: &Actor, period: Period) -> Result<SocialFunnel> {
        Capability::Kpi.check(actor)?;
        let (from, to) = period.bounds();
        let mut conn = self.store.conn().await?;
        funnel::build(&mut conn, from, to).await
    }

    pub async fn average_check(&self, actor: &Actor, period: Period) -> Result<AverageCheck> {
        Capability::Kpi.check(actor)?;
        let mut conn = self.store.conn().await?;
        check::build(&mut conn, period).await
    }

    pub async fn kpi_summary(&self, actor: &Actor) -> Result<KpiSummary> {
        Capability::Kpi.check(actor)?;
        let month = Period::month_of(self.now());
        let funnel = self.social_funnel(actor, month).await?;
        let mut top_posts: Vec<(String, i64, i64, Option<f64>)> = funnel
            .by_post
            .rows
            .iter()
            .filter_map(|row| match (&row[0], &row[3], &row[6]) {
                (Cell::Text(name), Cell::Count(starts), Cell::Count(paid)) if *starts > 0 => {
                    Some((name.clone(), *starts, *paid, share(*paid, *starts)))
                }
                _ => None,
            })
            .collect();
        top_posts
            .sort_by(|a, b| b.3.unwrap_or(0.0).total_cmp(&a.3.unwrap_or(0.0)).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
        top_posts.truncate(3);
        let mut conn = self.store.conn().await?;
        let (this_month, last_month, change) = check::this_and_last_month(&mut conn, month).await?;
        Ok(KpiSummary { top_posts, this_month, last_month, change })
    }
}

/// `part / whole`, undefined when there is nothing to divide by.
fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn percent(part: i64, whole: i64) -> Cell {
    Cell::Percent(share(part, whole))
}

/// The statuses' codes, for SQL.
fn codes(statuses: &[BookingStatus]) -> Vec<&'static str> {
    statuses.iter().map(|s| s.as_str()).collect()
}

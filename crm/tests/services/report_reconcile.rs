//! The reports reconcile with the ledger: random bookings, contract signings, status moves,
//! client payments, refunds, reversals, commission payouts and payments to hotels and operators,
//! spread over weeks of the clock; then, for many periods, every report's totals equal the
//! ledger's own sums (`Crm::ledger_totals`) of the same period, each filter's reports add up to
//! the unfiltered one (the filters partition the money, none is lost or counted twice), the
//! statement's pages chain their balances, and tours sold match the bookings' own histories.
//! On SQLite always and on PostgreSQL when it is configured; a bounded number of cases.

use crate::each_backend;
use crate::helpers::{TestApp, spawn};
use crate::sales::{excursion, request};
use chrono::{DateTime, Duration, Utc};
use crm::domain::{
    AGENCY_TZ, BookingId, BookingStatus, Currency, Money, OperationId, OperationKind, PaymentMethod, Role, StaffId,
};
use crm::services::{Grouping, OperationInput, PaymentInput, Period, Report, ReportFilter, ReportName};
use crm::tabular::Cell;
use crm::{Actor, Error};
use proptest::prelude::*;
use testkit::{Backend, backends};

const PRICE: i64 = 50_000 * 100;

#[derive(Debug, Clone)]
enum Op {
    Book { client: usize, tour: usize, travellers: i64 },
    Move { booking: usize, to: BookingStatus },
    Pay { booking: usize, per_mille: i64 },
    Refund { booking: usize, per_mille: i64 },
    Reverse { operation: usize },
    PayAgent { agent: usize, rub: i64 },
    PayHotel { hotel: usize, rub: i64 },
    PayOperator { operator: usize, rub: i64 },
    Wait { hours: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0usize..4, 0usize..2, 1i64..3).prop_map(|(client, tour, travellers)| Op::Book { client, tour, travellers }),
        3 => (0usize..6, proptest::sample::select(BookingStatus::ALL.to_vec()))
            .prop_map(|(booking, to)| Op::Move { booking, to }),
        4 => (0usize..6, proptest::sample::select(vec![BookingStatus::ContractSigned]))
            .prop_map(|(booking, to)| Op::Move { booking, to }),
        // A share of what is still due; over 1000 pays it all (and accrues the agent's commission).
        6 => (0usize..6, 1i64..1600).prop_map(|(booking, per_mille)| Op::Pay { booking, per_mille }),
        1 => (0usize..6, 1i64..1200).prop_map(|(booking, per_mille)| Op::Refund { booking, per_mille }),
        1 => (0usize..12).prop_map(|operation| Op::Reverse { operation }),
        1 => (0usize..2, 1i64..9000).prop_map(|(agent, rub)| Op::PayAgent { agent, rub }),
        1 => (0usize..2, 1i64..90000).prop_map(|(hotel, rub)| Op::PayHotel { hotel, rub }),
        1 => (0usize..2, 1i64..90000).prop_map(|(operator, rub)| Op::PayOperator { operator, rub }),
        3 => (1i64..96).prop_map(|hours| Op::Wait { hours }),
    ]
}

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

/// A refusal is an answer; a database error is a failure.
fn done<T>(what: &Op, r: Result<T, Error>) -> Result<Option<T>, TestCaseError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(
            Error::Forbidden(_) | Error::NotFound(_) | Error::Conflict(_) | Error::Invalid(_) | Error::IllegalMove(_),
        ) => Ok(None),
        Err(e) => Err(fail(format!("{what:?} failed: {e}"))),
    }
}

fn rub(minor: i64) -> Money {
    Money::new(minor, Currency::RUB)
}

struct World {
    app: TestApp,
    accountant: Actor,
    operators: Vec<StaffId>,
    agents: Vec<StaffId>,
    bookings: Vec<BookingId>,
}

async fn run(backend: Backend, ops: &[Op]) -> Result<(), TestCaseError> {
    let app: TestApp = spawn(backend).await;
    let admin = app.actor("root", Role::Admin).await;
    let accountant = app.actor("buh", Role::Accountant).await;
    let mut operators = Vec::new();
    let mut op_actors = Vec::new();
    for login in ["oleg", "olga"] {
        let s = app.staff(login, Role::Operator).await;
        operators.push(s.id);
        op_actors.push(Actor::staff(s.id, Role::Operator));
    }
    let mut agents = Vec::new();
    let mut agent_actors = Vec::new();
    for (login, bp) in [("anna", 1_000), ("boris", 550)] {
        let s = app.staff(login, Role::Agent).await;
        // Commission rates have no service of their own yet (issue #15's operations pages).
        sqlx::query("UPDATE staff SET commission_bp = $1 WHERE id = $2")
            .bind(bp as i64)
            .bind(s.id.0)
            .execute(app.crm.store().pool())
            .await
            .map_err(fail)?;
        agents.push(s.id);
        agent_actors.push(Actor::staff(s.id, Role::Agent));
    }
    let mut clients = Vec::new();
    for (i, phone) in ["+79120000001", "+79120000002", "+79120000003", "+79120000004"].iter().enumerate() {
        clients.push(app.client(phone, Some(&agent_actors[i % 2])).await);
    }
    let mut departures = Vec::new();
    for (i, country) in ["Россия", "Грузия"].iter().enumerate() {
        let mut input = excursion(&format!("Тур {i}"), PRICE / 100);
        input.country = (*country).into();
        let card = app.crm.create_tour(&op_actors[i], input).await.map_err(fail)?;
        let start = app.crm.today() + Duration::days(200);
        let d = app
            .crm
            .add_departure(&op_actors[i], card.tour.id, start, start + Duration::days(6), 500)
            .await
            .map_err(fail)?;
        app.crm.publish_tour(&op_actors[i], card.tour.id).await.map_err(fail)?;
        departures.push(d.id);
    }
    let mut hotels = Vec::new();
    for (name, country) in [("Гостиница Алтай", "Россия"), ("Tbilisi Inn", "Грузия")] {
        let h = app
            .crm
            .create_hotel(
                &admin,
                crm::services::HotelInput {
                    name: name.into(),
                    country: country.into(),
                    city: "Город".into(),
                    address: String::new(),
                    stars: None,
                    description: String::new(),
                },
            )
            .await
            .map_err(fail)?;
        hotels.push(h.id.0);
    }
    let mut w = World { app, accountant, operators, agents, bookings: Vec::new() };
    let mut recorded: Vec<OperationId> = Vec::new();
    for op in ops {
        let crm = &w.app.crm;
        let other = |kind, booking_id, amount, counterparty_id| OperationInput {
            kind,
            booking_id,
            amount,
            counterparty_id,
            method: PaymentMethod::BankTransfer,
            external_id: None,
            note: "проверка".into(),
        };
        match op {
            Op::Book { client, tour, travellers } => {
                let c = &clients[*client];
                let agent = &agent_actors[*client % 2];
                if let Some(card) =
                    done(op, crm.create_booking(agent, request(c, departures[*tour], *travellers)).await)?
                {
                    w.bookings.push(card.booking.id);
                }
            }
            Op::Move { booking, to } => {
                let Some(id) = w.bookings.get(*booking) else { continue };
                done(op, crm.change_booking_status(&admin, *id, *to, "проверка").await)?;
            }
            Op::Pay { booking, per_mille } => {
                let Some(id) = w.bookings.get(*booking) else { continue };
                let Some((_, due)) = done(op, crm.booking_balance(&w.accountant, *id).await)? else { continue };
                let p = PaymentInput {
                    booking_id: *id,
                    amount: rub((due.minor * per_mille.min(&1000) / 1000).max(1)),
                    method: PaymentMethod::Cash,
                    external_id: None,
                    note: String::new(),
                };
                if let Some(d) = done(op, crm.record_client_payment(&w.accountant, p).await)? {
                    recorded.push(d.operation.id);
                }
            }
            Op::Refund { booking, per_mille } => {
                let Some(id) = w.bookings.get(*booking) else { continue };
                let input = other(OperationKind::ClientRefund, Some(*id), rub(PRICE * per_mille / 1000), None);
                if let Some(o) = done(op, crm.record_operation(&w.accountant, input).await)? {
                    recorded.push(o.id);
                }
            }
            Op::Reverse { operation } => {
                let Some(id) = recorded.get(*operation) else { continue };
                done(op, crm.reverse_operation(&w.accountant, *id, "ошибка").await)?;
            }
            Op::PayAgent { agent, rub: r } => {
                let input = other(OperationKind::CommissionPaid, None, rub(r * 100), Some(w.agents[*agent].0));
                if let Some(o) = done(op, crm.record_operation(&w.accountant, input).await)? {
                    recorded.push(o.id);
                }
            }
            Op::PayHotel { hotel, rub: r } => {
                let input = other(OperationKind::HotelPayment, None, rub(r * 100), Some(hotels[*hotel]));
                if let Some(o) = done(op, crm.record_operation(&w.accountant, input).await)? {
                    recorded.push(o.id);
                }
            }
            Op::PayOperator { operator, rub: r } => {
                let input = other(OperationKind::OperatorPayment, None, rub(r * 100), Some(w.operators[*operator].0));
                if let Some(o) = done(op, crm.record_operation(&w.accountant, input).await)? {
                    recorded.push(o.id);
                }
            }
            Op::Wait { hours } => w.app.clock.advance(Duration::hours(*hours)),
        }
    }
    let start = testkit::t0().with_timezone(&AGENCY_TZ).date_naive();
    let end = w.app.crm.now().with_timezone(&AGENCY_TZ).date_naive();
    // The whole history, each week, and stretches that cut through days with operations.
    let mut periods = vec![(start, end), (start - Duration::days(30), start - Duration::days(1))];
    let mut d = start;
    while d <= end {
        periods.push((d, d + Duration::days(6)));
        periods.push((d + Duration::days(2), d + Duration::days(3)));
        d += Duration::days(7);
    }
    for (first, last) in periods {
        check_period(&w, Period::new(first, last).map_err(|e| fail(format!("{e:?}")))?).await?;
    }
    Ok(())
}

fn filter(period: Period) -> ReportFilter {
    let mut f = ReportFilter::month_of(testkit::t0());
    f.period = period;
    f
}

async fn report(w: &World, name: ReportName, f: &ReportFilter) -> Result<Report, TestCaseError> {
    w.app.crm.report(&w.accountant, name, f).await.map_err(fail)
}

/// The money of a totals cell (0 for an empty one).
fn money_at(r: &Report, col: usize) -> i64 {
    match r.table.totals.as_ref().and_then(|t| t.get(col)) {
        Some(Cell::Money(m)) => m.minor,
        Some(Cell::Count(n)) => *n,
        _ => 0,
    }
}

/// A column's values summed over the rows.
fn column_sum(r: &Report, col: usize) -> i64 {
    r.table
        .rows
        .iter()
        .map(|row| match &row[col] {
            Cell::Money(m) => m.minor,
            Cell::Count(n) => *n,
            _ => 0,
        })
        .sum()
}

async fn ledger(
    w: &World,
    from: Option<DateTime<Utc>>,
    until: DateTime<Utc>,
) -> Result<impl Fn(OperationKind) -> i64, TestCaseError> {
    let totals = w.app.crm.ledger_totals(&w.accountant, from, Some(until)).await.map_err(fail)?;
    Ok(move |kind| totals.iter().filter(|(k, m)| *k == kind && m.currency == Currency::RUB).map(|(_, m)| m.minor).sum())
}

async fn check_period(w: &World, period: Period) -> Result<(), TestCaseError> {
    use OperationKind::*;
    let (from, until) = period.bounds();
    let l = ledger(w, Some(from), until).await?;
    let upto = ledger(w, None, until).await?;
    let before = ledger(w, None, from).await?;
    let f = filter(period);
    let at = format!("{period:?}");

    // Revenue: payments, refunds and the net, each the ledger's; every row adds up to the totals.
    let revenue = report(w, ReportName::Revenue, &f).await?;
    prop_assert_eq!(money_at(&revenue, 2), l(ClientPayment), "revenue payments {}", at);
    prop_assert_eq!(money_at(&revenue, 3), l(ClientRefund), "revenue refunds {}", at);
    prop_assert_eq!(money_at(&revenue, 4), l(ClientPayment) - l(ClientRefund), "revenue {}", at);
    for col in 1..=4 {
        prop_assert_eq!(column_sum(&revenue, col), money_at(&revenue, col), "revenue column {} {}", col, at);
    }
    // Each filter splits the revenue without losing or doubling any of it.
    let mut split = (0, 0, 0);
    for id in &w.operators {
        split.0 +=
            money_at(&report(w, ReportName::Revenue, &ReportFilter { operator: Some(*id), ..f.clone() }).await?, 4);
    }
    for id in &w.agents {
        split.1 += money_at(&report(w, ReportName::Revenue, &ReportFilter { agent: Some(*id), ..f.clone() }).await?, 4);
    }
    for country in ["Россия", "Грузия"] {
        let only = ReportFilter { destination: Some(country.into()), ..f.clone() };
        split.2 += money_at(&report(w, ReportName::Revenue, &only).await?, 4);
    }
    let net = money_at(&revenue, 4);
    prop_assert_eq!(split, (net, net, net), "revenue split by operator, agent, destination {}", at);

    // Commissions: accrued and paid in the period, owed up to its end.
    let commissions = report(w, ReportName::Commissions, &f).await?;
    prop_assert_eq!(money_at(&commissions, 1), l(CommissionAccrued), "accrued {}", at);
    prop_assert_eq!(money_at(&commissions, 2), l(CommissionPaid), "paid {}", at);
    prop_assert_eq!(money_at(&commissions, 3), upto(CommissionAccrued) - upto(CommissionPaid), "owed {}", at);
    let mut owed = 0;
    for id in &w.agents {
        owed +=
            money_at(&report(w, ReportName::Commissions, &ReportFilter { agent: Some(*id), ..f.clone() }).await?, 3);
    }
    prop_assert_eq!(owed, money_at(&commissions, 3), "owed split by agent {}", at);

    // Hotel expenses, whole and by destination.
    let hotels = report(w, ReportName::HotelExpenses, &f).await?;
    prop_assert_eq!(money_at(&hotels, 3), l(HotelPayment), "hotels {}", at);
    prop_assert_eq!(column_sum(&hotels, 3), l(HotelPayment), "hotel rows {}", at);
    let mut by_country = 0;
    for country in ["Россия", "Грузия"] {
        let only = ReportFilter { destination: Some(country.into()), ..f.clone() };
        by_country += money_at(&report(w, ReportName::HotelExpenses, &only).await?, 3);
    }
    prop_assert_eq!(by_country, l(HotelPayment), "hotels by country {}", at);

    // The statement: cash in less cash out, the opening and closing balances, and pages of
    // three rows whose balances chain into the one-page statement's.
    let cash = |t: &dyn Fn(OperationKind) -> i64| {
        t(ClientPayment) - t(ClientRefund) - t(CommissionPaid) - t(HotelPayment) - t(OperatorPayment)
    };
    let whole = report(w, ReportName::Statement, &ReportFilter { limit: 100_000, ..f.clone() }).await?;
    prop_assert_eq!(money_at(&whole, 9), cash(&l), "cash moved {}", at);
    prop_assert_eq!(money_at(&whole, 10), cash(&upto), "closing balance {}", at);
    let listed = w
        .app
        .crm
        .list_operations(
            &w.accountant,
            crm::services::OperationFilter { from: Some(from), until: Some(until), limit: 1000, ..Default::default() },
        )
        .await
        .map_err(fail)?;
    prop_assert_eq!(whole.table.rows.len(), listed.len(), "statement rows {}", at);
    let last_balance = |r: &Report| match r.table.rows.last().map(|row| &row[10]) {
        Some(Cell::Money(m)) => m.minor,
        _ => cash(&before),
    };
    prop_assert_eq!(last_balance(&whole), cash(&upto), "the last row's balance is the closing one {}", at);
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = report(w, ReportName::Statement, &ReportFilter { limit: 3, after, ..f.clone() }).await?;
        paged.extend(page.table.rows.iter().cloned());
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    prop_assert_eq!(&paged, &whole.table.rows, "pages of the statement {}", at);

    // Tours sold against the bookings' own status histories.
    let (mut count, mut travellers, mut sum) = (0, 0, 0);
    for id in &w.bookings {
        let card = w.app.crm.booking_card(&w.accountant, *id).await.map_err(fail)?;
        let signed = card.history.iter().find(|h| h.to == BookingStatus::ContractSigned).map(|h| h.at);
        let sold = matches!(
            card.booking.status,
            BookingStatus::ContractSigned | BookingStatus::PartiallyPaid | BookingStatus::Paid
        );
        if sold && signed.is_some_and(|t| t >= from && t < until) {
            count += 1;
            travellers += card.booking.travellers_count;
            sum += card.booking.total.minor;
        }
    }
    for grouping in [Grouping::Tour, Grouping::Destination] {
        let sold = report(w, ReportName::ToursSold, &ReportFilter { grouping, ..f.clone() }).await?;
        let n = sold.table.columns.len();
        prop_assert_eq!(
            (money_at(&sold, n - 3), money_at(&sold, n - 2), money_at(&sold, n - 1)),
            (count, travellers, sum),
            "tours sold {:?} {}",
            grouping,
            at
        );
        prop_assert_eq!(column_sum(&sold, n - 1), sum, "tours sold rows {}", at);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    #[test]
    fn every_report_reconciles_with_the_ledger(ops in proptest::collection::vec(op(), 20..60)) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        for backend in backends() {
            rt.block_on(run(backend, &ops))?;
        }
    }
}

each_backend!(only_the_accountant_and_admins_read_the_reports_and_a_filter_must_exist, |app| {
    let f = ReportFilter::month_of(app.crm.now());
    for (login, role) in [("oleg", Role::Operator), ("anna", Role::Agent)] {
        let actor = app.actor(login, role).await;
        for name in ReportName::ALL {
            let r = app.crm.report(&actor, name, &f).await;
            assert!(matches!(r, Err(Error::Forbidden(_))), "{role:?} {name:?} on {}", app.backend);
        }
        assert!(matches!(app.crm.report_choices(&actor).await, Err(Error::Forbidden(_))));
    }
    let client = app.client("+79120000009", None).await;
    let r = app.crm.report(&Actor::Client(client.id), ReportName::Revenue, &f).await;
    assert!(matches!(r, Err(Error::Forbidden(_))), "a client on {}", app.backend);
    for role in [Role::Accountant, Role::Admin] {
        let actor = app.actor(&format!("fin{}", role.as_str()), role).await;
        for name in ReportName::ALL {
            let r = app.crm.report(&actor, name, &f).await.unwrap();
            assert_eq!(r.table.rows.len(), 0, "{name:?} of an empty ledger on {}", app.backend);
            assert!(r.table.totals.is_some());
        }
        let nobody = ReportFilter { operator: Some(StaffId(9_999)), ..f.clone() };
        let r = app.crm.report(&actor, ReportName::Revenue, &nobody).await;
        assert!(matches!(r, Err(Error::Invalid(crm::domain::Invalid::ReportFilterUnknown))), "{r:?}");
        let nowhere = ReportFilter { destination: Some("Атлантида".into()), ..f.clone() };
        let r = app.crm.report(&actor, ReportName::ToursSold, &nowhere).await;
        assert!(matches!(r, Err(Error::Invalid(crm::domain::Invalid::ReportFilterUnknown))), "{r:?}");
    }
});

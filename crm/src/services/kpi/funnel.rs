//! The social funnel: recorded starts, the clients they brought (by the attribution rule),
//! those clients' bookings and payments, and the channel posts' reactions, counted per post,
//! per source and per destination.

use super::attribution::attribute;
use super::{SocialFunnel, percent};
use crate::Result;
use crate::store::Conn;
use crate::store::social::{self, PostRow, StartRow};
use crate::tabular::{Cell, Chart, ChartKind, ChartUnit, Column, ColumnKind, Series, Table};
use crate::text;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How many posts the chart shows (those with the most starts).
const CHART_POSTS: usize = 10;

/// One row's counts: people at each step.
#[derive(Default)]
struct Steps {
    reactions: Option<i64>,
    started: BTreeSet<i64>,
    registered: BTreeSet<i64>,
    booked: BTreeSet<i64>,
    paid: BTreeSet<i64>,
}

impl Steps {
    fn cells(&self) -> Vec<Cell> {
        let (s, r, b, p) =
            (self.started.len() as i64, self.registered.len() as i64, self.booked.len() as i64, self.paid.len() as i64);
        vec![
            self.reactions.map(Cell::Count).unwrap_or(Cell::Empty),
            Cell::Count(s),
            Cell::Count(r),
            Cell::Count(b),
            Cell::Count(p),
            self.reactions.map(|x| percent(s, x)).unwrap_or(Cell::Percent(None)),
            percent(r, s),
            percent(b, r),
            percent(p, b),
        ]
    }
}

fn step_columns(first: Vec<Column>) -> Vec<Column> {
    let mut columns = first;
    for (key, kind) in [
        ("reactions", ColumnKind::Count),
        ("starts", ColumnKind::Count),
        ("registrations", ColumnKind::Count),
        ("booked", ColumnKind::Count),
        ("paid", ColumnKind::Count),
        ("start_per_reaction", ColumnKind::Percent),
        ("registration_per_start", ColumnKind::Percent),
        ("booking_per_registration", ColumnKind::Percent),
        ("payment_per_booking", ColumnKind::Percent),
    ] {
        columns.push(Column::new(step_title(key), kind));
    }
    columns
}

/// The column titles, each a literal key of the catalog.
fn step_title(key: &str) -> &'static str {
    match key {
        "reactions" => text::get("kpi", "reactions"),
        "starts" => text::get("kpi", "starts"),
        "registrations" => text::get("kpi", "registrations"),
        "booked" => text::get("kpi", "booked"),
        "paid" => text::get("kpi", "paid"),
        "start_per_reaction" => text::get("kpi", "start_per_reaction"),
        "registration_per_start" => text::get("kpi", "registration_per_start"),
        "booking_per_registration" => text::get("kpi", "booking_per_registration"),
        _ => text::get("kpi", "payment_per_booking"),
    }
}

/// The source (network) of a start: `telegram` for a channel post, the network's code, or
/// «прочее».
fn source_of(s: &StartRow) -> String {
    match s.kind.as_str() {
        "post" => "telegram".to_owned(),
        "network" => s.network.clone().unwrap_or_default(),
        _ => text::get("kpi", "other_source").to_owned(),
    }
}

fn source_of_payload(payload: &str) -> Option<String> {
    match crate::services::DeepLink::parse(payload) {
        crate::services::DeepLink::Post(_) => Some("telegram".to_owned()),
        crate::services::DeepLink::Network { network, .. } => Some(network),
        crate::services::DeepLink::Other(_) => None,
    }
}

pub(super) async fn build(conn: &mut Conn, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<SocialFunnel> {
    let starts = social::starts_of_people_started_in(conn, from, to).await?;
    let clients = social::clients_of_people_started_in(conn, from, to).await?;
    let bookings = social::bookings_of_people_started_in(conn, from, to).await?;
    let posts = social::posts_before(conn, to).await?;
    let attributed = attribute(&starts, &clients);

    // Per post: the posts published in the period and every post payload started from in it.
    let mut by_post: BTreeMap<String, Steps> = BTreeMap::new();
    let mut by_source: BTreeMap<String, Steps> = BTreeMap::new();
    let mut by_destination: BTreeMap<String, Steps> = BTreeMap::new();
    let mut names: HashMap<String, String> = HashMap::new();
    let in_period = |at: DateTime<Utc>| at >= from && at < to;

    let mut counted_posts: BTreeSet<(i64, i64)> = BTreeSet::new();
    let started_payloads: BTreeSet<&str> =
        starts.iter().filter(|s| in_period(s.at) && s.kind == "post").filter_map(|s| s.payload.as_deref()).collect();
    for p in &posts {
        let Some(payload) = p.payload.as_deref() else { continue };
        if !payload.starts_with("post_") || !(in_period(p.posted_at) || started_payloads.contains(payload)) {
            continue;
        }
        let steps = by_post.entry(payload.to_owned()).or_default();
        *steps.reactions.get_or_insert(0) += p.reactions;
        names.entry(payload.to_owned()).or_insert_with(|| post_name(p));
        // A post's reactions count once for its source, however many links it carries.
        if counted_posts.insert((p.chat_id, p.message_id))
            && let Some(source) = source_of_payload(payload)
        {
            *by_source.entry(source).or_default().reactions.get_or_insert(0) += p.reactions;
        }
    }
    for s in starts.iter().filter(|s| in_period(s.at)) {
        if s.kind == "post"
            && let Some(payload) = &s.payload
        {
            by_post.entry(payload.clone()).or_default().started.insert(s.telegram_id);
        }
        by_source.entry(source_of(s)).or_default().started.insert(s.telegram_id);
    }
    let mut bookings_of: HashMap<i64, Vec<&social::BookingRow>> = HashMap::new();
    for b in &bookings {
        bookings_of.entry(b.client_id).or_default().push(b);
    }
    for (client, start) in attributed.iter().filter(|(_, s)| in_period(s.at)) {
        let theirs: Vec<&&social::BookingRow> = bookings_of
            .get(client)
            .map(|v| v.iter().filter(|b| b.created_at >= start.at).collect())
            .unwrap_or_default();
        let booked = !theirs.is_empty();
        let paid = theirs.iter().any(|b| b.paid > 0);
        let mark = |steps: &mut Steps| {
            steps.registered.insert(*client);
            if booked {
                steps.booked.insert(*client);
            }
            if paid {
                steps.paid.insert(*client);
            }
        };
        if start.kind == "post"
            && let Some(payload) = &start.payload
        {
            mark(by_post.entry(payload.clone()).or_default());
        }
        mark(by_source.entry(source_of(start)).or_default());
        for b in &theirs {
            let steps = by_destination.entry(b.destination.clone()).or_default();
            steps.booked.insert(*client);
            if b.paid > 0 {
                steps.paid.insert(*client);
            }
        }
    }

    let mut post_table = Table::new(
        text::get("kpi", "by_post_title"),
        step_columns(vec![
            Column::new(text::get("kpi", "post"), ColumnKind::Text),
            Column::new(text::get("kpi", "link"), ColumnKind::Text),
        ]),
    );
    for (payload, steps) in &by_post {
        let mut row = vec![
            Cell::Text(names.get(payload).cloned().unwrap_or_else(|| text::get("kpi", "post_not_seen").to_owned())),
            Cell::Text(payload.clone()),
        ];
        row.extend(steps.cells());
        post_table.rows.push(row);
    }
    // The name column first: the summary reads (name, …, starts, …, paid) by position.
    post_table.rows.sort_by(|a, b| count_at(b, 3).cmp(&count_at(a, 3)).then_with(|| text_at(a, 1).cmp(text_at(b, 1))));

    let mut source_table = Table::new(
        text::get("kpi", "by_source_title"),
        step_columns(vec![Column::new(text::get("kpi", "source"), ColumnKind::Text)]),
    );
    for (source, steps) in &by_source {
        let mut row = vec![Cell::Text(source_name(source))];
        row.extend(steps.cells());
        source_table.rows.push(row);
    }

    let mut destination_table = Table::new(
        text::get("kpi", "by_destination_title"),
        vec![
            Column::new(text::get("kpi", "destination"), ColumnKind::Text),
            Column::new(text::get("kpi", "booked"), ColumnKind::Count),
            Column::new(text::get("kpi", "paid"), ColumnKind::Count),
            Column::new(text::get("kpi", "payment_per_booking"), ColumnKind::Percent),
        ],
    );
    for (destination, steps) in &by_destination {
        let (b, p) = (steps.booked.len() as i64, steps.paid.len() as i64);
        destination_table.rows.push(vec![
            Cell::Text(destination.clone()),
            Cell::Count(b),
            Cell::Count(p),
            percent(p, b),
        ]);
    }

    let chart = funnel_chart(&post_table);
    Ok(SocialFunnel { by_post: post_table, by_source: source_table, by_destination: destination_table, chart })
}

fn count_at(row: &[Cell], i: usize) -> i64 {
    match row.get(i) {
        Some(Cell::Count(n)) => *n,
        _ => 0,
    }
}

fn text_at(row: &[Cell], i: usize) -> &str {
    match row.get(i) {
        Some(Cell::Text(t)) => t,
        _ => "",
    }
}

/// A post is named by the start of its text, or its date when it has none.
fn post_name(p: &PostRow) -> String {
    let first_line = p.excerpt.lines().next().unwrap_or("").trim();
    if first_line.is_empty() {
        return text::fill("kpi", "post_of", &[("date", &p.posted_at.format("%d.%m.%Y").to_string())]);
    }
    let short: String = first_line.chars().take(40).collect();
    if short.chars().count() < first_line.chars().count() { format!("{short}…") } else { short }
}

fn source_name(code: &str) -> String {
    match code {
        "telegram" => text::get("kpi", "source_telegram").to_owned(),
        "vk" => text::get("kpi", "source_vk").to_owned(),
        other => other.to_owned(),
    }
}

fn funnel_chart(posts: &Table) -> Chart {
    let rows: Vec<&Vec<Cell>> = posts.rows.iter().take(CHART_POSTS).collect();
    let series = |name: &str, i: usize| Series {
        name: name.to_owned(),
        values: rows.iter().map(|r| Some(count_at(r, i) as f64)).collect(),
    };
    Chart {
        title: text::get("kpi", "funnel_chart").to_owned(),
        kind: ChartKind::Bars,
        unit: ChartUnit::Count,
        labels: rows.iter().map(|r| text_at(r, 1).to_owned()).collect(),
        series: vec![
            series(text::get("kpi", "starts"), 3),
            series(text::get("kpi", "registrations"), 4),
            series(text::get("kpi", "booked"), 5),
            series(text::get("kpi", "paid"), 6),
        ],
    }
}

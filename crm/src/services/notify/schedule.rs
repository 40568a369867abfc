//! The scheduler's job: find every notification that is due now and write it to the outbox
//! once. Each kind is one query over the store (which leaves out occurrences already in the
//! outbox) and a check in the client's own time zone: the local date decides whether it is
//! due, the local daytime whether it may be written now. Runs as [`Actor::System`].

use super::{merge, person_context, render_for};
use crate::domain::{BookingId, Currency, HotelId, Money, TourId, TourStatus, format_ru_date, format_ru_range};
use crate::notify::{Daytime, NotificationKind, local_date, occurrence_key};
use crate::sandbox::Template;
use crate::services::Crm;
use crate::services::payments::{OnlineMethod, OnlinePaymentRequest};
use crate::store::notifications::{self as store, Person};
use crate::store::outbox::{self, NewMessage, OutboxStatus};
use crate::store::tours::TourFilter;
use crate::store::{Conn, departures, tours};
use crate::{Actor, Result};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::OnceLock;

/// What one run wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScheduleReport {
    pub queued: HashMap<NotificationKind, usize>,
    /// Templates that failed for a client (written as failed rows, visible in the panel).
    pub failed: usize,
}

impl ScheduleReport {
    pub fn total(&self) -> usize {
        self.queued.values().sum()
    }
}

/// Whether an occurrence `days_left` away is due for a kind with this lead time.
fn due(kind: NotificationKind, days_left: i64, lead: i64) -> bool {
    if kind.catches_up() { (0..=lead).contains(&days_left) } else { days_left == lead }
}

fn tz_of(p: &Person) -> Tz {
    p.time_zone.parse().unwrap_or(crate::domain::DEFAULT_TZ)
}

/// A kind's template, compiled at its first due occurrence: most runs find nothing due, and
/// compiling every kind's template on every run cost more than the rest of an empty run.
struct KindTemplate<'a> {
    kind: NotificationKind,
    source: &'a str,
    compiled: OnceLock<Option<Template>>,
}

impl KindTemplate<'_> {
    /// `None` when it does not compile: saved templates are checked, so that is a default broken
    /// by a release; its occurrences wait (unqueued) for a fixed one.
    fn get(&self) -> Option<&Template> {
        let compiled = self.compiled.get_or_init(|| {
            Template::compile(self.source)
                .inspect_err(|e| {
                    tracing::error!(kind = self.kind.as_str(), error = %e, "notification template does not compile");
                })
                .ok()
        });
        compiled.as_ref()
    }
}

/// One run's shared state: the moment, the outbox connection, what it wrote.
struct Run<'a> {
    crm: &'a Crm,
    now: DateTime<Utc>,
    daytime: Daytime,
    conn: &'a mut Conn,
    report: ScheduleReport,
}

impl Run<'_> {
    /// Renders and enqueues one occurrence; a template that fails for this client is
    /// recorded as a failed row (so it is seen, and not retried every minute).
    async fn enqueue(
        &mut self,
        kind: NotificationKind,
        template: &KindTemplate<'_>,
        person: &Person,
        key: String,
        ctx: Value,
    ) -> Result<()> {
        let Some(template) = template.get() else { return Ok(()) };
        let (body, status) = match render_for(template, &ctx) {
            Ok(body) => (body, OutboxStatus::Pending),
            Err(reason) => {
                tracing::error!(kind = kind.as_str(), client = person.client_id, error = %reason, "notification template failed");
                self.report.failed += 1;
                (reason, OutboxStatus::Failed)
            }
        };
        let msg = NewMessage {
            dedup_key: key,
            kind: kind.as_str().to_owned(),
            client_id: crate::domain::ClientId(person.client_id),
            broadcast_id: None,
            tour_id: None,
            advertising: kind.is_advertising(),
            body,
            not_before: self.now,
            status,
        };
        if outbox::insert(self.conn, &msg, self.now).await? && status == OutboxStatus::Pending {
            *self.report.queued.entry(kind).or_default() += 1;
        }
        Ok(())
    }

    /// The client's local date, if the bot may write to them now.
    fn local_today(&self, p: &Person) -> Option<NaiveDate> {
        let tz = tz_of(p);
        self.daytime.allows(self.now, tz).then(|| local_date(self.now, tz))
    }
}

impl Crm {
    /// Writes every due notification to the outbox. Safe to run at any moment and any number
    /// of times: an occurrence is one outbox row at most.
    pub async fn schedule_notifications(&self, actor: &Actor, daytime: Daytime) -> Result<ScheduleReport> {
        actor.require(&[], "only the scheduler queues notifications")?;
        let settings = self.effective_settings().await?;
        let mut conn = self.store.conn().await?;
        let mut run = Run { crm: self, now: self.now(), daytime, conn: &mut conn, report: ScheduleReport::default() };
        for s in settings.iter().filter(|s| s.enabled) {
            let template = KindTemplate { kind: s.kind, source: &s.template, compiled: OnceLock::new() };
            match s.kind {
                NotificationKind::PassportExpiring => passports(&mut run, &template, s.lead_days).await?,
                NotificationKind::DepartureTomorrow => trips(&mut run, s.kind, &template, s.lead_days).await?,
                NotificationKind::PaymentDue => trips(&mut run, s.kind, &template, s.lead_days).await?,
                NotificationKind::BirthdayOffer | NotificationKind::BirthdayGreeting => {
                    birthdays(&mut run, s.kind, &template, s.lead_days).await?
                }
                // Queued by the move itself (`status::announce_move`).
                NotificationKind::BookingStatus | NotificationKind::PaymentReceived => {}
            }
        }
        Ok(run.report)
    }
}

/// The UTC date range that holds every zone's local date `lead` days ahead, and a day more.
fn window(now: DateTime<Utc>, from_days: i64, to_days: i64) -> (NaiveDate, NaiveDate) {
    let today = now.date_naive();
    (today + Duration::days(from_days - 1), today + Duration::days(to_days + 1))
}

async fn passports(run: &mut Run<'_>, template: &KindTemplate<'_>, lead: i64) -> Result<()> {
    let kind = NotificationKind::PassportExpiring;
    let (from, until) = window(run.now, 0, lead);
    for row in store::passports_expiring(run.conn, from, until).await? {
        let Some(today) = run.local_today(&row.person) else { continue };
        let expires = row.expires_on;
        if !due(kind, (expires - today).num_days(), lead) {
            continue;
        }
        let mut ctx = person_context(&row.person);
        merge(&mut ctx, json!({"passport": {"expires_on": format_ru_date(expires)}}));
        let key = occurrence_key(kind, row.person.client_id, expires);
        run.enqueue(kind, template, &row.person, key, ctx).await?;
    }
    Ok(())
}

/// Departure and payment reminders: both are about a booking's trip.
async fn trips(run: &mut Run<'_>, kind: NotificationKind, template: &KindTemplate<'_>, lead: i64) -> Result<()> {
    let rows = if kind == NotificationKind::DepartureTomorrow {
        let (from, until) = window(run.now, lead, lead);
        store::departures(run.conn, from, until).await?
    } else {
        let (from, until) = window(run.now, 0, lead);
        store::payments_due(run.conn, from, until).await?
    };
    for row in rows {
        let Some(today) = run.local_today(&row.person) else { continue };
        let event = row.event_on;
        if !due(kind, (event - today).num_days(), lead) {
            continue;
        }
        // What is due by this instalment and not yet paid; nothing to remind of otherwise.
        let amount_due = (row.scheduled_to_date.min(row.total) - row.paid).max(0);
        if kind == NotificationKind::PaymentDue && amount_due == 0 {
            continue;
        }
        // A template that does not compile queues nothing: no payment link is asked for it.
        if template.get().is_none() {
            continue;
        }
        let link = match kind {
            NotificationKind::PaymentDue => {
                payment_link(run.crm, BookingId(row.booking_id), &row.currency, amount_due).await
            }
            _ => None,
        };
        let (starts, ends) = (row.starts_on, row.ends_on);
        let money = |minor| Currency::parse(&row.currency).map(|c| Money::new(minor, c).to_string());
        let mut ctx = person_context(&row.person);
        merge(
            &mut ctx,
            json!({
                "tour": {"id": row.tour_id, "title": row.tour_title},
                "booking": {
                    "id": row.booking_id,
                    "departure_date": format_ru_date(starts),
                    "departure_time": row.departure_time.clone().unwrap_or_default(),
                    "meeting_point": row.meeting_point,
                    "return_date": format_ru_date(ends),
                    "travellers": row.travellers_count,
                    "total": money(row.total)?,
                    "amount_due": money(amount_due)?,
                    "due_date": format_ru_date(event),
                    "payment_link": link.unwrap_or_default(),
                },
            }),
        );
        let key = occurrence_key(kind, row.booking_id, event);
        run.enqueue(kind, template, &row.person, key, ctx).await?;
    }
    Ok(())
}

/// The provider's link for paying what this reminder asks, when online payment is on.
/// Asked only for an occurrence about to be queued (the store's query leaves out those
/// already in the outbox), so a run does not call the provider again for a reminder it sent;
/// a pending payment of the same amount is handed out again by `create_online_payment`. A
/// provider that does not answer costs the link, not the reminder. A free function: holding
/// no reference to the run's connection across the call keeps the scheduler's future `Send`.
async fn payment_link(crm: &Crm, booking: BookingId, currency: &str, minor: i64) -> Option<String> {
    if !crm.online_payments_enabled() {
        return None;
    }
    let amount = Money::new(minor, Currency::parse(currency).ok()?);
    let req = OnlinePaymentRequest { booking_id: booking, amount, method: OnlineMethod::Card };
    match crm.create_online_payment(&Actor::System, req).await {
        Ok(p) => p.confirmation_url,
        Err(e) => {
            tracing::warn!(booking = booking.0, error = %e, "payment reminder without a link");
            None
        }
    }
}

/// Every day of the window with the birth dates (`MM-DD`) celebrated on it: 29 February
/// birthdays are celebrated on 28 February in common years.
fn month_days(from: NaiveDate, until: NaiveDate) -> Vec<(String, NaiveDate)> {
    let mut out = Vec::new();
    let mut d = from;
    while d <= until {
        out.push((d.format("%m-%d").to_string(), d));
        if d.month() == 2 && d.day() == 28 && NaiveDate::from_ymd_opt(d.year(), 2, 29).is_none() {
            out.push(("02-29".to_owned(), d));
        }
        d += Duration::days(1);
    }
    out
}

async fn birthdays(run: &mut Run<'_>, kind: NotificationKind, template: &KindTemplate<'_>, lead: i64) -> Result<()> {
    let (from, until) = window(run.now, 0, lead);
    let rows = store::birthdays(run.conn, kind.as_str(), &month_days(from, until), kind.is_advertising()).await?;
    let mut offers = OfferPicker::default();
    for row in rows {
        let Some(today) = run.local_today(&row.person) else { continue };
        let birthday = row.birthday;
        let days_left = (birthday - today).num_days();
        // The offer comes before the day, the greeting on it.
        if !due(kind, days_left, lead) || (kind == NotificationKind::BirthdayOffer && days_left == 0) {
            continue;
        }
        let mut ctx = person_context(&row.person);
        merge(&mut ctx, json!({"birthday": format_ru_date(birthday)}));
        if kind == NotificationKind::BirthdayOffer {
            let picks = offers.pick(run.conn, &row.person, birthday).await?;
            if picks.is_empty() {
                // Nothing to offer yet; a tour published later in the window is still in time.
                continue;
            }
            merge(&mut ctx, json!({"tours": picks}));
        }
        let key = occurrence_key(kind, row.person.client_id, birthday);
        run.enqueue(kind, template, &row.person, key, ctx).await?;
    }
    Ok(())
}

/// Picks tours for a birthday offer: published tours departing around the birthday with
/// seats left, ranked by the client's departure city, the countries and hotels of their past
/// bookings and their tags found in the tour's words. Tours are read once per run.
#[derive(Default)]
struct OfferPicker {
    catalog: Option<Vec<Offer>>,
}

struct Offer {
    id: TourId,
    title: String,
    country: String,
    departure_city: String,
    words: String,
    hotels: Vec<HotelId>,
    price: String,
    departures: Vec<(NaiveDate, NaiveDate)>,
}

const OFFERED: usize = 3;

impl OfferPicker {
    async fn catalog(&mut self, conn: &mut Conn) -> Result<&Vec<Offer>> {
        if self.catalog.is_none() {
            let filter = TourFilter { status: Some(TourStatus::Published), limit: 500, ..TourFilter::default() };
            let mut all = Vec::new();
            for t in tours::list(conn, &filter).await? {
                let hotels = tours::hotels(conn, t.id).await?.into_iter().map(|h| h.hotel_id).collect();
                let deps = departures::departures(conn, t.id)
                    .await?
                    .into_iter()
                    .filter(|d| d.seats_left() > 0)
                    .map(|d| (d.starts_on, d.ends_on))
                    .collect();
                all.push(Offer {
                    id: t.id,
                    words: crate::domain::PersonName::search_key_of(&format!(
                        "{} {} {} {}",
                        t.title, t.description, t.country, t.region
                    )),
                    title: t.title,
                    country: t.country,
                    departure_city: t.departure_city,
                    hotels,
                    price: t.price.to_string(),
                    departures: deps,
                });
            }
            self.catalog = Some(all);
        }
        Ok(self.catalog.get_or_insert_with(Vec::new))
    }

    async fn pick(&mut self, conn: &mut Conn, person: &Person, birthday: NaiveDate) -> Result<Vec<Value>> {
        let (from, until) = (birthday - Duration::days(7), birthday + Duration::days(60));
        let departs = |o: &Offer| o.departures.iter().copied().find(|(s, _)| *s >= from && *s <= until);
        // A birthday with no tour to offer is looked at again every minute of its window (a
        // tour published meanwhile is still in time): the client's own history is read only
        // when there is something to rank.
        if !self.catalog(conn).await?.iter().any(|o| departs(o).is_some()) {
            return Ok(Vec::new());
        }
        let (countries, hotels) = store::past_destinations(conn, person.client_id).await?;
        let tags = crate::store::clients::tags_of(conn, crate::domain::ClientId(person.client_id)).await?;
        let tag_keys: Vec<String> = tags.iter().map(|t| crate::domain::PersonName::search_key_of(t)).collect();
        let city = person.city.clone().unwrap_or_default();
        let mut scored: Vec<(i64, NaiveDate, &Offer, (NaiveDate, NaiveDate))> = Vec::new();
        for o in self.catalog(conn).await? {
            let Some(dep) = departs(o) else { continue };
            let score = 3 * i64::from(o.departure_city == city)
                + 2 * i64::from(countries.contains(&o.country))
                + 2 * i64::from(o.hotels.iter().any(|h| hotels.contains(h)))
                + tag_keys.iter().filter(|k| !k.is_empty() && o.words.contains(k.as_str())).count() as i64;
            scored.push((score, dep.0, o, dep));
        }
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.id.0.cmp(&b.2.id.0)));
        Ok(scored
            .into_iter()
            .take(OFFERED)
            .map(|(_, _, o, (s, e))| {
                json!({"id": o.id.0, "title": o.title, "country": o.country, "price": o.price, "dates": format_ru_range(s, e)})
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_ask_for_leap_day_birthdays_in_common_years() {
        let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).unwrap();
        let days = month_days(d(2, 27), d(3, 1));
        let md: Vec<_> = days.iter().map(|(md, day)| (md.as_str(), *day)).collect();
        assert_eq!(md, [("02-27", d(2, 27)), ("02-28", d(2, 28)), ("02-29", d(2, 28)), ("03-01", d(3, 1))]);
        let l = |m, day| NaiveDate::from_ymd_opt(2028, m, day).unwrap();
        let leap: Vec<_> = month_days(l(2, 28), l(2, 29)).into_iter().map(|(md, _)| md).collect();
        assert_eq!(leap, ["02-28", "02-29"]);
    }

    #[test]
    fn kinds_that_do_not_catch_up_are_due_on_their_day_only() {
        assert!(due(NotificationKind::PaymentDue, 1, 3));
        assert!(!due(NotificationKind::PaymentDue, 4, 3));
        assert!(due(NotificationKind::DepartureTomorrow, 1, 1));
        assert!(!due(NotificationKind::DepartureTomorrow, 0, 1));
        assert!(!due(NotificationKind::BirthdayGreeting, 1, 0));
    }
}

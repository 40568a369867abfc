//! Clients: registration (by themselves in the bot, or by an agent), the client card, search,
//! tags, consents, agent assignment and the blacklist.

use super::Crm;
use super::documents::sees_documents;
use super::scope::Scope;
use super::signing::ShownText;
use crate::audit::{AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{BirthDate, City, ClientId, Invalid, PersonName, Phone, Role, StaffId, TagName};
use crate::store::clients::{
    self as store, BlacklistEvent, Client, ClientFilter, ConsentEvent, ConsentKind, NewClientRow,
};
use crate::store::documents::{self, Owner};
use crate::{Actor, Conflict, Error, Result, text};

/// A registration, already parsed into domain types by the front-end.
#[derive(Debug, Clone)]
pub struct NewClient {
    pub full_name: PersonName,
    pub phone: Phone,
    pub birth_date: BirthDate,
    pub city: City,
    pub telegram_id: Option<i64>,
    pub telegram_username: Option<String>,
    /// Where the client came from, e.g. a deep-link payload `post_123`.
    pub source: Option<String>,
    pub personal_data_consent: bool,
    pub marketing_consent: bool,
    /// The agent to assign; agents always get their own clients, admins may choose.
    pub agent_id: Option<StaffId>,
}

/// A client's contact data as staff correct it on the card: each field is what registration
/// asks, parsed the same way.
#[derive(Debug, Clone)]
pub struct ClientContacts {
    pub full_name: PersonName,
    pub phone: Phone,
    pub birth_date: BirthDate,
    pub city: City,
}

/// Everything the client card shows, except decrypted documents (those are read one by one,
/// each read audited).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClientCard {
    pub client: Client,
    /// The kinds of documents on file; `None` for an actor who sees no personal documents.
    pub documents_on_file: Option<Vec<String>>,
    pub blacklist_history: Vec<BlacklistEvent>,
    pub consent_history: Vec<ConsentEvent>,
}

pub(crate) use super::scope::Access;

/// DESIGN.md's role table for one client record ([`Scope`]).
fn shown_pair(shown: &Option<ShownText>) -> Option<(&str, &str)> {
    shown.as_ref().map(|s| (s.version.as_str(), s.sha256.as_str()))
}

pub(crate) fn check_access(actor: &Actor, client: &Client, access: Access) -> Result<()> {
    if Scope::of(actor, access).client(client) { Ok(()) } else { Err(Error::Forbidden("this client is not yours")) }
}

/// A client record as this actor may see it. The foreign passport's expiry is kept in clear
/// for the reminder, but it is document data: hidden from whoever sees no documents.
fn as_seen_by(actor: &Actor, mut client: Client) -> Client {
    if !sees_documents(actor) {
        client.foreign_passport_expires_on = None;
    }
    client
}

impl Crm {
    /// Loads a client and checks the actor may touch it. A client the actor may not see is
    /// reported as forbidden, never with its data; one it may see comes as [`as_seen_by`] it.
    pub(crate) async fn client_for(&self, actor: &Actor, id: ClientId, access: Access) -> Result<Client> {
        let client = store::get(&mut *self.store.conn().await?, id).await?.ok_or(Error::NotFound("client"))?;
        check_access(actor, &client, access)?;
        Ok(as_seen_by(actor, client))
    }

    pub async fn register_client(&self, actor: &Actor, new: NewClient) -> Result<Client> {
        // A Telegram user who browsed first came from the source of their first /start.
        let source = match (new.source, actor) {
            (None, Actor::Telegram(tid)) => {
                crate::store::starts::source_of(&mut *self.store.conn().await?, *tid).await?
            }
            (source, _) => source,
        };
        let new = NewClient { source, ..new };
        let agent_id = match actor {
            Actor::System | Actor::Staff { role: Role::Admin, .. } => new.agent_id,
            Actor::Staff { id, role: Role::Agent } => Some(*id),
            Actor::Telegram(tid) if new.telegram_id == Some(*tid) => None,
            _ => return Err(Error::Forbidden("only agents, admins and the client themself register clients")),
        };
        if matches!(actor, Actor::Telegram(_)) && !new.personal_data_consent {
            // Self-registration is impossible without consent to personal-data processing.
            return Err(Error::Invalid(Invalid::ConsentRequired));
        }
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        if let Some(existing) = store::by_phone(&mut tx, new.phone.as_str()).await? {
            return Err(Error::Conflict(Conflict::PhoneTaken(existing.id.0)));
        }
        if let Some(agent) = agent_id {
            let staff = crate::store::staff::get(&mut tx, agent).await?;
            if !staff.is_some_and(|s| s.active && s.role == Role::Agent) {
                return Err(Error::NotFound("agent"));
            }
        }
        let actor_name = actor.audit_name();
        let id = store::insert(
            &mut tx,
            &NewClientRow {
                full_name: new.full_name.as_str(),
                name_key: &new.full_name.search_key(),
                phone: new.phone.as_str(),
                birth_date: new.birth_date.date(),
                city: &new.city,
                telegram_id: new.telegram_id,
                telegram_username: new.telegram_username.as_deref(),
                agent_id,
                source: new.source.as_deref(),
                pd_consent_at: None,
                marketing_consent: false,
                created_by: actor.staff_id(),
                now,
            },
        )
        .await
        .map_err(|e| match Error::from(e) {
            // Two registrations raced on one phone, or the Telegram account already has a card.
            Error::Db(sqlx::Error::Database(d)) if d.is_unique_violation() && d.message().contains("phone") => {
                Error::Conflict(Conflict::PhoneTaken(0))
            }
            other => other.on_unique(Conflict::TelegramTaken),
        })?;
        // The client's own registration answered the bot's questions: the texts shown go with
        // the answers. Staff registering a client showed them nothing of ours.
        let own = matches!(actor, Actor::Telegram(_));
        if new.personal_data_consent {
            let shown = own.then(ShownText::personal_data);
            store::set_consent(&mut tx, id, ConsentKind::PersonalData, true, &actor_name, shown_pair(&shown), now)
                .await?;
        }
        if new.marketing_consent {
            let shown = own.then(ShownText::marketing);
            store::set_consent(&mut tx, id, ConsentKind::Marketing, true, &actor_name, shown_pair(&shown), now).await?;
        }
        let client = store::get(&mut tx, id).await?.ok_or(Error::NotFound("client"))?;
        tx.commit(
            Entry::new(AuditAction::ClientRegister, AuditObject::Client(id))
                .with_some(AuditField::Source, new.source.as_deref().map(source_title_ru)),
        )
        .await?;
        Ok(as_seen_by(actor, client))
    }

    pub async fn get_client(&self, actor: &Actor, id: ClientId) -> Result<Client> {
        self.client_for(actor, id, Access::Read).await
    }

    pub async fn client_card(&self, actor: &Actor, id: ClientId) -> Result<ClientCard> {
        let client = self.client_for(actor, id, Access::Read).await?;
        let mut conn = self.store.conn().await?;
        Ok(ClientCard {
            documents_on_file: if sees_documents(actor) {
                Some(documents::kinds_of(&mut conn, Owner::Client(id.0)).await?)
            } else {
                None
            },
            blacklist_history: store::blacklist_history(&mut conn, id).await?,
            consent_history: store::consent_history(&mut conn, id).await?,
            client,
        })
    }

    /// The client behind a Telegram account, for the bot. Only the account itself (or the
    /// system) may ask.
    pub async fn client_by_telegram(&self, actor: &Actor, telegram_id: i64) -> Result<Option<Client>> {
        match actor {
            Actor::System => {}
            Actor::Telegram(t) if *t == telegram_id => {}
            _ => return Err(Error::Forbidden("a Telegram lookup is the bot's")),
        }
        Ok(store::by_telegram(&mut *self.store.conn().await?, telegram_id).await?.map(|c| as_seen_by(actor, c)))
    }

    /// The client list: agents see only their own clients, whatever the filter says.
    pub async fn list_clients(&self, actor: &Actor, mut filter: ClientFilter) -> Result<Vec<Client>> {
        match Scope::of(actor, Access::Read) {
            Scope::All => {}
            Scope::Agent(id) => filter.agent_id = Some(id),
            Scope::Operator(_) | Scope::Client(_) | Scope::Nothing => {
                return Err(Error::Forbidden("the client list is for staff"));
            }
        }
        let clients = store::list(&mut *self.store.conn().await?, &filter).await?;
        Ok(clients.into_iter().map(|c| as_seen_by(actor, c)).collect())
    }

    /// Builds a search filter from one box: digits search the phone, anything else the name.
    pub fn search_filter(query: &str) -> ClientFilter {
        let q = query.trim();
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        let only_phone_chars = q.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c));
        let mut f = ClientFilter { limit: 50, ..Default::default() };
        if q.is_empty() {
        } else if only_phone_chars && digits.len() >= 3 {
            // People type 8… for +7…: search the national part.
            let national = if digits.len() == 11 && (digits.starts_with('8') || digits.starts_with('7')) {
                digits[1..].to_owned()
            } else {
                digits
            };
            f.phone_digits = Some(national);
        } else {
            f.name_key = Some(crate::domain::PersonName::search_key_of(q));
        }
        f
    }

    pub async fn set_blacklist(&self, actor: &Actor, id: ClientId, on: bool, reason: &str) -> Result<Client> {
        actor.require(&[Role::Admin], "only an admin changes the blacklist")?;
        let reason = crate::domain::reason(reason, 500)?;
        self.client_for(actor, id, Access::Write).await?;
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        if !store::set_blacklist(&mut tx, id, on, &reason, actor.staff_id(), &actor.audit_name(), now).await? {
            return Err(Error::Conflict(Conflict::NoChange(if on {
                "already blacklisted"
            } else {
                "not blacklisted"
            })));
        }
        let action = if on { AuditAction::ClientBlacklist } else { AuditAction::ClientUnblacklist };
        let client = store::get(&mut tx, id).await?.ok_or(Error::NotFound("client"))?;
        tx.commit(Entry::new(action, AuditObject::Client(id)).with(AuditField::Reason, reason)).await?;
        Ok(as_seen_by(actor, client))
    }

    /// Marketing consent on or off: by the client (bot settings, «Отписаться», `/stop`), their
    /// agent or an admin. Returns whether anything changed.
    pub async fn set_marketing_consent(&self, actor: &Actor, id: ClientId, granted: bool) -> Result<bool> {
        self.set_consent(actor, id, ConsentKind::Marketing, granted).await
    }

    pub async fn set_personal_data_consent(&self, actor: &Actor, id: ClientId, granted: bool) -> Result<bool> {
        self.set_consent(actor, id, ConsentKind::PersonalData, granted).await
    }

    async fn set_consent(&self, actor: &Actor, id: ClientId, kind: ConsentKind, granted: bool) -> Result<bool> {
        self.client_for(actor, id, Access::Write).await?;
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let changed = store::set_consent(&mut tx, id, kind, granted, &actor.audit_name(), None, now).await?;
        if changed {
            tx.commit(Entry::new(AuditAction::consent(kind, granted), AuditObject::Client(id))).await?;
        } else {
            tx.commit_unrecorded().await?;
        }
        Ok(changed)
    }

    pub async fn add_tag(&self, actor: &Actor, id: ClientId, tag: &str) -> Result<Client> {
        self.change_tag(actor, id, tag, true).await
    }

    pub async fn remove_tag(&self, actor: &Actor, id: ClientId, tag: &str) -> Result<Client> {
        self.change_tag(actor, id, tag, false).await
    }

    async fn change_tag(&self, actor: &Actor, id: ClientId, tag: &str, add: bool) -> Result<Client> {
        if matches!(actor, Actor::Client(_)) {
            return Err(Error::Forbidden("tags are the agency's"));
        }
        let tag = TagName::parse(tag)?;
        self.client_for(actor, id, Access::Write).await?;
        let mut tx = self.audited(actor).await?;
        let changed = if add {
            let tag_id = store::upsert_tag(&mut tx, tag.as_str(), &tag.key()).await?;
            store::add_tag(&mut tx, id, tag_id).await?
        } else {
            store::remove_tag(&mut tx, id, &tag.key()).await?
        };
        let client = store::get(&mut tx, id).await?.ok_or(Error::NotFound("client"))?;
        if changed {
            let action = if add { AuditAction::ClientTagAdd } else { AuditAction::ClientTagRemove };
            tx.commit(Entry::new(action, AuditObject::Client(id)).with(AuditField::Tag, tag.as_str())).await?;
        } else {
            tx.commit_unrecorded().await?;
        }
        Ok(as_seen_by(actor, client))
    }

    pub async fn all_tags(&self, actor: &Actor) -> Result<Vec<String>> {
        actor.require(&Role::ALL, "tags are for staff")?;
        Ok(store::all_tags(&mut *self.store.conn().await?).await?)
    }

    /// An admin (or the system, when a request needs an agent) assigns the client's agent.
    pub async fn assign_agent(&self, actor: &Actor, id: ClientId, agent: StaffId) -> Result<Client> {
        actor.require(&[Role::Admin], "only an admin reassigns clients")?;
        let mut tx = self.audited(actor).await?;
        let staff = crate::store::staff::get(&mut tx, agent).await?;
        let Some(staff) = staff.filter(|s| s.active && s.role == Role::Agent) else {
            return Err(Error::NotFound("agent"));
        };
        if !store::set_agent(&mut tx, id, Some(agent)).await? {
            return Err(Error::NotFound("client"));
        }
        let client = store::get(&mut tx, id).await?.ok_or(Error::NotFound("client"))?;
        // The agent who now has the client hears of it (their questions and bookings come to
        // them from now on), in the same transaction, once per reassignment.
        if actor.staff_id() != Some(agent) {
            let now = tx.now();
            let body = text::fill("staff_note", "client_assigned", &[("client", &client.full_name)]);
            let key = format!("assigned_note:{}:{}:{}", id.0, agent.0, now.timestamp_micros());
            let msg = crate::store::outbox::NewMessage::service(key, "assigned_note", id, body, now);
            crate::store::outbox::insert_for_staff(&mut tx, &msg, agent, now).await?;
        }
        tx.commit(
            Entry::new(AuditAction::ClientAssignAgent, AuditObject::Client(id)).with(AuditField::Agent, staff.name),
        )
        .await?;
        Ok(as_seen_by(actor, client))
    }

    /// Staff correct the client's name, phone, birth date and departure city (a typo at
    /// registration, a new number). A phone on another card is refused, as at registration; a
    /// birth date after the client's documents on file were issued is refused as when they were
    /// saved. The unsigned documents that state the old data are made anew (returned).
    pub async fn edit_client(
        &self,
        actor: &Actor,
        id: ClientId,
        new: &ClientContacts,
    ) -> Result<(Client, Vec<crate::services::DocumentLine>)> {
        actor.require(&[Role::Admin, Role::Agent], "staff correct a client's card")?;
        let before = self.client_for(actor, id, Access::Write).await?;
        let born = new.birth_date.date();
        let (name_changed, birth_changed) =
            (before.full_name != new.full_name.as_str(), before.birth_date != Some(born));
        let changed: Vec<&str> = [
            (name_changed, text::get("client_field", "full_name")),
            (before.phone != new.phone.as_str(), text::get("client_field", "phone")),
            (birth_changed, text::get("client_field", "birth_date")),
            (
                before.city.as_deref() != Some(new.city.name()) || before.time_zone != new.city.tz(),
                text::get("client_field", "city"),
            ),
        ]
        .into_iter()
        .filter_map(|(differs, title)| differs.then_some(title))
        .collect();
        if changed.is_empty() {
            return Err(Error::Conflict(Conflict::NoChange("the client's card is already so")));
        }
        if birth_changed {
            let entry = Entry::new(AuditAction::DocumentCheck, AuditObject::Client(id));
            self.check_issued_after_birth(actor, Owner::Client(id.0), entry, born).await?;
        }
        let mut tx = self.audited(actor).await?;
        if let Some(other) = store::by_phone(&mut tx, new.phone.as_str()).await?.filter(|c| c.id != id) {
            return Err(Error::Conflict(Conflict::PhoneTaken(other.id.0)));
        }
        let row = store::Contacts {
            full_name: new.full_name.as_str(),
            name_key: &new.full_name.search_key(),
            phone: new.phone.as_str(),
            birth_date: born,
            city: &new.city,
        };
        store::set_contacts(&mut tx, id, &row).await.map_err(|e| match Error::from(e) {
            Error::Db(sqlx::Error::Database(d)) if d.is_unique_violation() => Error::Conflict(Conflict::PhoneTaken(0)),
            other => other,
        })?;
        // The client travels on their bookings under their own name and birth date: a
        // correction follows there (the contract then states it, made anew below).
        crate::store::travellers::follow_client(
            &mut tx,
            id,
            (&before.full_name, new.full_name.as_str()),
            (before.birth_date, born),
        )
        .await?;
        let client = store::get(&mut tx, id).await?.ok_or(Error::NotFound("client"))?;
        let entry = Entry::new(AuditAction::ClientEdit, AuditObject::Client(id))
            .with(AuditField::Changed, changed.join(", "))
            .with_some(AuditField::FullName, name_changed.then(|| client.full_name.clone()));
        tx.commit(entry).await?;
        let remade = self.remake_stale(id).await?;
        Ok((as_seen_by(actor, client), remade))
    }

    pub async fn change_city(&self, actor: &Actor, id: ClientId, city: City) -> Result<Client> {
        self.client_for(actor, id, Access::Write).await?;
        let mut tx = self.audited(actor).await?;
        store::set_city(&mut tx, id, &city).await?;
        let client = store::get(&mut tx, id).await?.ok_or(Error::NotFound("client"))?;
        tx.commit(Entry::new(AuditAction::ClientCity, AuditObject::Client(id)).with(AuditField::City, city.name()))
            .await?;
        Ok(as_seen_by(actor, client))
    }
}

impl Crm {
    /// A client an agent registered (with no Telegram yet) starts using the bot: the Telegram
    /// account whose own contact carries the card's phone is linked to it, and the consents
    /// the client just gave are recorded. Nothing is duplicated.
    pub async fn link_telegram_by_phone(
        &self,
        actor: &Actor,
        phone: &Phone,
        username: Option<&str>,
        personal_data_consent: bool,
        marketing_consent: bool,
        corrected_name: Option<&PersonName>,
    ) -> Result<Client> {
        let Actor::Telegram(telegram_id) = *actor else {
            return Err(Error::Forbidden("linking is done by the Telegram account itself"));
        };
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let client = store::by_phone(&mut tx, phone.as_str()).await?.ok_or(Error::NotFound("client"))?;
        if client.telegram_id.is_some() {
            return Err(Error::Conflict(Conflict::PhoneTaken(client.id.0)));
        }
        store::set_telegram(&mut tx, client.id, telegram_id, username)
            .await
            .map_err(|e| Error::from(e).on_unique(Conflict::TelegramTaken))?;
        let name = actor.audit_name();
        if personal_data_consent {
            // Linking is the client's own registration: the question shown goes with the answer.
            let shown = ShownText::personal_data();
            let shown = Some((shown.version.as_str(), shown.sha256.as_str()));
            store::set_consent(&mut tx, client.id, ConsentKind::PersonalData, true, &name, shown, now).await?;
        }
        if marketing_consent {
            let shown = ShownText::marketing();
            let shown = Some((shown.version.as_str(), shown.sha256.as_str()));
            store::set_consent(&mut tx, client.id, ConsentKind::Marketing, true, &name, shown, now).await?;
        }
        // The name on record was shown to the client to confirm or correct: either answer goes
        // to the client's history, so the agent sees who the card now answers to.
        let renamed = corrected_name.filter(|n| n.as_str() != client.full_name);
        if let Some(n) = renamed {
            store::set_name(&mut tx, client.id, n.as_str(), &n.search_key()).await?;
        }
        super::linking::note_link(&mut tx, &client, renamed, &name, now).await?;
        let linked = store::get(&mut tx, client.id).await?.ok_or(Error::NotFound("client"))?;
        tx.commit(
            Entry::new(AuditAction::ClientTelegramLinked, AuditObject::Client(client.id))
                .with_some(AuditField::FullName, renamed.map(|n| n.as_str().to_owned())),
        )
        .await?;
        Ok(as_seen_by(actor, linked))
    }
}

/// Where a client came from, in words: the product's own codes (`panel`, `agent_bot`), or the
/// marketing tag of the `/start` link they came by — never the raw code.
pub fn source_title_ru(code: &str) -> String {
    match code {
        "panel" => crate::text::get("client_source", "panel").to_owned(),
        "agent_bot" => crate::text::get("client_source", "agent_bot").to_owned(),
        tag => crate::text::fill("client_source", "link", &[("tag", &tag)]),
    }
}

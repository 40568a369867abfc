-- The history of commission rates: an agent's default rate or a tour's override, who changed
-- it, when, from what to what, and from which day it applies. Never updated or deleted. The
-- rate in force on a day is the latest change applying on or before it (the staff and tours
-- columns keep the rate set before this history began). A booking copies the rate in force
-- on its day into bookings.commission_bp and keeps it.
CREATE TABLE commission_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id INTEGER REFERENCES staff (id),
    tour_id INTEGER REFERENCES tours (id),
    -- NULL: no rate (an agent without one earns 0; a tour without one follows its agents').
    old_bp INTEGER,
    new_bp INTEGER,
    applies_from TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    CHECK ((agent_id IS NULL) <> (tour_id IS NULL))
);
CREATE INDEX commission_changes_agent ON commission_changes (agent_id, applies_from, id);
CREATE INDEX commission_changes_tour ON commission_changes (tour_id, applies_from, id);

-- What an agent was accrued and paid (the payout form, the commissions page) and the statement
-- filtered by a counterparty, without reading the whole ledger.
CREATE INDEX operations_counterparty ON operations (counterparty_kind, counterparty_id, kind);

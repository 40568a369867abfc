-- Catalog and sales: partner hotels (managers, rooms with seasonal prices, cancellation terms,
-- versioned agreements), tours (route, services, hotels, departures with seats), bookings
-- (travellers, rooms, payment schedule, status history) and the append-only operations ledger.
-- Money: INTEGER minor units + ISO currency code. Percentages: basis points (1% = 100).

ALTER TABLE staff ADD COLUMN commission_bp INTEGER;

CREATE TABLE hotels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    city TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    stars INTEGER CHECK (stars IS NULL OR stars BETWEEN 1 AND 5),
    description TEXT NOT NULL DEFAULT '',
    -- Cancellation is free until this many days before arrival; closer, the rules below apply.
    free_cancellation_days INTEGER NOT NULL DEFAULT 0,
    archived INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX hotels_place ON hotels (country, city);

CREATE TABLE hotel_managers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hotel_id INTEGER NOT NULL REFERENCES hotels (id),
    name TEXT NOT NULL,
    position TEXT NOT NULL DEFAULT '',
    phone TEXT,
    email TEXT,
    telegram TEXT,
    active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX hotel_managers_hotel ON hotel_managers (hotel_id);

CREATE TABLE hotel_rooms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hotel_id INTEGER NOT NULL REFERENCES hotels (id),
    room_type TEXT NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 20),
    meal_plan TEXT NOT NULL CHECK (meal_plan IN ('RO', 'BB', 'HB', 'FB', 'AI', 'UAI')),
    description TEXT NOT NULL DEFAULT '',
    archived INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX hotel_rooms_hotel ON hotel_rooms (hotel_id);

CREATE TABLE room_seasons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id INTEGER NOT NULL REFERENCES hotel_rooms (id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    price_per_night INTEGER NOT NULL CHECK (price_per_night >= 0),
    currency TEXT NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX room_seasons_room ON room_seasons (room_id, starts_on);

-- Penalty when cancelling between min_days and max_days (inclusive) before arrival.
CREATE TABLE hotel_cancellation_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hotel_id INTEGER NOT NULL REFERENCES hotels (id),
    min_days INTEGER NOT NULL CHECK (min_days >= 0),
    max_days INTEGER NOT NULL,
    penalty_kind TEXT NOT NULL CHECK (penalty_kind IN ('percent', 'fixed')),
    -- percent: basis points of the room cost; fixed: minor units in `currency`.
    penalty_value INTEGER NOT NULL CHECK (penalty_value >= 0),
    currency TEXT,
    CHECK (max_days >= min_days)
);
CREATE INDEX hotel_cancellation_rules_hotel ON hotel_cancellation_rules (hotel_id, min_days);

-- Agreed terms, versioned: never updated; the one in force on a date is the latest agreed_on <= date.
CREATE TABLE hotel_agreements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hotel_id INTEGER NOT NULL REFERENCES hotels (id),
    agreed_on TEXT NOT NULL,
    commission_bp INTEGER,
    allotment INTEGER,
    special_prices TEXT NOT NULL DEFAULT '',
    terms TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX hotel_agreements_hotel ON hotel_agreements (hotel_id, agreed_on);

CREATE TABLE tours (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('excursion', 'package')),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL,
    region TEXT NOT NULL DEFAULT '',
    departure_city TEXT NOT NULL,
    -- Title, country and region case-folded in Rust: LIKE folds case differently per backend.
    search_key TEXT NOT NULL DEFAULT '',
    price_per_person INTEGER NOT NULL CHECK (price_per_person >= 0),
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    hot_from TEXT,
    hot_until TEXT,
    early_from TEXT,
    early_until TEXT,
    commission_bp INTEGER,
    operator_id INTEGER NOT NULL REFERENCES staff (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX tours_status ON tours (status, country);
CREATE INDEX tours_operator ON tours (operator_id);

CREATE TABLE tour_departures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tour_id INTEGER NOT NULL REFERENCES tours (id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity >= 0),
    -- Seats held by active bookings; changed only together with a booking, in one transaction,
    -- by a conditional UPDATE so two agents cannot both take the last seat.
    seats_booked INTEGER NOT NULL DEFAULT 0 CHECK (seats_booked >= 0),
    CHECK (ends_on >= starts_on),
    CHECK (seats_booked <= capacity)
);
CREATE INDEX tour_departures_tour ON tour_departures (tour_id, starts_on);
CREATE INDEX tour_departures_date ON tour_departures (starts_on);

CREATE TABLE tour_route_points (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tour_id INTEGER NOT NULL REFERENCES tours (id),
    position INTEGER NOT NULL,
    day_number INTEGER NOT NULL,
    place TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    UNIQUE (tour_id, position)
);

CREATE TABLE tour_services (
    tour_id INTEGER NOT NULL REFERENCES tours (id),
    service TEXT NOT NULL,
    included INTEGER NOT NULL,
    PRIMARY KEY (tour_id, service)
);

CREATE TABLE tour_hotels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tour_id INTEGER NOT NULL REFERENCES tours (id),
    hotel_id INTEGER NOT NULL REFERENCES hotels (id),
    room_id INTEGER REFERENCES hotel_rooms (id),
    nights INTEGER NOT NULL CHECK (nights >= 1),
    position INTEGER NOT NULL
);
CREATE INDEX tour_hotels_tour ON tour_hotels (tour_id, position);

CREATE TABLE bookings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id INTEGER NOT NULL REFERENCES clients (id),
    tour_id INTEGER NOT NULL REFERENCES tours (id),
    departure_id INTEGER NOT NULL REFERENCES tour_departures (id),
    agent_id INTEGER REFERENCES staff (id),
    status TEXT NOT NULL CHECK (status IN ('contract_pending', 'contract_signed', 'partially_paid', 'paid',
                                           'cancellation_requested', 'cancelled')),
    travellers_count INTEGER NOT NULL CHECK (travellers_count >= 1),
    -- The price as computed when booked: later tour or room price changes do not rewrite it.
    tour_price_per_person INTEGER NOT NULL,
    rooms_total INTEGER NOT NULL,
    total INTEGER NOT NULL,
    currency TEXT NOT NULL,
    commission_bp INTEGER NOT NULL DEFAULT 0,
    penalty INTEGER,
    refund_due INTEGER,
    notes TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX bookings_client ON bookings (client_id);
CREATE INDEX bookings_agent ON bookings (agent_id, status);
CREATE INDEX bookings_departure ON bookings (departure_id);
CREATE INDEX bookings_status ON bookings (status, id);

CREATE TABLE booking_travellers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id INTEGER NOT NULL REFERENCES bookings (id),
    client_id INTEGER REFERENCES clients (id),
    full_name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX booking_travellers_booking ON booking_travellers (booking_id);

CREATE TABLE booking_rooms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id INTEGER NOT NULL REFERENCES bookings (id),
    hotel_id INTEGER NOT NULL REFERENCES hotels (id),
    room_id INTEGER NOT NULL REFERENCES hotel_rooms (id),
    check_in TEXT NOT NULL,
    nights INTEGER NOT NULL CHECK (nights >= 1),
    rooms INTEGER NOT NULL CHECK (rooms >= 1),
    price_per_night INTEGER NOT NULL,
    currency TEXT NOT NULL,
    total INTEGER NOT NULL
);
CREATE INDEX booking_rooms_booking ON booking_rooms (booking_id);

CREATE TABLE booking_payment_schedule (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id INTEGER NOT NULL REFERENCES bookings (id),
    kind TEXT NOT NULL CHECK (kind IN ('deposit', 'balance', 'full')),
    amount INTEGER NOT NULL CHECK (amount >= 0),
    currency TEXT NOT NULL,
    due_on TEXT NOT NULL
);
CREATE INDEX booking_payment_schedule_booking ON booking_payment_schedule (booking_id, due_on);
CREATE INDEX booking_payment_schedule_due ON booking_payment_schedule (due_on);

CREATE TABLE booking_status_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id INTEGER NOT NULL REFERENCES bookings (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX booking_status_history_booking ON booking_status_history (booking_id, id);

-- Every money movement. Append-only: a mistake is corrected by a reversing operation
-- (the negated amount, pointing to the original through reverses_id).
CREATE TABLE operations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('client_payment', 'client_refund', 'commission_accrued',
                                       'commission_paid', 'hotel_payment', 'operator_payment')),
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    booking_id INTEGER REFERENCES bookings (id),
    counterparty_kind TEXT NOT NULL CHECK (counterparty_kind IN ('client', 'agent', 'hotel', 'operator')),
    counterparty_id INTEGER,
    method TEXT NOT NULL,
    -- A payment provider's id (or a bank document number): the same one is never recorded twice.
    external_id TEXT UNIQUE,
    note TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    reverses_id INTEGER UNIQUE REFERENCES operations (id)
);
CREATE INDEX operations_booking ON operations (booking_id, id);
CREATE INDEX operations_at ON operations (at);
CREATE INDEX operations_kind ON operations (kind, at);

-- Indexes for the financial reports (crm/src/store/reports.rs), each one covering its queries so
-- a report over a year of a million operations reads the index alone (benches/reports.rs prints
-- the plans).
-- Revenue, commissions and hotel expenses: one kind (or two), one currency, a time range; the
-- counterparty, booking, amount and reversal flag are read from the index.
CREATE INDEX operations_report ON operations (kind, currency, at, counterparty_id, booking_id, amount, reverses_id);
-- The statement: one currency in time order (ties by id), and the cash balance before a moment.
CREATE INDEX operations_cash ON operations (currency, at, id, kind, amount);
-- Tours sold: the bookings whose contract was signed in a period.
CREATE INDEX booking_status_history_signed ON booking_status_history (to_status, at, booking_id);

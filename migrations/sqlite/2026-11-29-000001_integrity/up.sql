-- The health check's real write (one row, updated in place).
CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY,
    beat_at TIMESTAMP NOT NULL
);

-- Login throttling counters (shared by every instance; see auth::throttle).
CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts(key, at);

-- Months: open → closed → signed. The kernel guard `periods::ensure_open` refuses any dated
-- write in a month that is not open (a month without a row is open).
CREATE TABLE periods (
    month TEXT PRIMARY KEY CHECK (length(month) = 7 AND month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    state TEXT NOT NULL CHECK (state IN ('open', 'closed', 'signed')),
    changed_at TIMESTAMP NOT NULL,
    changed_by INTEGER
);

-- Walk-ins (served at the counter without an order) are stored apart from staff orders, so a
-- walk-in never takes the place of a person's own order row.
CREATE TABLE walk_ins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    service_date DATE NOT NULL,
    option_id INTEGER NOT NULL REFERENCES meal_options(id),
    price_vnd BIGINT NOT NULL CHECK (price_vnd >= 0),
    status TEXT NOT NULL CHECK (status IN ('served', 'void')),
    served_at TIMESTAMP NOT NULL,
    served_by INTEGER,
    voided_at TIMESTAMP,
    voided_by INTEGER
);
CREATE UNIQUE INDEX walk_ins_one_a_day ON walk_ins(person_id, service_date) WHERE status = 'served';
CREATE INDEX walk_ins_date ON walk_ins(service_date, status);

INSERT INTO walk_ins (person_id, service_date, option_id, price_vnd, status, served_at, served_by)
SELECT person_id, service_date, option_id, price_vnd, 'served', COALESCE(served_at, updated_at), served_by
FROM orders WHERE source = 'walk_in' AND status = 'served'
  AND id NOT IN (SELECT order_id FROM ratings);
DELETE FROM orders WHERE source = 'walk_in' AND status = 'served'
  AND id NOT IN (SELECT order_id FROM ratings);
UPDATE orders SET source = 'kitchen' WHERE source = 'walk_in';

-- Why a meal (or a guest meal) is cancelled, while it is: the person, the kitchen on their
-- behalf, the day closed, an absence (cancel_ref = its id), the person having left. When the
-- cause goes away, exactly the rows still cancelled by it come back.
ALTER TABLE orders ADD COLUMN cancel_cause TEXT
    CHECK (cancel_cause IN ('self', 'kitchen', 'day_closed', 'absence', 'person_left'));
ALTER TABLE orders ADD COLUMN cancel_ref TEXT;
ALTER TABLE guest_meals ADD COLUMN cancel_cause TEXT
    CHECK (cancel_cause IN ('self', 'kitchen', 'day_closed', 'absence', 'person_left'));
ALTER TABLE guest_meals ADD COLUMN cancel_ref TEXT;
UPDATE orders SET cancel_cause = CASE WHEN note = 'day_closed' THEN 'day_closed' ELSE 'self' END
WHERE status = 'cancelled';
UPDATE guest_meals SET cancel_cause = 'self' WHERE status = 'cancelled';

-- (The states of orders and guest_meals become CHECK constraints in the next migration, which
-- rebuilds those tables outside a transaction.)
CREATE TRIGGER absences_check_insert BEFORE INSERT ON absences
WHEN NEW.end_date < NEW.start_date
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: absences dates'); END;

-- Every change of a meal, a guest meal or a walk-in: append-only.
-- (No AUTOINCREMENT: rows are never deleted, so rowids only grow anyway, and it would cost a
-- write to sqlite_sequence per event.)
CREATE TABLE order_events (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('meal', 'guests', 'walk_in')),
    row_id INTEGER NOT NULL,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    service_date DATE NOT NULL,
    at TIMESTAMP NOT NULL,
    by_user INTEGER,
    source TEXT NOT NULL CHECK (source IN ('staff', 'kitchen', 'standing', 'counter', 'calendar', 'absence', 'people', 'system')),
    from_status TEXT,
    to_status TEXT NOT NULL,
    option_id INTEGER,
    price_vnd BIGINT,
    guests INTEGER,
    cause TEXT CHECK (cause IN ('self', 'kitchen', 'day_closed', 'absence', 'person_left')),
    reason TEXT
);
CREATE INDEX order_events_person ON order_events(person_id, service_date);

CREATE TRIGGER order_events_no_update BEFORE UPDATE ON order_events
BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;
CREATE TRIGGER order_events_no_delete BEFORE DELETE ON order_events
BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;

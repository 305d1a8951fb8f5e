-- The health check's real write (one row, updated in place).
CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY,
    beat_at TIMESTAMP NOT NULL
);

-- Login throttling counters (shared by every instance; see auth::throttle).
CREATE TABLE login_attempts (
    id SERIAL PRIMARY KEY,
    key TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts(key, at);

-- Months: open → closed → signed. The kernel guard `periods::ensure_open` refuses any dated
-- write in a month that is not open (a month without a row is open).
CREATE TABLE periods (
    month TEXT PRIMARY KEY CHECK (month ~ '^[0-9]{4}-[01][0-9]$'),
    state TEXT NOT NULL CHECK (state IN ('open', 'closed', 'signed')),
    changed_at TIMESTAMP NOT NULL,
    changed_by INTEGER
);

-- Walk-ins (served at the counter without an order) are stored apart from staff orders, so a
-- walk-in never takes the place of a person's own order row.
CREATE TABLE walk_ins (
    id SERIAL PRIMARY KEY,
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

ALTER TABLE orders ADD CONSTRAINT orders_status_check
    CHECK (status IN ('ordered', 'cancelled', 'served', 'no_show'));
ALTER TABLE orders ADD CONSTRAINT orders_source_check
    CHECK (source IN ('staff', 'standing', 'kitchen'));
ALTER TABLE orders ADD CONSTRAINT orders_price_check CHECK (price_vnd >= 0);
ALTER TABLE guest_meals ADD CONSTRAINT guest_meals_status_check
    CHECK (status IN ('ordered', 'cancelled', 'served'));
ALTER TABLE guest_meals ADD CONSTRAINT guest_meals_guests_check CHECK (guests >= 0 AND price_vnd >= 0);
ALTER TABLE absences ADD CONSTRAINT absences_dates_check CHECK (end_date >= start_date);

-- Every change of a meal, a guest meal or a walk-in: append-only.
CREATE TABLE order_events (
    id SERIAL PRIMARY KEY,
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

CREATE FUNCTION order_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'order_events is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER order_events_no_update BEFORE UPDATE OR DELETE ON order_events
FOR EACH ROW EXECUTE FUNCTION order_events_append_only();
CREATE TRIGGER order_events_no_truncate BEFORE TRUNCATE ON order_events
FOR EACH STATEMENT EXECUTE FUNCTION order_events_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- A deployment where the server does not own the append-only tables: `canteen migrate` runs
-- as the owner; `canteen serve --no-migrate` logs in as a member of canteen_app, which may
-- read and write business tables but only read and append to audit_log and order_events (and
-- cannot drop their triggers, which only the owner can). Creating the role needs CREATEROLE;
-- without it a DBA creates canteen_app first (see README) and the grants still apply.
DO $$ BEGIN
    CREATE ROLE canteen_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation OR insufficient_privilege THEN
    RAISE NOTICE 'role canteen_app not created here: %', SQLERRM;
END $$;
DO $$ BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO canteen_app', current_schema());
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO canteen_app', current_schema());
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO canteen_app', current_schema());
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, order_events FROM canteen_app;
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO canteen_app', current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO canteen_app', current_schema());
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE NOTICE 'grants to canteen_app not made: %', SQLERRM;
END $$;

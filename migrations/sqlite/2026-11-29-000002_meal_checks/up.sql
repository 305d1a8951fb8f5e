-- States, sources and causes of meals and guest meals as CHECK constraints: the tables are
-- rebuilt with them (SQLite's documented procedure: foreign keys off, one transaction, copy,
-- drop, rename, check every foreign key, commit).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE orders_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    service_date DATE NOT NULL,
    option_id INTEGER NOT NULL REFERENCES meal_options(id),
    price_vnd BIGINT NOT NULL CHECK (price_vnd >= 0),
    status TEXT NOT NULL CHECK (status IN ('ordered', 'cancelled', 'served', 'no_show')),
    source TEXT NOT NULL CHECK (source IN ('staff', 'standing', 'kitchen')),
    note TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER,
    served_at TIMESTAMP,
    served_by INTEGER,
    cancel_cause TEXT CHECK (cancel_cause IN ('self', 'kitchen', 'day_closed', 'absence', 'person_left')),
    cancel_ref TEXT,
    UNIQUE (person_id, service_date)
);
INSERT INTO orders_new (id, person_id, service_date, option_id, price_vnd, status, source, note,
    created_at, updated_at, updated_by, served_at, served_by, cancel_cause, cancel_ref)
SELECT id, person_id, service_date, option_id, price_vnd, status, source, note,
    created_at, updated_at, updated_by, served_at, served_by, cancel_cause, cancel_ref
FROM orders;
DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;
CREATE INDEX orders_date ON orders(service_date, status);
CREATE INDEX orders_option ON orders(option_id, status);

CREATE TABLE guest_meals_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    service_date DATE NOT NULL,
    option_id INTEGER NOT NULL REFERENCES meal_options(id),
    guests INTEGER NOT NULL CHECK (guests >= 0),
    price_vnd BIGINT NOT NULL CHECK (price_vnd >= 0),
    status TEXT NOT NULL CHECK (status IN ('ordered', 'cancelled', 'served')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    cancel_cause TEXT CHECK (cancel_cause IN ('self', 'kitchen', 'day_closed', 'absence', 'person_left')),
    cancel_ref TEXT,
    UNIQUE (person_id, service_date)
);
INSERT INTO guest_meals_new (id, person_id, service_date, option_id, guests, price_vnd, status,
    created_at, updated_at, cancel_cause, cancel_ref)
SELECT id, person_id, service_date, option_id, guests, price_vnd, status,
    created_at, updated_at, cancel_cause, cancel_ref
FROM guest_meals;
DROP TABLE guest_meals;
ALTER TABLE guest_meals_new RENAME TO guest_meals;
CREATE INDEX guest_meals_date ON guest_meals(service_date);

-- A violation here aborts the migration (RAISE inside a trigger is not available outside one,
-- so a temporary table with a CHECK does it): no orphan may be left behind.
CREATE TEMP TABLE fk_problems (n INTEGER CHECK (n = 0));
INSERT INTO fk_problems SELECT COUNT(*) FROM pragma_foreign_key_check;
DROP TABLE fk_problems;

COMMIT;
PRAGMA foreign_keys = ON;

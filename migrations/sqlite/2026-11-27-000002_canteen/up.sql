CREATE TABLE dishes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    vegetarian BOOLEAN NOT NULL DEFAULT 0,
    allergens TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);

-- One row per day that differs from the default (Mon–Fri open) or has a published menu.
CREATE TABLE service_days (
    service_date DATE PRIMARY KEY,
    is_open BOOLEAN NOT NULL,
    reason TEXT,
    published BOOLEAN NOT NULL DEFAULT 0,
    service_closed_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE meal_options (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service_date DATE NOT NULL,
    name TEXT NOT NULL,
    price_vnd BIGINT NOT NULL,
    capacity INTEGER,
    vegetarian BOOLEAN NOT NULL DEFAULT 0,
    dishes TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    UNIQUE (service_date, name)
);
CREATE INDEX meal_options_date ON meal_options(service_date);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    service_date DATE NOT NULL,
    option_id INTEGER NOT NULL REFERENCES meal_options(id),
    price_vnd BIGINT NOT NULL,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    note TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER,
    served_at TIMESTAMP,
    served_by INTEGER,
    UNIQUE (person_id, service_date)
);
CREATE INDEX orders_date ON orders(service_date, status);
CREATE INDEX orders_option ON orders(option_id, status);

CREATE TABLE guest_meals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    service_date DATE NOT NULL,
    option_id INTEGER NOT NULL REFERENCES meal_options(id),
    guests INTEGER NOT NULL,
    price_vnd BIGINT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (person_id, service_date)
);
CREATE INDEX guest_meals_date ON guest_meals(service_date);

CREATE TABLE standing_orders (
    person_id INTEGER PRIMARY KEY REFERENCES persons(id),
    weekdays TEXT NOT NULL,
    prefer_vegetarian BOOLEAN NOT NULL DEFAULT 0,
    lunar_vegetarian BOOLEAN NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE absences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    kind TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX absences_person ON absences(person_id, start_date);

CREATE TABLE meal_passes (
    person_id INTEGER PRIMARY KEY REFERENCES persons(id),
    token TEXT NOT NULL UNIQUE,
    rotated_at TIMESTAMP NOT NULL
);

CREATE TABLE ratings (
    order_id INTEGER PRIMARY KEY REFERENCES orders(id),
    score INTEGER NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE waste_log (
    service_date DATE PRIMARY KEY,
    prepared INTEGER NOT NULL,
    leftover INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL
);

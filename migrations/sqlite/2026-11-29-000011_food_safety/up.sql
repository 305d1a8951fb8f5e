-- #12: food-safety records of Decision 1246/QĐ-BYT (2017): the three-step food check
-- (kiểm thực ba bước), food samples kept and discarded (lưu mẫu), suppliers' food-safety
-- certificates, and incidents (suspected food poisoning) with their trace.

-- A supplier's food-safety certificate (giấy chứng nhận cơ sở đủ điều kiện ATTP). Deliveries
-- from a supplier need one valid on the delivery date.
CREATE TABLE food_certificates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    supplier_id INTEGER NOT NULL REFERENCES suppliers(id),
    number TEXT NOT NULL CHECK (length(number) BETWEEN 1 AND 100),
    issuer TEXT NOT NULL CHECK (length(issuer) BETWEEN 1 AND 200),
    valid_until DATE NOT NULL,
    attachment_id INTEGER REFERENCES attachments(id),
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id)
);
CREATE INDEX food_certificates_supplier ON food_certificates(supplier_id, valid_until);

-- Step 1: a delivery received and checked before processing. Fresh goods (form 1A) and dry
-- or packaged goods (form 1B) are separate deliveries, as the official forms keep them.
CREATE TABLE food_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service_date DATE NOT NULL,
    supplier_id INTEGER NOT NULL REFERENCES suppliers(id),
    goods TEXT NOT NULL CHECK (goods IN ('fresh', 'dry')),
    received_at TIMESTAMP NOT NULL,
    invoice_ref TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    checked_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX food_deliveries_day ON food_deliveries(service_date);

CREATE TABLE food_delivery_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL REFERENCES food_deliveries(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    quantity TEXT NOT NULL,
    unit TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT '',
    lot_ref TEXT NOT NULL DEFAULT '',
    expiry DATE,
    -- Tenths of a degree Celsius, when measured.
    temperature_dt INTEGER CHECK (temperature_dt BETWEEN -500 AND 1000),
    sensory_ok BOOLEAN NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    UNIQUE (delivery_id, position)
);

-- Step 2: during processing, one record per dish and day (re-recording replaces it, audited).
CREATE TABLE food_prep_checks (
    service_date DATE NOT NULL,
    dish_id INTEGER NOT NULL REFERENCES dishes(id),
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    people_ok BOOLEAN NOT NULL,
    tools_ok BOOLEAN NOT NULL,
    area_ok BOOLEAN NOT NULL,
    sensory_ok BOOLEAN NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    checked_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (service_date, dish_id),
    CHECK (finished_at >= started_at)
);

-- Step 3: before serving, one record per dish and day.
CREATE TABLE food_serve_checks (
    service_date DATE NOT NULL,
    dish_id INTEGER NOT NULL REFERENCES dishes(id),
    ready_at TIMESTAMP NOT NULL,
    covered_ok BOOLEAN NOT NULL,
    sensory_ok BOOLEAN NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    checked_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (service_date, dish_id)
);

-- The sample kept of each dish served (form 4): grams for solid dishes, millilitres for
-- liquid ones (as the dish was when the sample was taken), kept cold, discarded after the
-- retention time unless an open incident holds it.
CREATE TABLE food_samples (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service_date DATE NOT NULL,
    dish_id INTEGER NOT NULL REFERENCES dishes(id),
    taken_at TIMESTAMP NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0 AND amount <= 5000),
    liquid BOOLEAN NOT NULL,
    storage_dt INTEGER NOT NULL CHECK (storage_dt BETWEEN 20 AND 80),
    container TEXT NOT NULL DEFAULT '',
    taken_by INTEGER NOT NULL REFERENCES users(id),
    discarded_at TIMESTAMP,
    discarded_by INTEGER REFERENCES users(id),
    discard_note TEXT NOT NULL DEFAULT '',
    UNIQUE (service_date, dish_id),
    CHECK ((discarded_at IS NULL) = (discarded_by IS NULL)),
    CHECK (discarded_at IS NULL OR discarded_at >= taken_at)
);

-- A suspected food-poisoning case, tied to the day of the meal. `people` and `symptoms` are
-- health data: only kitchen managers and admins see them.
CREATE TABLE food_incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    meal_date DATE NOT NULL,
    affected INTEGER NOT NULL CHECK (affected BETWEEN 1 AND 100000),
    summary TEXT NOT NULL CHECK (length(summary) BETWEEN 1 AND 500),
    symptoms TEXT NOT NULL DEFAULT '',
    people TEXT NOT NULL DEFAULT '',
    reported_at TIMESTAMP NOT NULL,
    reported_by INTEGER NOT NULL REFERENCES users(id),
    closed_at TIMESTAMP,
    closed_by INTEGER REFERENCES users(id),
    outcome TEXT NOT NULL DEFAULT '',
    CHECK ((closed_at IS NULL) = (closed_by IS NULL))
);
CREATE INDEX food_incidents_day ON food_incidents(meal_date);

-- A held sample may not be discarded: the database refuses it too.
CREATE TRIGGER food_samples_held BEFORE UPDATE OF discarded_at ON food_samples
WHEN NEW.discarded_at IS NOT NULL AND EXISTS (
    SELECT 1 FROM food_incidents i WHERE i.meal_date = NEW.service_date AND i.closed_at IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'food sample held by an open incident');
END;

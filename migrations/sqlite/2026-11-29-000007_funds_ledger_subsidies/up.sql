-- Money data shared by subsidies and welfare: funds with yearly budgets, a voucher ledger
-- (immutable once posted; corrections by reversing vouchers), the national base salary and
-- each person's salary basis (effective-dated), eligibility decisions (low-income bands),
-- subsidy policies and the no-show rule, and attachments (files kept in the database).

CREATE TABLE funds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind = 'budget' OR kind = 'welfare' OR kind = 'union'),
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE fund_budgets (
    fund_id INTEGER NOT NULL REFERENCES funds(id),
    year INTEGER NOT NULL CHECK (year >= 2000 AND year <= 2100),
    planned_vnd BIGINT NOT NULL CHECK (planned_vnd >= 0),
    PRIMARY KEY (fund_id, year)
);

-- Receipts and payments, numbered per fund, year and kind (PT/PC 1, 2, …). A posted voucher
-- never changes; a mistake is corrected by a reversing voucher (`reverses`), at most one.
CREATE TABLE vouchers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fund_id INTEGER NOT NULL REFERENCES funds(id),
    year INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind = 'receipt' OR kind = 'payment'),
    number INTEGER NOT NULL CHECK (number > 0),
    voucher_date DATE NOT NULL,
    amount_vnd BIGINT NOT NULL CHECK (amount_vnd > 0),
    description TEXT NOT NULL,
    person_id INTEGER REFERENCES persons(id),
    source TEXT,
    reverses INTEGER UNIQUE REFERENCES vouchers(id),
    posted_at TIMESTAMP NOT NULL,
    posted_by INTEGER REFERENCES users(id),
    UNIQUE (fund_id, year, kind, number)
);
CREATE TRIGGER vouchers_no_update BEFORE UPDATE ON vouchers
BEGIN SELECT RAISE(ABORT, 'vouchers are immutable once posted'); END;
CREATE TRIGGER vouchers_no_delete BEFORE DELETE ON vouchers
BEGIN SELECT RAISE(ABORT, 'vouchers are immutable once posted'); END;

-- Lương cơ sở (national base salary), from a date.
CREATE TABLE base_salaries (
    effective_from DATE PRIMARY KEY,
    amount_vnd BIGINT NOT NULL CHECK (amount_vnd > 0),
    legal_basis TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
INSERT INTO base_salaries (effective_from, amount_vnd, legal_basis, recorded_at)
VALUES ('2024-07-01', 2340000, 'Nghị định 73/2024/NĐ-CP', '2024-07-01 00:00:00');

-- A person's salary basis from a date: grade coefficient and allowances coefficient, in
-- hundredths (hệ số 2,34 → 234).
CREATE TABLE salary_bases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    effective_from DATE NOT NULL,
    grade_coef_x100 INTEGER NOT NULL CHECK (grade_coef_x100 > 0 AND grade_coef_x100 <= 2000),
    allowance_coef_x100 INTEGER NOT NULL DEFAULT 0 CHECK (allowance_coef_x100 >= 0 AND allowance_coef_x100 <= 2000),
    note TEXT NOT NULL DEFAULT '',
    recorded_at TIMESTAMP NOT NULL,
    recorded_by INTEGER REFERENCES users(id),
    UNIQUE (person_id, effective_from)
);

-- A band (e.g. low income) held by a person over dates, on a rule (salary basis under the
-- policy's threshold) or a written decision.
CREATE TABLE eligibility (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    band TEXT NOT NULL CHECK (band = 'low_income' OR band = 'hardship'),
    valid_from DATE NOT NULL,
    valid_to DATE,
    basis TEXT NOT NULL CHECK (basis = 'rule' OR basis = 'decision'),
    decision_no TEXT,
    decision_date DATE,
    note TEXT NOT NULL DEFAULT '',
    decided_at TIMESTAMP NOT NULL,
    decided_by INTEGER REFERENCES users(id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX eligibility_person ON eligibility(person_id, band);

-- Who gets how much per meal, from which fund, between which dates.
CREATE TABLE subsidy_policies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    covers TEXT NOT NULL CHECK (covers = 'everyone' OR covers = 'category' OR covers = 'band'),
    covers_value TEXT NOT NULL DEFAULT '',
    amount_kind TEXT NOT NULL CHECK (amount_kind = 'fixed' OR amount_kind = 'percent' OR amount_kind = 'staff_max'),
    amount_value BIGINT NOT NULL CHECK (amount_value >= 0),
    monthly_cap INTEGER CHECK (monthly_cap IS NULL OR monthly_cap >= 0),
    income_threshold_vnd BIGINT,
    fund_id INTEGER NOT NULL REFERENCES funds(id),
    valid_from DATE NOT NULL,
    valid_to DATE,
    legal_basis TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);

-- What a no-show costs the person, from a date on.
CREATE TABLE no_show_rules (
    effective_from DATE PRIMARY KEY,
    charge TEXT NOT NULL CHECK (charge = 'full' OR charge = 'staff_share' OR charge = 'nothing'),
    recorded_at TIMESTAMP NOT NULL
);

-- Files the accounting and welfare work keep (e-invoice XML, scanned decisions, month packs).
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_kind TEXT NOT NULL,
    owner_id INTEGER,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0 AND size_bytes <= 10485760),
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    uploaded_by INTEGER REFERENCES users(id)
);
CREATE INDEX attachments_owner ON attachments(owner_kind, owner_id);

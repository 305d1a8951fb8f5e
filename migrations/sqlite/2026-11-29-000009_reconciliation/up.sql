-- #8: reconciliation with the supplier, corrections of closed months, and the database's
-- own refusal (a backstop behind `periods::ensure_open`) of any change dated in a month that
-- is closed or signed.

-- Corrections of a closed month: booked in a later, open month (`month`), naming the month
-- they correct. Positive: the person owes more; negative: refunded.
CREATE TABLE adjustments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    month TEXT NOT NULL,
    corrects_month TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    amount_vnd BIGINT NOT NULL CHECK (amount_vnd <> 0 AND amount_vnd >= -100000000 AND amount_vnd <= 100000000),
    reason TEXT NOT NULL CHECK (length(reason) > 0),
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id),
    CHECK (corrects_month < month)
);
CREATE INDEX adjustments_month ON adjustments(month, person_id);

-- The accountant's explanation of a month's reconciliation difference; it explains the
-- amount it was written for, so a changed difference needs a new note before closing.
CREATE TABLE month_notes (
    month TEXT PRIMARY KEY,
    difference_vnd BIGINT NOT NULL,
    note TEXT NOT NULL CHECK (length(note) > 0),
    written_at TIMESTAMP NOT NULL,
    written_by INTEGER REFERENCES users(id)
);

-- Suppliers (the caterer) and their contracts: from/to dates, whether they bill ordered or
-- served meals (billing ordered meals means the office bears no-shows), and prices per meal
-- option (VAT included; option_name '' is the price of every other option).
CREATE TABLE suppliers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL CHECK (length(name) > 0),
    tax_code TEXT NOT NULL UNIQUE,
    address TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id)
);

CREATE TABLE supplier_contracts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    supplier_id INTEGER NOT NULL REFERENCES suppliers(id),
    reference TEXT NOT NULL CHECK (length(reference) > 0),
    valid_from DATE NOT NULL,
    valid_to DATE,
    bills TEXT NOT NULL CHECK (bills = 'ordered' OR bills = 'served'),
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);

CREATE TABLE contract_prices (
    contract_id INTEGER NOT NULL REFERENCES supplier_contracts(id),
    option_name TEXT NOT NULL,
    price_vnd BIGINT NOT NULL CHECK (price_vnd > 0 AND price_vnd <= 100000000),
    PRIMARY KEY (contract_id, option_name)
);

-- Supplier invoices of a month, entered by hand or imported from the e-invoice XML (whose
-- original is kept in attachments). One invoice per seller tax code + template + series +
-- number. Amounts are whole đồng, VAT included.
CREATE TABLE supplier_invoices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    supplier_id INTEGER NOT NULL REFERENCES suppliers(id),
    month TEXT NOT NULL,
    seller_tax_code TEXT NOT NULL,
    template TEXT NOT NULL,
    series TEXT NOT NULL,
    number TEXT NOT NULL,
    issued_on DATE NOT NULL,
    total_vnd BIGINT NOT NULL CHECK (total_vnd >= 0 AND total_vnd <= 100000000000),
    source TEXT NOT NULL CHECK (source = 'manual' OR source = 'xml'),
    attachment_id INTEGER REFERENCES attachments(id),
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id),
    UNIQUE (seller_tax_code, template, series, number)
);
CREATE INDEX supplier_invoices_month ON supplier_invoices(month);

-- Invoice lines; a line that names a day (and an option) is matched to it, the rest count
-- for the month as a whole. Discount lines carry a negative amount.
CREATE TABLE invoice_lines (
    invoice_id INTEGER NOT NULL REFERENCES supplier_invoices(id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    name TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    amount_vnd BIGINT NOT NULL,
    service_date DATE,
    option_name TEXT,
    PRIMARY KEY (invoice_id, line_no)
);

-- Backstop: nothing dated in a closed or signed month changes.
CREATE TRIGGER orders_closed_month_insert BEFORE INSERT ON orders
WHEN EXISTS (SELECT 1 FROM periods WHERE month = substr(NEW.service_date, 1, 7) AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER orders_closed_month_update BEFORE UPDATE ON orders
WHEN EXISTS (SELECT 1 FROM periods WHERE month = substr(OLD.service_date, 1, 7) AND state <> 'open') OR EXISTS (SELECT 1 FROM periods WHERE month = substr(NEW.service_date, 1, 7) AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER orders_closed_month_delete BEFORE DELETE ON orders
WHEN EXISTS (SELECT 1 FROM periods WHERE month = substr(OLD.service_date, 1, 7) AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER guest_meals_closed_month_insert BEFORE INSERT ON guest_meals
WHEN EXISTS (SELECT 1 FROM periods WHERE month = substr(NEW.service_date, 1, 7) AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER guest_meals_closed_month_update BEFORE UPDATE ON guest_meals
WHEN EXISTS (SELECT 1 FROM periods WHERE month = substr(OLD.service_date, 1, 7) AND state <> 'open') OR EXISTS (SELECT 1 FROM periods WHERE month = substr(NEW.service_date, 1, 7) AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER guest_meals_closed_month_delete BEFORE DELETE ON guest_meals
WHEN EXISTS (SELECT 1 FROM periods WHERE month = substr(OLD.service_date, 1, 7) AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER walk_ins_closed_month_insert BEFORE INSERT ON walk_ins
WHEN EXISTS (SELECT 1 FROM periods WHERE month = substr(NEW.service_date, 1, 7) AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER walk_ins_closed_month_update BEFORE UPDATE ON walk_ins
WHEN EXISTS (SELECT 1 FROM periods WHERE month = substr(OLD.service_date, 1, 7) AND state <> 'open') OR EXISTS (SELECT 1 FROM periods WHERE month = substr(NEW.service_date, 1, 7) AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER walk_ins_closed_month_delete BEFORE DELETE ON walk_ins
WHEN EXISTS (SELECT 1 FROM periods WHERE month = substr(OLD.service_date, 1, 7) AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER meal_options_closed_month_insert BEFORE INSERT ON meal_options
WHEN EXISTS (SELECT 1 FROM periods WHERE month = substr(NEW.service_date, 1, 7) AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER meal_options_closed_month_update BEFORE UPDATE ON meal_options
WHEN EXISTS (SELECT 1 FROM periods WHERE month = substr(OLD.service_date, 1, 7) AND state <> 'open') OR EXISTS (SELECT 1 FROM periods WHERE month = substr(NEW.service_date, 1, 7) AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER meal_options_closed_month_delete BEFORE DELETE ON meal_options
WHEN EXISTS (SELECT 1 FROM periods WHERE month = substr(OLD.service_date, 1, 7) AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER service_days_closed_month_insert BEFORE INSERT ON service_days
WHEN EXISTS (SELECT 1 FROM periods WHERE month = substr(NEW.service_date, 1, 7) AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER service_days_closed_month_update BEFORE UPDATE ON service_days
WHEN EXISTS (SELECT 1 FROM periods WHERE month = substr(OLD.service_date, 1, 7) AND state <> 'open') OR EXISTS (SELECT 1 FROM periods WHERE month = substr(NEW.service_date, 1, 7) AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER service_days_closed_month_delete BEFORE DELETE ON service_days
WHEN EXISTS (SELECT 1 FROM periods WHERE month = substr(OLD.service_date, 1, 7) AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER eligibility_closed_month_insert BEFORE INSERT ON eligibility
WHEN EXISTS (SELECT 1 FROM periods WHERE state <> 'open' AND month >= substr(NEW.valid_from, 1, 7) AND month <= substr(COALESCE(NEW.valid_to, '9999-12-31'), 1, 7))
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
-- Ending (or extending) a eligibility row changes only the days between its old and new end:
-- those must be open; any other change must not touch a closed month at all.
CREATE TRIGGER eligibility_closed_month_update BEFORE UPDATE ON eligibility
WHEN ((NEW.person_id IS NOT OLD.person_id OR NEW.band IS NOT OLD.band OR NEW.valid_from IS NOT OLD.valid_from OR NEW.basis IS NOT OLD.basis OR NEW.decision_no IS NOT OLD.decision_no OR NEW.decision_date IS NOT OLD.decision_date OR NEW.note IS NOT OLD.note) AND (EXISTS (SELECT 1 FROM periods WHERE state <> 'open' AND month >= substr(OLD.valid_from, 1, 7) AND month <= substr(COALESCE(OLD.valid_to, '9999-12-31'), 1, 7)) OR EXISTS (SELECT 1 FROM periods WHERE state <> 'open' AND month >= substr(NEW.valid_from, 1, 7) AND month <= substr(COALESCE(NEW.valid_to, '9999-12-31'), 1, 7))))
  OR (NEW.valid_to IS NOT OLD.valid_to AND EXISTS (SELECT 1 FROM periods WHERE state <> 'open' AND month >= substr(date(MIN(COALESCE(OLD.valid_to, '9999-12-30'), COALESCE(NEW.valid_to, '9999-12-30')), '+1 day'), 1, 7) AND month <= substr(MAX(COALESCE(OLD.valid_to, '9999-12-31'), COALESCE(NEW.valid_to, '9999-12-31')), 1, 7)))
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER eligibility_closed_month_delete BEFORE DELETE ON eligibility
WHEN EXISTS (SELECT 1 FROM periods WHERE state <> 'open' AND month >= substr(OLD.valid_from, 1, 7) AND month <= substr(COALESCE(OLD.valid_to, '9999-12-31'), 1, 7))
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER subsidy_policies_closed_month_insert BEFORE INSERT ON subsidy_policies
WHEN EXISTS (SELECT 1 FROM periods WHERE state <> 'open' AND month >= substr(NEW.valid_from, 1, 7) AND month <= substr(COALESCE(NEW.valid_to, '9999-12-31'), 1, 7))
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
-- Ending (or extending) a subsidy_policies row changes only the days between its old and new end:
-- those must be open; any other change must not touch a closed month at all.
CREATE TRIGGER subsidy_policies_closed_month_update BEFORE UPDATE ON subsidy_policies
WHEN ((NEW.name IS NOT OLD.name OR NEW.covers IS NOT OLD.covers OR NEW.covers_value IS NOT OLD.covers_value OR NEW.amount_kind IS NOT OLD.amount_kind OR NEW.amount_value IS NOT OLD.amount_value OR NEW.monthly_cap IS NOT OLD.monthly_cap OR NEW.income_threshold_vnd IS NOT OLD.income_threshold_vnd OR NEW.fund_id IS NOT OLD.fund_id OR NEW.valid_from IS NOT OLD.valid_from OR NEW.legal_basis IS NOT OLD.legal_basis) AND (EXISTS (SELECT 1 FROM periods WHERE state <> 'open' AND month >= substr(OLD.valid_from, 1, 7) AND month <= substr(COALESCE(OLD.valid_to, '9999-12-31'), 1, 7)) OR EXISTS (SELECT 1 FROM periods WHERE state <> 'open' AND month >= substr(NEW.valid_from, 1, 7) AND month <= substr(COALESCE(NEW.valid_to, '9999-12-31'), 1, 7))))
  OR (NEW.valid_to IS NOT OLD.valid_to AND EXISTS (SELECT 1 FROM periods WHERE state <> 'open' AND month >= substr(date(MIN(COALESCE(OLD.valid_to, '9999-12-30'), COALESCE(NEW.valid_to, '9999-12-30')), '+1 day'), 1, 7) AND month <= substr(MAX(COALESCE(OLD.valid_to, '9999-12-31'), COALESCE(NEW.valid_to, '9999-12-31')), 1, 7)))
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER subsidy_policies_closed_month_delete BEFORE DELETE ON subsidy_policies
WHEN EXISTS (SELECT 1 FROM periods WHERE state <> 'open' AND month >= substr(OLD.valid_from, 1, 7) AND month <= substr(COALESCE(OLD.valid_to, '9999-12-31'), 1, 7))
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER adjustments_closed_month_insert BEFORE INSERT ON adjustments
WHEN EXISTS (SELECT 1 FROM periods WHERE month = NEW.month AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER supplier_invoices_closed_month_insert BEFORE INSERT ON supplier_invoices
WHEN EXISTS (SELECT 1 FROM periods WHERE month = NEW.month AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER month_notes_closed_month_insert BEFORE INSERT ON month_notes
WHEN EXISTS (SELECT 1 FROM periods WHERE month = NEW.month AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER adjustments_closed_month_update BEFORE UPDATE ON adjustments
WHEN EXISTS (SELECT 1 FROM periods WHERE month = OLD.month AND state <> 'open') OR EXISTS (SELECT 1 FROM periods WHERE month = NEW.month AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER supplier_invoices_closed_month_update BEFORE UPDATE ON supplier_invoices
WHEN EXISTS (SELECT 1 FROM periods WHERE month = OLD.month AND state <> 'open') OR EXISTS (SELECT 1 FROM periods WHERE month = NEW.month AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER month_notes_closed_month_update BEFORE UPDATE ON month_notes
WHEN EXISTS (SELECT 1 FROM periods WHERE month = OLD.month AND state <> 'open') OR EXISTS (SELECT 1 FROM periods WHERE month = NEW.month AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER adjustments_closed_month_delete BEFORE DELETE ON adjustments
WHEN EXISTS (SELECT 1 FROM periods WHERE month = OLD.month AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER supplier_invoices_closed_month_delete BEFORE DELETE ON supplier_invoices
WHEN EXISTS (SELECT 1 FROM periods WHERE month = OLD.month AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;
CREATE TRIGGER month_notes_closed_month_delete BEFORE DELETE ON month_notes
WHEN EXISTS (SELECT 1 FROM periods WHERE month = OLD.month AND state <> 'open')
BEGIN SELECT RAISE(ABORT, 'canteen: month closed'); END;

-- A closed month's stored totals also carry the adjustments booked in it.
ALTER TABLE month_closes ADD COLUMN adjustments_vnd BIGINT NOT NULL DEFAULT 0;

-- One-time keys of submitted forms: a form that moves money carries a key made when it was
-- drawn; the store command claims it in its transaction, so a double click or a resent
-- request is done once.
CREATE TABLE once_keys (
    key TEXT PRIMARY KEY,
    used_at TIMESTAMP NOT NULL
);

-- #8: reconciliation with the supplier, corrections of closed months, and the database's
-- own refusal (a backstop behind `periods::ensure_open`) of any change dated in a month that
-- is closed or signed.

-- Corrections of a closed month: booked in a later, open month (`month`), naming the month
-- they correct. Positive: the person owes more; negative: refunded.
CREATE TABLE adjustments (
    id SERIAL PRIMARY KEY,
    month TEXT NOT NULL,
    corrects_month TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    amount_vnd BIGINT NOT NULL CHECK (amount_vnd <> 0 AND amount_vnd >= -100000000 AND amount_vnd <= 100000000),
    reason TEXT NOT NULL CHECK (char_length(reason) > 0),
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
    note TEXT NOT NULL CHECK (char_length(note) > 0),
    written_at TIMESTAMP NOT NULL,
    written_by INTEGER REFERENCES users(id)
);

-- Suppliers (the caterer) and their contracts: from/to dates, whether they bill ordered or
-- served meals (billing ordered meals means the office bears no-shows), and prices per meal
-- option (VAT included; option_name '' is the price of every other option).
CREATE TABLE suppliers (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL CHECK (char_length(name) > 0),
    tax_code TEXT NOT NULL UNIQUE,
    address TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id)
);

CREATE TABLE supplier_contracts (
    id SERIAL PRIMARY KEY,
    supplier_id INTEGER NOT NULL REFERENCES suppliers(id),
    reference TEXT NOT NULL CHECK (char_length(reference) > 0),
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
    id SERIAL PRIMARY KEY,
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
CREATE FUNCTION month_closed(first_day DATE, last_day DATE) RETURNS BOOLEAN AS $$
    SELECT first_day IS NOT NULL AND EXISTS (
        SELECT 1 FROM periods WHERE state <> 'open'
        AND month >= to_char(first_day, 'YYYY-MM')
        AND month <= to_char(COALESCE(last_day, DATE '9999-12-31'), 'YYYY-MM'))
$$ LANGUAGE sql STABLE;

CREATE FUNCTION refuse_closed_month() RETURNS trigger AS $$
DECLARE
    old_from DATE; old_to DATE; new_from DATE; new_to DATE;
BEGIN
    -- Ending (or extending) a dated row changes only the days between its old and new end:
    -- those must be open; any other change must not touch a closed month at all.
    IF TG_OP = 'UPDATE' AND TG_ARGV[0] = 'range'
        AND (to_jsonb(NEW) - 'valid_to') = (to_jsonb(OLD) - 'valid_to') THEN
        IF NEW.valid_to IS DISTINCT FROM OLD.valid_to AND month_closed(
            LEAST(COALESCE(OLD.valid_to, DATE '9999-12-30'), COALESCE(NEW.valid_to, DATE '9999-12-30')) + 1,
            GREATEST(COALESCE(OLD.valid_to, DATE '9999-12-31'), COALESCE(NEW.valid_to, DATE '9999-12-31'))) THEN
            RAISE EXCEPTION 'canteen: month closed';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        IF TG_ARGV[0] = 'range' THEN old_from := OLD.valid_from; old_to := OLD.valid_to;
        ELSIF TG_ARGV[0] = 'month' THEN old_from := to_date(OLD.month || '-01', 'YYYY-MM-DD'); old_to := old_from;
        ELSE old_from := OLD.service_date; old_to := old_from; END IF;
        IF month_closed(old_from, old_to) THEN
            RAISE EXCEPTION 'canteen: month closed';
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF TG_ARGV[0] = 'range' THEN new_from := NEW.valid_from; new_to := NEW.valid_to;
        ELSIF TG_ARGV[0] = 'month' THEN new_from := to_date(NEW.month || '-01', 'YYYY-MM-DD'); new_to := new_from;
        ELSE new_from := NEW.service_date; new_to := new_from; END IF;
        IF month_closed(new_from, new_to) THEN
            RAISE EXCEPTION 'canteen: month closed';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER orders_closed_month BEFORE INSERT OR UPDATE OR DELETE ON orders
FOR EACH ROW EXECUTE FUNCTION refuse_closed_month('day');
CREATE TRIGGER guest_meals_closed_month BEFORE INSERT OR UPDATE OR DELETE ON guest_meals
FOR EACH ROW EXECUTE FUNCTION refuse_closed_month('day');
CREATE TRIGGER walk_ins_closed_month BEFORE INSERT OR UPDATE OR DELETE ON walk_ins
FOR EACH ROW EXECUTE FUNCTION refuse_closed_month('day');
CREATE TRIGGER meal_options_closed_month BEFORE INSERT OR UPDATE OR DELETE ON meal_options
FOR EACH ROW EXECUTE FUNCTION refuse_closed_month('day');
CREATE TRIGGER service_days_closed_month BEFORE INSERT OR UPDATE OR DELETE ON service_days
FOR EACH ROW EXECUTE FUNCTION refuse_closed_month('day');
CREATE TRIGGER eligibility_closed_month BEFORE INSERT OR UPDATE OR DELETE ON eligibility
FOR EACH ROW EXECUTE FUNCTION refuse_closed_month('range');
CREATE TRIGGER subsidy_policies_closed_month BEFORE INSERT OR UPDATE OR DELETE ON subsidy_policies
FOR EACH ROW EXECUTE FUNCTION refuse_closed_month('range');
CREATE TRIGGER adjustments_closed_month BEFORE INSERT OR UPDATE OR DELETE ON adjustments
FOR EACH ROW EXECUTE FUNCTION refuse_closed_month('month');
CREATE TRIGGER supplier_invoices_closed_month BEFORE INSERT OR UPDATE OR DELETE ON supplier_invoices
FOR EACH ROW EXECUTE FUNCTION refuse_closed_month('month');
CREATE TRIGGER month_notes_closed_month BEFORE INSERT OR UPDATE OR DELETE ON month_notes
FOR EACH ROW EXECUTE FUNCTION refuse_closed_month('month');

-- A closed month's stored totals also carry the adjustments booked in it.
ALTER TABLE month_closes ADD COLUMN adjustments_vnd BIGINT NOT NULL DEFAULT 0;

-- One-time keys of submitted forms: a form that moves money carries a key made when it was
-- drawn; the store command claims it in its transaction, so a double click or a resent
-- request is done once.
CREATE TABLE once_keys (
    key TEXT PRIMARY KEY,
    used_at TIMESTAMP NOT NULL
);

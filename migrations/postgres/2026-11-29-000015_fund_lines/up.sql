-- The fund an organisation's dues are received into (a receipt voucher per payment, or one
-- per payroll collection), the voucher of each dues payment, and a fund's yearly budget by
-- line (dues, allocations, donations; meal subsidy, each kind of benefit, gifts, other).
ALTER TABLE organisations ADD COLUMN fund_id INTEGER REFERENCES funds(id);
ALTER TABLE dues_payments ADD COLUMN voucher_id INTEGER REFERENCES vouchers(id);

CREATE TABLE budget_lines (
    fund_id INTEGER NOT NULL REFERENCES funds(id),
    year INTEGER NOT NULL CHECK (year >= 2000 AND year <= 2100),
    line TEXT NOT NULL CHECK (char_length(line) BETWEEN 1 AND 40),
    planned_vnd BIGINT NOT NULL CHECK (planned_vnd >= 0 AND planned_vnd <= 100000000000),
    PRIMARY KEY (fund_id, year, line)
);

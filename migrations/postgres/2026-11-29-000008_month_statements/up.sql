-- Closing a month stores each staff meal's split (the statement lines) and a SHA-256 digest
-- over their canonical form (`accounting::store::canonical`), so that a later change of any
-- line is detectable.
CREATE TABLE statement_lines (
    month TEXT NOT NULL,
    order_id INTEGER NOT NULL,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    service_date DATE NOT NULL,
    option_name TEXT NOT NULL,
    charged_vnd BIGINT NOT NULL CHECK (charged_vnd >= 0),
    subsidy_vnd BIGINT NOT NULL CHECK (subsidy_vnd >= 0),
    staff_vnd BIGINT NOT NULL CHECK (staff_vnd >= 0),
    -- Per fund, canonical: "fund_id:amount" joined by "," in fund order.
    subsidies TEXT NOT NULL,
    PRIMARY KEY (month, order_id),
    CHECK (charged_vnd = subsidy_vnd + staff_vnd)
);
CREATE INDEX statement_lines_person ON statement_lines(person_id, month);

CREATE TABLE month_closes (
    month TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    lines INTEGER NOT NULL,
    charged_vnd BIGINT NOT NULL,
    subsidy_vnd BIGINT NOT NULL,
    staff_vnd BIGINT NOT NULL,
    closed_at TIMESTAMP NOT NULL,
    closed_by INTEGER REFERENCES users(id)
);

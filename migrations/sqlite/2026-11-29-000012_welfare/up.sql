-- #9 (first part): union, Party and welfare organisations, their members and the members'
-- dependants; dues (effective-dated rules, suspensions, exemptions, each month's dues per
-- membership and its payment); the benefit catalogue and welfare cases paid from the fund
-- ledger.

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('union', 'union_group', 'retiree_board', 'party_cell',
        'party_committee', 'youth_union', 'women', 'welfare')),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    parent_id INTEGER REFERENCES organisations(id),
    started_on DATE NOT NULL,
    ended_on DATE,
    end_reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id),
    CHECK (ended_on IS NULL OR ended_on >= started_on),
    CHECK (parent_id IS NULL OR parent_id <> id)
);

-- Dues are collected by payroll deduction, in cash or by transfer, per membership.
CREATE TABLE memberships (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    role TEXT NOT NULL CHECK (role IN ('member', 'group_leader', 'chair', 'vice_chair',
        'treasurer', 'secretary')),
    joined_on DATE NOT NULL,
    member_since DATE,
    card_number TEXT NOT NULL DEFAULT '',
    collect_by TEXT NOT NULL DEFAULT 'payroll' CHECK (collect_by IN ('payroll', 'cash', 'transfer')),
    ended_on DATE,
    end_reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id),
    CHECK (ended_on IS NULL OR ended_on >= joined_on)
);
-- At most one open membership per person per organisation.
CREATE UNIQUE INDEX memberships_one_open ON memberships(person_id, organisation_id) WHERE ended_on IS NULL;
CREATE INDEX memberships_org ON memberships(organisation_id);

-- A member's family. A child of two parents on staff is recorded under each parent; the second
-- record names the first (`same_as`), so the family counts one child ("one gift per child").
CREATE TABLE dependants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    full_name TEXT NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    relationship TEXT NOT NULL CHECK (relationship IN ('child', 'spouse', 'parent',
        'parent_in_law', 'sibling', 'grandparent', 'other')),
    date_of_birth DATE,
    gender TEXT CHECK (gender IS NULL OR gender IN ('male', 'female')),
    same_as INTEGER REFERENCES dependants(id),
    died_on DATE,
    note TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id),
    CHECK (same_as IS NULL OR same_as <> id)
);
CREATE INDEX dependants_person ON dependants(person_id);

-- How much a member of an organisation of this kind owes a month, from a date: a rate (basis
-- points) of their salary basis (social-insurance salary) or of their pension, optionally
-- capped at a share of the national base salary, or a fixed amount. `applies_to` picks
-- working or retired members; `category` one staff category (NULL: all).
CREATE TABLE dues_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_kind TEXT NOT NULL,
    applies_to TEXT NOT NULL CHECK (applies_to IN ('working', 'retired', 'all')),
    category TEXT,
    valid_from DATE NOT NULL,
    valid_to DATE,
    basis TEXT NOT NULL CHECK (basis IN ('salary', 'pension', 'fixed')),
    rate_bp INTEGER NOT NULL DEFAULT 0 CHECK (rate_bp BETWEEN 0 AND 10000),
    cap_bp_of_base INTEGER CHECK (cap_bp_of_base IS NULL OR cap_bp_of_base BETWEEN 1 AND 100000),
    fixed_vnd BIGINT NOT NULL DEFAULT 0 CHECK (fixed_vnd >= 0 AND fixed_vnd <= 100000000),
    reference TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);

-- No dues for a period, for an organisation kind (and one staff category, or all).
CREATE TABLE dues_suspensions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_kind TEXT NOT NULL,
    category TEXT,
    valid_from DATE NOT NULL,
    valid_to DATE NOT NULL,
    reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 300),
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id),
    CHECK (valid_to >= valid_from)
);

-- One member excused from dues for a period.
CREATE TABLE dues_exemptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    membership_id INTEGER NOT NULL REFERENCES memberships(id),
    valid_from DATE NOT NULL,
    valid_to DATE,
    reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 300),
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);

-- A month's dues of one membership (generated; generating again adds only what is missing).
CREATE TABLE dues (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    membership_id INTEGER NOT NULL REFERENCES memberships(id),
    month TEXT NOT NULL CHECK (length(month) = 7),
    amount_vnd BIGINT NOT NULL CHECK (amount_vnd >= 0),
    basis_vnd BIGINT NOT NULL DEFAULT 0,
    rule_id INTEGER REFERENCES dues_rules(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (membership_id, month)
);
CREATE INDEX dues_month ON dues(month);

CREATE TABLE dues_payments (
    dues_id INTEGER PRIMARY KEY REFERENCES dues(id),
    paid_on DATE NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('payroll', 'cash', 'transfer')),
    receipt_no TEXT NOT NULL DEFAULT '',
    amount_vnd BIGINT NOT NULL CHECK (amount_vnd >= 0),
    recorded_at TIMESTAMP NOT NULL,
    recorded_by INTEGER REFERENCES users(id)
);

-- The benefit catalogue: what a case may pay, how much, how often, to whom, from which fund,
-- under which regulation.
CREATE TABLE benefit_types (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind TEXT NOT NULL CHECK (kind IN ('sick', 'hospital', 'serious_illness', 'funeral',
        'wedding', 'birth', 'hardship', 'retirement', 'occasion', 'other')),
    default_vnd BIGINT NOT NULL CHECK (default_vnd >= 0),
    max_vnd BIGINT NOT NULL CHECK (max_vnd > 0),
    per_year_count INTEGER CHECK (per_year_count IS NULL OR per_year_count > 0),
    per_year_vnd BIGINT CHECK (per_year_vnd IS NULL OR per_year_vnd > 0),
    recipients TEXT NOT NULL CHECK (recipients IN ('members', 'retirees', 'all')),
    fund_id INTEGER NOT NULL REFERENCES funds(id),
    regulation TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    CHECK (default_vnd <= max_vnd)
);

-- A welfare case: reported → approved → paid (a payment voucher), or rejected with a reason.
-- A funeral names the deceased (`deceased_key`: the member, or a dependant as the family
-- knows them), and one deceased has at most one funeral case that was not rejected.
CREATE TABLE welfare_cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    benefit_type_id INTEGER NOT NULL REFERENCES benefit_types(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    dependant_id INTEGER REFERENCES dependants(id),
    event_date DATE NOT NULL,
    amount_vnd BIGINT NOT NULL CHECK (amount_vnd > 0),
    evidence TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('reported', 'approved', 'paid', 'rejected')),
    deceased_key TEXT,
    reported_by INTEGER NOT NULL REFERENCES users(id),
    reported_at TIMESTAMP NOT NULL,
    decided_by INTEGER REFERENCES users(id),
    decided_at TIMESTAMP,
    reject_reason TEXT NOT NULL DEFAULT '',
    voucher_id INTEGER REFERENCES vouchers(id),
    paid_at TIMESTAMP,
    CHECK (state <> 'paid' OR voucher_id IS NOT NULL),
    CHECK (decided_by IS NULL OR decided_by <> reported_by)
);
CREATE UNIQUE INDEX welfare_cases_one_funeral ON welfare_cases(deceased_key)
    WHERE deceased_key IS NOT NULL AND state <> 'rejected';
CREATE INDEX welfare_cases_person ON welfare_cases(person_id, event_date);

-- Occasions (Tết, 1/6, Trung thu, 8/3, 20/10, retirees' Tết, mừng thọ…) and their signed
-- distribution lists (danh sách ký nhận): generated from the rules, edited with reasons while
-- a draft, then frozen: the total becomes one payment voucher.
CREATE TABLE occasions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    occasion_date DATE NOT NULL,
    audience TEXT NOT NULL CHECK (audience IN ('members', 'retirees', 'members_and_retirees',
        'children', 'women')),
    organisation_id INTEGER REFERENCES organisations(id),
    child_max_age INTEGER CHECK (child_max_age IS NULL OR child_max_age BETWEEN 1 AND 18),
    amount_vnd BIGINT NOT NULL DEFAULT 0 CHECK (amount_vnd >= 0 AND amount_vnd <= 100000000),
    gift TEXT NOT NULL DEFAULT '',
    fund_id INTEGER NOT NULL REFERENCES funds(id),
    state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'frozen')),
    frozen_at TIMESTAMP,
    frozen_by INTEGER REFERENCES users(id),
    voucher_id INTEGER REFERENCES vouchers(id),
    signed_sheet_id INTEGER REFERENCES attachments(id),
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id),
    CHECK (amount_vnd > 0 OR length(gift) > 0)
);

-- One line of a list: a person (and the child concerned, for children's occasions). A child
-- of two staff parents is on the list once (`child_key`: the record the family knows).
CREATE TABLE occasion_rows (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occasion_id INTEGER NOT NULL REFERENCES occasions(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    dependant_id INTEGER REFERENCES dependants(id),
    child_key INTEGER,
    amount_vnd BIGINT NOT NULL CHECK (amount_vnd >= 0),
    added_reason TEXT NOT NULL DEFAULT '',
    removed_reason TEXT,
    received_at TIMESTAMP,
    received_by INTEGER REFERENCES users(id)
);
CREATE UNIQUE INDEX occasion_rows_child ON occasion_rows(occasion_id, child_key)
    WHERE child_key IS NOT NULL AND removed_reason IS NULL;
CREATE UNIQUE INDEX occasion_rows_person ON occasion_rows(occasion_id, person_id)
    WHERE dependant_id IS NULL AND removed_reason IS NULL;
CREATE INDEX occasion_rows_occasion ON occasion_rows(occasion_id);

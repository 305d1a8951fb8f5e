-- Retiree records (one per person who retired: retired on, former unit, where they live, who to
-- contact, a health note read only by union officers), their pension (effective-dated, the
-- basis of retired Party members' dues) and the log of visits paid to them.

CREATE TABLE retirees (
    person_id INTEGER PRIMARY KEY REFERENCES persons(id),
    retired_on DATE,
    former_unit_id INTEGER REFERENCES units(id),
    address TEXT NOT NULL DEFAULT '' CHECK (char_length(address) <= 300),
    region TEXT NOT NULL DEFAULT '' CHECK (char_length(region) <= 100),
    contact_name TEXT NOT NULL DEFAULT '' CHECK (char_length(contact_name) <= 200),
    contact_phone TEXT NOT NULL DEFAULT '' CHECK (char_length(contact_phone) <= 50),
    health_note TEXT NOT NULL DEFAULT '' CHECK (char_length(health_note) <= 1000),
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER REFERENCES users(id)
);

CREATE TABLE pensions (
    id SERIAL PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    valid_from DATE NOT NULL,
    monthly_vnd BIGINT NOT NULL CHECK (monthly_vnd > 0 AND monthly_vnd <= 1000000000),
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id),
    UNIQUE (person_id, valid_from)
);

CREATE TABLE retiree_visits (
    id SERIAL PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    visited_on DATE NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('tet', 'milestone', 'sickness', 'funeral', 'other')),
    visitors TEXT NOT NULL CHECK (char_length(visitors) BETWEEN 1 AND 300),
    gift TEXT NOT NULL DEFAULT '' CHECK (char_length(gift) <= 300),
    note TEXT NOT NULL DEFAULT '' CHECK (char_length(note) <= 500),
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id)
);
CREATE INDEX retiree_visits_person ON retiree_visits (person_id, visited_on);
CREATE INDEX retiree_visits_day ON retiree_visits (visited_on);

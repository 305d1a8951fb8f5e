-- PostgreSQL only (see its migration): SQLite plans a statement once it knows the values and
-- already reads a person's days through the unique (person_id, service_date) index.
SELECT 1;

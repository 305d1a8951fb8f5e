-- The monthly report pack: generated in the transaction that signs a month, then never
-- changed (the month, once signed, cannot be reopened). The workbook and the A4 print view
-- are kept as they were, with their SHA-256, so a past month's pack reads the same whatever
-- later months do.
CREATE TABLE report_packs (
    month TEXT PRIMARY KEY NOT NULL CHECK (length(month) = 7 AND substr(month, 5, 1) = '-'),
    digest TEXT NOT NULL,
    xlsx BYTEA NOT NULL,
    xlsx_sha256 TEXT NOT NULL CHECK (length(xlsx_sha256) = 64),
    print_html TEXT NOT NULL,
    print_sha256 TEXT NOT NULL CHECK (length(print_sha256) = 64),
    generated_at TIMESTAMP NOT NULL
);

CREATE FUNCTION report_packs_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'report_packs are immutable';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER report_packs_no_change BEFORE UPDATE OR DELETE ON report_packs
FOR EACH ROW EXECUTE FUNCTION report_packs_immutable();
CREATE TRIGGER report_packs_no_truncate BEFORE TRUNCATE ON report_packs
FOR EACH STATEMENT EXECUTE FUNCTION report_packs_immutable();

-- The server's role may read and add packs, never change or remove them.
DO $$ BEGIN
    REVOKE UPDATE, DELETE, TRUNCATE ON report_packs FROM canteen_app;
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE NOTICE 'report_packs grants not changed: %', SQLERRM;
END $$;

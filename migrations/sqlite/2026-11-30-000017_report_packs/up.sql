-- The monthly report pack: generated in the transaction that signs a month, then never
-- changed (the month, once signed, cannot be reopened). The workbook and the A4 print view
-- are kept as they were, with their SHA-256, so a past month's pack reads the same whatever
-- later months do.
CREATE TABLE report_packs (
    month TEXT PRIMARY KEY NOT NULL CHECK (length(month) = 7 AND substr(month, 5, 1) = '-'),
    digest TEXT NOT NULL,
    xlsx BLOB NOT NULL,
    xlsx_sha256 TEXT NOT NULL CHECK (length(xlsx_sha256) = 64),
    print_html TEXT NOT NULL,
    print_sha256 TEXT NOT NULL CHECK (length(print_sha256) = 64),
    generated_at TIMESTAMP NOT NULL
);

CREATE TRIGGER report_packs_no_update BEFORE UPDATE ON report_packs
BEGIN SELECT RAISE(ABORT, 'report_packs are immutable'); END;
CREATE TRIGGER report_packs_no_delete BEFORE DELETE ON report_packs
BEGIN SELECT RAISE(ABORT, 'report_packs are immutable'); END;

-- PostgreSQL's meal triggers now read a person's unit FOR SHARE, so that a move to another
-- unit and that person's meal changes happen one after the other (#10). SQLite has one
-- writer: its transactions already run one after the other, so nothing changes here.
SELECT 1;

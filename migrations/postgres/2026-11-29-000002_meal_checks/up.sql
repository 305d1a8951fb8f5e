-- PostgreSQL added these CHECK constraints in place in the previous migration; SQLite needs a
-- table rebuild for them (this migration's SQLite twin). Nothing to do here.
SELECT 1;

-- Names sort the Vietnamese way (given name first, Vietnamese letter and tone order) by a key
-- the application computes (`people::rules::sort_key`); rows written before this migration get
-- theirs when the application next migrates (see `db::Db::migrate`).
ALTER TABLE persons ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
CREATE INDEX persons_sort_key ON persons(sort_key);

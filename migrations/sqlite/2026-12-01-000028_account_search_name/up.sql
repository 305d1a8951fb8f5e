-- An account's display name as the searches compare it (lower-case, without Vietnamese
-- diacritics: `ui::format::fold_search`), so that "nguyen" finds "Nguyễn" among accounts as it
-- does among people. The application computes it; accounts written before this migration get
-- theirs when the application next migrates (`auth::store::fill_search_names`).
ALTER TABLE users ADD COLUMN search_name TEXT NOT NULL DEFAULT '';

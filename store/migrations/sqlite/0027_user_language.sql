-- The language each user chose for the pages, kept with the user so that
-- it follows them to every browser and session; empty until they choose.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';

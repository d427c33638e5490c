-- A confirmed hit from a manifest can be recorded, once, as a Movement of
-- the matched person.
ALTER TABLE hits ADD COLUMN movement TEXT COLLATE "C";

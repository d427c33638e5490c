-- A hit of a traveller screened from travel data (a subject with a
-- journey) is kept under the travel-data retention policy: masked at the
-- records' masking age (the subject but for the journey, and the
-- explanation's words, which quote it) and deleted at their deletion
-- age with the clearance it left, which may outlive no more than the
-- data it came from.
ALTER TABLE hits ADD COLUMN travel INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hits ADD COLUMN masked_at TEXT COLLATE "C";
UPDATE hits SET travel = 1 WHERE jsonb_typeof(subject::jsonb -> 'journey') = 'object';
CREATE INDEX hits_travel ON hits(travel, screened_at);

-- The statements behind each hit, one source per originator and handling
-- with the parts of the subject it matched (JSON), so that every reader of
-- the review queue is shown only what its handling allows. Hits recorded
-- before have none, and are shown to the screening agency's analysts only.
ALTER TABLE hits ADD COLUMN sources TEXT COLLATE "C" NOT NULL DEFAULT '[]';

-- Video entries of hash banks: a vPDQ entry's value is the SHA-256 of its
-- frame list in the reference's text format, which names it in the
-- bank's (bank, type, value) key; the frames themselves, as JSON, are
-- kept beside it for the matching index.
ALTER TABLE hash_entries ADD COLUMN frames TEXT;

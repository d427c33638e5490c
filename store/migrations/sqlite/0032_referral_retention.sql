-- A targeting rule's referral lives as long as the travel record it was
-- made from: masked with it and deleted with it (ApplyRetention), and
-- shown whole after masking only to a user holding an approved
-- unmasking of the record. Referrals queued before this link have no
-- record; the same policy masks and deletes them by their receipt time.
ALTER TABLE rule_referrals ADD COLUMN record_id TEXT REFERENCES travel_records(id) ON DELETE CASCADE;
ALTER TABLE rule_referrals ADD COLUMN masked_at TEXT;
CREATE INDEX rule_referrals_record ON rule_referrals(record_id);
CREATE INDEX rule_referrals_received ON rule_referrals(received_at);
-- Receipt times become fixed-width stamps, as the travel records' are,
-- so that the policy's cut-offs compare with them as text.
UPDATE rule_referrals SET received_at = substr(received_at, 1, 19) || '.' || CASE WHEN substr(received_at, 20, 1) = '.'
	THEN substr(rtrim(substr(received_at, 21), 'Z') || '000000000', 1, 9) ELSE '000000000' END || 'Z';

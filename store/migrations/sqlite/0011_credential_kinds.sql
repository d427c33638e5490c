-- A token is good for the one door it was issued for: 'api' tokens and API
-- logins as a Bearer token, 'web' sessions as the pages' cookie. Sessions
-- open before this cannot be told apart, so they end: their users sign in
-- again.
ALTER TABLE tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'api' CHECK (kind IN ('api', 'web'));
UPDATE tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE expires_at IS NOT NULL AND revoked_at IS NULL;

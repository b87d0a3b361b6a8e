-- When an instance last claimed the application to ask its provider about it: another
-- instance sharing the database leaves it alone until it is due again.
ALTER TABLE applications ADD COLUMN asked_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS applications_pending ON applications (created_at) WHERE status = 'pending';

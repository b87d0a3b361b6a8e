-- When an instance last claimed the application to ask its provider about it: another
-- instance leaves it alone until it is due again.
ALTER TABLE applications ADD COLUMN asked_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX applications_pending ON applications (created_at) WHERE status = 'pending';

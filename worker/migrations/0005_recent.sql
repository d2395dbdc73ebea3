-- The dashboard's overview lists the leads last active: an index in that
-- order, so that it reads twenty leads rather than sorting every one.
CREATE INDEX leads_recent ON leads (max(created_at, answered_at) DESC, id DESC) WHERE merged_into IS NULL;

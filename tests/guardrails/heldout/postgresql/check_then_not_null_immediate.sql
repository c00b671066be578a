SET lock_timeout = '2s';
ALTER TABLE accounts ADD CONSTRAINT accounts_owner_id_nn CHECK (owner_id IS NOT NULL); -- expect: constraint-missing-not-valid
ALTER TABLE accounts ALTER COLUMN owner_id SET NOT NULL;

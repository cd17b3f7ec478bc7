-- Vault seals bind the secret's scopes (V11): rows sealed before carry seal_format 1 and stay
-- readable until the gateway re-seals them, binding the scopes they have then (Vault.resealUnbound).
ALTER TABLE vault_secrets ADD COLUMN seal_format INTEGER NOT NULL DEFAULT 1;

-- A revoked version keeps no ciphertext, so clearing revoked_at cannot bring it back.
UPDATE vault_secrets SET ciphertext = X'' WHERE revoked_at IS NOT NULL;

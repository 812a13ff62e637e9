-- A key limited to one resource: what an Open Service Broker binding of a webhook receiver or of
-- object storage holds (those resources are reached through the API, so a binding's credential is
-- a key rather than a login on the infrastructure). Such a key is accepted only by the routes of
-- its own resource's data (a receiver's requests, a storage's presign and usage) and refused by
-- every other route. binding_id is the platform's binding id, so an unbind finds its key.
ALTER TABLE api_keys
  ADD COLUMN resource_id uuid REFERENCES resources (id) ON DELETE CASCADE,
  ADD COLUMN binding_id text CHECK (binding_id IS NULL OR length(binding_id) BETWEEN 1 AND 255),
  ADD CONSTRAINT api_keys_binding_has_resource CHECK (binding_id IS NULL OR resource_id IS NOT NULL);
CREATE UNIQUE INDEX api_keys_resource_binding ON api_keys (resource_id, binding_id)
  WHERE binding_id IS NOT NULL AND revoked_at IS NULL;

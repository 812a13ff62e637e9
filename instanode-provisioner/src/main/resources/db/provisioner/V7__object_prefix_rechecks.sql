-- A storage prefix emptied by a drop is emptied once more after every presigned URL issued before
-- the drop has expired: such a URL can still write under the prefix until then.
CREATE TABLE object_prefix_rechecks (
  token  uuid        PRIMARY KEY,
  due_at timestamptz NOT NULL
);

CREATE INDEX object_prefix_rechecks_due ON object_prefix_rechecks (due_at);

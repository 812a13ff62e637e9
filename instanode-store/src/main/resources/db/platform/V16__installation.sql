-- Which instanode this database belongs to. Every namespace it makes on a cluster is labelled with
-- this id, and its sweeps delete only namespaces that carry it: two installations sharing one
-- cluster (staging beside production) never take each other's namespaces for orphans.
CREATE TABLE installation (
    id         uuid        PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    only_one   boolean     NOT NULL DEFAULT true UNIQUE CHECK (only_one)
);

INSERT INTO installation (id) VALUES (gen_random_uuid());

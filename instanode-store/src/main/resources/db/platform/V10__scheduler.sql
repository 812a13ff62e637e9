-- db-scheduler 16's table (its DDL is not shipped in the jar). Column names and types are the ones
-- its JdbcTaskRepository reads and writes for PostgreSQL; `priority` is required since 15.x even
-- when priority is not enabled. One row per (task, instance): that primary key is what makes a
-- recurring job run once per period across replicas.
CREATE TABLE scheduled_tasks (
  task_name            text                     NOT NULL,
  task_instance        text                     NOT NULL,
  task_data            bytea,
  execution_time       timestamp with time zone NOT NULL,
  picked               boolean                  NOT NULL,
  picked_by            text,
  last_success         timestamp with time zone,
  last_failure         timestamp with time zone,
  consecutive_failures integer,
  last_heartbeat       timestamp with time zone,
  version              bigint                   NOT NULL,
  priority             smallint,
  PRIMARY KEY (task_name, task_instance)
);
CREATE INDEX scheduled_tasks_execution_time ON scheduled_tasks (execution_time);
CREATE INDEX scheduled_tasks_last_heartbeat ON scheduled_tasks (last_heartbeat);
CREATE INDEX scheduled_tasks_priority_execution_time
  ON scheduled_tasks (priority DESC, execution_time ASC);

-- An onboarding token lists the stacks it is proof of receipt for, next to the resources: claiming
-- it moves them into the team and clears their expiry.
ALTER TABLE onboarding_events ADD COLUMN stack_slugs text[] NOT NULL DEFAULT '{}';

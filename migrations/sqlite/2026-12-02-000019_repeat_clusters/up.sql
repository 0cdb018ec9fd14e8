-- The trends' repeat clusters: only merged petitions, by when they came in.
CREATE INDEX petitions_merged ON petitions (created_at, merged_into_id) WHERE merged_into_id IS NOT NULL;

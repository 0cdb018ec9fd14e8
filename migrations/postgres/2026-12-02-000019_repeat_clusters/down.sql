DROP INDEX petitions_merged;

DROP INDEX IF EXISTS activities_opportunity;
DROP TABLE IF EXISTS opportunity_stage_history;
DROP TABLE IF EXISTS opportunity_lines;
DROP TABLE IF EXISTS opportunities;
DROP TABLE IF EXISTS pipeline_stages;
DROP TABLE IF EXISTS pipelines;

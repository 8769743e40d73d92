CREATE INDEX "cases_contract_idx" ON "cases" USING btree ("contract_id","id");
--> statement-breakpoint
-- Hand-written: name search is like '%...%', which only a trigram index serves (pg_trgm is a
-- trusted extension on PostgreSQL 13+; PGlite loads it from its contrib bundle).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE INDEX "tenants_name_trgm_idx" ON "tenants" USING gin (lower("name") gin_trgm_ops);

CREATE TABLE "letter_templates" (
	"sha256" text PRIMARY KEY NOT NULL,
	"texts" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- The texts of printed letters are evidence too: kept as they were.
CREATE TRIGGER letter_templates_append_only BEFORE UPDATE OR DELETE ON letter_templates
  FOR EACH ROW EXECUTE FUNCTION huurwacht_refuse_change();
--> statement-breakpoint
CREATE TRIGGER letter_templates_no_truncate BEFORE TRUNCATE ON letter_templates
  FOR EACH STATEMENT EXECUTE FUNCTION huurwacht_refuse_change();

CREATE TABLE "letters" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"case_id" integer NOT NULL,
	"contract_id" text NOT NULL,
	"kind" text NOT NULL,
	"letter_date" date NOT NULL,
	"received_on" date NOT NULL,
	"state" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"document" jsonb,
	"template_sha256" text,
	"pdf_sha256" text,
	"rendered_at" timestamp with time zone,
	CONSTRAINT "letters_key_unique" UNIQUE("key"),
	CONSTRAINT "letters_kind_valid" CHECK ("letters"."kind" in ('reminder', 'invitation', 'confirmation', 'card', 'last_warning', 'bailiff_handover')),
	CONSTRAINT "letters_frozen_whole" CHECK (("letters"."document" is null) = ("letters"."pdf_sha256" is null))
);
--> statement-breakpoint
ALTER TABLE "letters" ADD CONSTRAINT "letters_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "letters" ADD CONSTRAINT "letters_contract_id_tenancies_contract_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."tenancies"("contract_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "letters_contract_idx" ON "letters" USING btree ("contract_id","id");--> statement-breakpoint
CREATE INDEX "letters_date_kind_idx" ON "letters" USING btree ("letter_date","kind");--> statement-breakpoint
-- A letter is evidence: it is never removed, and once its printed document is frozen nothing of it changes.
CREATE FUNCTION huurwacht_letter_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.document IS NOT NULL
     OR NEW.id <> OLD.id OR NEW.key <> OLD.key OR NEW.case_id <> OLD.case_id OR NEW.contract_id <> OLD.contract_id
     OR NEW.kind <> OLD.kind OR NEW.letter_date <> OLD.letter_date OR NEW.received_on <> OLD.received_on OR NEW.state <> OLD.state THEN
    RAISE EXCEPTION 'letters: % of letter % refused (a letter is evidence; only its first rendering may be recorded)', TG_OP, OLD.key;
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER letters_frozen BEFORE UPDATE OR DELETE ON letters
  FOR EACH ROW EXECUTE FUNCTION huurwacht_letter_frozen();
--> statement-breakpoint
CREATE TRIGGER letters_no_truncate BEFORE TRUNCATE ON letters
  FOR EACH STATEMENT EXECUTE FUNCTION huurwacht_refuse_change();

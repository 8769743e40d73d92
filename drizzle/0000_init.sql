CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"subject" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"contract_id" text NOT NULL,
	"case_id" integer,
	"on" date NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"type" text NOT NULL,
	"clause" text,
	"actor" text NOT NULL,
	"summary" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"idempotency_key" text,
	CONSTRAINT "case_events_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"id" serial PRIMARY KEY NOT NULL,
	"contract_id" text NOT NULL,
	"stage" text NOT NULL,
	"opened_on" date NOT NULL,
	"stage_since" date NOT NULL,
	"due_on" date,
	"closed_on" date,
	"closed_reason" text,
	"state" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cases_stage_valid" CHECK ("cases"."stage" in ('reminder','contact','visit','arrangement','escalation','bailiff','mt_vote','eviction_procedure','verdict','closed')),
	CONSTRAINT "cases_closed_consistent" CHECK (("cases"."stage" = 'closed') = ("cases"."closed_on" is not null and "cases"."closed_reason" is not null))
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"file_name" text NOT NULL,
	"sha256" text NOT NULL,
	"rows" integer NOT NULL,
	"inserted" integer NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"skipped" integer NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"entry_id" text PRIMARY KEY NOT NULL,
	"contract_id" text NOT NULL,
	"type" text NOT NULL,
	"due_date" date,
	"booking_date" date NOT NULL,
	"amount_cents" integer NOT NULL,
	"description" text,
	"import_id" integer NOT NULL,
	CONSTRAINT "ledger_type_valid" CHECK ("ledger_entries"."type" in ('rent', 'costs', 'payment', 'credit')),
	CONSTRAINT "ledger_amount_positive" CHECK ("ledger_entries"."amount_cents" > 0),
	CONSTRAINT "ledger_charge_has_due_date" CHECK ("ledger_entries"."type" in ('payment', 'credit') or "ledger_entries"."due_date" is not null)
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"channel" text NOT NULL,
	"kind" text NOT NULL,
	"case_id" integer,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"slack_ts" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	CONSTRAINT "outbox_key_unique" UNIQUE("key")
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"key" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"channel" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenancies" (
	"contract_id" text PRIMARY KEY NOT NULL,
	"team_key" text NOT NULL,
	"address" text NOT NULL,
	"postcode" text NOT NULL,
	"house_number" text,
	"city" text NOT NULL,
	"monthly_rent_cents" integer NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date,
	"phone" text,
	"email" text,
	"earlier_verdict_date" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenancies_rent_positive" CHECK ("tenancies"."monthly_rent_cents" >= 0)
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"contract_id" text NOT NULL,
	"position" smallint NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "tenants_contract_id_position_pk" PRIMARY KEY("contract_id","position")
);
--> statement-breakpoint
ALTER TABLE "case_events" ADD CONSTRAINT "case_events_contract_id_tenancies_contract_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."tenancies"("contract_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_events" ADD CONSTRAINT "case_events_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_contract_id_tenancies_contract_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."tenancies"("contract_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_contract_id_tenancies_contract_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."tenancies"("contract_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenancies" ADD CONSTRAINT "tenancies_team_key_teams_key_fk" FOREIGN KEY ("team_key") REFERENCES "public"."teams"("key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_contract_id_tenancies_contract_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."tenancies"("contract_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_subject_idx" ON "audit_log" USING btree ("subject","at");--> statement-breakpoint
CREATE INDEX "case_events_contract_idx" ON "case_events" USING btree ("contract_id","id");--> statement-breakpoint
CREATE INDEX "case_events_case_idx" ON "case_events" USING btree ("case_id");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_one_open_per_tenancy" ON "cases" USING btree ("contract_id") WHERE "cases"."closed_on" is null;--> statement-breakpoint
CREATE INDEX "cases_stage_idx" ON "cases" USING btree ("stage");--> statement-breakpoint
CREATE INDEX "ledger_contract_idx" ON "ledger_entries" USING btree ("contract_id","booking_date");--> statement-breakpoint
CREATE INDEX "outbox_pending_idx" ON "outbox" USING btree ("next_attempt_at") WHERE "outbox"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "tenancies_team_idx" ON "tenancies" USING btree ("team_key");--> statement-breakpoint
CREATE INDEX "tenancies_postcode_idx" ON "tenancies" USING btree ("postcode","house_number");--> statement-breakpoint
CREATE INDEX "tenants_name_idx" ON "tenants" USING btree (lower("name"));
CREATE TABLE "slack_messages" (
	"case_id" integer NOT NULL,
	"kind" text NOT NULL,
	"channel" text NOT NULL,
	"ts" text NOT NULL,
	"outbox_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "slack_messages_case_id_kind_pk" PRIMARY KEY("case_id","kind")
);
--> statement-breakpoint
ALTER TABLE "slack_messages" ADD CONSTRAINT "slack_messages_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "slack_messages_channel_ts" ON "slack_messages" USING btree ("channel","ts");
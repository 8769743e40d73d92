CREATE TABLE "daily_runs" (
	"run_date" date PRIMARY KEY NOT NULL,
	"detection_month" text,
	"transitions" integer NOT NULL,
	"messages" integer NOT NULL,
	"summary" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "daily_runs_detection_month_unique" UNIQUE("detection_month")
);

-- CreateTable
CREATE TABLE "service_instances" (
    "id" UUID NOT NULL,
    "hostname" TEXT NOT NULL,
    "uses_redis" BOOLEAN NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "service_instances_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "service_instances_seen_at_idx" ON "service_instances"("seen_at");

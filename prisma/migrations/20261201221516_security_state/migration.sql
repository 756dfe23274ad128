-- AlterTable
ALTER TABLE "action_tokens" ADD COLUMN     "user_security_version" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "security_version" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "session_revocations" (
    "session_id" UUID NOT NULL,
    "revoked_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "session_revocations_pkey" PRIMARY KEY ("session_id")
);

-- CreateIndex
CREATE INDEX "session_revocations_revoked_at_idx" ON "session_revocations"("revoked_at");

-- Revocations made before this migration, so instances started after it still refuse their access
-- tokens (JWT_ACCESS_TTL is at most a day).
INSERT INTO "session_revocations" ("session_id", "revoked_at")
SELECT "id", "revoked_at" FROM "sessions" WHERE "revoked_at" > now() - interval '1 day';

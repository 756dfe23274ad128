-- AlterTable
ALTER TABLE "sso_states" ALTER COLUMN "nonce" DROP NOT NULL;

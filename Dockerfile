# syntax=docker/dockerfile:1
# The service's image: `node dist/main.js` serves; `node scripts/db/migrate.mjs` (a one-shot container,
# Kubernetes Job or init container) applies prisma/migrations through Prisma's WebAssembly schema
# engine, with no engine download and nothing written to the image. README, "Production".
# NODE_IMAGE: the base of both stages; the image test passes a stand-in built without a registry.
ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: install everything, generate the Prisma client, compile, keep production dependencies ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
# No install scripts: nothing is downloaded from Prisma's CDN (bcrypt and SWC ship prebuilt binaries);
# the one step they would do that the build needs is the client's generation, run here by name.
RUN npm ci --ignore-scripts --no-audit --no-fund && node scripts/prisma-generate.mjs
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
# The CLI's engine is kept beside the migrations (SCHEMA_ENGINE_WASM below); the CLI itself, a dev
# dependency of 200 MB, is pruned with the rest. --omit=optional too: the CLI is an optional peer of
# @prisma/client, which npm keeps otherwise.
RUN npm run build \
  && cp node_modules/prisma/build/schema_engine_bg.wasm prisma/schema_engine_bg.wasm \
  && npm prune --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force

# --- runtime: compiled code and production dependencies, owned by root and only readable by the user ---
# NODE_ENV=production needs JWT_ACCESS_SECRET (or a key ring), PASSWORD_PEPPER and MFA_ENCRYPTION_KEY,
# each also readable from a file (<NAME>_FILE): README, "Production". Never bake them into the image.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    SCHEMA_ENGINE_WASM=/app/prisma/schema_engine_bg.wasm
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/scripts/db/migrate.mjs /app/scripts/db/schema-engine.mjs ./scripts/db/
COPY --from=build /app/dist ./dist
# Configuration errors point here for every variable and its default.
COPY .env.example ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/api/v1/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]

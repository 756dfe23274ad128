# syntax=docker/dockerfile:1

# --- build: install everything, generate the Prisma client, compile, keep production dependencies ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Prisma's postinstall downloads the native schema engine here (the image can reach Prisma's CDN);
# `prisma migrate deploy` in the runtime image uses it.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# --- runtime: compiled code and production dependencies only, as the unprivileged node user ---
# NODE_ENV=production needs JWT_ACCESS_SECRET (or a key ring), PASSWORD_PEPPER and MFA_ENCRYPTION_KEY at run time, all
# random (openssl rand -base64 48): README, "Security settings". Never bake them into the image.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/prisma.config.ts ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/prisma ./prisma
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/api/v1/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Migrations first; exec replaces the shell so SIGTERM reaches node, which drains and exits 0.
CMD ["sh", "-c", "node node_modules/prisma/build/index.js migrate deploy && exec node dist/main.js"]

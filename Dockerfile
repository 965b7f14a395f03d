# syntax=docker/dockerfile:1
# mailproof as a container: `docker build -t mailproof .`, then
#   docker run --rm -p 1025:1025 -p 8025:8025 mailproof
# Stages: build (TypeScript, web UI, better-sqlite3's native addon) → prod-deps (runtime
# node_modules only) → saas-auth (the example app, used by docker-compose.yml) → runtime, the
# default target: Node 20 slim, non-root, SMTP on 1025 and HTTP on 8025 bound to 0.0.0.0.

FROM node:20-slim AS build
# better-sqlite3 is compiled from source (node-gyp): Python, make and a C++ compiler.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the "prepare" script would build before the sources are here; the only
# dependency with an install script is better-sqlite3, built explicitly.
RUN npm ci --ignore-scripts \
 && npm rebuild better-sqlite3 --build-from-source
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY ui ./ui
COPY fixtures ./fixtures
RUN npm run build

FROM build AS prod-deps
RUN npm prune --omit=dev

FROM build AS saas-auth
COPY examples/saas-auth ./examples/saas-auth
RUN npm run tsc -- -p examples/saas-auth
USER node
ENV PORT=3000
EXPOSE 3000
CMD ["node", "examples/saas-auth/dist/src/main.js"]

FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    MAILPROOF_HOST=0.0.0.0
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist ./dist
COPY --from=build /app/ui/dist ./ui/dist
COPY --from=build /app/fixtures ./fixtures
# /data is where a durable SQLite file goes: docker run -v mailproof:/data mailproof --db /data/mailproof.db
RUN mkdir /data && chown node:node /data
# The image's own unprivileged account (uid 1000).
USER node
EXPOSE 1025 8025
# No curl in the slim image: Node's fetch asks /api/health on the configured HTTP port (health
# stays open when --api-token or --ui-auth guard the rest of the API).
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.MAILPROOF_HTTP_PORT || 8025}/api/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--max-semi-space-size=2", "dist/cli/main.js"]
CMD ["serve", "--host", "0.0.0.0"]

# syntax=docker/dockerfile:1
# statebridge image: `docker build -t statebridge .` (see README, "Deploy").
# Both stages run Debian bookworm: better-sqlite3 is compiled from source in
# the build stage, because its prebuilt binaries need a newer glibc than
# bookworm's, and a module built here must load in the runtime stage.

FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would compile TypeScript before src/ is here;
# the one native module is then built from source on its own (npm warns it does
# not know build-from-source; prebuild-install, better-sqlite3's installer, does).
RUN npm ci --ignore-scripts \
 && npm_config_build_from_source=true npm rebuild better-sqlite3 \
 && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The compiler's objects and SQLite's sources are not needed to run (22 of better-sqlite3's 27 MB).
RUN npm run build \
 && rm -rf dist/bench \
 && npm prune --omit=dev \
 && cd node_modules/better-sqlite3 \
 && rm -rf build/Release/obj build/Release/obj.target build/Release/test_extension.node deps src

FROM node:20-bookworm-slim
# Memory, as in the systemd unit: at most two malloc arenas for all threads, and a
# small young generation on the main thread (README, Performance).
ENV NODE_ENV=production \
    SESSION_DB_PATH=/data/statebridge.db \
    MALLOC_ARENA_MAX=2 \
    NODE_OPTIONS=--max-semi-space-size=2
WORKDIR /app
# Owned by root and read-only to the service user: the code cannot be rewritten by the process running it.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The shipped pricing table of agent token costs (--pricing overrides it).
COPY pricing ./pricing
RUN mkdir -p /data && chown node:node /data
# The image's unprivileged `node` user (uid 1000); the reports tree must be readable by it.
USER node
VOLUME /data
EXPOSE 8787
# /readyz through `statebridge health`: unhealthy while stalled, not only when dead. The start
# period covers the start-up reconcile of a large tree.
HEALTHCHECK --interval=30s --timeout=10s --start-period=5m --retries=3 \
  CMD ["node", "dist/cli.js", "health"]
ENTRYPOINT ["node", "/app/dist/cli.js"]
# Listening beyond loopback needs STATEBRIDGE_API_TOKEN or STATEBRIDGE_API_TOKEN_FILE.
CMD ["watch", "/reports", "--listen", "0.0.0.0:8787"]

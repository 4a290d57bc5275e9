# syntax=docker/dockerfile:1
# Build stage: compile the TypeScript.
FROM node:24-alpine AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY src ./src
COPY routes ./routes
COPY scripts/build-info.mjs scripts/bundle.mjs ./scripts/
# The commit the image is built from, for --version and the health check:
# docker build --build-arg MRS_EMULATOR_COMMIT=$(git rev-parse HEAD) . (without it: unknown).
ARG MRS_EMULATOR_COMMIT
RUN npm run build

# Runtime stage: production dependencies, the compiled code and the bundled fixtures only.
FROM node:24-alpine
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=9336 \
    MRS_EMULATOR_TLS_DIR=/data/ca \
    NODE_COMPILE_CACHE=/app/.node-compile-cache
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY fixtures ./fixtures
COPY README.md LICENSE ./
COPY scripts/warm-cache.mjs ./scripts/
# Optional persistence: mount a volume here and set MRS_EMULATOR_STATE_FILE=/data/state.json.
# With MRS_EMULATOR_TLS=auto the local CA is kept here too (/data/ca), for clients to trust.
RUN mkdir -p /data /app/.node-compile-cache && chown node:node /data /app/.node-compile-cache
VOLUME ["/data"]
USER node
# Node's compile cache, filled by one start and one request at build time: a container's first
# start reads the compiled code (bench/RESULTS.md, round three).
RUN node scripts/warm-cache.mjs
EXPOSE 9336
# Node itself, against the configured port: the image has no curl.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 9336) + '/_emulator/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node directly, not npm start, so that SIGTERM reaches the emulator and it shuts down gracefully.
CMD ["node", "dist/src/server.js"]

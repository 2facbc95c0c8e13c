# Blason: build once, run the compiled service as a non-root user on Node 20.
FROM node:20-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native addon when no prebuilt binary can be downloaded.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY types ./types
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production \
    PORT=3000 \
    BLASON_DATA_DIR=/var/lib/blason/data \
    BLASON_KEYS_DIR=/var/lib/blason/keys
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY contexts ./contexts
COPY schemas ./schemas
COPY catalogue ./catalogue
COPY badge-templates ./badge-templates
COPY src/views ./src/views
# Stylesheets, scripts and vendored assets of the pages.
COPY public ./public
RUN mkdir -p /var/lib/blason/data /var/lib/blason/keys && chown -R node:node /var/lib/blason
USER node
VOLUME ["/var/lib/blason"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM lets in-flight requests finish before the process exits.
CMD ["node", "dist/main.js"]

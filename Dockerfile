# Blason: the image runs the artifact `npm pack` makes (package.json "files" is the one list of what the
# service needs at run time), installed as anyone would install it, as a non-root user on Node 20.
FROM node:20-slim AS build
WORKDIR /src
# better-sqlite3 compiles its native addon when no prebuilt binary can be downloaded.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# prepack compiles dist/ afresh; the tarball holds only what "files" lists.
RUN npm pack --pack-destination /tmp
# Installed here, where the compilers are, with the lockfile's exact versions and no development packages.
RUN mkdir /opt/blason && tar -xzf /tmp/blason-*.tgz -C /opt/blason --strip-components=1 \
    && cp package-lock.json /opt/blason/ \
    && cd /opt/blason && npm ci --omit=dev --no-audit --no-fund && rm package-lock.json

FROM node:20-slim
ENV NODE_ENV=production \
    PORT=3000 \
    BLASON_DATA_DIR=/var/lib/blason/data \
    BLASON_KEYS_DIR=/var/lib/blason/keys
WORKDIR /app
COPY --from=build /opt/blason ./
RUN mkdir -p /var/lib/blason/data /var/lib/blason/keys && chown -R node:node /var/lib/blason
USER node
VOLUME ["/var/lib/blason"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM lets in-flight requests finish before the process exits.
CMD ["node", "dist/cli/blason.js", "serve"]

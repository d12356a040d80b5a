# syntax=docker/dockerfile:1
#
# One image pattern for every Meridian service and for the bootstrap CLI:
#
#   docker build --build-arg SERVICE=risk -t meridian/risk .
#   docker build --build-arg SERVICE=bootstrap -t meridian/bootstrap .
#
# SERVICE is a directory under services/ (ingestion, order-book, inference, coordinator, risk,
# execution, recorder) or `bootstrap` (libs/platform's stream/consumer provisioning CLI);
# `node tools/image/dist/prune-cli.js --list` prints them. Needs BuildKit (Docker 23+ uses it by
# default) for the npm cache mounts. The image holds only the service's workspace closure and
# its production dependencies (tools/image computes both; see tools/image/README.md):
#
#   /app/package.json         workspaces = the closure; "main" = the entry point
#   /app/package-lock.json    pruned to what `npm ci --omit=dev` of the closure installs
#   /app/node_modules/        that install (workspace packages are symlinks into /app/libs, ...)
#   /app/libs/<lib>/          package.json + dist/ (+ runtime files listed in "files")
#   /app/services/<svc>/      package.json + dist/
#
# Run-time contract (the charts rely on it): tini is PID 1 and forwards SIGTERM to node, which
# drains and exits 0; uid/gid 1000 (numeric, non-root); nothing is written outside /tmp, so
# the root filesystem can be mounted read-only with an emptyDir at /tmp; NODE_ENV=production.
#
# Stages: manifests -> build (full install, nx build, prune) -> install (--omit=dev of the
# pruned tree) -> runtime. tini comes from Debian's package in its own stage.

# Pin by digest in CI (node:20-bookworm-slim@sha256:...); every stage uses the same base, so the
# Debian tini binary and the node binary share one glibc.
ARG NODE_IMAGE=node:20-bookworm-slim
# The npm the lockfile and package.json's `allowScripts` are written for (the base image ships
# npm 10, which ignores allowScripts and would run every dependency's install script).
ARG NPM_VERSION=11.19.1

# --- npm: the base image with the project's npm, for the two stages that install.
FROM ${NODE_IMAGE} AS npm
ARG NPM_VERSION
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm install --global "npm@${NPM_VERSION}" --no-audit --no-fund

# --- manifests: only what `npm ci` reads (root package.json, lockfile, .npmrc, every workspace
# package.json, at their paths). This stage reruns on any change in the context, but BuildKit
# keys the `COPY --from=manifests` below on the copied files' content, so the full install
# stays cached until a manifest or the lockfile changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && cp --parents package.json package-lock.json .npmrc libs/*/package.json services/*/package.json tools/*/package.json /manifests/

# --- build: the monorepo's full install (dev dependencies included: typescript, nx, buf), the
# Nx build of SERVICE's project and of every lib it depends on (proto generation included), then
# meridian-prune writes the image tree to /image and its install inputs alone to
# /image-manifests. This stage is never shipped.
FROM npm AS build
ENV NX_DAEMON=false NX_NO_CLOUD=true CI=true
WORKDIR /repo
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --no-audit --no-fund
COPY . .
ARG SERVICE
# tools/image has no workspace dependencies, so `tsc -b` builds it alone; it then names the Nx
# project of SERVICE (an unknown SERVICE fails here, listing the valid ones).
RUN test -n "${SERVICE}" || { echo 'build with --build-arg SERVICE=<service|bootstrap>' >&2; exit 2; }; \
    npx tsc -b tools/image \
 && project="$(node tools/image/dist/prune-cli.js --target "${SERVICE}" --print-project)" \
 && npx nx run "${project}:build" --output-style=stream \
 && node tools/image/dist/prune-cli.js --target "${SERVICE}" --out /image --manifests-out /image-manifests

# --- install: a production install of the pruned tree and nothing else. It sees no other
# workspace and no dev dependency: the lockfile it installs from holds none.
FROM npm AS install
WORKDIR /app
COPY --from=build /image-manifests/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --no-audit --no-fund
COPY --from=build /image/ ./

# --- tini from Debian (same base, so the same glibc as in the runtime stage).
FROM ${NODE_IMAGE} AS tini
RUN apt-get update \
 && apt-get install --yes --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

# --- runtime: node (from the base), tini, /app. No npm install runs here.
FROM ${NODE_IMAGE} AS runtime
ARG NODE_IMAGE
ARG SERVICE
ARG VERSION=0.1.0
ARG REVISION=unknown
# Set by CI: --build-arg REVISION=$(git rev-parse HEAD) --build-arg CREATED=$(date -u +%FT%TZ)
# --build-arg SOURCE=<repository URL>.
ARG CREATED=""
ARG SOURCE=""
# Owner of the files under /app. Root (the default) keeps them read-only for uid 1000 even
# where the root filesystem is writable. The Tiltfile builds with 1000:1000 so that Tilt's live
# update (tar as the container's user) can replace dist/ files; that also needs a writable root
# filesystem in the dev chart values.
ARG APP_OWNER=0:0
LABEL org.opencontainers.image.title="meridian-${SERVICE}" \
      org.opencontainers.image.description="Meridian ${SERVICE}: the workspace closure of its package with production dependencies only" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.vendor="Meridian" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
ENV NODE_ENV=production
COPY --from=tini /usr/bin/tini /usr/bin/tini
WORKDIR /app
COPY --from=install --chown=${APP_OWNER} /app /app
# The base image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# tini reaps zombies and forwards SIGTERM (Kubernetes' stop signal) to node; the services
# handle it with a graceful drain and exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["tini", "--"]
# `node /app` starts /app/package.json's "main": services/<svc>/dist/main.js, or
# libs/platform/dist/bootstrap-cli.js for SERVICE=bootstrap.
CMD ["node", "/app"]

# SealStack container image: build on Debian 12, run on debian:12-slim as a non-root user.
#
#   docker build -t sealstack .
#   docker run --rm -p 4566:4566 sealstack
#   docker run --rm -p 4566:4566 sealstack --in-memory --log-level debug   # extra flags
#
# The base images are build arguments so that hosts without registry access (see
# scripts/check-container, which imports them locally for podman) can substitute their own:
#   podman build --build-arg BASE_IMAGE=localhost/debian:12 \
#                --build-arg RUNTIME_IMAGE=localhost/debian:12-slim --format docker .
# (--format docker: the OCI image format has no HEALTHCHECK.)
ARG BASE_IMAGE=debian:12
ARG RUNTIME_IMAGE=debian:12-slim

# ---------------------------------------------------------------------------------------------
# Build packages first, in their own stage: it only reruns when scripts/setup changes (and
# scripts/check-container keeps it as its build cache).
FROM ${BASE_IMAGE} AS build-deps
SHELL ["/bin/bash", "-euo", "pipefail", "-c"]
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /src
COPY scripts/setup scripts/setup
RUN scripts/setup --build && rm -rf /var/lib/apt/lists/*

FROM build-deps AS build
COPY . .
# The same configure/build/install as CI and scripts/run (Release, no tests; a unity build, which
# needs a third of the compile time).
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSEALSTACK_BUILD_TESTS=OFF -DCMAKE_UNITY_BUILD=ON \
 && cmake --build build --target sealstack \
 && cmake --install build --prefix /usr/local --strip \
 && /usr/local/bin/sealstack --version

# The runtime packages are derived from what the binary really links (ldd -> owning package),
# so a new library dependency cannot be forgotten in the runtime stage. Fails on any library
# that is not found or not owned by a Debian package. (usrmerge: dpkg may know a library under
# /lib/... or under /usr/lib/..., so both spellings are tried.)
RUN ldd /usr/local/bin/sealstack | tee /tmp/ldd.txt \
 && if grep -q 'not found' /tmp/ldd.txt; then echo "unresolved libraries" >&2; exit 1; fi \
 && for lib in $(awk '$2 == "=>" && $3 ~ /^\// {print $3}' /tmp/ldd.txt); do \
      real=$(readlink -f "$lib"); owner=""; \
      for p in "$lib" "$real" "${real#/usr}" "/usr${real}"; do \
        owner=$(dpkg-query -S "$p" 2>/dev/null | head -n1 | cut -d: -f1) && [[ -n $owner ]] && break; \
      done; \
      if [[ -z $owner ]]; then echo "no Debian package owns $lib" >&2; exit 1; fi; \
      echo "$owner"; \
    done | sort -u > /runtime-packages.txt \
 && echo "runtime packages: $(tr '\n' ' ' < /runtime-packages.txt)"

# ---------------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE}
SHELL ["/bin/bash", "-euo", "pipefail", "-c"]

COPY --from=build /runtime-packages.txt /tmp/runtime-packages.txt
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      $(cat /tmp/runtime-packages.txt) >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /tmp/runtime-packages.txt

# Fixed uid/gid so bind-mounted data directories can be prepared on the host (chown 10001).
RUN groupadd --gid 10001 sealstack \
 && useradd --uid 10001 --gid sealstack --home-dir /var/lib/sealstack \
      --no-create-home --shell /usr/sbin/nologin sealstack \
 && install -d -o sealstack -g sealstack -m 0750 /var/lib/sealstack

COPY --from=build /usr/local/bin/sealstack /usr/local/bin/sealstack
COPY docker/healthcheck /usr/local/bin/sealstack-healthcheck
RUN chmod 0755 /usr/local/bin/sealstack-healthcheck \
 && if ldd /usr/local/bin/sealstack | grep 'not found'; then exit 1; fi \
 && /usr/local/bin/sealstack --version

USER sealstack
WORKDIR /var/lib/sealstack
VOLUME /var/lib/sealstack
EXPOSE 4566
# Real HTTP check (status 200 and "status":"ok"), with bash's /dev/tcp: no curl in the image.
HEALTHCHECK --interval=5s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/sealstack-healthcheck"]
# SIGTERM (docker stop) is a clean shutdown; flags given to `docker run IMAGE ...` are appended
# and, being later, override these (e.g. --in-memory, --log-level debug).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/sealstack", "--host", "0.0.0.0", "--port", "4566", "--data-dir", "/var/lib/sealstack"]

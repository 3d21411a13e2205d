# kyso: multi-stage build, small runtime image, non-root, /data volume, configuration by
# environment (KYSO_*), healthcheck on /readyz. Mounts (README "Docker"):
#   /data            volume: evidence store, index, CRLs (read-write)
#   /etc/kyso/bcy    the BCY CA certificates (read-only; never baked into the image)
#   /etc/kyso        optionally kyso.toml and registry.toml (KYSO_CONFIG=/etc/kyso/kyso.toml)
#   docker run -v kyso-data:/data -v /path/to/bcy-certs:/etc/kyso/bcy:ro \
#     -e KYSO_TOKEN='qlvb:<sha256 of the token>:submit+read' -p 8080:8080 kyso
# kyso speaks plain HTTP: put it behind a TLS reverse proxy (bearer tokens must not cross a
# network in clear).
FROM rust:1-bookworm AS build
WORKDIR /src
# Dependencies first, in their own layer: a source change does not rebuild them. The workspace's
# two crates are stubbed (every target their manifests name) for this layer.
COPY Cargo.toml Cargo.lock ./
COPY crates/kyso/Cargo.toml crates/kyso/Cargo.toml
COPY crates/kyso-verify/Cargo.toml crates/kyso-verify/Cargo.toml
RUN mkdir -p crates/kyso/src crates/kyso/benches crates/kyso-verify/src \
 && echo 'fn main() {}' > crates/kyso/src/main.rs && touch crates/kyso/src/lib.rs \
 && echo 'fn main() {}' > crates/kyso/benches/national.rs && touch crates/kyso-verify/src/lib.rs \
 && cargo build --release --locked -p kyso --bin kyso \
 && rm -rf crates target/release/kyso target/release/deps/kyso* target/release/deps/libkyso* \
      target/release/.fingerprint/kyso*
COPY certs ./certs
COPY docs ./docs
COPY crates ./crates
RUN cargo build --release --locked -p kyso --bin kyso && strip target/release/kyso

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin kyso \
 && mkdir -p /data /etc/kyso/bcy \
 && chown kyso:kyso /data
COPY --from=build /src/target/release/kyso /usr/local/bin/kyso
COPY scripts/submit.sh /usr/local/bin/kyso-submit
ENV KYSO_BIND=0.0.0.0:8080 \
    KYSO_DATA_DIR=/data \
    KYSO_TRUST=/etc/kyso/bcy \
    KYSO_INTERMEDIATES=/etc/kyso/bcy \
    KYSO_CRLS=/data/crl \
    KYSO_LOG=info
USER kyso
VOLUME ["/data"]
EXPOSE 8080
# Ready = anchors loaded, CRLs current, store writable (/healthz is liveness only).
# The check follows the configured bind address (KYSO_BIND), on loopback.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD port="${KYSO_BIND##*:}"; curl -fsS "http://127.0.0.1:${port:-8080}/readyz" >/dev/null || exit 1
ENTRYPOINT ["kyso"]
CMD ["serve"]

# Multi-stage build: the web app and the server in a Rust image, then a slim runtime image.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
ENV MINHU_CACHE=/cache CARGO_TARGET_DIR=/src/target
# Same steps as the README's run command: wasm target, wasm-bindgen CLI matching Cargo.lock.
RUN bash -c 'source .ci/lib.sh && ensure_build_deps && build_web release' \
 && cargo build --release -p minhu

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 libsqlite3-0 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /app --uid 10001 minhu \
 && mkdir -p /app/data && chown minhu /app/data
COPY --from=build /src/target/release/minhu /usr/local/bin/minhu
COPY --from=build /src/web/dist /app/web/dist
WORKDIR /app
USER minhu
ENV MINHU_BIND=0.0.0.0:8080 MINHU_WEB_DIR=/app/web/dist MINHU_DATA_DIR=/app/data
EXPOSE 8080
CMD ["minhu", "serve"]

# Multi-stage build of canteen with PostgreSQL support.
FROM rust:1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY .cargo ./.cargo
COPY build.rs ./
COPY src ./src
COPY migrations ./migrations
RUN cargo build --release --features postgres --locked

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /app canteen
COPY --from=build /src/target/release/canteen /usr/local/bin/canteen
USER canteen
WORKDIR /app
EXPOSE 8080
ENV CANTEEN_BIND=0.0.0.0:8080
HEALTHCHECK --interval=30s --timeout=5s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
CMD ["canteen", "serve"]

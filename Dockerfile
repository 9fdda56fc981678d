# syntax=docker/dockerfile:1
# Build: a static binary (modernc SQLite is pure Go, so CGO stays off).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/labdash ./cmd/labdash \
 && mkdir -p /out/data

# Run: distroless (CA certificates for AWS, no shell), as the nonroot user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/labdash /labdash
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV LABDASH_ADDR=0.0.0.0:8080 \
    LABDASH_DB=/data/labdash.db \
    LABDASH_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/labdash", "healthcheck"]
ENTRYPOINT ["/labdash"]
CMD ["serve"]

# syntax=docker/dockerfile:1
# Suivi: a static binary in a distroless image, run as a non-root user.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO off: a static binary. The zone database is embedded (time/tzdata).
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/suivi ./cmd/suivi

# distroless/static has CA certificates and no shell; "nonroot" is uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/suivi /usr/local/bin/suivi
COPY examples/*.yaml /examples/
USER 65532:65532
ENV SUIVI_HTTP_ADDR=:8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["/usr/local/bin/suivi", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/suivi"]
CMD ["run"]

# streamcheck as a tool, for other projects' jobs: Debian bookworm with the runtime packages of
# the C libraries streamcheck links, terraform, and the release scripts/package.sh packed (the
# Swift runtime linked in, so no Swift toolchain). Built by the pipeline's streamcheck-image job
# from the swift-build job's dist/, pushed as $CI_REGISTRY_IMAGE/streamcheck; proven by
# scripts/test.d/70-pipeline.sh, which builds it from the package its swift-build job made and
# runs a verified flow inside it.
FROM hashicorp/terraform:1.11 AS terraform

FROM debian:bookworm-slim
COPY dist/ /tmp/dist/
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends ca-certificates librdkafka1 libavro23 libcurl4 libpq5 \
    && rm -rf /var/lib/apt/lists/* \
    && cd /tmp/dist && tar xzf streamcheck-*-linux-*.tar.gz \
    && PREFIX=/usr/local ./streamcheck-*-linux-*/install.sh \
    && rm -rf /tmp/dist
COPY --from=terraform /bin/terraform /usr/local/bin/terraform
CMD ["streamcheck", "--help"]

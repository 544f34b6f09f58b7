# zyntro-enrich in a container: Debian's headless Chromium, the package, the state on a volume.
#   docker build -t zyntro-enrich .
#   docker run --rm --env-file zyntro-enrich.env -v zyntro-enrich-data:/data zyntro-enrich refresh
# Secrets (ZYNTRO_API_KEY, ZYNTRO_DEVELOPER_SECRET, OPENAI_API_KEY) are never baked into the image:
# pass them at run time (--env-file, compose's env_file). See compose.example.yaml.
FROM python:3.12-slim-bookworm

# Debian's chromium-headless-shell renders faster and lighter than the full browser; Playwright's own
# browser download is not needed (ZYNTRO_ENRICH_CHROMIUM points at this one).
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium-headless-shell fonts-liberation tini \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/zyntro-enrich
COPY pyproject.toml README.md ./
COPY agent ./agent
COPY extractors ./extractors
COPY prompts ./prompts
RUN pip install --no-cache-dir . && rm -rf build

# The data directory (SQLite state, optional config.toml) lives on a volume: it survives new images.
ENV ZYNTRO_ENRICH_HOME=/data \
    ZYNTRO_ENRICH_CHROMIUM=/usr/bin/chromium-headless-shell \
    PYTHONUNBUFFERED=1
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin enrich \
    && mkdir -p /data && chown enrich:enrich /data
VOLUME ["/data"]
USER enrich

# tini reaps Chromium's child processes and passes `docker stop`'s SIGTERM on.
ENTRYPOINT ["/usr/bin/tini", "--", "zyntro-enrich"]
CMD ["schedule", "--every", "3600"]

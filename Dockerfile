# One image for every zerovisit service; the command picks the service.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY services ./services
COPY migrations ./migrations
RUN uv sync --frozen --no-dev
RUN useradd --system --uid 10001 zerovisit && mkdir -p /app/var && chown zerovisit /app/var
USER zerovisit
EXPOSE 8001 8002 8003
CMD ["zerovisit", "run", "--service", "intake"]

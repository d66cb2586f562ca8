# The app image used by compose.yaml (docs/scale-out.md). CPU-only torch first, then the project.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False
WORKDIR /app
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY app ./app
COPY eval ./eval
RUN pip install "psycopg[binary]" .
COPY datasets ./datasets
RUN useradd --create-home support && mkdir -p /data && chown support /data
USER support
EXPOSE 7860
CMD ["python", "-m", "app", "serve"]

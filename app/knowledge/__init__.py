"""Knowledge base: documents, loaders, chunking, embedders, Chroma + BM25 retrieval, CLI.

Importing this package is cheap: models, Chroma and bm25s load on first use.
"""

from app.knowledge.base import KnowledgeBase
from app.knowledge.bootstrap import ensure_knowledge
from app.knowledge.documents import DocumentInfo, Hit, IngestSummary, SourceDocument
from app.knowledge.embedders import Embedder, load_embedder, register_embedder
from app.knowledge.query import build_query

__all__ = [
    "DocumentInfo",
    "Embedder",
    "Hit",
    "IngestSummary",
    "KnowledgeBase",
    "SourceDocument",
    "build_query",
    "ensure_knowledge",
    "load_embedder",
    "register_embedder",
]

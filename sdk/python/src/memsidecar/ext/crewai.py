"""CrewAI's memory on memsidecar: :class:`MemSidecarStorage` is a CrewAI ``StorageBackend``.

As the original's: **semantic** holds the vectors CrewAI's embedder supplies (the namespace's own
embedder is not used; its dimensions must match), searched ids-only, over-fetching 3× when categories
or metadata filters are set — a scope prefix, unlike the original's, is filtered in the sidecar (each
vector carries its scope's ancestors), so a scoped search never loses its hits to other scopes; **kv** holds each record as JSON under ``id/<id>`` and a scope index entry under
``rec<scope>/<id>``::

    memory = Memory(storage=MemSidecarStorage(m, kv_namespace="default", semantic_namespace="crew"),
                    embedder=my_embedder)
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime
from typing import Any

from crewai.memory.types import MemoryRecord, ScopeInfo

from memsidecar.client import MemSidecar

__all__ = ["MemSidecarStorage"]


def _scope(scope: str | None) -> str:
    """A scope path as stored: leading slash, no trailing one ("/" for the root)."""
    s = "/" + (scope or "").strip("/")
    return s


def _scope_levels(scope: str) -> dict[str, str]:
    """A scope's ancestors by depth, kept on its vector so that a scope prefix is a server-side filter:
    /a/b -> {"scope_1": "/a", "scope_2": "/a/b"}."""
    parts = [p for p in _scope(scope).split("/") if p]
    return {f"scope_{i}": "/" + "/".join(parts[:i]) for i in range(1, len(parts) + 1)}


def _under(scope: str, prefix: str | None) -> bool:
    if prefix is None:
        return True
    p = _scope(prefix)
    return p == "/" or scope == p or scope.startswith(p + "/")


class MemSidecarStorage:
    """A CrewAI memory ``StorageBackend`` on a :class:`~memsidecar.MemSidecar`."""

    def __init__(self, client: MemSidecar, *, kv_namespace: str = "default",
                 semantic_namespace: str = "crew-memory") -> None:
        self.client = client
        self.kv_namespace = kv_namespace
        self.semantic_namespace = semantic_namespace

    # --- keys and records ---

    @staticmethod
    def _index_prefix(scope_prefix: str | None) -> str:
        s = _scope(scope_prefix)
        return "rec/" if s == "/" else f"rec{s}/"

    def _index_key(self, record: MemoryRecord) -> str:
        return self._index_prefix(record.scope) + record.id

    def _records(self, ids: list[str]) -> list[MemoryRecord]:
        if not ids:
            return []
        items = self.client.kv.multi_get(self.kv_namespace, [f"id/{i}" for i in ids])
        return [MemoryRecord.model_validate_json(item.value) for item in items]

    def _in_scope(self, scope_prefix: str | None) -> list[MemoryRecord]:
        keys = self.client.kv.scan(self.kv_namespace, key_prefix=self._index_prefix(scope_prefix))
        return self._records([item.key.rsplit("/", 1)[1] for item in keys])

    @staticmethod
    def _matches(record: MemoryRecord, scope_prefix: str | None, categories: list[str] | None,
                 metadata_filter: dict[str, Any] | None) -> bool:
        return (_under(_scope(record.scope), scope_prefix)
                and (not categories or bool(set(categories) & set(record.categories)))
                and all(record.metadata.get(k) == v for k, v in (metadata_filter or {}).items()))

    # --- StorageBackend ---

    def save(self, records: list[MemoryRecord]) -> None:
        for record in records:
            record.scope = _scope(record.scope)
            previous = self.get_record(record.id)
            self.client.kv.put(self.kv_namespace, f"id/{record.id}", record.model_dump_json(),
                               content_type="application/json")
            self.client.kv.put(self.kv_namespace, self._index_key(record), b"")
            if previous is not None and _scope(previous.scope) != record.scope:
                self.client.kv.delete(self.kv_namespace, self._index_key(previous))
            if record.embedding:
                self.client.semantic.upsert(self.semantic_namespace, [{
                    "id": record.id, "vector": list(record.embedding),
                    "metadata": {**_scope_levels(record.scope), "source": record.source or ""}}])

    def search(self, query_embedding: list[float], scope_prefix: str | None = None,
               categories: list[str] | None = None, metadata_filter: dict[str, Any] | None = None,
               limit: int = 10, min_score: float = 0.0) -> list[tuple[MemoryRecord, float]]:
        # the scope is filtered in the sidecar (exact match on the record's ancestor at that depth);
        # categories and metadata are checked here, over 3x the hits
        scope = _scope(scope_prefix)
        pushed = {} if scope == "/" else {f"scope_{scope.count('/')}": scope}
        hits = self.client.semantic.search(self.semantic_namespace, query_vector=query_embedding, filter=pushed,
                                           top_k=limit * 3 if categories or metadata_filter else limit, ids_only=True)
        scores = {h.record.id: h.score for h in hits if h.score >= min_score}
        records = {r.id: r for r in self._records(list(scores))}
        found = [(records[i], s) for i, s in scores.items()
                 if i in records and self._matches(records[i], scope_prefix, categories, metadata_filter)]
        return found[:limit]

    def delete(self, scope_prefix: str | None = None, categories: list[str] | None = None,
               record_ids: list[str] | None = None, older_than: datetime | None = None,
               metadata_filter: dict[str, Any] | None = None) -> int:
        candidates = self._records(list(record_ids)) if record_ids is not None else self._in_scope(scope_prefix)
        removed = 0
        for record in candidates:
            if not self._matches(record, scope_prefix, categories, metadata_filter):
                continue
            if older_than is not None and record.created_at >= older_than:
                continue
            self.client.kv.delete(self.kv_namespace, f"id/{record.id}")
            self.client.kv.delete(self.kv_namespace, self._index_key(record))
            self.client.semantic.delete(self.semantic_namespace, record.id, hard=True)
            removed += 1
        return removed

    def update(self, record: MemoryRecord) -> None:
        self.save([record])

    def get_record(self, record_id: str) -> MemoryRecord | None:
        got = self.client.kv.get(self.kv_namespace, f"id/{record_id}")
        return MemoryRecord.model_validate_json(got.value) if got.found else None

    def list_records(self, scope_prefix: str | None = None, limit: int = 200, offset: int = 0) -> list[MemoryRecord]:
        records = sorted(self._in_scope(scope_prefix), key=lambda r: r.created_at, reverse=True)
        return records[offset:offset + limit]

    def get_scope_info(self, scope: str) -> ScopeInfo:
        records = self._in_scope(scope)
        times = [r.created_at for r in records]
        return ScopeInfo(path=_scope(scope), record_count=len(records),
                         categories=sorted({c for r in records for c in r.categories}),
                         oldest_record=min(times) if times else None, newest_record=max(times) if times else None,
                         child_scopes=self.list_scopes(scope))

    def list_scopes(self, parent: str = "/") -> list[str]:
        base = _scope(parent)
        children = set()
        for item in self.client.kv.scan(self.kv_namespace, key_prefix=self._index_prefix(parent)):
            scope = item.key[3:].rsplit("/", 1)[0] or "/"
            rest = scope[len(base):].strip("/") if base != "/" else scope.strip("/")
            if rest:
                children.add(("" if base == "/" else base) + "/" + rest.split("/")[0])
        return sorted(children)

    def list_categories(self, scope_prefix: str | None = None) -> dict[str, int]:
        return dict(Counter(c for r in self._in_scope(scope_prefix) for c in r.categories))

    def count(self, scope_prefix: str | None = None) -> int:
        return sum(1 for _ in self.client.kv.scan(self.kv_namespace, key_prefix=self._index_prefix(scope_prefix)))

    def reset(self, scope_prefix: str | None = None) -> None:
        self.delete(scope_prefix=scope_prefix)

    async def asave(self, records: list[MemoryRecord]) -> None:
        await asyncio.to_thread(self.save, records)

    async def asearch(self, query_embedding: list[float], scope_prefix: str | None = None,
                      categories: list[str] | None = None, metadata_filter: dict[str, Any] | None = None,
                      limit: int = 10, min_score: float = 0.0) -> list[tuple[MemoryRecord, float]]:
        return await asyncio.to_thread(self.search, query_embedding, scope_prefix, categories, metadata_filter,
                                       limit, min_score)

    async def adelete(self, scope_prefix: str | None = None, categories: list[str] | None = None,
                      record_ids: list[str] | None = None, older_than: datetime | None = None,
                      metadata_filter: dict[str, Any] | None = None) -> int:
        return await asyncio.to_thread(self.delete, scope_prefix, categories, record_ids, older_than,
                                       metadata_filter)

"""CrewAI's memory (the real crewai package) through MemSidecarStorage: saved, recalled, scoped,
forgotten — and a second Memory on the same sidecar (another process's view) sees what the first saved."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from crewai.memory.storage.backend import StorageBackend
from crewai.memory.unified_memory import Memory

from memsidecar import MemSidecar
from memsidecar.ext.crewai import MemSidecarStorage

DIMS = 16


def embed(texts):
    """A deterministic bag-of-words embedder (16 dims): equal words, equal directions."""
    out = []
    for text in texts:
        v = [0.0] * DIMS
        for word in text.lower().split():
            v[hashlib.sha256(word.encode()).digest()[0] % DIMS] += 1.0
        out.append(v)
    return out


def _memory(m, backend):
    return Memory(storage=MemSidecarStorage(m, kv_namespace=f"kv-{backend}", semantic_namespace=f"notes-{backend}"),
                  embedder=embed, llm="gpt-4o-mini")


def test_a_crew_memory_is_saved_and_recalled_through_the_sidecar(sidecar, token, backend):
    with MemSidecar(sidecar.address, token=token) as m:
        storage = MemSidecarStorage(m, kv_namespace=f"kv-{backend}", semantic_namespace=f"notes-{backend}")
        assert isinstance(storage, StorageBackend)
        run = "/" + uuid.uuid4().hex
        memory = _memory(m, backend)
        saved = memory.remember("the deploy window is friday at noon", scope=f"{run}/ops", categories=["ops"],
                                importance=0.9, metadata={"team": "sre"})
        memory.remember("lunch is pizza on thursdays", scope=f"{run}/social", categories=["food"], importance=0.2)
        memory.drain_writes()

        again = _memory(m, backend)  # a fresh Memory: nothing but the sidecar in common
        found = again.recall("when is the deploy window", scope=run, depth="shallow", limit=1)
        assert found and found[0].record.content == "the deploy window is friday at noon"
        assert found[0].record.id == saved.id and found[0].record.metadata["team"] == "sre"
        assert again.list_scopes(run) == [f"{run}/ops", f"{run}/social"]
        assert again.list_categories(run) == {"ops": 1, "food": 1}
        assert again.info(run).record_count == 2
        assert [r.content for r in again.list_records(f"{run}/social")] == ["lunch is pizza on thursdays"]
        assert storage.search(embed(["deploy window"])[0], scope_prefix=run, categories=["food"], limit=5)[0][0] \
            .categories == ["food"]
        assert storage.count(run) == 2
        assert storage.delete(scope_prefix=run, categories=["food"]) == 1
        assert storage.count(run) == 1
        again.reset(run)
        assert storage.count(run) == 0
        assert storage.get_record(saved.id) is None


async def test_async_methods(sidecar, token, backend):
    from crewai.memory.types import MemoryRecord
    with MemSidecar(sidecar.address, token=token) as m:
        storage = MemSidecarStorage(m, kv_namespace=f"kv-{backend}", semantic_namespace=f"notes-{backend}")
        scope = "/" + uuid.uuid4().hex
        record = MemoryRecord(content="async memory", scope=scope, embedding=embed(["async memory"])[0])
        await storage.asave([record])
        hits = await storage.asearch(embed(["async memory"])[0], scope_prefix=scope)
        assert hits[0][0].id == record.id and hits[0][1] > 0.99
        assert await storage.adelete(record_ids=[record.id]) == 1
        assert storage.get_record(record.id) is None

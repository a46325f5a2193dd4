"""LangGraph's own checkpointer conformance suite (langgraph-checkpoint-conformance) against
MemSidecarSaver, on the sync client (async methods on a thread) and on the asyncio client (native),
for the memory and the PostgreSQL drivers. Every base capability and every extended one it detects
must pass; all eight are implemented."""

from __future__ import annotations

import pytest
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.capabilities import ALL_CAPABILITIES

from memsidecar import AsyncMemSidecar, MemSidecar
from memsidecar.ext.langgraph import MemSidecarSaver


@pytest.mark.parametrize("flavour", ["async", "sync"])
async def test_the_saver_passes_langgraphs_conformance_suite(sidecar, token, backend, flavour):
    @checkpointer_test(name=f"MemSidecarSaver-{flavour}-{backend}")
    async def saver():
        if flavour == "async":
            async with AsyncMemSidecar(sidecar.address, token=token) as client:
                yield MemSidecarSaver(client, namespace=f"kv-{backend}")
        else:
            with MemSidecar(sidecar.address, token=token) as client:
                yield MemSidecarSaver(client, namespace=f"kv-{backend}")

    report = await validate(saver)
    print(report.to_dict() if hasattr(report, "to_dict") else report)
    assert {cap for cap, r in report.results.items() if r.detected} == {c.value for c in ALL_CAPABILITIES}
    failed = {cap: r.failures for cap, r in report.results.items() if r.passed is not True}
    assert not failed, failed
    assert sum(r.tests_passed for r in report.results.values()) > 50

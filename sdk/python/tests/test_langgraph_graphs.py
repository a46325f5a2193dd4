"""LangGraph through real compiled StateGraphs: interrupted in one process and resumed in another from
the sidecar, state history and time travel, and a node recalling what an earlier thread stored."""

from __future__ import annotations

import operator
import subprocess
import sys
import textwrap
import uuid
from typing import Annotated, TypedDict

import pytest
from langgraph.graph import END, START, StateGraph
from langgraph.store.base import BaseStore
from langgraph.types import Command, interrupt

from memsidecar import AsyncMemSidecar, MemSidecar
from memsidecar.ext.langgraph import MemSidecarSaver, MemSidecarStore

GRAPH = '''
import operator, sys
from typing import Annotated, TypedDict
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt
from memsidecar import MemSidecar
from memsidecar.ext.langgraph import MemSidecarSaver

class State(TypedDict):
    steps: Annotated[list[str], operator.add]

def plan(state): return {"steps": ["plan"]}
def approve(state): return {"steps": ["approved:" + interrupt("approve?")]}
def act(state): return {"steps": ["act"]}

builder = StateGraph(State)
builder.add_node("plan", plan); builder.add_node("approve", approve); builder.add_node("act", act)
builder.add_edge(START, "plan"); builder.add_edge("plan", "approve"); builder.add_edge("approve", "act")
builder.add_edge("act", END)
address, token, ns, thread, step = sys.argv[1:6]
with MemSidecar(address, token=token) as m:
    graph = builder.compile(checkpointer=MemSidecarSaver(m, namespace=ns))
    config = {"configurable": {"thread_id": thread}}
    if step == "start":
        out = graph.invoke({"steps": []}, config)
        print("INTERRUPTED" if "__interrupt__" in out else "DONE", out["steps"])
    else:
        out = graph.invoke(Command(resume="yes"), config)
        print("DONE", out["steps"])
'''


def test_a_run_interrupted_in_one_process_resumes_in_another(sidecar, token, backend, tmp_path):
    script = tmp_path / "graph.py"
    script.write_text(GRAPH)
    thread = uuid.uuid4().hex
    args = [sys.executable, str(script), sidecar.address, token, f"kv-{backend}", thread]
    first = subprocess.run([*args, "start"], capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("INTERRUPTED") and "['plan']" in first.stdout
    second = subprocess.run([*args, "resume"], capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "DONE ['plan', 'approved:yes', 'act']" in second.stdout


class Counter(TypedDict):
    log: Annotated[list[str], operator.add]


def _counter_graph():
    builder = StateGraph(Counter)
    builder.add_node("a", lambda s: {"log": ["a"]})
    builder.add_node("b", lambda s: {"log": ["b"]})
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    builder.add_edge("b", END)
    return builder


def test_state_history_and_time_travel(sidecar, token, backend):
    with MemSidecar(sidecar.address, token=token) as m:
        graph = _counter_graph().compile(checkpointer=MemSidecarSaver(m, namespace=f"kv-{backend}"))
        config = {"configurable": {"thread_id": uuid.uuid4().hex}}
        assert graph.invoke({"log": ["start"]}, config)["log"] == ["start", "a", "b"]
        history = list(graph.get_state_history(config))
        assert [h.values.get("log") for h in history][:3] == [["start", "a", "b"], ["start", "a"], ["start"]]
        after_a = next(h for h in history if h.values.get("log") == ["start", "a"])
        # time travel: replay from the checkpoint after "a"; only "b" runs again, on a new branch
        replayed = graph.invoke(None, after_a.config)
        assert replayed["log"] == ["start", "a", "b"]
        assert len(list(graph.get_state_history(config))) > len(history)
        forked = graph.update_state(after_a.config, {"log": ["edited"]})
        assert graph.get_state(forked).values["log"] == ["start", "a", "edited"]


class Chat(TypedDict):
    question: str
    answer: str


async def test_a_node_recalls_what_an_earlier_thread_stored(sidecar, token, backend):
    async with AsyncMemSidecar(sidecar.address, token=token) as m:
        user = uuid.uuid4().hex
        store = MemSidecarStore(m, namespace=f"kv-{backend}", index={"namespace": f"notes-{backend}",
                                                                      "fields": ["text"]})

        async def remember(state: Chat, *, store: BaseStore) -> dict:
            await store.aput(("memories", user), uuid.uuid4().hex, {"text": state["question"]})
            return {"answer": "noted"}

        async def recall(state: Chat, *, store: BaseStore) -> dict:
            found = await store.asearch(("memories", user), query=state["question"], limit=1)
            return {"answer": found[0].value["text"] if found else "nothing"}

        def graph(node):
            b = StateGraph(Chat)
            b.add_node("n", node)
            b.add_edge(START, "n")
            b.add_edge("n", END)
            return b.compile(checkpointer=MemSidecarSaver(m, namespace=f"kv-{backend}"), store=store)

        await graph(remember).ainvoke({"question": "my favourite city is Lyon", "answer": ""},
                                      {"configurable": {"thread_id": uuid.uuid4().hex}})
        await graph(remember).ainvoke({"question": "quarterly revenue grew", "answer": ""},
                                      {"configurable": {"thread_id": uuid.uuid4().hex}})
        out = await graph(recall).ainvoke({"question": "my favourite city is Lyon", "answer": ""},
                                          {"configurable": {"thread_id": uuid.uuid4().hex}})
        assert out["answer"] == "my favourite city is Lyon"


def test_store_operations(sidecar, token, backend):
    with MemSidecar(sidecar.address, token=token) as m:
        run = uuid.uuid4().hex
        store = MemSidecarStore(m, namespace=f"kv-{backend}", index={"namespace": f"notes-{backend}"},
                                ttl={"default_ttl": None, "refresh_on_read": True})
        store.put((run, "a"), "k1", {"text": "alpha", "n": 1})
        store.put((run, "a"), "k2", {"text": "beta", "n": 2}, index=False)
        store.put((run, "b", "c"), "k3", {"text": "gamma", "n": 3}, ttl=10)
        first = store.get((run, "a"), "k1")
        assert first is not None and first.value == {"text": "alpha", "n": 1} and first.namespace == (run, "a")
        store.put((run, "a"), "k1", {"text": "alpha2", "n": 1})
        again = store.get((run, "a"), "k1")
        assert again.created_at == first.created_at and again.updated_at > first.updated_at
        assert store.get((run, "a"), "missing") is None
        assert {i.key for i in store.search((run,))} == {"k1", "k2", "k3"}
        assert [i.key for i in store.search((run,), filter={"n": {"$gte": 2}}, limit=1)] in (["k2"], ["k3"])
        assert [i.key for i in store.search((run,), filter={"n": 3})] == ["k3"]
        assert [i.key for i in store.search((run, "a"), query="alpha2")][:1] == ["k1"]
        assert "k2" not in [i.key for i in store.search((run,), query="beta")], "index=False is not embedded"
        assert store.list_namespaces(prefix=(run,)) == [(run, "a"), (run, "b", "c")]
        assert store.list_namespaces(prefix=(run,), max_depth=2) == [(run, "a"), (run, "b")]
        assert store.list_namespaces(prefix=(run,), suffix=("c",)) == [(run, "b", "c")]
        store.delete((run, "a"), "k1")
        assert store.get((run, "a"), "k1") is None
        assert "k1" not in [i.key for i in store.search((run, "a"), query="alpha2")]
        with pytest.raises(ValueError):
            MemSidecarStore(m, index={"fields": ["text"]})

"""Appends a word to a thread's state through a LangGraph graph checkpointed on memsidecar with JSON
serialization — the Python half of the TypeScript suite's cross-language test (sdk/typescript/test/langgraph.test.ts):
    python cross_language.py <address> <token> <kv namespace> <thread> <word>
prints the thread's steps as JSON."""

import json
import operator
import sys
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph

from memsidecar import MemSidecar
from memsidecar.ext.langgraph import JsonSerializer, MemSidecarSaver


class State(TypedDict):
    steps: Annotated[list[str], operator.add]


address, token, ns, thread, word = sys.argv[1:6]
builder = StateGraph(State)
builder.add_node("note", lambda state: {"steps": []})
builder.add_edge(START, "note")
builder.add_edge("note", END)
with MemSidecar(address, token=token) as m:
    graph = builder.compile(checkpointer=MemSidecarSaver(m, namespace=ns, serde=JsonSerializer()))
    out = graph.invoke({"steps": [word]}, {"configurable": {"thread_id": thread}})
    print(json.dumps(out["steps"], separators=(",", ":")))

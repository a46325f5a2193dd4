"""Recall against search and the client-side pattern on a generated corpus (docs/benchmarks.md, "Recall").

The corpus is generated here with a fixed seed: 10 000 entities (people, companies, cities, projects),
each with a note (a semantic record whose id is the entity's graph node id) and 51 500 typed edges.
Notes mention only what a person would write on that entity's page: a company's note lists its staff,
a city's note its landmarks, never the entities two hops away. Questions name one person and ask for
a record one hop away (their employer: the employer's note names them) or two hops away (the city of
their employer; the city where their manager lives), whose note does not mention them.

Methods, each asked every question (the query embedded once beforehand, so every method finds it in
the server's embedding cache):
  dense        Semantic.Search, mode dense, top_k 10
  hybrid       Semantic.Search, mode hybrid, top_k 10
  client       the pattern an agent writes without Recall: hybrid search (50 candidates), Graph.Neighbors of
               the top 5 hits, Semantic.Get of every neighbour, and RRF of the search list and the neighbours
               (by seed rank) on the client — concurrent calls where they can be (asyncio)
  Recall       Recall.Recall with the graph namespace, no focal node (seeds from its own lanes), depth 1
and the client pattern and Recall again with the question's relations as edge_types (what an agent that
knows the relation it asks about passes), Recall walking two hops, Recall with the named person as the
focal node, and two ablations with the graph lane at weight 1 instead of its default 2.
and reports recall@10 (the answer record among the top 10) per question kind, and p50/p99 latency.

Usage: tests/bench/recall.sh [sqlite|postgres] (builds, starts the packaged server, runs this).
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "sdk/python/tests"))

from sidecar import KeyPair, Sidecar  # noqa: E402

from memsidecar import AsyncMemSidecar  # noqa: E402

SEED = 20261207
PEOPLE, COMPANIES, CITIES, PROJECTS = 4000, 2500, 1500, 2000
QUESTIONS_PER_KIND = int(os.environ.get("QUESTIONS", "150"))

SYLLABLES = ["ka", "lo", "mi", "ren", "to", "va", "zu", "bri", "dal", "en", "fo", "gri", "hal", "is", "jor", "kel",
             "lun", "mar", "nor", "os", "pel", "quin", "ros", "sil", "tam", "ul", "ven", "wes", "xan", "yor"]
ROLES = ["engineer", "designer", "accountant", "teacher", "nurse", "lawyer", "chef", "pilot", "analyst", "writer"]
HOBBIES = ["chess", "sailing", "pottery", "running", "birdwatching", "jazz", "gardening", "climbing", "baking", "cycling"]
INDUSTRIES = ["logistics", "software", "biotech", "furniture", "energy", "textile", "insurance", "robotics", "media"]
LANDMARKS = ["an old harbour", "a glass cathedral", "a river market", "a hill fortress", "a botanical garden",
             "a tram museum", "salt flats", "a lighthouse", "a stone bridge", "a jazz festival"]
TOPICS = ["payments", "search", "maps", "vaccines", "batteries", "drones", "translation", "weather", "sensors"]


@dataclass
class Corpus:
    notes: dict[str, str]                  # id -> content
    edges: list[tuple[str, str, str, str]]  # (id, type, from, to)
    names: dict[str, str]                  # id -> name
    works_at: dict[str, str]
    located_in: dict[str, str]
    lives_in: dict[str, str]
    manager_of: dict[str, str]              # person -> their manager


def generate(seed: int = SEED) -> Corpus:
    rnd = random.Random(seed)
    used: set[str] = set()

    def name(parts: int) -> str:
        while True:
            n = " ".join("".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 3))).capitalize()
                         for _ in range(parts))
            if n not in used:
                used.add(n)
                return n

    people = [f"person-{i}" for i in range(PEOPLE)]
    companies = [f"company-{i}" for i in range(COMPANIES)]
    cities = [f"city-{i}" for i in range(CITIES)]
    projects = [f"project-{i}" for i in range(PROJECTS)]
    names = {p: name(2) for p in people}
    names.update({c: name(1) + " " + rnd.choice(["Labs", "Works", "Group", "Systems", "Partners"]) for c in companies})
    names.update({c: name(1) for c in cities})
    names.update({p: "Project " + name(1) for p in projects})
    edges: list[tuple[str, str, str, str]] = []

    def edge(kind: str, a: str, b: str) -> None:
        edges.append((f"e{len(edges)}", kind, a, b))

    works_at = {p: rnd.choice(companies) for p in people}
    lives_in = {p: rnd.choice(cities) for p in people}
    located_in = {c: rnd.choice(cities) for c in companies}
    manager_of: dict[str, str] = {}
    for p in people:
        edge("works_at", p, works_at[p])
        edge("lives_in", p, lives_in[p])
        for other in rnd.sample(people, 5):
            if other != p:
                edge("knows", p, other)
        edge("mentors", p, rnd.choice(people))
        for project in rnd.sample(projects, 2):
            edge("works_on", p, project)
    for p in rnd.sample(people, 2000):
        m = rnd.choice(people)
        if m != p:
            manager_of[p] = m
            edge("manages", m, p)
    for c in companies:
        edge("located_in", c, located_in[c])
        for other in rnd.sample(companies, 2):
            edge("partners_with", c, other)
    for project in projects:
        edge("owned_by", project, rnd.choice(companies))

    staff: dict[str, list[str]] = {c: [] for c in companies}
    for p, c in works_at.items():
        staff[c].append(names[p])
    notes = {}
    for p in people:
        notes[p] = (f"{names[p]} is a {rnd.choice(ROLES)} who enjoys {rnd.choice(HOBBIES)} and "
                    f"{rnd.choice(HOBBIES)}.")
    for c in companies:
        listed = ", ".join(staff[c]) if staff[c] else "nobody yet"
        notes[c] = f"{names[c]} is a {rnd.choice(INDUSTRIES)} company. Its staff: {listed}."
    for c in cities:
        notes[c] = f"{names[c]} is a city known for {rnd.choice(LANDMARKS)} and {rnd.choice(LANDMARKS)}."
    for project in projects:
        notes[project] = f"{names[project]} is a project on {rnd.choice(TOPICS)}."
    return Corpus(notes, edges, names, works_at, located_in, lives_in, manager_of)


@dataclass
class Question:
    text: str
    person: str            # the node the question names
    answer: str            # the answer record's id
    relations: list[str]   # the edge types of the path, for the typed variants


def questions(c: Corpus, seed: int = SEED) -> dict[str, list[Question]]:
    """Per kind, the questions: which person they name, the answer record, the relations on the way."""
    rnd = random.Random(seed + 1)
    people = sorted(c.works_at)
    managed = sorted(c.manager_of)
    one = [Question(f"Which company does {c.names[p]} work for?", p, c.works_at[p], ["works_at"])
           for p in rnd.sample(people, QUESTIONS_PER_KIND)]
    two = [Question(f"In which city is the company that {c.names[p]} works for?", p, c.located_in[c.works_at[p]],
                    ["works_at", "located_in"]) for p in rnd.sample(people, QUESTIONS_PER_KIND)]
    manager = [Question(f"In which city does the manager of {c.names[p]} live?", p, c.lives_in[c.manager_of[p]],
                        ["manages", "lives_in"]) for p in rnd.sample(managed, QUESTIONS_PER_KIND)]
    return {"1 hop: employer": one, "2 hops: employer's city": two, "2 hops: manager's city": manager}


async def load(m: AsyncMemSidecar, c: Corpus, notes_ns: str, graph_ns: str) -> None:
    ids = sorted(c.notes)
    for i in range(0, len(ids), 1000):
        await m.graph.upsert_nodes(graph_ns, [{"id": n, "labels": [n.split("-")[0]]} for n in ids[i:i + 1000]])
    for i in range(0, len(c.edges), 1000):
        await m.graph.upsert_edges(graph_ns, [{"id": e, "type": t, "from": a, "to": b}
                                              for e, t, a, b in c.edges[i:i + 1000]])
    for i in range(0, len(ids), 200):
        await m.semantic.upsert(notes_ns, [{"id": n, "content": c.notes[n]} for n in ids[i:i + 200]], timeout=600)


def rrf(lanes: list[list[str]], k: int = 60) -> list[str]:
    score: dict[str, float] = {}
    for lane in lanes:
        for rank, i in enumerate(lane):
            score[i] = score.get(i, 0) + 1 / (k + rank + 1)
    return sorted(score, key=lambda i: (-score[i], i))


async def client_side(m: AsyncMemSidecar, notes_ns: str, graph_ns: str, q: str, types: list[str] | None) -> list[str]:
    hits = await m.semantic.search(notes_ns, query_text=q, mode="hybrid", top_k=50, rerank_candidate_k=50,
                                   ids_only=True)
    searched = [h.record.id for h in hits]
    seeds = searched[:5]
    around = await asyncio.gather(*(m.graph.neighbors(graph_ns, s, edge_types=types, limit=50) for s in seeds),
                                  return_exceptions=True)
    graph_lane: list[str] = []
    for s, r in zip(seeds, around):
        if isinstance(r, BaseException):
            continue  # a record that is not a node
        for n in [s, *(n.id for n in r.nodes)]:
            if n not in graph_lane:
                graph_lane.append(n)
    got = await asyncio.gather(*(m.semantic.get(notes_ns, n, include_payload=False) for n in graph_lane))
    graph_lane = [n for n, rec in zip(graph_lane, got) if rec is not None]
    return rrf([searched, graph_lane])[:10]


def start(backend: str) -> tuple[Sidecar, str]:
    """The packaged server with the two namespaces on SQLite (the embedded default's driver) or PostgreSQL,
    and the in-process embedder of the embedded default (all-MiniLM-L6-v2)."""
    keys = KeyPair()
    where = ("{ name: db, driver: sqlite, options: { path: \"%s\" } }" % (pathlib.Path(tempfile.mkdtemp()) / "bench.db")
             if backend == "sqlite" else
             "{ name: db, driver: postgres, options: { dsn: \"%s\" } }" % os.environ["MEMSIDECAR_BENCH_PG_URL"])
    sidecar = Sidecar(keys, f"""
backends:
  - {where}
namespaces:
  - {{ block: semantic, name: notes, backend: db, embedder: {{ provider: local, dimensions: 384 }} }}
  - {{ block: graph, name: kg, backend: db }}
""")
    return sidecar, keys.token()


async def main() -> None:
    backend = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    notes_ns, graph_ns = "notes", "kg"
    corpus = generate()
    qs = questions(corpus)
    sidecar, token = start(backend)
    try:
        await measure(sidecar.address, token, backend, notes_ns, graph_ns, corpus, qs)
    finally:
        sidecar.stop()


async def measure(target: str, token: str, backend: str, notes_ns: str, graph_ns: str, corpus: Corpus,
                  qs: dict[str, list[Question]]) -> None:
    async with AsyncMemSidecar(target, token=token, timeout=600) as m:
        started = time.monotonic()
        await load(m, corpus, notes_ns, graph_ns)
        loaded = time.monotonic() - started
        for kind in qs.values():  # embed every question once: all methods then hit the embedding cache
            for q in kind:
                await m.semantic.search(notes_ns, query_text=q.text, top_k=1)

        async def dense(q: Question) -> list[str]:
            return [h.record.id for h in await m.semantic.search(notes_ns, query_text=q.text, mode="dense", ids_only=True)]

        async def hybrid(q: Question) -> list[str]:
            return [h.record.id for h in await m.semantic.search(notes_ns, query_text=q.text, mode="hybrid", ids_only=True)]

        async def recall(q: Question, **more: object) -> list[str]:
            r = await m.recall(notes_ns, query_text=q.text, graph_namespace=graph_ns, **more)  # type: ignore[arg-type]
            return [h.record.id for h in r.hits]

        methods = {
            "dense Search": dense,
            "hybrid Search": hybrid,
            "client-side pattern": lambda q: client_side(m, notes_ns, graph_ns, q.text, None),
            "client-side pattern, edge types": lambda q: client_side(m, notes_ns, graph_ns, q.text, q.relations),
            "Recall": lambda q: recall(q),
            "Recall, edge types": lambda q: recall(q, edge_types=q.relations),
            "Recall, edge types, depth 2": lambda q: recall(q, edge_types=q.relations, expand_depth=2),
            "Recall, edge types, focal node, depth 2": lambda q: recall(q, edge_types=q.relations,
                                                                        focal_node_ids=[q.person], expand_depth=2),
            "ablation: Recall, graph weight 1": lambda q: recall(q, weights={"graph": 1}),
            "ablation: Recall, edge types, focal node, depth 2, graph weight 1":
                lambda q: recall(q, edge_types=q.relations, focal_node_ids=[q.person], expand_depth=2,
                                 weights={"graph": 1}),
        }
        found = {name: {kind: 0 for kind in qs} for name in methods}
        latency: dict[str, list[float]] = {name: [] for name in methods}
        for kind, items in qs.items():
            for q in items:
                for name, fn in methods.items():  # interleaved, so drift hits every method alike
                    t = time.perf_counter()
                    top = await fn(q)
                    latency[name].append((time.perf_counter() - t) * 1000)
                    found[name][kind] += q.answer in top[:10]

    kinds = list(qs)
    n = QUESTIONS_PER_KIND
    hybrid_at = {k: found["hybrid Search"][k] / n for k in kinds}
    print(f"corpus: {len(corpus.notes)} notes, {len(corpus.edges)} edges (seed {SEED}), loaded in {loaded:.0f} s; "
          f"{n} questions per kind; backend {backend}\n")
    print("| recall@10 | " + " | ".join(kinds) + " | p50 ms | p99 ms |")
    print("|---|" + "---:|" * (len(kinds) + 2))
    for name in methods:
        cells = []
        for k in kinds:
            r = found[name][k] / n
            ratio = f" ({r / hybrid_at[k]:.2f}×)" if hybrid_at[k] else ""
            cells.append(f"{r:.2f}{ratio}")
        lat = sorted(latency[name])
        p50 = statistics.median(lat)
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        print(f"| {name} | " + " | ".join(cells) + f" | {p50:.1f} | {p99:.1f} |")
    def p50(name: str) -> float:
        return statistics.median(latency[name])

    print(f"\np50 Recall / client-side pattern: {p50('Recall') / p50('client-side pattern'):.2f} (untyped), "
          f"{p50('Recall, edge types') / p50('client-side pattern, edge types'):.2f} (edge types); "
          "(×) = recall@10 / hybrid Search's")

if __name__ == "__main__":
    asyncio.run(main())

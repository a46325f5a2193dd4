"""One agent turn that touches every memsidecar block (the original SDK's tour, unchanged in spirit).

Run the sidecar on its embedded default (./dev run), then:
    pip install ./sdk/python
    python examples/agent_tour.py

Target: $MEMSIDECAR_ADDR (default 127.0.0.1:7777). Token: $MEMSIDECAR_TOKEN, else the one the embedded
default wrote to ~/.memsidecar/token (or $MEMSIDECAR_DATA_DIR/token). Elsewhere, mint one with
    memctl token issue --tenant demo --ns 'kv/*,episodic/*,semantic/*,artifact/*,lease/*,graph/*' --ops '*'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pathlib
import uuid

from memsidecar import MemSidecar


def token() -> str:
    if os.environ.get("MEMSIDECAR_TOKEN"):
        return os.environ["MEMSIDECAR_TOKEN"]
    data = pathlib.Path(os.environ.get("MEMSIDECAR_DATA_DIR", pathlib.Path.home() / ".memsidecar"))
    return (data / "token").read_text().strip()


def main() -> None:
    session = uuid.uuid4().hex[:8]
    with MemSidecar(os.environ.get("MEMSIDECAR_ADDR", "127.0.0.1:7777"), token=token()) as m:
        # 1. episodic: what was said and done this turn
        m.episodic.append("events", "message", b"What is the capital of France?", role="user", session_id=session)
        m.episodic.append("events", "tool_call", b'{"tool":"search","q":"capital of France"}', role="assistant",
                          session_id=session)
        turn = [e for e in m.episodic.range("events") if e.session_id == session]
        print(f"episodic: {len(turn)} events in session {session}: {[e.type for e in turn]}")

        # 2. kv: a tool result cached for five minutes
        m.kv.put("scratchpad", f"search:{session}", "Paris", ttl=dt.timedelta(minutes=5), content_type="text/plain")
        print(f"kv: search:{session} = {m.kv.get('scratchpad', f'search:{session}').value.decode()}")

        # 3. semantic: a fact, embedded by the sidecar, found again by meaning
        m.semantic.upsert("notes", [{"id": f"fact-{session}", "content": "Paris is the capital of France",
                                     "metadata": {"topic": "geography", "session": session}}])
        hits = m.semantic.search("notes", query_text="French capital city", filter={"session": session}, top_k=3)
        print(f"semantic: best hit {hits[0].record.id} ({hits[0].score:.2f})")

        # 4. artifact: a report, streamed in and out, checked by size and SHA-256
        report = f"# Report {session}\n\nThe capital of France is Paris.\n".encode()
        ref = m.artifact.put("blobs", report, id=f"report-{session}", content_type="text/markdown")
        back = m.artifact.get("blobs", f"report-{session}")
        assert ref.size == len(report) and ref.sha256 == hashlib.sha256(report).hexdigest() and back == report
        print(f"artifact: report-{session} {ref.size} bytes, sha256 {ref.sha256[:12]}…")

        # 5. graph: Paris -[CAPITAL_OF]-> France
        m.graph.upsert_nodes("knowledge", [{"id": "paris", "labels": ["City"]}, {"id": "france", "labels": ["Country"]}])
        m.graph.upsert_edges("knowledge", [{"id": "paris-capital-of-france", "type": "CAPITAL_OF", "from": "paris",
                                            "to": "france"}])
        near = m.graph.neighbors("knowledge", "paris", edge_types=["CAPITAL_OF"], direction="out")
        print(f"graph: paris -CAPITAL_OF-> {[n.id for n in near.nodes]}")

        # 6. lease: finalize the turn under a lock with a fencing token
        lease = m.lease.acquire("locks", f"finalize-{session}", ttl=dt.timedelta(seconds=30))
        held = m.lease.inspect("locks", f"finalize-{session}")
        assert held is not None and held.holder_id == lease.holder_id
        m.lease.release(lease.holder_id, "locks", f"finalize-{session}")
        print(f"lease: finalize-{session} fencing token {lease.fencing_token}, released")

    print("next: memctl ns ls; memctl episodic tail events")


if __name__ == "__main__":
    main()

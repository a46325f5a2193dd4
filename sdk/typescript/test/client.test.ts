// The client against a real server: every block on the memory and PostgreSQL drivers, typed errors,
// deadlines, AbortSignal, stream cancellation, the Unix socket, artifacts from every kind of source.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, createReadStream, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import {
  Code, DeadlineExceededError, FailedPreconditionError, InvalidArgumentError, Lane, MemSidecar, MemSidecarError, NotFoundError,
  PermissionDeniedError, ResourceExhaustedError, UnauthenticatedError, UnavailableError, VersionMismatchError,
} from "../src/index.js";
import { BACKENDS, KeyPair, Sidecar, freePort, sections, unique } from "./sidecar.js";

let keys: KeyPair;
let server: Sidecar;
let token: string;
let m: MemSidecar;

before(async () => {
  keys = new KeyPair();
  server = await Sidecar.start(keys, sections(mkdtempSync(join(tmpdir(), "ms-blobs-"))));
  token = keys.token();
  m = new MemSidecar(server.address, { token });
});
after(async () => { await server.stop(); });

test("the token is required and defaults to $MEMSIDECAR_TOKEN", async () => {
  assert.throws(() => new MemSidecar(server.address, { token: "" }), /token/);
  process.env.MEMSIDECAR_TOKEN = token;
  try {
    assert.equal((await new MemSidecar(server.address).kv.put("kv-mem", "env", "x")).version > 0n, true);
  } finally {
    delete process.env.MEMSIDECAR_TOKEN;
  }
});

for (const b of BACKENDS) {
  describe(`on ${b}`, () => {
    test("kv: every method, CAS and TTL", async () => {
      const ns = `kv-${b}`, u = unique();
      assert.equal((await m.kv.put(ns, `${u}/a`, "1", { contentType: "text/plain", metadata: { who: "me" } })).version, 1n);
      const got = await m.kv.get(ns, `${u}/a`);
      assert.deepEqual([got.found, new TextDecoder().decode(got.value), got.contentType, got.metadata], [true, "1", "text/plain", { who: "me" }]);
      assert.equal((await m.kv.put(ns, `${u}/a`, new Uint8Array([50]), { ifVersion: 1n })).version, 2n);
      await assert.rejects(m.kv.put(ns, `${u}/a`, "x", { ifVersion: 1n }), (e: unknown) =>
        e instanceof VersionMismatchError && e instanceof FailedPreconditionError && e.code === Code.FailedPrecondition);
      await assert.rejects(m.kv.put(ns, `${u}/a`, "x", { ifVersion: 0n }), VersionMismatchError);
      await m.kv.put(ns, `${u}/b`, "b", { ttlSeconds: 60 });
      await m.kv.put(ns, `${u}/c`, "c", { ttlSeconds: 0.2 });
      assert.deepEqual((await m.kv.multiGet(ns, [`${u}/b`, `${u}/a`, `${u}/none`])).map((i) => i.key).sort(), [`${u}/a`, `${u}/b`]);
      await new Promise((r) => setTimeout(r, 1200));
      assert.equal((await m.kv.get(ns, `${u}/c`)).found, false);
      const scanned: string[] = [];
      for await (const item of m.kv.scan(ns, { keyPrefix: `${u}/`, includeValues: true })) scanned.push(`${item.key}=${new TextDecoder().decode(item.value)}`);
      assert.deepEqual(scanned, [`${u}/a=2`, `${u}/b=b`]);
      const page: string[] = [];
      for await (const item of m.kv.scan(ns, { keyPrefix: `${u}/`, startAfter: `${u}/a`, limit: 5 })) page.push(item.key);
      assert.deepEqual(page, [`${u}/b`]);
      assert.equal((await m.kv.getAccess(ns, `${u}/a`)).found, true);
      await assert.rejects(m.kv.delete(ns, `${u}/a`, { ifVersion: 9n }), VersionMismatchError);
      assert.equal(await m.kv.delete(ns, `${u}/a`, { ifVersion: 2n }), true);
      assert.equal(await m.kv.delete(ns, `${u}/a`), false);
    });

    test("kv: a transaction moves a value between keys, or runs its failure ops", async () => {
      const ns = `kv-${b}`, u = unique(), enc = new TextEncoder(), dec = new TextDecoder();
      await m.kv.put(ns, `${u}/from`, "10");
      const moved = await m.kv.txn(ns, {
        compare: [{ key: `${u}/from`, target: { case: "version", value: 1n } }, { key: `${u}/to`, target: { case: "absent", value: true } }],
        success: [{ op: { case: "put", value: { key: `${u}/from`, value: enc.encode("7") } } },
          { op: { case: "put", value: { key: `${u}/to`, value: enc.encode("3") } } }],
      });
      assert.equal(moved.succeeded, true);
      assert.deepEqual(moved.results.map((r) => r.result.case === "put" ? r.result.value.version : -1n), [2n, 1n]);
      const stale = await m.kv.txn(ns, {
        compare: [{ key: `${u}/from`, target: { case: "version", value: 1n } }],
        success: [{ op: { case: "delete", value: { key: `${u}/from` } } }],
        failure: [{ op: { case: "get", value: { key: `${u}/to` } } }],
      });
      assert.deepEqual([stale.succeeded, stale.failedCompares], [false, [0]]);
      const got = stale.results[0]?.result;
      assert.equal(got?.case === "get" ? dec.decode(got.value.value) : "", "3");
      await assert.rejects(m.kv.txn(ns, { compare: [{ key: `${u}/from` }] }), InvalidArgumentError);
    });

    test("episodic: append with dedup, range filters, tail cancelled by break and by AbortSignal, expire", async () => {
      const ns = `ev-${b}`, u = unique();
      const a = await m.episodic.append(ns, { type: "message", payload: "hi", role: "user", sessionId: u });
      const d = await m.episodic.append(ns, { type: "tool_call", payload: "q", role: "assistant", sessionId: u, dedupKey: `${u}-d` });
      assert.equal((await m.episodic.append(ns, { type: "tool_call", sessionId: u, dedupKey: `${u}-d` })).id, d.id);
      const types: string[] = [];
      for await (const e of m.episodic.range(ns, { afterCursor: a.cursor - 1n, sessionId: u, reverse: true })) types.push(e.type);
      assert.deepEqual(types, ["tool_call", "message"]);
      const roles: string[] = [];
      for await (const e of m.episodic.range(ns, { afterCursor: a.cursor - 1n, sessionId: u, role: "user" })) roles.push(e.id);
      assert.deepEqual(roles, [a.id]);

      setTimeout(() => void m.episodic.append(ns, { type: "live", sessionId: u }), 200);
      for await (const e of m.episodic.tail(ns, { afterCursor: d.cursor, includeHistorical: true })) {
        assert.equal(e.type, "live");
        break; // leaving the loop cancels the call
      }
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 300);
      await assert.rejects((async () => { for await (const _ of m.episodic.tail(ns, { signal: abort.signal })) { /* none */ } })(),
        (e: unknown) => e instanceof MemSidecarError && e.code === Code.Canceled);
      assert.ok(await m.episodic.expire(ns, { action: "soft_delete", beforeCursor: d.cursor }) >= 1n);
    });

    test("semantic: upsert, search modes, get, delete, expire", async () => {
      const ns = `notes-${b}`, u = unique();
      const r = await m.semantic.upsert(ns, [{ id: `${u}-cat`, content: "the cat sat on the mat", metadata: { topic: "pets", run: u } },
        { id: `${u}-rev`, content: "quarterly revenue grew", metadata: { run: u } }]);
      assert.deepEqual([r.ids, r.versions], [[`${u}-cat`, `${u}-rev`], [1n, 1n]]);
      assert.equal((await m.semantic.search(ns, { queryText: "the cat sat on the mat", topK: 2, filter: { run: u } }))[0]!.record!.id, `${u}-cat`);
      assert.deepEqual((await m.semantic.search(ns, { queryText: "cat", mode: "hybrid", idsOnly: true, filter: { topic: "pets", run: u } })).map((h) => h.record!.id), [`${u}-cat`]);
      assert.equal((await m.semantic.get(ns, `${u}-cat`))!.content, "the cat sat on the mat");
      assert.equal(await m.semantic.get(ns, `${u}-none`), undefined);
      await assert.rejects(m.semantic.search(ns, { queryText: "x", mode: "fuzzy" as "dense" }), (e: unknown) => e instanceof TypeError && /dense/.test(e.message));
      assert.equal(await m.semantic.delete(ns, `${u}-cat`), true);
      assert.ok(await m.semantic.expire(ns, { action: "hard_delete", filter: { run: u } }) >= 1n);
      await assert.rejects(m.semantic.search(ns, {}), InvalidArgumentError);
    });

    test("lease: acquire, held, inspect, renew, list, release; a deadline while waiting", async () => {
      const ns = `locks-${b}`, u = unique();
      const h = await m.lease.acquire(ns, u, { ttlSeconds: 30, metadata: { by: "node" } });
      assert.ok(h.fencingToken >= 1n);
      await assert.rejects(m.lease.acquire(ns, u, { ttlSeconds: 30 }), FailedPreconditionError);
      await assert.rejects(m.lease.acquire(ns, u, { ttlSeconds: 30, waitForSeconds: 10, timeoutMs: 300 }), DeadlineExceededError);
      assert.equal((await m.lease.inspect(ns, u))!.holderId, h.holderId);
      assert.equal((await m.lease.renew(h.holderId, ns, u, { ttlSeconds: 60 })).fencingToken, h.fencingToken);
      assert.ok((await m.lease.list(ns)).some((l) => l.key === u));
      assert.equal(await m.lease.release(h.holderId, ns, u), true);
      assert.equal(await m.lease.inspect(ns, u), undefined);
      assert.ok((await m.lease.acquire(ns, u, { ttlSeconds: 1, waitForSeconds: 2 })).fencingToken > h.fencingToken);
    });

    test("graph: every method", async () => {
      const ns = `graph-${b}`, u = unique();
      assert.deepEqual(await m.graph.upsertNodes(ns, [{ id: `${u}-p`, labels: ["City"] }, { id: `${u}-f`, labels: ["Country"] }]), [`${u}-p`, `${u}-f`]);
      await m.graph.upsertEdges(ns, [{ id: `${u}-e`, type: "CAPITAL_OF", from: `${u}-p`, to: `${u}-f` }]);
      assert.deepEqual((await m.graph.getNode(ns, `${u}-p`)).labels, ["City"]);
      await assert.rejects(m.graph.getNode(ns, `${u}-none`), NotFoundError);
      assert.deepEqual((await m.graph.neighbors(ns, `${u}-p`, { edgeTypes: ["CAPITAL_OF"], direction: "out" })).nodes.map((n) => n.id), [`${u}-f`]);
      assert.equal((await m.graph.traverse(ns, `${u}-p`, { depth: 2 })).nodes.length, 2);
      await assert.rejects(m.graph.deleteNode(ns, `${u}-f`), FailedPreconditionError);
      assert.equal(await m.graph.deleteEdge(ns, `${u}-e`), true);
      assert.equal(await m.graph.deleteNode(ns, `${u}-f`, { cascade: true }), true);
    });

    test("recall: the graph lane lifts a two-hop record, explained", async () => {
      const notes = `notes-${b}`, g = `graph-${b}`, u = unique();
      const q = [1, ...Array(15).fill(0)];
      await m.semantic.upsert(notes, [{ id: `${u}-near`, content: "close", vector: [1, 0.3, ...Array(14).fill(0)] },
        { id: `${u}-acme`, content: "the employer", vector: [0.1, 0, 0, 1, ...Array(12).fill(0)] }]);
      await m.graph.upsertNodes(g, [{ id: `${u}-alice` }, { id: `${u}-bob` }, { id: `${u}-acme` }]);
      await m.graph.upsertEdges(g, [{ id: `${u}-e1`, type: "knows", from: `${u}-alice`, to: `${u}-bob` },
        { id: `${u}-e2`, type: "works_at", from: `${u}-bob`, to: `${u}-acme` }]);
      const r = await m.recall(notes, { queryVector: q, graphNamespace: g, focalNodeIds: [`${u}-alice`], expandDepth: 2,
        edgeTypes: ["knows", "works_at"], direction: "out", explain: true, includeSubgraph: true });
      // acme: graph rank 1 (1/61) and a dense rank; near: a dense rank (1/61 at best, and then acme wins the tie
      // by id). PostgreSQL namespaces keep earlier runs' records, so other ids may rank between them.
      const ids = r.hits.map((h) => h.record!.id);
      assert.ok(ids.indexOf(`${u}-acme`) >= 0 && ids.indexOf(`${u}-acme`) < 2, ids.join());
      assert.ok(!ids.includes(`${u}-near`) || ids.indexOf(`${u}-acme`) < ids.indexOf(`${u}-near`));
      const acme = r.hits[ids.indexOf(`${u}-acme`)]!;
      assert.deepEqual(acme.evidence!.pathNodeIds, [`${u}-alice`, `${u}-bob`, `${u}-acme`]);
      assert.ok(acme.evidence!.lanes.some((l) => l.lane === Lane.GRAPH && l.rank === 1));
      assert.deepEqual(r.subgraph!.edges.map((e) => e.id).sort(), [`${u}-e1`, `${u}-e2`]);
      const plain = await m.recall(notes, { queryVector: q, weights: { graph: 0 } });
      assert.equal(plain.hits[0]!.evidence, undefined);
      await assert.rejects(m.recall(notes, { queryVector: q, graphNamespace: g, focalNodeIds: ["x"], expandDepth: 3 }),
        InvalidArgumentError);
    });
  });
}

for (const ns of ["blobs-mem", "blobs-disk"]) {
  test(`artifact on ${ns}: every source, open, ranges, stat, list, delete`, async () => {
    const u = unique();
    const body = new Uint8Array(1024 * 1024 + 7).map((_, i) => (i * 31) % 251);
    const sha = createHash("sha256").update(body).digest("hex");
    const file = join(mkdtempSync(join(tmpdir(), "ms-art-")), "in.bin");
    writeFileSync(file, body);
    const sources = {
      bytes: body,
      readable: createReadStream(file),
      web: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
      iterable: [body.subarray(0, 100_000), body.subarray(100_000)],
      async: (async function* () { for (let i = 0; i < body.length; i += 70_000) yield body.subarray(i, i + 70_000); })(),
    };
    for (const [name, source] of Object.entries(sources)) {
      const ref = await m.artifact.put(ns, source, { id: `${u}-${name}`, metadata: { src: name }, chunkSize: 64 * 1024 });
      assert.deepEqual([ref.size, ref.sha256], [BigInt(body.length), sha], name);
    }
    assert.deepEqual(await m.artifact.get(ns, `${u}-bytes`), body);
    assert.deepEqual(await m.artifact.get(ns, `${u}-bytes`, { offset: 10n, length: 20n }), body.subarray(10, 30));
    const download = await m.artifact.open(ns, `${u}-web`);
    assert.equal(download.meta.sha256, sha);
    const parts: Uint8Array[] = [];
    const reader = download.stream().getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
    assert.equal(Buffer.concat(parts).equals(Buffer.from(body)), true);
    assert.equal((await m.artifact.stat(ns, `${u}-bytes`))!.size, BigInt(body.length));
    assert.equal(await m.artifact.stat(ns, `${u}-none`), undefined);
    const listed: string[] = [];
    for await (const a of m.artifact.list(ns, { filter: { src: "async" } })) listed.push(a.id);
    assert.ok(listed.includes(`${u}-async`) && !listed.includes(`${u}-bytes`));
    assert.equal(await m.artifact.delete(ns, `${u}-bytes`), true);
    await assert.rejects(m.artifact.open(ns, `${u}-bytes`), NotFoundError);
    await assert.rejects(m.artifact.put(ns, body, { id: `${u}-bad`, expectedSha256: "0".repeat(64) }), InvalidArgumentError);
    assert.equal(await m.artifact.stat(ns, `${u}-bad`), undefined);
    assert.throws(() => m.artifact.put(ns, 42 as unknown as Uint8Array), TypeError);
    assert.equal(readFileSync(file).length, body.length);
  });
}

test("bad input and refused calls get their typed errors", async () => {
  const u = unique();
  await assert.rejects(m.kv.put("kv-mem", "", "x"), (e: unknown) => e instanceof InvalidArgumentError && e.rawMessage.length > 0);
  await assert.rejects(m.kv.put("kv-mem", u, new Uint8Array(1024 * 1024 + 1)), ResourceExhaustedError);
  assert.equal((await m.kv.get("kv-mem", u)).found, false);
  await m.kv.put("small", `${u}1`, "1");
  await m.kv.put("small", `${u}2`, "2");
  await assert.rejects(m.kv.put("small", `${u}3`, "3"), ResourceExhaustedError);
  await assert.rejects(m.kv.get("no-such-namespace", "k"), NotFoundError);
  const narrow = new MemSidecar(server.address, { token: keys.token("kv/kv-mem", "kv.get") });
  await assert.rejects(narrow.kv.put("kv-mem", u, "x"), PermissionDeniedError);
  await assert.rejects(new MemSidecar(server.address, { token: "v4.public.forged" }).kv.get("kv-mem", u), UnauthenticatedError);
  const gone = new MemSidecar(`127.0.0.1:${await freePort()}`, { token, timeoutMs: 5000 });
  const started = Date.now();
  await assert.rejects(gone.kv.get("kv-mem", "k"), UnavailableError); // retried, then given up
  await assert.rejects(gone.kv.put("kv-mem", "k", "v"), UnavailableError);
  assert.ok(Date.now() - started < 5000);
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(m.kv.get("kv-mem", "k", { signal: abort.signal }), (e: unknown) => e instanceof MemSidecarError && e.code === Code.Canceled);
});

test("the Unix socket", async () => {
  const uds = new MemSidecar(`unix:${server.socket}`, { token });
  await uds.kv.put("kv-mem", "over-uds", "y");
  assert.equal(new TextDecoder().decode((await uds.kv.get("kv-mem", "over-uds")).value), "y");
});

test("admin lists the namespaces", async () => {
  const resp = await m.admin.listNamespaces();
  assert.ok(["kv-mem", "blobs-disk", "notes-mem"].every((n) => resp.namespaces.some((x) => x.name === n)));
  assert.ok(resp.server!.version);
});

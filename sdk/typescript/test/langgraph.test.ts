// LangGraph.js through real compiled StateGraphs: interrupted in one process and resumed in another from
// the sidecar, a node recalling through the store what an earlier thread stored, the store's operations,
// and one thread written from Python and from TypeScript in turn.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Annotation, END, LangGraphRunnableConfig, START, StateGraph } from "@langchain/langgraph";
import { MemSidecar } from "../src/index.js";
import { MemSidecarSaver, MemSidecarStore } from "../src/langgraph.js";
import { BACKENDS, KeyPair, REPO, Sidecar, sections, unique } from "./sidecar.js";

const GRAPH = fileURLToPath(new URL("./graph.js", import.meta.url));
let server: Sidecar;
let token: string;
let m: MemSidecar;
before(async () => {
  const keys = new KeyPair();
  server = await Sidecar.start(keys, sections(mkdtempSync(join(tmpdir(), "ms-lg-"))));
  token = keys.token();
  m = new MemSidecar(server.address, { token });
});
after(async () => { await server.stop(); });

const run = (...args: string[]) => execFileSync(process.execPath, [GRAPH, server.address, token, ...args], { encoding: "utf8", timeout: 120_000 }).trim();

for (const b of BACKENDS) {
  test(`on ${b}: a run interrupted in one process resumes in another`, () => {
    const thread = unique();
    assert.equal(run(`kv-${b}`, thread, "start"), 'INTERRUPTED ["plan"]');
    assert.equal(run(`kv-${b}`, thread, "resume"), 'DONE ["plan","approved:yes","act"]');
  });

  test(`on ${b}: a node recalls what an earlier thread stored`, async () => {
    const user = unique();
    const store = new MemSidecarStore(m, { namespace: `kv-${b}`, index: { namespace: `notes-${b}`, fields: ["text"] } });
    const Chat = Annotation.Root({ question: Annotation<string>(), answer: Annotation<string>() });
    const graph = (node: (s: typeof Chat.State, c: LangGraphRunnableConfig) => Promise<Partial<typeof Chat.State>>) =>
      new StateGraph(Chat).addNode("n", node).addEdge(START, "n").addEdge("n", END)
        .compile({ checkpointer: new MemSidecarSaver(m, `kv-${b}`), store });
    const remember = graph(async (s, c) => { await c.store!.put(["memories", user], unique(), { text: s.question }); return { answer: "noted" }; });
    const recall = graph(async (s, c) => {
      const found = await c.store!.search(["memories", user], { query: s.question, limit: 1 });
      return { answer: found[0] ? String(found[0].value.text) : "nothing" };
    });
    await remember.invoke({ question: "my favourite city is Lyon" }, { configurable: { thread_id: unique() } });
    await remember.invoke({ question: "quarterly revenue grew" }, { configurable: { thread_id: unique() } });
    const out = await recall.invoke({ question: "my favourite city is Lyon" }, { configurable: { thread_id: unique() } });
    assert.equal(out.answer, "my favourite city is Lyon");
  });

  test(`on ${b}: the store's get, put, search, filter, list namespaces and delete`, async () => {
    const r = unique();
    const store = new MemSidecarStore(m, { namespace: `kv-${b}`, index: { namespace: `notes-${b}` }, ttl: { defaultTtlMinutes: 60 } });
    await store.put([r, "a"], "k1", { text: "alpha", n: 1 });
    await store.put([r, "a"], "k2", { text: "beta", n: 2 }, false);
    await store.put([r, "b", "c"], "k3", { text: "gamma", n: 3 });
    const first = await store.get([r, "a"], "k1");
    assert.deepEqual([first?.value, first?.namespace], [{ text: "alpha", n: 1 }, [r, "a"]]);
    assert.equal(await store.get([r, "a"], "missing"), null);
    assert.deepEqual((await store.search([r])).map((i) => i.key).sort(), ["k1", "k2", "k3"]);
    assert.deepEqual((await store.search([r], { filter: { n: 3 } })).map((i) => i.key), ["k3"]);
    assert.deepEqual((await store.search([r], { filter: { n: { $gte: 2 } } })).map((i) => i.key).sort(), ["k2", "k3"]);
    assert.equal((await store.search([r, "a"], { query: "alpha" }))[0]?.key, "k1");
    assert.ok(!(await store.search([r], { query: "beta" })).some((i) => i.key === "k2"), "index: false is not embedded");
    assert.deepEqual(await store.listNamespaces({ prefix: [r] }), [[r, "a"], [r, "b", "c"]]);
    assert.deepEqual(await store.listNamespaces({ prefix: [r], maxDepth: 2 }), [[r, "a"], [r, "b"]]);
    assert.deepEqual(await store.listNamespaces({ prefix: [r], suffix: ["c"] }), [[r, "b", "c"]]);
    const item = (await m.kv.multiGet(`kv-${b}`, [`it/${r}/a//k1`]))[0];
    assert.ok(item && item.expiresAt, "the default TTL is the kv item's");
    await store.delete([r, "a"], "k1");
    assert.equal(await store.get([r, "a"], "k1"), null);
  });
}

test("one thread, written from Python and from TypeScript in turn", () => {
  const python = join(REPO, process.env.MEMSIDECAR_PYTHON ?? "sdk/python/target/venvs/newest/bin/python");
  const thread = unique();
  const py = (word: string) => execFileSync(python, [join(REPO, "sdk/python/tests/cross_language.py"), server.address, token, "kv-mem", thread, word], { encoding: "utf8", timeout: 120_000 }).trim();
  assert.equal(py("from-python"), '["from-python"]');
  assert.equal(run("kv-mem", thread, "append", "from-typescript"), '["from-python","from-typescript"]');
  assert.equal(py("python-again"), '["from-python","from-typescript","python-again"]');
});

// The TypeScript SDK against bare clients on the same server (docs/benchmarks.md, "TypeScript SDK"):
// KV Get round trips through the SDK vs a bare Connect client on the same transport, and a 64 MiB artifact
// Put and Get through the SDK vs bare @grpc/grpc-js calls. Alternating rounds; medians of the ratios.
// Run with tests/bench/typescript-sdk.sh.
import * as grpc from "@grpc/grpc-js";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CAPABILITY_HEADER, MemSidecar } from "../src/index.js";
import { KV } from "../src/gen/memsidecar/kv/v1/kv_pb.js";
import {
  GetRequestSchema, GetResponseSchema, PutRequestSchema, PutResponseSchema,
} from "../src/gen/memsidecar/artifact/v1/artifact_pb.js";
import { KeyPair, Sidecar } from "../test/sidecar.js";

const ROUNDS = 9, CALLS = 4000, BIG = 64 * 1024 * 1024, CHUNK = 256 * 1024;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function rate(fn: (i: number) => Promise<unknown>, n: number): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return n / ((performance.now() - t) / 1000);
}

const keys = new KeyPair();
const blobs = mkdtempSync(join(tmpdir(), "ms-bench-"));
const server = await Sidecar.start(keys, `backends: [ { name: mem, driver: memory }, { name: disk, driver: fs, options: { base_dir: "${blobs}" } } ]
namespaces: [ { block: kv, name: b, backend: mem }, { block: artifact, name: blobs, backend: disk } ]
`);
try {
  const token = keys.token();
  const m = new MemSidecar(server.address, { token });
  const bare = createClient(KV, m.transport); // the same transport: the token interceptor included
  await m.kv.put("b", "k", "v".repeat(100));
  const sdkGet = () => m.kv.get("b", "k");
  const bareGet = () => bare.get({ namespace: "b", key: "k" }, { timeoutMs: 30_000 });
  await rate(sdkGet, 500); await rate(bareGet, 500);
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let s: number, b: number;
    if (r % 2 === 0) { s = await rate(sdkGet, CALLS); b = await rate(bareGet, CALLS); } else { b = await rate(bareGet, CALLS); s = await rate(sdkGet, CALLS); }
    ratios.push(s / b);
    console.log(`KV Get round ${r + 1}: SDK ${s.toFixed(0)}/s, bare Connect ${b.toFixed(0)}/s, ${(s / b).toFixed(2)}x`);
  }
  console.log(`KV Get: median SDK / bare Connect client = ${median(ratios).toFixed(2)}x`);

  const stub = new grpc.Client(server.address, grpc.credentials.createInsecure(),
    { "grpc.max_receive_message_length": 64 << 20 });
  const md = new grpc.Metadata();
  md.set(CAPABILITY_HEADER, `Bearer ${token}`);
  const block = new Uint8Array(CHUNK).map((_, i) => i % 251);
  async function* pieces() { for (let i = 0; i < BIG / CHUNK; i++) yield block; }
  const stubPut = (id: string) => new Promise<void>((ok, fail) => {
    const call = stub.makeClientStreamRequest("/memsidecar.artifact.v1.Artifact/Put",
      (q: Parameters<typeof toBinary<typeof PutRequestSchema>>[1]) => Buffer.from(toBinary(PutRequestSchema, q)),
      (b: Buffer) => fromBinary(PutResponseSchema, b), md, (err) => (err ? fail(err) : ok()));
    (async () => {
      const write = (q: Parameters<typeof toBinary<typeof PutRequestSchema>>[1]) => new Promise<void>((done) => { if (call.write(q)) done(); else call.once("drain", done); });
      await write(create(PutRequestSchema, { body: { case: "init", value: { namespace: "blobs", id } } }));
      for await (const data of pieces()) await write(create(PutRequestSchema, { body: { case: "chunk", value: { data } } }));
      call.end();
    })().catch(fail);
  });
  const stubGet = (id: string) => new Promise<void>((ok, fail) => {
    const call = stub.makeServerStreamRequest("/memsidecar.artifact.v1.Artifact/Get",
      (q: Parameters<typeof toBinary<typeof GetRequestSchema>>[1]) => Buffer.from(toBinary(GetRequestSchema, q)),
      (b: Buffer) => fromBinary(GetResponseSchema, b), create(GetRequestSchema, { namespace: "blobs", id }), md);
    call.on("data", () => {}).on("end", ok).on("error", fail);
  });
  const sdkPut = (id: string) => m.artifact.put("blobs", pieces(), { id });
  const sdkGetBig = async (id: string) => { for await (const _ of await m.artifact.open("blobs", id)) { /* drain */ } };
  const mb = async (fn: () => Promise<unknown>) => { const t = performance.now(); await fn(); return BIG / 1e6 / ((performance.now() - t) / 1000); };
  await sdkPut("warm"); await stubPut("warm-stub"); await sdkGetBig("warm"); await stubGet("warm-stub");
  const start = process.memoryUsage().rss;
  let peak = start;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  for (const label of ["Put", "Get"] as const) {
    const rs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const id = `r${r}`;
      const runSdk = () => mb(() => (label === "Put" ? sdkPut(`sdk-${id}`) : sdkGetBig(`sdk-${id}`)));
      const runStub = () => mb(() => (label === "Put" ? stubPut(`stub-${id}`) : stubGet(`stub-${id}`)));
      let s: number, b: number;
      if (r % 2 === 0) { s = await runSdk(); b = await runStub(); } else { b = await runStub(); s = await runSdk(); }
      rs.push(s / b);
      console.log(`64 MiB ${label} round ${r + 1}: SDK ${s.toFixed(0)} MB/s, bare grpc-js ${b.toFixed(0)} MB/s, ${(s / b).toFixed(2)}x`);
      if (label === "Get") { await m.artifact.delete("blobs", `sdk-${id}`); await m.artifact.delete("blobs", `stub-${id}`); }
    }
    console.log(`64 MiB ${label}: median SDK / bare grpc-js = ${median(rs).toFixed(2)}x`);
  }
  clearInterval(sampler);
  console.log(`peak RSS growth over the 64 MiB transfers: ${((peak - start) / 1048576).toFixed(1)} MiB`);
  stub.close();
} finally {
  await server.stop();
  rmSync(blobs, { recursive: true, force: true });
}

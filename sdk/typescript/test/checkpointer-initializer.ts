// The CheckpointerTestInitializer that LangGraph's own validation tool (@langchain/langgraph-checkpoint-validation,
// `validate-checkpointer`) runs MemSidecarSaver through: a sidecar on the memory driver (and PostgreSQL with
// MEMSIDECAR_VALIDATE_BACKEND=pg, with MEMSIDECAR_TEST_PG_URL); each new checkpointer starts on a cleared namespace.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemSidecar } from "../src/index.js";
import { MemSidecarSaver } from "../src/langgraph.js";
import { KeyPair, Sidecar, sections } from "./sidecar.js";

const backend = process.env.MEMSIDECAR_VALIDATE_BACKEND ?? "mem";
let server: Sidecar;
let client: MemSidecar;

async function clear(): Promise<void> {
  for await (const item of client.kv.scan(`kv-${backend}`)) await client.kv.delete(`kv-${backend}`, item.key);
}

export default {
  checkpointerName: `MemSidecarSaver (${backend})`,
  beforeAllTimeout: 120_000,
  async beforeAll() {
    const keys = new KeyPair();
    server = await Sidecar.start(keys, sections(mkdtempSync(join(tmpdir(), "ms-validate-"))));
    client = new MemSidecar(server.address, { token: keys.token() });
    await client.kv.put(`kv-${backend}`, "warm-up", "x"); // the first call on a driver opens its pool: not inside a test's time
    await client.kv.delete(`kv-${backend}`, "warm-up");
  },
  async afterAll() { await server.stop(); },
  async createCheckpointer() {
    await clear(); // instances must not see each other's state
    return new MemSidecarSaver(client, `kv-${backend}`);
  },
};

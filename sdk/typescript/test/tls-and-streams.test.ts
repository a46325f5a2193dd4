// TLS/mTLS with certificates made by openssl for this run, and a 256 MiB artifact through the streams
// with bounded memory.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemSidecar, UnavailableError } from "../src/index.js";
import { KeyPair, Sidecar, sections, unique } from "./sidecar.js";

const pki = mkdtempSync(join(tmpdir(), "ms-pki-"));
const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: pki, stdio: "pipe" });
function signed(name: string, san: string) {
  openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`, "-addext", `subjectAltName=${san}`);
  openssl("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.pem`, "-days", "2", "-copy_extensions", "copy");
}

let keys: KeyPair;
let tls: Sidecar;
let plain: Sidecar;
let token: string;

before(async () => {
  openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=ca");
  signed("server", "IP:127.0.0.1,DNS:localhost");
  signed("agent", "DNS:agent");
  keys = new KeyPair();
  token = keys.token();
  tls = await Sidecar.start(keys, "backends: [ { name: mem, driver: memory } ]\nnamespaces: [ { block: kv, name: notes, backend: mem } ]\n",
    `    tls: { cert_file: "${pki}/server.pem", key_file: "${pki}/server.key", client_ca_file: "${pki}/ca.pem", require_client_cert: true }`);
  plain = await Sidecar.start(keys, sections(mkdtempSync(join(tmpdir(), "ms-big-"))));
});
after(async () => { await tls.stop(); await plain.stop(); });

test("mTLS with PEM paths and with PEM contents", async () => {
  const byPath = new MemSidecar(tls.address, { token, tls: { ca: join(pki, "ca.pem"), cert: join(pki, "agent.pem"), key: join(pki, "agent.key") } });
  await byPath.kv.put("notes", "k", "over mTLS");
  const byContent = new MemSidecar(`https://${tls.address}`, { token, tls: { ca: readFileSync(join(pki, "ca.pem")), cert: readFileSync(join(pki, "agent.pem")), key: readFileSync(join(pki, "agent.key")) } });
  assert.equal(new TextDecoder().decode((await byContent.kv.get("notes", "k")).value), "over mTLS");
});

test("no client certificate, or plaintext, is refused", async () => {
  const noCert = new MemSidecar(tls.address, { token, tls: { ca: join(pki, "ca.pem") }, maxAttempts: 1, timeoutMs: 5000 });
  await assert.rejects(noCert.kv.get("notes", "k"), UnavailableError);
  const cleartext = new MemSidecar(tls.address, { token, maxAttempts: 1, timeoutMs: 5000 });
  await assert.rejects(cleartext.kv.get("notes", "k"));
});

const SIZE = 256 * 1024 * 1024;
const PIECE = 1024 * 1024;

test("a 256 MiB artifact streams in and out with the process's memory flat", async () => {
  const m = new MemSidecar(plain.address, { token });
  const block = randomBytes(PIECE);
  const expected = createHash("sha256");
  for (let i = 0; i < SIZE / PIECE; i++) expected.update(block);
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sample = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  try {
    const id = `${unique()}-big`;
    async function* body() { for (let i = 0; i < SIZE / PIECE; i++) yield block; }
    const ref = await m.artifact.put("blobs-disk", body(), { id });
    assert.deepEqual([ref.size, ref.sha256], [BigInt(SIZE), expected.digest("hex")]);
    let total = 0;
    for await (const chunk of await m.artifact.open("blobs-disk", id)) total += chunk.length; // SHA-256 checked at the end
    assert.equal(total, SIZE);
    await m.artifact.delete("blobs-disk", id);
  } finally {
    clearInterval(sample);
  }
  const grown = (peak - before) / 1024 / 1024;
  assert.ok(grown < 96, `RSS grew ${grown.toFixed(1)} MiB moving a 256 MiB artifact`);
});

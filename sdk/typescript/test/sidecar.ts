// Starts the packaged server (server/target/memsidecar) for the tests, with its own key pair.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(fileURLToPath(import.meta.url), "../../../../..");
export const DIST = process.env.MEMSIDECAR_DIST ?? join(REPO, "server/target/memsidecar");
export const PG_URL = process.env.MEMSIDECAR_TEST_PG_URL ?? "";
if (process.env.CI === "true" && !PG_URL) throw new Error("CI=true needs MEMSIDECAR_TEST_PG_URL: the PostgreSQL suites must not be skipped");
export const BACKENDS = PG_URL ? ["mem", "pg"] : ["mem"];

export function memctl(...args: string[]): string {
  if (!existsSync(join(DIST, "bin/memctl"))) throw new Error(`no packaged server at ${DIST}: run ./mvnw -DskipTests package first`);
  return execFileSync(join(DIST, "bin/memctl"), args, { encoding: "utf8", timeout: 120_000 });
}

export class KeyPair {
  readonly secret: string;
  readonly public: string;
  constructor() {
    const lines = Object.fromEntries(memctl("gen-keypair").trim().split("\n").map((l) => l.split(": ") as [string, string]));
    this.secret = lines.secret_key_hex!.trim();
    this.public = lines.public_key_hex!.trim();
  }
  token(ns = "*", ops = "*"): string {
    return memctl("token", "issue", "--secret-key-hex", this.secret, "--tenant", "tstest", "--agent", "node", "--ns", ns, "--ops", ops, "--ttl", "1h").trim();
  }
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    }).on("error", fail);
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const c = connect(port, "127.0.0.1", () => { c.destroy(); ok(true); }).on("error", () => ok(false));
  });
}

export class Sidecar {
  readonly dir = mkdtempSync(join(tmpdir(), "memsidecar-ts-"));
  readonly socket = join(this.dir, "memsidecar.sock");
  address = "";
  port = 0;
  private process?: ChildProcess;

  static async start(keys: KeyPair, sections: string, grpcExtra = ""): Promise<Sidecar> {
    const s = new Sidecar();
    await s.run(keys, sections, grpcExtra);
    return s;
  }

  private async run(keys: KeyPair, sections: string, grpcExtra: string): Promise<void> {
    this.port = await freePort();
    this.address = `127.0.0.1:${this.port}`;
    const config = join(this.dir, "config.yaml");
    writeFileSync(config, `server:
  grpc:
    tcp: "127.0.0.1:${this.port}"
    uds: "${this.socket}"
${grpcExtra}
  shutdown_timeout: 2s
logging: { access: false }
auth: { paseto: { public_key_hexes: ["${keys.public}"] } }
${sections}
`);
    const log = openSync(join(this.dir, "server.log"), "w");
    this.process = spawn(join(DIST, "bin/memsidecar"), ["--config", config],
      { stdio: ["ignore", log, log], env: { ...process.env, MEMSIDECAR_DATA_DIR: join(this.dir, "data") } });
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) throw new Error(`the server exited:\n${this.output()}`);
      if (existsSync(this.socket) && await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the server did not listen:\n${this.output()}`);
  }

  output(): string {
    return readFileSync(join(this.dir, "server.log"), "utf8").slice(-4000);
  }

  async stop(): Promise<void> {
    const p = this.process;
    if (p && p.exitCode === null) {
      const exited = new Promise((r) => p.once("exit", r));
      p.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (p.exitCode === null) p.kill("SIGKILL");
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The shared server of the suites: every block on the memory driver and (with MEMSIDECAR_TEST_PG_URL) PostgreSQL. */
export function sections(blobsDir: string): string {
  const backends = ["  - { name: mem, driver: memory }", `  - { name: disk, driver: fs, options: { base_dir: "${blobsDir}" } }`];
  if (PG_URL) backends.push(`  - { name: pg, driver: postgres, options: { dsn: "${PG_URL}" } }`);
  const ns: string[] = [];
  for (const b of BACKENDS) {
    ns.push(`  - { block: kv, name: kv-${b}, backend: ${b} }`, `  - { block: episodic, name: ev-${b}, backend: ${b} }`,
      `  - { block: semantic, name: notes-${b}, backend: ${b}, embedder: { provider: fake, dimensions: 16 } }`,
      `  - { block: lease, name: locks-${b}, backend: ${b} }`, `  - { block: graph, name: graph-${b}, backend: ${b} }`);
  }
  ns.push("  - { block: artifact, name: blobs-mem, backend: mem }", "  - { block: artifact, name: blobs-disk, backend: disk }",
    "  - { block: kv, name: chats, backend: mem }", "  - { block: kv, name: small, backend: mem, max_items: 2 }");
  return `backends:\n${backends.join("\n")}\nnamespaces:\n${ns.join("\n")}\nlimits: { max_value_bytes: 1048576 }\n`;
}

export function unique(): string {
  return Math.random().toString(36).slice(2, 12);
}

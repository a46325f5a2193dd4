/**
 * `@memsidecar/client/langgraph` — LangGraph.js on memsidecar: a checkpointer ({@link MemSidecarSaver})
 * and a long-term memory store ({@link MemSidecarStore}).
 *
 * The checkpointer uses the Python SDK's key layout in one kv namespace (parts percent-encoded), so a
 * thread checkpointed from Python resumes from TypeScript and back (with JSON serialization on the
 * Python side: `MemSidecarSaver(m, serde=JsonSerializer())`):
 * `cp/<thread>/<ns>/<checkpoint_id>` (checkpoint without channel values, metadata, parent id as JSON),
 * `bl/<thread>/<ns>/<channel>/<version>` (one channel value), `wr/<thread>/<ns>/<checkpoint_id>/<task>/<idx>`
 * (a pending write, first-wins with `ifVersion: 0n`; special writes replace).
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import {
  BaseCheckpointSaver, BaseStore, type ChannelVersions, type Checkpoint, type CheckpointListOptions, type CheckpointMetadata,
  type CheckpointPendingWrite, type CheckpointTuple, type Item, type ListNamespacesOperation, type Operation,
  type OperationResults, type PendingWrite, type PutOperation, type SearchItem, type SearchOperation, type SerializerProtocol,
  TASKS, WRITES_IDX_MAP, type GetOperation, getTextAtPath, maxChannelVersion,
} from "@langchain/langgraph-checkpoint";
import { createHash } from "node:crypto";
import { type KVItem, type MemSidecar, VersionMismatchError } from "./index.js";

/** Percent-encoding as Python's `urllib.parse.quote(part, safe="")`, so both SDKs name the same keys. */
export function enc(part: string | number): string {
  return encodeURIComponent(String(part)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
const dec = decodeURIComponent;
const key = (kind: string, ...parts: (string | number)[]) => [kind, ...parts.map(enc)].join("/");
const b64 = (data: Uint8Array) => Buffer.from(data).toString("base64");
const unb64 = (data: string) => new Uint8Array(Buffer.from(data, "base64"));
const text = new TextDecoder();

interface CheckpointRecord { v: 1; type: string; checkpoint: string; metadata_type: string; metadata: string; parent: string | null }

function config(thread: string, ns: string, checkpointId: string): RunnableConfig {
  return { configurable: { thread_id: thread, checkpoint_ns: ns, checkpoint_id: checkpointId } };
}

/** A LangGraph.js checkpointer on a memsidecar kv namespace. */
export class MemSidecarSaver extends BaseCheckpointSaver<number> {
  constructor(private readonly client: MemSidecar, readonly namespace = "default", serde?: SerializerProtocol) {
    super(serde);
  }

  private async scan(prefix: string, includeValues = false): Promise<KVItem[]> {
    const items: KVItem[] = [];
    for await (const item of this.client.kv.scan(this.namespace, { keyPrefix: prefix, includeValues })) items.push(item);
    return items;
  }

  private async metadataOf(record: CheckpointRecord): Promise<CheckpointMetadata> {
    return this.serde.loadsTyped(record.metadata_type, unb64(record.metadata));
  }

  private async load(thread: string, ns: string, checkpointId: string, record: CheckpointRecord): Promise<CheckpointTuple> {
    const checkpoint: Checkpoint = await this.serde.loadsTyped(record.type, unb64(record.checkpoint));
    const versions = Object.entries(checkpoint.channel_versions ?? {});
    const values: Record<string, unknown> = {};
    if (checkpoint.v < 4 && record.parent) await this.migratePendingSends(checkpoint, thread, ns, record.parent, values);
    if (versions.length > 0) {
      const blobs = await this.client.kv.multiGet(this.namespace, versions.map(([ch, v]) => key("bl", thread, ns, ch, v)));
      for (const blob of blobs) {
        if (blob.contentType !== "empty") values[dec(blob.key.split("/")[3]!)] = await this.serde.loadsTyped(blob.contentType, blob.value);
      }
    }
    const stored = await this.scan(`${key("wr", thread, ns, checkpointId)}/`, true);
    const writes = stored.map((i) => {
      const parts = i.key.split("/");
      return { task: dec(parts[4]!), idx: Number(dec(parts[5]!)), path: i.metadata.task_path ?? "", channel: i.metadata.channel!, item: i };
    }).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.task < b.task ? -1 : a.task > b.task ? 1 : a.idx - b.idx));
    const pendingWrites: CheckpointPendingWrite[] = [];
    for (const w of writes) pendingWrites.push([w.task, w.channel, await this.serde.loadsTyped(w.item.contentType, w.item.value)]);
    return {
      config: config(thread, ns, checkpointId),
      checkpoint: { ...checkpoint, channel_values: values },
      metadata: await this.metadataOf(record),
      parentConfig: record.parent ? config(thread, ns, record.parent) : undefined,
      pendingWrites,
    };
  }

  /** Checkpoints before format 4 kept pending sends as the parent's TASKS writes; they become the
   * TASKS channel, as LangGraph's own savers migrate them. */
  private async migratePendingSends(checkpoint: Checkpoint, thread: string, ns: string, parent: string, values: Record<string, unknown>): Promise<void> {
    const sends: unknown[] = [];
    for (const w of await this.scan(`${key("wr", thread, ns, parent)}/`, true)) {
      if (w.metadata.channel === TASKS) sends.push(await this.serde.loadsTyped(w.contentType, w.value));
    }
    values[TASKS] = sends;
    const versions = Object.values(checkpoint.channel_versions ?? {});
    checkpoint.channel_versions = { ...checkpoint.channel_versions,
      [TASKS]: versions.length > 0 ? maxChannelVersion(...versions) : this.getNextVersion(undefined) };
  }

  private static require(cfg: RunnableConfig, ...fields: string[]): Record<string, unknown> {
    const c = cfg?.configurable;
    for (const f of fields) {
      if (c?.[f] === undefined) throw new Error(`the config has no configurable.${f}: a checkpointer needs it`);
    }
    return c!;
  }

  async getTuple(cfg: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const thread = String(cfg.configurable?.thread_id);
    const ns: string = cfg.configurable?.checkpoint_ns ?? "";
    let checkpointId: string | undefined = cfg.configurable?.checkpoint_id;
    if (!checkpointId) {
      const keys = await this.scan(`${key("cp", thread, ns)}/`);
      if (keys.length === 0) return undefined;
      checkpointId = dec(keys.map((k) => k.key).sort().at(-1)!.split("/")[3]!);
    }
    const got = await this.client.kv.get(this.namespace, key("cp", thread, ns, checkpointId));
    if (!got.found) return undefined;
    return this.load(thread, ns, checkpointId, JSON.parse(text.decode(got.value)));
  }

  async *list(cfg: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const c = cfg?.configurable ?? {};
    const wantedNs: string | undefined = c.checkpoint_ns;
    const wantedId: string | undefined = c.checkpoint_id;
    const prefix = c.thread_id === undefined ? "cp/" : `${key("cp", String(c.thread_id))}/${wantedNs !== undefined ? `${enc(wantedNs)}/` : ""}`;
    const beforeId: string | undefined = options.before?.configurable?.checkpoint_id;
    const found = (await this.scan(prefix)).map((i) => {
      const [, thread, ns, id] = i.key.split("/").map(dec) as [string, string, string, string];
      return { thread, ns, id, key: i.key };
    }).filter((e) => (wantedNs === undefined || e.ns === wantedNs) && (!wantedId || e.id === wantedId) && (!beforeId || e.id < beforeId))
      .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    let left = options.limit;
    for (const e of found) {
      if (left !== undefined && left <= 0) return;
      const got = await this.client.kv.get(this.namespace, e.key);
      if (!got.found) continue;
      const record: CheckpointRecord = JSON.parse(text.decode(got.value));
      if (options.filter) {
        const metadata = (await this.metadataOf(record)) as Record<string, unknown>;
        if (!Object.entries(options.filter).every(([k, v]) => metadata[k] === v)) continue;
      }
      if (left !== undefined) left -= 1;
      yield await this.load(e.thread, e.ns, e.id, record);
    }
  }

  async put(cfg: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    MemSidecarSaver.require(cfg, "thread_id");
    const thread = String(cfg.configurable?.thread_id);
    const ns: string = cfg.configurable?.checkpoint_ns ?? "";
    const values = checkpoint.channel_values as Record<string, unknown>;
    for (const [channel, version] of Object.entries(newVersions)) {
      const [type, data] = channel in values ? await this.serde.dumpsTyped(values[channel]) : ["empty", new Uint8Array()];
      await this.client.kv.put(this.namespace, key("bl", thread, ns, channel, version), data, { contentType: type });
    }
    const { channel_values: _, ...stripped } = checkpoint;
    const [type, data] = await this.serde.dumpsTyped(stripped);
    const [metadataType, metadataData] = await this.serde.dumpsTyped(metadata);
    const record: CheckpointRecord = { v: 1, type, checkpoint: b64(data), metadata_type: metadataType, metadata: b64(metadataData), parent: cfg.configurable?.checkpoint_id ?? null };
    await this.client.kv.put(this.namespace, key("cp", thread, ns, checkpoint.id), JSON.stringify(record), { contentType: "application/json" });
    return config(thread, ns, checkpoint.id);
  }

  async putWrites(cfg: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath = ""): Promise<void> {
    MemSidecarSaver.require(cfg, "thread_id", "checkpoint_id");
    const thread = String(cfg.configurable?.thread_id);
    const ns: string = cfg.configurable?.checkpoint_ns ?? "";
    const checkpointId = String(cfg.configurable?.checkpoint_id);
    for (const [i, [channel, value]] of writes.entries()) {
      const idx = WRITES_IDX_MAP[channel] ?? i;
      const [type, data] = await this.serde.dumpsTyped(value);
      try {
        await this.client.kv.put(this.namespace, key("wr", thread, ns, checkpointId, taskId, idx), data,
          { contentType: type, metadata: { channel, task_path: taskPath }, ifVersion: idx >= 0 ? 0n : undefined });
      } catch (e) {
        if (!(e instanceof VersionMismatchError)) throw e; // first write wins
      }
    }
  }

  async deleteThread(threadId: string): Promise<void> {
    for (const kind of ["cp", "bl", "wr"]) {
      for (const item of await this.scan(`${key(kind, String(threadId))}/`)) await this.client.kv.delete(this.namespace, item.key);
    }
  }

  /** Integer versions (as the Python saver's), so one thread can be written from both languages; a
   * string version ("N.random", other savers' format) continues from its counter. */
  getNextVersion(current: string | number | undefined): number {
    return (current === undefined ? 0 : typeof current === "number" ? current : Number(String(current).split(".")[0])) + 1;
  }
}

// --- long-term memory store ------------------------------------------------------------------------

const itemKey = (namespace: string[], k: string) => `it/${namespace.map(enc).join("/")}//${enc(k)}`;
const prefixKey = (prefix: string[]) => `it/${prefix.map((p) => `${enc(p)}/`).join("")}`;
function parseItemKey(kvKey: string): [string[], string] {
  const [ns, k] = kvKey.slice(3).split("//") as [string, string];
  return [ns.split("/").map(dec), dec(k)];
}
const recordId = (kvKey: string) => createHash("sha256").update(kvKey).digest("hex").slice(0, 32);

function matches(value: unknown, wanted: unknown): boolean {
  if (wanted !== null && typeof wanted === "object" && !Array.isArray(wanted)) {
    const entries = Object.entries(wanted);
    if (entries.some(([k]) => k.startsWith("$"))) {
      return entries.every(([op, operand]) => {
        switch (op) {
          case "$eq": return value === operand;
          case "$ne": return value !== operand;
          case "$gt": return Number(value) > Number(operand);
          case "$gte": return Number(value) >= Number(operand);
          case "$lt": return Number(value) < Number(operand);
          case "$lte": return Number(value) <= Number(operand);
          default: throw new Error(`unsupported filter operator ${op}`);
        }
      });
    }
    return value !== null && typeof value === "object" && entries.every(([k, v]) => matches((value as Record<string, unknown>)[k], v));
  }
  return JSON.stringify(value) === JSON.stringify(wanted);
}

export interface MemSidecarStoreOptions {
  namespace?: string;
  /** `namespace`: the semantic namespace to search by query (its embedder runs in the sidecar); `fields`:
   * paths in the value whose text is embedded (default the whole value). */
  index?: { namespace: string; fields?: string[] };
  /** Items expire this many minutes after their last put (kept as the kv item's TTL). */
  ttl?: { defaultTtlMinutes?: number };
}

/** LangGraph.js long-term memory (BaseStore) on memsidecar: items as JSON in a kv namespace
 * (`it/<namespace…>//<key>`, the Python store's layout), TTL in minutes, and `search` by natural-language
 * query through a semantic namespace. */
export class MemSidecarStore extends BaseStore {
  readonly namespace: string;
  readonly index: { namespace: string; fields?: string[] } | undefined;
  readonly ttlMinutes: number | undefined;

  constructor(private readonly client: MemSidecar, options: MemSidecarStoreOptions = {}) {
    super();
    this.namespace = options.namespace ?? "default";
    this.index = options.index;
    this.ttlMinutes = options.ttl?.defaultTtlMinutes;
  }

  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    const results: unknown[] = [];
    for (const op of operations) {
      if ("value" in op) results.push(await this.putOp(op as PutOperation));
      else if ("namespacePrefix" in op) results.push(await this.searchOp(op as SearchOperation));
      else if ("key" in op) results.push(await this.getOp(op as GetOperation));
      else results.push(await this.listOp(op as ListNamespacesOperation));
    }
    return results as OperationResults<Op>;
  }

  private item(kv: KVItem): Item {
    const [namespace, k] = parseItemKey(kv.key);
    return { namespace, key: k, value: JSON.parse(text.decode(kv.value)), createdAt: new Date(kv.metadata.created_at!), updatedAt: new Date(kv.metadata.updated_at!) };
  }

  private async getOp(op: GetOperation): Promise<Item | null> {
    const [found] = await this.client.kv.multiGet(this.namespace, [itemKey(op.namespace, op.key)]);
    return found ? this.item(found) : null;
  }

  private async putOp(op: PutOperation): Promise<void> {
    const k = itemKey(op.namespace, op.key);
    if (op.value === null) {
      await this.client.kv.delete(this.namespace, k);
      if (this.index) await this.client.semantic.delete(this.index.namespace, recordId(k), { hard: true });
      return;
    }
    const previous = await this.client.kv.get(this.namespace, k);
    const now = new Date().toISOString();
    const metadata: Record<string, string> = { created_at: previous.found ? previous.metadata.created_at ?? now : now, updated_at: now };
    if (this.ttlMinutes !== undefined) metadata.ttl_minutes = String(this.ttlMinutes);
    await this.client.kv.put(this.namespace, k, JSON.stringify(op.value), {
      contentType: "application/json", metadata, ttlSeconds: this.ttlMinutes === undefined ? undefined : this.ttlMinutes * 60 });
    if (this.index && op.index !== false) {
      const fields = Array.isArray(op.index) ? op.index : this.index.fields ?? ["$"];
      const texts = fields.flatMap((f) => (f === "$" ? [JSON.stringify(op.value)] : getTextAtPath(op.value, f)));
      if (texts.length > 0) {
        const meta: Record<string, string> = Object.fromEntries(op.namespace.map((p, i) => [`ns${i}`, p]));
        meta.key = k;
        await this.client.semantic.upsert(this.index.namespace, [{ id: recordId(k), content: texts.join("\n"), metadata: meta }]);
      }
    }
  }

  private async searchOp(op: SearchOperation): Promise<SearchItem[]> {
    const limit = op.limit ?? 10, offset = op.offset ?? 0;
    let found: [KVItem, number | undefined][] = [];
    if (op.query && this.index) {
      const filter = Object.fromEntries(op.namespacePrefix.map((p, i) => [`ns${i}`, p]));
      const hits = await this.client.semantic.search(this.index.namespace, { queryText: op.query, topK: (offset + limit) * (op.filter ? 3 : 1), filter });
      const keys = hits.map((h) => h.record!.metadata.key!);
      const byKey = new Map((keys.length ? await this.client.kv.multiGet(this.namespace, keys) : []).map((i) => [i.key, i]));
      found = hits.filter((h) => byKey.has(h.record!.metadata.key!)).map((h) => [byKey.get(h.record!.metadata.key!)!, h.score]);
    } else {
      const items: KVItem[] = [];
      for await (const i of this.client.kv.scan(this.namespace, { keyPrefix: prefixKey(op.namespacePrefix), includeValues: true })) items.push(i);
      items.sort((a, b) => (a.metadata.updated_at! < b.metadata.updated_at! ? 1 : -1));
      found = items.map((i) => [i, undefined]);
    }
    return found.filter(([kv]) => !op.filter || matches(JSON.parse(text.decode(kv.value)), op.filter))
      .slice(offset, offset + limit).map(([kv, score]) => ({ ...this.item(kv), score }));
  }

  private async listOp(op: ListNamespacesOperation): Promise<string[][]> {
    const seen = new Map<string, string[]>();
    for await (const kv of this.client.kv.scan(this.namespace, { keyPrefix: "it/" })) {
      const [namespace] = parseItemKey(kv.key);
      const holds = (op.matchConditions ?? []).every((c) => {
        if (c.path.length > namespace.length) return false;
        const part = c.matchType === "prefix" ? namespace.slice(0, c.path.length) : namespace.slice(namespace.length - c.path.length);
        return c.path.every((p, i) => p === "*" || p === part[i]);
      });
      if (holds) {
        const ns = op.maxDepth !== undefined ? namespace.slice(0, op.maxDepth) : namespace;
        seen.set(JSON.stringify(ns), ns);
      }
    }
    return [...seen.values()].sort((a, b) => (a.join("\u0000") < b.join("\u0000") ? -1 : 1)).slice(op.offset ?? 0, (op.offset ?? 0) + (op.limit ?? 100));
  }
}

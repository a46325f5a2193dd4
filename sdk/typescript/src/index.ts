/**
 * @memsidecar/client — the TypeScript client of memsidecar, on Connect-RPC's gRPC transport
 * (HTTP/2, h2c by default). u64 values are bigint.
 *
 * ```ts
 * const m = new MemSidecar("127.0.0.1:7777", { token: process.env.MEMSIDECAR_TOKEN });
 * await m.kv.put("scratchpad", "hello", "world", { ttlSeconds: 300 });
 * const got = await m.kv.get("scratchpad", "hello");
 * for await (const event of m.episodic.tail("events", { signal })) { … }
 * ```
 */
import { connect as netConnect } from "node:net";
import { readFileSync } from "node:fs";
import { create } from "@bufbuild/protobuf";
import type { Interceptor, Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Admin, type ListNamespacesResponse } from "./gen/memsidecar/admin/v1/admin_pb.js";
import {
  Artifact, type ArtifactMeta, type ArtifactRef, PutRequestSchema as ArtifactPutRequestSchema,
} from "./gen/memsidecar/artifact/v1/artifact_pb.js";
import { Episodic, type Event, ExpireAction as EpisodicExpireAction } from "./gen/memsidecar/episodic/v1/episodic_pb.js";
import {
  Direction, type Edge, EdgeSchema, Graph, type NeighborsResponse, type Node, NodeSchema, type Subgraph,
} from "./gen/memsidecar/graph/v1/graph_pb.js";
import {
  type GetAccessResponse, type GetResponse, KV, type KVItem, type PutResponse, type TxnCompareSchema, type TxnOpSchema, type TxnResponse,
} from "./gen/memsidecar/kv/v1/kv_pb.js";
import { Lease, type LeaseHandle } from "./gen/memsidecar/lease/v1/lease_pb.js";
import { Lane, Recall, type RecallHit, type RecallResponse } from "./gen/memsidecar/recall/v1/recall_pb.js";
import {
  ExpireAction as SemanticExpireAction, type FieldPredicate, FieldPredicateSchema, type Hit, type Record as SemanticRecord,
  RecordSchema, SearchMode, Semantic, type UpsertResponse,
} from "./gen/memsidecar/semantic/v1/semantic_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  type ArtifactDownload, type ArtifactSource, DEFAULT_CHUNK, MAX_CHUNK, checkSource, putRequests, startDownload,
} from "./artifacts.js";
import { type CallOptions, Calls } from "./calls.js";
import { bytes, duration, enumValue, timestamp } from "./convert.js";

export * from "./errors.js";
export type { CallOptions } from "./calls.js";
export { ArtifactDownload, type ArtifactSource } from "./artifacts.js";
export type {
  ArtifactMeta, ArtifactRef, Edge, Event, GetAccessResponse, GetResponse, Hit, KVItem, LeaseHandle, ListNamespacesResponse,
  NeighborsResponse, Node, PutResponse, RecallHit, RecallResponse, SemanticRecord, Subgraph, UpsertResponse,
};

export const CAPABILITY_HEADER = "x-memsidecar-capability";

export interface TlsOptions {
  /** PEM (string or Buffer) or a file path of the CA to trust; default: the system's. */
  ca?: string | Uint8Array;
  /** Client certificate and key for mTLS (PEM or file paths). */
  cert?: string | Uint8Array;
  key?: string | Uint8Array;
  /** The name the server's certificate must carry, when the address is an IP. */
  serverName?: string;
}

export interface MemSidecarOptions {
  /** The capability token (required; `Bearer ` is added). */
  token?: string;
  /** TLS: true for the system's roots, or CA / mTLS material. An `https://` address implies TLS. */
  tls?: boolean | TlsOptions;
  /** Connect interceptors, run after the one that adds the token. */
  interceptors?: Interceptor[];
  /** Default deadline of unary calls in milliseconds (30 000; `undefined` in an options object keeps it). */
  timeoutMs?: number;
  /** Attempts of idempotent calls on UNAVAILABLE (jittered exponential backoff); 1 turns retries off. */
  maxAttempts?: number;
}

/** PEM text, bytes, or the path of a PEM file. */
function pem(value: string | Uint8Array | undefined): string | Buffer | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") return Buffer.from(value);
  return value.includes("-----BEGIN") ? value : readFileSync(value);
}

function transportFor(address: string, options: MemSidecarOptions, interceptors: Interceptor[]): Transport {
  if (address.startsWith("unix:")) {
    const path = address.slice(5).replace(/^\/\/(?=\/)/, "");
    return createGrpcTransport({
      baseUrl: "http://localhost", interceptors,
      nodeOptions: { createConnection: () => netConnect(path) },
    });
  }
  const tls = options.tls === true ? {} : options.tls === false ? undefined : options.tls;
  const secure = address.startsWith("https://") || tls !== undefined;
  const baseUrl = /^https?:\/\//.test(address) ? address.replace(/^http:/, secure ? "https:" : "http:") : `${secure ? "https" : "http"}://${address}`;
  return createGrpcTransport({
    baseUrl, interceptors,
    nodeOptions: secure ? { ca: pem(tls?.ca), cert: pem(tls?.cert), key: pem(tls?.key), servername: tls?.serverName } : {},
  });
}

/** A connection to a memsidecar, with a client per block. `address` is `host:port`, an `http(s)://` URL
 * or `unix:/path/to.sock`. Call `close()` when done (or use `await using`). */
export class MemSidecar {
  readonly kv: KvClient;
  readonly episodic: EpisodicClient;
  readonly semantic: SemanticClient;
  readonly artifact: ArtifactClient;
  readonly lease: LeaseClient;
  readonly graph: GraphClient;
  readonly admin: AdminClient;
  readonly transport: Transport;
  private readonly calls: Calls;

  constructor(address: string, options: MemSidecarOptions = {}) {
    const token = (options.token ?? process.env.MEMSIDECAR_TOKEN ?? "").replace(/^bearer\s+/i, "").trim();
    if (!token) throw new TypeError("memsidecar: a capability token is required ({ token } or $MEMSIDECAR_TOKEN)");
    const auth: Interceptor = (next) => (req) => {
      req.header.set(CAPABILITY_HEADER, `Bearer ${token}`);
      return next(req);
    };
    this.transport = transportFor(address, options, [auth, ...(options.interceptors ?? [])]);
    const calls = new Calls(this.transport, "timeoutMs" in options ? options.timeoutMs : 30_000, options.maxAttempts ?? 4);
    this.kv = new KvClient(calls);
    this.episodic = new EpisodicClient(calls);
    this.semantic = new SemanticClient(calls);
    this.artifact = new ArtifactClient(calls);
    this.lease = new LeaseClient(calls);
    this.graph = new GraphClient(calls);
    this.admin = new AdminClient(calls);
    this.calls = calls;
  }

  /**
   * Recall (not in the original): the dense, lexical, graph-proximity and recency lanes of a semantic
   * namespace (and of a graph namespace whose node ids name records) fused by weighted reciprocal rank
   * fusion in one call. `weights` default to dense 1, lexical 1, graph 2, recency 0; `explain` adds each
   * hit's lane ranks and graph path, `includeSubgraph` the nodes and edges that join them.
   *
   * ```ts
   * const { hits } = await m.recall("notes", { queryText: "where does alice work", graphNamespace: "people",
   *   focalNodeIds: ["alice"], expandDepth: 2, explain: true });
   * ```
   */
  recall(semanticNamespace: string, o: RecallOptions = {}): Promise<RecallResponse> {
    return this.calls.unary("Recall.Recall", (co) => this.calls.client(Recall).recall({
      semanticNamespace, queryText: o.queryText ?? "", queryVector: o.queryVector ?? [],
      graphNamespace: o.graphNamespace ?? "", focalNodeIds: o.focalNodeIds ?? [], expandDepth: o.expandDepth,
      edgeTypes: o.edgeTypes ?? [], direction: enumValue(Direction, "", o.direction), topK: o.topK ?? 10,
      filter: o.filter ?? {}, predicates: (o.predicates ?? []).map((p) => create(FieldPredicateSchema, p)) as FieldPredicate[],
      asOf: timestamp(o.asOf), weights: o.weights ?? {}, mmrLambda: o.mmrLambda, explain: o.explain ?? false,
      includeSubgraph: o.includeSubgraph ?? false, includePayload: o.includePayload ?? false,
      candidateK: o.candidateK ?? 0, seedK: o.seedK ?? 0, maxNodes: o.maxNodes ?? 0, rrfK: o.rrfK,
    }, co), o);
  }

  /** Nothing to release: Connect-node closes idle HTTP/2 sessions by itself. Kept for `await using`. */
  close(): void {}

  [Symbol.dispose](): void { this.close(); }
}

type Metadata = Record<string, string>;

export interface PutOptions extends CallOptions {
  ttlSeconds?: number;
  contentType?: string;
  metadata?: Metadata;
  /** Only over this version; `0n` only if absent (else VersionMismatchError). */
  ifVersion?: bigint;
}

/** A KV transaction: compares, then the `success` ops when all hold, else the `failure` ops. */
export interface Txn {
  compare?: MessageInitShape<typeof TxnCompareSchema>[];
  success?: MessageInitShape<typeof TxnOpSchema>[];
  failure?: MessageInitShape<typeof TxnOpSchema>[];
}

export class KvClient {
  constructor(private readonly c: Calls) {}

  put(namespace: string, key: string, value: Uint8Array | string, o: PutOptions = {}): Promise<PutResponse> {
    return this.c.unary("KV.Put", (co) => this.c.client(KV).put({
      namespace, key, value: bytes(value), contentType: o.contentType ?? "", ttl: duration(o.ttlSeconds),
      metadata: o.metadata ?? {}, ifVersion: o.ifVersion,
    }, co), o);
  }

  /** The value and its version; `found` is false for a missing or expired key. */
  get(namespace: string, key: string, o: CallOptions = {}): Promise<GetResponse> {
    return this.c.unary("KV.Get", (co) => this.c.client(KV).get({ namespace, key }, co), o);
  }

  /** The keys that exist (missing and expired ones are left out). */
  async multiGet(namespace: string, keys: string[], o: CallOptions = {}): Promise<KVItem[]> {
    return (await this.c.unary("KV.MultiGet", (co) => this.c.client(KV).multiGet({ namespace, keys }, co), o)).items;
  }

  /** True if the key existed. */
  async delete(namespace: string, key: string, o: CallOptions & { ifVersion?: bigint } = {}): Promise<boolean> {
    return (await this.c.unary("KV.Delete", (co) => this.c.client(KV).delete({ namespace, key, ifVersion: o.ifVersion }, co), o)).existed;
  }

  /** Live keys in key order, streamed. */
  scan(namespace: string, o: CallOptions & { keyPrefix?: string; limit?: number; includeValues?: boolean; startAfter?: string } = {}): AsyncGenerator<KVItem> {
    return this.c.stream("KV.Scan", (co) => this.c.client(KV).scan({
      namespace, keyPrefix: o.keyPrefix ?? "", limit: o.limit ?? 0, includeValues: o.includeValues ?? false,
      startAfter: o.startAfter ?? "",
    }, co), o);
  }

  /**
   * Compare-and-swap across keys, atomically (etcd's Txn): every compare is evaluated, then the `success` ops run
   * when all hold, else the `failure` ops. Compares: `{ key, target: { case: "version", value: 3n } }` (also
   * `absent`, `present`, `value`); ops: `{ op: { case: "put", value: { key, value: bytes } } }` (also `delete`,
   * `get`). Resolves with which branch ran (`succeeded`), each op's result and the `failedCompares`.
   */
  txn(namespace: string, t: Txn, o: CallOptions = {}): Promise<TxnResponse> {
    return this.c.unary("KV.Txn", (co) => this.c.client(KV).txn({
      namespace, compare: t.compare ?? [], success: t.success ?? [], failure: t.failure ?? [],
    }, co), o);
  }

  /** What a tracking access tier recorded for the key. */
  getAccess(namespace: string, key: string, o: CallOptions = {}): Promise<GetAccessResponse> {
    return this.c.unary("KV.GetAccess", (co) => this.c.client(KV).getAccess({ namespace, key }, co), o);
  }
}

export interface NewEvent {
  type: string;
  payload?: Uint8Array | string;
  metadata?: Metadata;
  role?: string;
  sessionId?: string;
  /** Appended once per key: a retry returns the first event (so such an append is retried on UNAVAILABLE). */
  dedupKey?: string;
  supersedes?: string[];
  source?: string;
}

export interface RangeOptions extends CallOptions {
  afterCursor?: bigint; beforeCursor?: bigint; limit?: number; reverse?: boolean; afterTime?: Date; beforeTime?: Date;
  includeDeleted?: boolean; sessionId?: string; role?: string; type?: string;
}

export class EpisodicClient {
  constructor(private readonly c: Calls) {}

  async append(namespace: string, event: NewEvent, o: CallOptions = {}): Promise<Event> {
    const resp = await this.c.unary("Episodic.Append", (co) => this.c.client(Episodic).append({
      namespace, type: event.type, payload: bytes(event.payload), metadata: event.metadata ?? {}, role: event.role ?? "",
      sessionId: event.sessionId ?? "", dedupKey: event.dedupKey ?? "", supersedes: event.supersedes ?? [],
      source: event.source ?? "",
    }, co), o, Boolean(event.dedupKey));
    return resp.event!;
  }

  /** Stored events in cursor order (`reverse` for newest first), streamed. */
  range(namespace: string, o: RangeOptions = {}): AsyncGenerator<Event> {
    return this.c.stream("Episodic.Range", (co) => this.c.client(Episodic).range({
      namespace, afterCursor: o.afterCursor ?? 0n, beforeCursor: o.beforeCursor ?? 0n, limit: o.limit ?? 0,
      reverse: o.reverse ?? false, afterTime: timestamp(o.afterTime), beforeTime: timestamp(o.beforeTime),
      includeDeleted: o.includeDeleted ?? false, sessionId: o.sessionId ?? "", role: o.role ?? "", type: o.type ?? "",
    }, co), o);
  }

  /** New events as they are appended (with `includeHistorical`, the stored ones after `afterCursor` first).
   * Runs until the loop is left or the signal aborts. */
  tail(namespace: string, o: CallOptions & { afterCursor?: bigint; includeHistorical?: boolean } = {}): AsyncGenerator<Event> {
    return this.c.stream("Episodic.Tail", (co) => this.c.client(Episodic).tail({
      namespace, afterCursor: o.afterCursor ?? 0n, includeHistorical: o.includeHistorical ?? false,
    }, co), o);
  }

  /** Soft- or hard-deletes events before a cursor or a time; the number affected. */
  async expire(namespace: string, o: CallOptions & { action?: EpisodicExpireAction | "soft_delete" | "hard_delete"; maxRows?: number; beforeCursor?: bigint; beforeTime?: Date } = {}): Promise<bigint> {
    return (await this.c.unary("Episodic.Expire", (co) => this.c.client(Episodic).expire({
      namespace, action: enumValue(EpisodicExpireAction, "", o.action), maxRows: o.maxRows ?? 1000,
      beforeCursor: o.beforeCursor ?? 0n, beforeTime: timestamp(o.beforeTime),
    }, co), o)).affected;
  }
}

export type RecordInit = MessageInitShape<typeof RecordSchema>;

export interface SearchOptions extends CallOptions {
  queryText?: string; queryVector?: number[]; topK?: number; filter?: Metadata;
  predicates?: MessageInitShape<typeof FieldPredicateSchema>[]; createdAfter?: Date; createdBefore?: Date;
  mode?: SearchMode | "dense" | "sparse" | "hybrid"; rerankCandidateK?: number; includePayload?: boolean;
  includeVector?: boolean; asOf?: Date; includeInvalidated?: boolean; idsOnly?: boolean;
}

export class SemanticClient {
  constructor(private readonly c: Calls) {}

  /** Creates or replaces records; the sidecar embeds `content` when no vector is given. */
  upsert(namespace: string, records: RecordInit[], o: CallOptions = {}): Promise<UpsertResponse> {
    return this.c.unary("Semantic.Upsert", (co) => this.c.client(Semantic).upsert({
      namespace, records: records.map((r) => create(RecordSchema, r)),
    }, co), o);
  }

  /** Hits, best first. */
  async search(namespace: string, o: SearchOptions = {}): Promise<Hit[]> {
    return (await this.c.unary("Semantic.Search", (co) => this.c.client(Semantic).search({
      namespace, queryText: o.queryText ?? "", queryVector: o.queryVector ?? [], topK: o.topK ?? 10,
      filter: o.filter ?? {}, predicates: (o.predicates ?? []).map((p) => create(FieldPredicateSchema, p)) as FieldPredicate[],
      createdAfter: timestamp(o.createdAfter), createdBefore: timestamp(o.createdBefore),
      mode: enumValue(SearchMode, "", o.mode), rerankCandidateK: o.rerankCandidateK ?? 0,
      includePayload: o.includePayload ?? false, includeVector: o.includeVector ?? false, asOf: timestamp(o.asOf),
      includeInvalidated: o.includeInvalidated ?? false, idsOnly: o.idsOnly ?? false,
    }, co), o)).hits;
  }

  /** One record by id, or undefined. */
  async get(namespace: string, id: string, o: CallOptions & { includePayload?: boolean; includeVector?: boolean; includeInvalidated?: boolean; asOf?: Date } = {}): Promise<SemanticRecord | undefined> {
    const resp = await this.c.unary("Semantic.Get", (co) => this.c.client(Semantic).get({
      namespace, id, includePayload: o.includePayload ?? true, includeVector: o.includeVector ?? false,
      includeInvalidated: o.includeInvalidated ?? false, asOf: timestamp(o.asOf),
    }, co), o);
    return resp.found ? resp.record : undefined;
  }

  async delete(namespace: string, id: string, o: CallOptions & { hard?: boolean } = {}): Promise<boolean> {
    return (await this.c.unary("Semantic.Delete", (co) => this.c.client(Semantic).delete({ namespace, id, hard: o.hard ?? false }, co), o)).existed;
  }

  async expire(namespace: string, o: CallOptions & { action?: SemanticExpireAction | "invalidate" | "soft_delete" | "hard_delete"; maxRows?: number; filter?: Metadata } = {}): Promise<bigint> {
    return (await this.c.unary("Semantic.Expire", (co) => this.c.client(Semantic).expire({
      namespace, action: enumValue(SemanticExpireAction, "", o.action), maxRows: o.maxRows ?? 1000, filter: o.filter ?? {},
    }, co), o)).affected;
  }
}

export interface ArtifactPutOptions extends CallOptions {
  id?: string; contentType?: string; metadata?: Metadata; expectedSize?: bigint; expectedSha256?: string;
  /** Bytes per message, 1 KiB–1 MiB (256 KiB; the original sent 64 KiB). */
  chunkSize?: number;
}

export interface ArtifactGetOptions extends CallOptions {
  offset?: bigint; length?: bigint;
  /** Check a whole body's SHA-256 (default true). */
  verify?: boolean;
}

export class ArtifactClient {
  constructor(private readonly c: Calls) {}

  /** Uploads bytes, a string, a Node Readable, a web ReadableStream or an (async) iterable of chunks,
   * streamed under flow control (never held whole). Not retried: a stream cannot be replayed. */
  put(namespace: string, data: ArtifactSource, o: ArtifactPutOptions = {}): Promise<ArtifactRef> {
    checkSource(data);
    const chunkSize = o.chunkSize ?? DEFAULT_CHUNK;
    if (chunkSize < 1024 || chunkSize > MAX_CHUNK) throw new RangeError(`chunkSize must be between 1 KiB and 1 MiB, not ${chunkSize}`);
    const init = create(ArtifactPutRequestSchema, { body: { case: "init", value: {
      namespace, id: o.id ?? "", contentType: o.contentType ?? "", metadata: o.metadata ?? {},
      expectedSize: o.expectedSize, expectedSha256: o.expectedSha256 ?? "" } } });
    return this.c.unary("Artifact.Put", async (co) => (await this.c.client(Artifact).put(putRequests(init, data, chunkSize), co)).ref!,
      { signal: o.signal, timeoutMs: o.timeoutMs }, false);
  }

  /** The body as a stream (`for await`, `.stream()` for a web ReadableStream); `meta` is its header. */
  open(namespace: string, id: string, o: ArtifactGetOptions = {}): Promise<ArtifactDownload> {
    const where = `artifact ${namespace}/${id}`;
    const whole = !o.offset && !o.length;
    return this.c.unary("Artifact.Get", (co) => startDownload(this.c.client(Artifact).get({
      namespace, id, offset: o.offset ?? 0n, length: o.length ?? 0n,
    }, { signal: co.signal, timeoutMs: o.timeoutMs }), whole && (o.verify ?? true), where), o);
  }

  /** The body (or a range) in one buffer — held whole; prefer `open` for big ones. */
  async get(namespace: string, id: string, o: ArtifactGetOptions = {}): Promise<Uint8Array> {
    return (await this.open(namespace, id, o)).bytes();
  }

  /** Size, type, checksum and metadata, or undefined. */
  async stat(namespace: string, id: string, o: CallOptions = {}): Promise<ArtifactMeta | undefined> {
    const resp = await this.c.unary("Artifact.Stat", (co) => this.c.client(Artifact).stat({ namespace, id }, co), o);
    return resp.found ? resp.meta : undefined;
  }

  async delete(namespace: string, id: string, o: CallOptions = {}): Promise<boolean> {
    return (await this.c.unary("Artifact.Delete", (co) => this.c.client(Artifact).delete({ namespace, id }, co), o)).existed;
  }

  /** Artifacts in id order, streamed. */
  list(namespace: string, o: CallOptions & { filter?: Metadata; startAfter?: string; limit?: number } = {}): AsyncGenerator<ArtifactMeta> {
    return this.c.stream("Artifact.List", (co) => this.c.client(Artifact).list({
      namespace, filter: o.filter ?? {}, startAfter: o.startAfter ?? "", limit: o.limit ?? 0,
    }, co), o);
  }
}

export class LeaseClient {
  constructor(private readonly c: Calls) {}

  /** Takes the lease, waiting up to `waitForSeconds` for a release; FailedPreconditionError while held. */
  async acquire(namespace: string, key: string, o: CallOptions & { ttlSeconds: number; waitForSeconds?: number; metadata?: Metadata }): Promise<LeaseHandle> {
    const timeoutMs = o.timeoutMs ?? (o.waitForSeconds && this.c.timeoutMs !== undefined ? this.c.timeoutMs + o.waitForSeconds * 1000 : undefined);
    return (await this.c.unary("Lease.Acquire", (co) => this.c.client(Lease).acquire({
      namespace, key, ttl: duration(o.ttlSeconds), waitFor: duration(o.waitForSeconds), metadata: o.metadata ?? {},
    }, co), { signal: o.signal, timeoutMs })).handle!;
  }

  async renew(holderId: string, namespace: string, key: string, o: CallOptions & { ttlSeconds: number }): Promise<LeaseHandle> {
    return (await this.c.unary("Lease.Renew", (co) => this.c.client(Lease).renew({ holderId, namespace, key, ttl: duration(o.ttlSeconds) }, co), o)).handle!;
  }

  /** True if this holder held it. */
  async release(holderId: string, namespace: string, key: string, o: CallOptions = {}): Promise<boolean> {
    return (await this.c.unary("Lease.Release", (co) => this.c.client(Lease).release({ holderId, namespace, key }, co), o)).existed;
  }

  /** The current holder, or undefined. */
  async inspect(namespace: string, key: string, o: CallOptions = {}): Promise<LeaseHandle | undefined> {
    const resp = await this.c.unary("Lease.Inspect", (co) => this.c.client(Lease).inspect({ namespace, key }, co), o);
    return resp.held ? resp.handle : undefined;
  }

  async list(namespace: string, o: CallOptions = {}): Promise<LeaseHandle[]> {
    return (await this.c.unary("Lease.List", (co) => this.c.client(Lease).list({ namespace }, co), o)).leases;
  }
}

export interface RecallOptions extends CallOptions {
  queryText?: string; queryVector?: number[]; graphNamespace?: string; focalNodeIds?: string[];
  /** Hops of the graph walk, 0 to 2 (default 1). */
  expandDepth?: number; edgeTypes?: string[]; direction?: Dir; topK?: number; filter?: Metadata;
  predicates?: MessageInitShape<typeof FieldPredicateSchema>[]; asOf?: Date;
  weights?: { dense?: number; lexical?: number; graph?: number; recency?: number };
  /** Maximal marginal relevance over the fused list: 1 keeps its order, 0 is the most diverse. */
  mmrLambda?: number; explain?: boolean; includeSubgraph?: boolean; includePayload?: boolean;
  candidateK?: number; seedK?: number; maxNodes?: number; rrfK?: number;
}

export type NodeInit = MessageInitShape<typeof NodeSchema>;
export type EdgeInit = MessageInitShape<typeof EdgeSchema>;
type Dir = Direction | "out" | "in" | "both";

export class GraphClient {
  constructor(private readonly c: Calls) {}

  async upsertNodes(namespace: string, nodes: NodeInit[], o: CallOptions = {}): Promise<string[]> {
    return (await this.c.unary("Graph.UpsertNodes", (co) => this.c.client(Graph).upsertNodes({ namespace, nodes: nodes.map((n) => create(NodeSchema, n)) }, co), o)).ids;
  }

  async upsertEdges(namespace: string, edges: EdgeInit[], o: CallOptions = {}): Promise<string[]> {
    return (await this.c.unary("Graph.UpsertEdges", (co) => this.c.client(Graph).upsertEdges({ namespace, edges: edges.map((e) => create(EdgeSchema, e)) }, co), o)).ids;
  }

  /** The node (NotFoundError if absent). */
  getNode(namespace: string, id: string, o: CallOptions = {}): Promise<Node> {
    return this.c.unary("Graph.GetNode", (co) => this.c.client(Graph).getNode({ namespace, id }, co), o);
  }

  neighbors(namespace: string, nodeId: string, o: CallOptions & { edgeTypes?: string[]; direction?: Dir; nodeLabels?: string[]; limit?: number; asOf?: Date } = {}): Promise<NeighborsResponse> {
    return this.c.unary("Graph.Neighbors", (co) => this.c.client(Graph).neighbors({
      namespace, nodeId, edgeTypes: o.edgeTypes ?? [], direction: enumValue(Direction, "", o.direction),
      nodeLabels: o.nodeLabels ?? [], limit: o.limit ?? 0, asOf: timestamp(o.asOf),
    }, co), o);
  }

  traverse(namespace: string, startId: string, o: CallOptions & { edgeTypes?: string[]; direction?: Dir; depth?: number; maxNodes?: number; asOf?: Date } = {}): Promise<Subgraph> {
    return this.c.unary("Graph.Traverse", (co) => this.c.client(Graph).traverse({
      namespace, startId, edgeTypes: o.edgeTypes ?? [], direction: enumValue(Direction, "", o.direction),
      depth: o.depth ?? 0, maxNodes: o.maxNodes ?? 0, asOf: timestamp(o.asOf),
    }, co), o);
  }

  async deleteNode(namespace: string, id: string, o: CallOptions & { cascade?: boolean } = {}): Promise<boolean> {
    return (await this.c.unary("Graph.DeleteNode", (co) => this.c.client(Graph).deleteNode({ namespace, id, cascade: o.cascade ?? false }, co), o)).existed;
  }

  async deleteEdge(namespace: string, id: string, o: CallOptions = {}): Promise<boolean> {
    return (await this.c.unary("Graph.DeleteEdge", (co) => this.c.client(Graph).deleteEdge({ namespace, id }, co), o)).existed;
  }
}

export class AdminClient {
  constructor(private readonly c: Calls) {}

  /** The configured namespaces and the server's version (needs op admin.inspect). */
  listNamespaces(o: CallOptions = {}): Promise<ListNamespacesResponse> {
    return this.c.unary("Admin.ListNamespaces", (co) => this.c.client(Admin).listNamespaces({}, co), o);
  }
}

export { Direction, Lane, SearchMode };

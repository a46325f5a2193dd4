import { createHash } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import {
  type ArtifactMeta, type GetResponse, type PutRequest, PutRequestSchema,
} from "./gen/memsidecar/artifact/v1/artifact_pb.js";
import { Code } from "@connectrpc/connect";
import { IntegrityError, MemSidecarError } from "./errors.js";

/** What `artifact.put` streams: bytes, a string, a Node Readable or any (async) iterable of byte
 * chunks, or a web ReadableStream. */
export type ArtifactSource =
  | Uint8Array
  | string
  | Iterable<Uint8Array>
  | AsyncIterable<Uint8Array>
  | ReadableStream<Uint8Array>;

export const DEFAULT_CHUNK = 256 * 1024;
export const MAX_CHUNK = 1024 * 1024;

async function* pieces(source: ArtifactSource, chunkSize: number): AsyncGenerator<Uint8Array> {
  if (typeof source === "string") source = new TextEncoder().encode(source);
  if (source instanceof Uint8Array) {
    for (let i = 0; i < source.length; i += chunkSize) yield source.subarray(i, i + chunkSize);
    return;
  }
  const iterable = source as AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  for await (const piece of iterable) {
    if (!(piece instanceof Uint8Array)) throw new TypeError(`artifact chunks must be bytes, not ${typeof piece}`);
    for (let i = 0; i < piece.length; i += MAX_CHUNK) yield piece.subarray(i, i + MAX_CHUNK);
  }
}

export function checkSource(source: unknown): void {
  const ok = typeof source === "string" || source instanceof Uint8Array
    || (source !== null && typeof source === "object"
        && (Symbol.asyncIterator in source || Symbol.iterator in source));
  if (!ok) throw new TypeError("artifact data must be bytes, a string, a Readable, a ReadableStream or an (async) iterable of bytes");
}

/** The Put stream: the init message, then the body in chunks (pulled as the transport asks: flow control). */
export async function* putRequests(init: PutRequest, source: ArtifactSource, chunkSize: number): AsyncGenerator<PutRequest> {
  yield init;
  for await (const data of pieces(source, chunkSize)) {
    yield create(PutRequestSchema, { body: { case: "chunk", value: { data } } });
  }
}

/** An artifact being downloaded: `meta` is its header; iterate it for the body's chunks (a whole body is
 * checked against its SHA-256 at the end), or take `stream()` for a web ReadableStream. Leaving the loop
 * early, or `cancel()`, cancels the call. */
export class ArtifactDownload implements AsyncIterable<Uint8Array> {
  private used = false;

  constructor(readonly meta: ArtifactMeta, private readonly rest: AsyncIterator<GetResponse>,
              private readonly verify: boolean, private readonly where: string) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    if (this.used) throw new TypeError(`${this.where}: a download can be read once`);
    this.used = true;
    const hash = this.verify && this.meta.sha256 ? createHash("sha256") : undefined;
    try {
      for (let r = await this.rest.next(); !r.done; r = await this.rest.next()) {
        if (r.value.body.case !== "chunk") continue;
        hash?.update(r.value.body.value.data);
        yield r.value.body.value.data;
      }
    } finally {
      await this.rest.return?.();
    }
    if (hash) {
      const got = hash.digest("hex");
      if (got !== this.meta.sha256.toLowerCase()) {
        throw new IntegrityError(Code.DataLoss, `the body's SHA-256 ${got} is not the announced ${this.meta.sha256}`, this.where);
      }
    }
  }

  /** The body as a web ReadableStream (cancelling it cancels the call). */
  stream(): ReadableStream<Uint8Array> {
    const it = this[Symbol.asyncIterator]();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const r = await it.next();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
      async cancel() { await it.return(undefined); },
    });
  }

  /** The whole body in one buffer (held whole: for small artifacts). */
  async bytes(): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let size = 0;
    for await (const p of this) { parts.push(p); size += p.length; }
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }

  /** Stops the download (needed only when it is not read to its end). */
  async cancel(): Promise<void> {
    this.used = true;
    await this.rest.return?.();
  }
}

export async function startDownload(responses: AsyncIterable<GetResponse>, verify: boolean, where: string): Promise<ArtifactDownload> {
  const it = responses[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done || first.value.body.case !== "header" || first.value.body.value.meta === undefined) {
    await it.return?.();
    throw new MemSidecarError(Code.Internal, "the stream did not start with a header", where);
  }
  return new ArtifactDownload(first.value.body.value.meta, it, verify, where);
}

import { type Client, type Transport, createClient } from "@connectrpc/connect";
import type { DescService } from "@bufbuild/protobuf";
import { UnavailableError, toMemSidecarError } from "./errors.js";

/** Per-call options of every method. */
export interface CallOptions {
  /** Aborting it cancels the call (and a stream's loop ends with a CancelledError). */
  signal?: AbortSignal;
  /** The call's deadline in milliseconds (unary calls default to the client's `timeoutMs`). */
  timeoutMs?: number;
}

/** Calls that are safe to repeat: retried on UNAVAILABLE (the same set as the Java and Python SDKs). */
const IDEMPOTENT = new Set([
  "KV.Get", "KV.MultiGet", "KV.Scan", "KV.Delete", "KV.GetAccess", "Episodic.Range",
  "Semantic.Search", "Semantic.Get", "Semantic.Delete", "Artifact.Get", "Artifact.Stat", "Artifact.List",
  "Artifact.Delete", "Lease.Inspect", "Lease.List", "Graph.GetNode", "Graph.Neighbors", "Graph.Traverse",
  "Graph.UpsertNodes", "Graph.UpsertEdges", "Graph.DeleteNode", "Graph.DeleteEdge", "Admin.ListNamespaces", "Recall.Recall",
]);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
  });
}

/** One transport, the clients of every service on it, and how a call is made: deadline, retries, errors. */
export class Calls {
  private readonly clients = new Map<DescService, unknown>();

  constructor(readonly transport: Transport, readonly timeoutMs: number | undefined, readonly maxAttempts: number) {}

  client<S extends DescService>(service: S): Client<S> {
    let c = this.clients.get(service) as Client<S> | undefined;
    if (c === undefined) {
      c = createClient(service, this.transport);
      this.clients.set(service, c);
    }
    return c;
  }

  /** A unary (or client-streaming) call; `fn` makes one attempt with the options it is given. */
  async unary<R>(method: string, fn: (o: CallOptions) => Promise<R>, options: CallOptions = {},
                 retryable = IDEMPOTENT.has(method)): Promise<R> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    const attempts = retryable ? this.maxAttempts : 1;
    for (let attempt = 1; ; attempt++) {
      const left = deadline === undefined ? undefined : Math.max(1, deadline - Date.now());
      try {
        return await fn({ signal: options.signal, timeoutMs: left });
      } catch (e) {
        if (e instanceof TypeError || e instanceof RangeError) throw e; // bad arguments, found before any call
        const error = toMemSidecarError(e, method);
        const backoff = Math.random() * Math.min(2000, 100 * 2 ** attempt); // full jitter
        if (!(error instanceof UnavailableError) || attempt >= attempts || options.signal?.aborted
            || (deadline !== undefined && Date.now() + backoff >= deadline)) {
          throw error;
        }
        await sleep(backoff, options.signal);
      }
    }
  }

  /** A server stream as an AsyncIterable: leaving the loop early cancels the call. Streams have no
   * deadline unless one is given (a tail runs until it is stopped). */
  async *stream<R>(method: string, start: (o: CallOptions) => AsyncIterable<R>, options: CallOptions = {}): AsyncGenerator<R> {
    try {
      yield* start({ signal: options.signal, timeoutMs: options.timeoutMs });
    } catch (e) {
      throw toMemSidecarError(e, method);
    }
  }
}

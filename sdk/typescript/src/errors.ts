import { Code, ConnectError } from "@connectrpc/connect";

/** A failed call: `code` is the gRPC status code (Connect's `Code`), `rawMessage` the server's text,
 * `correlationId` the id an INTERNAL error carries (to find the server's log line), `method` the RPC. */
export class MemSidecarError extends Error {
  readonly code: Code;
  readonly rawMessage: string;
  readonly correlationId: string | undefined;
  readonly method: string;

  constructor(code: Code, message: string, method = "", options?: { cause?: unknown }) {
    super(`${method ? method + ": " : ""}${Code[code]}: ${message}`, options);
    this.name = new.target.name;
    this.code = code;
    this.rawMessage = message;
    this.method = method;
    this.correlationId = /correlation id ([0-9A-Za-z-]+)/.exec(message)?.[1];
  }
}

export class CancelledError extends MemSidecarError {}
export class InvalidArgumentError extends MemSidecarError {}
export class DeadlineExceededError extends MemSidecarError {}
export class NotFoundError extends MemSidecarError {}
export class AlreadyExistsError extends MemSidecarError {}
export class PermissionDeniedError extends MemSidecarError {}
export class ResourceExhaustedError extends MemSidecarError {}
export class FailedPreconditionError extends MemSidecarError {}
/** A compare-and-set (`ifVersion`) met another version: read again, then retry. */
export class VersionMismatchError extends FailedPreconditionError {}
export class AbortedError extends MemSidecarError {}
export class UnimplementedError extends MemSidecarError {}
export class InternalError extends MemSidecarError {}
/** The sidecar or its backend cannot be reached now; idempotent calls are retried on it. */
export class UnavailableError extends MemSidecarError {}
export class DataLossError extends MemSidecarError {}
/** An artifact's bytes did not hash to the SHA-256 its header announced. */
export class IntegrityError extends DataLossError {}
export class UnauthenticatedError extends MemSidecarError {}

const byCode: Partial<Record<Code, new (code: Code, message: string, method?: string, options?: { cause?: unknown }) => MemSidecarError>> = {
  [Code.Canceled]: CancelledError,
  [Code.InvalidArgument]: InvalidArgumentError,
  [Code.DeadlineExceeded]: DeadlineExceededError,
  [Code.NotFound]: NotFoundError,
  [Code.AlreadyExists]: AlreadyExistsError,
  [Code.PermissionDenied]: PermissionDeniedError,
  [Code.ResourceExhausted]: ResourceExhaustedError,
  [Code.FailedPrecondition]: FailedPreconditionError,
  [Code.Aborted]: AbortedError,
  [Code.Unimplemented]: UnimplementedError,
  [Code.Internal]: InternalError,
  [Code.Unavailable]: UnavailableError,
  [Code.DataLoss]: DataLossError,
  [Code.Unauthenticated]: UnauthenticatedError,
};

/** The typed error for anything a call threw (a ConnectError, or anything else as UNKNOWN). */
export function toMemSidecarError(error: unknown, method: string): MemSidecarError {
  if (error instanceof MemSidecarError) return error;
  const e = ConnectError.from(error);
  // A connection that could not be set up (a TLS handshake the server refused, a reset) is UNAVAILABLE,
  // as gRPC's own clients report it; Connect-node reports a failed handshake as INTERNAL.
  const code = e.code === Code.Internal && isTransportFailure(e) ? Code.Unavailable : e.code;
  let cls = byCode[code] ?? MemSidecarError;
  if (cls === FailedPreconditionError && /version mismatch/i.test(e.rawMessage)) cls = VersionMismatchError;
  return new cls(code, e.rawMessage, method, { cause: error });
}

function isTransportFailure(e: ConnectError): boolean {
  const causeCode = (e.cause as { code?: unknown } | undefined)?.code;
  return (typeof causeCode === "string" && /^(ERR_SSL|ERR_TLS|ECONN|EPIPE|ERR_HTTP2_(SESSION|STREAM_CANCEL|GOAWAY))/.test(causeCode))
    || /SSL routines|handshake|ssl3_read_bytes/.test(e.rawMessage);
}

export { Code };

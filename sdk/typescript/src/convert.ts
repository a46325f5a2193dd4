import { create } from "@bufbuild/protobuf";
import { type Duration, DurationSchema, type Timestamp, timestampFromDate } from "@bufbuild/protobuf/wkt";

/** Seconds (may be fractional) as a Duration; undefined stays undefined. */
export function duration(seconds: number | undefined): Duration | undefined {
  if (seconds === undefined) return undefined;
  if (!Number.isFinite(seconds)) throw new TypeError(`a duration must be a finite number of seconds, not ${seconds}`);
  const whole = Math.floor(seconds);
  return create(DurationSchema, { seconds: BigInt(whole), nanos: Math.round((seconds - whole) * 1e9) });
}

/** A Date as a Timestamp; undefined stays undefined. */
export function timestamp(date: Date | undefined): Timestamp | undefined {
  return date === undefined ? undefined : timestampFromDate(date);
}

const encoder = new TextEncoder();

/** A string (UTF-8) or bytes. */
export function bytes(value: Uint8Array | string | undefined): Uint8Array {
  if (value === undefined) return new Uint8Array();
  return typeof value === "string" ? encoder.encode(value) : value;
}

/** An enum given as its number, its full name (`DIRECTION_OUT`) or its short name (`out`). */
export function enumValue(values: Record<string, string | number>, prefix: string, value: number | string | undefined): number {
  if (value === undefined) return 0;
  if (typeof value === "number") return value;
  const full = value.toUpperCase().startsWith(prefix) ? value.toUpperCase() : prefix + value.toUpperCase();
  // protoc-gen-es strips the shared prefix from enum member names: DIRECTION_OUT is Direction.OUT
  const found = values[full.slice(prefix.length)];
  if (typeof found !== "number") {
    const names = Object.keys(values).filter((k) => Number.isNaN(Number(k)) && k !== "UNSPECIFIED").map((k) => k.toLowerCase());
    throw new TypeError(`${JSON.stringify(value)} is not one of ${names.join(", ")}`);
  }
  return found;
}

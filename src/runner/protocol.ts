/**
 * Jupyter messaging protocol, wire format (v5.3): framing, HMAC-SHA256 signing and verification.
 * Pure functions over Buffers; the sockets live in `kernel.ts`.
 *
 * A message on the wire is `[...identities, "<IDS|MSG>", signature, header, parent_header, metadata, content, ...buffers]`,
 * where `signature` is the lowercase hex HMAC-SHA256, keyed by the connection file's `key`, over the four JSON frames
 * header, parent_header, metadata, content in that order. Source: Jupyter client documentation, "Messaging in Jupyter",
 * section "The Wire Protocol" (https://jupyter-client.readthedocs.io/en/stable/messaging.html#the-wire-protocol).
 */
import { createHmac, randomBytes, timingSafeEqual } from "crypto";
import { show } from "../util/validate";

/** The frame that separates the routing identities from the signed message. */
export const DELIMITER = Buffer.from("<IDS|MSG>");

/** Protocol version the runner speaks (and tslab 1.0.22 answers with). */
export const PROTOCOL_VERSION = "5.3";

/** A message header (also used as the parent header of replies). */
export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** A decoded message. `parent_header` is `{}` for messages without a parent. */
export interface JupyterMessage<C = Record<string, unknown>> {
  identities: Buffer[];
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/**
 * Sign the four JSON frames of a message.
 * @param key the connection key (UTF-8 text from the connection file); an empty key disables signing (returns "")
 * @param frames the serialized header, parent_header, metadata and content frames, in that order
 * @returns the lowercase hex HMAC-SHA256 signature
 * @throws {TypeError} when `key` is not a string, or `frames` does not hold exactly four strings or Buffers
 * @example sign("secret", ["{}", "{}", "{}", "{}"]).length // 64
 */
export function sign(key: string, frames: readonly (string | Buffer)[]): string {
  if (typeof key !== "string") throw new TypeError(`key must be a string, got ${typeof key}`);
  if (!Array.isArray(frames) || frames.length !== 4) {
    throw new TypeError(`frames must hold exactly 4 frames (header, parent, metadata, content), got ${Array.isArray(frames) ? frames.length : typeof frames}`);
  }
  const bad = frames.findIndex((f) => typeof f !== "string" && !Buffer.isBuffer(f));
  if (bad >= 0) throw new TypeError(`frames[${bad}] must be a string or a Buffer, got ${show(frames[bad])}`);
  if (key === "") return "";
  const hmac = createHmac("sha256", key);
  for (const f of frames) hmac.update(f);
  return hmac.digest("hex");
}

/**
 * Create a fresh request header.
 * @param msgType the message type, e.g. "execute_request"
 * @param session the client's session id (one per kernel connection)
 * @returns a header with a random `msg_id` and the current date
 * @throws {TypeError} for an empty `msgType` or `session`
 * @example newHeader("kernel_info_request", "s1").msg_type // "kernel_info_request"
 */
export function newHeader(msgType: string, session: string): MessageHeader {
  if (typeof msgType !== "string" || msgType === "") throw new TypeError(`msgType must be a non-empty string, got ${JSON.stringify(msgType)}`);
  if (typeof session !== "string" || session === "") throw new TypeError(`session must be a non-empty string, got ${JSON.stringify(session)}`);
  return {
    msg_id: randomBytes(16).toString("hex"),
    session,
    username: "ep-lab",
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/**
 * Serialize and sign a message into wire frames (without routing identities: a DEALER socket needs none).
 * @param key the connection key
 * @param header the message header
 * @param content the message content (JSON-serializable)
 * @param parent the parent header, `{}` by default
 * @param metadata the metadata, `{}` by default
 * @returns the frames `[DELIMITER, signature, header, parent, metadata, content]`
 * @throws {TypeError} when `key` is not a string, `header` has no string `msg_type`, `parent`/`metadata` are not
 *   objects, or `content` is not JSON-serializable to a value (e.g. `undefined`)
 * @example encodeMessage("k", newHeader("kernel_info_request", "s"), {}).length // 6
 */
export function encodeMessage(
  key: string,
  header: MessageHeader,
  content: unknown,
  parent: Partial<MessageHeader> = {},
  metadata: Record<string, unknown> = {},
): Buffer[] {
  if (typeof key !== "string") throw new TypeError(`key must be a string, got ${typeof key}`);
  if (typeof header !== "object" || header === null || typeof header.msg_type !== "string") {
    throw new TypeError(`header must be a message header with a msg_type (see newHeader), got ${show(header)}`);
  }
  if (typeof parent !== "object" || parent === null || Array.isArray(parent)) throw new TypeError(`parent must be an object, got ${show(parent)}`);
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) throw new TypeError(`metadata must be an object, got ${show(metadata)}`);
  if (JSON.stringify(content) === undefined) throw new TypeError(`content must be JSON-serializable, got ${show(content)}`);
  const frames = [JSON.stringify(header), JSON.stringify(parent), JSON.stringify(metadata), JSON.stringify(content)];
  return [DELIMITER, Buffer.from(sign(key, frames)), ...frames.map((f) => Buffer.from(f))];
}

/**
 * Parse wire frames into a message and verify its signature.
 * @param key the connection key; the signature must match it (constant-time compare)
 * @param frames the received frames, optionally prefixed by routing identities / a subscription topic
 * @returns the decoded message
 * @throws {Error} when the delimiter is missing, frames are missing, JSON is malformed or the signature is wrong
 * @throws {TypeError} when `key` is not a string or `frames` is not an array of Buffers
 * @example decodeMessage("k", encodeMessage("k", newHeader("status", "s"), { execution_state: "idle" })).content
 */
export function decodeMessage<C = Record<string, unknown>>(key: string, frames: readonly Buffer[]): JupyterMessage<C> {
  if (typeof key !== "string") throw new TypeError(`key must be a string, got ${typeof key}`);
  if (!Array.isArray(frames)) throw new TypeError(`frames must be an array of Buffers, got ${show(frames)}`);
  const notBuffer = frames.findIndex((f) => !Buffer.isBuffer(f));
  if (notBuffer >= 0) throw new TypeError(`frames[${notBuffer}] must be a Buffer, got ${show(frames[notBuffer])}`);
  const at = frames.findIndex((f) => f.equals(DELIMITER));
  if (at < 0) throw new Error("malformed Jupyter message: no <IDS|MSG> delimiter");
  if (frames.length < at + 6) throw new Error(`malformed Jupyter message: ${frames.length - at - 1} frames after the delimiter, need at least 5`);
  const signature = frames[at + 1].toString();
  const body = frames.slice(at + 2, at + 6);
  const expected = sign(key, body);
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new Error("Jupyter message with an invalid HMAC signature");
  const parse = (f: Buffer, what: string): any => {
    try {
      return JSON.parse(f.toString("utf8"));
    } catch (e) {
      throw new Error(`malformed Jupyter message: ${what} is not JSON (${(e as Error).message})`);
    }
  };
  return {
    identities: frames.slice(0, at),
    header: parse(body[0], "header"),
    parent_header: parse(body[1], "parent_header"),
    metadata: parse(body[2], "metadata"),
    content: parse(body[3], "content"),
    buffers: frames.slice(at + 6),
  };
}

/**
 * A small WebSocket client (RFC 6455) over Node's http/https, for the Jupyter kernel channels: text frames
 * (JSON messages), ping/pong, close, fragmented messages. Node 20 has no WebSocket global without a flag,
 * and the kit adds no dependency for this. Client frames are masked as the RFC requires.
 */
import { randomBytes, createHash } from "crypto";
import * as http from "http";
import * as https from "https";
import type { Duplex } from "stream";
import { show } from "../util/validate";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** Largest message accepted (bytes); a kernel's figure outputs stay far below. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** An open WebSocket. */
export interface SimpleWebSocket {
  /** Send one text message. */
  send(text: string): void;
  /** Close (idempotent). */
  close(): void;
  /** Register the message handler (text messages; binary ones are passed as Buffers). */
  onMessage(handler: (data: string | Buffer) => void): void;
  /** Register the close handler. */
  onClose(handler: (reason: string) => void): void;
}

/**
 * Open a WebSocket.
 * @param url `ws://` or `wss://` URL
 * @param headers extra request headers (e.g. `Authorization: token …`, `Cookie`)
 * @param timeoutMs handshake timeout, milliseconds (default 30000)
 * @returns the open socket
 * @throws {TypeError} for a URL that is not ws(s); {Error} (the promise rejects) when the handshake fails
 * @example const ws = await openWebSocket("ws://127.0.0.1:8000/user/a/api/kernels/ID/channels", { Authorization: "token T" });
 */
export function openWebSocket(url: string, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<SimpleWebSocket> {
  if (typeof url !== "string" || !/^wss?:\/\//.test(url)) throw new TypeError(`url must be a ws:// or wss:// URL, got ${show(url)}`);
  const u = new URL(url);
  const key = randomBytes(16).toString("base64");
  const lib = u.protocol === "wss:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request({
      host: u.hostname,
      port: u.port || (u.protocol === "wss:" ? 443 : 80),
      path: u.pathname + u.search,
      headers: { ...headers, Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": key },
      timeout: timeoutMs,
    });
    req.on("timeout", () => req.destroy(new Error(`WebSocket handshake timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.on("response", (res) => {
      let body = "";
      res.on("data", (b) => (body += b));
      res.on("end", () => reject(new Error(`WebSocket upgrade refused: HTTP ${res.statusCode} ${body.slice(0, 200)}`)));
    });
    req.on("upgrade", (res, socket, head) => {
      const accept = createHash("sha1").update(key + GUID).digest("base64");
      if (res.headers["sec-websocket-accept"] !== accept) {
        socket.destroy();
        reject(new Error("WebSocket handshake: bad Sec-WebSocket-Accept"));
        return;
      }
      resolve(wrap(socket, head));
    });
    req.end();
  });
}

function frame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (len < 126) head[1] = 0x80 | len;
  else if (len < 65536) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([head, mask, body]);
}

function wrap(socket: Duplex, head: Buffer): SimpleWebSocket {
  let buf: Buffer = head && head.length ? Buffer.from(head) : Buffer.alloc(0);
  let onMsg: (d: string | Buffer) => void = () => undefined;
  let onClose: (r: string) => void = () => undefined;
  let closed = false;
  let parts: Buffer[] = [];
  let partOpcode = 0;
  const finish = (reason: string) => {
    if (closed) return;
    closed = true;
    socket.destroy();
    onClose(reason);
  };
  const parse = () => {
    for (;;) {
      if (buf.length < 2) return;
      const fin = (buf[0] & 0x80) !== 0;
      const opcode = buf[0] & 0x0f;
      const masked = (buf[1] & 0x80) !== 0;
      let len = buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        const big = buf.readBigUInt64BE(2);
        if (big > BigInt(MAX_MESSAGE_BYTES)) return finish(`message of ${big} bytes exceeds ${MAX_MESSAGE_BYTES}`);
        len = Number(big);
        off = 10;
      }
      const maskLen = masked ? 4 : 0;
      if (buf.length < off + maskLen + len) return;
      let payload = buf.subarray(off + maskLen, off + maskLen + len);
      if (masked) {
        const m = buf.subarray(off, off + 4);
        payload = Buffer.from(payload.map((b, i) => b ^ m[i & 3]));
      }
      buf = buf.subarray(off + maskLen + len);
      if (opcode === 0x8) return finish("closed by server");
      if (opcode === 0x9) {
        if (!closed) socket.write(frame(0xa, payload));
        continue;
      }
      if (opcode === 0xa) continue;
      if (opcode === 0x1 || opcode === 0x2) {
        parts = [Buffer.from(payload)];
        partOpcode = opcode;
      } else if (opcode === 0x0) parts.push(Buffer.from(payload));
      else continue;
      if (fin) {
        const data = Buffer.concat(parts);
        parts = [];
        onMsg(partOpcode === 0x1 ? data.toString("utf8") : data);
      }
    }
  };
  socket.on("data", (d: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    parse();
  });
  socket.on("close", () => finish("connection closed"));
  socket.on("error", (e: Error) => finish(`socket error: ${e.message}`));
  setImmediate(parse);
  return {
    send(text: string) {
      if (closed) throw new Error("WebSocket is closed");
      socket.write(frame(0x1, Buffer.from(text, "utf8")));
    },
    close() {
      if (closed) return;
      try {
        socket.write(frame(0x8, Buffer.alloc(0)));
      } catch {
        // already gone
      }
      finish("closed by client");
    },
    onMessage(h) {
      onMsg = h;
    },
    onClose(h) {
      onClose = h;
    },
  };
}

import { describe, expect, it } from "vitest";
import { createHmac } from "crypto";
import { decodeMessage, DELIMITER, encodeMessage, newHeader, sign } from "../../src/runner";

describe("sign", () => {
  it("matches the RFC 4231 HMAC-SHA256 test vector when the data is split over the four frames", () => {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
    expect(sign("Jefe", ["what do ", "ya want ", "for ", "nothing?"])).toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  });
  it("returns an empty signature for an empty key (signing disabled, as in Jupyter)", () => {
    expect(sign("", ["{}", "{}", "{}", "{}"])).toBe("");
  });
  it("rejects a wrong number of frames and a non-string key", () => {
    expect(() => sign("k", ["{}", "{}", "{}"])).toThrow(/exactly 4 frames.*got 3/);
    expect(() => sign(42 as unknown as string, ["", "", "", ""])).toThrow(TypeError);
  });
});

describe("newHeader", () => {
  it("creates unique ids with the given type and session", () => {
    const a = newHeader("execute_request", "sess");
    const b = newHeader("execute_request", "sess");
    expect(a.msg_type).toBe("execute_request");
    expect(a.session).toBe("sess");
    expect(a.version).toBe("5.3");
    expect(a.msg_id).not.toBe(b.msg_id);
  });
  it("rejects empty type or session", () => {
    expect(() => newHeader("", "s")).toThrow(/msgType/);
    expect(() => newHeader("x", "")).toThrow(/session/);
  });
});

describe("encodeMessage / decodeMessage", () => {
  const key = "0123456789abcdef";
  it("round-trips, signs the four JSON frames and skips routing identities", () => {
    const header = Object.freeze(newHeader("execute_request", "s1"));
    const frames = encodeMessage(key, header, { code: "1 + 1" }, { msg_id: "parent" }, { tag: 1 });
    expect(frames[0].equals(DELIMITER)).toBe(true);
    const expected = createHmac("sha256", key);
    for (const f of frames.slice(2)) expected.update(f);
    expect(frames[1].toString()).toBe(expected.digest("hex"));
    const msg = decodeMessage(key, [Buffer.from("router-identity"), ...frames]);
    expect(msg.identities.map(String)).toEqual(["router-identity"]);
    expect(msg.header).toEqual(header);
    expect(msg.parent_header).toEqual({ msg_id: "parent" });
    expect(msg.metadata).toEqual({ tag: 1 });
    expect(msg.content).toEqual({ code: "1 + 1" });
    expect(msg.buffers).toEqual([]);
  });
  it("rejects a tampered content frame and a message signed with another key", () => {
    const frames = encodeMessage(key, newHeader("status", "s"), { execution_state: "idle" });
    const tampered = [...frames];
    tampered[5] = Buffer.from(JSON.stringify({ execution_state: "busy" }));
    expect(() => decodeMessage(key, tampered)).toThrow(/invalid HMAC/);
    expect(() => decodeMessage("other-key", frames)).toThrow(/invalid HMAC/);
  });
  it("rejects a message without delimiter, with missing frames or with non-JSON frames", () => {
    const frames = encodeMessage(key, newHeader("status", "s"), {});
    expect(() => decodeMessage(key, frames.slice(1))).toThrow(/delimiter/);
    expect(() => decodeMessage(key, frames.slice(0, 4))).toThrow(/frames/);
    const bad = [DELIMITER, Buffer.from(sign(key, ["nope", "{}", "{}", "{}"])), Buffer.from("nope"), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
    expect(() => decodeMessage(key, bad)).toThrow(/header is not JSON/);
  });
});

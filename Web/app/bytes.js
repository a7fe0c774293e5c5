// Bytes as the wire protocol writes them (docs/PROTOCOL.md, "Binary values" and "Envelopes"):
// standard base64 with padding, lowercase hex, UTF-8, and C(f₁, …, fₙ), each field's length as
// 4 bytes big-endian before its bytes.

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/** @param {string} text @returns {Uint8Array} */
export function utf8(text) {
  return encoder.encode(text);
}

/**
 * Decodes UTF-8, throwing on invalid bytes.
 * @param {Uint8Array} bytes @returns {string}
 */
export function fromUtf8(bytes) {
  return strictDecoder.decode(bytes);
}

/** @param {Uint8Array} bytes @returns {string} */
export function toBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * Standard base64 (RFC 4648 §4); null for anything else.
 * @param {string} text @returns {Uint8Array | null}
 */
export function fromBase64(text) {
  if (typeof text !== "string" || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}

/** @param {Uint8Array} bytes @returns {string} */
export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** @param {string} hex @returns {Uint8Array} */
export function fromHex(hex) {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** @param {...Uint8Array} parts @returns {Uint8Array} */
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * An integer as `width` bytes big-endian.
 * @param {number} value @param {number} width @returns {Uint8Array}
 */
export function bigEndian(value, width) {
  const out = new Uint8Array(width);
  let rest = BigInt(value);
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/**
 * C(label, f₁, …, fₙ): strings as UTF-8, numbers as 8 bytes big-endian, bytes as they are.
 * @param {string} label @param {...(string | number | Uint8Array)} fields @returns {Uint8Array}
 */
export function canonical(label, ...fields) {
  return lengthPrefixed(label, ...fields);
}

/**
 * Each field as its length (4 bytes big-endian) and its bytes, as C(…) writes them.
 * @param {...(string | number | Uint8Array)} fields @returns {Uint8Array}
 */
export function lengthPrefixed(...fields) {
  const parts = [];
  for (const field of fields) {
    const bytes = typeof field === "string" ? utf8(field) : typeof field === "number" ? bigEndian(field, 8) : field;
    parts.push(bigEndian(bytes.length, 4), bytes);
  }
  return concat(...parts);
}

/**
 * The fields of C(label, …) when it has exactly `count` after the label; null otherwise.
 * @param {Uint8Array} bytes @param {string} label @param {number} count @returns {Uint8Array[] | null}
 */
export function readCanonical(bytes, label, count) {
  const fields = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < 4) return null;
    const length = ((bytes[offset] << 24) >>> 0) + (bytes[offset + 1] << 16) + (bytes[offset + 2] << 8) + bytes[offset + 3];
    offset += 4;
    if (length > bytes.length - offset) return null;
    fields.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  if (fields.length !== count + 1 || toHex(fields[0]) !== toHex(utf8(label))) return null;
  return fields.slice(1);
}

/**
 * Constant-time comparison of two byte strings.
 * @param {Uint8Array} a @param {Uint8Array} b
 */
export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

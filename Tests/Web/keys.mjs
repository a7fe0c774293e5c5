// Private keys from raw bytes, for test vectors and the cross-check with Swift only: the web
// client itself makes its keys in WebCrypto and never sees their bytes. PKCS #8 around the
// 32 raw bytes, as RFC 8410 §7 writes X25519 (OID 1.3.101.110) and Ed25519 (1.3.101.112) keys.
import { concat } from "../../Web/app/bytes.js";

/** @param {number} oid @param {Uint8Array} raw */
function pkcs8(oid, raw) {
  return concat(new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, oid, 0x04, 0x22, 0x04, 0x20]), raw);
}

/** @param {Uint8Array} raw */
export function importX25519Private(raw) {
  return crypto.subtle.importKey("pkcs8", pkcs8(0x6e, raw), { name: "X25519" }, false, ["deriveBits"]);
}

/** An X25519 pair from the private key's raw bytes. @param {Uint8Array} raw @returns {Promise<CryptoKeyPair>} */
export async function x25519Pair(raw) {
  const exportable = await crypto.subtle.importKey("pkcs8", pkcs8(0x6e, raw), { name: "X25519" }, true, ["deriveBits"]);
  const jwk = await crypto.subtle.exportKey("jwk", exportable);
  const publicKey = await crypto.subtle.importKey("jwk", { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, { name: "X25519" }, true, []);
  return { privateKey: await importX25519Private(raw), publicKey };
}

/** An Ed25519 pair from a 32-byte seed. @param {Uint8Array} seed @returns {Promise<CryptoKeyPair>} */
export async function ed25519Pair(seed) {
  const exportable = await crypto.subtle.importKey("pkcs8", pkcs8(0x70, seed), { name: "Ed25519" }, true, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", exportable);
  const publicKey = await crypto.subtle.importKey("jwk", { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, { name: "Ed25519" }, true, ["verify"]);
  const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8(0x70, seed), { name: "Ed25519" }, false, ["sign"]);
  return { privateKey, publicKey };
}

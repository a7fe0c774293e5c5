// Private keys from raw bytes, for test vectors and the cross-check with Swift only: the web
// client itself makes its keys in WebCrypto and never sees their bytes (but for an identity's
// seed while it is sealed or taken from its backup, Web/app/identity.js).
import { pkcs8 } from "../../Web/app/identity.js";

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

export { ed25519Pair } from "../../Web/app/identity.js";

// RFC 9180 HPKE, base mode, single shot, for one suite: DHKEM(X25519, HKDF-SHA256) (KEM 0x0020),
// HKDF-SHA256 (KDF 0x0001), AES-256-GCM (AEAD 0x0002) — how `ward-wc-1` seals a key share
// (docs/PROTOCOL.md, "Envelopes"). Every step is WebCrypto's: X25519 for the Diffie-Hellman,
// HMAC-SHA-256 for HKDF's Extract and Expand (RFC 5869 §2, spelled out because WebCrypto's HKDF
// does both at once and HPKE labels each), AES-GCM for the AEAD. A recipient's private key stays
// a non-extractable CryptoKey; the box is `enc` (32 bytes) followed by the ciphertext and tag.

import { concat, bigEndian, utf8 } from "./bytes.js";

const subtle = globalThis.crypto.subtle;
const kemSuite = concat(utf8("KEM"), bigEndian(0x0020, 2));
const hpkeSuite = concat(utf8("HPKE"), bigEndian(0x0020, 2), bigEndian(0x0001, 2), bigEndian(0x0002, 2));
const version = utf8("HPKE-v1");
export const encapsulatedKeyLength = 32;
export const tagLength = 16;

/** @param {Uint8Array} key @param {Uint8Array} message @returns {Promise<Uint8Array>} */
async function hmac(key, message) {
  // An empty HKDF salt is HashLen zero bytes (RFC 5869 §2.2); WebCrypto refuses empty HMAC keys.
  const raw = key.length === 0 ? new Uint8Array(32) : key;
  const imported = await subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle.sign("HMAC", imported, message));
}

/** @param {Uint8Array} suite @param {Uint8Array} salt @param {string} label @param {Uint8Array} ikm */
function labeledExtract(suite, salt, label, ikm) {
  return hmac(salt, concat(version, suite, utf8(label), ikm));
}

/** @param {Uint8Array} suite @param {Uint8Array} prk @param {string} label @param {Uint8Array} info @param {number} length */
async function labeledExpand(suite, prk, label, info, length) {
  const labeled = concat(bigEndian(length, 2), version, suite, utf8(label), info);
  let block = new Uint8Array(0);
  let out = new Uint8Array(0);
  for (let counter = 1; out.length < length; counter++) {
    block = await hmac(prk, concat(block, labeled, new Uint8Array([counter])));
    out = concat(out, block);
  }
  return out.slice(0, length);
}

/** @param {Uint8Array} publicKey */
function importX25519Public(publicKey) {
  return subtle.importKey("raw", publicKey, { name: "X25519" }, true, []);
}

/** @param {CryptoKey} privateKey @param {Uint8Array} publicKey */
async function diffieHellman(privateKey, publicKey) {
  const peer = await importX25519Public(publicKey);
  return new Uint8Array(await subtle.deriveBits({ name: "X25519", public: peer }, privateKey, 256));
}

/**
 * DHKEM's ExtractAndExpand (RFC 9180 §4.1).
 * @param {Uint8Array} dh @param {Uint8Array} kemContext
 */
async function sharedSecret(dh, kemContext) {
  const prk = await labeledExtract(kemSuite, new Uint8Array(0), "eae_prk", dh);
  return labeledExpand(kemSuite, prk, "shared_secret", kemContext, 32);
}

/**
 * The base mode's key schedule (§5.1): the AEAD key and base nonce.
 * @param {Uint8Array} shared @param {Uint8Array} info
 */
export async function keySchedule(shared, info) {
  const empty = new Uint8Array(0);
  const pskIDHash = await labeledExtract(hpkeSuite, empty, "psk_id_hash", empty);
  const infoHash = await labeledExtract(hpkeSuite, empty, "info_hash", info);
  const context = concat(new Uint8Array([0]), pskIDHash, infoHash);
  const secret = await labeledExtract(hpkeSuite, shared, "secret", empty);
  return {
    key: await labeledExpand(hpkeSuite, secret, "key", context, 32),
    baseNonce: await labeledExpand(hpkeSuite, secret, "base_nonce", context, 12),
  };
}

/**
 * SealBase(pkR, info, aad, pt) with sequence number 0. `ephemeral` is for test vectors only; a
 * fresh X25519 pair is made otherwise.
 * @param {Uint8Array} plaintext @param {Uint8Array} recipientPublicKey @param {Uint8Array} info
 * @param {Uint8Array} [associatedData] @param {CryptoKeyPair} [ephemeral]
 * @returns {Promise<Uint8Array>} enc ‖ ciphertext ‖ tag
 */
export async function seal(plaintext, recipientPublicKey, info, associatedData = new Uint8Array(0), ephemeral) {
  if (recipientPublicKey.length !== 32) throw new Error("an X25519 public key is 32 bytes");
  const pair = ephemeral ?? /** @type {CryptoKeyPair} */ (await subtle.generateKey({ name: "X25519" }, false, ["deriveBits"]));
  const enc = new Uint8Array(await subtle.exportKey("raw", pair.publicKey));
  const dh = await diffieHellman(pair.privateKey, recipientPublicKey);
  const { key, baseNonce } = await keySchedule(await sharedSecret(dh, concat(enc, recipientPublicKey)), info);
  const aesKey = await subtle.importKey("raw", key, "AES-GCM", false, ["encrypt"]);
  const ciphertext = await subtle.encrypt({ name: "AES-GCM", iv: baseNonce, additionalData: associatedData }, aesKey, plaintext);
  return concat(enc, new Uint8Array(ciphertext));
}

/**
 * OpenBase with sequence number 0; throws on any mismatch.
 * @param {Uint8Array} box @param {CryptoKey} privateKey the recipient's X25519 key (may be non-extractable)
 * @param {Uint8Array} publicKey the recipient's public key @param {Uint8Array} info @param {Uint8Array} [associatedData]
 * @returns {Promise<Uint8Array>}
 */
export async function open(box, privateKey, publicKey, info, associatedData = new Uint8Array(0)) {
  if (box.length < encapsulatedKeyLength + tagLength) throw new Error("the box is too short");
  const enc = box.subarray(0, encapsulatedKeyLength);
  const dh = await diffieHellman(privateKey, enc);
  const { key, baseNonce } = await keySchedule(await sharedSecret(dh, concat(enc, publicKey)), info);
  const aesKey = await subtle.importKey("raw", key, "AES-GCM", false, ["decrypt"]);
  const plaintext = await subtle.decrypt({ name: "AES-GCM", iv: baseNonce, additionalData: associatedData }, aesKey, box.subarray(encapsulatedKeyLength));
  return new Uint8Array(plaintext);
}

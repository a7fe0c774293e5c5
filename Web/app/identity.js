// A person's identity across their devices (docs/PROTOCOL.md, "Identities"), as the terminal
// client keeps it (Sources/WardE2EE/IdentityBackup.swift, KeyBackup.swift): the identity key's
// backup under the recovery key (`ward-identity-backup-2`: PBKDF2-HMAC-SHA-256, AES-256-GCM),
// and the key backup's key (`ward-key-backup-2`: AES-256-GCM under HMAC-SHA-256(seed, label)).
//
// The identity's 32-byte seed exists as bytes only while an identity is made or taken from its
// backup: it is sealed, the key backup key is derived from it, and both become non-extractable
// CryptoKeys before this module lets go of it.

import * as bytes from "./bytes.js";

const subtle = globalThis.crypto.subtle;
export const identityBackupFormat = "ward-identity-backup-2";
const keyBackupLabel = "ward-key-backup-2";
/** OWASP's Password Storage Cheat Sheet figure for PBKDF2-HMAC-SHA-256 (2023), as Swift's. */
export const recommendedIterations = 600_000;
const acceptedIterations = { min: 100_000, max: 10_000_000 };
const base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** A backup that is not one (or not this person's), told apart from a recovery key that does not open it. */
export class BackupError extends Error {
  /** @param {"malformed" | "wrongRecoveryKey"} kind @param {string} message */
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

/**
 * An identity as this browser holds it: the pair (private half non-extractable) and the key that
 * seals and opens the person's key backup (non-extractable).
 * @typedef {{pair: CryptoKeyPair, keyBackup: CryptoKey}} Identity
 */

/**
 * PKCS #8 around a 32-byte private key, as RFC 8410 §7 writes X25519 (OID 1.3.101.110, `0x6e`)
 * and Ed25519 (1.3.101.112, `0x70`) keys.
 * @param {number} oid @param {Uint8Array} raw
 */
export function pkcs8(oid, raw) {
  return bytes.concat(new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, oid, 0x04, 0x22, 0x04, 0x20]), raw);
}

/**
 * An Ed25519 pair from a 32-byte seed; the private half non-extractable.
 * @param {Uint8Array} seed @returns {Promise<CryptoKeyPair>}
 */
export async function ed25519Pair(seed) {
  // WebCrypto gives the public half of an imported private key only through its JWK.
  const exportable = await subtle.importKey("pkcs8", pkcs8(0x70, seed), { name: "Ed25519" }, true, ["sign"]);
  const jwk = await subtle.exportKey("jwk", exportable);
  const publicKey = await subtle.importKey("jwk", { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, { name: "Ed25519" }, true, ["verify"]);
  const privateKey = await subtle.importKey("pkcs8", pkcs8(0x70, seed), { name: "Ed25519" }, false, ["sign"]);
  return { privateKey, publicKey };
}

/**
 * The identity whose seed this is.
 * @param {Uint8Array} seed @returns {Promise<Identity>}
 */
export async function identityFromSeed(seed) {
  const prf = await subtle.importKey("raw", seed, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const derived = new Uint8Array(await subtle.sign("HMAC", prf, bytes.utf8(keyBackupLabel)));
  const keyBackup = await subtle.importKey("raw", derived, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
  derived.fill(0);
  return { pair: await ed25519Pair(seed), keyBackup };
}

/** A new recovery key: 20 random bytes as base32 in eight groups of four (`ABCD-EFGH-…`). */
export function makeRecoveryKey() {
  const random = crypto.getRandomValues(new Uint8Array(20));
  let text = "", buffer = 0, bits = 0;
  for (const byte of random) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text += base32Alphabet[(buffer >> bits) & 31];
    }
  }
  return /** @type {string[]} */ (text.match(/.{4}/g)).join("-");
}

/**
 * The recovery key as typed, without spaces or dashes, in capitals.
 * @param {string} recoveryKey
 */
function normalised(recoveryKey) {
  return recoveryKey.toUpperCase().replace(/[\s-]/g, "");
}

/** @param {string} userID */
function backupAssociatedData(userID) {
  return bytes.utf8(identityBackupFormat + "\u0000" + userID);
}

/** @param {string} recoveryKey @param {Uint8Array} salt @param {number} iterations */
async function recoveryAESKey(recoveryKey, salt, iterations) {
  const material = await subtle.importKey("raw", bytes.utf8(normalised(recoveryKey)), "PBKDF2", false, ["deriveKey"]);
  return subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, material, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

/**
 * A new identity for the person's first device, and its backup (JSON text) under `recoveryKey`.
 * @param {string} userID @param {string} recoveryKey @param {number} [iterations]
 * @returns {Promise<{identity: Identity, backup: string}>}
 */
export async function makeIdentity(userID, recoveryKey, iterations = recommendedIterations) {
  const seed = crypto.getRandomValues(new Uint8Array(32));
  try {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    const key = await recoveryAESKey(recoveryKey, salt, iterations);
    const ciphertext = new Uint8Array(await subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: backupAssociatedData(userID) }, key, seed));
    const backup = JSON.stringify({
      format: identityBackupFormat, userID, iterations,
      salt: bytes.toBase64(salt), nonce: bytes.toBase64(nonce), ciphertext: bytes.toBase64(ciphertext),
    });
    return { identity: await identityFromSeed(seed), backup };
  } finally {
    seed.fill(0);
  }
}

/**
 * The identity in `userID`'s backup, opened with the recovery key they typed.
 * @param {string} text @param {string} userID @param {string} recoveryKey @returns {Promise<Identity>}
 */
export async function openIdentityBackup(text, userID, recoveryKey) {
  /** @type {any} */
  let sealed;
  try {
    sealed = JSON.parse(text);
  } catch {
    sealed = null;
  }
  if (sealed?.format === "ward-identity-backup-1") {
    // Only `ward` opening it with the recovery key (a new device of the person's) stores it again
    // in this format; a device that already holds the identity never reads its backup.
    throw new BackupError("malformed", "this identity was backed up by an older terminal client, in a form browsers cannot open: "
      + "set up `ward` on another device with your recovery key (that renews the backup), or start a new identity here");
  }
  const salt = bytes.fromBase64(sealed?.salt), nonce = bytes.fromBase64(sealed?.nonce), ciphertext = bytes.fromBase64(sealed?.ciphertext);
  const iterations = sealed?.iterations;
  if (sealed?.format !== identityBackupFormat || sealed.userID !== userID || !Number.isInteger(iterations) ||
      iterations < acceptedIterations.min || iterations > acceptedIterations.max || !salt || salt.length < 16 ||
      !nonce || nonce.length !== 12 || !ciphertext || ciphertext.length !== 32 + 16) {
    throw new BackupError("malformed", "the identity backup is damaged or not a Ward identity backup");
  }
  const key = await recoveryAESKey(recoveryKey, salt, iterations);
  /** @type {Uint8Array} */
  let seed;
  try {
    seed = new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv: nonce, additionalData: backupAssociatedData(userID) }, key, ciphertext));
  } catch {
    throw new BackupError("wrongRecoveryKey", "the recovery key does not open the identity backup");
  }
  try {
    return await identityFromSeed(seed);
  } finally {
    seed.fill(0);
  }
}

/**
 * One sender key as received (the terminal's `KeyBackup.Item`).
 * @typedef {{roomID: string, keyID: string, senderDevice: string, suite: string, iteration: number, chainKey: string}} KeyBackupItem
 */

/** @param {string} keyID */
function keyBackupAssociatedData(keyID) {
  return bytes.utf8(keyBackupLabel + "\u0000" + keyID);
}

/**
 * An item sealed for the person's key backup: `{keyID, sealed}`, sealed the base64 of nonce ‖ ciphertext.
 * @param {KeyBackupItem} item @param {CryptoKey} key
 */
export async function sealKeyBackupItem(item, key) {
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const plaintext = bytes.utf8(JSON.stringify(item));
  const ciphertext = new Uint8Array(await subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: keyBackupAssociatedData(item.keyID) }, key, plaintext));
  plaintext.fill(0);
  return { keyID: item.keyID, sealed: bytes.toBase64(bytes.concat(nonce, ciphertext)) };
}

/**
 * The item, or null when it was not sealed under this person's key for this key id.
 * @param {{keyID: string, sealed: string}} backup @param {CryptoKey} key @returns {Promise<KeyBackupItem | null>}
 */
export async function openKeyBackupItem(backup, key) {
  const sealed = bytes.fromBase64(backup.sealed);
  if (!sealed || sealed.length <= 12 + 16) return null;
  try {
    const plaintext = new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv: sealed.subarray(0, 12), additionalData: keyBackupAssociatedData(backup.keyID) },
                                                          key, sealed.subarray(12)));
    const item = JSON.parse(bytes.fromUtf8(plaintext));
    plaintext.fill(0);
    const chainKey = bytes.fromBase64(item?.chainKey);
    if (item?.keyID !== backup.keyID || typeof item.roomID !== "string" || typeof item.senderDevice !== "string" ||
        typeof item.suite !== "string" || !Number.isInteger(item.iteration) || item.iteration < 0 || !chainKey || chainKey.length !== 32) return null;
    return item;
  } catch {
    return null;
  }
}

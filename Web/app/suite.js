// The `ward-wc-1` suite (docs/PROTOCOL.md, "Envelopes" and "Identities") in WebCrypto: Ed25519
// device and identity keys, X25519 for key shares sealed with HPKE, HMAC-SHA-256 sender-key
// ratchets and AES-256-GCM messages. Private keys are CryptoKeys made non-extractable; only the
// chain and message keys of this session exist as bytes, in memory.

import * as bytes from "./bytes.js";
import * as hpke from "./hpke.js";

const subtle = globalThis.crypto.subtle;
export const suiteName = "ward-wc-1";
const shareLabel = suiteName + " share";
const messageLabel = suiteName + " message";
export const maxSkip = 100_000;
const maxSealedBytes = 1024;
const maxCiphertextBytes = 48 * 1024 + 16;

/** @typedef {{deviceID: string, userID: string, suites: string[], encryptionKey: string, signingKey: string, signature: string, identityKey?: string, identitySignature?: string}} DeviceKeys */
/** @typedef {{suite: string, keyID: string, iteration: number, nonce: string, ciphertext: string, signature: string}} Envelope */
/** @typedef {{roomID: string, keyID: string, senderID: string, senderDevice: string, suite: string, sealed: string}} KeyDelivery */
/** @typedef {{body: string, format: string}} MessageContent */
/**
 * A device's keys as this browser holds them: private halves non-extractable.
 * @typedef {{signing: CryptoKeyPair, signingPublic: Uint8Array, encryption: CryptoKeyPair, encryptionPublic: Uint8Array,
 *            identity: CryptoKeyPair | null, identityPublic: Uint8Array | null, deviceID: string}} Device
 */
/**
 * Published device keys after every check.
 * @typedef {{deviceID: string, userID: string, suites: string[], encryptionKey: Uint8Array, signingKey: CryptoKey,
 *            identityKey: Uint8Array | null}} VerifiedDevice
 */

/** Refusals a person can be told about (ids only). */
export class SuiteError extends Error {}

/** @param {CryptoKey} key */
async function rawPublic(key) {
  return new Uint8Array(await subtle.exportKey("raw", key));
}

/** @param {Uint8Array} signingPublic */
export async function deviceIDFor(signingPublic) {
  const digest = new Uint8Array(await subtle.digest("SHA-256", bytes.concat(bytes.utf8("ward-device-id-1"), signingPublic)));
  return "dev-" + bytes.toHex(digest.subarray(0, 16));
}

/** An identity key with no backup (tests and benchmarks; people's come from identity.js): Ed25519, non-extractable. */
export async function makeIdentity() {
  return /** @type {CryptoKeyPair} */ (await subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]));
}

/**
 * A new device, vouched for by `identity`.
 * @param {CryptoKeyPair | null} identity @returns {Promise<Device>}
 */
export async function makeDevice(identity) {
  const signing = /** @type {CryptoKeyPair} */ (await subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]));
  const encryption = /** @type {CryptoKeyPair} */ (await subtle.generateKey({ name: "X25519" }, false, ["deriveBits"]));
  return deviceFromKeys(signing, encryption, identity);
}

/** @param {CryptoKeyPair} signing @param {CryptoKeyPair} encryption @param {CryptoKeyPair | null} identity @returns {Promise<Device>} */
export async function deviceFromKeys(signing, encryption, identity) {
  const signingPublic = await rawPublic(signing.publicKey);
  return {
    signing, signingPublic, encryption, encryptionPublic: await rawPublic(encryption.publicKey),
    identity, identityPublic: identity ? await rawPublic(identity.publicKey) : null,
    deviceID: await deviceIDFor(signingPublic),
  };
}

/** @param {CryptoKey} key @param {Uint8Array} message */
async function sign(key, message) {
  return new Uint8Array(await subtle.sign("Ed25519", key, message));
}

/**
 * The keys to register for `userID`, signed by the device and, when it has one, the identity.
 * @param {Device} device @param {string} userID @returns {Promise<DeviceKeys>}
 */
export async function publicKeys(device, userID) {
  const suites = [suiteName];
  const signed = bytes.canonical("ward-device-keys-1", device.deviceID, userID, suites.join(","), device.encryptionPublic, device.signingPublic);
  /** @type {DeviceKeys} */
  const keys = {
    deviceID: device.deviceID, userID, suites,
    encryptionKey: bytes.toBase64(device.encryptionPublic), signingKey: bytes.toBase64(device.signingPublic),
    signature: bytes.toBase64(await sign(device.signing.privateKey, signed)),
  };
  if (device.identity && device.identityPublic) {
    const certified = bytes.canonical("ward-identity-device-1", userID, device.identityPublic, device.deviceID, device.signingPublic, device.encryptionPublic);
    keys.identityKey = bytes.toBase64(device.identityPublic);
    keys.identitySignature = bytes.toBase64(await sign(device.identity.privateKey, certified));
  }
  return keys;
}

/** @param {Uint8Array} raw */
function importEd25519Public(raw) {
  return subtle.importKey("raw", raw, { name: "Ed25519" }, true, ["verify"]);
}

/** @param {CryptoKey} key @param {Uint8Array} signature @param {Uint8Array} message */
function verifySignature(key, signature, message) {
  return subtle.verify("Ed25519", key, signature, message);
}

/**
 * What every client checks before sealing to a device or trusting it (PROTOCOL.md, "Envelopes").
 * @param {DeviceKeys} keys @returns {Promise<VerifiedDevice>}
 */
export async function verifyDeviceKeys(keys) {
  const encryptionKey = bytes.fromBase64(keys.encryptionKey);
  if (!encryptionKey || encryptionKey.length !== 32) throw new SuiteError("malformed device encryption key");
  const signingBytes = bytes.fromBase64(keys.signingKey);
  if (!signingBytes || signingBytes.length !== 32) throw new SuiteError("malformed device signing key");
  const signature = bytes.fromBase64(keys.signature);
  if (!signature || signature.length !== 64) throw new SuiteError("malformed device signature");
  if (!Array.isArray(keys.suites) || keys.suites.length === 0 || keys.suites.length > 8) throw new SuiteError("malformed device suites");
  if (keys.deviceID !== (await deviceIDFor(signingBytes))) throw new SuiteError("device id does not name its signing key");
  const signingKey = await importEd25519Public(signingBytes);
  const signed = bytes.canonical("ward-device-keys-1", keys.deviceID, keys.userID, keys.suites.join(","), encryptionKey, signingBytes);
  if (!(await verifySignature(signingKey, signature, signed))) throw new SuiteError("bad device keys signature");
  /** @type {Uint8Array | null} */
  let identityKey = null;
  if (keys.identityKey !== undefined || keys.identitySignature !== undefined) {
    const key = bytes.fromBase64(keys.identityKey ?? "");
    const certificate = bytes.fromBase64(keys.identitySignature ?? "");
    if (!key || key.length !== 32 || !certificate || certificate.length !== 64) throw new SuiteError("malformed device identity signature");
    const certified = bytes.canonical("ward-identity-device-1", keys.userID, key, keys.deviceID, signingBytes, encryptionKey);
    if (!(await verifySignature(await importEd25519Public(key), certificate, certified))) throw new SuiteError("bad device identity signature");
    identityKey = key;
  }
  return { deviceID: keys.deviceID, userID: keys.userID, suites: keys.suites, encryptionKey, signingKey, identityKey };
}

/**
 * HMAC-SHA-256(key, [step]).
 * @param {Uint8Array} key @param {number} step
 */
async function ratchetStep(key, step) {
  const imported = await subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle.sign("HMAC", imported, new Uint8Array([step])));
}

/** A sender key's hash ratchet: MKᵢ = HMAC(CKᵢ, 0x01), CKᵢ₊₁ = HMAC(CKᵢ, 0x02); CKᵢ is then dropped. */
export class SenderChain {
  /** @param {number} iteration @param {Uint8Array} chainKey */
  constructor(iteration, chainKey) {
    this.iteration = iteration;
    this.chainKey = chainKey;
  }

  static random() {
    return new SenderChain(0, globalThis.crypto.getRandomValues(new Uint8Array(32)));
  }

  /**
   * The current iteration's message key; the chain moves on.
   * @returns {Promise<{iteration: number, key: Uint8Array}>}
   */
  async next() {
    const key = await ratchetStep(this.chainKey, 1);
    const iteration = this.iteration;
    this.chainKey = await ratchetStep(this.chainKey, 2);
    this.iteration += 1;
    return { iteration, key };
  }

  /**
   * The message key at `target` (not behind, at most `maxSkip` ahead); the chain ends after it.
   * @param {number} target
   */
  async keyAt(target) {
    if (target < this.iteration || target - this.iteration > maxSkip) throw new SuiteError("iteration out of range");
    while (this.iteration < target) {
      this.chainKey = await ratchetStep(this.chainKey, 2);
      this.iteration += 1;
    }
    return (await this.next()).key;
  }
}

/** A new key id: 16 random bytes, lowercase hex. */
export function makeKeyID() {
  return bytes.toHex(globalThis.crypto.getRandomValues(new Uint8Array(16)));
}

/** @param {string} text */
export function isKeyID(text) {
  return typeof text === "string" && /^[0-9a-f]{32}$/.test(text);
}

/**
 * A sender key share for `recipient`, signed inside the seal by `device` (PROTOCOL.md: P and its signature, HPKE-sealed).
 * @param {{roomID: string, keyID: string, chain: SenderChain}} share @param {VerifiedDevice} recipient @param {Device} device
 * @returns {Promise<{deviceID: string, sealed: string}>}
 */
export async function sealShare(share, recipient, device) {
  if (!recipient.suites.includes(suiteName)) throw new SuiteError("the recipient device does not speak " + suiteName);
  const body = bytes.canonical(shareLabel, share.roomID, share.keyID, device.deviceID, recipient.deviceID, share.chain.iteration, share.chain.chainKey);
  const plaintext = bytes.concat(body, await sign(device.signing.privateKey, body));
  const sealed = await hpke.seal(plaintext, recipient.encryptionKey, bytes.utf8(shareLabel));
  return { deviceID: recipient.deviceID, sealed: bytes.toBase64(sealed) };
}

/**
 * Opens a share sealed to `device`: addressed to it, for this room and key, signed by `sender`.
 * @param {KeyDelivery} delivery @param {Device} device @param {VerifiedDevice} sender @returns {Promise<SenderChain>}
 */
export async function openShare(delivery, device, sender) {
  if (delivery.suite !== suiteName) throw new SuiteError("unsupported suite " + delivery.suite);
  const sealed = bytes.fromBase64(delivery.sealed);
  if (!sealed || sealed.length > maxSealedBytes) throw new SuiteError("undecryptable share");
  let plaintext;
  try {
    plaintext = await hpke.open(sealed, device.encryption.privateKey, device.encryptionPublic, bytes.utf8(shareLabel));
  } catch {
    throw new SuiteError("undecryptable share");
  }
  if (plaintext.length <= 64) throw new SuiteError("malformed share");
  const body = plaintext.subarray(0, plaintext.length - 64);
  if (!(await verifySignature(sender.signingKey, plaintext.subarray(plaintext.length - 64), body))) throw new SuiteError("bad share signature");
  const fields = bytes.readCanonical(body, shareLabel, 6);
  if (!fields || fields[4].length !== 8 || fields[5].length !== 32) throw new SuiteError("malformed share");
  const text = fields.slice(0, 4).map((f) => bytes.fromUtf8(f));
  const iteration = Number(fields[4].reduce((n, b) => (n << 8n) | BigInt(b), 0n));
  if (text[0] !== delivery.roomID || text[1] !== delivery.keyID || text[2] !== sender.deviceID || text[2] !== delivery.senderDevice
      || text[3] !== device.deviceID || iteration > 0x7fffffff) {
    throw new SuiteError("share addressed elsewhere");
  }
  return new SenderChain(iteration, new Uint8Array(fields[5]));
}

/** @param {string} roomID @param {string} senderDevice @param {string} keyID @param {number} iteration */
function header(roomID, senderDevice, keyID, iteration) {
  return bytes.canonical(messageLabel, suiteName, roomID, senderDevice, keyID, iteration);
}

/**
 * Encrypts `content` under the message key of `iteration` and signs it as `device`.
 * @param {MessageContent} content @param {string} roomID @param {string} keyID @param {number} iteration
 * @param {Uint8Array} messageKey @param {Device} device @returns {Promise<Envelope>}
 */
export async function sealEnvelope(content, roomID, keyID, iteration, messageKey, device) {
  const h = header(roomID, device.deviceID, keyID, iteration);
  const nonce = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const key = await subtle.importKey("raw", messageKey, "AES-GCM", false, ["encrypt"]);
  const plaintext = bytes.utf8(JSON.stringify({ body: content.body, format: content.format }));
  const ciphertext = new Uint8Array(await subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: h }, key, plaintext));
  const signature = await sign(device.signing.privateKey, bytes.concat(h, bytes.lengthPrefixed(nonce, ciphertext)));
  return { suite: suiteName, keyID, iteration, nonce: bytes.toBase64(nonce), ciphertext: bytes.toBase64(ciphertext), signature: bytes.toBase64(signature) };
}

/**
 * The structural check every receiver makes first.
 * @param {Envelope} envelope
 * @returns {{nonce: Uint8Array, ciphertext: Uint8Array, signature: Uint8Array}}
 */
export function checkEnvelope(envelope) {
  if (envelope.suite !== suiteName) throw new SuiteError("unsupported suite " + envelope.suite);
  if (!isKeyID(envelope.keyID)) throw new SuiteError("malformed envelope key id");
  if (!Number.isInteger(envelope.iteration) || envelope.iteration < 0 || envelope.iteration > 0x7fffffff) throw new SuiteError("malformed envelope iteration");
  const nonce = bytes.fromBase64(envelope.nonce);
  if (!nonce || nonce.length !== 12) throw new SuiteError("malformed envelope nonce");
  const ciphertext = bytes.fromBase64(envelope.ciphertext);
  if (!ciphertext || ciphertext.length < 16 || ciphertext.length > maxCiphertextBytes) throw new SuiteError("malformed envelope ciphertext");
  const signature = bytes.fromBase64(envelope.signature);
  if (!signature || signature.length !== 64) throw new SuiteError("malformed envelope signature");
  return { nonce, ciphertext, signature };
}

/**
 * Verifies the sender device's signature, then decrypts with the key `messageKey` gives for the
 * envelope's iteration.
 * @param {Envelope} envelope @param {string} roomID @param {VerifiedDevice} sender
 * @param {(iteration: number) => Promise<Uint8Array>} messageKey @returns {Promise<MessageContent>}
 */
export async function openEnvelope(envelope, roomID, sender, messageKey) {
  const parts = checkEnvelope(envelope);
  const h = header(roomID, sender.deviceID, envelope.keyID, envelope.iteration);
  const signed = bytes.concat(h, bytes.lengthPrefixed(parts.nonce, parts.ciphertext));
  if (!(await verifySignature(sender.signingKey, parts.signature, signed))) throw new SuiteError("bad message signature");
  const key = await subtle.importKey("raw", await messageKey(envelope.iteration), "AES-GCM", false, ["decrypt"]);
  let plaintext;
  try {
    plaintext = new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv: parts.nonce, additionalData: h }, key, parts.ciphertext));
  } catch {
    throw new SuiteError("undecryptable message");
  }
  const content = JSON.parse(bytes.fromUtf8(plaintext));
  if (typeof content?.body !== "string") throw new SuiteError("malformed message content");
  return { body: content.body, format: content.format === "emote" ? "emote" : "text" };
}

/**
 * A person's safety number: twelve groups of five digits from SHA-512("ward-safety-number-2" ‖ identity key).
 * @param {Uint8Array} identityKey @returns {Promise<string>}
 */
export async function safetyNumber(identityKey) {
  const digest = new Uint8Array(await subtle.digest("SHA-512", bytes.concat(bytes.utf8("ward-safety-number-2"), identityKey)));
  const groups = [];
  for (let group = 0; group < 12; group++) {
    const value = digest.subarray(group * 5, group * 5 + 5).reduce((n, b) => (n << 8n) | BigInt(b), 0n) % 100000n;
    groups.push(value.toString().padStart(5, "0"));
  }
  return groups.join(" ");
}

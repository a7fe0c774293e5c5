// End-to-end encrypted rooms for one signed-in device, as docs/PROTOCOL.md ("Envelopes",
// "Identities") asks of every client and Sources/WardClient/SecureMessenger.swift does for the
// terminal: sender keys sealed only to devices the owner's pinned identity vouches for, messages
// shown only from such devices and under the owner of the device that signed them, a second
// message at a read position refused as a replay, gaps and reordering told. Everything
// decrypted stays in this object's memory and goes with it at sign-out.

import * as suite from "./suite.js";
import { fromBase64, toBase64 } from "./bytes.js";
import { openKeyBackupItem, sealKeyBackupItem } from "./identity.js";
import { WardError } from "./connection.js";

/** Sender keys rotate after this many messages or this long, as the terminal client's do (PROTOCOL.md). */
const rotation = { messages: 100, milliseconds: 7 * 24 * 3600 * 1000 };

/**
 * @typedef {{kind: "unsigned" | "identityChanged", userID: string, deviceID: string}} TrustIssue
 * @typedef {{kind: "missing" | "reordered", roomID: string, senderID: string, count?: number}} DeliveryIssue
 * @typedef {{roomID: string, senderDevice: string, initial: suite.SenderChain, latest: suite.SenderChain,
 *            opened: Map<number, string>, lastRead: number | null}} InboundKey
 */

/** @param {suite.SenderChain} chain */
function copy(chain) {
  return new suite.SenderChain(chain.iteration, chain.chainKey);
}

export class Messenger {
  /**
   * @param {import("./connection.js").Connection} connection @param {suite.Device} device @param {string} userID
   * @param {Record<string, string>} pins identity keys (base64) by user id @param {(pins: Record<string, string>) => void} savePins
   * @param {CryptoKey | null} [keyBackup] the key of the person's key backup, when this browser holds their identity's
   */
  constructor(connection, device, userID, pins, savePins, keyBackup = null) {
    this.connection = connection;
    this.keyBackup = keyBackup;
    this.searchedKeyBackup = false;
    this.device = device;
    this.userID = userID;
    this.pins = pins;
    this.savePins = savePins;
    /** @type {Map<string, suite.VerifiedDevice>} */
    this.devices = new Map();
    /** @type {Map<string, InboundKey>} */
    this.inbound = new Map();
    /** @type {Map<string, {keyID: string, chain: suite.SenderChain, madeAt: number, unsent: {iteration: number, key: Uint8Array} | null}>} */
    this.outbound = new Map();
    /** @type {TrustIssue[]} */
    this.trustIssues = [];
    /** @type {DeliveryIssue[]} */
    this.deliveryIssues = [];
  }

  /** Registers (or re-binds) this device for the session; its own identity is the one it trusts for its person. */
  async register() {
    const keys = await suite.publicKeys(this.device, this.userID);
    await this.connection.request("device.register", { device: keys });
    const own = await suite.verifyDeviceKeys(keys);
    this.devices.set(own.deviceID, own);
    if (this.device.identityPublic) this.pin(this.userID, toBase64(this.device.identityPublic));
  }

  /** @param {string} userID @param {string} key */
  pin(userID, key) {
    if (this.pins[userID] === key) return;
    this.pins[userID] = key;
    this.savePins(this.pins);
  }

  /**
   * Whether `device` is vouched for by its owner's pinned identity: this device; one whose owner
   * has no pin yet (pinned now, trust on first use, unless their devices show two identities);
   * or one signed by the pinned key. Anything else is left out and told once.
   * @param {suite.VerifiedDevice} device
   */
  isTrusted(device) {
    if (device.deviceID === this.device.deviceID) return true;
    /** @type {TrustIssue} */
    let issue;
    if (device.identityKey) {
      const key = toBase64(device.identityKey);
      const pinned = this.pins[device.userID];
      if (pinned === key) return true;
      if (pinned === undefined) {
        const seen = new Set([...this.devices.values()].filter((d) => d.userID === device.userID && d.identityKey).map((d) => toBase64(/** @type {Uint8Array} */ (d.identityKey))));
        if (seen.size <= 1) {
          this.pin(device.userID, key);
          return true;
        }
      }
      issue = { kind: "identityChanged", userID: device.userID, deviceID: device.deviceID };
    } else {
      issue = { kind: "unsigned", userID: device.userID, deviceID: device.deviceID };
    }
    if (!this.trustIssues.some((i) => i.kind === issue.kind && i.deviceID === issue.deviceID)) this.trustIssues.push(issue);
    return false;
  }

  /**
   * The person compared `userID`'s safety number and confirmed `identityKey`: pinned, and every
   * room's next message goes under a new sender key that includes the devices it vouches for.
   * @param {string} userID @param {Uint8Array} identityKey
   */
  confirmIdentity(userID, identityKey) {
    this.pin(userID, toBase64(identityKey));
    this.trustIssues = this.trustIssues.filter((i) => i.userID !== userID);
    this.outbound.clear();
  }

  /**
   * Membership changed: the next message goes under a new sender key.
   * @param {string} roomID
   */
  forgetSendingKey(roomID) {
    this.outbound.delete(roomID);
  }

  /** @param {any[]} published @returns {Promise<suite.VerifiedDevice[]>} */
  async verify(published) {
    const verified = [];
    for (const keys of published) {
      const device = await suite.verifyDeviceKeys(keys);
      if (!this.devices.has(device.deviceID)) this.devices.set(device.deviceID, device);
      verified.push(device);
    }
    return verified;
  }

  /**
   * The identity key pinned for a user, if any.
   * @param {string} userID
   */
  pinnedIdentity(userID) {
    return this.pins[userID];
  }

  /**
   * Identity keys the room's members' devices show, by user id (base64).
   * @param {string} roomID
   */
  async identitiesIn(roomID) {
    const reply = await this.connection.request("keys.get", { roomID });
    /** @type {Map<string, Set<string>>} */
    const byUser = new Map();
    for (const device of await this.verify(reply.devices ?? [])) {
      if (!device.identityKey) continue;
      const keys = byUser.get(device.userID) ?? new Set();
      keys.add(toBase64(device.identityKey));
      byUser.set(device.userID, keys);
    }
    return byUser;
  }

  /**
   * The key id this device sends with in the room; a new one, shared, when needed.
   * @param {string} roomID @param {boolean} renew
   */
  async currentKey(roomID, renew) {
    const current = this.outbound.get(roomID);
    if (!renew && current && current.chain.iteration < rotation.messages && Date.now() - current.madeAt < rotation.milliseconds) return current.keyID;
    for (let attempt = 0; attempt < 3; attempt++) {
      const keys = await this.connection.request("keys.get", { roomID });
      const members = await this.verify(keys.devices ?? []);
      const recipients = members.filter((d) => this.isTrusted(d));
      if (!recipients.every((d) => d.suites.includes(suite.suiteName))) {
        throw new WardError("unsupported_suite", "a device in this room speaks only the terminal's older suite; it cannot read messages from a browser");
      }
      const keyID = suite.makeKeyID();
      const chain = suite.SenderChain.random();
      const shares = [];
      for (const recipient of recipients) shares.push(await suite.sealShare({ roomID, keyID, chain }, recipient, this.device));
      try {
        await this.connection.request("keys.distribute", { roomID, keyID, suite: suite.suiteName, keys: shares });
      } catch (error) {
        if (error instanceof WardError && error.code === "wrong_recipients") continue;
        throw error;
      }
      this.outbound.set(roomID, { keyID, chain: copy(chain), madeAt: Date.now(), unsent: null });
      this.inbound.set(keyID, { roomID, senderDevice: this.device.deviceID, initial: copy(chain), latest: copy(chain), opened: new Map(), lastRead: null });
      this.backUp({ roomID, keyID, senderDevice: this.device.deviceID, suite: suite.suiteName, iteration: chain.iteration, chainKey: toBase64(chain.chainKey) });
      return keyID;
    }
    throw new WardError("wrong_recipients", "the room's members kept changing; try again");
  }

  /**
   * Encrypts, signs and sends; resolves with the stored message's metadata.
   * @param {string} body @param {string} roomID @param {{urgent?: boolean, clientMessageID?: string}} [options]
   */
  async send(body, roomID, options = {}) {
    const clientMessageID = options.clientMessageID ?? suite.makeKeyID();
    for (let attempt = 0; attempt < 3; attempt++) {
      const keyID = await this.currentKey(roomID, attempt > 0);
      const outbound = this.outbound.get(roomID);
      if (!outbound || outbound.keyID !== keyID) continue;
      const position = outbound.unsent ?? (await outbound.chain.next());
      outbound.unsent = null;
      const envelope = await suite.sealEnvelope({ body, format: "text" }, roomID, keyID, position.iteration, position.key, this.device);
      try {
        const reply = await this.connection.request("message.send", { roomID, clientMessageID, envelope, ...(options.urgent ? { urgent: true } : {}) });
        return reply.messageInfo;
      } catch (error) {
        if (error instanceof WardError && ["stale_key", "wrong_recipients", "replayed"].includes(error.code)) continue;
        // Not stored: the position waits for the next message.
        if (this.outbound.get(roomID)?.keyID === keyID) outbound.unsent = position;
        throw error;
      }
    }
    throw new WardError("stale_key", "the room's members kept changing; try again");
  }

  /**
   * Takes in a sender key sealed to this device.
   * @param {suite.KeyDelivery} delivery
   */
  async accept(delivery) {
    if (this.inbound.has(delivery.keyID)) return;
    const sender = await this.senderDevice(delivery.senderDevice, delivery.roomID);
    const chain = await suite.openShare(delivery, this.device, sender);
    if (!this.inbound.has(delivery.keyID)) {
      this.inbound.set(delivery.keyID, { roomID: delivery.roomID, senderDevice: delivery.senderDevice, initial: chain, latest: copy(chain), opened: new Map(), lastRead: null });
      this.backUp({ roomID: delivery.roomID, keyID: delivery.keyID, senderDevice: delivery.senderDevice, suite: delivery.suite,
                    iteration: chain.iteration, chainKey: toBase64(chain.chainKey) });
    }
  }

  /**
   * Keeps a sender key in the person's key backup, when this browser holds their identity's key.
   * Best effort, not awaited: a key not kept only means a new device cannot read those messages.
   * @param {import("./identity.js").KeyBackupItem} item
   */
  backUp(item) {
    if (!this.keyBackup) return;
    sealKeyBackupItem(item, this.keyBackup)
      .then((sealed) => this.connection.request("keys.backup", { keyBackups: [sealed] }))
      .catch(() => {});
  }

  /**
   * Takes in the sender keys the person's other devices kept (once per session): what a new
   * device of theirs needs to read the history it was not there for. Items that do not open
   * under this person's key are left out.
   */
  async restoreKeyBackup() {
    if (!this.keyBackup || this.searchedKeyBackup) return;
    this.searchedKeyBackup = true;
    const reply = await this.connection.request("keys.backup");
    for (const sealed of reply.keyBackups ?? []) {
      const item = await openKeyBackupItem(sealed, this.keyBackup);
      const chainKey = item ? fromBase64(item.chainKey) : null;
      if (!item || !chainKey || this.inbound.has(item.keyID)) continue;
      const chain = new suite.SenderChain(item.iteration, chainKey);
      this.inbound.set(item.keyID, { roomID: item.roomID, senderDevice: item.senderDevice, initial: chain, latest: copy(chain), opened: new Map(), lastRead: null });
    }
  }

  /**
   * Every sender key sealed to this device in the room.
   * @param {string} roomID
   */
  async fetchKeys(roomID) {
    const reply = await this.connection.request("keys.fetch", { roomID });
    for (const delivery of reply.keyDeliveries ?? []) {
      try {
        await this.accept(delivery);
      } catch {
        // A share that does not open or comes from an untrusted device is left out (told in trustIssues).
      }
    }
  }

  /**
   * Verifies and decrypts a message (an event or history).
   * @param {{roomID: string, seq: number, messageID: string, senderID: string, senderDevice: string, sentAt: number, envelope: suite.Envelope}} message
   * @returns {Promise<suite.MessageContent>}
   */
  async open(message) {
    if (!this.inbound.has(message.envelope.keyID)) await this.fetchKeys(message.roomID);
    if (!this.inbound.has(message.envelope.keyID)) await this.restoreKeyBackup();
    const sender = await this.senderDevice(message.senderDevice, message.roomID);
    if (sender.userID !== message.senderID) throw new suite.SuiteError("the device that signed this message is not the sender's");
    return suite.openEnvelope(message.envelope, message.roomID, sender, async (iteration) => {
      const key = this.inbound.get(message.envelope.keyID);
      if (!key || key.roomID !== message.roomID || key.senderDevice !== message.senderDevice) throw new suite.SuiteError("no sender key for this message");
      const earlier = key.opened.get(iteration);
      if (earlier !== undefined && earlier !== message.messageID) throw new suite.SuiteError("replayed message refused");
      if (earlier === undefined && key.lastRead !== null) {
        if (iteration > key.lastRead + 1) this.deliveryIssues.push({ kind: "missing", roomID: message.roomID, senderID: message.senderID, count: iteration - key.lastRead - 1 });
        else if (iteration < key.lastRead) this.deliveryIssues.push({ kind: "reordered", roomID: message.roomID, senderID: message.senderID });
      }
      key.lastRead = Math.max(key.lastRead ?? iteration, iteration);
      key.opened.set(iteration, message.messageID);
      // Reading on from the latest position is the common case; an older message is derived again from the shared key.
      const chain = copy(iteration >= key.latest.iteration ? key.latest : key.initial);
      const messageKey = await chain.keyAt(iteration);
      if (chain.iteration > key.latest.iteration) key.latest = chain;
      return messageKey;
    });
  }

  /**
   * A sender device's verified keys, refused unless its owner's pinned identity vouches for it.
   * @param {string} deviceID @param {string} roomID
   */
  async senderDevice(deviceID, roomID) {
    let known = this.devices.get(deviceID);
    if (!known) {
      const reply = await this.connection.request("keys.get", { roomID });
      await this.verify(reply.devices ?? []);
      known = this.devices.get(deviceID);
    }
    if (!known) throw new suite.SuiteError("unknown sender device");
    if (!this.isTrusted(known)) throw new suite.SuiteError("the sender's device is not vouched for by their identity");
    return known;
  }
}

// The cross-check with the Swift implementation (Tests/WardE2EETests/WebSuiteCrossCheckTests):
// `node crosscheck.mjs IN OUT` reads what Swift made — its device's keys, the seeds of a device
// for this side, a key share sealed to that device and an envelope — checks it all with the web
// client's code, and writes what this side makes for Swift to open.
import { readFileSync, writeFileSync } from "node:fs";
import * as suite from "../../Web/app/suite.js";
import * as identity from "../../Web/app/identity.js";
import { fromBase64, toBase64 } from "../../Web/app/bytes.js";
import { ed25519Pair, x25519Pair } from "./keys.mjs";

const [input, output] = process.argv.slice(2);
const given = JSON.parse(readFileSync(input, "utf8"));
/** @param {string} text */
const raw = (text) => fromBase64(text) ?? new Uint8Array(0);

const device = await suite.deviceFromKeys(await ed25519Pair(raw(given.web.signingSeed)), await x25519Pair(raw(given.web.encryptionKey)),
                                          await ed25519Pair(raw(given.web.identitySeed)));
const published = await suite.publicKeys(device, given.web.userID);
const swiftDevice = await suite.verifyDeviceKeys(given.swift.keys);
const chain = await suite.openShare(given.delivery, device, swiftDevice);
const content = await suite.openEnvelope(given.envelope, given.delivery.roomID, swiftDevice, (i) => chain.keyAt(i));
const safetyNumber = await suite.safetyNumber(raw(given.swift.keys.identityKey));

const ours = suite.SenderChain.random();
const keyID = suite.makeKeyID();
const share = await suite.sealShare({ roomID: given.delivery.roomID, keyID, chain: ours }, swiftDevice, device);
const next = await ours.next();
const envelope = await suite.sealEnvelope({ body: "from the browser", format: "text" }, given.delivery.roomID, keyID, next.iteration, next.key, device);

// Swift's backups of this device's identity, and a new identity's for Swift to open.
const restored = await identity.openIdentityBackup(given.backups.identity, given.web.userID, given.backups.recoveryKey);
const openedIdentityKey = toBase64(new Uint8Array(await crypto.subtle.exportKey("raw", restored.pair.publicKey)));
const openedItem = await identity.openKeyBackupItem(given.backups.keys, restored.keyBackup);
const recoveryKey = identity.makeRecoveryKey();
const made = await identity.makeIdentity(given.web.userID, recoveryKey, 100_000);
const item = { roomID: "room-9", keyID, senderDevice: device.deviceID, suite: suite.suiteName, iteration: 0, chainKey: toBase64(crypto.getRandomValues(new Uint8Array(32))) };
const backups = {
  openedIdentityKey, openedItem, recoveryKey, identity: made.backup, item, keys: await identity.sealKeyBackupItem(item, made.identity.keyBackup),
  identityKey: toBase64(new Uint8Array(await crypto.subtle.exportKey("raw", made.identity.pair.publicKey))),
};
writeFileSync(output, JSON.stringify({ published, opened: content.body, safetyNumber, keyID, share, envelope, backups }));

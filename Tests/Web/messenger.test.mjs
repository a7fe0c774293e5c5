// The browser's rules for what it shows (Web/app/messenger.js), against a fake server that
// answers as a compromised one might: a replayed envelope under a new message id, a forged
// one, a message the server attributes to someone else, a device no identity vouches for, and
// a person whose identity key changed. Every one is refused; the honest message opens.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as suite from "../../Web/app/suite.js";
import { fromBase64, toBase64 } from "../../Web/app/bytes.js";
import { Messenger } from "../../Web/app/messenger.js";
import * as identity from "../../Web/app/identity.js";
import { WardError } from "../../Web/app/connection.js";

const roomID = "room-1";

/** A fake connection: canned replies by request type; records what was sent. */
function fakeServer(replies) {
  return {
    sent: [],
    lastRequestAt: 0,
    async request(type, fields = {}) {
      this.sent.push({ type, ...fields });
      const reply = typeof replies[type] === "function" ? replies[type](fields) : replies[type];
      if (reply instanceof WardError) throw reply;
      return reply ?? { type };
    },
  };
}

/** Alice's device seals a sender key to Bob's and sends `count` messages. */
async function scene(count = 2) {
  const alice = await suite.makeDevice(await suite.makeIdentity());
  const bob = await suite.makeDevice(await suite.makeIdentity());
  const aliceKeys = await suite.publicKeys(alice, "user-alice");
  const bobKeys = await suite.publicKeys(bob, "user-bob");
  const chain = suite.SenderChain.random();
  const keyID = suite.makeKeyID();
  const share = await suite.sealShare({ roomID, keyID, chain: new suite.SenderChain(chain.iteration, chain.chainKey) },
                                     await suite.verifyDeviceKeys(bobKeys), alice);
  const messages = [];
  for (let i = 0; i < count; i++) {
    const { iteration, key } = await chain.next();
    const envelope = await suite.sealEnvelope({ body: `message ${i}`, format: "text" }, roomID, keyID, iteration, key, alice);
    messages.push({ roomID, seq: i + 1, messageID: `msg-${i}`, senderID: "user-alice", senderDevice: alice.deviceID, sentAt: 0, envelope });
  }
  const delivery = { roomID, keyID, senderID: "user-alice", senderDevice: alice.deviceID, suite: suite.suiteName, sealed: share.sealed };
  const server = fakeServer({ "keys.get": { devices: [aliceKeys, bobKeys], epoch: 1 }, "keys.fetch": { keyDeliveries: [delivery] } });
  const pins = {};
  const messenger = new Messenger(/** @type {any} */ (server), bob, "user-bob", pins, () => {});
  return { alice, bob, aliceKeys, messages, messenger, server, pins };
}

test("an honest message opens, and the sender's identity is pinned on first contact", async () => {
  const { messages, messenger, pins, alice } = await scene();
  assert.deepEqual(await messenger.open(messages[0]), { body: "message 0", format: "text" });
  assert.equal(pins["user-alice"], toBase64(alice.identityPublic));
});

test("the same envelope under another message id is refused as a replay", async () => {
  const { messages, messenger } = await scene();
  await messenger.open(messages[0]);
  await messenger.open(messages[0]); // the same message again (history after the event) is fine
  await assert.rejects(messenger.open({ ...messages[0], messageID: "msg-replayed", seq: 9 }), /replayed/);
});

test("a forged envelope is refused before anything is decrypted", async () => {
  const { messages, messenger } = await scene();
  const ciphertext = fromBase64(messages[0].envelope.ciphertext);
  ciphertext[0] ^= 1;
  await assert.rejects(messenger.open({ ...messages[0], envelope: { ...messages[0].envelope, ciphertext: toBase64(ciphertext) } }), /signature/);
  await assert.rejects(messenger.open({ ...messages[0], envelope: { ...messages[0].envelope, iteration: 1 } }), /signature/);
});

test("a message the server attributes to someone other than the signing device's owner is refused", async () => {
  const { messages, messenger } = await scene();
  await assert.rejects(messenger.open({ ...messages[0], senderID: "user-mallory" }), /not the sender's/);
});

test("gaps and reordering are told", async () => {
  const { messages, messenger } = await scene(4);
  await messenger.open(messages[0]);
  await messenger.open(messages[3]);
  await messenger.open(messages[1]);
  assert.deepEqual(messenger.deliveryIssues.map((i) => i.kind), ["missing", "reordered"]);
  assert.equal(messenger.deliveryIssues[0].count, 2);
});

test("a device with another identity key than the pinned one gets no key and is not believed", async () => {
  const { messages, messenger, aliceKeys, server } = await scene();
  await messenger.open(messages[0]);
  // The server now shows a device of Alice's under a new identity (one it made up).
  const impostor = await suite.makeDevice(await suite.makeIdentity());
  const impostorKeys = await suite.publicKeys(impostor, "user-alice");
  const devices = [aliceKeys, impostorKeys, await suite.publicKeys(messenger.device, "user-bob")];
  server.sent.length = 0;
  const replies = { "keys.get": { devices, epoch: 2 }, "keys.distribute": { type: "keys.distribute" },
                    "message.send": { messageInfo: { seq: 3 } } };
  server.request = fakeServer(replies).request.bind({ sent: server.sent });
  await messenger.send("hello", roomID);
  const distribute = server.sent.find((r) => r.type === "keys.distribute");
  assert.deepEqual(distribute.keys.map((k) => k.deviceID).sort(), [messages[0].senderDevice, messenger.device.deviceID].sort());
  assert.deepEqual(messenger.trustIssues.map((i) => [i.kind, i.deviceID]), [["identityChanged", impostor.deviceID]]);
  // Confirming the new identity (after comparing safety numbers) includes the device next time.
  messenger.confirmIdentity("user-alice", impostor.identityPublic);
  assert.equal(messenger.trustIssues.length, 0);
});

test("a device no identity vouches for is left out", async () => {
  const { messenger } = await scene();
  const bare = await suite.makeDevice(null);
  const verified = await suite.verifyDeviceKeys(await suite.publicKeys(bare, "user-carol"));
  assert.equal(messenger.isTrusted(verified), false);
  assert.deepEqual(messenger.trustIssues.map((i) => i.kind), ["unsigned"]);
});

test("a device that holds the person's identity keeps each key it receives in the key backup, and a new one reads history from it", async () => {
  const { identity: person } = await identity.makeIdentity("user-bob", identity.makeRecoveryKey(), 100_000);
  const { messages, server, bob, aliceKeys } = await scene();
  const first = new Messenger(/** @type {any} */ (server), bob, "user-bob", {}, () => {}, person.keyBackup);
  await first.open(messages[0]);
  await new Promise((resolve) => setTimeout(resolve, 50)); // the backup is not awaited
  const kept = server.sent.filter((r) => r.type === "keys.backup").flatMap((r) => r.keyBackups);
  assert.equal(kept.length, 1);
  assert.ok(!JSON.stringify(kept).includes(toBase64(first.inbound.get(messages[0].envelope.keyID).initial.chainKey)), "the chain key is sealed");

  // A new device of Bob's, with the same identity: no share was sealed to it.
  const phone = await suite.makeDevice(person.pair);
  const phoneKeys = await suite.publicKeys(phone, "user-bob");
  const later = fakeServer({ "keys.get": { devices: [aliceKeys, phoneKeys], epoch: 1 }, "keys.fetch": { keyDeliveries: [] }, "keys.backup": { keyBackups: kept } });
  const reader = new Messenger(/** @type {any} */ (later), phone, "user-bob", {}, () => {}, person.keyBackup);
  assert.deepEqual(await reader.open(messages[1]), { body: "message 1", format: "text" });
  // Without the person's key, the backup opens nothing.
  const { identity: stranger } = await identity.makeIdentity("user-bob", identity.makeRecoveryKey(), 100_000);
  const other = new Messenger(/** @type {any} */ (later), phone, "user-bob", {}, () => {}, stranger.keyBackup);
  await assert.rejects(other.open(messages[1]), /no sender key/);
});

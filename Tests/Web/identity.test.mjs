// The identity backup and the key backup in the browser (Web/app/identity.js): what opens, and
// what is refused before or after any key is derived.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as identity from "../../Web/app/identity.js";

const subtle = globalThis.crypto.subtle;

/** @param {CryptoKeyPair} pair */
async function publicBytes(pair) {
  return new Uint8Array(await subtle.exportKey("raw", pair.publicKey));
}

test("an identity backup opens with its recovery key, as typed, for its person only", async () => {
  const recoveryKey = identity.makeRecoveryKey();
  assert.match(recoveryKey, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){7}$/);
  const { identity: made, backup } = await identity.makeIdentity("user-a", recoveryKey, 100_000);
  assert.equal(made.pair.privateKey.extractable, false);
  assert.equal(made.keyBackup.extractable, false);
  const opened = await identity.openIdentityBackup(backup, "user-a", recoveryKey.toLowerCase().replaceAll("-", " "));
  assert.deepEqual(await publicBytes(opened.pair), await publicBytes(made.pair));

  await assert.rejects(identity.openIdentityBackup(backup, "user-a", identity.makeRecoveryKey()), { kind: "wrongRecoveryKey" });
  await assert.rejects(identity.openIdentityBackup(backup, "user-b", recoveryKey), { kind: "malformed" });
  await assert.rejects(identity.openIdentityBackup("not json", "user-a", recoveryKey), { kind: "malformed" });
  const sealed = JSON.parse(backup);
  for (const iterations of [1, 99_999, 10_000_001, "600000"]) {
    await assert.rejects(identity.openIdentityBackup(JSON.stringify({ ...sealed, iterations }), "user-a", recoveryKey), { kind: "malformed" });
  }
  const flipped = sealed.ciphertext[0] === "A" ? "B" : "A";
  await assert.rejects(identity.openIdentityBackup(JSON.stringify({ ...sealed, ciphertext: flipped + sealed.ciphertext.slice(1) }), "user-a", recoveryKey),
                       { kind: "wrongRecoveryKey" });
  await assert.rejects(identity.openIdentityBackup(JSON.stringify({ ...sealed, format: "ward-identity-backup-1" }), "user-a", recoveryKey),
                       (error) => error instanceof identity.BackupError && /older terminal client/.test(error.message));
});

test("key backup items open only under their person's key and their key id", async () => {
  const { identity: mine } = await identity.makeIdentity("user-a", identity.makeRecoveryKey(), 100_000);
  const { identity: theirs } = await identity.makeIdentity("user-b", identity.makeRecoveryKey(), 100_000);
  const item = { roomID: "room-1", keyID: "key-1", senderDevice: "dev-1", suite: "ward-wc-1", iteration: 4, chainKey: btoa("k".repeat(32)) };
  const sealed = await identity.sealKeyBackupItem(item, mine.keyBackup);
  assert.deepEqual(await identity.openKeyBackupItem(sealed, mine.keyBackup), item);
  assert.equal(await identity.openKeyBackupItem(sealed, theirs.keyBackup), null);
  assert.equal(await identity.openKeyBackupItem({ ...sealed, keyID: "key-2" }, mine.keyBackup), null);
  assert.equal(await identity.openKeyBackupItem({ ...sealed, sealed: "not base64!" }, mine.keyBackup), null);
  const short = await identity.sealKeyBackupItem({ ...item, chainKey: btoa("short") }, mine.keyBackup);
  assert.equal(await identity.openKeyBackupItem(short, mine.keyBackup), null, "a chain key that is not 32 bytes");
});

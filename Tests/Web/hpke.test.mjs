// The web client's HPKE against RFC 9180's published vector for the exact suite ward-wc-1 seals
// shares with (the CFRG test-vectors.json entry for mode 0, KEM 0x0020, KDF 0x0001, AEAD 0x0002).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as hpke from "../../Web/app/hpke.js";
import { importX25519Private } from "./keys.mjs";
import { fromHex, toHex, utf8 } from "../../Web/app/bytes.js";

const vector = {
  info: "4f6465206f6e2061204772656369616e2055726e",
  skEm: "179d4b53b6365c45b600c4163b61d95cbc2f4d9e36f1695558dce265ab8bab11",
  pkEm: "6c93e09869df3402d7bf231bf540fadd35cd56be14f97178f0954db94b7fc256",
  skRm: "497b4502664cfea5d5af0b39934dac72242a74f8480451e1aee7d6a53320333d",
  pkRm: "430f4b9859665145a6b1ba274024487bd66f03a2dd577d7753c68d7d7d00c00c",
  sharedSecret: "3101c54c3a4f87439eaac080699ed9bbcc726ffe44e860c0424ccb7e3e2ead7b",
  key: "f50b0609186798729ed0564b36ef2ef8044f1f9d05636874d1f46c819c7a669f",
  baseNonce: "151d9929e2449747889bc923",
  aad: "436f756e742d30",
  pt: "4265617574792069732074727574682c20747275746820626561757479",
  ct: "e5d84cd531cfb583096e7cfa9641bd3079cf3a91cda813c52deb5f512be9931980a41de125a925cdad859d5b7a",
};

test("the key schedule gives the vector's key and base nonce", async () => {
  const { key, baseNonce } = await hpke.keySchedule(fromHex(vector.sharedSecret), fromHex(vector.info));
  assert.equal(toHex(key), vector.key);
  assert.equal(toHex(baseNonce), vector.baseNonce);
});

test("sealing with the vector's ephemeral key gives its enc and ciphertext", async () => {
  const ephemeral = {
    privateKey: await importX25519Private(fromHex(vector.skEm)),
    publicKey: await crypto.subtle.importKey("raw", fromHex(vector.pkEm), { name: "X25519" }, true, []),
  };
  const box = await hpke.seal(fromHex(vector.pt), fromHex(vector.pkRm), fromHex(vector.info), fromHex(vector.aad), ephemeral);
  assert.equal(toHex(box), vector.pkEm + vector.ct);
});

test("the vector's box opens with the recipient's key, and nothing altered does", async () => {
  const recipient = await importX25519Private(fromHex(vector.skRm));
  const box = fromHex(vector.pkEm + vector.ct);
  const opened = await hpke.open(box, recipient, fromHex(vector.pkRm), fromHex(vector.info), fromHex(vector.aad));
  assert.equal(toHex(opened), vector.pt);
  for (const index of [0, 40, box.length - 1]) {
    const changed = box.slice();
    changed[index] ^= 1;
    await assert.rejects(hpke.open(changed, recipient, fromHex(vector.pkRm), fromHex(vector.info), fromHex(vector.aad)));
  }
  await assert.rejects(hpke.open(box, recipient, fromHex(vector.pkRm), utf8("other info"), fromHex(vector.aad)));
  await assert.rejects(hpke.open(box.subarray(0, 40), recipient, fromHex(vector.pkRm), fromHex(vector.info)));
});

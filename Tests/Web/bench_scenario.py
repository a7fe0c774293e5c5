"""The web client's decryption in headless Chromium (issue 18's bar: opening a room of 1,000
messages and decrypting the last 200 under 300 ms), with WebCrypto's raw rates measured in the
same run as the reference. A measurement, not a test (make bench-web runs it against a served
appliance, whose origin the page's modules come from):

  python3 bench_scenario.py URL [RUNS]

One JSON line per result. The page's own modules do the work: a sender seals 1,000 messages
under one sender key (untimed), then a fresh reader with the key as it was shared opens the
last 200, oldest first, as the client opens a room (ratchet forward 800 steps, then verify,
ratchet and decrypt each), and renders them."""
import json
import sys

from browser import Browser, in_page_scene

SCRIPT = in_page_scene("room-bench") + """
  const messages = [];
  for (let i = 0; i < 1000; i++) {
    const { iteration, key } = await chain.next();
    const envelope = await suite.sealEnvelope({ body: 'message number ' + i + ' about the ward round', format: 'text' }, roomID, keyID, iteration, key, alice);
    messages.push({ roomID, seq: i + 1, messageID: 'm' + i, senderID: 'user-alice', senderDevice: alice.deviceID, sentAt: Date.now(), envelope });
  }
  const results = [];
  for (let run = 0; run < RUNS; run++) {
    const workspace = readerFor(server);
    const start = performance.now();
    await workspace.take(roomID, messages.slice(800), 'older');
    const list = document.createElement('ol');
    for (const m of workspace.shown.get(roomID)) { const li = document.createElement('li'); li.textContent = m.text; list.appendChild(li); }
    const elapsed = performance.now() - start;
    const opened = workspace.shown.get(roomID).filter((m) => !m.failed).length;
    results.push({ elapsed, opened });
  }
  // WebCrypto's raw rates, the reference: Ed25519 verifications, AES-256-GCM decryptions of a
  // message-sized ciphertext, HMAC-SHA-256 (one ratchet step), each for about half a second.
  async function rate(body) {
    let n = 0; const start = performance.now();
    while (performance.now() - start < 500) { await body(); n++; }
    return n / ((performance.now() - start) / 1000);
  }
  const signing = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  const data = new Uint8Array(300);
  const signature = await crypto.subtle.sign('Ed25519', signing.privateKey, data);
  const aes = await crypto.subtle.importKey('raw', new Uint8Array(32), 'AES-GCM', false, ['encrypt', 'decrypt']);
  const iv = new Uint8Array(12);
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, new Uint8Array(80));
  const hmacKey = await crypto.subtle.importKey('raw', new Uint8Array(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const raw = {
    ed25519_verify_per_second: Math.round(await rate(() => crypto.subtle.verify('Ed25519', signing.publicKey, signature, data))),
    aes_gcm_decrypt_per_second: Math.round(await rate(() => crypto.subtle.decrypt({ name: 'AES-GCM', iv }, aes, sealed))),
    hmac_sha256_per_second: Math.round(await rate(() => crypto.subtle.sign('HMAC', hmacKey, new Uint8Array([1])))),
  };
  return { results, raw, userAgent: navigator.userAgent };
})().then(done, (e) => done({ error: String(e && e.stack || e) }));
"""


def main():
    url = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    b = Browser(360, 740)
    try:
        b.driver.set_script_timeout(300)
        b.driver.get(url)
        b.wait("the app", lambda: b.js("return performance.getEntriesByName('ward-ready').length") > 0)
        measured = b.driver.execute_async_script(SCRIPT.replace("RUNS", str(runs)))
        if "error" in measured:
            print(measured["error"], file=sys.stderr)
            return 1
        times = sorted(r["elapsed"] for r in measured["results"])
        # What decrypting 200 costs at the raw rates: a signature check, an AES-GCM open and two
        # HMACs per message, plus 800 HMACs to ratchet to the first.
        raw = measured["raw"]
        floor_ms = 200 * (1000 / raw["ed25519_verify_per_second"] + 1000 / raw["aes_gcm_decrypt_per_second"]) + 1200 * 1000 / raw["hmac_sha256_per_second"]
        print(json.dumps({"bench": "web-open-room", "messages_in_room": 1000, "decrypted": measured["results"][0]["opened"], "runs": runs,
                          "median_ms": round(times[len(times) // 2], 1), "max_ms": round(times[-1], 1),
                          "raw_webcrypto_floor_ms": round(floor_ms, 1), "ratio_to_floor": round(times[len(times) // 2] / floor_ms, 2),
                          **raw, "browser": measured["userAgent"].split(" ")[-2]}))
    finally:
        b.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())

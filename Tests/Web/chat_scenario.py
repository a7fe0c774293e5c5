"""A patient on a phone (360x740) talks with a nurse at a terminal (Tests/CommandLineTests/
WebClientEndToEndTests starts the server and the nurse's `ward` in tmux, then this):

  python3 chat_scenario.py URL USERNAME PASSWORD ARTIFACTS

It measures the first load (bytes fetched, time to the usable sign-in form), signs in with the
keyboard only, opens the care room, sends "Hello from the phone" and waits for the nurse's
"Hello from the terminal", checks that nothing readable is kept in the browser, reloads (the
device stays, the session does not), and saves screenshots at phone, tablet and desktop sizes.
axe-core checks every screen. Prints one JSON line per measurement; exits 1 on a failure."""
import json
import os
import shutil
import sys
import time

from browser import Keys, check, in_page_scene, run_scenario

SENT = "Hello from the phone"
REPLY = "Hello from the terminal"


def sign_in_with_keyboard(b, username, password, first_time):
    b.wait("the sign-in form", lambda: b.visible("signin-form"))
    b.js("document.activeElement && document.activeElement.blur()")
    b.keys(Keys.TAB)
    b.wait("focus on the username", lambda: b.focused_id() == "username", 5)
    b.keys(username, Keys.TAB)
    check(b.focused_id() == "password", "Tab goes from the username to the password")
    b.keys(password, Keys.ENTER)
    if first_time:
        b.take_recovery_key("your recovery key")
    b.wait("the conversations", lambda: b.visible("rooms") and b.js("return document.querySelectorAll('#rooms .room').length") > 0, 60)


def first_load(b, url):
    b.driver.get(url)
    b.wait("the app to start", lambda: b.js("return performance.getEntriesByName('ward-ready').length") > 0)
    ready = b.js("return performance.getEntriesByName('ward-ready')[0].startTime")
    fetched = b.js("""
        const entries = [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')];
        return entries.reduce((n, e) => n + (e.decodedBodySize || 0), 0)""")
    print(json.dumps({"bench": "web-first-load", "viewport": "360x740", "bytes": fetched, "ready_ms": round(ready, 1)}), flush=True)
    check(fetched < 150 * 1024, f"the first load fetched {fetched} bytes (bar: 150 KB)")
    check(ready < 1000, f"the sign-in form was usable after {ready:.0f} ms (bar: 1 s)")


def nothing_readable_kept(b):
    """No token, message or record in web storage, IndexedDB or the service worker's cache."""
    kept = b.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        (async () => {
          const found = {local: localStorage.length, session: sessionStorage.length, cookies: document.cookie, idb: [], cached: []};
          const db = await new Promise((resolve, reject) => { const r = indexedDB.open('ward'); r.onsuccess = () => resolve(r.result); r.onerror = reject; });
          for (const store of db.objectStoreNames) {
            const all = await new Promise((resolve) => { const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => resolve(r.result); });
            for (const value of all) {
              for (const [name, item] of Object.entries(value)) {
                // A key pair's private half, or a secret key (the key backup's).
                const key = item instanceof CryptoKey ? item : item && typeof item === 'object' && 'privateKey' in item ? item.privateKey : null;
                found.idb.push({store, name, extractable: key ? key.extractable : null,
                                text: typeof item === 'string' ? item : JSON.stringify(item)});
              }
            }
          }
          db.close();
          for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) found.cached.push(new URL(request.url).pathname);
          }
          return found;
        })().then(done, (e) => done({error: String(e)}));
    """)
    check("error" not in kept, f"reading the browser's storage failed: {kept}")
    check(kept["local"] == 0 and kept["session"] == 0 and kept["cookies"] == "", f"web storage or cookies used: {kept}")
    check(all(item["extractable"] in (None, False) for item in kept["idb"]), f"an extractable private key is kept: {kept['idb']}")
    check(any(item["extractable"] is False for item in kept["idb"]), "the device's keys are kept, non-extractable")
    check(any(item["name"] == "keyBackup" and item["extractable"] is False for item in kept["idb"]), "the key backup's key is kept, non-extractable")
    everything = json.dumps(kept)
    check(SENT not in everything and REPLY not in everything, "message text is kept in the browser")
    check(all(path == "/" or path.startswith(("/app/", "/icons/")) or path in ("/index.html", "/app.css", "/manifest.webmanifest") for path in kept["cached"]),
          f"the service worker cached more than the app shell: {kept['cached']}")


HOSTILE = in_page_scene("room-hostile") + """
  const { iteration, key } = await chain.next();
  const envelope = await suite.sealEnvelope({ body: 'honest', format: 'text' }, roomID, keyID, iteration, key, alice);
  const honest = { roomID, seq: 1, messageID: 'm1', senderID: 'user-alice', senderDevice: alice.deviceID, sentAt: 0, envelope };
  // A compromised server relays the honest message, a replay of it, and a forgery.
  const replayed = { ...honest, seq: 2, messageID: 'm2' };
  const bytes = Uint8Array.from(atob(envelope.ciphertext), (c) => c.charCodeAt(0));
  bytes[0] ^= 1;
  const forged = { ...honest, seq: 3, messageID: 'm3', envelope: { ...envelope, ciphertext: btoa(String.fromCharCode(...bytes)) } };
  const workspace = readerFor(server);
  await workspace.take(roomID, [honest, replayed, forged], 'newer');
  return workspace.shown.get(roomID).map((m) => ({ seq: m.seq, text: m.text, failed: m.failed }));
})().then(done, (e) => done({ error: String(e) }));
"""


def hostile_envelopes_refused(b):
    """A replayed and a forged envelope from a lying server are refused in this browser, with
    its WebCrypto, by the client's own code (Tests/Web/messenger.test.mjs runs the same under node)."""
    shown = b.driver.execute_async_script(HOSTILE)
    check(isinstance(shown, list), f"the hostile-server check ran: {shown}")
    by_seq = {m["seq"]: m for m in shown}
    check(by_seq[1]["text"] == "honest" and not by_seq[1]["failed"], f"the honest message opens: {shown}")
    check("replayed" in (by_seq[2]["failed"] or "") and by_seq[2]["text"] == "", f"the replay is refused: {shown}")
    check("signature" in (by_seq[3]["failed"] or "") and by_seq[3]["text"] == "", f"the forgery is refused: {shown}")


def search_everywhere(b):
    """Search over every conversation decrypted here; a result opens its conversation, filtered."""
    b.element("search-all").send_keys("TERMINAL")
    b.wait("the match", lambda: b.visible("search-results") and REPLY in b.element("search-results").text and not b.visible("rooms"))
    b.axe("search (desktop)")
    b.click_text("#search-results button", REPLY)
    b.wait("the conversation, filtered", lambda: b.messages() and all(REPLY in m for m in b.messages()))
    check(b.element("search").get_attribute("value") == "TERMINAL", "the conversation's search holds the query")
    b.element("search").clear()
    b.js("const s = document.getElementById('search-all'); s.value = ''; s.dispatchEvent(new Event('input'))")
    b.js("document.getElementById('search').dispatchEvent(new Event('input'))")
    b.wait("the list back", lambda: b.visible("rooms") and len(b.messages()) >= 2)


def sections(b, artifacts):
    """Appointments (book, see, cancel), the record (read, ask for a change), privacy (consent, export)."""
    b.click_text(".section-button", "Appointments")
    b.wait("free slots", lambda: len(b.driver.find_elements("css selector", "#slots button")) > 0)
    b.axe("appointments (desktop)")
    b.driver.find_elements("css selector", "#slots button")[0].click()
    b.wait("the booking", lambda: "requested" in b.element("appointments").text)
    check(b.visible("calendar-link") and b.js("return document.getElementById('calendar-link').href.startsWith('blob:')"), "a calendar file is offered")
    b.screenshot(f"{artifacts}/desktop-appointments.png")
    b.click_text("#appointments button", "Cancel")
    b.wait("the cancellation", lambda: "cancelled" in b.element("appointments").text or "No appointments" in b.element("appointments").text)

    b.click_text(".section-button", "Record")
    b.wait("the nurse's note", lambda: "notes: Slept well, no pain overnight" in b.element("record-entries").text)
    b.axe("record (desktop)")
    b.click_text("#record-entries button", "Ask for a change")
    b.wait("the request form", lambda: b.js("return document.activeElement && document.activeElement.tagName") == "TEXTAREA")
    b.keys("I had pain at night")
    b.click_text("#record-entries button", "Send")
    b.wait("the amendment request", lambda: "I had pain at night" in b.element("amendments").text)
    b.screenshot(f"{artifacts}/desktop-record.png")

    b.click_text(".section-button", "Privacy")
    b.wait("the consent texts", lambda: "Given on" in b.element("consents").text)
    b.axe("privacy (desktop)")
    downloads = f"{artifacts}/downloads"
    shutil.rmtree(downloads, ignore_errors=True)
    os.makedirs(downloads)
    b.allow_downloads(downloads)
    b.element("export-button").click()
    path = f"{downloads}/ward-export.json"
    b.wait("the export file", lambda: os.path.exists(path) and os.path.getsize(path) > 0, 60)
    time.sleep(0.5)
    with open(path) as f:
        exported = json.load(f)
    shutil.rmtree(downloads, ignore_errors=True)
    texts = [d["text"] for d in exported["decrypted"].values()]
    check(SENT in texts and REPLY in texts, f"the export holds the messages decrypted in the browser: {texts}")
    check(any(r.get("section") == "notes" for r in exported["records"]), "the export holds the record")
    b.click_text(".section-button", "Messages")


def main():
    url, username, password, artifacts = sys.argv[1:5]

    def steps(b):
        first_load(b, url)
        b.axe("sign-in")
        b.screenshot(f"{artifacts}/phone-signin.png")
        sign_in_with_keyboard(b, username, password, first_time=True)
        b.axe("conversations (phone)")
        b.screenshot(f"{artifacts}/phone-rooms.png")
        # The first room button has the focus: Enter opens it, and the message field takes the focus.
        b.keys(Keys.ENTER)
        b.wait("the conversation", lambda: b.visible("composer") and b.focused_id() == "message-text")
        b.keys(SENT, Keys.ENTER)
        b.wait("the message to be sent", lambda: any(SENT in m and "sending" not in m for m in b.messages()), 60)
        print(json.dumps({"event": "sent", "text": SENT}), flush=True)
        b.wait("the nurse's reply, decrypted", lambda: any(REPLY in m for m in b.messages()), 120)
        b.axe("conversation (phone)")
        b.screenshot(f"{artifacts}/phone-conversation.png")
        for (width, height, name) in [(768, 1024, "tablet"), (1440, 900, "desktop")]:
            b.resize(width, height)
            time.sleep(0.3)
            check(b.visible("rooms-pane") and b.visible("conversation-pane"), f"{name}: conversations and the open one side by side")
            check(b.visible("details-pane") == (name == "desktop"), f"{name}: the people pane is a third pane on a desktop only")
            b.axe(f"conversation ({name})")
            b.screenshot(f"{artifacts}/{name}-conversation.png")
        check("Safety number:" in b.text(), "the people pane shows the nurse's safety number")
        search_everywhere(b)
        hostile_envelopes_refused(b)
        sections(b, artifacts)
        nothing_readable_kept(b)

        # A reload keeps the device (same keys, no new device for the room) but not the session.
        b.resize(360, 740)
        b.driver.refresh()
        b.wait("the sign-in form after a reload", lambda: b.visible("signin-form") and not b.visible("app"))
        check(SENT not in b.text() and REPLY not in b.text(), "nothing of the conversation is on the screen after a reload")
        sign_in_with_keyboard(b, username, password, first_time=False)
        b.keys(Keys.ENTER)
        b.wait("the history, read again with the same device", lambda: any(REPLY in m for m in b.messages()) and any(SENT in m for m in b.messages()), 60)
        check(not any("refused" in m for m in b.messages()), f"every message opens with the kept device: {b.messages()}")
        b.element("signout-button").click()
        b.wait("signed out", lambda: b.visible("signin-form"))
        check(REPLY not in b.text(), "signing out clears the screen")

    return run_scenario(360, 740, f"{artifacts}/failure.png", steps)


if __name__ == "__main__":
    sys.exit(main())

// Search over what the browser decrypted (Web/app/search.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { findMessages, snippet } from "../../Web/app/search.js";

const shown = new Map([
  ["room-a", [
    { seq: 1, senderID: "u1", sentAt: 100, text: "Blood pressure is fine", failed: null },
    { seq: 2, senderID: "u2", sentAt: 300, text: "Café at noon? Pressure's off", failed: null },
    { seq: 0, senderID: "me", sentAt: 400, text: "pressure, still sending", failed: null },
  ]],
  ["room-b", [
    { seq: 7, senderID: "u3", sentAt: 200, text: "", failed: "replayed message refused" },
    { seq: 8, senderID: "u3", sentAt: 250, text: "PRESSURE again", failed: null },
  ]],
]);

test("matches in every room, newest first, without case or accents, never refused or unsent ones", () => {
  assert.deepEqual(findMessages(shown, "  pressure ").map((m) => [m.roomID, m.seq]), [["room-a", 2], ["room-b", 8], ["room-a", 1]]);
  assert.deepEqual(findMessages(shown, "cafe").map((m) => m.seq), [2]);
  assert.deepEqual(findMessages(shown, "refused"), []);
  assert.deepEqual(findMessages(shown, "   "), []);
  assert.equal(findMessages(shown, "e", 2).length, 2);
});

test("a snippet shows the words around the match", () => {
  const long = "a".repeat(100) + " the word " + "b".repeat(100);
  const cut = snippet(long, "word", 40);
  assert.ok(cut.includes("word") && cut.startsWith("…") && cut.endsWith("…") && cut.length <= 42, cut);
  assert.equal(snippet("short", "x"), "short");
});

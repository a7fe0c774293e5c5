// Search over what this browser decrypted in the session (the server holds ciphertext only, so
// there is nothing to ask it): every conversation opened so far, newest match first.

/**
 * @typedef {{roomID: string, seq: number, senderID: string, text: string}} Found
 */

/**
 * The messages whose text holds `query` (case and accents as the person's locale folds them),
 * newest first, at most `limit`. Refused messages have no text and are never found.
 * @param {Map<string, {seq: number, senderID: string, sentAt: number, text: string, failed: string | null}[]>} shown decrypted messages by room
 * @param {string} query @param {number} [limit]
 * @returns {Found[]}
 */
export function findMessages(shown, query, limit = 50) {
  const folded = fold(query.trim());
  if (!folded) return [];
  /** @type {(Found & {at: number})[]} */
  const found = [];
  for (const [roomID, messages] of shown) {
    for (const message of messages) {
      if (!message.failed && message.seq > 0 && fold(message.text).includes(folded)) {
        found.push({ roomID, seq: message.seq, senderID: message.senderID, text: message.text, at: message.sentAt });
      }
    }
  }
  found.sort((a, b) => b.at - a.at);
  return found.slice(0, limit).map(({ roomID, seq, senderID, text }) => ({ roomID, seq, senderID, text }));
}

/** @param {string} text */
function fold(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase();
}

/**
 * The words around the first match, for a result line.
 * @param {string} text @param {string} query @param {number} [width]
 */
export function snippet(text, query, width = 80) {
  const at = fold(text).indexOf(fold(query.trim()));
  if (text.length <= width || at < 0) return text.length <= width ? text : text.slice(0, width - 1) + "…";
  const start = Math.max(0, Math.min(at - Math.floor(width / 3), text.length - width));
  return (start > 0 ? "…" : "") + text.slice(start, start + width - 1) + (start + width - 1 < text.length ? "…" : "");
}

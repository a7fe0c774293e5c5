// The signed-in screen: conversations with unread counts, the open conversation (history that
// scrolls back, sending with pending/sent/failed, read receipts, urgent messages, mentions,
// search over what this browser decrypted), and the people in it with presence and the safety
// numbers of their identities. Decrypted text lives in this object only; `close` drops it all.

import { byID, clear, clockTime, make } from "./dom.js";
import { WardError } from "./connection.js";
import { fromBase64 } from "./bytes.js";
import { safetyNumber } from "./suite.js";
import { explain } from "./signin.js";
import { findMessages, snippet } from "./search.js";

/** How many messages one history page asks for: the most PROTOCOL.md allows (200 decrypt in about 90 ms here, docs/PERFORMANCE.md). */
const pageSize = 200;

/**
 * @typedef {{roomID: string, name: string, kind: string, direct: boolean, lastSeq: number, firstSeq?: number, readSeq?: number, unread?: number}} Room
 * @typedef {{seq: number, senderID: string, sentAt: number, text: string, failed: string | null, urgent?: boolean}} Shown
 */

export class Workspace {
  /**
   * @param {import("./connection.js").Connection} connection @param {import("./messenger.js").Messenger} messenger
   * @param {{userID: string, username: string, role: string}} me @param {(message: string) => void} status
   */
  constructor(connection, messenger, me, status) {
    this.connection = connection;
    this.messenger = messenger;
    this.me = me;
    this.status = status;
    /** @type {Map<string, Room>} */
    this.rooms = new Map();
    /** @type {Map<string, Shown[]>} decrypted messages by room, oldest first */
    this.shown = new Map();
    /** @type {Map<string, string>} display names by user id */
    this.names = new Map();
    /** @type {Map<string, number>} the open room's other members' read markers, by user id */
    this.readMarkers = new Map();
    /** @type {string | null} */
    this.current = null;
    this.loadingOlder = false;
    this.listeners = new AbortController();
    this.wire();
  }

  wire() {
    const signal = this.listeners.signal;
    const composer = /** @type {HTMLFormElement} */ (byID("composer"));
    const text = /** @type {HTMLTextAreaElement} */ (byID("message-text"));
    composer.addEventListener("submit", (event) => {
      event.preventDefault();
      this.sendTyped();
    }, { signal });
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.sendTyped();
      }
    }, { signal });
    byID("back-button").addEventListener("click", () => this.showRooms(), { signal });
    byID("people-button").addEventListener("click", () => {
      const open = document.body.classList.toggle("people-open");
      byID("people-button").setAttribute("aria-expanded", String(open));
    }, { signal });
    byID("search").addEventListener("input", () => this.renderMessages(), { signal });
    byID("search-all").addEventListener("input", () => this.renderSearch(), { signal });
    byID("messages").addEventListener("scroll", () => {
      if (byID("messages").scrollTop < 40) this.loadOlder();
    }, { signal });
  }

  async start() {
    byID("whoami").textContent = `${this.me.username} (${this.me.role})`;
    const reply = await this.connection.request("room.list");
    for (const room of reply.rooms ?? []) this.rooms.set(room.roomID, room);
    this.renderRooms();
    this.connection.request("presence.set", { status: "online" }).catch(() => {});
  }

  renderRooms() {
    const list = byID("rooms");
    clear(list);
    if (this.rooms.size === 0) list.appendChild(make("li", { className: "empty", text: "No conversations yet. Your care team starts one with you." }));
    for (const room of this.rooms.values()) {
      const unread = room.unread ?? 0;
      const label = unread > 0 ? `${room.name}, ${unread} unread` : room.name;
      const button = make("button", { className: "room", attributes: { type: "button", "aria-label": label, ...(room.roomID === this.current ? { "aria-current": "true" } : {}) } }, [
        make("span", { className: "room-name", text: room.name }),
        ...(unread > 0 ? [make("span", { className: "badge", text: String(unread), attributes: { "aria-hidden": "true" } })] : []),
      ]);
      button.addEventListener("click", () => this.openRoom(room.roomID));
      list.appendChild(make("li", {}, [button]));
    }
  }

  /** Messages found in every conversation decrypted here, in place of the list while a query is typed. */
  renderSearch() {
    const query = /** @type {HTMLInputElement} */ (byID("search-all")).value;
    const results = byID("search-results");
    clear(results);
    results.hidden = !query.trim();
    byID("rooms").hidden = !results.hidden;
    if (results.hidden) return;
    const found = findMessages(this.shown, query);
    if (found.length === 0) results.appendChild(make("li", { className: "empty", text: "Nothing found in the conversations opened on this device." }));
    for (const message of found) {
      const room = this.rooms.get(message.roomID);
      const button = make("button", { className: "room result", attributes: { type: "button" } }, [
        make("span", { className: "room-name", text: room?.name ?? "" }),
        make("span", { className: "meta", text: `${this.nameOf(message.senderID)}: ${snippet(message.text, query)}` }),
      ]);
      button.addEventListener("click", async () => {
        await this.openRoom(message.roomID);
        /** @type {HTMLInputElement} */ (byID("search")).value = query.trim();
        this.renderMessages();
      });
      results.appendChild(make("li", {}, [button]));
    }
  }

  showRooms() {
    document.body.classList.remove("in-room", "people-open");
    const active = document.querySelector(".room[aria-current]");
    if (active instanceof HTMLElement) active.focus();
  }

  /** @param {string} roomID */
  async openRoom(roomID) {
    const room = this.rooms.get(roomID);
    if (!room) return;
    this.current = roomID;
    document.body.classList.add("in-room");
    byID("room-title").textContent = room.name;
    byID("composer").hidden = false;
    /** @type {HTMLInputElement} */ (byID("search")).value = "";
    if (!this.shown.has(roomID)) {
      this.shown.set(roomID, []);
      const history = await this.connection.request("message.history", { roomID, limit: pageSize, before: room.lastSeq + 1 });
      await this.take(roomID, history.messages ?? [], "older");
    }
    this.renderRooms();
    this.renderMessages(true);
    await this.renderMembers(roomID);
    this.markRead(roomID);
    byID("message-text").focus();
  }

  /** Older messages, when the person scrolls to the top. */
  async loadOlder() {
    const roomID = this.current;
    if (!roomID || this.loadingOlder) return;
    const shown = this.shown.get(roomID) ?? [];
    const room = this.rooms.get(roomID);
    const oldest = shown[0]?.seq ?? 1;
    if (!room || oldest <= (room.firstSeq ?? 1)) return;
    this.loadingOlder = true;
    try {
      const messages = byID("messages");
      const before = messages.scrollHeight;
      const history = await this.connection.request("message.history", { roomID, limit: pageSize, before: oldest });
      await this.take(roomID, history.messages ?? [], "older");
      this.renderMessages();
      messages.scrollTop = messages.scrollHeight - before;
    } finally {
      this.loadingOlder = false;
    }
  }

  /**
   * Decrypts messages into the room's list; what does not verify is shown as refused, never its text.
   * @param {string} roomID @param {any[]} messages @param {"older" | "newer"} where
   */
  async take(roomID, messages, where) {
    const shown = this.shown.get(roomID) ?? [];
    const known = new Set(shown.map((m) => m.seq));
    /** @type {Shown[]} */
    const opened = [];
    for (const message of messages) {
      if (known.has(message.seq)) continue;
      try {
        const content = await this.messenger.open(message);
        opened.push({ seq: message.seq, senderID: message.senderID, sentAt: message.sentAt, text: content.body, failed: null });
      } catch (error) {
        opened.push({ seq: message.seq, senderID: message.senderID, sentAt: message.sentAt, text: "", failed: error instanceof Error ? error.message : "refused" });
      }
    }
    const merged = where === "older" ? [...opened, ...shown] : [...shown, ...opened];
    merged.sort((a, b) => a.seq - b.seq);
    this.shown.set(roomID, merged);
  }

  /** @param {string} userID */
  nameOf(userID) {
    if (userID === this.me.userID) return "You";
    return this.names.get(userID) ?? "Someone";
  }

  /** @param {boolean} [toEnd] */
  renderMessages(toEnd = false) {
    const list = byID("messages");
    const roomID = this.current;
    // Someone reading further up stays where they are; someone at the newest follows new ones.
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const scrolled = list.scrollTop;
    clear(list);
    if (!roomID) return;
    const query = /** @type {HTMLInputElement} */ (byID("search")).value.trim().toLocaleLowerCase();
    const mention = "@" + this.me.username.toLocaleLowerCase();
    for (const message of this.shown.get(roomID) ?? []) {
      if (query && !message.text.toLocaleLowerCase().includes(query)) continue;
      const mine = message.senderID === this.me.userID;
      const classes = ["message", mine ? "mine" : "theirs"];
      if (message.failed) classes.push("refused");
      if (!message.failed && message.text.toLocaleLowerCase().includes(mention)) classes.push("mention");
      if (message.urgent) classes.push("urgent");
      // Someone else's message that did not verify shows why, never its text; one of ours that
      // was not sent keeps its text and says so.
      const body = message.failed && !mine ? `Message refused: ${message.failed}` : message.text;
      const when = message.failed && mine ? message.failed : message.seq > 0 ? clockTime(message.sentAt) + this.readMark(message) : "sending…";
      list.appendChild(make("li", { className: classes.join(" ") }, [
        make("span", { className: "meta", text: `${this.nameOf(message.senderID)} · ${when}` }),
        make("p", { className: "body", text: body }),
      ]));
    }
    this.renderWarnings();
    list.scrollTop = toEnd || atBottom ? list.scrollHeight : scrolled;
  }

  /**
   * " · read" on one of ours once every other member's read marker has passed it.
   * @param {Shown} message
   */
  readMark(message) {
    if (message.senderID !== this.me.userID || this.readMarkers.size === 0) return "";
    return [...this.readMarkers.values()].every((seq) => seq >= message.seq) ? " · read" : "";
  }

  renderWarnings() {
    const box = byID("warnings");
    clear(box);
    const roomID = this.current;
    for (const issue of this.messenger.trustIssues) {
      const who = this.names.get(issue.userID) ?? "A member";
      const text = issue.kind === "identityChanged"
        ? `${who}'s identity key changed. Their new device gets nothing from you until you compare safety numbers (People) and confirm.`
        : `${who} has a device that no identity vouches for: it is left out of this conversation.`;
      box.appendChild(make("p", { text }));
    }
    for (const issue of this.messenger.deliveryIssues.filter((i) => i.roomID === roomID)) {
      const who = this.names.get(issue.senderID) ?? "A member";
      box.appendChild(make("p", { text: issue.kind === "missing" ? `${issue.count} message(s) from ${who} did not arrive.` : `A message from ${who} arrived out of order.` }));
    }
  }

  /** @param {string} roomID */
  async renderMembers(roomID) {
    const list = byID("members");
    clear(list);
    const [members, identities] = await Promise.all([this.connection.request("room.members", { roomID }), this.messenger.identitiesIn(roomID)]);
    this.readMarkers.clear();
    for (const member of members.roomMembers ?? []) {
      this.names.set(member.userID, member.displayName);
      if (member.userID !== this.me.userID) this.readMarkers.set(member.userID, member.readSeq ?? 0);
      const item = make("li", { className: "member" }, [
        make("span", { className: `presence ${member.presence}`, attributes: { "aria-hidden": "true" } }),
        make("span", { className: "member-name", text: `${member.displayName} (${member.role})` }),
        make("span", { className: "visually-hidden", text: `, ${member.presence}` }),
      ]);
      const pinned = this.messenger.pinnedIdentity(member.userID);
      const shownKeys = [...(identities.get(member.userID) ?? [])];
      const changed = shownKeys.find((key) => key !== pinned);
      const key = pinned ?? shownKeys[0];
      if (key && member.userID !== this.me.userID) {
        const raw = fromBase64(key);
        if (raw) item.appendChild(make("p", { className: "safety", text: `Safety number: ${await safetyNumber(raw)}` }));
      }
      if (changed && pinned && member.userID !== this.me.userID) {
        const raw = fromBase64(changed);
        if (raw) {
          item.appendChild(make("p", { className: "safety changed", text: `New identity: ${await safetyNumber(raw)}` }));
          const confirm = make("button", { text: "Confirm after comparing", attributes: { type: "button" } });
          confirm.addEventListener("click", () => {
            this.messenger.confirmIdentity(member.userID, raw);
            this.renderMembers(roomID);
            this.renderWarnings();
          });
          item.appendChild(confirm);
        }
      }
      list.appendChild(item);
    }
    this.renderMessages();
  }

  /** @param {string} roomID */
  markRead(roomID) {
    const room = this.rooms.get(roomID);
    const last = (this.shown.get(roomID) ?? []).at(-1)?.seq ?? 0;
    if (!room || last <= 0 || document.hidden) return;
    room.unread = 0;
    room.readSeq = last;
    this.renderRooms();
    this.connection.request("receipt", { roomID, kind: "read", seq: last }).catch(() => {});
  }

  async sendTyped() {
    const roomID = this.current;
    const field = /** @type {HTMLTextAreaElement} */ (byID("message-text"));
    const urgent = /** @type {HTMLInputElement} */ (byID("urgent"));
    const text = field.value.trim();
    if (!roomID || !text) return;
    field.value = "";
    /** @type {Shown} */
    const pending = { seq: -1, senderID: this.me.userID, sentAt: Date.now(), text, failed: null, urgent: urgent.checked };
    this.shown.get(roomID)?.push(pending);
    this.renderMessages(true);
    try {
      const info = await this.messenger.send(text, roomID, { urgent: urgent.checked });
      pending.seq = info.seq;
      pending.sentAt = info.sentAt;
      const room = this.rooms.get(roomID);
      if (room) room.lastSeq = Math.max(room.lastSeq, info.seq);
    } catch (error) {
      pending.failed = `not sent (${explain(error)})`;
    }
    urgent.checked = false;
    this.shown.get(roomID)?.sort((a, b) => (a.seq < 0 ? Infinity : a.seq) - (b.seq < 0 ? Infinity : b.seq));
    this.renderMessages(true);
  }

  /**
   * Server events (PROTOCOL.md, "Events").
   * @param {any} event
   */
  async handle(event) {
    switch (event.type) {
      case "message": {
        const message = event.messageInfo;
        if (!message) return;
        const room = this.rooms.get(message.roomID);
        if (room) room.lastSeq = Math.max(room.lastSeq, message.seq);
        if (this.shown.has(message.roomID)) await this.take(message.roomID, [message], "newer");
        if (message.roomID === this.current) {
          this.renderMessages(true);
          this.markRead(message.roomID);
        } else if (room) {
          room.unread = (room.unread ?? 0) + 1;
          this.renderRooms();
        }
        if (document.hidden) this.notify();
        return;
      }
      case "key":
        for (const delivery of event.keyDeliveries ?? []) await this.messenger.accept(delivery).catch(() => {});
        return;
      case "room":
        if (event.room) this.rooms.set(event.room.roomID, event.room);
        this.renderRooms();
        return;
      case "member.joined":
      case "member.left":
      case "room.epoch":
        this.messenger.forgetSendingKey(event.roomID);
        if (event.roomID === this.current) await this.renderMembers(event.roomID);
        return;
      case "receipt":
        if (event.roomID === this.current && event.kind === "read" && this.readMarkers.has(event.userID)) {
          this.readMarkers.set(event.userID, event.seq);
          this.renderMessages();
        }
        return;
      case "presence":
        if (this.current) await this.renderMembers(this.current);
        return;
      case "notification":
        this.status("You have a new notification.");
        return;
      default:
    }
  }

  /** A browser notification with no personal data in it. */
  notify() {
    if (!("Notification" in globalThis) || Notification.permission !== "granted") return;
    new Notification("Ward", { body: "New message from your care team", tag: "ward-message" });
  }

  /** Everything decrypted, and every listener, goes; the screen is cleared. */
  close() {
    this.listeners.abort();
    this.rooms.clear();
    this.shown.clear();
    this.names.clear();
    this.readMarkers.clear();
    this.current = null;
    for (const id of ["rooms", "messages", "members", "warnings", "search-results"]) clear(byID(id));
    byID("search-results").hidden = true;
    byID("rooms").hidden = false;
    /** @type {HTMLInputElement} */ (byID("search-all")).value = "";
    byID("room-title").textContent = "Choose a conversation";
    byID("whoami").textContent = "";
    /** @type {HTMLFormElement} */ (byID("composer")).reset();
    byID("composer").hidden = true;
    /** @type {HTMLInputElement} */ (byID("search")).value = "";
    document.body.classList.remove("in-room", "people-open");
  }
}

// One WebSocket to the appliance, speaking docs/PROTOCOL.md: JSON text frames, requests with
// numeric ids and the replies that echo them, events (no id) to a listener. The page's own
// origin is the only place it connects to (the Content-Security-Policy allows no other).

/** A refusal from the server: its code (PROTOCOL.md, "Errors") and the message for people. */
export class WardError extends Error {
  /** @param {string} code @param {string} message @param {any} [reply] */
  constructor(code, message, reply) {
    super(message);
    this.code = code;
    this.reply = reply;
  }
}

export class Connection {
  /** @param {string} url @param {(event: any) => void} onEvent @param {(why: string) => void} onClose */
  constructor(url, onEvent, onClose) {
    this.url = url;
    this.onEvent = onEvent;
    this.onClose = onClose;
    this.nextID = 1;
    /** @type {Map<number, {resolve: (reply: any) => void, reject: (error: Error) => void}>} */
    this.waiting = new Map();
    /** @type {WebSocket | null} */
    this.socket = null;
    /** When the last request was sent (ms): the session's idle clock starts there. */
    this.lastRequestAt = 0;
  }

  /** Opens the socket and says hello. */
  async open() {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    await new Promise((resolve, reject) => {
      socket.addEventListener("open", resolve, { once: true });
      socket.addEventListener("error", () => reject(new WardError("unavailable", "the appliance cannot be reached")), { once: true });
    });
    socket.addEventListener("message", (event) => this.receive(event.data));
    socket.addEventListener("close", () => {
      this.socket = null;
      for (const { reject } of this.waiting.values()) reject(new WardError("unavailable", "the connection closed"));
      this.waiting.clear();
      this.onClose("closed");
    });
    await this.request("hello", { version: 1 });
  }

  get isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /** @param {string} text */
  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof frame !== "object" || frame === null) return;
    if (typeof frame.id !== "number") {
      this.onEvent(frame);
      return;
    }
    const waiter = this.waiting.get(frame.id);
    if (!waiter) return;
    this.waiting.delete(frame.id);
    if (frame.type === "error") waiter.reject(new WardError(frame.code ?? "error", frame.message ?? "refused", frame));
    else waiter.resolve(frame);
  }

  /**
   * Sends a request and waits for its reply (an error reply rejects with WardError).
   * @param {string} type @param {Record<string, any>} [fields] @returns {Promise<any>}
   */
  request(type, fields = {}) {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.reject(new WardError("unavailable", "not connected"));
    const id = this.nextID++;
    this.lastRequestAt = Date.now();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      socket.send(JSON.stringify({ ...fields, id, type }));
    });
  }

  close() {
    this.socket?.close(1000);
    this.socket = null;
  }
}

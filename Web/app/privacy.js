// Consent, export and erasure (PROTOCOL.md, "Consent", "Subject access", "Erasure"): each
// purpose with the text in force, given or withdrawn by the person after reading it; everything
// Ward holds about them as one JSON file (docs/export.schema.json) with their messages decrypted
// here, never on the server; a request for erasure, confirmed first; and the person's password.

import { byID, clear, make } from "./dom.js";
import { explain } from "./signin.js";

export class PrivacySection {
  /**
   * @param {import("./connection.js").Connection} connection @param {import("./messenger.js").Messenger} messenger
   * @param {(message: string) => void} status
   */
  constructor(connection, messenger, status) {
    this.connection = connection;
    this.messenger = messenger;
    this.status = status;
    this.listeners = new AbortController();
    const signal = this.listeners.signal;
    byID("export-button").addEventListener("click", () => this.download(), { signal });
    byID("erase-button").addEventListener("click", () => this.askForErasure(), { signal });
    byID("change-password-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.changePassword();
    }, { signal });
  }

  async show() {
    this.render(await this.connection.request("consent.list"));
  }

  /** @param {any} reply a consent reply: `consents` and `consentPurposes` */
  render(reply) {
    const list = byID("consents");
    clear(list);
    for (const purpose of reply.consentPurposes ?? []) {
      const standing = (reply.consents ?? []).find((/** @type {any} */ c) => c.purpose === purpose.purpose && !c.withdrawnAt);
      const item = make("li", { className: "item" }, [
        make("p", { className: "item-title", text: purpose.title }),
        make("p", { text: purpose.text }),
        make("p", { className: "meta", text: standing ? `Given on ${new Date(standing.givenAt * 1000).toLocaleDateString()} (version ${standing.version})` : "Not given" }),
      ]);
      const button = make("button", { className: standing ? "quiet" : "", text: standing ? "Withdraw" : "I agree", attributes: { type: "button" } });
      button.addEventListener("click", async () => {
        try {
          // The version shown is the version agreed to (PROTOCOL.md: nobody agrees to a text they were not shown).
          const changed = standing
            ? await this.connection.request("consent.withdraw", { purpose: purpose.purpose })
            : await this.connection.request("consent.grant", { purpose: purpose.purpose, consentVersion: purpose.version });
          this.render(changed);
          this.status(standing ? "Withdrawn." : "Given.");
        } catch (error) {
          this.status(explain(error));
        }
      });
      item.appendChild(button);
      list.appendChild(item);
    }
  }

  /**
   * Every page of a section of the person's export.
   * @param {string} section
   */
  async pages(section) {
    /** @type {any[]} */
    const pages = [];
    let after = 0;
    for (let count = 0; count < 100000; count++) {
      const reply = await this.connection.request("gdpr.export", { section, ...(after ? { after } : {}) });
      pages.push(reply.exportPage ?? {});
      if (!reply.exportPage?.next) break;
      after = reply.exportPage.next;
    }
    return pages;
  }

  async download() {
    try {
      this.status("Collecting your data…");
      const account = (await this.pages("account"))[0]?.account;
      const rooms = (await this.pages("rooms"))[0]?.rooms ?? [];
      const document = { format: "ward-export-1", exportedAt: Math.floor(Date.now() / 1000), subjectID: account?.profile?.userID ?? "", account, rooms,
                         messages: /** @type {any[]} */ ([]), decrypted: /** @type {Record<string, {text: string, format: string}>} */ ({}),
                         access: /** @type {any[]} */ ([]), records: /** @type {any[]} */ ([]), recordsWithheld: undefined, amendments: /** @type {any[]} */ ([]) };
      for (const section of ["messages", "access", "records"]) {
        for (const page of await this.pages(section)) {
          document.messages.push(...(page.messages ?? []));
          document.access.push(...(page.access ?? []));
          document.records.push(...(page.records ?? []));
          document.amendments.push(...(page.amendments ?? []));
          document.recordsWithheld = page.recordsWithheld ?? document.recordsWithheld;
        }
      }
      // What this device can read is added in the clear, in the file only.
      for (const message of document.messages) {
        try {
          const content = await this.messenger.open(message);
          document.decrypted[message.messageID] = { text: content.body, format: content.format };
        } catch {
          // Sent before this device joined, or not vouched for: kept as ciphertext.
        }
      }
      const url = URL.createObjectURL(new Blob([JSON.stringify(document, null, 2)], { type: "application/json" }));
      const link = make("a", { attributes: { href: url, download: "ward-export.json" } });
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      this.status(`Downloaded: ${document.messages.length} messages (${Object.keys(document.decrypted).length} readable here), ${document.records.length} record entries.`);
    } catch (error) {
      this.status(explain(error));
    }
  }

  async askForErasure() {
    if (!globalThis.confirm("Ask the clinic to erase your data? This cannot be undone once it is carried out.")) return;
    try {
      const reply = await this.connection.request("gdpr.erase.request", {});
      const due = reply.erasureRequests?.[0]?.dueAt;
      this.status(due ? `Your request is filed. It is due by ${new Date(due * 1000).toLocaleDateString()}.` : "Your request is filed.");
    } catch (error) {
      this.status(explain(error));
    }
  }

  async changePassword() {
    const form = /** @type {HTMLFormElement} */ (byID("change-password-form"));
    const current = /** @type {HTMLInputElement} */ (byID("current-password")).value;
    const chosen = /** @type {HTMLInputElement} */ (byID("changed-password")).value;
    const again = /** @type {HTMLInputElement} */ (byID("changed-password-again")).value;
    if (chosen.length < 12) return this.status("Use at least 12 characters.");
    if (chosen !== again) return this.status("The two new passwords differ.");
    try {
      await this.connection.request("password.change", { currentPassword: current, newPassword: chosen });
      form.reset();
      this.status("Your password is changed. Use the new one next time.");
    } catch (error) {
      this.status(explain(error));
    }
  }

  close() {
    this.listeners.abort();
    clear(byID("consents"));
    /** @type {HTMLFormElement} */ (byID("change-password-form")).reset();
  }
}

// Health records (PROTOCOL.md, "Records and emergency access"; docs/RECORDS.md): a patient reads
// their own, with what is withheld from them and on which basis, asks for an entry to be
// amended and files a statement of disagreement with a denial; a clinician opens a patient's
// record by username and, off the care team, declares an emergency access with a reason and
// sees how long it lasts; doctors and nurses add entries and new versions of them (the server's
// policies decide who writes which section: nurses add notes), doctors withhold a version from
// the patient's view and answer amendment requests (accepted with the new text, or denied with
// a reason the patient reads: HIPAA 164.526).

import { byID, clear, make } from "./dom.js";
import { WardError } from "./connection.js";
import { explain } from "./signin.js";

const clinicians = new Set(["Doctor", "Nurse"]);

/** The sections a role adds to, as policies/records.cedar lets them (the server decides). */
const writableSections = /** @type {Record<string, string[]>} */ ({
  Doctor: ["notes", "problems", "medications", "allergies", "demographics"],
  Nurse: ["notes"],
});

/**
 * The FHIR R4 resource (JSON text) a line of text becomes in `section`, as docs/RECORDS.md maps
 * them (the terminal's RecordText.resource); null for an unknown section.
 * @param {string} section @param {string} text
 */
export function resourceFor(section, text) {
  /** @type {Record<string, object>} */
  const resources = {
    demographics: { resourceType: "Patient", name: [{ text }] },
    allergies: { resourceType: "AllergyIntolerance", code: { text } },
    medications: { resourceType: "MedicationStatement", status: "active", medicationCodeableConcept: { text } },
    problems: { resourceType: "Condition", code: { text } },
    notes: { resourceType: "DocumentReference", status: "current", description: text },
  };
  return section in resources ? JSON.stringify(resources[section]) : null;
}

/** Why a version is withheld from its patient, in words (HIPAA 164.524). */
const withheldBasis = /** @type {Record<string, string>} */ ({
  "psychotherapy-notes": "psychotherapy notes",
  endangerment: "a clinician judged that reading it could endanger someone",
});

/**
 * The words of a FHIR resource of one of the record's sections, where RECORDS.md puts them.
 * @param {string} json
 */
export function resourceText(json) {
  try {
    const resource = JSON.parse(json);
    return resource.description ?? resource.code?.text ?? resource.medicationCodeableConcept?.text ?? resource.name?.[0]?.text
      ?? resource.resourceType ?? "an entry";
  } catch {
    return "an entry that cannot be read";
  }
}

export class RecordSection {
  /**
   * @param {import("./connection.js").Connection} connection @param {{userID: string, role: string}} me
   * @param {(message: string) => void} status
   */
  constructor(connection, me, status) {
    this.connection = connection;
    this.me = me;
    this.status = status;
    /** @type {string | null} */
    this.patientID = clinicians.has(me.role) ? null : me.userID;
    this.countdown = 0;
    this.listeners = new AbortController();
    const signal = this.listeners.signal;
    byID("patient-form").hidden = !clinicians.has(me.role);
    byID("patient-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.openByUsername();
    }, { signal });
    byID("breakglass-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.declareEmergency();
    }, { signal });
    const sections = byID("entry-section");
    clear(sections);
    for (const section of writableSections[me.role] ?? []) sections.appendChild(make("option", { text: section, attributes: { value: section } }));
    byID("entry-withhold-row").hidden = me.role !== "Doctor";
    byID("entry-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.addEntry();
    }, { signal });
  }

  async show() {
    if (this.patientID) await this.read(this.patientID);
  }

  async openByUsername() {
    const username = /** @type {HTMLInputElement} */ (byID("patient-username")).value.trim();
    try {
      const found = await this.connection.request("user.find", { username });
      this.patientID = found.users?.[0]?.userID ?? null;
      if (this.patientID) await this.read(this.patientID);
    } catch (error) {
      this.status(explain(error));
    }
  }

  /** @param {string} patientID */
  async read(patientID) {
    byID("breakglass-form").hidden = true;
    byID("entry-form").hidden = true;
    /** @type {any[]} */
    let entries = [];
    /** @type {Record<string, number>} */
    let withheld = {};
    /** @type {any[]} */
    let amendments = [];
    try {
      let after = 0;
      for (let page = 0; page < 1000; page++) {
        const reply = await this.connection.request("record.read", { patientID, ...(after ? { after } : {}) });
        entries = entries.concat(reply.recordEntries ?? []);
        withheld = reply.withheld ?? withheld;
        amendments = amendments.concat(reply.amendments ?? []);
        if (!reply.next || reply.next <= after) break;
        after = reply.next;
      }
    } catch (error) {
      if (error instanceof WardError && error.code === "denied" && clinicians.has(this.me.role)) {
        byID("breakglass-form").hidden = false;
        this.status("You are not on this patient's care team.");
        return;
      }
      this.status(explain(error));
      return;
    }
    byID("entry-form").hidden = !(this.me.role in writableSections);
    this.render(entries, withheld, amendments);
  }

  /** A new entry from the form, in the open record. */
  async addEntry() {
    const section = /** @type {HTMLSelectElement} */ (byID("entry-section")).value;
    const field = /** @type {HTMLTextAreaElement} */ (byID("entry-text"));
    const withhold = /** @type {HTMLSelectElement} */ (byID("entry-withhold")).value;
    const resource = resourceFor(section, field.value.trim());
    if (!this.patientID || !resource || !field.value.trim()) {
      this.status("Write what to record first.");
      return;
    }
    try {
      await this.connection.request("record.write", { patientID: this.patientID, section, resource, ...(withhold ? { withhold } : {}) });
      /** @type {HTMLFormElement} */ (byID("entry-form")).reset();
      this.status("Recorded.");
      await this.read(this.patientID);
    } catch (error) {
      this.status(explain(error));
    }
  }

  /** @param {any[]} entries @param {Record<string, number>} withheld @param {any[]} amendments */
  render(entries, withheld, amendments) {
    const list = byID("record-entries");
    clear(list);
    if (entries.length === 0) list.appendChild(make("li", { className: "empty", text: "Nothing in the record yet." }));
    for (const entry of entries) {
      const item = make("li", { className: "item" }, [
        make("p", { className: "item-title", text: `${entry.section}: ${resourceText(entry.resource)}` }),
        make("p", { className: "meta", text: `version ${entry.version} · ${new Date(entry.createdAt * 1000).toLocaleDateString()} · by a ${entry.authorRole}` }),
      ]);
      if (this.patientID === this.me.userID) {
        const ask = make("button", { className: "quiet", text: "Ask for a change", attributes: { type: "button" } });
        ask.addEventListener("click", () => this.askForChange(entry, item));
        item.appendChild(ask);
      } else if ((writableSections[this.me.role] ?? []).includes(entry.section)) {
        const amend = make("button", { className: "quiet", text: "Write a new version", attributes: { type: "button" } });
        amend.addEventListener("click", () => this.newVersion(entry, item));
        item.appendChild(amend);
      }
      list.appendChild(item);
    }
    const counted = Object.entries(withheld).map(([basis, count]) => `${count} for ${withheldBasis[basis] ?? basis}`);
    byID("withheld").textContent = counted.length ? `Withheld from your view: ${counted.join("; ")}. You may ask the clinic to review this.` : "";
    const requests = byID("amendments");
    clear(requests);
    for (const amendment of amendments) {
      const item = make("li", { className: "item" }, [
        make("p", { className: "item-title", text: `${amendment.section}: “${amendment.request}”` }),
        make("p", { className: "meta", text: `${amendment.status}${amendment.response ? ` · answer: ${amendment.response}` : ""}${amendment.overdue ? " · overdue" : ""}` }),
      ]);
      if (amendment.disagreement) item.appendChild(make("p", { text: `Your statement: ${amendment.disagreement}` }));
      else if (amendment.status === "denied" && this.patientID === this.me.userID) {
        const disagree = make("button", { className: "quiet", text: "File a statement of disagreement", attributes: { type: "button" } });
        disagree.addEventListener("click", () => this.disagree(amendment, item));
        item.appendChild(disagree);
      }
      if (amendment.status === "requested" && this.me.role === "Doctor") {
        const accept = make("button", { className: "quiet", text: "Accept, with the new text", attributes: { type: "button" } });
        accept.addEventListener("click", () => this.answer(amendment, item, "accepted"));
        const deny = make("button", { className: "quiet", text: "Deny, with a reason", attributes: { type: "button" } });
        deny.addEventListener("click", () => this.answer(amendment, item, "denied"));
        item.append(accept, deny);
      }
      requests.appendChild(item);
    }
  }

  /**
   * A text field and a button under `item`; `send` gets the text.
   * @param {HTMLElement} item @param {string} label @param {(text: string) => Promise<void>} send
   */
  textForm(item, label, send) {
    const id = `text-${Math.random().toString(36).slice(2)}`;
    const field = /** @type {HTMLTextAreaElement} */ (make("textarea", { attributes: { id, rows: "2", maxlength: "2000" } }));
    const form = make("form", { className: "inline-form" }, [make("label", { text: label, attributes: { for: id } }), field,
      make("button", { text: "Send", attributes: { type: "submit" } })]);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await send(field.value.trim());
        await this.show();
      } catch (error) {
        this.status(explain(error));
      }
    });
    item.appendChild(form);
    field.focus();
  }

  /** @param {any} entry @param {HTMLElement} item */
  askForChange(entry, item) {
    this.textForm(item, "What should change, and why", async (text) => {
      await this.connection.request("record.amend", { patientID: this.patientID, entryID: entry.entryID, text });
      this.status("Your request was sent. The clinic answers within 60 days.");
    });
  }

  /** @param {any} entry @param {HTMLElement} item */
  newVersion(entry, item) {
    this.textForm(item, "The entry's new text", async (text) => {
      await this.connection.request("record.write", { patientID: this.patientID, section: entry.section, entryID: entry.entryID,
                                                      resource: resourceFor(entry.section, text) });
      this.status("The new version is recorded; the earlier ones are kept.");
    });
  }

  /**
   * A doctor's answer to an amendment request: the amended entry's text, or the reason for a denial.
   * @param {any} amendment @param {HTMLElement} item @param {"accepted" | "denied"} verdict
   */
  answer(amendment, item, verdict) {
    const label = verdict === "accepted" ? "The entry's amended text" : "Why the request is denied (the patient reads this)";
    this.textForm(item, label, async (text) => {
      const fields = verdict === "accepted" ? { resource: resourceFor(amendment.section, text) } : { reason: text };
      await this.connection.request("record.amend.decide", { amendmentID: amendment.amendmentID, verdict, ...fields });
      this.status(verdict === "accepted" ? "Accepted: the amended entry is a new version." : "Denied: the patient is told why and may disagree.");
    });
  }

  /** @param {any} amendment @param {HTMLElement} item */
  disagree(amendment, item) {
    this.textForm(item, "Your statement of disagreement", async (text) => {
      await this.connection.request("record.amend.disagree", { amendmentID: amendment.amendmentID, text });
      this.status("Your statement is kept with the record.");
    });
  }

  async declareEmergency() {
    const reason = /** @type {HTMLTextAreaElement} */ (byID("breakglass-reason")).value.trim();
    if (!this.patientID) return;
    try {
      const reply = await this.connection.request("breakglass.open", { patientID: this.patientID, reason });
      const endsAt = reply.breakGlassUses?.[0]?.endsAt ?? 0;
      clearInterval(this.countdown);
      const tick = () => {
        const left = Math.max(0, endsAt - Math.floor(Date.now() / 1000));
        byID("breakglass-countdown").textContent = left > 0 ? `Emergency access: ${Math.ceil(left / 60)} minute(s) left. The privacy officer has been told.` : "The emergency access has ended.";
      };
      tick();
      this.countdown = setInterval(tick, 15000);
      await this.read(this.patientID);
    } catch (error) {
      this.status(explain(error));
    }
  }

  close() {
    this.listeners.abort();
    clearInterval(this.countdown);
    for (const id of ["record-entries", "amendments"]) clear(byID(id));
    for (const id of ["withheld", "breakglass-countdown"]) byID(id).textContent = "";
    /** @type {HTMLFormElement} */ (byID("patient-form")).reset();
    /** @type {HTMLFormElement} */ (byID("breakglass-form")).reset();
    /** @type {HTMLFormElement} */ (byID("entry-form")).reset();
    byID("breakglass-form").hidden = true;
    byID("entry-form").hidden = true;
  }
}

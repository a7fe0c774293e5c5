// Appointments (PROTOCOL.md, "Appointments"): what is coming up, with cancelling and moving;
// booking a free slot with a clinician; a calendar file of them. Clinicians see their schedule
// and confirm, complete or mark no-shows. Reasons for a visit are never shown here.

import { byID, clear, make } from "./dom.js";
import { explain } from "./signin.js";

const clinicians = new Set(["Doctor", "Nurse"]);

/** @param {number} seconds */
function when(seconds) {
  return new Date(seconds * 1000).toLocaleString([], { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

/**
 * Minutes after midnight as hours and minutes.
 * @param {number} value
 */
function minutes(value) {
  return `${String(Math.floor(value / 60)).padStart(2, "0")}:${String(value % 60).padStart(2, "0")}`;
}

/**
 * A time as iCalendar writes it in UTC (RFC 5545 §3.3.5).
 * @param {number} seconds
 */
function icalTime(seconds) {
  return new Date(seconds * 1000).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

export class AppointmentsSection {
  /**
   * @param {import("./connection.js").Connection} connection @param {{userID: string, role: string}} me
   * @param {(message: string) => void} status
   */
  constructor(connection, me, status) {
    this.connection = connection;
    this.me = me;
    this.status = status;
    /** @type {any[]} */
    this.appointments = [];
    /** @type {string | null} the appointment being moved */
    this.moving = null;
    this.listeners = new AbortController();
    byID("clinician").addEventListener("change", () => this.showSlots(), { signal: this.listeners.signal });
    byID("availability-form").hidden = !clinicians.has(me.role);
    byID("availability-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.addHours();
    }, { signal: this.listeners.signal });
  }

  async show() {
    const list = await this.connection.request("appointment.list", {});
    this.appointments = list.appointments ?? [];
    this.renderAppointments();
    const select = /** @type {HTMLSelectElement} */ (byID("clinician"));
    const chosen = select.value;
    clear(select);
    const bookable = await this.connection.request("availability.clinicians");
    for (const person of bookable.users ?? []) select.appendChild(make("option", { text: `${person.displayName} (${person.role})`, attributes: { value: person.userID } }));
    if (chosen) select.value = chosen;
    await this.showSlots();
    if (clinicians.has(this.me.role)) await this.showAvailability();
  }

  /** A clinician's own hours, each with a way to remove it. */
  async showAvailability() {
    const list = byID("availability");
    clear(list);
    const reply = await this.connection.request("availability.list", {});
    for (const entry of reply.availability ?? []) {
      const text = entry.kind === "weekly"
        ? `Every ${["", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][entry.weekday] ?? "week"}, ${minutes(entry.startMinute)}–${minutes(entry.endMinute)}`
        : `${entry.kind === "open" ? "Open" : "Closed"} ${when(entry.startsAt)} – ${when(entry.endsAt)}`;
      const item = make("li", { className: "item" }, [make("p", { text: `${text} · ${entry.location}` })]);
      item.appendChild(this.button("Remove", () => this.act("availability.remove", { availabilityID: entry.availabilityID }, "Removed.")));
      list.appendChild(item);
    }
  }

  /** Open hours on one day, in this browser's time zone, in the clinic's default slots. */
  async addHours() {
    const day = /** @type {HTMLInputElement} */ (byID("open-date")).value;
    const from = new Date(`${day}T${/** @type {HTMLInputElement} */ (byID("open-from")).value}`).getTime() / 1000;
    const until = new Date(`${day}T${/** @type {HTMLInputElement} */ (byID("open-until")).value}`).getTime() / 1000;
    if (!Number.isFinite(from) || !Number.isFinite(until) || until <= from) {
      this.status("Choose a day, and an end after the start.");
      return;
    }
    await this.act("availability.add", { kind: "open", startsAt: from, endsAt: until }, "Added.");
  }

  renderAppointments() {
    const list = byID("appointments");
    clear(list);
    if (this.appointments.length === 0) list.appendChild(make("li", { className: "empty", text: "No appointments coming up." }));
    const iAmClinician = clinicians.has(this.me.role);
    for (const appointment of this.appointments) {
      const other = iAmClinician ? appointment.patientName : appointment.clinicianName;
      const item = make("li", { className: "item" }, [
        make("p", { className: "item-title", text: `${when(appointment.startsAt)} · ${other ?? ""}` }),
        make("p", { className: "meta", text: `${appointment.location} · ${appointment.status}` }),
      ]);
      const actions = make("div", { className: "actions" });
      const active = appointment.status === "requested" || appointment.status === "confirmed";
      if (active) {
        actions.appendChild(this.button("Cancel", () => this.act("appointment.cancel", { appointmentID: appointment.appointmentID }, "Cancelled.")));
        actions.appendChild(this.button("Move", () => {
          this.moving = appointment.appointmentID;
          this.status("Choose the new time below.");
          byID("clinician").focus();
        }));
      }
      if (iAmClinician && appointment.clinicianID === this.me.userID) {
        if (appointment.status === "requested") actions.appendChild(this.button("Confirm", () => this.update(appointment, "confirmed")));
        if (appointment.status === "confirmed") {
          actions.appendChild(this.button("Completed", () => this.update(appointment, "completed")));
          actions.appendChild(this.button("No-show", () => this.update(appointment, "noShow")));
        }
      }
      item.appendChild(actions);
      list.appendChild(item);
    }
    this.calendar();
  }

  /** @param {string} label @param {() => void} action */
  button(label, action) {
    const button = make("button", { text: label, className: "quiet", attributes: { type: "button" } });
    button.addEventListener("click", action);
    return button;
  }

  /** @param {any} appointment @param {string} status */
  update(appointment, status) {
    return this.act("appointment.update", { appointmentID: appointment.appointmentID, status }, "Updated.");
  }

  /** @param {string} type @param {Record<string, any>} fields @param {string} done */
  async act(type, fields, done) {
    try {
      await this.connection.request(type, fields);
      this.status(done);
      await this.show();
    } catch (error) {
      this.status(explain(error));
    }
  }

  async showSlots() {
    const list = byID("slots");
    clear(list);
    const clinicianID = /** @type {HTMLSelectElement} */ (byID("clinician")).value;
    if (!clinicianID) {
      list.appendChild(make("li", { className: "empty", text: "Nobody can be booked yet." }));
      return;
    }
    const reply = await this.connection.request("appointment.slots", { clinicianID });
    const slots = (reply.slots ?? []).slice(0, 30);
    if (slots.length === 0) list.appendChild(make("li", { className: "empty", text: "No free times in the next two weeks." }));
    for (const slot of slots) {
      list.appendChild(make("li", {}, [this.button(`${when(slot.startsAt)} · ${slot.location}`, () => {
        if (this.moving) {
          const appointmentID = this.moving;
          this.moving = null;
          this.act("appointment.reschedule", { appointmentID, startsAt: slot.startsAt }, "Moved.");
        } else {
          this.act("appointment.book", { clinicianID, startsAt: slot.startsAt }, "Booked.");
        }
      })]));
    }
  }

  /** The coming appointments as an iCalendar file (RFC 5545), made here; no names in it. */
  calendar() {
    const link = /** @type {HTMLAnchorElement} */ (byID("calendar-link"));
    if (link.href.startsWith("blob:")) URL.revokeObjectURL(link.href);
    const events = this.appointments.filter((a) => a.status === "requested" || a.status === "confirmed").map((a) => [
      "BEGIN:VEVENT", `UID:${a.appointmentID}@ward`, `DTSTAMP:${icalTime(Date.now() / 1000)}`, `DTSTART:${icalTime(a.startsAt)}`,
      `DTEND:${icalTime(a.endsAt)}`, "SUMMARY:Clinic appointment", `LOCATION:${String(a.location).replace(/[,;\\]/g, " ")}`, "END:VEVENT",
    ].join("\r\n"));
    const text = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Ward//Appointments//EN", ...events, "END:VCALENDAR", ""].join("\r\n");
    link.href = URL.createObjectURL(new Blob([text], { type: "text/calendar" }));
    link.hidden = events.length === 0;
  }

  close() {
    this.listeners.abort();
    for (const id of ["appointments", "slots", "clinician", "availability"]) clear(byID(id));
    /** @type {HTMLFormElement} */ (byID("availability-form")).reset();
    const link = /** @type {HTMLAnchorElement} */ (byID("calendar-link"));
    if (link.href.startsWith("blob:")) URL.revokeObjectURL(link.href);
    link.href = "#";
  }
}

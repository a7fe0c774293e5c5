// Ward's web client: sign in, set up or reopen this browser's device, then the workspace. The
// session token exists only in this page's memory (a reload signs out; the device stays), and
// the screen is cleared once the person has left the page untouched, or the session has gone
// without a request, as long as the server allows (`idleSeconds` in the session reply: HIPAA
// 164.312(a)(2)(iii), automatic logoff).

import { byID } from "./dom.js";
import { explain, setUpSignIn } from "./signin.js";
import * as keystore from "./keystore.js";
import * as suite from "./suite.js";
import { Messenger } from "./messenger.js";
import { Workspace } from "./workspace.js";
import { WardError } from "./connection.js";
// The other sections, and setting up a new device, are loaded when a session needs them: the
// first load is what the sign-in form needs (the bar: under 150 KB, Tests/Web/chat_scenario.py).

/** When the person last typed, clicked, touched or scrolled (ms). */
let lastActivityAt = Date.now();
for (const kind of ["keydown", "pointerdown", "touchstart", "wheel"]) {
  document.addEventListener(kind, () => { lastActivityAt = Date.now(); }, { passive: true, capture: true });
}

/**
 * @typedef {{show: () => Promise<void>, close: () => void}} Section
 * @type {{workspace: Workspace, sections: Record<string, Section>, connection: import("./connection.js").Connection, idleTimer: number} | null}
 */
let active = null;

let statusTimer = 0;

/**
 * A passing word at the bottom of the screen (a live region: screen readers say it too).
 * @param {string} message
 */
function status(message) {
  byID("status").textContent = message;
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => { byID("status").textContent = ""; }, 8000);
}

/**
 * This browser's device for the person, and the key of their key backup: the one kept in
 * IndexedDB, or a new device with their identity (from its backup, or new: identitysetup.js).
 * @param {import("./connection.js").Connection} connection @param {string} userID
 * @returns {Promise<{device: suite.Device, keyBackup: CryptoKey | null}>}
 */
async function deviceFor(connection, userID) {
  const kept = await keystore.loadDevice(userID);
  if (kept) return { device: await suite.deviceFromKeys(kept.signing, kept.encryption, kept.identity), keyBackup: kept.keyBackup ?? null };
  const { identityFor } = await import("./identitysetup.js");
  const person = await identityFor(connection, userID);
  const device = await suite.makeDevice(person.pair);
  await keystore.saveDevice(userID, { signing: device.signing, encryption: device.encryption, identity: person.pair, keyBackup: person.keyBackup });
  return { device, keyBackup: person.keyBackup };
}

/** @param {string} [message] */
function signOut(message = "You are signed out.") {
  const ending = active;
  active = null;
  if (ending) {
    clearInterval(ending.idleTimer);
    ending.workspace.close();
    for (const section of Object.values(ending.sections)) section.close();
    showSection("messages");
    if (ending.connection.isOpen) ending.connection.request("logout").catch(() => {}).finally(() => ending.connection.close());
  }
  byID("app").hidden = true;
  byID("status").textContent = "";
  byID("signin").hidden = false;
  signIn.reset(message);
}

/** @param {any} event */
function onEvent(event) {
  active?.workspace.handle(event).catch((error) => {
    if (error instanceof WardError && error.code === "session_expired") signOut("Your session ended. Sign in again.");
  });
}

function onClose() {
  if (active) signOut("The connection to the appliance closed. Sign in again.");
}

const signIn = setUpSignIn(async ({ connection, session, username }) => {
  try {
    const [{ AppointmentsSection }, { RecordSection }, { PrivacySection }] =
      await Promise.all([import("./appointments.js"), import("./record.js"), import("./privacy.js")]);
    const { device, keyBackup } = await deviceFor(connection, session.userID);
    const pins = await keystore.loadPins(session.userID);
    const messenger = new Messenger(connection, device, session.userID, pins, (changed) => { keystore.savePins(session.userID, changed); }, keyBackup);
    await messenger.register();
    const workspace = new Workspace(connection, messenger, { userID: session.userID, username, role: session.role }, status);
    const idleMilliseconds = (session.idleSeconds ?? 15 * 60) * 1000;
    lastActivityAt = Date.now();
    const idleTimer = setInterval(() => {
      // Whichever comes first: the person has not touched the page for the limit (the page's own
      // receipts must not keep an unattended screen open), or the server's session has ended.
      if (Date.now() - lastActivityAt >= idleMilliseconds || Date.now() - connection.lastRequestAt >= idleMilliseconds) {
        signOut(`You were signed out after ${Math.round(idleMilliseconds / 60000) || 1} minute(s) without activity.`);
      }
    }, 1000);
    const me = { userID: session.userID, role: session.role };
    const sections = {
      appointments: new AppointmentsSection(connection, me, status),
      record: new RecordSection(connection, me, status),
      privacy: new PrivacySection(connection, messenger, status),
    };
    active = { workspace, sections, connection, idleTimer };
    byID("signin").hidden = true;
    byID("app").hidden = false;
    await workspace.start();
    byID("rooms").querySelector("button")?.focus();
  } catch (error) {
    signOut(error instanceof Error ? "Signing in failed: " + error.message : "Signing in failed.");
    connection.close();
  }
}, onEvent, onClose);

/**
 * Messages, appointments, the record or privacy: one at a time.
 * @param {string} name
 */
function showSection(name) {
  document.body.dataset.section = name;
  for (const button of document.querySelectorAll(".section-button")) {
    if (button instanceof HTMLElement && button.dataset.section === name) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
  }
}

for (const button of document.querySelectorAll(".section-button")) {
  button.addEventListener("click", async () => {
    const name = button instanceof HTMLElement ? button.dataset.section ?? "messages" : "messages";
    showSection(name);
    try {
      await active?.sections[name]?.show();
    } catch (error) {
      status(explain(error));
    }
  });
}
showSection("messages");

byID("signout-button").addEventListener("click", () => signOut());
byID("notify-button").addEventListener("click", async () => {
  if (!("Notification" in globalThis)) return;
  const answer = await Notification.requestPermission();
  status(answer === "granted" ? "Notifications are on. They never show who wrote or what." : "Notifications stay off.");
});

if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
document.body.classList.add("ready");
// When the sign-in form can be used: what the load-time bar is measured to (Tests/Web).
performance.mark("ward-ready");

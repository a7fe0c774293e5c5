// The person's identity in a browser that has none for them yet (docs/PROTOCOL.md, "Identities";
// `ward` asks the same at a terminal): taken from the backup on the appliance with the recovery
// key they wrote down, so that this browser is theirs to everyone who pinned them and reads their
// history; or, on their first device (or when the key is lost), a new identity whose backup is
// stored under a new recovery key, shown once.

import { byID } from "./dom.js";
import { WardError } from "./connection.js";
import { showCard } from "./signin.js";
import * as identity from "./identity.js";

/**
 * Takes the listeners of a question left unanswered (the person signed in again meanwhile): its
 * promise stays pending, and goes with the sign-in that asked.
 */
let abandonPending = () => {};

/**
 * @param {import("./connection.js").Connection} connection @param {string} userID
 * @returns {Promise<identity.Identity>}
 */
export async function identityFor(connection, userID) {
  /** @type {string | null} */
  let backup = null;
  try {
    backup = (await connection.request("identity.backup")).backup ?? null;
  } catch (error) {
    if (!(error instanceof WardError && error.code === "not_found")) throw error;
  }
  if (backup) {
    const restored = await askRecoveryKey(backup, userID);
    if (restored) return restored;
  }
  const recoveryKey = identity.makeRecoveryKey();
  const made = await identity.makeIdentity(userID, recoveryKey);
  await connection.request("identity.backup", { backup: made.backup });
  await showRecoveryKey(recoveryKey);
  return made.identity;
}

/**
 * Asks for the recovery key until it opens the backup (the identity), or the person chooses a
 * new identity after being told what that means (null).
 * @param {string} backup @param {string} userID @returns {Promise<identity.Identity | null>}
 */
function askRecoveryKey(backup, userID) {
  const form = /** @type {HTMLFormElement} */ (byID("recovery-key-form"));
  const input = /** @type {HTMLInputElement} */ (byID("recovery-key"));
  const errorLine = byID("recovery-key-error");
  const startNew = /** @type {HTMLButtonElement} */ (byID("new-identity-button"));
  abandonPending();
  form.reset();
  errorLine.textContent = "";
  showCard(form);
  return new Promise((resolve) => {
    let warned = false;
    const stopListening = () => {
      form.removeEventListener("submit", submitted);
      startNew.removeEventListener("click", chooseNew);
    };
    /** @param {identity.Identity | null} result */
    const done = (result) => {
      stopListening();
      abandonPending = () => {};
      form.reset();
      resolve(result);
    };
    /** @param {SubmitEvent} event */
    const submitted = async (event) => {
      event.preventDefault();
      if (!input.value.trim()) {
        errorLine.textContent = "Enter the recovery key: eight groups of four letters and digits.";
        return;
      }
      errorLine.textContent = "Opening your identity…";
      try {
        done(await identity.openIdentityBackup(backup, userID, input.value));
      } catch (error) {
        errorLine.textContent = error instanceof identity.BackupError && error.kind === "wrongRecoveryKey"
          ? "That recovery key does not open your identity. Check it and try again."
          : (error instanceof Error ? error.message : String(error));
      }
    };
    const chooseNew = () => {
      if (!warned) {
        warned = true;
        errorLine.textContent = "With a new identity, the people you talk with are told your identity changed, your other devices are left out, and this browser cannot read earlier messages. Press again to go ahead.";
        return;
      }
      done(null);
    };
    form.addEventListener("submit", submitted);
    startNew.addEventListener("click", chooseNew);
    abandonPending = stopListening;
  });
}

/**
 * Shows the new recovery key until the person says they wrote it down; then it is gone from the page.
 * @param {string} recoveryKey @returns {Promise<void>}
 */
function showRecoveryKey(recoveryKey) {
  const shown = byID("recovery-key-shown");
  const text = byID("recovery-key-text");
  const done = byID("recovery-key-done");
  abandonPending();
  text.textContent = recoveryKey;
  showCard(shown);
  return new Promise((resolve) => {
    const clicked = () => {
      done.removeEventListener("click", clicked);
      abandonPending = () => {};
      text.textContent = "";
      shown.hidden = true;
      resolve();
    };
    done.addEventListener("click", clicked);
    abandonPending = () => {
      done.removeEventListener("click", clicked);
      text.textContent = "";
    };
  });
}

// Signing in (PROTOCOL.md: `login`, `password.change`, `totp.enroll`, `totp.confirm`): the
// password, a second factor when the account has one, a new password in place of a one-time
// one, and for staff a second factor set up in the session that replaced the one-time password.

import { byID, clear, make } from "./dom.js";
import { Connection, WardError } from "./connection.js";

/** @typedef {{connection: Connection, session: any, username: string}} SignedIn */

/** Messages for refusals, by code: what the person can do about it. */
const explanations = /** @type {Record<string, string>} */ ({
  invalid_credentials: "The username, password or code is not right.",
  weak_password: "The new password is too short or the same as before: use at least 12 characters.",
  busy: "The appliance is busy checking passwords. Try again in a few seconds.",
  unavailable: "The appliance cannot be reached. Check the network and try again.",
  enrolment_code_required: "Ask your administrator for an enrolment code to set up a second factor.",
});

/**
 * What a refusal by each of these policies (policies/*.cedar) means to the person refused, and
 * what they can do about it (the terminal's Refusal.swift says the same).
 */
const policyMeanings = /** @type {Record<string, string>} */ ({
  "care-messaging-needs-consent": "Messages in a care room need the patient's consent to messaging. A patient gives it under Privacy.",
  "sharing-needs-consent": "Sharing a record needs the patient's consent to record sharing.",
  "staff-need-second-factor": "Staff accounts need a second factor first.",
  "other-staff-not-in-care-rooms": "Staff without a clinical role do not take part in patients' care rooms.",
  "patients-find-their-care-team": "Patients find only the clinicians on their care team.",
  "other-staff-do-not-find-patients": "Staff without a clinical role do not look up patients.",
  "only-doctors-withhold": "Only doctors withhold part of a record from its patient.",
});

/** @param {unknown} error */
export function explain(error) {
  if (error instanceof WardError) {
    if (error.code === "signin_throttled") return `Too many failed sign-ins. Try again in ${error.reply?.retryAfter ?? 30} seconds.`;
    if (error.code === "denied") {
      /** @type {string[]} */
      const policies = Array.isArray(error.reply?.policies) ? error.reply.policies.filter((/** @type {unknown} */ p) => typeof p === "string") : [];
      const meaning = policies.map((id) => policyMeanings[id]).find((m) => m !== undefined);
      const detail = policies.length ? ` (policy ${policies.slice(0, 4).join(", ")})` : "";
      return (meaning ?? "The clinic's policy does not allow this.") + detail;
    }
    return explanations[error.code] ?? error.message;
  }
  return "Something went wrong: " + String(error);
}

/**
 * Shows one of the sign-in screen's cards (the others hidden) and puts the focus in it.
 * @param {HTMLElement} shown
 */
export function showCard(shown) {
  for (const part of byID("signin").querySelectorAll(":scope > .card")) {
    if (part instanceof HTMLElement) part.hidden = part !== shown;
  }
  const first = shown.querySelector("input, button");
  if (first instanceof HTMLElement) first.focus();
}

/**
 * Wires the sign-in forms; `signedIn` gets the open connection and the session reply.
 * @param {(signedIn: SignedIn) => void} signedIn @param {(event: any) => void} onEvent @param {() => void} onClose
 * @returns {{reset: (message?: string) => void}}
 */
export function setUpSignIn(signedIn, onEvent, onClose) {
  const form = /** @type {HTMLFormElement} */ (byID("signin-form"));
  const passwordForm = /** @type {HTMLFormElement} */ (byID("password-form"));
  const enrolForm = /** @type {HTMLFormElement} */ (byID("enrol-form"));
  const recovery = byID("recovery-codes");
  const errorLine = byID("signin-error");
  const username = /** @type {HTMLInputElement} */ (byID("username"));
  const password = /** @type {HTMLInputElement} */ (byID("password"));
  const totp = /** @type {HTMLInputElement} */ (byID("totp"));
  /** @type {Connection | null} */
  let connection = null;
  /** @type {any} */
  let session = null;
  let oneTimePassword = "";


  function finish() {
    if (!connection) return;
    const done = { connection, session, username: username.value.trim() };
    connection = null;
    password.value = "";
    totp.value = "";
    signedIn(done);
  }

  function afterPassword() {
    if (session.role !== "Patient" && !session.secondFactor && oneTimePassword) {
      connection?.request("totp.enroll").then((reply) => {
        byID("enrol-secret").textContent = reply.secret;
        showCard(enrolForm);
      }, (error) => {
        errorLine.textContent = explain(error);
        finish();
      });
      return;
    }
    finish();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorLine.textContent = "";
    if (!username.value.trim() || !password.value) {
      errorLine.textContent = "Enter your username and password.";
      return;
    }
    try {
      if (!connection?.isOpen) {
        connection = new Connection(`wss://${location.host}/v1/ws`, onEvent, onClose);
        await connection.open();
      }
      const fields = /** @type {Record<string, string>} */ ({ username: username.value.trim(), password: password.value });
      if (totp.value.trim()) fields.totp = totp.value.trim();
      session = await /** @type {Connection} */ (connection).request("login", fields);
      if (session.mustChangePassword) {
        oneTimePassword = password.value;
        showCard(passwordForm);
        return;
      }
      oneTimePassword = "";
      finish();
    } catch (error) {
      if (error instanceof WardError && error.code === "second_factor_required") {
        byID("totp-row").hidden = false;
        totp.focus();
        errorLine.textContent = "Enter the code from your authenticator app.";
        return;
      }
      errorLine.textContent = explain(error);
    }
  });

  passwordForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = /** @type {HTMLInputElement} */ (byID("new-password")).value;
    const again = /** @type {HTMLInputElement} */ (byID("repeat-password")).value;
    if (chosen.length < 12) {
      errorLine.textContent = "Use at least 12 characters.";
      return;
    }
    if (chosen !== again) {
      errorLine.textContent = "The two passwords differ.";
      return;
    }
    try {
      await connection?.request("password.change", { currentPassword: oneTimePassword, newPassword: chosen });
      errorLine.textContent = "";
      session.mustChangePassword = false;
      afterPassword();
    } catch (error) {
      errorLine.textContent = explain(error);
    }
  });

  enrolForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const code = /** @type {HTMLInputElement} */ (byID("enrol-code")).value.trim();
      const reply = await connection?.request("totp.confirm", { totp: code });
      session.secondFactor = true;
      const list = byID("recovery-list");
      clear(list);
      for (const recoveryCode of reply?.recoveryCodes ?? []) list.appendChild(make("li", { text: recoveryCode }));
      errorLine.textContent = "";
      showCard(recovery);
    } catch (error) {
      errorLine.textContent = explain(error);
    }
  });

  byID("recovery-done").addEventListener("click", () => {
    clear(byID("recovery-list"));
    finish();
  });

  return {
    /**
     * Back to the first form, everything typed gone.
     * @param {string} [message]
     */
    reset(message = "") {
      connection?.close();
      connection = null;
      session = null;
      oneTimePassword = "";
      for (const part of [form, passwordForm, enrolForm]) part.reset();
      byID("enrol-secret").textContent = "";
      clear(byID("recovery-list"));
      byID("totp-row").hidden = true;
      showCard(form);
      errorLine.textContent = message;
    },
  };
}

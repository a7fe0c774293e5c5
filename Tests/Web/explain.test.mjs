// Refusals in words (Web/app/signin.js `explain`): what the person can do, the policy id as a detail.
import { test } from "node:test";
import assert from "node:assert/strict";
import { explain } from "../../Web/app/signin.js";
import { WardError } from "../../Web/app/connection.js";

test("a refusal the person can resolve says how, with the policy id as a detail", () => {
  const consent = explain(new WardError("denied", "refused by policy", { policies: ["care-messaging-needs-consent"] }));
  assert.match(consent, /^Messages in a care room need the patient's consent.*Privacy\. \(policy care-messaging-needs-consent\)$/);
  assert.equal(explain(new WardError("denied", "refused by policy", { policies: ["x-new"] })), "The clinic's policy does not allow this. (policy x-new)");
  assert.equal(explain(new WardError("denied", "refused by policy", {})), "The clinic's policy does not allow this.");
  assert.equal(explain(new WardError("invalid_credentials", "no")), "The username, password or code is not right.");
});

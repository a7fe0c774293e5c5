"""A doctor on the patient's care team, new to Ward, on a desktop (1440x900): the first sign-in
(new password, second factor, recovery codes, recovery key), then the patient's record: adds an
entry, and accepts the patient's amendment request with the entry's new text (a new version):

  python3 doctor_scenario.py URL USERNAME ONE_TIME_PASSWORD NEW_PASSWORD PATIENT ARTIFACTS

Exits 1 on a failure."""
import sys
import time

from browser import Keys, check, run_scenario, totp


def main():
    url, username, one_time, new_password, patient, artifacts = sys.argv[1:7]

    def steps(b):
        b.driver.get(url)
        b.wait("the sign-in form", lambda: b.visible("signin-form"))
        b.element("username").send_keys(username)
        b.element("password").send_keys(one_time, Keys.ENTER)
        b.wait("the new-password form", lambda: b.visible("password-form"))
        b.element("new-password").send_keys(new_password)
        b.element("repeat-password").send_keys(new_password, Keys.ENTER)
        b.wait("the second-factor enrolment", lambda: b.visible("enrol-form") and b.element("enrol-secret").text)
        b.element("enrol-code").send_keys(totp(b.element("enrol-secret").text, time.time()), Keys.ENTER)
        b.wait("the recovery codes", lambda: b.visible("recovery-codes") and b.element("recovery-list").text)
        b.element("recovery-done").click()
        b.take_recovery_key()
        b.wait("the workspace", lambda: b.visible("app"), 30)

        b.click_text(".section-button", "Record")
        b.element("patient-username").send_keys(patient, Keys.ENTER)
        b.wait("the record, and the form to add to it", lambda: "Slept well, no pain overnight" in b.element("record-entries").text and b.visible("entry-form"))
        check(b.visible("entry-withhold-row"), "a doctor may withhold a version from the patient's view")
        b.axe("record (doctor)")
        b.js("document.getElementById('entry-section').value = 'problems'")
        b.element("entry-text").send_keys("Night pain")
        b.click_text("#entry-form button", "Record it")
        b.wait("the new entry", lambda: "problems: Night pain" in b.element("record-entries").text)

        b.wait("the patient's request", lambda: "I had pain at night" in b.element("amendments").text)
        b.click_text("#amendments button", "Accept, with the new text")
        b.wait("the answer form", lambda: b.js("return document.activeElement && document.activeElement.tagName") == "TEXTAREA")
        b.keys("Slept well; pain at night, eased by paracetamol")
        b.click_text("#amendments button", "Send")
        b.wait("the request accepted", lambda: "accepted" in b.element("amendments").text)
        b.wait("the amended entry", lambda: "notes: Slept well; pain at night, eased by paracetamol" in b.element("record-entries").text)
        check("version 2" in b.element("record-entries").text, "the amendment is a new version of the entry")
        b.axe("record after an amendment (doctor)")
        b.screenshot(f"{artifacts}/desktop-doctor-record.png")

    return run_scenario(1440, 900, f"{artifacts}/failure-doctor.png", steps)


if __name__ == "__main__":
    sys.exit(main())

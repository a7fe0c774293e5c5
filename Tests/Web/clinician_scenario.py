"""A nurse off the patient's care team on a tablet (768x1024): signing in asks for the second
factor; the record is refused until an emergency access is declared with a reason, then shows,
with how long the access lasts:

  python3 clinician_scenario.py URL USERNAME PASSWORD TOTP_SECRET PATIENT ARTIFACTS

Exits 1 on a failure."""
import sys
import time

from browser import Keys, check, run_scenario, totp


def main():
    url, username, password, secret, patient, artifacts = sys.argv[1:7]

    def steps(b):
        b.sign_in_to_second_factor(url, username, password, screen="second factor")
        # The next step's code: the enrolment used this step's, and a code works once.
        b.keys(totp(secret, time.time() + 30), Keys.ENTER)
        b.take_recovery_key()
        b.wait("the workspace", lambda: b.visible("app"), 30)
        b.click_text(".section-button", "Record")
        b.wait("the patient field", lambda: b.visible("patient-form"))
        b.element("patient-username").send_keys(patient, Keys.ENTER)
        b.wait("the emergency access form", lambda: b.visible("breakglass-form"))
        b.axe("emergency access")
        b.element("breakglass-reason").send_keys("Found unresponsive on the ward, need allergies now")
        b.click_text("#breakglass-form button", "Declare an emergency")
        b.wait("the record", lambda: "Slept well, no pain overnight" in b.element("record-entries").text)
        check("minute(s) left" in b.element("breakglass-countdown").text, "the countdown shows")
        b.screenshot(f"{artifacts}/tablet-emergency-access.png")
        # Clinicians keep their hours: three open hours the day after tomorrow, then removed.
        b.click_text(".section-button", "Appointments")
        b.wait("the clinician's hours", lambda: b.visible("availability-form"))
        day = time.strftime("%Y-%m-%d", time.localtime(time.time() + 2 * 86400))
        b.js("document.getElementById('open-date').value = arguments[0]", day)
        b.click_text("#availability-form button", "Add these hours")
        b.wait("the new hours", lambda: "Open " in b.element("availability").text)
        b.axe("appointments (clinician)")
        b.click_text("#availability button", "Remove")
        b.wait("the hours removed", lambda: "Open " not in b.element("availability").text)

    return run_scenario(768, 1024, f"{artifacts}/failure-clinician.png", steps)


if __name__ == "__main__":
    sys.exit(main())

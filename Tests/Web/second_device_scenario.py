"""A nurse whose identity was made by `ward` at a terminal makes a browser one of her devices
with the recovery key `ward` showed her, and reads the conversation she had there (the terminal's
key backup) without anyone being told her identity changed:

  python3 second_device_scenario.py URL USERNAME PASSWORD TOTP_SECRET RECOVERY_KEY NOT_BEFORE ARTIFACTS EXPECTED...

NOT_BEFORE: a Unix time before which no code is typed (the terminal used the codes before it; a
code works once). EXPECTED: message texts the conversation must show, decrypted. Exits 1 on a
failure."""
import sys
import time

from browser import Keys, check, run_scenario, totp


def main():
    url, username, password, secret, recovery_key, not_before, artifacts = sys.argv[1:8]
    expected = sys.argv[8:]

    def steps(b):
        b.sign_in_to_second_factor(url, username, password)
        time.sleep(max(0.0, float(not_before) - time.time()))
        b.keys(totp(secret, time.time()), Keys.ENTER)
        # Her identity has a backup: the browser asks for its recovery key instead of making one.
        b.wait("the recovery key form", lambda: b.visible("recovery-key-form") and b.focused_id() == "recovery-key", 30)
        b.axe("recovery key")
        b.keys("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH", Keys.ENTER)
        b.wait("the wrong key refused", lambda: "does not open" in b.element("recovery-key-error").text, 30)
        b.screenshot(f"{artifacts}/phone-recovery-key.png")
        b.element("recovery-key").clear()
        # As people type it: small letters, spaces for dashes.
        b.element("recovery-key").send_keys(recovery_key.lower().replace("-", " "), Keys.ENTER)
        b.wait("the conversations", lambda: b.visible("rooms") and b.js("return document.querySelectorAll('#rooms .room').length") > 0, 60)
        check(not b.visible("recovery-key-shown"), "no new recovery key: the identity is the one from the terminal")
        # Her conversation with the patient (the other is the staff room, Handover).
        b.js("Array.from(document.querySelectorAll('#rooms .room')).find(r => !r.innerText.includes('Handover')).click()")
        b.wait("the terminal's conversation, decrypted from the key backup",
               lambda: all(any(text in m for m in b.messages()) for text in expected), 60)
        check(not any("refused" in m for m in b.messages()), f"every message opens: {b.messages()}")
        check(b.js("return document.querySelectorAll('#messages .refused').length") == 0, "no message is refused")
        check("identity key changed" not in b.text(), "nobody's identity is said to have changed")
        b.screenshot(f"{artifacts}/phone-second-device.png")

    return run_scenario(360, 740, f"{artifacts}/failure-second-device.png", steps)


if __name__ == "__main__":
    sys.exit(main())

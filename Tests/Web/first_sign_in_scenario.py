"""A new patient's first sign-in on a phone, then automatic logoff
(Tests/WardServerTests/WebClientServingTests starts a server whose sessions end after a few idle
seconds, creates the account, then runs this):

  python3 first_sign_in_scenario.py URL USERNAME ONE_TIME_PASSWORD NEW_PASSWORD ARTIFACTS

A wrong password is refused with a clear line; the one-time password leads to choosing a new
one (too short is refused); the workspace opens; once the session has been idle as long as the
server allows, the screen is cleared and says why. Exits 1 on a failure."""
import sys

from browser import Keys, check, run_scenario


def main():
    url, username, one_time, new_password, artifacts = sys.argv[1:6]

    def steps(b):
        b.driver.get(url)
        b.wait("the sign-in form", lambda: b.visible("signin-form"))
        b.element("username").send_keys(username)
        b.element("password").send_keys("not the password", Keys.ENTER)
        b.wait("the refusal", lambda: "not right" in b.element("signin-error").text)
        b.element("password").clear()
        b.element("password").send_keys(one_time, Keys.ENTER)
        b.wait("the new-password form", lambda: b.visible("password-form"))
        check(b.focused_id() == "new-password", "the new password field takes the focus")
        b.axe("choose a new password")
        b.keys("short", Keys.TAB, "short", Keys.ENTER)
        b.wait("the length rule", lambda: "12 characters" in b.element("signin-error").text)
        b.element("new-password").clear()
        b.element("repeat-password").clear()
        b.element("new-password").send_keys(new_password)
        b.element("repeat-password").send_keys(new_password, Keys.ENTER)
        b.take_recovery_key()
        b.wait("the workspace", lambda: b.visible("app") and "No conversations yet" in b.text(), 30)
        check("pat.new (Patient)" in b.text(), "the top bar says who is signed in")
        b.screenshot(f"{artifacts}/phone-first-sign-in.png")
        # Idle: the server's limit (a few seconds here) passes without a request.
        b.wait("the automatic logoff", lambda: b.visible("signin-form") and not b.visible("app"), 20)
        check("without activity" in b.element("signin-error").text, "the sign-in form says why the session ended")
        check(b.js("return document.querySelectorAll('#rooms li, #messages li, #members li').length") == 0, "the screen is cleared")
        check("pat.new (Patient)" not in b.text(), "nothing of the session is left on the screen")
        # The new password works (the device made at the first sign-in is used again).
        b.element("username").send_keys(username)
        b.element("password").send_keys(new_password, Keys.ENTER)
        b.wait("the workspace again", lambda: b.visible("app"), 30)
        devices = b.driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const r = indexedDB.open('ward');
            r.onsuccess = () => { const q = r.result.transaction('devices').objectStore('devices').count(); q.onsuccess = () => done(q.result); };
            r.onerror = () => done(-1);""")
        check(devices == 1, f"one device kept for the person, not {devices}")
        # She changes her password herself (Privacy); a wrong current password is refused.
        newer = new_password + " again"
        b.click_text(".section-button", "Privacy")
        b.wait("the password form", lambda: b.visible("change-password-form"))
        b.element("current-password").send_keys("not my password")
        b.element("changed-password").send_keys(newer)
        b.element("changed-password-again").send_keys(newer, Keys.ENTER)
        b.wait("the refusal", lambda: "not right" in b.element("status").text)
        b.element("current-password").clear()
        b.element("current-password").send_keys(new_password, Keys.ENTER)
        b.wait("the change", lambda: "password is changed" in b.element("status").text)
        b.element("signout-button").click()
        b.wait("signed out", lambda: b.visible("signin-form"))
        b.element("username").send_keys(username)
        b.element("password").send_keys(newer, Keys.ENTER)
        b.wait("the workspace with the newer password", lambda: b.visible("app"), 30)

    return run_scenario(360, 740, f"{artifacts}/failure-first-sign-in.png", steps)


if __name__ == "__main__":
    sys.exit(main())

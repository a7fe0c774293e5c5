"""Headless Chromium (Debian's chromium and chromium-driver) driven by Selenium for the web
client's end-to-end tests, with axe-core (axe-selenium-python) for accessibility. Imported by
the scenarios in this folder; every wait is bounded."""
import json
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.action_chains import ActionChains
from selenium_axe_python import Axe


class ScenarioFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise ScenarioFailure(message)


class Browser:
    def __init__(self, width, height):
        options = Options()
        options.binary_location = "/usr/bin/chromium"
        # --no-sandbox: Chromium refuses to run as root with its sandbox (CI runs as root);
        # the appliance's certificate is its own CA's, which this throwaway profile does not hold.
        for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--ignore-certificate-errors",
                         "--no-first-run", "--disable-extensions", f"--window-size={width},{height}"]:
            options.add_argument(argument)
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.driver.set_page_load_timeout(30)
        self.driver.set_script_timeout(30)
        self.resize(width, height)

    def resize(self, width, height):
        # The viewport, not the window: the window's frame is added around it.
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 768})

    def allow_downloads(self, directory):
        self.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": directory})

    def click_text(self, selector, text):
        """Clicks the first element matching `selector` whose text contains `text`."""
        for element in self.driver.find_elements(By.CSS_SELECTOR, selector):
            if text in element.text:
                element.click()
                return
        raise ScenarioFailure(f"no {selector} saying {text!r}")

    def quit(self):
        self.driver.quit()

    def js(self, script, *arguments):
        return self.driver.execute_script(script, *arguments)

    def wait(self, what, condition, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                if condition():
                    return
            except Exception:  # an element not there yet
                pass
            time.sleep(0.1)
        raise ScenarioFailure(f"timed out waiting for {what}; the page says: {self.text()[:600]!r}")

    def text(self):
        return self.js("return document.body.innerText") or ""

    def visible(self, element_id):
        return self.js("const e = document.getElementById(arguments[0]); return !!e && !e.hidden && e.offsetParent !== null", element_id)

    def element(self, element_id):
        return self.driver.find_element(By.ID, element_id)

    def keys(self, *keys):
        ActionChains(self.driver).send_keys(*keys).perform()

    def focused_id(self):
        return self.js("return document.activeElement ? document.activeElement.id : ''")

    def screenshot(self, path):
        self.driver.save_screenshot(path)

    def axe(self, screen):
        """axe-core's WCAG 2.x A/AA rules on what is shown; serious or critical violations fail."""
        axe = Axe(self.driver)
        axe.inject()
        results = axe.run(options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})
        bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
        check(not bad, f"accessibility on {screen}: " + json.dumps([(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in bad]))
        return len(results["violations"])

    def sign_in_to_second_factor(self, url, username, password, screen=None):
        """Opens the app and signs in with the password, up to the second factor's field (which
        has the focus); `screen`: check it with axe-core."""
        self.driver.get(url)
        self.wait("the sign-in form", lambda: self.visible("signin-form"))
        self.element("username").send_keys(username)
        self.element("password").send_keys(password, Keys.ENTER)
        self.wait("the second-factor field", lambda: self.visible("totp-row") and self.focused_id() == "totp")
        if screen:
            self.axe(screen)

    def take_recovery_key(self, screen=None):
        """The new identity's recovery key, shown once at a person's first sign-in in a browser:
        read, checked for its form (eight groups of four base32 characters), acknowledged with
        the keyboard (the button has the focus). `screen`: check the card with axe-core."""
        import re
        self.wait("the new recovery key", lambda: self.visible("recovery-key-shown") and self.element("recovery-key-text").text, 60)
        key = self.element("recovery-key-text").text
        check(re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){7}", key), f"a recovery key of eight groups of four: {key!r}")
        if screen:
            self.axe(screen)
        check(self.focused_id() == "recovery-key-done", "the acknowledgement button has the focus")
        self.keys(Keys.ENTER)
        self.wait("the recovery key gone", lambda: not self.visible("recovery-key-shown") and not self.element("recovery-key-text").get_attribute("textContent"))
        return key

    def messages(self):
        return self.js("return Array.from(document.querySelectorAll('#messages .message')).map(m => m.innerText)") or []


def in_page_scene(room_id):
    """The start of a script run in the page (execute_async_script) with the client's own
    modules: Alice's and Bob's devices, a sender key of Alice's (`chain`, `keyID`) sealed to Bob
    (`delivery`), `server`, a connection that answers keys.get and keys.fetch as an honest server
    would, and `readerFor(server)`, a workspace reading as Bob through it. The script goes on from
    there, inside an async function, and returns what it found."""
    return """
const done = arguments[arguments.length - 1];
(async () => {
  const suite = await import('/app/suite.js');
  const { Messenger } = await import('/app/messenger.js');
  const { Workspace } = await import('/app/workspace.js');
  const roomID = '%s';
  const alice = await suite.makeDevice(await suite.makeIdentity());
  const bob = await suite.makeDevice(await suite.makeIdentity());
  const aliceKeys = await suite.publicKeys(alice, 'user-alice');
  const bobKeys = await suite.publicKeys(bob, 'user-bob');
  const chain = suite.SenderChain.random();
  const keyID = suite.makeKeyID();
  const share = await suite.sealShare({ roomID, keyID, chain: new suite.SenderChain(0, chain.chainKey) }, await suite.verifyDeviceKeys(bobKeys), alice);
  const delivery = { roomID, keyID, senderID: 'user-alice', senderDevice: alice.deviceID, suite: suite.suiteName, sealed: share.sealed };
  const server = { lastRequestAt: 0, async request(type) {
    if (type === 'keys.get') return { devices: [aliceKeys, bobKeys], epoch: 1 };
    if (type === 'keys.fetch') return { keyDeliveries: [delivery] };
    return {};
  } };
  const readerFor = (connection) => {
    const workspace = Object.create(Workspace.prototype);
    Object.assign(workspace, { messenger: new Messenger(connection, bob, 'user-bob', {}, () => {}), shown: new Map([[roomID, []]]) });
    return workspace;
  };
""" % room_id


def run_scenario(width, height, failure_screenshot, steps):
    """Runs `steps(browser)` in a new browser of that viewport; on any failure (a ScenarioFailure,
    or Selenium's own: a timeout, a lost session) saves a screenshot and says why on standard
    error. Returns the exit status: 0 when every step passed."""
    import sys
    b = Browser(width, height)
    try:
        steps(b)
        return 0
    except Exception as failure:
        b.screenshot(failure_screenshot)
        print(f"FAILED: {type(failure).__name__}: {failure}", file=sys.stderr)
        return 1
    finally:
        b.quit()


def totp(secret, at):
    """RFC 6238 (HMAC-SHA-1, 30-second steps, 6 digits) for a base32 secret, as authenticator apps compute it."""
    import base64, hashlib, hmac, struct
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000)


Keys = Keys

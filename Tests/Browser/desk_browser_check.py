#!/usr/bin/env python3
"""The desk in a real headless Chromium, against a real server and real replicas.

Each stakeholder's main flow, end to end through the desk: the ministry records an action and
its progress offline and syncs once the server is back; the secretariat publishes the action;
parliament asks and the ministry answers; the NHRI drafts and publishes an assessment; an NGO
files a confidential submission that only the NHRI's desk shows; two desks of one ministry
converge; the ministry attaches an evidence file with the file picker, offline, and it opens as
text on the secretariat's desk after both sync. axe-core 4 runs on every page visited, in English and in Arabic, and must report no
violation; so does the public portal's home, list, search and recommendation page, which show the
published action and assessment and never the confidential submission. Also: a forged Host
header gets 421 and a request without the cookie gets 403.

Usage: desk_browser_check.py [--bin DIR] [--screenshot PNG]
(--screenshot also saves the action's history and the NGO's keys page beside PNG.)
(DIR holds the built followup and followup-server; default: swift build --show-bin-path.)
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CATALOGS = os.path.join(ROOT, "Sources", "Desk", "Resources", "catalogs")
EN = json.load(open(os.path.join(CATALOGS, "en.json"), encoding="utf-8"))
AR = json.load(open(os.path.join(CATALOGS, "ar.json"), encoding="utf-8"))
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

checked_pages = 0
failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message, flush=True)


def axe_source():
    import axe_playwright_python

    path = os.path.join(os.path.dirname(axe_playwright_python.__file__), "axe.min.js")
    with open(path, encoding="utf-8") as file:
        return file.read()


class Deployment:
    """A server with five organisations, and a replica plus a desk for each user."""

    def __init__(self, bin_dir):
        self.bin = bin_dir
        self.work = tempfile.mkdtemp(prefix="followup-desk-browser-")
        self.data = os.path.join(self.work, "server-data")
        self.server = None
        self.port = None
        self.desks = {}
        self.processes = []

    def run(self, *args, stdin=None):
        result = subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {result.stderr}")
        return result.stdout.strip()

    def admin(self, *args, stdin=None):
        return self.run(os.path.join(self.bin, "followup-server"), "admin", "--data", self.data, *args, stdin=stdin)

    def followup(self, user, *args, stdin=None):
        return self.run(os.path.join(self.bin, "followup"), "--replica", self.replica(user), *args, stdin=stdin)

    def replica(self, user):
        return os.path.join(self.work, f"{user}-replica")

    def start_server(self):
        port = self.port or 0
        log = open(os.path.join(self.work, "server.log"), "a")
        self.server = subprocess.Popen(
            [os.path.join(self.bin, "followup-server"), "serve", "--data", self.data, "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT)
        for _ in range(200):
            with open(os.path.join(self.work, "server.log")) as file:
                found = re.findall(r"http://127\.0\.0\.1:(\d+)", file.read())
            if found and (self.port is None or str(self.port) in found):
                self.port = int(found[-1])
                return
            time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def stop_server(self):
        self.server.send_signal(signal.SIGTERM)
        self.server.wait(timeout=30)
        with open(os.path.join(self.work, "server.log"), "a") as file:
            file.write("--- stopped ---\n")

    def start_desk(self, user):
        process = subprocess.Popen(
            [os.path.join(self.bin, "followup"), "--replica", self.replica(user), "desk", "--port", "0",
             "--sync-minutes", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.processes.append(process)
        line = process.stdout.readline()
        address = re.search(r"http://127\.0\.0\.1:\d+/enter\?key=[0-9a-f]+", line)
        if not address:
            raise RuntimeError(f"the desk of {user} printed: {line!r}")
        self.desks[user] = address.group(0)
        return address.group(0)

    def close(self):
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.server and self.server.poll() is None:
            self.stop_server()
        shutil.rmtree(self.work, ignore_errors=True)


class Browser:
    """One headless Chromium; a desk's session cookie is named after its port, so desks share it."""

    def __init__(self):
        options = webdriver.ChromeOptions()
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,1400",
                         "--disable-gpu", "--lang=en"]:
            options.add_argument(argument)
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if binary:
            options.binary_location = binary
        driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
        self.driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
        self.driver.set_script_timeout(60)
        self.axe = axe_source()
        self.base = {}

    def enter(self, user, address):
        self.base[user] = address.split("/enter")[0]
        self.driver.get(address)

    def open(self, user, path):
        self.driver.get(self.base[user] + path)
        self.check_page()

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def check_page(self):
        """Runs axe on the page in the window; records each violation."""
        global checked_pages
        self.driver.execute_script(self.axe)
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
            ".then(r => done(r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))))"
            ".catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));",
            AXE_TAGS)
        checked_pages += 1
        url = self.driver.current_url
        lang = self.driver.find_element(By.TAG_NAME, "html").get_attribute("lang")
        for violation in result:
            fail(f"axe {violation['id']} on {url} ({lang}): {violation['help']} at {violation['nodes']}")

    def click_link(self, text):
        self.driver.find_element(By.XPATH, f"//a[normalize-space()={xpath_text(text)}]").click()
        self.check_page()

    def click_button(self, text, within=None):
        scope = f"//*[contains(@class,'item') or contains(@class,'card') or contains(@class,'answer')][.//*[contains(normalize-space(), {xpath_text(within)})]]" if within else ""
        buttons = self.driver.find_elements(By.XPATH, f"{scope}//button[normalize-space()={xpath_text(text)}]")
        if not buttons:
            raise AssertionError(f"no button {text!r} near {within!r} on {self.driver.current_url}:\n{self.text()}")
        buttons[0].click()
        self.check_page()

    def fill(self, label, value):
        field = self.driver.find_element(By.XPATH, f"//label[starts-with(normalize-space(), {xpath_text(label)})]")
        element = self.driver.find_element(By.ID, field.get_attribute("for"))
        if element.tag_name == "select":
            Select(element).select_by_visible_text(value)
        elif element.get_attribute("type") == "checkbox":
            if bool(value) != element.is_selected():
                element.click()
        elif element.get_attribute("type") == "date":
            self.driver.execute_script("arguments[0].value = arguments[1]", element, value)
        else:
            element.clear()
            element.send_keys(value)

    def save(self):
        self.driver.find_element(By.XPATH, f"//main//button[normalize-space()={xpath_text(EN['save'])}]").click()
        self.check_page()

    def sync(self):
        self.driver.find_element(By.XPATH, f"//button[normalize-space()={xpath_text(EN['sync_now'])}]").click()
        self.check_page()

    def choose_language(self, code):
        Select(self.driver.find_element(By.ID, "language")).select_by_value(code)
        self.driver.find_element(By.XPATH, "//form[@action='/language']//button").click()
        self.check_page()

    def expect(self, text, present=True, where=""):
        body = self.text()
        if (text in body) != present:
            fail(f"{where}: expected {text!r} {'on' if present else 'not on'} {self.driver.current_url}")


def xpath_text(text):
    if "'" not in text:
        return f"'{text}'"
    return "concat('" + text.replace("'", "', \"'\", '") + "')"


def security_checks(address):
    """A forged Host header is refused with 421; a request without the cookie with 403."""
    parsed = urllib.parse.urlsplit(address)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    connection.putrequest("GET", "/", skip_host=True)
    connection.putheader("Host", f"rebound.example:{parsed.port}")
    connection.endheaders()
    status = connection.getresponse().status
    if status != 421:
        fail(f"a forged Host header got {status}, not 421")
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    connection.request("GET", "/recommendations")
    status = connection.getresponse().status
    if status != 403:
        fail(f"a request without the cookie got {status}, not 403")
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    connection.request("POST", "/sync", body="csrf=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    status = connection.getresponse().status
    if status != 403:
        fail(f"a POST without the cookie got {status}, not 403")


def accessibility_tour(browser, user, rec_path):
    """Every page of the desk in English then Arabic (axe runs on each)."""
    for code in ["en", "ar"]:
        browser.open(user, "/")
        browser.choose_language(code)
        if code == "ar":
            direction = browser.driver.find_element(By.TAG_NAME, "html").get_attribute("dir")
            if direction != "rtl":
                fail(f"Arabic page of {user} has dir={direction}")
        for path in ["/", "/recommendations", "/recommendations?q=torture&cycle=3", "/dashboards", "/sync", "/reports",
                     "/keys", rec_path]:
            browser.open(user, path)
        # Every form the recommendation's page offers this organisation, empty then with its errors.
        forms = [link.get_attribute("href")
                 for link in browser.driver.find_elements(By.XPATH, "//main//a[contains(@class,'button')]")]
        # The history of the recommendation and of each row its page lists.
        histories = [link.get_attribute("href")
                     for link in browser.driver.find_elements(By.XPATH, "//main//p[contains(@class,'history-link')]/a")]
        if not histories:
            fail(f"{user}'s desk links no history on the recommendation's page")
        for href in histories:
            browser.driver.get(href)
            browser.check_page()
            if "<table" not in browser.driver.page_source:
                fail(f"the history at {href} ({code}) shows no table")
        if not forms:
            fail(f"{user}'s desk offers no form on the recommendation's page")
        for href in forms:
            browser.driver.get(href)
            browser.check_page()
            # A form filled in with the row's values (an action's edit) is emptied first.
            for field in browser.driver.find_elements(
                    By.XPATH, "//main//form//*[self::textarea or self::input[@type='text']]"):
                field.clear()
            browser.driver.find_element(By.XPATH, "//main//form//button[@type='submit']").click()
            browser.check_page()
            if "error-summary" not in browser.driver.page_source:
                fail(f"the empty form at {href} ({code}) shows no error summary")
        if user == "sara":
            secretariat_tour(browser, code)
    browser.open(user, "/")
    browser.choose_language("en")


def secretariat_tour(browser, code):
    """The secretariat's import and cluster pages, empty, with their errors, and a cluster's page."""
    def submit(form_xpath, what):
        browser.driver.find_element(By.XPATH, f"{form_xpath}//button[@type='submit']").click()
        browser.check_page()
        if "error-summary" not in browser.driver.page_source:
            fail(f"the empty {what} form ({code}) shows no error summary")
    browser.open("sara", "/import")
    submit("//main//form[@action='/import']", "import")
    browser.open("sara", "/clusters")
    submit("//main//form[@action='/clusters']", "cluster")
    browser.driver.find_element(By.ID, "f-title").send_keys(f"Torture prevention ({code})")
    browser.driver.find_element(By.XPATH, "//main//form[@action='/clusters']//button[@type='submit']").click()
    browser.check_page()
    if "/clusters/" not in browser.driver.current_url:
        fail(f"creating a cluster ({code}) did not open its page: {browser.driver.current_url}")
        return
    browser.driver.find_element(By.ID, "q").send_keys("torture")
    browser.driver.find_element(By.XPATH, "//main//form[@role='search']//button").click()
    browser.check_page()
    if browser.driver.find_elements(By.XPATH, "//main//form[contains(@action,'/members')]"):
        submit("//main//form[contains(@action,'/members')]", "add-to-cluster")


def portal_tour(browser, base, rec_path, hidden):
    """The public portal (no cookie) in English then Arabic, axe on each page; no text in `hidden` shows."""
    browser.base["portal"] = base
    for code in ["en", "ar"]:
        for path in ["/", "/recommendations", "/recommendations?q=torture", rec_path]:
            browser.open("portal", f"{path}{'&' if '?' in path else '?'}lang={code}")
            html = browser.driver.find_element(By.TAG_NAME, "html")
            if (html.get_attribute("lang"), html.get_attribute("dir")) != (code, "rtl" if code == "ar" else "ltr"):
                fail(f"the portal's {path} in {code} has lang={html.get_attribute('lang')} "
                     f"dir={html.get_attribute('dir')}")
            for text in hidden:
                if text in browser.driver.page_source:
                    fail(f"the portal's {path} ({code}) shows {text!r}")
            if "q=" in path:
                browser.expect("Ratify the Optional Protocol", where=f"portal search ({code})")
            if path == rec_path:
                browser.expect("Draft the ratification bill", where=f"portal's published action ({code})")
                browser.expect("A bill exists; no vote yet.", where=f"portal's published assessment ({code})")
    parsed = urllib.parse.urlsplit(base)
    for path in ["/open-data/recommendations.csv", "/open-data/recommendations.json"]:
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode("utf-8")
        if response.status != 200:
            fail(f"the portal's {path} got {response.status}")
        for text in hidden:
            if text in body:
                fail(f"the portal's {path} holds {text!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin")
    parser.add_argument("--screenshot")
    arguments = parser.parse_args()
    bin_dir = arguments.bin or os.environ.get("FOLLOWUP_BIN_DIR") or subprocess.run(
        ["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()

    deployment = Deployment(bin_dir)
    browser = None
    try:
        organisations = [("nmirf", "National Mechanism Secretariat", "secretariat", ["sara"]),
                         ("moj", "Ministry of Justice", "ministry", ["malik", "mona"]),
                         ("parl", "Human Rights Committee of Parliament", "parliament", ["pat"]),
                         ("nhri", "National Human Rights Commission", "nhri", ["nadia"]),
                         ("ngo-watch", "Detention Watch", "ngo", ["omar"])]
        for org, name, kind, users in organisations:
            deployment.admin("add-org", "--id", org, "--name", name, "--kind", kind)
            for user in users:
                deployment.admin("add-user", "--org", org, "--user", user, "--password-stdin", stdin=f"{user}-pass\n")
        deployment.start_server()
        url = f"http://127.0.0.1:{deployment.port}"
        for _, _, _, users in organisations:
            for user in users:
                deployment.followup(user, "init", "--server", url, "--user", user, "--password-stdin",
                                    stdin=f"{user}-pass\n")
        # The secretariat's intake (the command line's import and assign), then everyone syncs.
        rec = deployment.followup(
            "sara", "put", "recommendation",
            "text=Ratify the Optional Protocol to the Convention against Torture and prevent torture in detention",
            "document_symbol=A/HRC/40/6", "paragraph=28.12", "session=33", "cycle=3", "position=supported",
            "themes=Torture;Detention", "sdg_targets=16.3").splitlines()[-1]
        deployment.followup("sara", "put", "recommendation", "text=<script>alert('x')</script> Protect defenders",
                            "session=33", "cycle=3")
        deployment.followup("sara", "sync")
        deployment.followup("sara", "assign", rec, "--to", "moj", "--lead")
        deployment.followup("sara", "sync")
        for user in ["malik", "mona", "pat", "nadia", "omar"]:
            deployment.followup(user, "sync")
        rec_path = f"/recommendations/{rec}"

        for user in ["sara", "malik", "mona", "pat", "nadia", "omar"]:
            deployment.start_desk(user)
        security_checks(deployment.desks["malik"])

        browser = Browser()
        for user, address in deployment.desks.items():
            browser.enter(user, address)
            browser.check_page()

        # Ministry: the home page counts its recommendations; it records an action and progress offline.
        browser.open("malik", "/")
        browser.expect(EN["home_my_recommendations"].replace("{count}", "1").replace("{overdue}", "0"),
                       where="ministry home")
        deployment.stop_server()
        browser.click_link(EN["home_my_recommendations"].replace("{count}", "1").replace("{overdue}", "0"))
        browser.driver.find_element(By.PARTIAL_LINK_TEXT, "Ratify the Optional Protocol").click()
        browser.check_page()
        browser.click_link(EN["form_action_title"])
        browser.fill(EN["field_action_title"], "Draft the ratification bill")
        browser.fill(EN["field_action_dueDate"], "2027-06-30")
        browser.fill(EN["field_action_budget.amount"], "50000")
        browser.fill(EN["field_action_budget.currency"], "USD")
        browser.save()
        browser.expect(EN["notice_saved"], where="ministry action saved")
        browser.expect("Draft the ratification bill", where="ministry action shown")
        # Its history, offline: the edits waiting on this computer, and that the server was not reached.
        browser.driver.find_element(
            By.XPATH, "//div[contains(@class,'card')][.//h3[normalize-space()='Draft the ratification bill']]"
                      "//p[contains(@class,'history-link')]/a").click()
        browser.check_page()
        browser.expect(EN["history_unanswered"], where="ministry history offline")
        browser.expect(EN["history_pending"], where="ministry history pending")
        browser.expect("Draft the ratification bill", where="ministry history value")
        browser.click_link(EN["back"])
        browser.click_link(EN["form_progress_title"])
        browser.fill(EN["field_progress_narrative"], "First draft circulated to the bar association")
        browser.save()
        browser.expect("First draft circulated", where="ministry progress shown")
        # Evidence, offline: the file picker attaches a letter to the progress update; it opens as text.
        evidence = os.path.join(deployment.work, "bar-association-letter.txt")
        with open(evidence, "w", encoding="utf-8") as file:
            file.write("Letter from the bar association <b>not bold</b>\n")
        browser.driver.find_element(
            By.XPATH, "//li[contains(@class,'item')][.//*[contains(normalize-space(), 'First draft circulated')]]"
                      f"//a[normalize-space()={xpath_text(EN['evidence_attach'])}]").click()
        browser.check_page()
        browser.driver.find_element(By.ID, "f-file").send_keys(evidence)
        browser.driver.find_element(
            By.XPATH, f"//main//form//button[normalize-space()={xpath_text(EN['evidence_attach'])}]").click()
        browser.check_page()
        browser.expect(EN["notice_attached"], where="evidence attached")
        file_url = browser.driver.find_element(By.LINK_TEXT, "bar-association-letter.txt").get_attribute("href")
        browser.driver.get(file_url)
        if "Letter from the bar association <b>" not in browser.text():
            fail(f"the attached text file does not open as text at {file_url}")
        browser.driver.back()
        browser.click_button(EN["move_submitted"], within="Draft the ratification bill")
        browser.sync()
        browser.expect(EN["sync_offline"], where="ministry offline")
        browser.expect(EN["sync_pending"].replace("{count}", "4"), where="ministry pending offline")
        deployment.start_server()
        browser.sync()
        browser.expect(EN["sync_offline"], present=False, where="ministry back online")
        browser.expect(EN["sync_pending"].replace("{count}", "0"), where="ministry synced")

        # Secretariat: publishes the submitted action.
        browser.open("sara", "/")
        browser.sync()
        browser.open("sara", "/")
        browser.expect("Draft the ratification bill", where="secretariat awaiting publication")
        browser.click_button(EN["move_published"], within="Draft the ratification bill")
        browser.sync()
        browser.open("sara", rec_path)
        browser.expect(EN["state_published"], where="secretariat published")
        browser.driver.find_element(
            By.XPATH, "//div[contains(@class,'card')][.//h3[normalize-space()='Draft the ratification bill']]"
                      "//p[contains(@class,'history-link')]/a").click()
        browser.check_page()
        browser.expect(EN["history_accepted"], where="secretariat history accepted")
        browser.expect("Ministry of Justice", where="secretariat history organisation")
        browser.expect("malik", where="secretariat history user")
        browser.expect(EN["history_unanswered"], present=False, where="secretariat history online")
        browser.open("sara", rec_path)
        # The ministry's letter reached the secretariat's desk with the sync, ready to open.
        if not browser.driver.find_elements(By.LINK_TEXT, "bar-association-letter.txt"):
            fail("the ministry's evidence file did not reach the secretariat's desk")
        browser.open("sara", "/reports")

        # The ministry edits the published action: a revision the public does not see, listed as
        # "published → proposed", which the ministry submits and the secretariat publishes.
        browser.open("malik", "/")
        browser.sync()
        browser.open("malik", rec_path)
        browser.click_link(EN["form_edit_title"])
        browser.fill(EN["field_edit_spent"], "12000")
        browser.save()
        browser.expect(EN["notice_revision"], where="ministry revision saved")
        browser.expect(EN["rec_revisions"], where="ministry revision listed")
        browser.click_button(EN["move_submitted"], within=EN["rec_revisions"])
        browser.sync()
        browser.open("sara", "/")
        browser.sync()
        browser.open("sara", rec_path)
        browser.expect(EN["rec_revisions"], where="secretariat sees the revision")
        browser.expect("– → 12,000", where="the revision's change")
        browser.click_button(EN["move_published"], within=EN["rec_revisions"])
        browser.expect(EN["rec_revisions"], present=False, where="revision published")
        browser.sync()

        # Parliament asks the ministry; the ministry answers.
        browser.open("pat", "/")
        browser.sync()
        browser.open("pat", rec_path)
        browser.expect("Draft the ratification bill", where="parliament sees the published action")
        browser.click_link(EN["form_question_title"])
        browser.fill(EN["field_question_institution"], "Ministry of Justice")
        browser.fill(EN["field_question_text"], "When will the bill be tabled?")
        browser.save()
        browser.click_button(EN["move_submitted"], within="When will the bill be tabled?")
        browser.sync()
        browser.open("malik", "/")
        browser.sync()
        browser.open("malik", "/")
        browser.expect("When will the bill be tabled?", where="ministry question to answer")
        browser.click_link(EN["form_answer_title"])
        browser.fill(EN["field_answer_text"], "In the spring session of 2027.")
        browser.save()
        browser.click_button(EN["move_submitted"], within="In the spring session of 2027.")
        browser.sync()
        browser.open("pat", "/")
        browser.sync()
        browser.open("pat", "/")
        browser.expect("In the spring session of 2027.", where="parliament sees the answer")

        # NHRI drafts an assessment (no one else sees it), then publishes it.
        browser.open("nadia", "/")
        browser.sync()
        browser.open("nadia", rec_path)
        browser.click_link(EN["form_assessment_title"])
        browser.fill(EN["field_assessment_rating"], EN["rating_partial"])
        browser.fill(EN["field_assessment_rationale"], "A bill exists; no vote yet.")
        browser.save()
        browser.sync()
        browser.open("sara", "/")
        browser.sync()
        browser.open("sara", rec_path)
        browser.expect("A bill exists; no vote yet.", present=False, where="secretariat never sees the NHRI's draft")
        browser.open("nadia", "/")
        browser.expect("A bill exists; no vote yet.", where="NHRI home lists its draft")
        browser.click_button(EN["move_published"], within="A bill exists; no vote yet.")
        browser.sync()
        browser.open("sara", "/")
        browser.sync()
        browser.open("sara", rec_path)
        browser.expect("A bill exists; no vote yet.", where="secretariat sees the published assessment")
        browser.open("sara", "/recommendations?rating=partial")
        browser.expect(EN["recs_count"].replace("{count}", "1"), where="rating filter")

        # NGO: a confidential submission that only the NHRI's desk shows.
        browser.open("omar", "/")
        browser.sync()
        browser.open("omar", rec_path)
        browser.click_link(EN["form_submission_title"])
        browser.fill(EN["field_submission_text"], "Visits by monitors to the central prison stopped in March.")
        browser.fill(EN["field_submission_confidential"], True)
        browser.save()
        browser.sync()
        for user, sees in [("nadia", True), ("sara", False), ("malik", False), ("pat", False)]:
            browser.open(user, "/")
            browser.sync()
            browser.open(user, rec_path)
            browser.expect("Visits by monitors", present=sees, where=f"confidential submission on {user}'s desk")
        browser.open("nadia", "/")
        browser.expect("Visits by monitors", where="NHRI home lists the confidential submission")

        # The NHRI rotates its key: the NGO's desk flags the change until the NGO trusts the new
        # key, typing the fingerprint the NHRI read out; then it checks the audit log.
        deployment.followup("nadia", "keys", "rotate")
        deployment.followup("nadia", "sync")
        browser.open("omar", "/")
        browser.sync()
        browser.open("omar", "/")
        browser.expect(EN["keys_changed_title"], where="NGO home flags the changed key")
        browser.click_link(EN["keys_check_link"])
        browser.expect(EN["keys_trust_changed"], where="NGO keys page")
        for code in ["ar", "en"]:
            browser.choose_language(code)
            browser.driver.find_element(By.XPATH, "//main//form[@action='/keys']//button").click()
            browser.check_page()
            if "error-summary" not in browser.driver.page_source:
                fail(f"the empty trust form ({code}) shows no error summary")
        listing = deployment.followup("nadia", "keys")
        fingerprint = re.search(r"^nhri .*?((?:[0-9a-f]{4} ){7}[0-9a-f]{4})", listing, re.MULTILINE)
        if not fingerprint:
            fail(f"no NHRI fingerprint in: {listing}")
        else:
            browser.fill("The new fingerprint", fingerprint.group(1))
            browser.driver.find_element(By.XPATH, "//main//form[@action='/keys']//button").click()
            browser.check_page()
            browser.expect(EN["notice_key_trusted"], where="NGO trusted the new key")
            browser.expect(EN["keys_changed_title"], present=False, where="no changed key left")
        browser.driver.find_element(By.XPATH, "//main//form[@action='/keys/verify']//button").click()
        browser.check_page()
        browser.expect(EN["audit_ok"], where="NGO audit verified")

        # Two desks of the ministry converge.
        browser.open("mona", "/")
        browser.sync()
        browser.open("mona", rec_path)
        browser.click_link(EN["form_progress_title"])
        browser.fill(EN["field_progress_narrative"], "Consultation closed")
        browser.save()
        browser.sync()
        browser.open("malik", "/")
        browser.sync()
        browser.open("malik", rec_path)
        browser.expect("Consultation closed", where="the other ministry desk")
        malik, mona = deployment.followup("malik", "digest"), deployment.followup("mona", "digest")
        if malik != mona:
            fail(f"two desks of the ministry differ: {malik} != {mona}")

        # The script text shows as text.
        browser.open("sara", "/recommendations?q=defenders")
        browser.expect("<script>alert('x')</script> Protect defenders", where="escaped text")
        if browser.driver.execute_script("return window.__xss === true"):
            fail("a script ran")

        if arguments.screenshot:
            browser.open("malik", rec_path)
            browser.driver.set_window_size(1000, 900)
            browser.driver.save_screenshot(arguments.screenshot)
            # Beside it, the action's history and the keys page (PNG-history.png, PNG-keys.png).
            browser.driver.find_element(
                By.XPATH, "//div[contains(@class,'card')][.//h3[normalize-space()='Draft the ratification bill']]"
                          "//p[contains(@class,'history-link')]/a").click()
            browser.driver.save_screenshot(re.sub(r"(\.png)?$", "-history.png", arguments.screenshot, count=1))
            browser.open("omar", "/keys")
            browser.driver.save_screenshot(re.sub(r"(\.png)?$", "-keys.png", arguments.screenshot, count=1))

        # The public portal: the published action and assessment, never the confidential submission.
        portal_tour(browser, url, rec_path, ["Visits by monitors"])

        # Every page, in English and in Arabic, for each kind of organisation.
        for user in ["sara", "malik", "pat", "nadia", "omar"]:
            accessibility_tour(browser, user, rec_path)
    except Exception as error:  # noqa: BLE001 - reported as a failure of the check
        fail(f"{type(error).__name__}: {error}")
        if browser:
            print(browser.driver.current_url, "\n", browser.text()[:3000])
    finally:
        if browser:
            browser.driver.quit()
        deployment.close()

    verdict = f"failed ({len(failures)} problems)" if failures else "passed"
    print(f"desk browser check {verdict}: {checked_pages} pages (desk and portal) checked with axe,"
          " in English and Arabic")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

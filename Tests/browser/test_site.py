"""Browser tests of the built site: headless Chromium through Selenium, with axe-core.

Run from the repository root:

    SERVICEMAP_BROWSER_FIXTURE=/tmp/servicemap-browser-fixture \
        swift test --filter BrowserFixture          # writes family/ and hostile/ sites
    SERVICEMAP_BROWSER_FIXTURE=/tmp/servicemap-browser-fixture \
        python3 -m unittest discover -s Tests/browser -v

Without SERVICEMAP_BROWSER_FIXTURE the tests build the fixture themselves into
$TMPDIR/servicemap-browser-fixture with `swift test --filter BrowserFixture`.
Needs Debian's chromium and chromium-driver, and `pip install selenium axe-selenium-python`.
Every page is driven from file:// and from http://127.0.0.1 (a python http.server on a free
port, started and stopped here).
"""
import functools
import http.server
import os
import pathlib
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

REPO = pathlib.Path(__file__).resolve().parents[2]
FIXTURE = pathlib.Path(os.environ.get("SERVICEMAP_BROWSER_FIXTURE") or
                       pathlib.Path(tempfile.gettempdir()) / "servicemap-browser-fixture")

# Alerts, prompts and script errors are recorded before any page script runs.
TRAP = """
window.__alerts = [];
['alert', 'confirm', 'prompt', 'print'].forEach(function (name) {
  window[name] = function (m) { window.__alerts.push(name + ':' + m); };
});
"""


def build_fixture():
    if (FIXTURE / "family" / "index.html").exists() and (FIXTURE / "hostile" / "index.html").exists():
        return
    env = dict(os.environ, SERVICEMAP_BROWSER_FIXTURE=str(FIXTURE))
    subprocess.run(["swift", "test", "--filter", "BrowserFixture"], cwd=REPO, env=env, check=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def make_driver():
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900"):
        options.add_argument(arg)
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    options.set_capability("unhandledPromptBehavior", "ignore")
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TRAP})
    return driver


class SiteTestCase(unittest.TestCase):
    base = None  # set by subclasses: file:// or http:// root of the fixture folder

    @classmethod
    def setUpClass(cls):
        build_fixture()
        cls.driver = make_driver()

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()

    def open(self, site, path):
        self.driver.get(self.base + site + "/" + path)

    def wait_results(self):
        # Asked through script, so a page being replaced by a form submission is never "stale".
        WebDriverWait(self.driver, 10).until(lambda d: d.execute_script(
            "var r = document.getElementById('results'); return r && r.getAttribute('data-ready')") == "true")
        return [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, "#results-list > li h3")]

    def assert_no_alerts(self):
        try:
            alert = self.driver.switch_to.alert
            self.fail("an alert opened: " + alert.text)
        except NoAlertPresentException:
            pass
        self.assertEqual(self.driver.execute_script("return window.__alerts"), [])

    def assert_accessible(self):
        axe = Axe(self.driver)
        axe.inject()
        results = axe.run()
        violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]]
        self.assertEqual(violations, [], self.driver.current_url)

    # ---- searching ----

    def test_typed_query_with_a_typo_finds_counselling_and_is_in_the_url(self):
        self.open("family", "index.html")
        box = self.driver.find_element(By.ID, "q")
        box.send_keys("councelling", Keys.ENTER)
        names = self.wait_results()
        self.assertIn("Perinatal Mental Health Service", names)
        self.assertIn("q=councelling", self.driver.current_url)
        why = self.driver.find_element(By.CSS_SELECTOR, "#results-list .why").text
        self.assertIn("matches the search words", why)

    def test_hyphenated_and_stemmed_words(self):
        self.open("family", "index.html?q=peri-natal")
        self.assertIn("Perinatal Mental Health Service", self.wait_results())
        self.open("family", "index.html?q=befriend+volunteers")
        self.assertEqual(self.wait_results(), ["Home-Start Glasgow North"])

    def test_facets_area_includes_sub_areas_and_needs(self):
        self.open("family", "index.html")
        self.driver.find_element(By.CSS_SELECTOR, "#facets > summary").click()
        Select(self.driver.find_element(By.ID, "area")).select_by_value("nhs-greater-glasgow-and-clyde")
        self.driver.find_element(By.ID, "need-parenting").click()
        self.driver.find_element(By.CSS_SELECTOR, "#search-form .facets button[type=submit]").click()
        names = self.wait_results()
        self.assertEqual(names, ["Home-Start Glasgow North"])
        self.assertNotIn("Bromley Family Hubs", names)
        self.assertIn("need=parenting", self.driver.current_url)

    def test_pregnancy_self_referral_language_and_cost(self):
        self.open("family", "index.html?age=-1&area=glasgow-city")
        names = self.wait_results()
        self.assertIn("Perinatal Mental Health Service", names)
        self.assertIn("Money Advice for Families", names)  # ages not stated still shows
        self.open("family", "index.html?area=glasgow-city&self=1")
        self.assertEqual(sorted(self.wait_results()), ["Glasgow Refuge", "Home-Start Glasgow North", "Money Advice for Families"])
        self.open("family", "index.html?lang=polish")
        self.assertEqual(self.wait_results(), ["Home-Start Glasgow North"])
        self.open("family", "index.html?area=bromley&below=3")
        self.assertEqual(self.wait_results(), ["Bromley Family Hubs"])  # social care is at Child in Need
        self.open("family", "index.html?area=bromley&level=bromley-level-2")
        self.assertEqual(self.wait_results(), ["Bromley Family Hubs"])

    def test_alternatives_view(self):
        self.open("family", "index.html")
        Select(self.driver.find_element(By.ID, "alt-area")).select_by_value("glasgow-city")
        Select(self.driver.find_element(By.ID, "alt-age")).select_by_value("14")
        for need in ("parenting", "poverty-and-housing", "parental-mental-health"):
            self.driver.find_element(By.ID, "alt-need-" + need).click()
        Select(self.driver.find_element(By.ID, "alt-role")).select_by_value("health-visitor")
        self.driver.find_element(By.CSS_SELECTOR, "#alt-form button[type=submit]").click()
        names = self.wait_results()
        # The same answer as ServiceGraph.find (SearchIndexTests.alternativesMatchCoreFind).
        self.assertEqual(names, ["Home-Start Glasgow North", "Money Advice for Families"])
        first = self.driver.find_element(By.CSS_SELECTOR, "#results-list > li")
        self.assertIn("a health visitor can refer", first.text)
        self.assertIn("the family can refer themselves", first.text)
        self.assertIn("The family can contact the service directly", first.text)
        self.assertNotIn("Bromley Children's Social Care", names)
        # The form keeps its answers, and the URL can be shared.
        self.assertEqual(Select(self.driver.find_element(By.ID, "alt-area")).first_selected_option.get_attribute("value"), "glasgow-city")
        self.assertIn("mode=alternatives", self.driver.current_url)

    def test_statutory_services_are_not_alternatives(self):
        self.open("family", "index.html?mode=alternatives&below=3&area=bromley&role=health-visitor")
        self.assertEqual(self.wait_results(), ["Bromley Family Hubs"])

    def test_shortlist_add_print_and_share(self):
        self.open("family", "index.html?q=money")
        self.wait_results()
        self.driver.execute_script("localStorage.clear()")
        self.driver.find_element(By.CSS_SELECTOR, "#results-list [data-shortlist-toggle]").click()
        self.open("family", "services/home-start-glasgow.html")
        self.driver.find_element(By.CSS_SELECTOR, "[data-shortlist-toggle]").click()
        self.open("family", "shortlist.html")
        items = [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, "#shortlist-items a")]
        self.assertEqual(items, ["Money Advice for Families", "Home-Start Glasgow North"])
        self.driver.find_element(By.ID, "shortlist-share").click()
        link = self.driver.find_element(By.ID, "shortlist-link").get_attribute("value")
        self.assertIn("s=money-advice-glasgow", link)
        self.driver.execute_script("localStorage.clear()")
        self.driver.get(link)
        items = [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, "#shortlist-items a")]
        self.assertEqual(items, ["Money Advice for Families", "Home-Start Glasgow North"])
        self.driver.find_element(By.CSS_SELECTOR, "[data-print]").click()
        self.assertEqual(self.driver.execute_script("return window.__alerts"), ["print:undefined"])

    def test_keyboard_only_reaches_search(self):
        self.open("family", "index.html")
        body = self.driver.find_element(By.TAG_NAME, "body")
        body.send_keys(Keys.TAB)
        active = self.driver.switch_to.active_element
        self.assertEqual(active.text, "Skip to main content")
        active.send_keys(Keys.ENTER)
        for _ in range(20):
            self.driver.switch_to.active_element.send_keys(Keys.TAB)
            if self.driver.switch_to.active_element.get_attribute("id") == "q":
                break
        self.assertEqual(self.driver.switch_to.active_element.get_attribute("id"), "q")
        self.driver.switch_to.active_element.send_keys("debt", Keys.ENTER)
        self.assertEqual(self.wait_results(), ["Money Advice for Families"])

    def test_same_answers_as_core_find(self):
        """The site's search gives ServiceGraph.find's services, order and reasons
        (family-core-answers.json is written by the Swift fixture from Core)."""
        import json
        answers = json.loads((FIXTURE / "family-core-answers.json").read_text())
        self.assertGreater(len(answers), 20)
        for answer in answers:
            with self.subTest(query=answer["query"]):
                self.open("family", "index.html?" + answer["query"])
                names = self.wait_results()
                self.assertEqual(names, answer["names"])
                reasons = self.driver.execute_script(
                    "return Array.from(document.querySelectorAll('#results-list > li')).map(function (li) {"
                    " var why = li.querySelector('ul.why'); return why ? Array.from(why.children).map(function (x) { return x.textContent; }) : []; })")
                self.assertEqual(reasons, answer["reasons"])

    # ---- accessibility ----

    def test_axe_home_results_service_area_level(self):
        for path in ("index.html", "index.html?q=parenting&area=scotland",
                     "index.html?mode=alternatives&below=3&area=glasgow-city&age=14&need=parenting&role=health-visitor",
                     "services/perinatal-mh-ggc.html", "services/refuge-glasgow.html", "areas/bromley.html",
                     "areas/glasgow-city.html", "levels/bromley-level-2.html", "levels/ring-3-child-in-need.html",
                     "levels/index.html", "a-z/index.html", "shortlist.html", "categories/parenting.html",
                     "maps/index.html", "services/bromley-family-hubs.html"):
            with self.subTest(path=path):
                self.open("family", path)
                if "?" in path:
                    self.wait_results()
                self.assert_accessible()

    def test_axe_on_the_shipped_directory(self):
        if not (FIXTURE / "shipped" / "index.html").exists():
            self.skipTest("no shipped/ site in the fixture")
        service = sorted(p.name for p in (FIXTURE / "shipped" / "services").iterdir())[0]
        for path in ("index.html?mode=alternatives&below=3&area=glasgow-city&age=14&need=parental-mental-health"
                     "&need=poverty-and-housing&role=health-visitor", "index.html?q=perinatal",
                     "areas/glasgow-city.html", "areas/scotland.html", "services/" + service, "levels/index.html",
                     "maps/index.html", "areas/bromley.html", "areas/salford.html"):
            with self.subTest(path=path):
                self.open("shipped", path)
                if "?" in path:
                    self.wait_results()
                self.assert_accessible()
                self.assert_no_alerts()

    # ---- safety ----

    def test_hostile_site_runs_nothing(self):
        pages = ["index.html", "index.html?q=script", "index.html?q=alert&area=glasgow-city",
                 "a-z/index.html", "a-z/s.html", "areas/glasgow-city.html", "categories/parenting.html",
                 "organisations/evil-org.html", "sitemap.html", "maps/index.html"]
        evil = next(p.name for p in (FIXTURE / "hostile" / "services").iterdir() if p.name.startswith("evil-"))
        pages += ["services/" + evil, "services/combining-quote.html"]
        for page in pages:
            with self.subTest(page=page):
                self.open("hostile", page)
                if "?" in page:
                    self.wait_results()
                time.sleep(0.2)
                self.assert_no_alerts()
                scripts = self.driver.execute_script(
                    "return Array.from(document.scripts).map(function (s) { return s.getAttribute('src') || 'INLINE'; })")
                self.assertNotIn("INLINE", scripts)
                self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, "img, iframe, svg[onload], b[onmouseover]"), [])
                # No attribute broken out of: a quote with a combining mark is escaped like any quote.
                self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, "[onfocus], [onmouseover], [autofocus]"), [])
                for link in self.driver.find_elements(By.CSS_SELECTOR, "a[href]"):
                    # Links inside SVG diagrams come back as written (relative): resolve them first.
                    href = urllib.parse.urljoin(self.driver.current_url, link.get_attribute("href"))
                    scheme = urllib.parse.urlparse(href).scheme
                    self.assertIn(scheme, ("file", "http", "https", "mailto", "tel"))
        # Clicking every link on the evil page's content runs nothing either.
        self.open("hostile", "services/" + evil)
        self.assertIn("<script>alert('name')</script>", self.driver.find_element(By.TAG_NAME, "h1").text)


class FileSiteTests(SiteTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.base = FIXTURE.resolve().as_uri() + "/"


class HTTPSiteTests(SiteTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        port = free_port()
        handler = functools.partial(Quiet, directory=str(FIXTURE))
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.base = f"http://127.0.0.1:{port}/"

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        super().tearDownClass()


del SiteTestCase  # only the two concrete cases run

if __name__ == "__main__":
    unittest.main()

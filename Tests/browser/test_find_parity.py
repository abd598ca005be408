"""`servicemap find` and the site agree, in a real browser; the coverage pages pass axe-core.

The shipped data's site and Core's answers to fixed questions (shipped-find-answers.json, written
from `FindCommand.query` + `ServiceGraph.find` by FindSiteParityTests.writeBrowserFixture) are
built into $SERVICEMAP_BROWSER_FIXTURE. Each question is asked through the site's alternatives
URL; the services, their order and the reasons shown must be Core's. Run as test_site.py is run.
"""
import json
import os
import subprocess
import unittest

from selenium.webdriver.common.by import By

import test_site
from test_site import FIXTURE, REPO, make_driver


def build_shipped():
    if (FIXTURE / "shipped-find" / "coverage" / "index.html").exists() and (FIXTURE / "shipped-find-answers.json").exists():
        return
    env = dict(os.environ, SERVICEMAP_BROWSER_FIXTURE=str(FIXTURE))
    subprocess.run(["swift", "test", "--filter", "FindSiteParityTests/writeBrowserFixture"], cwd=REPO, env=env, check=True)


class ShippedSiteTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        build_shipped()
        cls.driver = make_driver()
        cls.base = FIXTURE.resolve().as_uri() + "/shipped-find/"

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()

    def open(self, path):
        self.driver.get(self.base + path)

    def results(self):
        from selenium.webdriver.support.ui import WebDriverWait
        WebDriverWait(self.driver, 10).until(lambda d: d.execute_script(
            "var r = document.getElementById('results'); return r && r.getAttribute('data-ready')") == "true")
        return [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, "#results-list > li h3")]

    def test_find_and_the_alternatives_view_agree(self):
        answers = json.loads((FIXTURE / "shipped-find-answers.json").read_text())
        self.assertGreaterEqual(len(answers), 10)
        self.assertEqual(answers[0]["names"], ["Primary Care Mental Health Team"])  # the Glasgow mother of product.md
        for answer in answers:
            with self.subTest(query=answer["query"]):
                self.open("index.html?" + answer["query"])
                self.assertEqual(self.results(), answer["names"])
                reasons = self.driver.execute_script(
                    "return Array.from(document.querySelectorAll('#results-list > li')).map(function (li) {"
                    " var why = li.querySelector('ul.why'); return why ? Array.from(why.children).map(function (x) { return x.textContent; }) : []; })")
                self.assertEqual(reasons, answer["reasons"])

    def test_coverage_pages_are_accessible_and_printable(self):
        from axe_selenium_python import Axe
        for path in ("coverage/index.html", "coverage/nhs-greater-glasgow-and-clyde.html", "coverage/glasgow-city.html",
                     "coverage/bromley.html", "coverage/nhs-borders.html"):
            with self.subTest(path=path):
                self.open(path)
                axe = Axe(self.driver)
                axe.inject()
                violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in axe.run()["violations"]]
                self.assertEqual(violations, [], path)
                self.driver.find_element(By.TAG_NAME, "h1")
        # Print styles keep the tables and drop the navigation.
        self.open("coverage/bromley.html")
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        nav = self.driver.execute_script("return getComputedStyle(document.querySelector('.site-nav')).display")
        table = self.driver.execute_script("return getComputedStyle(document.querySelector('.coverage-table')).display")
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        self.assertEqual(nav, "none")
        self.assertEqual(table, "table")


if __name__ == "__main__":
    unittest.main()

"""Measures a built site's search in headless Chromium: time to answer and bytes loaded.

    python3 Tests/browser/measure_search.py SITE_DIR ["QUERY" ...]

For each query string (the part after index.html?), prints the time search.js took (from
reading the URL to the first page of results), how many index files it loaded and their size.
"""
import os
import pathlib
import sys
import urllib.parse

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from test_site import make_driver  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

QUERIES = [
    "q=support",
    "q=councelling",
    "mode=alternatives&below=3&area=glasgow-city&age=14&need=parenting&need=poverty-and-housing&role=health-visitor",
    "area=scotland",
]


def main():
    site = pathlib.Path(sys.argv[1]).resolve()
    queries = sys.argv[2:] or QUERIES
    driver = make_driver()
    try:
        for query in queries:
            driver.get(site.as_uri() + "/index.html?" + query)
            WebDriverWait(driver, 120).until(lambda d: d.execute_script(
                "var r = document.getElementById('results'); return r && r.getAttribute('data-ready')") == "true")
            elapsed = driver.execute_script("return document.getElementById('results').getAttribute('data-elapsed-ms')")
            count = driver.execute_script("return document.getElementById('results').getAttribute('data-count')")
            scripts = driver.execute_script("return Array.from(document.scripts).map(function (s) { return s.src; })")
            files = [pathlib.Path(urllib.parse.unquote(urllib.parse.urlparse(s).path)) for s in scripts if "/search/" in s]
            size = sum(f.stat().st_size for f in files if f.exists())
            print(f"{query}\n  {count} results, {elapsed} ms to answer, {len(files)} index files, {size / 1024:.0f} KiB")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()

"""Screenshots of the built site with headless Chromium, to look at.

    python3 Tests/browser/screenshots.py SITE_DIR OUT_DIR

Takes home, a results state, the alternatives view, a service page and an area page at
1280 px and 320 px wide.
"""
import pathlib
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service


def driver(width):
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--allow-file-access-from-files", f"--window-size={width},900", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def full_page(d, path, width):
    if width < 600:
        # Narrow pages are long: save the screen a phone user sees, scrolled a screen at a time.
        d.set_window_size(width, 800)
        height = d.execute_script("return document.documentElement.scrollHeight")
        for i, top in enumerate(range(0, min(height, 4000), 700)):
            d.execute_script("window.scrollTo(0, arguments[0])", top)
            time.sleep(0.1)
            d.save_screenshot(str(path).replace(".png", f"-{i}.png"))
        return
    height = d.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
    d.set_window_size(width, min(max(height, 600), 6000))
    time.sleep(0.2)
    d.save_screenshot(str(path))


def main():
    site = pathlib.Path(sys.argv[1]).resolve()
    out = pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    pages = {
        "home": "index.html",
        "results": "index.html?q=councelling&area=nhs-greater-glasgow-and-clyde",
        "alternatives": "index.html?mode=alternatives&below=3&area=glasgow-city&age=14&need=parenting&need=poverty-and-housing&need=parental-mental-health&role=health-visitor",
        "service": "services/perinatal-mh-ggc.html",
        "area": "areas/bromley.html",
    }
    for width in (1280, 320):
        d = driver(width)
        try:
            for name, url in pages.items():
                d.get(site.as_uri() + "/" + url)
                time.sleep(0.8)
                full_page(d, out / f"{name}-{width}.png", width)
        finally:
            d.quit()


if __name__ == "__main__":
    main()

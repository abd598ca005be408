"""The static-site anchors for the site benchmark: Hugo builds the same synthetic services as pages,
Pagefind indexes them, and headless Chromium times Pagefind's first and broad queries.

    python3 Benchmarks/anchors/hugo_pagefind.py content SERVICES.csv WORKDIR   # write the Hugo project
    python3 Benchmarks/anchors/hugo_pagefind.py query WORKDIR/public QUERY...   # time Pagefind in Chromium

Build and index between the two, timing each as a whole process:

    hugo --quiet -s WORKDIR
    python3 -m pagefind_bin --site WORKDIR/public

The Hugo project is what a team would start from: a Markdown file per service with front matter
(name, organisation, areas, levels, categories, ages, contact), a minimal template, and area,
level and category taxonomies. Everything comes from the synthetic CSV that servicemap-bench
generates, so both tools publish exactly the same (synthetic, labelled) records.
"""
import csv
import functools
import http.server
import json
import pathlib
import sys
import threading

CONFIG = """baseURL = "http://127.0.0.1/"
title = "Synthetic directory (benchmark)"
disableKinds = ["RSS"]
[taxonomies]
  area = "areas"
  level = "levels"
  category = "categories"
"""

SINGLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main data-pagefind-body>
<h1>{{ .Title }}</h1>
<p>{{ .Params.organisation }}</p>
{{ .Content }}
<dl>
<dt>Areas</dt><dd>{{ range .Params.areas }}<a href="{{ "areas/" | relURL }}{{ . | urlize }}/">{{ . }}</a> {{ end }}</dd>
<dt>Levels</dt><dd>{{ range .Params.levels }}{{ . }} {{ end }}</dd>
<dt>Categories</dt><dd>{{ range .Params.categories }}{{ . }} {{ end }}</dd>
<dt>Ages</dt><dd>{{ .Params.ages }}</dd>
<dt>How to refer</dt><dd>{{ .Params.howtorefer }}</dd>
<dt>Contact</dt><dd>{{ .Params.phone }} {{ .Params.email }} {{ .Params.website }}</dd>
<dt>Address</dt><dd>{{ .Params.address }} {{ .Params.postcode }}</dd>
<dt>Last verified</dt><dd>{{ .Params.lastverified }}</dd>
</dl>
</main></body></html>
"""

LIST = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
</main></body></html>
"""


def split(value, separator):
    return [part.strip() for part in value.split(separator) if part.strip()]


def level_span(value):
    """"1-3" is levels 1 to 3, as servicemap reads it."""
    levels = []
    for part in split(value, ","):
        low, _, high = part.partition("-")
        if low.isdigit() and high.isdigit():
            levels += [str(n) for n in range(int(low), int(high) + 1)]
        else:
            levels.append(part)
    return levels


def write_content(services_csv, workdir):
    root = pathlib.Path(workdir)
    (root / "content" / "services").mkdir(parents=True, exist_ok=True)
    (root / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(CONFIG)
    (root / "layouts" / "_default" / "single.html").write_text(SINGLE)
    (root / "layouts" / "_default" / "list.html").write_text(LIST)
    (root / "layouts" / "index.html").write_text(LIST)
    count = 0
    with open(services_csv, newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle)):
            areas = [a for a in (row["Area covered"], row["Council"], row["Health board"]) if a]
            front = {
                "title": row["Service name"],
                "organisation": row["Organisation"],
                "areas": areas,
                "levels": level_span(row["Level of need"]),
                "categories": sorted(set(split(row["Categories"], ";"))),
                "ages": row["Ages"],
                "selfreferral": row["Self-referral?"],
                "howtorefer": row["How to refer"],
                "phone": row["Phone"],
                "email": row["Email"],
                "website": row["Website"],
                "address": row["Address"],
                "postcode": row["Postcode"],
                "lastverified": row["Last verified"],
            }
            # JSON front matter: Hugo reads it natively and Python writes it without a YAML library.
            text = json.dumps(front, ensure_ascii=False, indent=1) + "\n\n" + row["Description"] + "\n"
            (root / "content" / "services" / f"service-{number}.md").write_text(text, encoding="utf-8")
            count += 1
    print(f"wrote {count} service pages into {root / 'content' / 'services'}")


class CountingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files quietly and counts what it sent, since Pagefind fetches its index from a web
    worker whose requests the page's own resource timings do not see."""
    served = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = pathlib.Path(self.translate_path(self.path))
        if path.is_file():
            CountingHandler.served.append((self.path, path.stat().st_size))
        super().do_GET()


def time_queries(public, queries):
    """Serves `public` on loopback (Pagefind's ES module cannot load from file://) and, in a fresh
    browser per query so nothing is cached, times search() plus loading the first ten results'
    data, and sums what the page downloaded from pagefind/."""
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "Tests" / "browser"))
    from test_site import make_driver

    handler = functools.partial(CountingHandler, directory=str(public))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    script = """
        const done = arguments[arguments.length - 1];
        const query = arguments[0];
        (async () => {
            const pagefind = await import('/pagefind/pagefind.js');
            await pagefind.init();
            const start = performance.now();
            const search = await pagefind.search(query);
            await Promise.all(search.results.slice(0, 10).map(r => r.data()));
            const ms = performance.now() - start;
            done({count: search.results.length, ms});
        })().catch(e => done({error: String(e)}));
    """
    try:
        for query in queries:
            driver = make_driver()
            try:
                driver.set_script_timeout(300)
                driver.get(base + "services/service-0/")
                CountingHandler.served.clear()
                result = driver.execute_async_script(script, query)
                files = [entry for entry in CountingHandler.served if entry[0].startswith("/pagefind/")]
                size = sum(bytes for _, bytes in files)
                print(f"pagefind {query!r}: {result.get('count')} results, {result.get('ms', 0):.0f} ms to search "
                      f"and load the first ten, {len(files)} files, {size / 1024:.0f} KiB downloaded {result.get('error', '')}")
            finally:
                driver.quit()
    finally:
        server.shutdown()


def main():
    command = sys.argv[1]
    if command == "content":
        write_content(sys.argv[2], sys.argv[3])
    elif command == "query":
        time_queries(pathlib.Path(sys.argv[2]), sys.argv[3:] or ["support", "synthetic"])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

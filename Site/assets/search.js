/* servicemap search: the project's own code, no libraries, no network.
 *
 * The index is written by ServiceMapSite (SearchIndexWriter.swift) as script files that call
 * SM.put(key, data); they are loaded with <script> tags because browsers refuse to fetch from
 * file://. A query loads only the files it needs: one posting list per facet value, the
 * vocabulary of each word's two-letter prefix, the postings of matching words (about 32 words
 * share a file), and the records
 * of the services on the page of results shown.
 *
 * RANKING AND FILTERS MIRROR ServiceGraph.find IN ServiceMapCore (ServiceQuery.swift). Keep the
 * two parallel: the same query must give the same services in the same order, with the same
 * reasons. Step by step (Core's order):
 *   area  — keep services that serve the area (it, an ancestor or a descendant: posting a:AREA);
 *           +1 when the service names the area itself (posting ax:AREA).
 *   age   — services with no ages pass ("ages not stated"); others must include the age: +0.5.
 *   needs — a need is met when the service has it or a category below it (posting c:NEED
 *           holds services with the need or a sub-need); at least one must be met; +3 each.
 *   below — lowest ring of the service must be below the chosen ring; services with no level
 *           pass unless they are run by social work and the ring is statutory (low:0sw).
 *   self-referral only — a route from the family must exist.
 *   referrer — "the family": a self route must exist, +2 ("a … can refer"); anyone else: a route
 *           from that role or from "any professional", or a self route, must exist; +2 for
 *           the role's own route.
 *   self route — +2, "the family can refer themselves".
 *   text  — Core asks the store's full-text index; here the words must all match (with
 *           stemming, prefixes and typos) and add 4 × rank, rank in 0…1.
 *   order — score descending, then name, then id (document numbers are in that order).
 * Cost, language and local level are extra filters of the site only (no score).
 */
(function () {
  'use strict';
  var SM = window.SM = window.SM || {};
  var store = {};
  var waiting = {};
  var root = document.body.getAttribute('data-root') || '';
  var PAGE = 20;

  SM.put = function (key, data) {
    store[key] = data;
    var list = waiting[key];
    if (list) { delete waiting[key]; list.forEach(function (f) { f(data); }); }
  };

  function load(key) {
    if (Object.prototype.hasOwnProperty.call(store, key)) return Promise.resolve(store[key]);
    return new Promise(function (resolve) {
      if (waiting[key]) { waiting[key].push(resolve); return; }
      waiting[key] = [resolve];
      var script = document.createElement('script');
      script.src = root + 'search/' + key + '.js';
      script.onerror = function () { SM.put(key, null); };
      document.head.appendChild(script);
    });
  }

  // FNV-1a over UTF-8, as ShardHash.fnv1a in Swift.
  function fileName(key) {
    var bytes = new TextEncoder().encode(key);
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    var hex = h.toString(16);
    return '00000000'.slice(hex.length) + hex;
  }

  function bucketName(key, buckets) {
    var bytes = new TextEncoder().encode(key);
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return (h % buckets).toString(16);
  }

  function decode(list) {
    var out = [], prev = -1;
    for (var i = 0; i < list.length; i++) {
      var v = list[i];
      if (v < 0) { for (var k = 0; k < -v; k++) { prev++; out.push(prev); } } else { prev += v; out.push(prev); }
    }
    return out;
  }

  function facet(term) {
    var key = 'f/' + fileName('f:' + term);
    return load(key).then(function (data) {
      return data && Object.prototype.hasOwnProperty.call(data, term) ? decode(data[term]) : [];
    });
  }

  // ---- Text analysis: the same rules as TextAnalysis.swift ----
  var STOP = {};
  'a an and are as at be by for from in is it of on or the to with who their they this that can all not'.split(' ').forEach(function (w) { STOP[w] = true; });

  function fold(text) {
    return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  }
  function stem(w) {
    if (w.length <= 3) return w;
    if (/ies$/.test(w) && w.length > 4) w = w.slice(0, -3) + 'y';
    else if (/sses$/.test(w)) w = w.slice(0, -2);
    else if (/s$/.test(w) && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
    if (/ing$/.test(w) && w.length >= 7) w = w.slice(0, -3);
    else if (/ed$/.test(w) && w.length >= 6) w = w.slice(0, -2);
    return w;
  }
  // Query words: a hyphenated word is searched joined ("peri-natal" → "perinatal"), which the
  // index holds for every hyphenated word as well as its parts.
  function queryTerms(text) {
    var out = [];
    fold(text).replace(/['\u2019]/g, '').split(/[^\p{L}\p{N}-]+/u).forEach(function (chunk) {
      var word = chunk.replace(/-/g, '');
      if (word.length >= 2 && !STOP[word]) {
        var s = stem(word);
        if (out.indexOf(s) < 0) out.push(s);
      }
    });
    return out;
  }
  function shardKey(term) {
    var key = '';
    for (var i = 0; i < 2 && i < term.length; i++) key += /[a-z0-9]/.test(term[i]) ? term[i] : '_';
    return key.length === 2 ? key : key + '_';
  }
  // Optimal string alignment distance, stopping early beyond `max`.
  function distance(a, b, max) {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var prev2 = null, prev = [], cur;
    for (var j = 0; j <= b.length; j++) prev.push(j);
    for (var i = 1; i <= a.length; i++) {
      cur = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur.push(v);
        if (v < best) best = v;
      }
      if (best > max) return max + 1;
      prev2 = prev; prev = cur;
    }
    return prev[b.length];
  }

  // Words of the index that a query word finds: itself (1), longer words it starts (0.7), and
  // words one or two typos away (0.6).
  function variants(term, meta) {
    var key = shardKey(term);
    if (meta.prefixes.indexOf(key) < 0) return Promise.resolve([]);
    return load('v/' + key).then(function (vocab) {
      var found = [];
      var max = term.length >= 9 ? 2 : term.length >= 5 ? 1 : 0;
      (vocab || []).forEach(function (word) {
        if (word === term) found.push([word, 1]);
        else if (term.length >= 3 && word.indexOf(term) === 0) found.push([word, 0.7]);
        else if (max > 0 && distance(term, word, max) <= max) found.push([word, 0.6]);
      });
      found.sort(function (x, y) { return y[1] - x[1] || (x[0] < y[0] ? -1 : 1); });
      return found.slice(0, 40);
    });
  }

  function textScores(text, meta) {
    var terms = queryTerms(text);
    if (!terms.length) return Promise.resolve(null);
    return Promise.all(terms.map(function (term) {
      return variants(term, meta).then(function (vs) {
        return Promise.all(vs.map(function (v) {
          return load('t/' + bucketName('t:' + v[0], meta.termBuckets)).then(function (data) {
            var entry = data && data[v[0]];
            return entry ? { docs: decode(entry[0]), weights: entry[1], factor: v[1], word: v[0] } : null;
          });
        }));
      });
    })).then(function (perTerm) {
      var total = new Float64Array(meta.count);
      var hits = new Uint16Array(meta.count);
      perTerm.forEach(function (lists) {
        var best = new Float64Array(meta.count);
        lists.forEach(function (list) {
          if (!list) return;
          for (var i = 0; i < list.docs.length; i++) {
            var d = list.docs[i], w = list.weights[i] * list.factor;
            if (w > best[d]) best[d] = w;
          }
        });
        for (var d = 0; d < meta.count; d++) if (best[d] > 0) { total[d] += best[d]; hits[d]++; }
      });
      var max = 0;
      for (var d = 0; d < meta.count; d++) {
        if (hits[d] !== terms.length) total[d] = 0;
        if (total[d] > max) max = total[d];
      }
      var rank = new Float64Array(meta.count);
      var matched = new Uint8Array(meta.count);
      for (d = 0; d < meta.count; d++) if (total[d] > 0) { rank[d] = total[d] / max; matched[d] = 1; }
      return { rank: rank, matched: matched, terms: terms };
    });
  }

  function mark(list, count) {
    var m = new Uint8Array(count);
    for (var i = 0; i < list.length; i++) m[list[i]] = 1;
    return m;
  }

  /* Runs a query; returns {order: [doc numbers], why: function(doc, record) → reasons, routes}. */
  function run(q, meta) {
    var n = meta.count;
    var jobs = { all: facet('all') };
    var ringIndex = q.below ? parseInt(q.below, 10) : 0;
    if (q.area) { jobs.area = facet('a:' + q.area); jobs.areaExact = facet('ax:' + q.area); }
    if (q.age !== null) { jobs.age = facet('g:' + q.age); jobs.ageNone = facet('g:none'); }
    q.needs.forEach(function (need, i) { jobs['need' + i] = facet('c:' + need); });
    if (ringIndex) {
      for (var k = 1; k < ringIndex; k++) jobs['low' + k] = facet('low:' + k);
      jobs.low0 = facet('low:0');
      if (ringIndex < meta.statutory) jobs.low0sw = facet('low:0sw');
    }
    jobs.self = facet('self');
    if (q.role) {
      jobs.role = facet('r:' + q.role);
      if (q.role !== 'self') jobs.anyProfessional = facet('r:any-professional');
    }
    if (q.cost) jobs.cost = facet('cost:' + q.cost);
    if (q.lang) jobs.lang = facet('lang:' + q.lang);
    if (q.level) jobs.level = facet('lvl:' + q.level);
    var names = Object.keys(jobs);
    // The words' files load alongside the facets', not after them: each is a round of <script>
    // loads, and a broad query's answer waited on both in turn.
    var textJob = q.text ? textScores(q.text, meta) : Promise.resolve(null);
    return Promise.all(names.map(function (k) { return jobs[k]; })).then(function (lists) {
      var p = {};
      names.forEach(function (k, i) { p[k] = mark(lists[i], n); });
      return textJob.then(function (text) {
        var keep = p.all, score = new Float64Array(n), met = [];
        var own = null;
        if (q.role) {
          own = p.role;
          if (p.anyProfessional) { own = new Uint8Array(n); for (var d0 = 0; d0 < n; d0++) own[d0] = p.role[d0] | p.anyProfessional[d0]; }
        }
        var order = [];
        for (var d = 0; d < n; d++) {
          if (!keep[d]) continue;
          var s = 0;
          if (q.area) { if (!p.area[d]) continue; if (p.areaExact[d]) s += 1; }
          if (q.age !== null) { if (p.age[d]) s += 0.5; else if (!p.ageNone[d]) continue; }
          if (q.needs.length) {
            var count = 0;
            for (var i = 0; i < q.needs.length; i++) if (p['need' + i][d]) count++;
            if (!count) continue;
            s += 3 * count;
          }
          if (ringIndex) {
            var ok = p.low0[d] || (p.low0sw && p.low0sw[d]);
            for (k = 1; k < ringIndex && !ok; k++) ok = p['low' + k][d];
            if (!ok) continue;
          }
          if (q.self && !p.self[d]) continue;
          if (q.role) {
            if (q.role === 'self') { if (!p.self[d]) continue; }
            else if (!own[d] && !p.self[d]) continue;
            if (own[d]) s += 2;
          }
          if (p.self[d]) s += 2;
          if (text) { if (!text.matched[d]) continue; s += 4 * text.rank[d]; }
          if (p.cost && !p.cost[d]) continue;
          if (p.lang && !p.lang[d]) continue;
          if (p.level && !p.level[d]) continue;
          score[d] = s;
          order.push(d);
        }
        return { order: byScore(order, score), score: score, p: p, own: own, text: text };
      });
    });
  }

  // The documents by score, highest first, then in document order (Core's order). `order` is in
  // document order, so grouping it by score and taking the groups from the highest gives that
  // order without comparing documents: a broad query's tens of thousands of results share a few
  // hundred scores, and a comparison sort of them was a fifth of its answer's time. Scores that
  // are nearly all different are sorted by comparison after all.
  function byScore(order, score) {
    var groups = new Map();
    for (var i = 0; i < order.length; i++) {
      var s = score[order[i]], group = groups.get(s);
      if (group) group.push(order[i]); else groups.set(s, [order[i]]);
    }
    if (groups.size > 64 && groups.size * 8 > order.length) {
      return order.sort(function (a, b) { return score[b] - score[a] || a - b; });
    }
    var values = Float64Array.from(groups.keys()).sort();
    var out = [];
    for (var j = values.length - 1; j >= 0; j--) {
      var members = groups.get(values[j]);
      for (var k = 0; k < members.length; k++) out.push(members[k]);
    }
    return out;
  }

  // Why a service matched, in Core's words and order.
  function reasons(q, meta, result, d, rec) {
    var out = [], p = result.p;
    var areaNames = {};
    meta.areas.forEach(function (a) { areaNames[a[0]] = a[1]; });
    if (q.area) {
      var name = areaNames[q.area] || q.area;
      if (p.areaExact[d]) out.push('serves ' + name);
      else {
        var up = ancestors(meta, q.area), wider = null;
        (rec.a || []).some(function (ai) { var code = meta.areas[ai][0]; if (up.indexOf(code) >= 0) { wider = code; return true; } return false; });
        out.push(wider ? 'serves all of ' + areaNames[wider] + ', including ' + name : 'serves part of ' + name);
      }
    }
    if (q.age !== null) {
      // rec.par: a service for parents (its youngest age, 18+), which serves a child of any age (Core's AgeRange.servesFamily).
      if (p.age[d]) out.push(rec.par && q.age < rec.par ? 'a service for parents (' + rec.ad + ')' : q.age < 0 ? 'works with pregnant parents' : 'ages ' + rec.ad);
      else out.push('ages not stated');
    }
    if (q.needs.length) {
      var names = [];
      q.needs.forEach(function (need, i) {
        if (p['need' + i][d]) {
          var c = meta.cats.filter(function (x) { return x[0] === need; })[0];
          names.push(c ? c[1].toLowerCase() : need);
        }
      });
      out.push('helps with ' + names.join(', '));
    }
    if (q.below) {
      var below = parseInt(q.below, 10);
      if (!rec.lr) out.push('level of need not stated');
      else out.push('works at ' + meta.rings[rec.lr - 1].toLowerCase() + ' level, below ' + meta.rings[below - 1].toLowerCase());
    }
    if (q.role && q.role !== 'self' && result.own[d]) out.push('a ' + roleLabel(meta, q.role).toLowerCase() + ' can refer');
    if (p.self[d]) out.push('the family can refer themselves');
    if (result.text) out.push('matches the search words');
    return out;
  }

  function ancestors(meta, code) {
    var index = -1, out = [];
    meta.areas.forEach(function (a, i) { if (a[0] === code) index = i; });
    var guard = 0;
    while (index >= 0 && meta.areas[index][2] >= 0 && guard++ < 50) {
      index = meta.areas[index][2];
      out.push(meta.areas[index][0]);
    }
    return out;
  }
  function roleLabel(meta, role) {
    var r = meta.roles.filter(function (x) { return x[0] === role; })[0];
    return r ? r[1] : role;
  }

  // Ways in that fit the query, as Core's ServiceMatch.routes: the family's own first, then the referrer's.
  function usableRoutes(q, meta, rec) {
    var out = [];
    var routes = rec.rt || [];
    var selfRoute = routes.filter(function (r) { return meta.roles[r[0]][0] === 'self'; })[0];
    if (selfRoute) out.push(selfRoute);
    if (q.role) {
      routes.forEach(function (r) {
        var role = meta.roles[r[0]][0];
        if ((role === q.role || (role === 'any-professional' && q.role !== 'self')) && out.indexOf(r) < 0) out.push(r);
      });
    }
    return out;
  }

  function record(meta, d) {
    var shard = Math.floor(d / meta.per);
    return load('d/' + shard).then(function (list) { return list ? list[d - shard * meta.per] : null; });
  }

  // ---- The page ----
  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function safeHref(url, schemes) {
    if (typeof url !== 'string') return null;
    var m = /^([a-z]+):/i.exec(url);
    return m && schemes.indexOf(m[1].toLowerCase()) >= 0 ? url : null;
  }

  function readQuery() {
    var params = new URLSearchParams(window.location.search);
    var age = params.get('age');
    var q = {
      text: (params.get('q') || '').trim(),
      area: params.get('area') || '',
      age: age === null || age === '' || isNaN(parseInt(age, 10)) ? null : parseInt(age, 10),
      needs: params.getAll('need').filter(Boolean),
      role: params.get('role') || '',
      below: params.get('below') || '',
      self: params.get('self') === '1',
      cost: params.get('cost') || '',
      lang: params.get('lang') || '',
      level: params.get('level') || '',
      mode: params.get('mode') || ''
    };
    return q;
  }

  // An age from a shared link may not be one of the choices: use the nearest choice below it.
  function snapAge(age, meta) {
    if (age === null) return null;
    var best = null;
    meta.ages.forEach(function (a) { if (a[0] <= age && (best === null || a[0] > best)) best = a[0]; });
    return best === null ? meta.ages[0][0] : best;
  }

  function fillForm(form, q, prefix) {
    if (!form) return;
    function set(id, value) { var e = document.getElementById(prefix + id); if (e) e.value = value; }
    if (form.q) form.q.value = q.text;
    set('area', q.area); set('age', q.age === null ? '' : String(q.age)); set('role', q.role);
    set('below', q.below); set('cost', q.cost); set('lang', q.lang); set('level', q.level);
    var self = document.getElementById(prefix + 'self');
    if (self) self.checked = q.self;
    Array.prototype.forEach.call(form.querySelectorAll('input[name="need"]'), function (box) {
      box.checked = q.needs.indexOf(box.value) >= 0;
    });
  }

  function describe(q, meta) {
    var parts = [];
    if (q.text) parts.push('words: “' + q.text + '”');
    if (q.area) { var a = meta.areas.filter(function (x) { return x[0] === q.area; })[0]; parts.push('area: ' + (a ? a[1] : q.area)); }
    if (q.age !== null) { var g = meta.ages.filter(function (x) { return x[0] === q.age; })[0]; parts.push('child: ' + (g ? g[1].toLowerCase() : q.age)); }
    if (q.needs.length) parts.push('needs: ' + q.needs.map(function (n) { var c = meta.cats.filter(function (x) { return x[0] === n; })[0]; return c ? c[1].toLowerCase() : n; }).join(', '));
    if (q.role) parts.push('referrer: ' + roleLabel(meta, q.role).toLowerCase());
    if (q.below) parts.push('below ' + meta.rings[parseInt(q.below, 10) - 1]);
    if (q.self) parts.push('self-referral only');
    return parts.join('; ');
  }

  function renderResult(q, meta, result, d, rec) {
    var li = el('li', 'result');
    li.setAttribute('data-doc', String(d));
    var h = el('h3', 'card-title');
    var a = el('a', null, rec.n);
    a.href = root + rec.u;
    h.appendChild(a);
    li.appendChild(h);
    if (rec.o) li.appendChild(el('p', 'card-org', rec.o));
    if (rec.d) li.appendChild(el('p', 'card-summary', rec.d));
    var why = reasons(q, meta, result, d, rec);
    if (why.length) {
      li.appendChild(el('p', 'why-label', 'Why it matched:'));
      var ul = el('ul', 'why');
      why.forEach(function (r) { ul.appendChild(el('li', null, r)); });
      li.appendChild(ul);
    }
    var routes = usableRoutes(q, meta, rec);
    var refer = el('div', 'how');
    refer.appendChild(el('p', 'why-label', 'How to refer:'));
    var rl = el('ul', 'why');
    routes.forEach(function (r) {
      var role = meta.roles[r[0]];
      var text = (role[0] === 'self' ? 'The family can contact the service directly' : role[1]) + ' (' + meta.modes[r[1]].toLowerCase() + ')';
      if (r[2]) text += ': ' + r[2];
      rl.appendChild(el('li', null, text));
    });
    if (rec.h) rl.appendChild(el('li', null, rec.h));
    if (!rl.children.length) rl.appendChild(el('li', null, 'Not yet verified: see the service page.'));
    refer.appendChild(rl);
    li.appendChild(refer);
    var contact = el('p', 'contact');
    var tel = safeHref(rec.pt, ['tel']);
    if (rec.p) {
      contact.appendChild(document.createTextNode('Phone: '));
      if (tel) { var t = el('a', null, rec.p); t.href = tel; contact.appendChild(t); } else contact.appendChild(document.createTextNode(rec.p));
      contact.appendChild(document.createTextNode(' '));
    }
    var web = safeHref(rec.w, ['http', 'https']);
    if (web) { var w = el('a', null, 'Website'); w.href = web; w.rel = 'noopener noreferrer'; contact.appendChild(w); }
    if (contact.childNodes.length) li.appendChild(contact);
    if (SM.shortlist) li.appendChild(SM.shortlist.button({ id: rec.u.replace(/^services\//, '').replace(/\.html$/, ''), name: rec.n, phone: rec.p || '', href: rec.u }));
    return li;
  }

  function start() {
    var meta = store.meta;
    var section = document.getElementById('results');
    if (!meta || !section) return;
    var clear = document.getElementById('clear');
    if (clear) clear.addEventListener('click', function () { window.location.href = root + 'index.html'; });
    var q = readQuery();
    q.age = snapAge(q.age, meta);
    var alt = q.mode === 'alternatives';
    fillForm(document.getElementById(alt ? 'alt-form' : 'search-form'), q, alt ? 'alt-' : '');
    var hasFacets = q.area || q.age !== null || q.needs.length || q.role || q.below || q.self || q.cost || q.lang || q.level;
    if (!alt && hasFacets) { var details = document.getElementById('facets'); if (details) details.open = true; }
    if (!q.text && !hasFacets) return;
    var list = document.getElementById('results-list');
    var summary = document.getElementById('results-summary');
    var more = document.getElementById('more');
    var heading = document.getElementById('results-heading');
    // Show the answer right under the form that asked the question.
    var asked = document.getElementById(alt ? 'alt-form' : 'search-form');
    var panel = asked && asked.closest('section');
    if (panel && panel.nextElementSibling !== section) panel.parentNode.insertBefore(section, panel.nextSibling);
    section.hidden = false;
    heading.textContent = alt ? 'Alternatives to social work' : 'Results';
    summary.textContent = 'Searching…';
    var started = performance.now();
    run(q, meta).then(function (result) {
      var shown = 0;
      var said = describe(q, meta);
      function page() {
        var slice = result.order.slice(shown, shown + PAGE);
        return Promise.all(slice.map(function (d) { return record(meta, d); })).then(function (recs) {
          recs.forEach(function (rec, i) { if (rec) list.appendChild(renderResult(q, meta, result, slice[i], rec)); });
          shown += slice.length;
          more.hidden = shown >= result.order.length;
        });
      }
      var total = result.order.length;
      summary.textContent = (total === 0 ? 'No services found' : total === 1 ? '1 service found' : total.toLocaleString('en-GB') + ' services found') +
        (said ? ' for ' + said : '') + '.' +
        (total === 0 ? ' Try fewer needs, a wider area or different words.' : alt ? ' Services the family can contact themselves are ranked higher.' : '');
      section.setAttribute('data-elapsed-ms', String(Math.round(performance.now() - started)));
      section.setAttribute('data-count', String(total));
      more.onclick = function () { var first = list.children.length; page().then(function () { var f = list.children[first]; if (f) { var link = f.querySelector('a'); if (link) link.focus(); } }); };
      return page().then(function () {
        section.setAttribute('data-ready', 'true');
        heading.focus();
      });
    });
  }

  SM.run = run;
  SM.queryTerms = queryTerms;
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();

/* The shortlist: services a practitioner saves on this computer (localStorage), to print or to
 * share as a link. Names from a shared link are shown as text only; links are rebuilt from the
 * service's file name, which must be a plain slug. */
(function () {
  'use strict';
  var SM = window.SM = window.SM || {};
  var KEY = 'servicemap.shortlist';
  var root = document.body.getAttribute('data-root') || '';
  var SLUG = /^[a-z0-9][a-z0-9-]{0,120}$/;

  function read() {
    try {
      var items = JSON.parse(window.localStorage.getItem(KEY) || '[]');
      return Array.isArray(items) ? items.filter(function (i) { return i && SLUG.test(i.id); }) : [];
    } catch (e) { return []; }
  }
  function write(items) {
    try { window.localStorage.setItem(KEY, JSON.stringify(items)); } catch (e) { /* storage switched off */ }
    update();
  }
  function has(id) { return read().some(function (i) { return i.id === id; }); }
  function toggle(item) {
    var items = read();
    if (items.some(function (i) { return i.id === item.id; })) items = items.filter(function (i) { return i.id !== item.id; });
    else items.push({ id: item.id, name: String(item.name || '').slice(0, 300), phone: String(item.phone || '').slice(0, 60) });
    write(items);
  }
  // The visible words say what the button will do; the spoken name also says which service.
  function label(button) {
    var on = has(button.getAttribute('data-id'));
    var name = button.getAttribute('data-name');
    button.textContent = on ? 'Remove from shortlist' : 'Add to shortlist';
    // Starts with the visible words (WCAG 2.5.3, label in name).
    if (name) button.setAttribute('aria-label', button.textContent + ': ' + name);
  }
  function update() {
    var count = read().length;
    Array.prototype.forEach.call(document.querySelectorAll('[data-shortlist-count]'), function (e) {
      e.textContent = count ? '(' + count + ')' : '';
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-shortlist-toggle]'), label);
  }
  function button(item) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'button button-secondary button-small no-print';
    b.setAttribute('data-shortlist-toggle', '');
    b.setAttribute('data-id', item.id);
    b.setAttribute('data-name', item.name || '');
    b.addEventListener('click', function () { toggle(item); });
    label(b);
    return b;
  }
  SM.shortlist = { read: read, toggle: toggle, button: button };

  function servicePage(id) { return root + 'services/' + id + '.html'; }

  function renderList(items, shared) {
    var list = document.getElementById('shortlist-items');
    var empty = document.getElementById('shortlist-empty');
    if (!list) return;
    list.textContent = '';
    empty.hidden = items.length > 0;
    items.forEach(function (item) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = servicePage(item.id);
      a.textContent = item.name || item.id;
      li.appendChild(a);
      if (item.phone) {
        var p = document.createElement('span');
        p.className = 'shortlist-phone';
        p.textContent = ' Phone: ' + item.phone;
        li.appendChild(p);
      }
      if (!shared) {
        var remove = document.createElement('button');
        remove.type = 'button';
        remove.className = 'button button-secondary button-small no-print';
        remove.textContent = 'Remove';
        remove.setAttribute('aria-label', 'Remove ' + (item.name || item.id) + ' from the shortlist');
        remove.addEventListener('click', function () { write(read().filter(function (i) { return i.id !== item.id; })); renderList(read(), false); });
        li.appendChild(document.createTextNode(' '));
        li.appendChild(remove);
      }
      list.appendChild(li);
    });
  }

  function sharedItems() {
    var params = new URLSearchParams(window.location.search);
    var ids = params.getAll('s'), names = params.getAll('n'), phones = params.getAll('p');
    var items = [];
    ids.forEach(function (id, i) { if (SLUG.test(id)) items.push({ id: id, name: (names[i] || '').slice(0, 300), phone: (phones[i] || '').slice(0, 60) }); });
    return params.has('s') ? items : null;
  }

  function shortlistPage() {
    if (!document.getElementById('shortlist-items')) return;
    var shared = sharedItems();
    var status = document.getElementById('shortlist-status');
    renderList(shared || read(), !!shared);
    var keep = document.getElementById('shortlist-keep');
    if (shared && keep) {
      keep.hidden = false;
      status.textContent = 'This is a shortlist someone shared with you.';
      keep.addEventListener('click', function () { write(shared); status.textContent = 'Saved to your shortlist.'; });
    }
    document.getElementById('shortlist-clear').addEventListener('click', function () {
      write([]); renderList([], false); status.textContent = 'The shortlist is empty.';
    });
    document.getElementById('shortlist-share').addEventListener('click', function () {
      var items = shared || read();
      var params = new URLSearchParams();
      items.forEach(function (i) { params.append('s', i.id); params.append('n', i.name); params.append('p', i.phone || ''); });
      var link = window.location.href.split(/[?#]/)[0] + '?' + params.toString();
      var field = document.getElementById('shortlist-link');
      field.hidden = false;
      field.value = link;
      field.select();
      var done = function () { status.textContent = 'Link copied. It is also in the box below.'; };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(link).then(done, function () { status.textContent = 'Copy the link from the box below.'; });
      else { try { document.execCommand('copy'); done(); } catch (e) { status.textContent = 'Copy the link from the box below.'; } }
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-shortlist-toggle]'), function (b) {
      b.addEventListener('click', function () {
        toggle({ id: b.getAttribute('data-id'), name: b.getAttribute('data-name'), phone: b.getAttribute('data-phone') });
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-print]'), function (b) {
      b.addEventListener('click', function () { window.print(); });
    });
    update();
    shortlistPage();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
})();

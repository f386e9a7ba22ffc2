/* nianbao search page: Pagefind's JavaScript API, no framework, nothing fetched from elsewhere. */
(function () {
  "use strict";
  var root = document.getElementById("nb-search");
  if (!root) return;
  var form = root.querySelector("form");
  var input = document.getElementById("nb-q");
  var status = document.getElementById("nb-status");
  var list = document.getElementById("nb-results");
  var selects = Array.prototype.slice.call(root.querySelectorAll("select[data-filter]"));
  /* The filters' values come from Pagefind's filter indexes, which grow with the number of agencies
     (about 90 KB at 10,000 reports): they are fetched when the reader opens the filters, not before. */
  var panel = document.getElementById("nb-filters");
  var filled = null;
  var base = new URL(root.getAttribute("data-base") || ".", document.baseURI);
  var bundle = new URL(root.getAttribute("data-bundle"), document.baseURI).href;
  /* Other sites (shards of a province) whose indexes this search merges: [{bundle, base}] */
  var shards = JSON.parse(root.getAttribute("data-shards") || "[]");
  var PAGE = 10;  /* each result fetches its fragment: 10 keeps a first search light at 10,000 reports */

  /* The index holds Chinese as encoded words (see generator/search.py): each Han character with the
     next one of its run, the run's last alone (行政复议 → 行政 政复 复议 议), each written q +
     5-digit code points; "q" stands for whitespace next to Han text. A run of two characters is
     sent as its word, a single character as itself (which Pagefind matches as the prefix of every
     word starting with it), a longer run as the words that cover it: GRAM apart, the last flush
     (行政复议 → 行政 复议; cover). */
  var GRAM = 2;
  var HAN_CHAR = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
  var HAN = new RegExp("[" + HAN_CHAR + "]+", "g");
  var IS_HAN = new RegExp("^[" + HAN_CHAR + "]$");
  function word(chars) {
    return "q" + Array.from(chars).map(function (c) { return String(c.codePointAt(0)).padStart(5, "0"); }).join("");
  }
  function hanRuns(q) { return (q.match(HAN) || []).map(function (run) { return Array.from(run); }); }
  function cover(length) {
    if (length <= GRAM) return [0];
    var out = [];
    for (var i = 0; i < length - GRAM; i += GRAM) out.push(i);
    out.push(length - GRAM);
    return out;
  }
  /* The words a term is searched by: {w: the word sent, chars: the Han characters it stands for (or
     null), run: the Han run it covers, at: where in the run it starts}. */
  function words(term) {
    var out = [];
    term.replace(HAN, " ").split(" ").forEach(function (other) {
      if (/[\p{L}\p{N}]/u.test(other)) out.push({ w: other, chars: null, run: null, at: 0 });
    });
    hanRuns(term).forEach(function (chars) {
      cover(chars.length).forEach(function (at) {
        var part = chars.slice(at, at + GRAM).join("");
        out.push({ w: word(part), chars: part, run: chars.join(""), at: at });
      });
    });
    return out;
  }
  /* Turn a page's content back into its text. nianbao writes each word of a fragment as the Han
     character it stands for (shorten_fragments); a shard built before that has the encoded words,
     each of which gives its first character. Either way nothing is lost or doubled where runs, lines
     or headings meet. A shared block's mark (q0 and its number from 1) is the block, from blocks
     (the shared text of the page's format), as the page shows it; without blocks it is left out.
     Pagefind's content is the text itself (its excerpt is HTML with only < and > escaped), so
     nothing needs unescaping. */
  function decodeText(content, blocks) {
    var out = "", previous = "";
    content.split(/[\s\u200b]+/).forEach(function (part) {
      if (!part) return;
      if (part === "q") { if (previous) out += " "; previous = "space"; return; }
      var mark = /^q0(\d+)$/.exec(part);
      if (mark) {
        var block = blocks && Number(mark[1]) > 0 && blocks[Number(mark[1]) - 1];  /* q00: EVERY */
        if (block) { out += block.split(/\s+/).join(" "); previous = "han"; }
        return;
      }
      /* Pagefind ends a block's text with "." when it has no end punctuation: written "行." or
         "q26085." it cannot be the editor's (an editor's "." after Han text is a word of its own). */
      var bare = part.replace(/\.$/, "");
      if (IS_HAN.test(bare)) { out += bare; previous = "han"; return; }
      var m = /^q((?:\d{5}){1,4})$/.exec(bare);
      var chars = m ? m[1].match(/\d{5}/g).map(function (d) { return String.fromCodePoint(Number(d)); }) : [];
      if (m && chars.every(function (c) { return IS_HAN.test(c); })) { out += chars[0]; previous = "han"; return; }
      /* Text as the editor wrote it; a word that reads as a code was written with one more q. */
      out += (previous === "other" ? " " : "") + (/^q+\d*$/.test(part) ? part.slice(1) : part);
      previous = "other";
    });
    return out;
  }
  function blocksOf(d) {
    var id = d.filters && d.filters["格式"] && d.filters["格式"][0];
    return shared[id] || null;
  }
  /* The statutory text every report of a format holds (headings, table labels): not in each page's
     record but given once per index (nianbao-shared.json beside pagefind.js). A word it holds is
     held by every report of that format. */
  var shared = {};  /* format id -> [blocks] */
  function loadShared(bundleUrl) {
    return fetch(bundleUrl + "nianbao-shared.json").then(function (r) { return r.ok ? r.json() : {}; })
      .catch(function () { return {}; })
      .then(function (data) {
        var formats = (data && data.formats) || {};
        Object.keys(formats).forEach(function (id) { shared[id] = formats[id]; });
      });
  }
  function sharedHolds(block, item) {
    if (item.chars) return block.indexOf(item.chars) >= 0;
    var needle = item.w.toLowerCase();
    return block.toLowerCase().split(/[^\p{L}\p{N}]+/u).some(function (t) { return t.indexOf(needle) === 0; });
  }
  /* The formats whose shared text holds a word (or, with run, a Han run whole). */
  function sharedFormats(item, run) {
    return Object.keys(shared).filter(function (id) {
      return shared[id].some(function (block) { return run ? block.indexOf(run) >= 0 : sharedHolds(block, item); });
    });
  }
  /* The excerpt: the text around the query's first whole occurrence (else its first Han run's, else
     a word's or bigram's), rather than Pagefind's densest cluster of bigrams, which for a scattered
     match of a report that also holds the phrase shows the scattered part. */
  var BEFORE = 24, LENGTH = 96;
  function locate(text, q) {
    var wanted = [q];
    q.split(/\s+/).forEach(function (term) { wanted.push(term); });
    hanRuns(q).forEach(function (chars) {
      wanted.push(chars.join(""));
      cover(chars.length).forEach(function (at) { wanted.push(chars.slice(at, at + GRAM).join("")); });
      for (var i = 0; i + 1 < chars.length; i++) wanted.push(chars[i] + chars[i + 1]);
    });
    var lower = text.toLowerCase(), at = -1;
    for (var i = 0; i < wanted.length && at < 0; i++) if (wanted[i]) at = lower.indexOf(wanted[i].toLowerCase());
    return at;
  }
  function excerptOf(text, q) {
    var at = locate(text, q);
    var start = Math.max(0, at - BEFORE), end = Math.min(text.length, start + LENGTH);
    return (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
  }
  /* The query's terms in the excerpt's text, each whole, else its parts (Han runs, other words
     ignoring case), a Han run that does not occur whole (a scattered match) by its bigrams. Returns [text, marked] pieces. */
  function highlight(text, q) {
    var marked = new Array(text.length).fill(false);
    var lower = text.toLowerCase();
    function mark(term) {
      if (!term) return false;
      var found = false;
      for (var at = lower.indexOf(term); at >= 0; at = lower.indexOf(term, at + 1)) {
        for (var i = at; i < at + term.length; i++) marked[i] = true;
        found = true;
      }
      return found;
    }
    q.toLowerCase().split(/\s+/).forEach(function (term) {
      if (mark(term)) return;
      term.replace(HAN, " ").split(" ").forEach(mark);
      hanRuns(term).forEach(function (chars) {
        if (mark(chars.join("")) || chars.length < 2) return;
        for (var i = 0; i + 1 < chars.length; i++) mark(chars[i] + chars[i + 1]);
      });
    });
    var pieces = [];
    for (var i = 0; i < text.length; i++) {
      var last = pieces[pieces.length - 1];
      if (last && last[1] === marked[i]) last[0] += text[i]; else pieces.push([text[i], marked[i]]);
    }
    return pieces;
  }
  /* pagefind.js fetches, for a word, the one index chunk whose boundaries hold it. A single
     character starts words in several chunks once an index is large (政 in 8 of 560 at 10,000
     reports), and the words in the others were not searched. So before such a word is searched, every
     chunk that may hold a word it starts is preloaded by the chunk's first word, taken from the
     chunk list of the index's meta file (which pagefind.js has fetched already). */
  function cbor(bytes) {
    var view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), i = 0;
    var utf8 = new TextDecoder();
    function item() {
      var head = bytes[i++], major = head >> 5, info = head & 31, n = info;
      if (info === 24) { n = bytes[i]; i += 1; }
      else if (info === 25) { n = view.getUint16(i); i += 2; }
      else if (info === 26) { n = view.getUint32(i); i += 4; }
      else if (info === 27) { n = view.getUint32(i) * 4294967296 + view.getUint32(i + 4); i += 8; }
      else if (info > 27) throw new Error("cbor");
      if (major === 0) return n;
      if (major === 1) return -1 - n;
      if (major === 2) { i += n; return null; }
      if (major === 3) { var text = utf8.decode(bytes.subarray(i, i + n)); i += n; return text; }
      if (major === 4) { var list = []; for (var k = 0; k < n; k++) list.push(item()); return list; }
      if (major === 5) { var map = {}; for (var m = 0; m < n; m++) { var key = item(); map[key] = item(); } return map; }
      if (major === 6) return item();
      return null;  /* simple values and floats: not in a meta file's chunk list */
    }
    return item();
  }
  function chunkList(bundleUrl) {
    return fetch(bundleUrl + "pagefind-entry.json").then(function (r) { return r.json(); }).then(function (entry) {
      var language = Object.keys(entry.languages || {})[0];
      return fetch(bundleUrl + "pagefind." + entry.languages[language].hash + ".pf_meta");
    }).then(function (r) {
      return new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
    }).then(function (buffer) {
      var meta = cbor(new Uint8Array(buffer).subarray(12));  /* after the pagefind_dcd signature */
      return meta[2].map(function (c) { return { from: c[0], to: c[1] }; });
    }).catch(function () { return []; });  /* another layout: the word is searched as pagefind.js finds it */
  }
  var chunks = null;
  function preloadStarts(w) {
    var high = w + "\uffff";
    return chunks.then(function (lists) {
      var probes = [];
      lists.forEach(function (list) {
        var hit = list.filter(function (c) { return c.from <= high && c.to >= w.slice(0, c.to.length); });
        if (hit.length > 1) hit.forEach(function (c) { probes.push(c.from); });
      });
      return Promise.all(probes.map(function (probe) { return pagefind.preload(probe); }));
    });
  }
  /* Pagefind shortens a word it does not know until something matches (q99999 finds every page),
     and its ordinary search cannot tell adjacent words from scattered ones. So a query is found as
     the pages holding every one of its words: each word searched alone, which matches only itself
     (or the words it starts) once the best page is seen to hold it, a word that no page holds
     finding nothing; a word of the shared text is held by every report of its format. Phrase
     matches come first: a Han run longer than one word whose words stand where cover puts them on
     the page (result.words), or that the shared text holds whole. */
  function holding(item, f) {
    var starts = !item.chars || Array.from(item.chars).length < GRAM;  /* a word that may start others */
    return (starts ? preloadStarts(item.w) : Promise.resolve()).then(function () {
      return pagefind.search(item.w, { filters: f });
    }).then(function (search) {
      if (!search.results.length) return [];
      return search.results[0].data().then(function (d) {
        var known = item.chars ? decodeText(d.content, null).indexOf(item.chars) >= 0
          : d.content.toLowerCase().split(/[\s\u200b]+/).some(function (part) { return part.indexOf(item.w.toLowerCase()) === 0; });
        return known ? search.results : [];
      });
    });
  }
  function consecutive(result, offsets) {
    var at = {};
    (result.words || []).forEach(function (w) { at[w] = true; });
    return (result.words || []).some(function (w) {
      return offsets.every(function (o) { return at[w + o]; });
    });
  }
  /* The first word of every report's record (search.EVERY): it finds every report, where Pagefind's
     search of nothing fetched every index chunk (33 MB at 10,000 reports). */
  var EVERY = "q00";
  function withFilter(f, name, value) {
    var out = {};
    Object.keys(f).forEach(function (k) { out[k] = f[k]; });
    if (name) out[name] = value;
    return out;
  }
  function find(q, f) {
    var terms = q.split(/\s+/).filter(Boolean);
    var all = [].concat.apply([], terms.map(words));
    var runs = hanRuns(q).filter(function (chars) { return chars.length > GRAM; });  /* shorter: one word */
    if (!all.length) return Promise.resolve([]);
    var formats = Object.keys(shared);
    var byWord = all.map(function (item) { return sharedFormats(item); });
    /* the reports of each format some word needs (all reports when every format holds it) */
    var needed = {};
    byWord.forEach(function (ids_) {
      if (!ids_.length) return;
      if (ids_.length === formats.length) needed[""] = true; else ids_.forEach(function (id) { needed[id] = true; });
    });
    var keys = Object.keys(needed);
    var held = Promise.all(all.map(function (item) { return holding(item, f); }));
    return Promise.all([
      held.then(function () { return pagefind.search(all.map(function (item) { return item.w; }).join(" "), { filters: f }); }),
      held,
      Promise.all(keys.map(function (id) {
        return pagefind.search(EVERY, { filters: id ? withFilter(f, "格式", id) : f }).then(function (s) { return s.results; });
      })),
    ]).then(function (found) {
      var pagesOf = {};  /* format key -> set of ids */
      var result = {};   /* id -> a result object that can load the page */
      keys.forEach(function (id, i) {
        var set = pagesOf[id] = {};
        found[2][i].forEach(function (r) { set[r.id] = true; if (!result[r.id]) result[r.id] = r; });
      });
      var sets = all.map(function (item, i) {
        var set = {};
        found[1][i].forEach(function (r) { set[r.id] = true; if (!result[r.id]) result[r.id] = r; });
        var ids_ = byWord[i];
        (ids_.length === formats.length ? [""] : ids_).forEach(function (id) {
          Object.keys(pagesOf[id] || {}).forEach(function (k) { set[k] = true; });
        });
        return set;
      });
      function inAll(id) { return sets.every(function (set) { return set[id]; }); }
      var ranked = found[0].results.filter(function (r) { return inAll(r.id); });
      var seen = {};
      ranked.forEach(function (r) { seen[r.id] = true; });
      var rest = Object.keys(result).filter(function (id) { return !seen[id] && inAll(id); }).map(function (id) { return result[id]; });
      /* a run held whole by the shared text of the formats given (or of every one) */
      var sharedRun = runs.map(function (chars) { return sharedFormats(null, chars.join("")); });
      function inFormats(id, ids_) {
        if (ids_.length === formats.length) return true;
        return ids_.some(function (fid) { return pagesOf[fid] && pagesOf[fid][id]; });
      }
      function phrase(r) {
        return runs.every(function (chars, i) {
          if (sharedRun[i].length && inFormats(r.id, sharedRun[i])) return true;
          return consecutive(r, cover(chars.length));
        });
      }
      var results = ranked.concat(rest);
      var phrases = results.filter(phrase), scattered = results.filter(function (r) { return !phrase(r); });
      /* A report that holds a run only scattered must hold every bigram of it, as before the cover
         (which leaves out every other one to halve what a first search fetches): the bigrams left
         out are searched only now, when some report is found scattered. */
      var others = [];
      runs.forEach(function (chars) {
        var at = cover(chars.length);
        for (var i = 0; i + GRAM <= chars.length; i++) {
          if (at.indexOf(i) >= 0) continue;
          var part = chars.slice(i, i + GRAM).join("");
          others.push({ w: word(part), chars: part, run: chars.join(""), at: i });
        }
      });
      if (!scattered.length || !others.length) return phrases.concat(scattered);
      return Promise.all(others.map(function (item) {
        var ids_ = sharedFormats(item);
        if (ids_.length && ids_.length === formats.length) return null;  /* every report holds it */
        return Promise.all([holding(item, f)].concat(ids_.map(function (id) {
          return pagefind.search(EVERY, { filters: withFilter(f, "格式", id) }).then(function (s) { return s.results; });
        }))).then(function (lists) {
          var set = {};
          lists.forEach(function (list) { list.forEach(function (r) { set[r.id] = true; }); });
          return set;
        });
      })).then(function (sets_) {
        var kept = scattered.filter(function (r) { return sets_.every(function (set) { return !set || set[r.id]; }); });
        return phrases.concat(kept);
      });
    });
  }
  /* Shorter forms of a query that finds nothing, as groups tried in turn: each word alone, then
     each Han run's parts one character shorter, two shorter, … down to two characters. */
  function shorterForms(q) {
    var terms = q.split(/\s+/).filter(Boolean);
    var groups = terms.length > 1 ? [terms] : [];
    var longest = Math.max.apply(null, [0].concat(hanRuns(q).map(function (c) { return c.length; })));
    for (var len = longest - 1; len >= 2; len--) {
      var group = [];
      hanRuns(q).forEach(function (chars) {
        for (var i = 0; i + len <= chars.length; i++) group.push(chars.slice(i, i + len).join(""));
      });
      groups.push(group);
    }
    return groups;
  }

  var pagefind = null;
  var current = [];
  var query = "";
  var shown = 0;

  function say(text) { status.textContent = text; }

  function load() {
    if (pagefind) return Promise.resolve(pagefind);
    return import(bundle + "pagefind.js").then(function (mod) {
      pagefind = mod;
      /* noWorker: Pagefind's web worker is another 41 KB to fetch; a search of 10,000 reports takes
         milliseconds on the page's own thread. */
      return Promise.resolve(mod.options({ baseUrl: base.pathname, noWorker: true }))
        .then(function () {
          var lists = [chunkList(bundle)];
          return Promise.all([loadShared(bundle)].concat(shards.map(function (shard) {
            var other = new URL(shard.bundle, document.baseURI).href;
            var otherBase = new URL(shard.base, document.baseURI).pathname;
            lists.push(chunkList(other));
            return Promise.all([mod.mergeIndex(other, { baseUrl: otherBase }), loadShared(other)]);
          }))).then(function () { chunks = Promise.all(lists); });
        })
        .then(function () { return mod.init(); })
        .then(function () { return mod; });
    });
  }

  function fillFilters() {
    if (filled) return filled;
    filled = load().then(function (pf) { return pf.filters(); }).then(function (all) {
      selects.forEach(function (select) {
        var name = select.getAttribute("data-filter");
        var values = Object.keys(all[name] || {});
        values.sort(function (a, b) { return name === "年度" ? b.localeCompare(a) : a.localeCompare(b, "zh"); });
        values.forEach(function (value) {
          var option = document.createElement("option");
          option.value = value;
          option.textContent = value + "（" + all[name][value] + "）";
          select.appendChild(option);
        });
      });
      readQuery();  /* the URL's filter values exist now */
    });
    return filled;
  }

  function wanted() {
    var params = new URLSearchParams(location.search);
    return selects.some(function (select) { return params.get(select.getAttribute("data-filter")); });
  }

  function readQuery() {
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    selects.forEach(function (select) {
      var value = params.get(select.getAttribute("data-filter"));
      if (value !== null) select.value = value;
    });
  }

  function filters() {
    var out = {};
    selects.forEach(function (select) {
      if (select.value) out[select.getAttribute("data-filter")] = select.value;
    });
    return out;
  }

  function render(results) {
    var batch = results.slice(shown, shown + PAGE);
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (items) {
      items.forEach(function (d) {
        var li = document.createElement("li");
        li.className = "nb-result";
        var a = document.createElement("a");
        a.href = d.url;
        a.textContent = (d.meta && d.meta.title) || d.url;
        var title = document.createElement("p");
        title.className = "nb-result__title";
        title.appendChild(a);
        var meta = document.createElement("p");
        meta.className = "nb-result__meta";
        meta.textContent = [d.meta && d.meta["年度"] ? d.meta["年度"] + "年度" : "", d.meta && d.meta["机关"] || ""]
          .filter(Boolean).join(" · ");
        var excerpt = document.createElement("p");
        excerpt.className = "nb-result__excerpt";
        highlight(excerptOf(decodeText(d.content, blocksOf(d)), query), query).forEach(function (piece) {
          if (!piece[1]) { excerpt.appendChild(document.createTextNode(piece[0])); return; }
          var m = document.createElement("mark");
          m.textContent = piece[0];
          excerpt.appendChild(m);
        });
        li.appendChild(title);
        li.appendChild(meta);
        li.appendChild(excerpt);
        list.appendChild(li);
      });
      shown += batch.length;
      var more = document.getElementById("nb-more");
      if (more) more.remove();
      if (shown < results.length) {
        var button = document.createElement("button");
        button.id = "nb-more";
        button.type = "button";
        button.textContent = "显示更多结果";
        button.addEventListener("click", function () { render(current); });
        list.after(button);
      }
    });
  }

  function clearSuggestions() {
    var old = document.getElementById("nb-suggest");
    if (old) old.remove();
  }
  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }
  function address(q, f) {
    var params = new URLSearchParams();
    if (q) params.set("q", q);
    Object.keys(f).forEach(function (k) { params.set(k, f[k]); });
    return "?" + params.toString();
  }
  /* Nothing found: the query's shorter forms that do find reports (with their counts), the same
     search without filters, and the browse pages. */
  function suggest(q, f) {
    var box = document.createElement("div");
    box.id = "nb-suggest";
    box.className = "nb-search__suggest";
    status.after(box);
    /* Longest first; a part of a form already found is not offered again (it finds at least as much). */
    var found = [], tried = {}, budget = 30;
    function next(groups) {
      if (!groups.length || found.length >= 4 || budget <= 0) return Promise.resolve();
      var group = groups[0].filter(function (form) {
        var fresh = form !== q && !tried[form] && !found.some(function (c) { return c[0].indexOf(form) >= 0; });
        tried[form] = true;
        return fresh;
      }).slice(0, budget);
      budget -= group.length;
      return Promise.all(group.map(function (form) {
        return find(form, f).then(function (results) { return [form, results.length]; });
      })).then(function (counts) {
        counts.forEach(function (c) { if (c[1] > 0 && found.length < 4) found.push(c); });
        return next(groups.slice(1));
      });
    }
    return next(q ? shorterForms(q) : []).then(function () {
      if (found.length) {
        var p = document.createElement("p");
        p.appendChild(document.createTextNode("试试较短的搜索词："));
        found.forEach(function (c, i) {
          if (i) p.appendChild(document.createTextNode("、"));
          p.appendChild(link(address(c[0], f), c[0]));
          p.appendChild(document.createTextNode("（" + c[1] + "份）"));
        });
        box.appendChild(p);
      }
      var browse = document.createElement("p");
      if (q && Object.keys(f).length) {
        browse.appendChild(link(address(q, {}), "取消筛选条件再搜索"));
        browse.appendChild(document.createTextNode("；"));
      }
      browse.appendChild(document.createTextNode("也可以"));
      browse.appendChild(link("years/index.html", "按年度"));
      browse.appendChild(document.createTextNode("或"));
      browse.appendChild(link("agencies/index.html", "按机关"));
      browse.appendChild(document.createTextNode("浏览全部报告。"));
      box.appendChild(browse);
    });
  }

  function run(push) {
    var q = input.value.trim();
    var f = filters();
    if (!q && !Object.keys(f).length) { say("请输入搜索词，或选择筛选条件。"); list.innerHTML = ""; clearSuggestions(); return; }
    if (push) history.replaceState(null, "", address(q, f));
    say("正在搜索……");
    load().then(function (pf) {
      return q ? find(q, f) : pf.search(null, { filters: f }).then(function (search) { return search.results; });
    }).then(function (results) {
      list.innerHTML = "";
      clearSuggestions();
      shown = 0;
      query = q;
      current = results;
      return render(current).then(function () {
        if (current.length) { say("找到 " + current.length + " 份报告。"); return; }
        say("没有找到相关报告。");
        return suggest(q, f);
      });
    }).catch(function () {
      say("无法加载搜索索引。直接从文件夹打开网站时浏览器不允许搜索，请通过网站地址访问；也可以按年度或按机关浏览。");
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(true); });
  selects.forEach(function (select) { select.addEventListener("change", function () { run(true); }); });
  if (panel) panel.addEventListener("toggle", function () { if (panel.open) fillFilters(); });
  readQuery();
  if (panel && wanted()) panel.open = true;
  (wanted() ? fillFilters() : load()).then(function () {
    if (input.value || Object.keys(filters()).length) run(false);
  }).catch(function () {
    say("无法加载搜索索引。直接从文件夹打开网站时浏览器不允许搜索，请通过网站地址访问；也可以按年度或按机关浏览。");
  });
})();

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
     next one of its run, the run's last alone (行政复议 → 行政 政复 复议 议), each written q + 5-digit
     code points; "q" stands for whitespace next to Han text. A query is sent as its bigrams (a single
     character as itself, which Pagefind matches as the prefix of every word starting with it). */
  var HAN_CHAR = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
  var HAN = new RegExp("[" + HAN_CHAR + "]+", "g");
  var IS_HAN = new RegExp("^[" + HAN_CHAR + "]$");
  function word(chars) {
    return "q" + Array.from(chars).map(function (c) { return String(c.codePointAt(0)).padStart(5, "0"); }).join("");
  }
  function hanRuns(q) { return (q.match(HAN) || []).map(function (run) { return Array.from(run); }); }
  function encodeQuery(q) {
    return q.replace(HAN, function (run) {
      var chars = Array.from(run);
      if (chars.length === 1) return " " + word(run) + " ";
      var out = [];
      for (var i = 0; i + 1 < chars.length; i++) out.push(word(chars[i] + chars[i + 1]));
      return " " + out.join(" ") + " ";
    }).replace(/\s+/g, " ").trim();
  }
  /* Turn the page's encoded words back into its text: every encoded word gives its first character,
     so nothing is lost or doubled where runs, lines or headings meet. Pagefind's content is the text
     itself (its excerpt is HTML with only < and > escaped), so nothing needs unescaping. */
  function decodeText(content) {
    var out = "", previous = "";
    content.split(/\s+/).forEach(function (part) {
      if (!part) return;
      if (part === "q") { if (previous) out += " "; previous = "space"; return; }
      /* Pagefind ends a block's text with "." when it has no end punctuation: written "q26085." it
         cannot be the editor's (an editor's "." after Han text is a word of its own). */
      var m = /^q((?:\d{5}){1,2})\.?$/.exec(part);
      var chars = m ? m[1].match(/\d{5}/g).map(function (d) { return String.fromCodePoint(Number(d)); }) : [];
      if (m && chars.every(function (c) { return IS_HAN.test(c); })) { out += chars[0]; previous = "han"; return; }
      /* Text as the editor wrote it; a word that reads as a code was written with one more q. */
      out += (previous === "other" ? " " : "") + (/^q+\d*$/.test(part) ? part.slice(1) : part);
      previous = "other";
    });
    return out;
  }
  /* The excerpt: the text around the query's first whole occurrence (else its first Han run's, else
     a word's or bigram's), rather than Pagefind's densest cluster of bigrams, which for a scattered
     match of a report that also holds the phrase shows the scattered part. */
  var BEFORE = 24, LENGTH = 96;
  function excerptOf(text, q) {
    var wanted = [q];
    q.split(/\s+/).forEach(function (term) { wanted.push(term); });
    hanRuns(q).forEach(function (chars) {
      wanted.push(chars.join(""));
      for (var i = 0; i + 1 < chars.length; i++) wanted.push(chars[i] + chars[i + 1]);
    });
    var lower = text.toLowerCase(), at = -1;
    for (var i = 0; i < wanted.length && at < 0; i++) if (wanted[i]) at = lower.indexOf(wanted[i].toLowerCase());
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
  /* Pagefind shortens a word it does not know until something matches (q99999 finds every page),
     and its ordinary search cannot tell adjacent bigrams from scattered ones. So a query is found
     as the pages holding every one of its words: each word searched alone, which matches only
     itself (or, a single character, the words it starts) once the best page is seen to hold it;
     a word that no page holds finds nothing. Phrase matches come first: Pagefind's exact search of
     each Han run's bigrams in a row, or the bigrams on consecutive word positions of the page
     (result.words; the exact search found nothing in pages whose text holds zero-width spaces). */
  function ids(results) { return results.map(function (r) { return r.id; }); }
  function words(term) {
    var out = [];
    term.replace(HAN, " ").split(" ").forEach(function (other) { if (/[\p{L}\p{N}]/u.test(other)) out.push(other); });
    hanRuns(term).forEach(function (chars) {
      if (chars.length === 1) { out.push(word(chars[0])); return; }
      for (var i = 0; i + 1 < chars.length; i++) out.push(word(chars[i] + chars[i + 1]));
    });
    return out;
  }
  function holding(w, f) {
    return pagefind.search(w, { filters: f }).then(function (search) {
      if (!search.results.length) return [];
      return search.results[0].data().then(function (d) {
        var needle = w.toLowerCase();
        var known = d.content.toLowerCase().split(/\s+/).some(function (part) { return part.indexOf(needle) === 0; });
        return known ? ids(search.results) : [];
      });
    });
  }
  function consecutive(result, chars) {
    var at = {};
    (result.words || []).forEach(function (w) { at[w] = true; });
    return (result.words || []).some(function (w) {
      for (var i = 1; i < chars.length - 1; i++) if (!at[w + i]) return false;
      return true;
    });
  }
  function find(q, f) {
    var terms = q.split(/\s+/).filter(Boolean);
    var all = [].concat.apply([], terms.map(words));
    var runs = hanRuns(q).filter(function (chars) { return chars.length > 2; });  /* two: one bigram */
    if (!all.length) return Promise.resolve([]);
    return Promise.all([
      pagefind.search(encodeQuery(q), { filters: f }),
      Promise.all(all.map(function (w) { return holding(w, f); })),
      Promise.all(runs.map(function (chars) {
        return pagefind.search('"' + encodeQuery(chars.join("")) + '"', { filters: f }).then(function (s) { return ids(s.results); });
      })),
    ]).then(function (found) {
      function inAll(sets, id) { return sets.every(function (set) { return set.indexOf(id) >= 0; }); }
      var results = found[0].results.filter(function (r) { return inAll(found[1], r.id); });
      function phrase(r) {
        return runs.every(function (chars, i) { return found[2][i].indexOf(r.id) >= 0 || consecutive(r, chars); });
      }
      return results.filter(phrase).concat(results.filter(function (r) { return !phrase(r); }));
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
          return Promise.all(shards.map(function (shard) {
            var other = new URL(shard.bundle, document.baseURI).href;
            var otherBase = new URL(shard.base, document.baseURI).pathname;
            return mod.mergeIndex(other, { baseUrl: otherBase });
          }));
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
        highlight(excerptOf(decodeText(d.content), query), query).forEach(function (piece) {
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

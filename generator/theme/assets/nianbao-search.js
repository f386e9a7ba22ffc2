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

  /* The index holds Chinese as encoded character bigrams (see generator/search.py): 行政复议 is
     indexed as 行政 政复 复议, each written q + 5-digit code points. Encode the query the same way. */
  var HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
  function word(chars) {
    return "q" + Array.from(chars).map(function (c) { return String(c.codePointAt(0)).padStart(5, "0"); }).join("");
  }
  function encodeQuery(q) {
    return q.replace(HAN, function (run) {
      var chars = Array.from(run);
      if (chars.length === 1) return " " + word(run) + " ";
      var out = [];
      for (var i = 0; i + 1 < chars.length; i++) out.push(word(chars[i] + chars[i + 1]));
      return " " + out.join(" ") + " ";
    }).replace(/\s+/g, " ").trim();
  }
  /* Turn an excerpt of encoded bigrams back into text, keeping Pagefind's <mark> highlights. */
  function decodeExcerpt(html) {
    var items = [];  /* {text, mark, han} */
    var marked = false, previousBigram = false;
    html.split(/(<mark>|<\/mark>|\s+)/).forEach(function (part) {
      if (part === "<mark>") { marked = true; return; }
      if (part === "</mark>") { marked = false; return; }
      if (!part || /^\s+$/.test(part)) return;
      var m = /^q((?:\d{5})+)$/.exec(part);
      var chars = m ? m[1].match(/\d{5}/g).map(function (d) { return String.fromCodePoint(Number(d)); }) : [];
      /* Only what encodeQuery/search.py write is decoded: Han characters. Anything else that looks like a
         code (an editor may type q00060, which would decode to "<") stays text as Pagefind escaped it. */
      if (!m || !chars.every(function (c) { return /^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$/.test(c); })) {
        items.push({ text: part, mark: marked, han: false }); previousBigram = false; return;
      }
      if (previousBigram && chars.length === 2) {
        if (marked) items[items.length - 1].mark = true;  /* the bigram's first character */
        items.push({ text: chars[1], mark: marked, han: true });
      } else {
        chars.forEach(function (c) { items.push({ text: c, mark: marked, han: true }); });
      }
      previousBigram = chars.length === 2;
    });
    var out = "";
    items.forEach(function (item, i) {
      var before = items[i - 1];
      if (before && /[A-Za-z0-9]$/.test(before.text) && /^[A-Za-z0-9]/.test(item.text)) out += " ";
      out += item.mark ? "<mark>" + item.text + "</mark>" : item.text;
    });
    return out.replace(/<\/mark><mark>/g, "");
  }
  var pagefind = null;
  var current = [];
  var shown = 0;

  function say(text) { status.textContent = text; }

  function load() {
    if (pagefind) return Promise.resolve(pagefind);
    return import(bundle + "pagefind.js").then(function (mod) {
      pagefind = mod;
      /* noWorker: Pagefind's web worker is another 41 KB to fetch; a search of 10,000 reports takes
         milliseconds on the page's own thread. */
      return Promise.resolve(mod.options({ baseUrl: base.pathname, excerptLength: 60, noWorker: true }))
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
        excerpt.innerHTML = decodeExcerpt(d.excerpt); /* Pagefind escapes text; only <mark> is markup */
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

  function run(push) {
    var q = input.value.trim();
    var f = filters();
    if (!q && !Object.keys(f).length) { say("请输入搜索词，或选择筛选条件。"); list.innerHTML = ""; return; }
    if (push) {
      var params = new URLSearchParams();
      if (q) params.set("q", q);
      Object.keys(f).forEach(function (k) { params.set(k, f[k]); });
      history.replaceState(null, "", "?" + params.toString());
    }
    say("正在搜索……");
    load().then(function (pf) {
      return pf.search(q ? encodeQuery(q) : null, { filters: f });
    }).then(function (search) {
      list.innerHTML = "";
      shown = 0;
      current = search.results;
      return render(current).then(function () {
        say(current.length ? "找到 " + current.length + " 份报告。" : "没有找到相关报告。");
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

// Search page of the default theme: queries the static Pagefind index in
// /pagefind/ (built by `digest build`).  The index is in shards, one Pagefind
// bundle per month of articles, listed newest first in /pagefind/shards.json:
// the first is loaded and the others merged into it (Pagefind's mergeIndex),
// so that a build re-indexes only the months that changed.  No inline code,
// so it runs under the site's Content-Security-Policy (Pagefind needs
// 'wasm-unsafe-eval').  Without this script, or without an index, the page
// shows its fallback note.

const form = document.getElementById("search-form");
const input = document.getElementById("search-input");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const fallback = document.getElementById("search-fallback");
const unavailable = document.getElementById("search-unavailable");
const MAX_RESULTS = 20;

let pagefind = null;
let generation = 0;
let timer = 0;

function say(text) {
  status.textContent = text;
}

// Pagefind's excerpts are HTML with <mark> around the matches; copy only the
// text and the marks, never other markup.
function excerptNodes(html) {
  const doc = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
  const out = [];
  for (const node of doc.body.firstChild.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      out.push(document.createTextNode(node.textContent));
    } else if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.push(mark);
    } else {
      out.push(document.createTextNode(node.textContent || ""));
    }
  }
  return out;
}

function resultItem(data) {
  const li = document.createElement("li");
  li.className = "search-result";
  const title = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = (data.meta && data.meta.title) || data.url;
  title.append(link);
  li.append(title);
  if (data.meta && data.meta.date) {
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = data.meta.date;
    li.append(meta);
  }
  const excerpt = document.createElement("p");
  excerpt.className = "excerpt";
  excerpt.append(...excerptNodes(data.excerpt || ""));
  li.append(excerpt);
  return li;
}

async function run(query) {
  const mine = ++generation;
  const url = new URL(location.href);
  if (query) url.searchParams.set("q", query);
  else url.searchParams.delete("q");
  history.replaceState(null, "", url);
  if (!query) {
    list.replaceChildren();
    say("");
    return;
  }
  const search = await pagefind.search(query);
  if (mine !== generation) return; // a newer query started meanwhile
  const shown = search.results.slice(0, MAX_RESULTS);
  const data = await Promise.all(shown.map((r) => r.data()));
  if (mine !== generation) return;
  list.replaceChildren(...data.map(resultItem));
  const total = search.results.length;
  if (total === 0) say(`No articles match “${query}”.`);
  else if (total > shown.length) say(`${total} articles match “${query}”; the first ${shown.length} are shown.`);
  else say(`${total} article${total === 1 ? "" : "s"} match${total === 1 ? "es" : ""} “${query}”.`);
}

// The shards' bundle URLs, newest first (none: an index of no articles).
async function shardUrls(bundle) {
  const base = new URL(bundle, location.href);
  const response = await fetch(new URL("shards.json", base));
  if (!response.ok) throw new Error(`shards.json: ${response.status}`);
  const list = await response.json();
  return list.shards.map((shard) => new URL(shard, base).href);
}

async function start() {
  const bundle = form.dataset.bundle || "/pagefind/";
  try {
    const [first, ...others] = await shardUrls(bundle);
    if (!first) throw new Error("no shards");
    // Result URLs are paths from the site's root (the folder holding the
    // bundle's): merged indexes would otherwise make them absolute.
    const baseUrl = new URL("..", new URL(bundle, location.href)).pathname;
    pagefind = await import(new URL("pagefind.js", first).href);
    await pagefind.options({ excerptLength: 24, baseUrl });
    for (const other of others) await pagefind.mergeIndex(other, { baseUrl });
  } catch (err) {
    unavailable.textContent = "Search is not available on this copy of the site (it was built without a search index).";
    return;
  }
  fallback.hidden = true;
  form.hidden = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run(input.value.trim());
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value.trim()), 250);
  });
  const initial = new URL(location.href).searchParams.get("q") || "";
  if (initial) {
    input.value = initial;
    run(initial.trim());
  }
  input.focus();
}

start();

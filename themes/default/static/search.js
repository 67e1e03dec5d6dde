// Search page of the default theme: queries the static Pagefind index in
// /pagefind/ (built by `digest build`, or kept by `digest serve`).  The index
// is in shards, one Pagefind bundle per month of articles, listed newest first
// in /pagefind/shards.json, so that a build re-indexes only the months that
// changed.  Each shard is searched by its own Pagefind (its bundle's
// pagefind.js module) and the answers are merged here: by score, as
// Pagefind's own mergeIndex does, or, newest first, shard after shard, each
// sorted by its date.  (mergeIndex re-sorts every result by score after
// merging, so a sort option does not survive it; and instances made by
// createInstance share one WebAssembly module state, which breaks when
// several load at once: "memory access out of bounds".)  Filters are Pagefind
// filters, their counts summed over the shards.  No inline code, so it runs
// under the site's Content-Security-Policy (Pagefind needs
// 'wasm-unsafe-eval').  Without this script, or without an index, the page
// shows its fallback note.

const form = document.getElementById("search-form");
const input = document.getElementById("search-input");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const fallback = document.getElementById("search-fallback");
const unavailable = document.getElementById("search-unavailable");
const sortSelect = document.getElementById("search-sort");
const filterSelects = [...form.querySelectorAll("select[data-filter]")];
const MAX_RESULTS = 20;
const SORT = { date: "desc" };
const MONTHS = ["January", "February", "March", "April", "May", "June", "July",
  "August", "September", "October", "November", "December"];

let shards = []; // Pagefind instances, newest month first
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

// One result: the headline (a link), the date and source, the excerpt.
function resultItem(data) {
  const meta = data.meta || {};
  const li = document.createElement("li");
  li.className = "search-result";
  const title = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = meta.title || data.url;
  title.append(link);
  li.append(title);
  const facts = [];
  if (meta.date) {
    const time = document.createElement("time");
    if (meta.datetime) time.dateTime = meta.datetime;
    time.textContent = meta.date;
    facts.push(time);
  }
  if (meta.source) {
    const source = document.createElement("span");
    source.className = "source";
    source.textContent = meta.source;
    facts.push(source);
  }
  if (facts.length) {
    const line = document.createElement("p");
    line.className = "meta";
    facts.forEach((fact, i) => {
      if (i) line.append(" · ");
      line.append(fact);
    });
    li.append(line);
  }
  const excerpt = document.createElement("p");
  excerpt.className = "excerpt";
  excerpt.append(...excerptNodes(data.excerpt || ""));
  li.append(excerpt);
  return li;
}

// The chosen filters, as Pagefind takes them ({topics: "Energy"}).
function chosenFilters() {
  const chosen = {};
  for (const select of filterSelects) {
    if (select.value) chosen[select.dataset.filter] = select.value;
  }
  return chosen;
}

function describe(query, filters) {
  const parts = query ? [`“${query}”`] : [];
  for (const select of filterSelects) {
    if (select.value) parts.push(`${select.labels[0].textContent}: ${select.selectedOptions[0].dataset.label}`);
  }
  return parts.join(", ");
}

// Every shard searched with the same words and filters, the results merged.
async function searchShards(query, filters, newest) {
  const options = { filters };
  if (newest) options.sort = SORT;
  const found = await Promise.all(shards.map((shard) => shard.search(query || null, options)));
  const results = found.flatMap((f) => (f ? f.results : []));
  // Newest first: the shards are months, newest first, each sorted by date.
  if (!newest) results.sort((a, b) => b.score - a.score);
  return results;
}

function remember(query) {
  const url = new URL(location.href);
  const params = url.searchParams;
  if (query) params.set("q", query);
  else params.delete("q");
  for (const select of [...filterSelects, sortSelect]) {
    if (select.value) params.set(select.name, select.value);
    else params.delete(select.name);
  }
  history.replaceState(null, "", url);
}

async function run(query) {
  const mine = ++generation;
  remember(query);
  const filters = chosenFilters();
  const filtering = Object.keys(filters).length > 0;
  if (!query && !filtering) {
    list.replaceChildren();
    say("");
    return;
  }
  // Without words, a filter lists its articles, newest first.
  const newest = sortSelect.value === "newest" || !query;
  const results = await searchShards(query, filters, newest);
  if (mine !== generation) return; // a newer query started meanwhile
  const shown = results.slice(0, MAX_RESULTS);
  const data = await Promise.all(shown.map((r) => r.data()));
  if (mine !== generation) return;
  list.replaceChildren(...data.map(resultItem));
  const total = results.length;
  const what = describe(query, filters);
  const order = newest ? ", newest first" : "";
  if (total === 0) say(`No articles match ${what}.`);
  else if (total > shown.length) say(`${total} articles match ${what}; the first ${shown.length} are shown${order}.`);
  else say(`${total} article${total === 1 ? "" : "s"} match${total === 1 ? "es" : ""} ${what}${order}.`);
}

// The shards' bundle URLs, newest first (none: an index of no articles), and
// whether the index is still being made (digest serve, first build).
async function shardList(bundle) {
  const base = new URL(bundle, location.href);
  const response = await fetch(new URL("shards.json", base));
  if (!response.ok) throw new Error(`shards.json: ${response.status}`);
  const listing = await response.json();
  return { urls: listing.shards.map((shard) => new URL(shard, base).href), pending: !!listing.pending };
}

function monthLabel(value) {
  const found = /^(\d{4})-(\d{2})$/.exec(value);
  return found ? `${MONTHS[Number(found[2]) - 1]} ${found[1]}` : value;
}

// Fill the filter lists with the values of every shard (counts summed):
// months newest first, other values alphabetically; a list with no values
// is hidden.
async function fillFilters(wanted) {
  const counts = {};
  for (const found of await Promise.all(shards.map((shard) => shard.filters()))) {
    for (const [name, values] of Object.entries(found || {})) {
      const into = (counts[name] ||= {});
      for (const [value, count] of Object.entries(values)) into[value] = (into[value] || 0) + count;
    }
  }
  for (const select of filterSelects) {
    const name = select.dataset.filter;
    const values = Object.keys(counts[name] || {});
    if (name === "month") values.sort().reverse();
    else values.sort((a, b) => a.localeCompare(b));
    for (const value of values) {
      const option = document.createElement("option");
      option.value = value;
      option.dataset.label = name === "month" ? monthLabel(value) : value;
      option.textContent = `${option.dataset.label} (${counts[name][value]})`;
      select.append(option);
    }
    select.parentElement.hidden = values.length === 0;
    if (wanted.get(select.name) && values.includes(wanted.get(select.name))) {
      select.value = wanted.get(select.name);
    }
  }
  if (wanted.get("sort") === "newest") sortSelect.value = "newest";
}

async function start() {
  const bundle = form.dataset.bundle || "/pagefind/";
  try {
    const { urls, pending } = await shardList(bundle);
    if (pending) {
      unavailable.textContent = "The search index is being built; this page reloads when it is ready.";
      return;
    }
    if (!urls.length) throw new Error("no shards");
    // Result URLs are paths from the site's root (the folder holding the
    // bundles'): a shard's own would start with its folder.
    const baseUrl = new URL("..", new URL(bundle, location.href)).pathname;
    // Each bundle's own pagefind.js: a module of its own, with its own
    // WebAssembly state, run on the page's thread (one worker per month
    // would be too many).
    shards = await Promise.all(urls.map(async (url) => {
      const shard = await import(new URL("pagefind.js", url).href);
      await shard.options({ noWorker: true, excerptLength: 24, baseUrl });
      return shard;
    }));
    await fillFilters(new URL(location.href).searchParams);
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
  for (const select of [...filterSelects, sortSelect]) {
    select.addEventListener("change", () => {
      clearTimeout(timer);
      run(input.value.trim());
    });
  }
  const initial = new URL(location.href).searchParams.get("q") || "";
  input.value = initial;
  if (initial || Object.keys(chosenFilters()).length) run(initial.trim());
  input.focus();
}

start();

// Search, sort and paging for the overview's long tables (class "data"). State lives in the
// address: ?<table>_q=text&<table>_page=N&<table>_sort=C (column C from 1, negative: descending),
// so a filtered view can be linked to; a #anchor of a row opens the page that holds it.
(function () {
  const PAGE = 100;
  const params = new URLSearchParams(location.search);
  const tables = {};

  function cellValue(row, c) {
    const text = row.cells[c] ? row.cells[c].textContent.trim() : "";
    const n = Number(text);
    return text !== "" && !isNaN(n) ? n : text;
  }

  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b), "zh");
  }

  function setup(tools) {
    const id = tools.dataset.for;
    const table = document.getElementById(id);
    if (!table) return;
    const body = table.tBodies[0];
    const state = {
      id, table, body, all: Array.from(body.rows),
      q: params.get(id + "_q") || "", page: Number(params.get(id + "_page") || 1),
      sort: Number(params.get(id + "_sort") || 0), input: tools.querySelector("input"),
      pager: tools.querySelector(".pager"),
    };
    state.input.value = state.q;
    state.input.addEventListener("input", () => { state.q = state.input.value; state.page = 1; apply(state); });
    Array.from(table.tHead.rows[0].cells).forEach((th, i) => {
      th.addEventListener("click", () => {
        state.sort = Math.abs(state.sort) === i + 1 ? -state.sort : i + 1;
        apply(state);
      });
    });
    tables[id] = state;
    apply(state);
  }

  function apply(state) {
    const q = state.q.toLowerCase();
    let rows = state.all.filter((r) => !q || r.textContent.toLowerCase().includes(q));
    if (state.sort) {
      const c = Math.abs(state.sort) - 1, sign = Math.sign(state.sort);
      rows = rows.slice().sort((a, b) => sign * compare(cellValue(a, c), cellValue(b, c)));
    }
    Array.from(state.table.tHead.rows[0].cells).forEach((th, i) => {
      if (state.sort && Math.abs(state.sort) === i + 1) th.setAttribute("aria-sort", state.sort > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    });
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    state.page = Math.min(Math.max(1, state.page), pages);
    const first = (state.page - 1) * PAGE, shown = new Set(rows.slice(first, first + PAGE));
    state.all.forEach((r) => { r.hidden = !shown.has(r); });
    rows.forEach((r) => state.body.appendChild(r));
    pager(state, rows.length, pages);
  }

  function pager(state, matching, pages) {
    state.pager.textContent = "";
    const say = document.createElement("span");
    say.className = "count";
    say.textContent = ` ${matching} row${matching === 1 ? "" : "s"} · page ${state.page} of ${pages} `;
    for (const [label, to] of [["‹ previous", state.page - 1], ["next ›", state.page + 1]]) {
      const b = document.createElement("button");
      b.textContent = label;
      b.disabled = to < 1 || to > pages;
      b.addEventListener("click", () => { state.page = to; apply(state); });
      if (label.startsWith("‹")) state.pager.appendChild(b);
      else { state.pager.appendChild(say); state.pager.appendChild(b); }
    }
  }

  function reveal() {
    const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target || target.tagName !== "TR") return;
    const state = Object.values(tables).find((s) => s.all.includes(target));
    if (!state || !target.hidden) return;
    state.q = ""; state.input.value = "";
    apply(state);
    const order = Array.from(state.body.rows);
    state.page = Math.floor(order.indexOf(target) / PAGE) + 1;
    apply(state);
    target.scrollIntoView();
  }

  document.querySelectorAll(".tools[data-for]").forEach(setup);
  reveal();
  window.addEventListener("hashchange", reveal);
})();

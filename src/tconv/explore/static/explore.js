// tconv explore: the page. Every number comes from the server's /api/explore
// (which asks tconv); this script only draws it, animates the steps and keeps
// the state in the URL. No arithmetic on the data beyond indexing and colour.
"use strict";

const FIELDS = ["op", "input", "kernel", "stride", "padding", "output_padding",
  "output_size", "dilation", "in_channels", "out_channels", "groups", "fill", "x",
  "wfill", "w", "seed", "layers", "framework"];
const DEFAULTS = {op: "conv_transpose", input: "2x2", kernel: "2", stride: "1",
  padding: "0", output_padding: "0", output_size: "", dilation: "1", in_channels: "1",
  out_channels: "1", groups: "1", fill: "ramp", x: "", wfill: "ramp", w: "", seed: "0",
  layers: "1", framework: "torch"};
const FRAMEWORK_NAMES = {torch: "PyTorch", keras: "Keras", onnx: "ONNX", jax: "JAX"};

const $ = (id) => document.getElementById(id);
let data = null;          // the last good answer of /api/explore
let anim = "scatter";     // "scatter" or "slide"
let step = 0;
let timer = null;
let hovered = null;       // {grid, r, c} under the pointer or focus
let request = 0;          // number of the newest request (older answers are dropped)
const grids = {};         // grid name -> {table, cells: [[td]]}

// ---------------------------------------------------------------- helpers

function fmt(v) {
  if (v === null || v === undefined) return "";
  if (Object.is(v, -0)) v = 0;
  if (Number.isInteger(v)) return String(v);
  return String(parseFloat(v.toPrecision(4)));
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function axisName(rank, axis) { return rank === 1 ? "" : (axis === 0 ? "row " : "col "); }

function cellName(rank, pos) {
  return rank === 1 ? `[${pos[1]}]` : `[${pos[0]}, ${pos[1]}]`;
}

function key(pos) { return pos[0] + "," + pos[1]; }

// A table of numbers with a caption; cells can be hovered/focused when `link`.
function makeGrid(name, caption, values, opts = {}) {
  const rows = values.length, cols = values[0].length;
  const size = rows === 1 ? cols / 2 : Math.max(rows, cols);  // a 1-D row has room
  const table = el("table", {class: "grid" + (size > 24 ? " tiny" : size > 12 ? " small" : ""),
    id: "grid-" + name, "data-grid": name});
  table.append(el("caption", {class: "sr", text: caption}));
  const cells = [];
  for (let r = 0; r < rows; r++) {
    const tr = el("tr");
    const line = [];
    for (let c = 0; c < cols; c++) {
      const td = el("td", {"data-r": r, "data-c": c});
      setCell(td, values[r][c], opts.blank);
      if (opts.link) td.tabIndex = r === 0 && c === 0 ? 0 : -1;  // one tab stop; arrows move
      tr.append(td);
      line.push(td);
    }
    table.append(tr);
    cells.push(line);
  }
  table.setAttribute("aria-label", `${caption}: ${rows} by ${cols}` +
    (opts.link ? " (arrow keys move between cells)" : ""));
  if (opts.link) table.addEventListener("keydown", (event) => moveFocus(event, cells));
  grids[name] = {table, cells};
  // The visible label sits above the table (a caption would widen the columns).
  return el("div", {class: "gridbox"}, el("div", {class: "gridlabel", "aria-hidden": "true",
    text: caption}), table);
}

// A grid with an arrow in front that wraps to the next line together with it.
function withArrow(box) {
  return el("div", {class: "witharrow"}, el("span", {class: "arrow", "aria-hidden": "true",
    text: "→"}), box);
}

// Arrow keys, Home and End move the focus between a grid's cells (which link).
function moveFocus(event, cells) {
  const td = event.target.closest("td[data-r]");
  if (!td) return;
  let r = +td.dataset.r, c = +td.dataset.c;
  const moves = {ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1]};
  if (event.key in moves) { r += moves[event.key][0]; c += moves[event.key][1]; }
  else if (event.key === "Home") c = 0;
  else if (event.key === "End") c = cells[0].length - 1;
  else return;
  event.preventDefault();
  const next = cells[r] && cells[r][c];
  if (!next) return;
  td.tabIndex = -1;
  next.tabIndex = 0;
  next.focus();
}

function setCell(td, v, blank) {
  const text = (blank && v === 0) ? "" : fmt(v);
  td.textContent = text;
  td.dataset.value = v === null ? "" : String(v);
  td.title = v === null ? "" : String(v);
}

function mark(name, positions, cls) {
  const grid = grids[name];
  if (!grid) return;
  for (const [r, c] of positions) {
    const td = grid.cells[r] && grid.cells[r][c];
    if (td) td.classList.add(cls);
  }
}

function clear(name, cls) {
  const grid = grids[name];
  if (grid) grid.table.querySelectorAll("td." + cls).forEach((td) => td.classList.remove(cls));
}

// ---------------------------------------------------------------- state

function readControls() {
  const state = {};
  for (const f of FIELDS) state[f] = $(f).value.trim();
  return state;
}

function apiQuery(state) {
  const q = new URLSearchParams();
  for (const f of FIELDS) if (state[f] !== "" && (state[f] !== DEFAULTS[f] || ["op", "input", "kernel"].includes(f))) q.set(f, state[f]);
  return q;
}

function writeUrl(state) {
  const q = apiQuery(state);
  if (anim !== "scatter") q.set("anim", anim);
  if (step) q.set("step", String(step));
  const url = "/?" + q.toString().replaceAll("%2C", ",").replaceAll("%3A", ":");
  history.replaceState(null, "", url);
  $("permalink").href = url;
}

function loadUrl() {
  const q = new URLSearchParams(location.search);
  for (const f of FIELDS) $(f).value = q.has(f) ? q.get(f) : DEFAULTS[f];
  anim = q.get("anim") === "slide" ? "slide" : "scatter";
  document.querySelector(`input[name=anim][value=${anim}]`).checked = true;
  step = Math.max(0, parseInt(q.get("step") || "0", 10) || 0);
}

// ---------------------------------------------------------------- server

async function refresh() {
  const state = readControls();
  writeUrl(state);
  const mine = ++request;
  document.body.classList.add("loading");
  let answer, status;
  try {
    const response = await fetch("/api/explore?" + apiQuery(state).toString());
    status = response.status;
    answer = await response.json();
  } catch (error) {
    status = 0;
    answer = {error: "the explorer's server does not answer (" + error + ")", param: ""};
  }
  if (mine !== request) return;
  document.body.classList.remove("loading");
  document.body.dataset.shown = apiQuery(state).toString();
  showError(status === 200 ? null : answer);
  if (status !== 200) {
    data = null;
    renderEmpty();
    return;
  }
  data = answer;
  const last = steps().length;
  if (step > last) step = last;
  render();
  writeUrl(state);
}

function showError(answer) {
  document.querySelectorAll(".error").forEach((node) => { node.textContent = ""; });
  document.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
  if (!answer) return;
  const target = answer.param && $("err-" + answer.param) ? answer.param : "general";
  $("err-" + target).textContent = answer.error;
  if ($(answer.param)) $(answer.param).setAttribute("aria-invalid", "true");
}

// ---------------------------------------------------------------- drawing

function steps() {
  if (!data) return [];
  if (data.op === "conv") return data.steps;
  return anim === "scatter" ? data.steps : data.zero_insertion.windows;
}

function stepCount() {
  // scatter: one step per input cell, then the crop; windows: one per output cell.
  if (!data) return 0;
  return data.op === "conv_transpose" && anim === "scatter" ? data.steps.length + 1 : steps().length;
}

function renderEmpty() {
  for (const id of ["scatter-grids", "slide-grids", "output-grids", "channels", "formula",
    "matrix", "checker"]) $(id).replaceChildren();
  $("caption").textContent = "Fix the parameter marked on the left to see the layer.";
  $("steplabel").textContent = "";
  $("code").firstChild.textContent = "";
  $("code-note").textContent = "";
  $("reachable").textContent = "";
}

function render() {
  for (const k of Object.keys(grids)) delete grids[k];
  const transposed = data.op === "conv_transpose";
  const rank = data.rank;
  $("view-scatter").hidden = !transposed;
  document.querySelector("input[name=anim][value=scatter]").disabled = !transposed;
  if (!transposed) {
    anim = "slide";
    document.querySelector("input[name=anim][value=slide]").checked = true;
  }
  // (a) scatter
  if (transposed) {
    $("scatter-grids").replaceChildren(
      makeGrid("x", "input x", data.x, {link: true}),
      makeGrid("w", "kernel w", data.w),
      withArrow(makeGrid("contrib", "this step adds x[i]·w",
        data.w.map((row) => row.map(() => null)))),
      withArrow(makeGrid("full", "full output (before the crop)", data.full)));
    mark("full", positionsWhere(data.is_padding), "cut");
  }
  // (b) sliding window
  const z = data.zero_insertion;
  const win = transposed ? z.input : data.full;
  $("h-slide").textContent = transposed
    ? "(b) The same as a stride-1 convolution: zeros inserted, padded, flipped kernel"
    : "(b) Convolution: the kernel window slides over the padded input";
  if (!transposed) $("scatter-grids").replaceChildren();
  $("slide-grids").replaceChildren(...[
    transposed ? null : makeGrid("x", "input x", data.x, {link: true}),
    makeGrid("zin", transposed ? "zero-inserted, padded input" : "padded input", win,
      {link: !transposed}),
    transposed ? makeGrid("zk", "flipped kernel", z.kernel) : makeGrid("w", "kernel w", data.w),
    withArrow(makeGrid("zout", "output y, window by window",
      data.output.map((row) => row.map(() => null)))),
  ].filter((node) => node));
  if (transposed) {
    mark("zin", z.sources.map((pair) => pair[1]), "source");
    mark("zin", positionsWhere(z.is_inserted), "inserted");
    mark("zin", positionsWhere(z.is_padding), "pad");
  } else {
    mark("zin", positionsWhere(data.is_padding), "pad");
  }
  // the output
  $("output-grids").replaceChildren(makeGrid("y", "output y", data.output, {link: true}));
  if (transposed) {
    const added = [];
    data.output.forEach((row, r) => row.forEach((_, c) => {
      if (data.crop[0].added.includes(r) || data.crop[1].added.includes(c)) added.push([r, c]);
    }));
    mark("y", added, "added");
  }
  $("h-output").textContent = "Output y (" + data.output.length + "×" + data.output[0].length +
    (rank === 1 ? ", 1-D" : "") + ")";
  renderChannels();
  renderFormula();
  renderMatrix();
  renderChecker();
  renderCode();
  const count = stepCount();
  $("scrub").max = String(Math.max(0, count - 1));
  if (step > count - 1) step = count - 1;
  renderStep();
}

function positionsWhere(mask) {
  const out = [];
  mask.forEach((row, r) => row.forEach((v, c) => { if (v) out.push([r, c]); }));
  return out;
}

function renderStep() {
  if (!data) return;
  const transposed = data.op === "conv_transpose";
  const count = stepCount();
  $("scrub").value = String(step);
  $("scrub").setAttribute("aria-valuetext", `step ${step + 1} of ${count}`);
  $("steplabel").textContent = `step ${step + 1} / ${count}`;
  for (const name of ["x", "w", "contrib", "full", "zin", "zk", "zout", "y"]) {
    clear(name, "now"); clear(name, "copy");
  }
  let caption = "";
  const rank = data.rank;
  if (transposed && anim === "scatter") {
    const n = data.steps.length;
    if (step < n) {
      const s = data.steps[step];
      setValues("full", s.running);
      mark("x", [s.index], "now");
      mark("w", positionsWhere(data.w.map((row) => row.map(() => true))), "copy");
      mark("full", s.positions, "copy");
      grids.contrib.table.closest(".witharrow").style.visibility = "";
      setValues("contrib", s.contribution);
      grids.contrib.table.previousSibling.textContent =
        `this step adds x${cellName(rank, s.index)}·w = ${fmt(s.value)}·w`;
      mark("contrib", positionsWhere(s.contribution.map((row) => row.map(() => true))), "copy");
      const first = s.positions[0], last = s.positions[s.positions.length - 1];
      caption = `Input x${cellName(rank, s.index)} = ${fmt(s.value)} adds ${fmt(s.value)} × w ` +
        `to the full output at ${rank === 1 ? "" : "rows " + first[0] + "–" + last[0] + ", cols "}` +
        `${first[1]}–${last[1]}; the numbers are the running sums.`;
    } else {
      setValues("full", data.full);
      // every copy is in: no step's contribution to show, only the crop
      grids.contrib.table.closest(".witharrow").style.visibility = "hidden";
      mark("y", positionsWhere(data.output.map((row) => row.map(() => true))), "now");
      const parts = data.crop.slice(2 - rank).map((c, a) =>
        `${axisName(rank, rank === 1 ? 1 : a)}padding cuts ${c.before} at the start and ${c.after} at the end` +
        (c.output_padding ? `, output_padding adds ${c.output_padding} back at the end` : ""));
      caption = `Crop: ${parts.join("; ")}. Striped cells are cut; dashed cells come from ` +
        "output_padding.";
    }
    setValues("zout", data.output);
    highlightMatrix(step < n ? flat(data.steps[step].index, data.x[0].length) : null, null);
  } else {
    const windows = steps();
    const s = windows[step];
    const out = data.output.map((row) => row.map(() => null));
    for (let i = 0; i <= step; i++) out[windows[i].index[0]][windows[i].index[1]] = windows[i].value;
    setValues("zout", out);
    mark("zin", s.positions, "copy");
    if (!transposed) {
      // the input cells under the window (the padded grid holds them shifted by the pad)
      const inside = s.positions.filter((pos) => !data.is_padding[pos[0]][pos[1]]);
      mark("x", inside.map((pos) => unpadded(pos)), "copy");
    }
    mark(transposed ? "zk" : "w", positionsWhere(s.window.map((row) => row.map(() => true))), "copy");
    mark("zout", [s.index], "now");
    mark("y", [s.index], "now");
    const products = s.window.flat().map((v, t) => fmt(v) + "·" +
      fmt((transposed ? data.zero_insertion.kernel : data.w).flat()[t]));
    caption = `Output y${cellName(rank, s.index)} = ${products.join(" + ")} = ${fmt(s.value)}` +
      (transposed ? " (grey zeros were inserted between inputs; striped cells are padding)." : ".");
    highlightMatrix(null, flat(s.index, data.output[0].length));
  }
  $("caption").textContent = caption;
  applyHover();
}

function flat(pos, cols) { return pos[0] * cols + pos[1]; }

function setValues(name, values) {
  const grid = grids[name];
  if (!grid) return;
  values.forEach((row, r) => row.forEach((v, c) => setCell(grid.cells[r][c], v)));
}

// ---------------------------------------------------------------- hover links

function applyHover() {
  for (const name of ["x", "w", "full", "y", "zin", "zk", "zout"]) clear(name, "link");
  if (!data || !hovered) return;
  const {grid, r, c} = hovered;
  const transposed = data.op === "conv_transpose";
  if (grid === "y") {
    const feeds = data.feeds[r][c];
    mark("y", [[r, c]], "link");
    if (transposed) {
      mark("x", feeds.map((f) => f[0]), "link");
      // the full-output cell this output cell is (the crop shifts by the leading pad)
      mark("full", [[r + data.crop[0].kept[0], c + data.crop[1].kept[0]]], "link");
    }
    else mark("zin", feeds.map((f) => padded(f[0])), "link");
    mark("w", feeds.map((f) => f[1]), "link");
    highlightMatrix(null, flat([r, c], data.output[0].length), true);
  } else if (grid === "x") {
    mark("x", [[r, c]], "link");
    if (transposed) mark("full", data.steps[flat([r, c], data.x[0].length)].positions, "link");
    else mark("zin", [padded([r, c])], "link");
    const outs = [];
    data.feeds.forEach((row, i) => row.forEach((list, j) => {
      if (list.some((f) => f[0][0] === r && f[0][1] === c)) outs.push([i, j]);
    }));
    mark("y", outs, "link");
    highlightMatrix(flat([r, c], data.x[0].length), null, true);
  } else if (grid === "zin" && !transposed) {
    mark("zin", [[r, c]], "link");
  }
}

function padded(pos) {
  // an input cell in the padded-input grid: shifted by the leading padding
  const pads = data.params.pads;
  return data.rank === 1 ? [0, pos[1] + pads[0][0]] : [pos[0] + pads[0][0], pos[1] + pads[1][0]];
}

function unpadded(pos) {
  const pads = data.params.pads;
  return data.rank === 1 ? [0, pos[1] - pads[0][0]] : [pos[0] - pads[0][0], pos[1] - pads[1][0]];
}

function onHover(event) {
  const td = event.target.closest("td[data-r]");
  const table = td && td.closest("table[data-grid]");
  const next = td && ["x", "y", "zin"].includes(table.dataset.grid)
    ? {grid: table.dataset.grid, r: +td.dataset.r, c: +td.dataset.c} : null;
  if (JSON.stringify(next) === JSON.stringify(hovered)) return;
  hovered = next;
  applyHover();
  if (!hovered) renderStep();
}

// ---------------------------------------------------------------- matrix

function renderMatrix() {
  const m = data.matrix;
  const name = data.op === "conv_transpose" ? "Cᵀ" : "C";
  const box = $("matrix");
  const text = el("p", {class: "note", text:
    `${name} is ${m.shape[0]}×${m.shape[1]}: output y (flattened, one row per output cell) = ` +
    `${name} · x (one column per input cell). ` +
    (data.op === "conv_transpose" ? "Cᵀ is the transpose of the convolution's matrix C " +
      "(tconv.conv_matrix); the current step's column and the output's row are lit." :
      "The current window's row is lit.")});
  if (!m.values) { box.replaceChildren(text, el("p", {class: "note", text: m.note})); return; }
  box.replaceChildren(text, makeGrid("m", `${name} (rows: output cells, columns: input cells)`,
    m.values, {blank: true}));
}

function highlightMatrix(col, row, keep) {
  const grid = grids.m;
  if (!grid) return;
  if (!keep) { clear("m", "lit"); clear("m", "lit2"); }
  else { clear("m", "lit"); clear("m", "lit2"); }
  if (col !== null) grid.cells.forEach((line) => line[col] && line[col].classList.add("lit"));
  if (row !== null && grid.cells[row]) grid.cells[row].forEach((td) => td.classList.add("lit2"));
}

// ---------------------------------------------------------------- formula, reachable

function renderFormula() {
  const f = data.formula;
  const rank = data.rank;
  const transposed = data.op === "conv_transpose";
  const lines = f.axes.map((a, i) => {
    const name = rank === 1 ? "" : (i === 0 ? "rows: " : "cols: ");
    const filled = transposed
      ? `(${a.in} − 1)·${a.stride} + ${a.dilation}·(${a.kernel} − 1) + 1 − ${a.before} − ${a.after} + ${a.output_padding}`
      : `⌊(${a.in} + ${a.before} + ${a.after} − ${a.dilation}·(${a.kernel} − 1) − 1) / ${a.stride}⌋ + 1`;
    return el("p", {class: "eq", text: `${name}out = ${filled} = ${a.out}` +
      (transposed ? `   (full output ${a.full}, before the crop)` : "")});
  });
  $("formula").replaceChildren(el("p", {class: "eq", text: f.text}), ...lines);
  const reach = data.reachable;
  $("reachable").textContent = reach && reach.every((r) => r)
    ? "reachable: " + reach.map((r) => r[0] === r[1] ? `${r[0]}` : `${r[0]}..${r[1]}`).join(" × ")
    : "";
}

// ---------------------------------------------------------------- checkerboard

const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

function colour(t) {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const rgb = VIRIDIS[i].map((v, k) => Math.round(v + (VIRIDIS[i + 1][k] - v) * f));
  return rgb;
}

function renderChecker() {
  const cb = data.checkerboard;
  const box = $("checker");
  const parts = [el("p", {}, el("span", {class: "score", text: `score ${fmt(cb.score)}`}),
    ` (0 = even; period ${cb.period.join("×")}, ${cb.layers} layer${cb.layers > 1 ? "s" : ""})`)];
  if (cb.coverage) {
    const values = cb.coverage;
    const flatv = values.flat();
    const lo = Math.min(...flatv), hi = Math.max(...flatv);
    parts.push(makeGrid("cov", "coverage: " + cb.what, values));
    grids.cov.cells.forEach((line, r) => line.forEach((td, c) => {
      const t = hi > lo ? (values[r][c] - lo) / (hi - lo) : 0.5;
      const [R, G, B] = colour(t);
      td.style.background = `rgb(${R},${G},${B})`;
      td.style.color = t < 0.55 ? "#fff" : "#000";
    }));
    parts.push(el("p", {class: "note", text: `colour: ${fmt(lo)} (dark) to ${fmt(hi)} (light)`}));
  }
  parts.push(el("p", {class: "verdict", text: cb.verdict}));
  if (cb.note) parts.push(el("p", {class: "note", text: cb.note}));
  box.replaceChildren(...parts);
}

// ---------------------------------------------------------------- code

function renderCode() {
  const fw = $("framework").value;
  const tabs = Object.keys(FRAMEWORK_NAMES).map((name) => {
    const b = el("button", {type: "button", role: "tab", id: "tab-" + name,
      "aria-selected": String(name === fw), "aria-controls": "code", text: FRAMEWORK_NAMES[name]});
    b.tabIndex = name === fw ? 0 : -1;
    b.addEventListener("click", () => {
      $("framework").value = name; renderCode(); writeUrl(readControls()); $("tab-" + name).focus();
    });
    b.addEventListener("keydown", (event) => {
      const names = Object.keys(FRAMEWORK_NAMES);
      const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
      if (!step) return;
      const next = names[(names.indexOf(name) + step + names.length) % names.length];
      $("framework").value = next; renderCode(); writeUrl(readControls()); $("tab-" + next).focus();
    });
    return b;
  });
  $("code-tabs").replaceChildren(...tabs);
  const code = data.code.frameworks[fw];
  let text, note;
  if (code.error) {
    text = `# ${FRAMEWORK_NAMES[fw]} cannot hold this layer:\n# ${code.error}`;
    note = "";
  } else {
    text = code.recipe ? code.recipe : code.call;
    note = (code.exact ? "exact: yes. " : "exact: no (the recipe pads/crops around the nearest layer). ") +
      `weight: ${code.weight}\n${code.note}`;
  }
  $("code").firstChild.textContent = text;
  $("code-note").textContent = note;
}

async function copyCode() {
  const text = $("code").textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch (error) {
    const area = el("textarea", {});
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  $("copy").textContent = "copied";
  setTimeout(() => { $("copy").textContent = "copy"; }, 1200);
}

// ---------------------------------------------------------------- channels

function renderChannels() {
  const ch = data.channels;
  if (!ch) { $("channels").replaceChildren(); return; }
  const boxes = ch.output.map((values, o) => makeGrid("ch" + o,
    `output channel ${o} (from input channels ${ch.feeds[o].join(", ")})`, values));
  $("channels").replaceChildren(
    el("p", {class: "note", text: `With ${data.params.in_channels} input and ` +
      `${data.params.out_channels} output channels in ${data.params.groups} group(s) ` +
      `(weight ${ch.weight_shape.join("×")}; channel 0's input and kernel are the ones above, ` +
      `the others random with the seed): views (a)–(c) follow input channel 0 → output channel 0.`}),
    el("div", {class: "chan"}, ...boxes));
}

// ---------------------------------------------------------------- animation

function go(next) {
  const count = stepCount();
  if (!count) return;
  step = Math.min(count - 1, Math.max(0, next));
  renderStep();
  writeUrl(readControls());
}

function play() {
  if (timer) { stop(); return; }
  if (step >= stepCount() - 1) step = 0;
  $("play").textContent = "❚❚ pause";
  $("play").setAttribute("aria-label", "pause");
  const tick = () => {
    if (step >= stepCount() - 1) { stop(); return; }
    go(step + 1);
    timer = setTimeout(tick, +$("speed").value);
  };
  timer = setTimeout(tick, +$("speed").value);
}

function stop() {
  clearTimeout(timer);
  timer = null;
  $("play").textContent = "▶ play";
  $("play").setAttribute("aria-label", "play");
}

// ---------------------------------------------------------------- wiring

let debounce = null;
function changed() {
  clearTimeout(debounce);
  debounce = setTimeout(() => {
    // a blur fires "change" with nothing changed: keep the step then
    if (apiQuery(readControls()).toString() === document.body.dataset.shown) return;
    stop(); step = 0; refresh();
  }, 250);
}

// For tests and scripts: the query of the controls as they are now (the page
// has caught up when it equals document.body.dataset.shown).
window.tconvExplore = {query: () => apiQuery(readControls()).toString()};

document.addEventListener("DOMContentLoaded", () => {
  loadUrl();
  for (const f of FIELDS) {
    // a control's error message is part of its description for screen readers
    if ($("err-" + f)) {
      const described = $(f).getAttribute("aria-describedby");
      $(f).setAttribute("aria-describedby", (described ? described + " " : "") + "err-" + f);
    }
  }
  for (const f of FIELDS) {
    if (f === "framework") continue;
    $(f).addEventListener("input", changed);
    $(f).addEventListener("change", changed);
  }
  $("framework").addEventListener("change", () => { if (data) renderCode(); writeUrl(readControls()); });
  document.querySelectorAll("input[name=anim]").forEach((radio) => radio.addEventListener("change", () => {
    anim = radio.value; stop(); step = 0;
    if (data) { $("scrub").max = String(Math.max(0, stepCount() - 1)); renderStep(); }
    writeUrl(readControls());
  }));
  $("back").addEventListener("click", () => { stop(); go(step - 1); });
  $("fwd").addEventListener("click", () => { stop(); go(step + 1); });
  $("play").addEventListener("click", play);
  $("scrub").addEventListener("input", () => { stop(); go(+$("scrub").value); });
  $("copy").addEventListener("click", copyCode);
  $("reset").addEventListener("click", () => {
    for (const f of FIELDS) $(f).value = DEFAULTS[f];
    stop(); step = 0; refresh();
  });
  for (const event of ["mouseover", "focusin"]) $("views").addEventListener(event, onHover);
  $("views").addEventListener("mouseleave", () => { hovered = null; applyHover(); renderStep(); });
  refresh();
});

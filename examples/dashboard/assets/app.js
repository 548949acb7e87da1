// The dashboard page: the recent readings from /api/recent, then each new one from the
// Server-Sent Events of /events. No framework, no build step.
"use strict";

const HISTORY = 60;                 // readings kept per topic (the server sends as many)
const SVG = "http://www.w3.org/2000/svg";
const series = new Map();           // topic -> readings, oldest first
let loaded = false;                 // /api/recent has arrived
let early = [];                     // events that came before it

// Adds a reading unless the topic already has it (the snapshot and the events overlap).
function add(reading) {
  let rows = series.get(reading.topic);
  if (!rows) series.set(reading.topic, rows = []);
  if (rows.length && rows[rows.length - 1].id >= reading.id) return;
  rows.push(reading);
  if (rows.length > HISTORY) rows.splice(0, rows.length - HISTORY);
}

// sensors/<room>/<kind>: the room and the kind; `status` is the room's status.
function place(topic) {
  const levels = topic.split("/");
  return { room: levels[1] || topic, kind: levels.slice(2).join("/") || "value" };
}

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function shown(reading) {
  return reading.value !== null ? String(reading.value) : reading.text;
}

function clock(iso) {
  const date = new Date(iso);
  return isNaN(date) ? iso : date.toLocaleTimeString();
}

// The numeric readings as a line scaled to the box, with the lowest and highest values.
function chart(rows) {
  const points = rows.filter(r => r.value !== null);
  const [w, h, pad, gutter] = [300, 70, 6, 40];   // the gutter holds the labels
  const box = svg("svg", { class: "chart", viewBox: `0 0 ${w} ${h}`, preserveAspectRatio: "none",
                           "data-points": points.length });
  if (points.length === 0) return box;
  const values = points.map(r => r.value);
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  const span = hi - lo || 1;
  const x = i => points.length === 1 ? (gutter + w) / 2
    : gutter + (i * (w - gutter - pad)) / (points.length - 1);
  const y = v => h - pad - ((v - lo) * (h - 2 * pad)) / span;
  const line = points.map((r, i) => `${x(i).toFixed(1)},${y(r.value).toFixed(1)}`).join(" ");
  box.append(svg("polyline", { points: line }));
  const last = points.length - 1;
  box.append(svg("circle", { cx: x(last), cy: y(values[last]), r: 3 }));
  box.append(svg("text", { x: 2, y: 10 }, String(hi)));
  box.append(svg("text", { x: 2, y: h - 2 }, String(lo)));
  return box;
}

function render() {
  const rooms = new Map();          // room -> { status, sensors: [[kind, topic, rows]] }
  for (const [topic, rows] of series) {
    const { room, kind } = place(topic);
    if (!rooms.has(room)) rooms.set(room, { status: null, sensors: [] });
    if (kind === "status") rooms.get(room).status = rows[rows.length - 1];
    else rooms.get(room).sensors.push([kind, topic, rows]);
  }
  const main = document.getElementById("rooms");
  main.replaceChildren();
  if (rooms.size === 0) main.append(el("p", { id: "empty" }, "No readings yet."));
  for (const room of [...rooms.keys()].sort()) {
    const { status, sensors } = rooms.get(room);
    const card = el("section", { class: "room", "data-room": room });
    const state = status ? shown(status) : "unknown";
    const title = el("h2", {}, room);
    title.append(el("span", { class: "status", "data-room": room, "data-status": state }, state));
    card.append(title);
    for (const [kind, topic, rows] of sensors.sort((a, b) => a[0].localeCompare(b[0]))) {
      const latest = rows[rows.length - 1];
      const sensor = el("div", { class: "sensor", "data-topic": topic });
      const head = el("div", { class: "head" });
      head.append(el("span", { class: "kind" }, kind),
                  el("span", { class: latest.value !== null ? "value" : "value text",
                               "data-topic": topic }, shown(latest)),
                  el("span", { class: "time", title: latest.received_at }, clock(latest.received_at)));
      sensor.append(head, chart(rows));
      card.append(sensor);
    }
    main.append(card);
  }
}

async function load() {
  const response = await fetch("/api/recent");
  if (!response.ok) throw new Error(`/api/recent: ${response.status}`);
  series.clear();
  for (const reading of await response.json()) add(reading);
  for (const reading of early) add(reading);
  early = [];
  loaded = true;
  render();
}

function reload() {
  loaded = false;
  load().catch(console.error);
}

function listen() {
  const live = document.getElementById("live");
  const events = new EventSource("/events");
  let opened = false;
  events.onopen = () => {
    live.dataset.state = "live";
    live.textContent = "live";
    // Back after a lost connection: what was stored meanwhile is in the database.
    if (opened) reload();
    opened = true;
  };
  events.onerror = () => { live.dataset.state = "reconnecting"; live.textContent = "reconnecting"; };
  events.addEventListener("reading", e => {
    const reading = JSON.parse(e.data);
    if (!loaded) { early.push(reading); return; }
    add(reading);
    render();
  });
  // The server dropped events for us (we were too slow): start again from the database.
  events.addEventListener("reload", reload);
}

listen();
load().catch(error => {
  document.getElementById("rooms").replaceChildren(el("p", { id: "empty" }, String(error)));
});

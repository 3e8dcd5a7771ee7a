"use strict";
// The review view: one queue item at a time, a label per key press, undo, decisions saved in the
// browser (and on the server when it has a review folder) and downloadable as JSON Lines.

const FALLBACK_LABELS = ["incident_report", "statistic", "captive_testimony", "forecast", "other"];
const state = { name: "", items: [], labels: FALLBACK_LABELS, index: 0, decisions: new Map(), history: [], writable: false };

// $, headers() and showError() come from common.js.

function itemKey(item) {
  return `${item.article_id}\u0000${item.text}`;
}

function storageKey() {
  return `warlens-review:${state.name}:${state.items.length}`;
}

function parseQueue(text) {
  const items = [];
  text.split("\n").forEach((line, number) => {
    if (!line.trim()) return;
    let item;
    try {
      item = JSON.parse(line);
    } catch (_) {
      throw new Error(`line ${number + 1} is not JSON`);
    }
    if (!item || typeof item.text !== "string" || typeof item.article_id !== "string") {
      throw new Error(`line ${number + 1} has no text or article_id: is this a review queue?`);
    }
    items.push(item);
  });
  if (!items.length) throw new Error("the file holds no queue items");
  return items;
}

function remember() {
  const saved = { decisions: [...state.decisions.values()], history: state.history, index: state.index };
  localStorage.setItem(storageKey(), JSON.stringify(saved));
}

function restore() {
  const saved = JSON.parse(localStorage.getItem(storageKey()) || "null");
  if (!saved) return;
  saved.decisions.forEach((d) => state.decisions.set(itemKey(d), d));
  state.history = saved.history.filter((key) => state.decisions.has(key));
  state.index = Math.min(saved.index || 0, state.items.length - 1);
}

function decisionRows() {
  return state.items.filter((item) => state.decisions.has(itemKey(item))).map((item) => state.decisions.get(itemKey(item)));
}

async function saveOnServer() {
  if (!state.writable) return;
  try {
    const response = await fetch(`/review/decisions/${encodeURIComponent(state.name)}`, {
      method: "PUT", headers: headers(), body: JSON.stringify(decisionRows()) });
    if (response.status === 401) {
      $("key-box").hidden = false;
      $("saved").textContent = "Not saved on the server: it needs the API key.";
      return;
    }
    $("saved").textContent = response.ok ? `Saved on the server (${(await response.json()).saved} decisions).` : `The server did not save (${response.status}).`;
  } catch (err) {
    $("saved").textContent = `The server did not save: ${err.message}`;
  }
}

function changed() {
  remember();
  render();
  saveOnServer();
}

function render() {
  const done = state.decisions.size;
  $("progress").textContent = `${done} of ${state.items.length} decided${done === state.items.length ? " — all done, download the decisions" : ""}.`;
  $("download").disabled = done === 0;
  const item = state.items[state.index];
  $("position").textContent = `${state.index + 1} of ${state.items.length}`;
  const gold = item.gold ? ` · corpus label ${item.gold}` : "";
  $("meta").textContent = `${item.kind || "item"} · ${item.id || item.article_id} · model suggests ${item.suggested}${gold}`;
  $("previous").textContent = item.context && item.context.previous ? item.context.previous : "(no sentence before)";
  $("sentence").textContent = item.text;
  $("next").textContent = item.context && item.context.next ? item.context.next : "(no sentence after)";
  const decision = state.decisions.get(itemKey(item));
  $("decided").textContent = decision ? `Your label: ${decision.decision}` : "Not decided yet.";
  document.querySelectorAll("#choices button").forEach((button) => {
    button.classList.toggle("chosen", Boolean(decision) && decision.decision === button.dataset.label);
    button.setAttribute("aria-pressed", String(Boolean(decision) && decision.decision === button.dataset.label));
  });
  const probabilities = item.probabilities || {};
  $("probabilities").innerHTML = "";
  state.labels.forEach((label) => {
    const p = probabilities[label] || 0;
    const row = $("probabilities").insertRow();
    row.insertCell().textContent = label;
    row.insertCell().textContent = `${(p * 100).toFixed(1)}%`;
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.width = `${Math.round(p * 160)}px`;
    row.insertCell().append(bar);
  });
  $("rule").textContent = item.rule ? `Guideline: ${item.rule}` : "";
  $("item-panel").hidden = false;
}

function decide(label) {
  const item = state.items[state.index];
  const key = itemKey(item);
  state.decisions.set(key, { ...item, decision: label, decided_at: new Date().toISOString() });
  state.history = state.history.filter((k) => k !== key).concat(key);
  const next = state.items.findIndex((it, i) => i > state.index && !state.decisions.has(itemKey(it)));
  if (next !== -1) state.index = next;
  else if (state.index < state.items.length - 1) state.index += 1;
  changed();
}

function undo() {
  const key = state.history.pop();
  if (!key) return;
  state.decisions.delete(key);
  state.index = state.items.findIndex((item) => itemKey(item) === key);
  changed();
}

function move(step) {
  state.index = Math.max(0, Math.min(state.items.length - 1, state.index + step));
  remember();
  render();
}

function buildChoices() {
  const box = $("choices");
  box.replaceChildren();
  state.labels.forEach((label, i) => {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.label = label;
    button.className = `label-${label}`;
    const kbd = document.createElement("kbd");
    kbd.textContent = String(i + 1);
    button.append(kbd, document.createTextNode(label));
    button.addEventListener("click", () => decide(label));
    box.append(button);
  });
  const skip = document.createElement("button");
  skip.type = "button";
  skip.dataset.label = "skip";
  const kbd = document.createElement("kbd");
  kbd.textContent = "s";
  skip.append(kbd, document.createTextNode("skip"));
  skip.addEventListener("click", () => decide("skip"));
  box.append(skip);
}

async function checkServer() {
  try {
    const response = await fetch("/review/status", { headers: headers() });
    state.writable = response.ok && (await response.json()).writable === true;
  } catch (_) {
    state.writable = false;
  }
  $("saved").textContent = state.writable ? "Decisions are also saved on the server." : "Decisions stay in this browser until you download them.";
}

async function openQueue(file) {
  showError("");
  try {
    state.items = parseQueue(await file.text());
  } catch (err) {
    showError(`Could not open ${file.name}: ${err.message}.`);
    return;
  }
  state.name = file.name.replace(/\.jsonl?$/, "");
  const first = state.items[0].probabilities;
  state.labels = first && Object.keys(first).length ? Object.keys(first) : FALLBACK_LABELS;
  state.index = 0;
  state.decisions = new Map();
  state.history = [];
  restore();
  buildChoices();
  render();
  $("sentence").focus();
}

function download() {
  const body = decisionRows().map((row) => JSON.stringify(row)).join("\n") + "\n";
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([body], { type: "application/x-ndjson" }));
  link.download = `${state.name}.decisions.jsonl`;
  document.body.append(link);
  link.click();
  link.remove();
}

document.addEventListener("keydown", (event) => {
  if (!state.items.length || event.target.tagName === "INPUT" || event.ctrlKey || event.metaKey || event.altKey) return;
  const number = Number(event.key);
  if (Number.isInteger(number) && number >= 1 && number <= state.labels.length) decide(state.labels[number - 1]);
  else if (event.key === "s") decide("skip");
  else if (event.key === "u" || event.key === "Backspace") undo();
  else if (event.key === "ArrowRight") move(1);
  else if (event.key === "ArrowLeft") move(-1);
  else return;
  event.preventDefault();
});

document.addEventListener("DOMContentLoaded", () => {
  checkServer();
  $("queue-file").addEventListener("change", (event) => {
    if (event.target.files[0]) openQueue(event.target.files[0]);
  });
  $("download").addEventListener("click", download);
  $("save-key").addEventListener("click", () => {
    sessionStorage.setItem(KEY_STORE, $("api-key").value.trim());
    $("key-box").hidden = true;
    checkServer().then(saveOnServer);
  });
});

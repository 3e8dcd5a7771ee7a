"use strict";
// The article explorer: calls the same API as every other client, renders one mark per sentence.

const SHORT = { incident_report: "INC", statistic: "STAT", captive_testimony: "CAPT", forecast: "FCST", other: "OTH" };
let labels = Object.keys(SHORT);
let result = null;
let explained = null; // index of the sentence whose explanation the details box shows

// $, headers() and showError() come from common.js.

async function readError(response) {
  if (response.status === 401) {
    $("key-box").hidden = false;
    $("api-key").focus();
    return "This service needs an API key: enter it above, then press Classify again.";
  }
  let detail = "";
  try {
    const body = await response.json();
    if (Array.isArray(body.detail)) detail = body.detail.map((d) => d.msg).join("; ");
    else detail = body.error || body.detail || JSON.stringify(body);
  } catch (_) {
    detail = await response.text();
  }
  if (response.status === 400) return `The service refused the text: ${detail}`;
  return `The service answered ${response.status}: ${detail}`;
}

async function loadModel() {
  try {
    const response = await fetch("/model", { headers: headers() });
    if (!response.ok) {
      $("model-info").textContent = response.status === 401 ? "Model information needs the API key." : "Model information unavailable.";
      return;
    }
    const info = await response.json();
    labels = info.labels;
    const f1 = info.metrics && info.metrics.test ? ` · test macro-F1 ${info.metrics.test.macro_f1.toFixed(3)}` : "";
    $("model-info").textContent = `Model ${info.tag} (${info.base_model}, ${info.backend})${f1}`;
  } catch (_) {
    $("model-info").textContent = "Model information unavailable.";
  }
}

function probabilityTable(sentence) {
  const rows = labels
    .map((l) => [l, sentence.scores[l]])
    .sort((a, b) => b[1] - a[1])
    .map(([l, p]) => `<tr><td>${l}</td><td>${(p * 100).toFixed(1)}%</td></tr>`)
    .join("");
  return `<strong>${SHORT[sentence.label] || sentence.label} · ${sentence.label}</strong> (${(sentence.score * 100).toFixed(1)}%)<table>${rows}</table>`;
}

function attributedWords(text, words) {
  // Each word's share of the label: shaded by strength, and underlined as thick as it is strong,
  // so the picture reads without colour; words against the label are struck through.
  const line = document.createElement("p");
  line.className = "attribution";
  let cursor = 0;
  words.forEach((word) => {
    if (word.start > cursor) line.append(document.createTextNode(text.slice(cursor, word.start)));
    const span = document.createElement("span");
    span.textContent = text.slice(word.start, word.end);
    span.title = `${word.text}: ${word.score.toFixed(2)}`;
    if (word.score > 0.05) {
      span.className = "support";
      span.style.setProperty("--strength", word.score.toFixed(3));
    } else if (word.score < -0.05) {
      span.className = "against";
    }
    line.append(span);
    cursor = word.end;
  });
  if (cursor < text.length) line.append(document.createTextNode(text.slice(cursor)));
  return line;
}

async function explain(index) {
  const sentence = result.sentences[index];
  explained = index;
  const box = $("details");
  box.innerHTML = `${probabilityTable(sentence)}<p class="muted">Explaining…</p>`;
  try {
    const response = await fetch("/explain", { method: "POST", headers: headers(), body: JSON.stringify({ sentence: sentence.text }) });
    if (explained !== index) return;
    if (!response.ok) {
      box.innerHTML = probabilityTable(sentence);
      showError(await readError(response));
      return;
    }
    const body = await response.json();
    const heading = document.createElement("p");
    heading.innerHTML = `<strong>Why ${body.label}</strong> (${(body.probability * 100).toFixed(1)}%, ${body.method}): the thicker the underline, the more the word carries the label; struck-through words argue against it.`;
    const top = document.createElement("p");
    top.className = "top-words";
    top.textContent = `Top words: ${body.top_words.join(", ") || "none"}`;
    box.innerHTML = probabilityTable(sentence);
    box.append(heading, attributedWords(sentence.text, body.words), top);
  } catch (err) {
    showError(`Could not reach the service: ${err.message}`);
  }
}

function render() {
  const container = $("rendered");
  container.replaceChildren();
  explained = null;
  const text = result.text;
  let cursor = 0;
  result.sentences.forEach((sentence, index) => {
    if (sentence.start > cursor) container.append(document.createTextNode(text.slice(cursor, sentence.start)));
    const mark = document.createElement("mark");
    mark.className = `sentence label-${sentence.label}`;
    mark.tabIndex = 0;
    mark.dataset.index = String(index);
    mark.dataset.label = sentence.label;
    mark.setAttribute("aria-label", `${sentence.label}, ${(sentence.score * 100).toFixed(0)} percent: ${sentence.text}`);
    const tag = document.createElement("span");
    tag.className = "tag";
    tag.textContent = SHORT[sentence.label] || sentence.label;
    tag.setAttribute("aria-hidden", "true");
    mark.append(tag, document.createTextNode(sentence.text));
    const show = () => {
      if (explained !== index) $("details").innerHTML = probabilityTable(sentence);
    };
    mark.addEventListener("mouseenter", show);
    mark.addEventListener("focus", show);
    mark.addEventListener("click", () => explain(index));
    mark.addEventListener("keydown", (event) => {
      if (event.key === "e" || event.key === "Enter") {
        event.preventDefault();
        explain(index);
      }
    });
    container.append(mark);
    cursor = sentence.end;
  });
  if (cursor < text.length) container.append(document.createTextNode(text.slice(cursor)));
  const legend = $("legend");
  legend.replaceChildren();
  const filter = $("filter");
  filter.replaceChildren(new Option("all labels", "all"));
  labels.forEach((label) => {
    const item = document.createElement("li");
    item.className = `label-${label}`;
    item.dataset.label = label;
    item.textContent = `${SHORT[label] || label} · ${label}: ${result.counts[label] || 0}`;
    legend.append(item);
    filter.append(new Option(`${label} (${result.counts[label] || 0})`, label));
  });
  applyView();
  $("result-panel").hidden = false;
}

function applyView() {
  const threshold = Number($("threshold").value);
  $("threshold-value").textContent = threshold.toFixed(2);
  const chosen = $("filter").value;
  document.querySelectorAll(".sentence").forEach((mark) => {
    const sentence = result.sentences[Number(mark.dataset.index)];
    mark.classList.toggle("low", sentence.score < threshold);
    mark.classList.toggle("hidden-by-filter", chosen !== "all" && sentence.label !== chosen);
  });
}

async function classify() {
  const text = $("article").value;
  showError("");
  if (!text.trim()) {
    showError("Paste an article or open a .txt file first.");
    return;
  }
  $("busy").hidden = false;
  $("classify").disabled = true;
  try {
    const response = await fetch("/classify_article", { method: "POST", headers: headers(), body: JSON.stringify({ text }) });
    if (!response.ok) {
      showError(await readError(response));
      return;
    }
    result = { ...(await response.json()), text };
    render();
  } catch (err) {
    showError(`Could not reach the service: ${err.message}`);
  } finally {
    $("busy").hidden = true;
    $("classify").disabled = false;
  }
}

function download(name, type, body) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([body], { type }));
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
}

function csvCell(value) {
  const s = String(value);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsv() {
  const head = ["sentence_index", "start", "end", "text", "label", "score", ...labels.map((l) => `p_${l}`)];
  const lines = result.sentences.map((s, i) => [i, s.start, s.end, s.text, s.label, s.score.toFixed(4), ...labels.map((l) => s.scores[l].toFixed(4))].map(csvCell).join(","));
  return [head.join(","), ...lines].join("\n") + "\n";
}

document.addEventListener("DOMContentLoaded", () => {
  loadModel();
  $("classify").addEventListener("click", classify);
  $("filter").addEventListener("change", applyView);
  $("threshold").addEventListener("input", applyView);
  $("file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (file) $("article").value = await file.text();
  });
  $("save-key").addEventListener("click", () => {
    sessionStorage.setItem(KEY_STORE, $("api-key").value.trim());
    $("key-box").hidden = true;
    showError("");
    loadModel();
  });
  $("download-csv").addEventListener("click", () => download("warlens-article.csv", "text/csv", toCsv()));
  $("download-json").addEventListener("click", () => download("warlens-article.json", "application/json", JSON.stringify(result, null, 2)));
});

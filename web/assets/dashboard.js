// Analytics for OEM staff: the figures of `aicc stats --json` from GET <api_url>/stats?days=N,
// as numbers (data-figure="<key path>", data-value = the JSON value) and inline SVG charts.
import { config, el, header, requireUser, validToken } from './common.js';

const SVG = 'http://www.w3.org/2000/svg';
const notice = document.getElementById('notice');
const daysInput = document.getElementById('days');

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function say(text) {
  // Emptied, never hidden: a live region must stay in the page to be announced when it fills.
  notice.textContent = text;
}

function formatFigure(key, value) {
  if (value === null || value === undefined) return '—';
  if (key === 'degraded_share') return `${(value * 100).toFixed(1)}%`;
  if (typeof value === 'number' && !Number.isFinite(value)) return `> ${10000}`;
  return typeof value === 'number' ? String(Math.round(value * 10) / 10) : String(value);
}

function setFigure(node, key, value) {
  node.textContent = formatFigure(key, value);
  node.dataset.value = value === undefined ? '' : typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
}

/** Horizontal bars with their numbers: label, bar, value per row; the table under it carries the figures. */
function barChart(title, entries, prefix, className = () => 'bar') {
  if (!entries.length) return el('p', { class: 'empty', text: 'None in this period.' });
  const max = Math.max(...entries.map(([, n]) => n), 1);
  const rowHeight = 24;
  const labelWidth = 150;
  const width = 360;
  const chart = svg('svg', {
    class: 'chart',
    viewBox: `0 0 ${width} ${entries.length * rowHeight + 4}`,
    role: 'img',
    'aria-labelledby': `${prefix}-title`,
  });
  chart.append(svg('title', { id: `${prefix}-title` }, title));
  entries.forEach(([label, n], i) => {
    const y = i * rowHeight + 2;
    const barWidth = ((width - labelWidth - 50) * n) / max;
    chart.append(
      svg('text', { x: 0, y: y + 15 }, label.replace(/_/g, ' ')),
      svg('rect', { class: className(label), x: labelWidth, y: y + 3, width: Math.max(barWidth, n ? 2 : 0), height: rowHeight - 8, rx: 2 }),
      svg('text', { x: labelWidth + barWidth + 6, y: y + 15 }, String(n)),
    );
  });
  const table = el(
    'table',
    { class: 'breakdown' },
    el('caption', { class: 'visually-hidden', text: title }),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Name' }), el('th', { scope: 'col', text: 'Count' }))),
    el(
      'tbody',
      {},
      entries.map(([label, n]) => {
        const cell = el('td', { 'data-figure': `${prefix}.${label}` });
        setFigure(cell, prefix, n);
        return el('tr', {}, el('th', { scope: 'row', text: label.replace(/_/g, ' ') }), cell);
      }),
    ),
  );
  return el('div', {}, chart, table);
}

/** The sentiment trend per day when the API gives one (`by_day`), the period's split otherwise. */
function sentimentChart(stats) {
  const labels = ['positive', 'neutral', 'negative'];
  const split = barChart('Sentiment of customer turns', labels.map((l) => [l, stats.sentiment?.[l] ?? 0]), 'sentiment', (l) => l);
  const days = Array.isArray(stats.by_day) ? stats.by_day : [];
  if (days.length < 2) return split;
  const width = 400;
  const height = 140;
  const step = (width - 40) / (days.length - 1);
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height + 20}`, role: 'img', 'aria-labelledby': 'sentiment-trend-title' });
  chart.append(svg('title', { id: 'sentiment-trend-title' }, 'Share of positive, neutral and negative turns per day'));
  for (const label of labels) {
    const points = days.map((d, i) => {
      const counts = d.sentiment || {};
      const total = labels.reduce((sum, l) => sum + (counts[l] || 0), 0);
      const share = total ? (counts[label] || 0) / total : 0;
      return `${20 + i * step},${10 + (1 - share) * (height - 20)}`;
    });
    chart.append(svg('polyline', { points: points.join(' '), fill: 'none', 'stroke-width': 2, class: label }));
  }
  chart.append(svg('text', { x: 20, y: height + 14 }, days[0].day), svg('text', { x: width - 90, y: height + 14 }, days.at(-1).day));
  return el('div', {}, chart, split);
}

function degradedChart(share) {
  const width = 400;
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${width} 24`, role: 'img', 'aria-labelledby': 'degraded-title' });
  chart.append(
    svg('title', { id: 'degraded-title' }, `Degraded answers: ${formatFigure('degraded_share', share)} of turns`),
    svg('rect', { x: 0, y: 4, width, height: 16, fill: '#e4e7eb', rx: 3 }),
    svg('rect', { class: 'negative', x: 0, y: 4, width: Math.max(0, Math.min(1, share || 0)) * width, height: 16, rx: 3 }),
  );
  return chart;
}

/** Python's json.dumps writes Infinity for an open-ended latency bucket, which JSON.parse refuses. */
function parseStats(text) {
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(text.replace(/:\s*(-?Infinity|NaN)\b/g, ': "$1"'), (_, v) =>
      v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v === 'NaN' ? NaN : v,
    );
  }
}

function render(stats) {
  for (const node of document.querySelectorAll('[data-figure]:not(td)')) {
    const key = node.dataset.figure;
    setFigure(node, key, key.split('.').reduce((v, k) => v?.[k], stats));
  }
  const byCount = (object) => Object.entries(object || {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  document.getElementById('chart-intents').replaceChildren(barChart('Turns by intent', byCount(stats.intents), 'intents'));
  document.getElementById('chart-queues').replaceChildren(barChart('Escalations by queue', byCount(stats.queues), 'queues'));
  document.getElementById('chart-sentiment').replaceChildren(sentimentChart(stats));
  document.getElementById('chart-degraded').replaceChildren(degradedChart(stats.degraded_share));
}

let loading = 0;

async function load() {
  const days = Math.min(90, Math.max(1, Math.round(Number(daysInput.value) || 1)));
  daysInput.value = String(days);
  const ticket = ++loading;
  const cfg = await config();
  const token = await validToken();
  if (!token) {
    await requireUser(['oem_staff']);
    return;
  }
  const url = new URL(`${cfg.api_url.replace(/\/$/, '')}/stats`, location.href);
  url.searchParams.set('days', String(days));
  const response = await fetch(url.href, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
  if (ticket !== loading) return; // a later request superseded this one
  if (!response.ok) {
    say(response.status === 403 ? 'Analytics are for OEM staff only.' : `Could not load the figures (HTTP ${response.status}).`);
    return;
  }
  say('');
  render(parseStats(await response.text()));
  document.getElementById('period').textContent = days === 1 ? 'Today (UTC)' : `The last ${days} days, today included (UTC)`;
}

async function main() {
  const user = await requireUser(['oem_staff']);
  if (!user) return;
  header(user);
  const query = Number(new URLSearchParams(location.search).get('days'));
  if (query >= 1 && query <= 90) daysInput.value = String(query);
  document.getElementById('controls').addEventListener('submit', (event) => {
    event.preventDefault();
    load().catch((error) => say(error.message));
  });
  daysInput.addEventListener('change', () => load().catch((error) => say(error.message)));
  await load();
}

main().catch((error) => say(error.message));

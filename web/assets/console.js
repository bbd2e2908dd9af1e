// Staff console (dealer, oem_staff): the queue, the taken conversation's transcript, the customer
// panel and agent assist. It shows what the server sends: dealer isolation is the server's.
import { Socket, connectionLabel, el, formatTime, header, newId, requireUser, sourceLink } from './common.js';

// The server pushes the queue whenever it changes; the poll is only a safety net for a lost push.
// `?poll_s=N` sets it (tests set it long, to see that the push alone keeps the queue live).
const POLL_MS = pollSeconds(new URLSearchParams(location.search).get('poll_s')) * 1000;
const PRIORITY = { urgent: 0, high: 1, normal: 2, low: 3 };
const CURRENT = 'aicc.console.current';

const queueList = document.getElementById('queue-list');
const transcript = document.getElementById('transcript');
const replyBox = document.getElementById('reply');
const sendButton = document.getElementById('send-reply');
const handBackButton = document.getElementById('hand-back');
const notice = document.getElementById('notice');

let user = null;
let socket = null;
let current = sessionStorage.getItem(CURRENT);
let transcriptLoaded = false;
const pendingReplies = new Map(); // client_message_id -> frame, until the server echoes it
const shownMessages = new Set();

function say(text) {
  // Emptied, never hidden: a live region must stay in the page to be announced when it fills.
  notice.textContent = text;
}

function pollSeconds(param) {
  const seconds = Number(param);
  return Number.isFinite(seconds) && seconds >= 1 ? Math.min(seconds, 3600) : 30;
}

const request = (frame) => socket.send(frame);
const listQueue = () => request({ action: 'listQueue' });

// --- queue -------------------------------------------------------------------------------------

function queueLabel(queue) {
  if (queue === 'roadside') return 'Roadside';
  if (queue === 'customer_care') return 'Customer care';
  if (queue?.startsWith('sales#')) return `Sales · ${queue.slice(6)}`;
  return queue;
}

function row(entry) {
  const mine = entry.status === 'taken' && entry.agent_id === user.user_id;
  let action = null;
  if (entry.status === 'waiting') {
    action = el('button', { type: 'button', onclick: () => take(entry.conversation_id) }, 'Take');
  } else if (mine) {
    action = el('button', { type: 'button', class: 'secondary', onclick: () => open(entry.conversation_id) }, 'Open');
  }
  const status = entry.status === 'waiting' ? `waiting since ${formatTime(entry.since)}` : `with ${entry.agent_id}`;
  return el(
    'li',
    { 'data-conversation-id': entry.conversation_id, 'data-status': entry.status, class: entry.conversation_id === current ? 'current' : null },
    el('div', {}, el('span', { class: 'priority', 'data-priority': entry.priority, text: entry.priority }), ' ', el('strong', { text: queueLabel(entry.queue) })),
    el('p', { class: 'meta', text: `Customer ${entry.customer_id} · ${status}` }),
    entry.last_message ? el('p', { class: 'preview', text: entry.last_message }) : null,
    action,
  );
}

/** Most urgent first, then oldest (the server's order too); rows that did not change stay as they are. */
function renderQueue(frame) {
  const entries = [...(frame.conversations || [])].sort(
    (a, b) => (PRIORITY[a.priority] ?? 9) - (PRIORITY[b.priority] ?? 9) || String(a.since).localeCompare(String(b.since)),
  );
  document.getElementById('queue-empty').hidden = entries.length > 0;
  const existing = new Map([...queueList.children].map((li) => [li.dataset.conversationId, li]));
  const focused = document.activeElement;
  const rows = entries.map((entry) => {
    const signature = JSON.stringify([entry, entry.conversation_id === current]);
    const old = existing.get(entry.conversation_id);
    if (old && old.dataset.signature === signature) return old;
    const fresh = row(entry);
    fresh.dataset.signature = signature;
    return fresh;
  });
  const same = rows.length === queueList.children.length && rows.every((r, i) => queueList.children[i] === r);
  if (!same) queueList.replaceChildren(...rows);
  if (focused && !document.body.contains(focused)) {
    // The focused row was redrawn: keep the keyboard user on the same conversation.
    const id = focused.closest?.('li')?.dataset.conversationId;
    queueList.querySelector(`li[data-conversation-id="${CSS.escape(id || '')}"] button`)?.focus();
  }
}

function take(conversationId) {
  say('');
  request({ action: 'takeConversation', conversation_id: conversationId });
}

// --- the open conversation ---------------------------------------------------------------------

function setOpen(enabled) {
  replyBox.disabled = !enabled;
  sendButton.disabled = !enabled;
  handBackButton.disabled = !enabled;
}

function open(conversationId) {
  current = conversationId;
  sessionStorage.setItem(CURRENT, conversationId);
  transcriptLoaded = false;
  shownMessages.clear();
  for (const li of queueList.children) li.classList.toggle('current', li.dataset.conversationId === conversationId);
  document.getElementById('transcript-title').textContent = `Conversation ${conversationId}`;
  transcript.replaceChildren(el('p', { class: 'empty', text: 'Loading…' }));
  document.getElementById('customer').replaceChildren(el('p', { class: 'empty', text: 'Loading…' }));
  document.getElementById('suggestions').replaceChildren(el('p', { class: 'empty', text: 'Loading…' }));
  const summary = document.getElementById('summary');
  summary.textContent = 'Loading…';
  summary.classList.add('empty');
  say('');
  setOpen(true);
  request({ action: 'getTranscript', conversation_id: conversationId });
  request({ action: 'getCustomerPanel', conversation_id: conversationId });
  request({ action: 'getAssist', conversation_id: conversationId });
  replyBox.focus();
}

function close(text) {
  setOpen(false);
  current = null;
  sessionStorage.removeItem(CURRENT);
  say(text);
  listQueue();
  // When the focused control (Hand back, the reply box) was just disabled, focus goes on to the
  // queue instead of being lost to the page.
  const focused = document.activeElement;
  if (!focused || focused === document.body || focused.disabled) document.getElementById('queue-h').focus();
}

function chips(entry) {
  const items = [];
  if (entry.intent) items.push(`intent: ${entry.intent}`);
  if (entry.sentiment) items.push(`sentiment: ${entry.sentiment}`);
  if (entry.route) {
    const r = entry.route;
    items.push(r.kind === 'human' ? `route: ${queueLabel(r.queue)} (${r.priority})` : `route: ${r.kind}`);
  }
  if (entry.degraded) items.push('partial answer');
  return items.length ? el('p', { class: 'turn-meta' }, items.map((t) => el('span', { text: t }))) : null;
}

const SENDERS = { customer: 'Customer', assistant: 'Assistant', staff: 'Staff' };

function entryNode(entry) {
  const who = [SENDERS[entry.sender] || entry.sender, entry.sender_id, formatTime(entry.at)].filter(Boolean).join(' · ');
  return el(
    'div',
    { class: 'msg', 'data-sender': entry.sender, 'data-cmid': entry.client_message_id },
    el('p', { class: 'who', text: who }),
    el('p', { class: 'text', text: entry.shown_as || entry.text }),
    entry.sources?.length ? el('ul', { class: 'sources' }, entry.sources.map((s) => el('li', {}, sourceLink(s)))) : null,
    chips(entry),
  );
}

function appendEntry(entry) {
  const key = `${entry.sender_id}:${entry.client_message_id || entry.at}`;
  if (shownMessages.has(key)) return;
  shownMessages.add(key);
  transcript.querySelector(':scope > .empty')?.remove();
  transcript.append(entryNode(entry));
  transcript.scrollTop = transcript.scrollHeight;
}

function renderTranscript(frame) {
  if (frame.conversation_id !== current) return;
  transcriptLoaded = true;
  transcript.setAttribute('aria-busy', 'true'); // a reload of the history is not news to announce
  transcript.replaceChildren();
  shownMessages.clear();
  if (frame.truncated) transcript.append(el('p', { class: 'empty', text: 'Earlier messages are not shown: this is the latest part of a long conversation.' }));
  for (const entry of frame.entries || []) {
    if (entry.sender !== 'assistant') shownMessages.add(`${entry.sender_id}:${entry.client_message_id || entry.at}`);
    transcript.append(entryNode(entry));
  }
  if (!frame.entries?.length) transcript.append(el('p', { class: 'empty', text: 'No messages yet.' }));
  transcript.removeAttribute('aria-busy');
  const handoff = frame.handoff || {};
  setOpen(handoff.status === 'taken' && handoff.agent_id === user.user_id);
  if (handoff.status !== 'taken' || handoff.agent_id !== user.user_id) say('This conversation is not yours right now: take it from the queue to reply.');
  transcript.scrollTop = transcript.scrollHeight;
}

function definitions(pairs) {
  return el('dl', {}, pairs.flatMap(([term, value]) => [el('dt', { text: term }), el('dd', {}, value)]));
}

function renderPanel(frame) {
  if (frame.conversation_id !== current) return;
  const vehicles = (frame.vehicles || []).map((v) =>
    el(
      'section',
      { 'aria-label': `${v.year} ${v.model}` },
      el('h3', { text: `${v.year} ${v.model}` }),
      definitions([
        ['VIN', v.vin],
        [
          'Recalls',
          v.open_recalls?.length ? el('ul', {}, v.open_recalls.map((r) => el('li', { text: `${r.id}: ${r.title}` }))) : 'none open',
        ],
        [
          'Warranty',
          v.warranty?.length
            ? el(
                'ul',
                {},
                v.warranty.map((w) =>
                  el('li', {}, `${w.coverage}: `, el('span', { class: `status-${w.status}`, text: w.status }), w.until ? ` (until ${w.until})` : ''),
                ),
              )
            : 'none on file',
        ],
      ]),
    ),
  );
  const appointments = frame.appointments?.length
    ? el(
        'ul',
        {},
        frame.appointments.map((a) =>
          el('li', { text: `${a.kind} at ${a.dealer_id}, ${new Date(a.start).toLocaleString()}${a.vin ? ` (${a.vin})` : ''}` }),
        ),
      )
    : el('p', { class: 'empty', text: 'No appointments.' });
  document.getElementById('customer').replaceChildren(
    definitions([
      ['Name', frame.name || '—'],
      ['Customer', frame.customer_id],
      ['Marketing', frame.marketing_consent ? 'consented' : 'no consent'],
    ]),
    ...(vehicles.length ? vehicles : [el('p', { class: 'empty', text: 'No vehicles on file.' })]),
    el('h3', { text: 'Appointments' }),
    appointments,
  );
}

function insert(text) {
  replyBox.value = replyBox.value.trim() ? `${replyBox.value.trim()} ${text}` : text;
  replyBox.focus();
}

function renderAssist(frame) {
  if (frame.conversation_id !== current) return;
  const suggestions = frame.suggestions || [];
  document.getElementById('suggestions').replaceChildren(
    ...(suggestions.length
      ? suggestions.map((s) =>
          el(
            'div',
            { class: 'suggestion' },
            el('p', { text: s.text }),
            s.sources?.length ? el('p', { class: 'src' }, 'Source: ', s.sources.map((src, i) => [i ? ', ' : '', sourceLink(src)])) : null,
            el('button', { type: 'button', class: 'secondary', onclick: () => insert(s.text) }, 'Insert'),
          ),
        )
      : [el('p', { class: 'empty', text: 'No suggestion for the last messages.' })]),
  );
  const summary = document.getElementById('summary');
  summary.textContent = frame.summary || 'Nothing to summarise yet.';
  summary.classList.toggle('empty', !frame.summary);
}

function sendReply(text) {
  const clean = text.replace(/\r\n?/g, '\n').trim();
  if (!clean || !current) return;
  const frame = { action: 'staffReply', conversation_id: current, text: clean, client_message_id: newId() };
  pendingReplies.set(frame.client_message_id, frame);
  request(frame);
  replyBox.value = '';
}

// --- frames ------------------------------------------------------------------------------------

function onHandoff(frame) {
  if (frame.status === 'taken' && frame.agent_id === user.user_id) {
    open(frame.conversation_id);
  } else if (frame.conversation_id === current && frame.status === 'returned') {
    close('Handed back: the assistant answers this conversation again.');
  } else if (frame.conversation_id === current && frame.status === 'queued') {
    close(frame.text || 'The conversation went back to the queue.');
  }
  listQueue();
}

function onMessage(frame) {
  pendingReplies.delete(frame.client_message_id);
  if (frame.conversation_id === current) {
    appendEntry({ ...frame });
    if (frame.sender === 'customer') request({ action: 'getAssist', conversation_id: current });
  } else if (frame.sender === 'customer') {
    say(`New message from ${frame.sender_id} in another conversation.`);
  }
}

function onError(frame) {
  const retry = frame.client_message_id && pendingReplies.get(frame.client_message_id);
  if (retry && (frame.code === 'busy' || frame.code === 'throttled')) {
    const wait = (frame.retry_after_s ?? 1) * 1000;
    setTimeout(() => request(retry), wait + Math.random() * wait);
    return;
  }
  if (retry) pendingReplies.delete(frame.client_message_id);
  if (frame.code === 'conflict') {
    say('Someone else took that conversation.');
    listQueue();
    return;
  }
  if ((frame.code === 'forbidden' || frame.code === 'not_found') && current && !transcriptLoaded) {
    close(frame.message);
    return;
  }
  say(frame.message);
}

function onFrame(frame) {
  const handlers = {
    queue: renderQueue,
    handoff: onHandoff,
    message: onMessage,
    transcript: renderTranscript,
    customer_panel: renderPanel,
    assist: renderAssist,
    error: onError,
  };
  if (!frame.type && frame.message) {
    // API Gateway's own answer when a route fails ({"message": "Internal server error"}).
    say(`The server could not answer: ${frame.message}. Try again in a moment.`);
    return;
  }
  handlers[frame.type]?.(frame);
}

function onOpen() {
  listQueue();
  if (current) open(current);
  for (const frame of pendingReplies.values()) request(frame); // same ids: delivered once
}

async function main() {
  user = await requireUser(['dealer', 'oem_staff']);
  if (!user) return;
  header(user);
  document.getElementById('dashboard-link').hidden = user.role !== 'oem_staff';
  document.getElementById('reply-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sendReply(replyBox.value);
  });
  replyBox.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      sendReply(replyBox.value);
    }
  });
  handBackButton.addEventListener('click', () => current && request({ action: 'handBack', conversation_id: current }));
  socket = new Socket({
    onFrame,
    onOpen,
    onState: (s) => {
      const line = document.getElementById('connection');
      line.dataset.state = s;
      line.textContent = connectionLabel(s);
    },
  });
  setInterval(() => socket.isOpen && listQueue(), POLL_MS);
  addEventListener('online', () => socket.reconnectNow());
  socket.connect();
}

main();

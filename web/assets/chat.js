// Customer chat. One conversation per browser tab, kept in sessionStorage so a reload or a dropped
// socket resumes it: the page asks the server for the transcript, then resends what was not answered
// with the same client_message_id (the server treats a resend as the same turn: docs/protocol.md).
import { Socket, connectionLabel, el, header, newId, requireUser, sourceLink } from './common.js';

const RESEND_UNACKED_MS = 6_000; // no ack: the frame or the socket was lost
const RESEND_UNANSWERED_MS = 8_000; // acked, no reply: past the turn's deadline plus the server's margin
const TRANSCRIPT_WAIT_MS = 4_000;
// Characters the contract refuses in a message (docs/protocol.md, "Text"); a paste can carry them.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

const log = document.getElementById('log');
const typing = document.getElementById('typing');
const handoffLine = document.getElementById('handoff');
const connection = document.getElementById('connection');
const input = document.getElementById('message');

let user = null;
let socket = null;
let state = { conversation_id: null, pending: [], handoff: 'none', handoffText: '', entries: [] };
let awaitingTranscript = false;
let transcriptTimer = null;
const shown = new Set(); // keys of what is on the page: a resend is answered again, shown once

const storageKey = () => `aicc.chat.${user.user_id}`;
const save = () => sessionStorage.setItem(storageKey(), JSON.stringify(state));

function load() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(storageKey()) || 'null');
    if (saved && Array.isArray(saved.pending) && Array.isArray(saved.entries)) state = { ...state, ...saved };
  } catch {
    /* a corrupt entry starts a new conversation */
  }
}

// --- rendering ---------------------------------------------------------------------------------
// What the page shows is kept as entries (the transcript frame's shape) in sessionStorage too, so a
// reload shows the conversation at once, and still does against a server without getTranscript.

const WHO = { customer: 'You', assistant: 'Assistant', staff: 'Staff', system: 'Notice' };
const KEEP_ENTRIES = 200;

function message(sender, text, { label, cmid } = {}) {
  return el(
    'div',
    { class: 'msg', 'data-sender': sender, 'data-cmid': cmid },
    el('p', { class: 'who', text: label || WHO[sender] }),
    el('p', { class: 'text', text }),
  );
}

function sourcesList(sources) {
  if (!sources?.length) return null;
  return el('ul', { class: 'sources', 'aria-label': 'Sources' }, sources.map((s) => el('li', {}, sourceLink(s))));
}

/** Quick actions belong to the latest answer only: older ones would book a slot that has moved on. */
function clearQuickActions() {
  const hadFocus = log.contains(document.activeElement) && document.activeElement.tagName === 'BUTTON';
  for (const group of log.querySelectorAll('.quick, .suggestions')) group.remove();
  if (hadFocus) input.focus();
}

function actionButtons(className, label, items) {
  if (!items.length) return null;
  return el(
    'div',
    { class: className, role: 'group', 'aria-label': label },
    items.map(([text, payload]) => el('button', { type: 'button', class: 'secondary', onclick: () => send(payload, text) }, text)),
  );
}

function assistantNode(entry, latest) {
  const node = message('assistant', entry.text);
  if (entry.degraded) {
    node.append(el('p', { class: 'degraded', text: 'Some of our systems did not answer in time, so this answer may be partial.' }));
  }
  const list = sourcesList(entry.sources);
  if (list) node.append(list);
  if (latest) {
    const quick = actionButtons('quick', 'Quick actions', (entry.quick_actions || []).map((a) => [a.label, a.action]));
    const suggestions = actionButtons('suggestions', 'Suggestions', (entry.suggestions || []).map((s) => [s, s]));
    if (quick) node.append(quick);
    if (suggestions) node.append(suggestions);
  }
  return node;
}

function offerNode(entry) {
  const node = el(
    'div',
    { class: 'msg offer', 'data-sender': 'assistant' },
    el('p', { class: 'who', text: 'Offer' }),
    el('p', { class: 'text' }, el('strong', { text: entry.headline })),
    el('p', { class: 'text', text: entry.text }),
    el('p', { class: 'terms', text: `${entry.terms} Valid until ${entry.valid_until}.` }),
  );
  const list = sourcesList(entry.sources);
  if (list) node.append(list);
  return node;
}

function entryNode(entry, latest) {
  if (entry.kind === 'offer') return offerNode(entry);
  if (entry.sender === 'assistant') return assistantNode(entry, latest);
  if (entry.sender === 'staff') return message('staff', entry.text, { label: `Staff · ${entry.sender_id || ''}` });
  if (entry.sender === 'customer') {
    const node = message('customer', entry.shown_as || entry.text, { cmid: entry.client_message_id });
    const item = entry.client_message_id && findPending(entry.client_message_id);
    if (item && !item.acked) node.classList.add('pending');
    return node;
  }
  return message('system', entry.text);
}

/** A new entry: shown, announced by the live region, and kept. */
function record(entry) {
  if (entry.sender === 'assistant' && entry.kind !== 'offer') clearQuickActions();
  state.entries.push(entry);
  if (state.entries.length > KEEP_ENTRIES) state.entries.splice(0, state.entries.length - KEEP_ENTRIES);
  save();
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  log.append(entryNode(entry, true));
  if (atBottom || entry.sender === 'customer') log.scrollTop = log.scrollHeight;
}

function renderAll() {
  const entries = state.entries;
  // The quick actions shown are those of the last answer, if nothing was said after it.
  const lastCustomer = entries.map((e) => e.sender).lastIndexOf('customer');
  const lastReply = entries.findLastIndex((e) => e.sender === 'assistant' && e.kind !== 'offer');
  // A rebuild (the server's history after a reconnect) is not news: screen readers wait for it to
  // settle instead of reading the whole conversation again.
  log.setAttribute('aria-busy', 'true');
  log.replaceChildren(...entries.map((e, i) => entryNode(e, i === lastReply && i > lastCustomer)));
  log.scrollTop = log.scrollHeight;
  log.removeAttribute('aria-busy');
}

function system(text) {
  record({ sender: 'system', text });
}

const QUEUE_NAMES = { roadside: 'roadside assistance', customer_care: 'customer care' };
const queueName = (queue) => QUEUE_NAMES[queue] || (queue?.startsWith('sales#') ? 'dealership sales' : queue || 'staff');

function setHandoff(status, text) {
  state.handoff = status;
  state.handoffText = text;
  handoffLine.textContent = text;
  save();
  updateTyping();
}

function updateTyping() {
  const waiting = state.handoff !== 'taken' && state.pending.some((p) => p.acked);
  typing.textContent = waiting ? 'Assistant is typing…' : '';
}

// --- sending -----------------------------------------------------------------------------------

// A button's payload is sent as it is (as `aicc chat` does), but the conversation shows the button's
// label: "Book Tue 01 Dec, 11:00" is what the customer chose, not the slot id behind it.
function send(raw, label) {
  const text = raw.replace(/\r\n?/g, '\n').replace(CONTROL, '').trim();
  if (!text) return;
  const item = { cmid: newId(), text, acked: false, sentAt: 0, tries: 0 };
  state.pending.push(item);
  clearQuickActions();
  record({ sender: 'customer', text, shown_as: label && label !== text ? label : undefined, client_message_id: item.cmid });
  shown.add(`customer:${item.cmid}`);
  flush();
}

function transmit(item) {
  const frame = { action: 'sendMessage', text: item.text, client_message_id: item.cmid };
  if (item.conversation_id) frame.conversation_id = item.conversation_id;
  if (socket.send(frame)) {
    item.sentAt = Date.now();
    item.tries += 1;
  }
}

/** Send what is due. An opening message (no conversation yet) goes alone: the next ones wait for its ack. */
function flush() {
  if (!socket?.isOpen || awaitingTranscript) return;
  const now = Date.now();
  for (const item of state.pending) {
    if (item.conversation_id === undefined) {
      if (state.conversation_id) item.conversation_id = state.conversation_id;
      else if (state.pending.some((p) => p.conversation_id === null && !p.acked)) break;
      else item.conversation_id = null;
    }
    if (item.retryAt && now < item.retryAt) continue;
    if (item.acked && now - item.sentAt > RESEND_UNANSWERED_MS) {
      // Acked, no reply: the turn was lost (the server answers the resend) or its reply was, on a socket
      // that dropped (the transcript has it). Asked a few times, not forever.
      if (item.tries >= 4) {
        settle(item.cmid);
        continue;
      }
      transmit(item);
      askTranscript();
    } else if (!item.acked && (!item.sentAt || now - item.sentAt > RESEND_UNACKED_MS)) {
      transmit(item);
    }
  }
  save();
}

let transcriptSupported = true;
let transcriptAskedAt = 0;

function askTranscript() {
  if (!transcriptSupported || !state.conversation_id || Date.now() - transcriptAskedAt < RESEND_UNANSWERED_MS) return;
  transcriptAskedAt = Date.now();
  socket.send({ action: 'getTranscript', conversation_id: state.conversation_id });
}

function findPending(cmid) {
  return state.pending.find((p) => p.cmid === cmid);
}

const bubble = (cmid) => log.querySelector(`[data-cmid="${CSS.escape(cmid || '')}"]`);

function settle(cmid) {
  state.pending = state.pending.filter((p) => p.cmid !== cmid);
  bubble(cmid)?.classList.remove('pending');
  save();
  updateTyping();
}

// --- frames ------------------------------------------------------------------------------------

function onAck(frame) {
  const item = findPending(frame.client_message_id);
  if (!item) return; // another tab's message: its ack is not ours to adopt
  // The first message of a new conversation: its ack names the conversation this page now follows.
  if (item.conversation_id === null) state.conversation_id = frame.conversation_id;
  else if (item.conversation_id !== frame.conversation_id) return;
  item.acked = true;
  item.conversation_id = frame.conversation_id;
  item.sentAt = Date.now();
  bubble(item.cmid)?.classList.remove('pending');
  // While a person has the conversation the message goes to them and no reply comes.
  if (state.handoff === 'taken') settle(item.cmid);
  save();
  updateTyping();
  flush();
}

function onReply(frame) {
  settle(frame.client_message_id);
  const key = `reply:${frame.turn_id}`;
  if (shown.has(key)) return;
  shown.add(key);
  const { text, turn_id, client_message_id, quick_actions, suggestions, sources, degraded, route } = frame;
  record({ sender: 'assistant', text, turn_id, client_message_id, quick_actions, suggestions, sources, degraded });
  if (route?.kind === 'human' && state.handoff !== 'taken') {
    const urgent = route.priority === 'urgent' ? ' (urgent)' : '';
    setHandoff('queued', `Waiting for ${queueName(route.queue)}${urgent}: a person will join this conversation.`);
  }
}

function onHandoff(frame) {
  if (frame.conversation_id !== state.conversation_id) return;
  const who = frame.agent_id ? ` (${frame.agent_id})` : '';
  const status = {
    queued: ['queued', `Waiting for ${queueName(frame.queue)}: a person will join this conversation.`],
    taken: ['taken', `A person from ${queueName(frame.queue)}${who} is in this conversation.`],
    returned: ['none', 'You are chatting with the assistant again.'],
  }[frame.status];
  if (!status) return;
  if (frame.status === 'taken') {
    for (const item of state.pending.filter((p) => p.acked)) settle(item.cmid);
  }
  setHandoff(status[0], status[1]);
  if (frame.text) system(frame.text);
}

function onMessage(frame) {
  if (frame.conversation_id !== state.conversation_id) return;
  const key = frame.sender === 'customer' && frame.client_message_id ? `customer:${frame.client_message_id}` : `message:${frame.sender_id}:${frame.client_message_id || frame.at}`;
  if (shown.has(key)) return;
  shown.add(key);
  const { sender, sender_id, text, at, client_message_id } = frame;
  record({ sender, sender_id, text, at, client_message_id });
}

function onOffer(frame) {
  const key = `offer:${frame.offer_id}`;
  if (frame.conversation_id !== state.conversation_id || shown.has(key)) return;
  shown.add(key);
  const { offer_id, headline, body, terms, valid_until, sources } = frame;
  record({ sender: 'assistant', kind: 'offer', offer_id, headline, text: body, terms, valid_until, sources });
}

function onError(frame) {
  const item = frame.client_message_id && findPending(frame.client_message_id);
  if (!item) {
    const aboutTranscript = awaitingTranscript || Date.now() - transcriptAskedAt < TRANSCRIPT_WAIT_MS;
    if (aboutTranscript && ['unknown_action', 'not_found', 'forbidden'].includes(frame.code)) {
      // No transcript (unknown, not ours, or a server without getTranscript): carry on with what we kept.
      if (frame.code === 'unknown_action') transcriptSupported = false;
      else startOver(false);
      if (awaitingTranscript) transcriptDone();
    } else {
      system(frame.message);
      if (awaitingTranscript) transcriptDone();
    }
    return;
  }
  if (frame.code === 'busy' || frame.code === 'throttled') {
    // Nothing was stored: the same frame again later, with jitter so shed clients spread out.
    const wait = (frame.retry_after_s ?? 1) * 1000;
    item.retryAt = Date.now() + wait + Math.random() * wait;
    item.sentAt = 0;
    setTimeout(flush, item.retryAt - Date.now() + 10);
    return;
  }
  settle(item.cmid);
  bubble(item.cmid)?.classList.add('failed');
  if (frame.code === 'forbidden' || frame.code === 'not_found') startOver(false);
  system(`Not sent: ${frame.message}`);
}

function keyOf(entry) {
  if (entry.kind === 'offer') return `offer:${entry.offer_id}`;
  if (entry.sender === 'assistant') return `reply:${entry.turn_id}`;
  if (entry.sender === 'customer' && entry.client_message_id) return `customer:${entry.client_message_id}`;
  return `message:${entry.sender_id}:${entry.client_message_id || entry.at}`;
}

function rebuildShown() {
  shown.clear();
  for (const entry of state.entries) shown.add(keyOf(entry));
}

/** The server's history replaces ours; what we sent that it has not seen yet stays, still pending. */
function onTranscript(frame) {
  if (frame.conversation_id !== state.conversation_id) return;
  // The server names the button a quick action came from; this tab's own labels fill any gap.
  const labels = new Map(state.entries.filter((e) => e.shown_as).map((e) => [e.client_message_id, e.shown_as]));
  const entries = (frame.entries || []).map((e) => ({ ...e, shown_as: e.shown_as || labels.get(e.client_message_id) }));
  const known = new Set(entries.filter((e) => e.sender === 'customer').map((e) => e.client_message_id));
  const answered = new Set(entries.filter((e) => e.sender === 'assistant').map((e) => e.client_message_id));
  state.pending = state.pending.filter((p) => !answered.has(p.cmid));
  for (const item of state.pending) if (known.has(item.cmid)) item.acked = true;
  for (const item of state.pending) {
    if (!known.has(item.cmid)) entries.push({ sender: 'customer', text: item.text, client_message_id: item.cmid });
  }
  state.entries = entries.slice(-KEEP_ENTRIES);
  rebuildShown();
  renderAll();
  const handoff = frame.handoff || {};
  if (handoff.status === 'taken') setHandoff('taken', `A person from ${queueName(handoff.queue)} is in this conversation.`);
  else if (handoff.status === 'queued') setHandoff('queued', `Waiting for ${queueName(handoff.queue)}: a person will join this conversation.`);
  else setHandoff('none', '');
  transcriptDone();
}

function transcriptDone() {
  clearTimeout(transcriptTimer);
  awaitingTranscript = false;
  save();
  updateTyping();
  flush();
}

function onFrame(frame) {
  const handlers = {
    ack: onAck,
    reply: onReply,
    handoff: onHandoff,
    message: onMessage,
    offer: onOffer,
    error: onError,
    transcript: onTranscript,
  };
  // Every socket of the customer may receive a frame of another of their conversations (a reply
  // follows the customer when its own socket is gone): this page shows only its own.
  if (frame.type !== 'ack' && frame.conversation_id && !isOurs(frame)) return;
  handlers[frame.type]?.(frame); // unknown types are ignored (the protocol adds types, never changes them)
}

/** A frame of this page's conversation, or the reply to the message that starts it here (a reply
 * can overtake its ack: it then names the conversation). */
function isOurs(frame) {
  if (state.conversation_id) return frame.conversation_id === state.conversation_id;
  const opening = frame.client_message_id && findPending(frame.client_message_id);
  if (!opening || opening.conversation_id !== null) return false;
  state.conversation_id = frame.conversation_id;
  return true;
}

function onOpen() {
  for (const item of state.pending) if (!item.acked) item.sentAt = 0; // a new socket: unacked messages go again now
  for (const item of state.pending) if (item.acked) item.sentAt = Date.now() - RESEND_UNANSWERED_MS; // unanswered too
  if (state.conversation_id && transcriptSupported) {
    awaitingTranscript = true;
    transcriptAskedAt = Date.now();
    socket.send({ action: 'getTranscript', conversation_id: state.conversation_id });
    transcriptTimer = setTimeout(transcriptDone, TRANSCRIPT_WAIT_MS);
  } else {
    flush();
  }
}

function startOver(clearLog = true) {
  const unsent = clearLog ? [] : state.pending.filter((p) => !p.acked);
  for (const item of unsent) item.conversation_id = undefined;
  state = { conversation_id: null, pending: unsent, handoff: 'none', handoffText: '', entries: clearLog ? [] : state.entries };
  if (clearLog) {
    rebuildShown();
    renderAll();
  }
  setHandoff('none', '');
}

async function main() {
  user = await requireUser(['customer']);
  if (!user) return;
  header(user);
  load();
  rebuildShown();
  renderAll();
  handoffLine.textContent = state.handoffText || '';
  updateTyping();
  document.getElementById('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    send(input.value);
    input.value = '';
    input.focus();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      document.getElementById('composer').requestSubmit();
    }
  });
  document.getElementById('new-conversation').addEventListener('click', () => {
    startOver(true);
    input.focus();
  });
  socket = new Socket({
    onFrame,
    onOpen,
    onState: (s) => {
      connection.dataset.state = s;
      connection.textContent = connectionLabel(s);
    },
  });
  setInterval(flush, 1_000);
  addEventListener('online', () => socket.reconnectNow());
  socket.connect();
}

main();

// Shared by the pages: runtime config, the signed-in user, a reconnecting socket and DOM helpers.
// Text from the network only ever reaches the page through textContent (see el()).

const TOKEN = 'aicc.token';
const REFRESH = 'aicc.refresh';
const ROLES = ['customer', 'dealer', 'oem_staff'];

let configPromise = null;

/** GET /config.json once per page: where the socket and the API are, and how people sign in. */
export function config() {
  configPromise ??= fetch('/config.json', { cache: 'no-store' }).then((r) => {
    if (!r.ok) throw new Error(`config.json: HTTP ${r.status}`);
    return r.json();
  });
  return configPromise;
}

/** An element with attributes and children; strings become text nodes, never markup. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A link to a source: only http(s) URLs become links, anything else stays text. */
export function sourceLink(source) {
  let url = null;
  try {
    url = new URL(source.uri, location.href);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    return el('span', { text: source.title || source.uri });
  }
  return el('a', { href: url.href, target: '_blank', rel: 'noopener noreferrer', text: source.title || url.href });
}

export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function base64UrlDecode(part) {
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** The token's claims, unverified: the server verifies; the page only needs to know who and until when. */
export function claims(token) {
  try {
    return JSON.parse(base64UrlDecode(token.split('.')[1]));
  } catch {
    return null;
  }
}

/** The same reading of the claims as aicc.runtime.auth.identity_from_claims. */
function identity(c) {
  const groups = (c['cognito:groups'] || []).filter((g) => ROLES.includes(g));
  const role = groups.length ? groups.reduce((a, b) => (ROLES.indexOf(b) > ROLES.indexOf(a) ? b : a)) : 'customer';
  const userId = c['custom:customer_id'] || c['cognito:username'] || c.sub;
  return { user_id: String(userId), role, dealer_id: c['custom:dealer_id'] || null, exp: c.exp || 0 };
}

export function storeTokens(token, refreshToken) {
  sessionStorage.setItem(TOKEN, token);
  if (refreshToken) sessionStorage.setItem(REFRESH, refreshToken);
}

/** The signed-in user, or null; a token that expires within a minute counts as gone unless it can be refreshed. */
export function currentUser() {
  const token = sessionStorage.getItem(TOKEN);
  const c = token && claims(token);
  if (!c) return null;
  return { token, ...identity(c) };
}

/** A token good for at least another minute: refreshed through Cognito when it can be, else null. */
export async function validToken() {
  const user = currentUser();
  if (user && user.exp * 1000 > Date.now() + 60_000) return user.token;
  const refreshToken = sessionStorage.getItem(REFRESH);
  const cfg = await config();
  if (!refreshToken || cfg.auth?.mode !== 'cognito') return null;
  // One refresh at a time: with rotation, a second one would spend the token the first was given.
  refreshing ??= refreshOnce(cfg.auth, refreshToken).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

let refreshing = null;

async function refreshOnce(auth, refreshToken) {
  const { refresh, RefusedGrant } = await import('./cognito.js');
  try {
    const tokens = await refresh(auth, refreshToken);
    storeTokens(tokens.id_token, tokens.refresh_token);
    return tokens.id_token;
  } catch (error) {
    if (error instanceof RefusedGrant) {
      sessionStorage.removeItem(REFRESH); // spent or revoked: only a new sign-in helps
      return null;
    }
    // Offline, or Cognito unreachable: the refresh token is kept for the next try (the socket's
    // reconnect), and a token not yet expired is still used.
    const user = currentUser();
    if (user && user.exp * 1000 > Date.now()) return user.token;
    throw error;
  }
}

export function homeOf(role) {
  return role === 'customer' ? '/' : '/console.html';
}

/** The signed-in user if their role may use this page; otherwise off to sign-in or to their own page. */
export async function requireUser(roles) {
  let token;
  try {
    token = await validToken();
  } catch {
    // Cognito unreachable for now: the user is still signed in; the socket's reconnects refresh later.
    token = sessionStorage.getItem(REFRESH) ? currentUser()?.token : null;
  }
  const user = token ? currentUser() : null;
  if (!user) {
    const next = location.pathname + location.search;
    location.replace(`/signin.html?next=${encodeURIComponent(next)}`);
    return null;
  }
  if (!roles.includes(user.role)) {
    location.replace(homeOf(user.role));
    return null;
  }
  return user;
}

export async function signOut() {
  const cfg = await config().catch(() => ({}));
  sessionStorage.clear();
  if (cfg.auth?.mode === 'cognito') {
    const url = new URL('/logout', cfg.auth.domain);
    url.searchParams.set('client_id', cfg.auth.client_id);
    url.searchParams.set('logout_uri', cfg.auth.logout_uri);
    location.assign(url.href);
  } else {
    location.assign('/signin.html');
  }
}

/** Fills the page header: who is signed in, and the sign-out button. */
export function header(user) {
  const who = document.getElementById('who');
  if (who) who.textContent = user.dealer_id ? `${user.user_id} (${user.role}, ${user.dealer_id})` : `${user.user_id} (${user.role})`;
  document.getElementById('signout')?.addEventListener('click', signOut);
}

/**
 * A WebSocket that comes back: after a drop it reconnects with exponential backoff and full jitter
 * (so many clients dropped together do not return together), with a fresh token each time.
 */
export class Socket {
  constructor({ onFrame, onOpen, onState }) {
    this.onFrame = onFrame;
    this.onOpen = onOpen || (() => {});
    this.onState = onState || (() => {});
    this.attempt = 0;
    this.ws = null;
    this.stopped = false;
    this.timer = null;
  }

  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  async connect() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.onState(this.attempt ? 'reconnecting' : 'connecting');
    let url;
    try {
      const cfg = await config();
      const token = await validToken();
      if (!token) {
        await requireUser(ROLES);
        return;
      }
      url = new URL(cfg.websocket_url, location.href);
      url.searchParams.set('token', token);
    } catch {
      this.retry();
      return;
    }
    const ws = new WebSocket(url.href);
    this.ws = ws;
    ws.addEventListener('open', () => {
      this.attempt = 0;
      this.onState('open');
      this.onOpen();
    });
    ws.addEventListener('message', (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame && typeof frame === 'object') this.onFrame(frame);
    });
    ws.addEventListener('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.onState('closed');
      this.retry();
    });
  }

  retry() {
    if (this.stopped) return;
    const ceiling = Math.min(30_000, 500 * 2 ** Math.min(this.attempt, 6));
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), ceiling / 2 + Math.random() * (ceiling / 2));
  }

  send(frame) {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Drop the connection now and come back as after a network loss (used when the page wakes up). */
  reconnectNow() {
    if (this.isOpen) return;
    this.attempt = 0;
    this.connect();
  }
}

export function connectionLabel(state) {
  return {
    connecting: 'Connecting…',
    open: 'Connected',
    reconnecting: 'Reconnecting…',
    closed: 'Connection lost; reconnecting…',
  }[state];
}

export function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

// Sign-in: demo users on the embedded stack, Cognito's hosted UI (code + PKCE) on AWS.
import { config, currentUser, el, homeOf, storeTokens } from './common.js';

const GROUPS = [
  ['customer', 'Customers'],
  ['dealer', 'Dealer staff'],
  ['oem_staff', 'OEM staff'],
];

function say(text) {
  const status = document.getElementById('status');
  status.textContent = text;
  status.hidden = !text;
}

/** Where to go once signed in: the page asked for, when it is ours and the role may use it. */
function destination(role, next) {
  const allowed = { customer: ['/', '/index.html'], dealer: ['/console.html'], oem_staff: ['/console.html', '/dashboard.html'] };
  if (next) {
    const url = new URL(next, location.origin);
    if (url.origin === location.origin && (allowed[role] || []).includes(url.pathname)) return url.pathname + url.search;
  }
  return homeOf(role);
}

async function demo() {
  document.getElementById('demo').hidden = false;
  const response = await fetch('/auth/demo/users', { cache: 'no-store' });
  if (!response.ok) throw new Error(`demo users: HTTP ${response.status}`);
  const { users } = await response.json();
  const container = document.getElementById('users');
  for (const [role, title] of GROUPS) {
    const mine = users.filter((u) => u.role === role);
    if (!mine.length) continue;
    const list = el('ul');
    for (const user of mine) {
      const label = [user.user_id, user.name].filter(Boolean).join(' · ');
      list.append(
        el(
          'li',
          {},
          el(
            'button',
            { type: 'button', onclick: () => signInAs(user.user_id) },
            label,
            user.dealer_id ? el('span', { class: 'role', text: ` (${user.dealer_id})` }) : null,
          ),
        ),
      );
    }
    const id = `group-${role}`;
    container.append(el('section', { 'aria-labelledby': id }, el('h3', { id, text: title }), list));
  }
}

async function signInAs(userId) {
  say('Signing in…');
  const response = await fetch('/auth/demo/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user_id: userId }),
  });
  if (!response.ok) {
    say(`Sign-in failed (HTTP ${response.status}).`);
    return;
  }
  const body = await response.json();
  storeTokens(body.token);
  location.assign(destination(body.role, new URLSearchParams(location.search).get('next')));
}

async function cognito(auth) {
  const { finishSignIn, startSignIn } = await import('./cognito.js');
  const query = new URLSearchParams(location.search);
  if (query.get('error')) {
    say(`Sign-in failed: ${query.get('error_description') || query.get('error')}`);
  } else if (query.get('code')) {
    say('Signing in…');
    try {
      const { tokens, next } = await finishSignIn(auth, query);
      storeTokens(tokens.id_token, tokens.refresh_token);
      location.replace(destination(currentUser().role, next));
      return;
    } catch (error) {
      // A refused state or code: say why and offer a fresh sign-in; the code stays unused.
      say(`Sign-in failed: ${error.message}`);
    }
    history.replaceState(null, '', location.pathname);
  } else if (query.get('next')) {
    // Sent here by a page that needs a user: straight on to the hosted UI.
    await startSignIn(auth, query.get('next'));
    return;
  }
  const section = document.getElementById('cognito');
  section.hidden = false;
  document.getElementById('hosted').addEventListener('click', () => startSignIn(auth, null));
}

async function main() {
  const cfg = await config();
  if (cfg.auth?.mode === 'cognito') await cognito(cfg.auth);
  else await demo();
}

main().catch((error) => say(`Sign-in is unavailable: ${error.message}`));

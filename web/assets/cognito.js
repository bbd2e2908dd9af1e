// Cognito hosted UI: the authorization-code flow with PKCE (RFC 7636), and refresh.
// The page keeps the ID token: the WebSocket authorizer checks its audience (the app client).

const PKCE = 'aicc.pkce';

function base64Url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(size = 32) {
  return base64Url(crypto.getRandomValues(new Uint8Array(size)));
}

async function challengeOf(verifier) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

/** Off to the hosted UI; `next` is where to go once signed in. */
export async function startSignIn(auth, next) {
  const verifier = randomString(48);
  const state = randomString(16);
  sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state, next }));
  const url = new URL('/oauth2/authorize', auth.domain);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', auth.client_id);
  url.searchParams.set('redirect_uri', auth.redirect_uri);
  url.searchParams.set('scope', auth.scopes || 'openid email');
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', await challengeOf(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  location.assign(url.href);
}

/** Cognito refused the grant (4xx): the code or refresh token is spent, expired or revoked. Other
 * failures (offline, 5xx) are worth another try with the same token. */
export class RefusedGrant extends Error {}

async function tokenRequest(auth, params) {
  const response = await fetch(new URL('/oauth2/token', auth.domain).href, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: auth.client_id, ...params }),
  });
  if (!response.ok) {
    // Cognito answers a refused grant with {"error": "invalid_grant", …}: name it, for the person and for support.
    const body = await response.json().catch(() => ({}));
    const message = `token endpoint: ${body.error || `HTTP ${response.status}`}`;
    throw response.status < 500 ? new RefusedGrant(message) : new Error(message);
  }
  return response.json();
}

/** Back from the hosted UI with ?code&state: the tokens and where to go, or an error. */
export async function finishSignIn(auth, query) {
  const saved = JSON.parse(sessionStorage.getItem(PKCE) || 'null');
  sessionStorage.removeItem(PKCE);
  if (!saved || query.get('state') !== saved.state) throw new Error('the sign-in did not start here; try again');
  const tokens = await tokenRequest(auth, {
    grant_type: 'authorization_code',
    code: query.get('code'),
    redirect_uri: auth.redirect_uri,
    code_verifier: saved.verifier,
  });
  return { tokens, next: saved.next };
}

/** New tokens from the refresh token (Cognito keeps the refresh token: none comes back). */
export async function refresh(auth, refreshToken) {
  const tokens = await tokenRequest(auth, { grant_type: 'refresh_token', refresh_token: refreshToken });
  return { ...tokens, refresh_token: tokens.refresh_token || refreshToken };
}

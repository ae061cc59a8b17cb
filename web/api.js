// api: the few HTTP calls of /api/v1, with the daemon's {"error": …} turned into an Error, and the login session.

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

// A 401 anywhere means the session has ended (or there never was one): the
// app hears it as this event and asks for the token again.
export const UNAUTHORIZED = 'tonewire:unauthorized';

async function parse(res, { quiet401 = false } = {}) {
  const type = res.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) {
    const msg = body?.error || `${res.status} ${res.statusText}`.trim();
    if (res.status === 401 && !quiet401) window.dispatchEvent(new CustomEvent(UNAUTHORIZED));
    throw new ApiError(res.status, msg, body);
  }
  return body;
}

export async function getJSON(path) {
  return parse(await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' }));
}

export async function sendJSON(method, path, data) {
  const res = await fetch(path, {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(data),
  });
  const body = await parse(res);
  return { body, location: res.headers.get('Location'), status: res.status };
}

// The session: whether the station wants its token and whether this browser
// has shown it. Logging in sends the token once, in the body (never in a URL);
// the station answers with an HttpOnly cookie that every later request, the
// event stream included, carries by itself.
export async function getSession() {
  return parse(await fetch('/api/v1/session', { headers: { Accept: 'application/json' }, cache: 'no-store' }));
}

export async function logIn(token) {
  const res = await fetch('/api/v1/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ token }),
  });
  return parse(res, { quiet401: true });
}

export async function logOut() {
  return parse(await fetch('/api/v1/session', { method: 'DELETE', headers: { Accept: 'application/json' } }));
}

// api: the few HTTP calls of /api/v1, with the daemon's {"error": …} turned into an Error.

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

async function parse(res) {
  const type = res.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) {
    const msg = body?.error || `${res.status} ${res.statusText}`.trim();
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

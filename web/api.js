// The page's client of the `bubblesim serve` JSON API (docs/playground.md lists the endpoints).

/** An error answer of the server: `status`, its `error` sentence and its `errors` list. */
export class ApiError extends Error {
  constructor(status, body, what) {
    super(body && typeof body.error === 'string' ? body.error : `${what}: HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.what = what;
  }
  /** The problems the server listed (`errors[]`), each `{message, pointer, text}`. */
  get problems() {
    return Array.isArray(this.body.errors) ? this.body.errors : [];
  }
}

async function request(method, url, body, what) {
  const init = { method, headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  let parsed = null;
  const text = await response.text();
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { error: text.slice(0, 300) };
    }
  }
  if (!response.ok) throw new ApiError(response.status, parsed, what);
  return parsed;
}

export const api = {
  health: () => request('GET', '/api/health', undefined, 'health'),
  scenarios: () => request('GET', '/api/scenarios', undefined, 'scenario list'),
  schema: () => request('GET', '/api/schema', undefined, 'schema'),
  scenario: (name) => request('GET', `/api/scenarios/${encodeURIComponent(name)}`, undefined, `scenario ${name}`),
  validate: (body) => request('POST', '/api/validate', body, 'validate'),
  run: (body) => request('POST', '/api/run', body, 'run'),
  startJob: (body) => request('POST', '/api/jobs', body, 'Monte Carlo job'),
  job: (id) => request('GET', `/api/jobs/${encodeURIComponent(id)}`, undefined, `job ${id}`),
  cancelJob: (id) => request('DELETE', `/api/jobs/${encodeURIComponent(id)}`, undefined, `cancel job ${id}`),
};

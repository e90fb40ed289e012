// The service's JSON API, as the pages call it. A failed call throws an ApiError carrying the
// problem's detail (RFC 9457), which the pages show as text.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function call(method, path, body, headers = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, { detail: 'the service cannot be reached' });
  }
  if (response.status === 204) {
    return null;
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (err) {
    json = null;
  }
  if (!response.ok) {
    const detail = json && typeof json.detail === 'string' ? json.detail : `HTTP ${response.status}`;
    throw new ApiError(response.status, { ...(json || {}), detail });
  }
  return json;
}

export const get = (path) => call('GET', path);
export const post = (path, body, headers) => call('POST', path, body, headers);
export const del = (path) => call('DELETE', path);

/** /events/ID..., with the id escaped (ids are [A-Za-z0-9_-] anyway; a typed address may be anything). */
export const eventPath = (eventId, ...rest) =>
  ['/events', encodeURIComponent(eventId), ...rest.map(encodeURIComponent)].join('/');

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

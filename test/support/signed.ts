import { createHmac } from 'node:crypto';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

/** Slack's request signature: v0= + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}`. */
export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignedPostOptions {
  secret?: string;
  /** Seconds since the epoch; default now. A stale one (over 5 minutes) must be refused. */
  timestamp?: number;
  /** Replaces the computed signature (for the bad-signature test). */
  signature?: string;
  /** Slack's retry headers. */
  retryNum?: number;
  retryReason?: string;
}

async function post(url: string, body: string, contentType: string, options: SignedPostOptions) {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': options.signature ?? sign(body, timestamp, options.secret),
  };
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = options.retryReason ?? 'http_timeout';
  }
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as unknown };
}

/** A slash command, form-encoded as Slack sends it. */
export function postCommand(url: string, fields: Record<string, string>, options: SignedPostOptions = {}) {
  return post(url, new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded', options);
}

/** An interaction (button, modal submission): form-encoded with a `payload` JSON field. */
export function postInteraction(url: string, payload: unknown, options: SignedPostOptions = {}) {
  return post(url, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded', options);
}

/** An Events API callback: JSON. */
export function postEvent(url: string, envelope: unknown, options: SignedPostOptions = {}) {
  return post(url, JSON.stringify(envelope), 'application/json', options);
}

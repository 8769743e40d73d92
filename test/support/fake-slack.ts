import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small stand-in for Slack's Web API on loopback: records every call and answers like Slack.
 * Tests point SLACK_API_URL (or the clients' slackApiUrl) at `url`. `failNext` makes the next
 * calls answer 429 (with Retry-After) or 5xx, or the whole API can be taken down for a while.
 */
export interface RecordedCall {
  method: string;
  body: Record<string, unknown>;
  at: number;
}

type Answer = { status: number; headers?: Record<string, string>; body?: unknown };
type Handler = (body: Record<string, unknown>, call: number) => Answer | Record<string, unknown> | undefined;

export interface FakeSlack {
  url: string;
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** Answers this method with a custom result (merged into `{ ok: true }`) or a full answer. */
  on(method: string, handler: Handler): void;
  /** The next `count` calls (of any method, or of `method`) fail with this status. */
  failNext(count: number, status: 429 | 500 | 502 | 503, options?: { retryAfterSeconds?: number; method?: string }): void;
  /** While down, every call answers 503. */
  setDown(down: boolean): void;
  /** Resolves when `predicate` holds for the recorded calls, or rejects after `timeoutMs`. */
  waitFor(predicate: (calls: RecordedCall[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Bytes posted to the upload URLs of files.getUploadURLExternal, by file id. */
  uploads: Map<string, Buffer>;
  /** A URL the fake accepts as a `response_url`: posts to it are recorded as method `response_url`. */
  responseUrl(name?: string): string;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const params = new URLSearchParams(raw);
  const body: Record<string, unknown> = {};
  for (const [key, value] of params) {
    // The Web client form-encodes nested values (blocks, attachments) as JSON strings.
    try {
      body[key] = ['blocks', 'view', 'attachments', 'metadata', 'files'].includes(key) ? JSON.parse(value) : value;
    } catch {
      body[key] = value;
    }
  }
  return body;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: RecordedCall[] = [];
  const handlers = new Map<string, Handler>();
  const failures: { status: number; retryAfter: number; method?: string }[] = [];
  let down = false;
  let ts = 1_700_000_000;
  const counts = new Map<string, number>();
  const uploads = new Map<string, Buffer>();
  let port = 0;

  const defaults: Record<string, (body: Record<string, unknown>) => Record<string, unknown>> = {
    'auth.test': () => ({ user_id: 'U0BOTBOTBOT', bot_id: 'B0BOTBOTBOT', team_id: 'T0TEAMTEAM' }),
    'chat.postMessage': (body) => ({ channel: body.channel, ts: `${++ts}.000100`, message: { text: body.text } }),
    'chat.update': (body) => ({ channel: body.channel, ts: body.ts }),
    'chat.postEphemeral': () => ({ message_ts: `${++ts}.000200` }),
    'views.open': () => ({ view: { id: `V0${++ts}` } }),
    'views.publish': () => ({ view: { id: `V0${++ts}` } }),
    'views.update': () => ({ view: { id: `V0${++ts}` } }),
    'conversations.history': () => ({ messages: [], has_more: false }),
    'usergroups.users.list': () => ({ users: [] }),
    // Slack's upload in three steps: ask for a URL, post the bytes there, then share the file.
    'files.getUploadURLExternal': () => {
      const fileId = `F0${++ts}`;
      return { file_id: fileId, upload_url: `http://127.0.0.1:${port}/upload/${fileId}` };
    },
    'files.completeUploadExternal': (body) => {
      const files = (body.files ?? []) as { id: string; title?: string }[];
      const missing = files.find((f) => !uploads.has(f.id));
      if (missing) return { ok: false, error: 'file_not_found' };
      return { files: files.map((f) => ({ id: f.id, title: f.title, size: uploads.get(f.id)!.length })) };
    },
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (path.startsWith('/upload/') && !down) {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const fileId = path.slice('/upload/'.length);
        uploads.set(fileId, Buffer.concat(chunks));
        calls.push({ method: 'file_upload', body: { fileId, bytes: uploads.get(fileId)!.length }, at: Date.now() });
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end(`OK - ${uploads.get(fileId)!.length}`);
      }
      const body = await readBody(req);
      const method = path.startsWith('/response/') ? 'response_url' : path.replace(/^\/(api\/)?/, '');
      calls.push({ method, body, at: Date.now() });
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(payload));
      };
      if (down) return send(503, { ok: false, error: 'service_unavailable' });
      const failureIndex = failures.findIndex((f) => !f.method || f.method === method);
      if (failureIndex >= 0) {
        const [failure] = failures.splice(failureIndex, 1);
        if (failure!.status === 429) return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure!.retryAfter) });
        return send(failure!.status, { ok: false, error: 'internal_error' });
      }
      const n = (counts.get(method) ?? 0) + 1;
      counts.set(method, n);
      const handler = handlers.get(method);
      const custom = handler?.(body, n);
      if (custom && typeof (custom as Answer).status === 'number') {
        const answer = custom as Answer;
        return send(answer.status, answer.body ?? {}, answer.headers);
      }
      const base = defaults[method]?.(body) ?? {};
      send(200, { ok: true, ...base, ...(custom as Record<string, unknown> | undefined) });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/api/`;

  return {
    url,
    calls,
    uploads,
    callsTo: (method) => calls.filter((c) => c.method === method),
    on: (method, handler) => handlers.set(method, handler),
    failNext: (count, status, options = {}) => {
      for (let i = 0; i < count; i++) failures.push({ status, retryAfter: options.retryAfterSeconds ?? 1, method: options.method });
    },
    setDown: (value) => {
      down = value;
    },
    waitFor: async (predicate, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(calls)) {
        if (Date.now() > deadline)
          throw new Error(`fake Slack: condition not met within ${timeoutMs} ms; calls: ${calls.map((c) => c.method).join(', ')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    responseUrl: (name = 'r') => `http://127.0.0.1:${port}/response/${name}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

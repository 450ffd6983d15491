/**
 * `run --replay traffic.jsonl`: a recording (src/protocol/recording.ts)
 * becomes the load. Each recorded session is a template; `--replay-scale N`
 * makes N copies of each, and every copy is one virtual user that:
 *
 * - waits for its start: the session's recorded offset divided by
 *   `--replay-speed`, plus a seeded random spread of up to
 *   `--replay-vary` seconds per copy (an open model on recorded times: a
 *   copy starts on its time, whatever the others are doing);
 * - sends the session's client messages in the recorded order with the
 *   same parameters: requests (one sample each, the usual rows per method
 *   and tool) and notifications, with the recorded think time before each
 *   one (the gap between the previous message's reply, or its sending for
 *   a notification, and this one, divided by the speed);
 * - answers the server's questions (sampling, elicitation, roots) with the
 *   replies the recording holds for them;
 * - ends the session with DELETE when the recorded one did.
 *
 * The handshake is the client's own (`initialize` with mcpload's client
 * info and the capabilities of the recorded replies). Each reply's shape
 * is compared with the recorded one (result versus error, `isError`, the
 * content types in order); a difference fails the sample's check and is
 * counted (`replyShapeMismatches`). Once every copy is done the run ends.
 */
import { abortableSleep } from '../engine/sleep.js';
import type { RecordedSession, Recording, JsonRpcMessage } from '../protocol/recording.js';
import type { RpcOutcome, RpcOptions } from '../transports/mcp-client.js';
import type { ServerRequestReplies } from '../transports/server-messages.js';
import { ServerStream } from '../transports/server-stream.js';
import type { Scenario, ScenarioEnv, ScenarioFigures, UserClass, VirtualUser } from './api.js';
import { createRng } from '../engine/rng.js';

export interface ReplayOptions {
  /** Time factor: 2 replays twice as fast (starts and think times); default 1. */
  speed?: number;
  /** Copies of each recorded session; default 1. */
  scale?: number;
  /** Each copy starts up to this many seconds later than recorded (uniform, seeded); default 0. */
  varyS?: number;
  seed?: number;
}

/** One step of a session template: a client message and the think time before it (ms, at speed 1). */
export interface ReplayStep {
  thinkMs: number;
  message: JsonRpcMessage;
  /** The recorded reply to a request, if the recording has it. */
  reply?: JsonRpcMessage;
}

export interface SessionTemplate {
  id: string;
  offsetMs: number;
  steps: ReplayStep[];
  deleted: boolean;
  /** Open the standalone GET stream after the handshake, as the recorded client did. */
  listens: boolean;
  /**
   * The session was already open when the recording started (its handshake
   * is not in it): the copy makes one before its first message.
   */
  handshakeFirst: boolean;
}

export interface ReplayCopy {
  template: SessionTemplate;
  /** When the copy starts, ms after the replay's start (speed and spread applied). */
  startMs: number;
}

const isRequest = (m: JsonRpcMessage) => typeof m.method === 'string' && 'id' in m && m.id !== null;
const isNotification = (m: JsonRpcMessage) => typeof m.method === 'string' && !('id' in m);
const isResponse = (m: JsonRpcMessage) => typeof m.method !== 'string' && 'id' in m;

/**
 * A request that answers the server's `input_required` result (2026-07-28):
 * the client's next round of the request before it. The replaying client
 * makes these rounds itself, from the recorded answers.
 */
function isInputRound(m: JsonRpcMessage): boolean {
  const params = m.params as { inputResponses?: unknown } | undefined;
  return typeof params?.inputResponses === 'object' && params.inputResponses !== null;
}

/** The client's part of a session: what to send, in order, with the recorded think time before each message. */
export function sessionTemplate(session: RecordedSession): SessionTemplate {
  const replies = new Map<string, { t: number; message: JsonRpcMessage }>();
  for (const m of session.messages) {
    if (m.direction === 'server->client' && isResponse(m.message)) replies.set(JSON.stringify(m.message.id), { t: m.t, message: m.message });
  }
  const steps: ReplayStep[] = [];
  let readyAt = 0;
  for (const m of session.messages) {
    if (m.direction !== 'client->server' || isResponse(m.message)) continue;
    const reply = isRequest(m.message) ? replies.get(JSON.stringify(m.message.id)) : undefined;
    const previous = steps.at(-1);
    if (isInputRound(m.message) && previous !== undefined && previous.message.method === m.message.method) {
      // The last round's reply is the request's answer.
      if (reply !== undefined) previous.reply = reply.message;
    } else {
      steps.push({ thinkMs: Math.max(0, m.t - readyAt), message: m.message, ...(reply ? { reply: reply.message } : {}) });
    }
    // The next think time counts from this message's reply (a request) or its sending (a notification).
    readyAt = Math.max(readyAt, reply?.t ?? m.t);
  }
  return { id: session.id, offsetMs: session.offsetMs, steps, deleted: session.endReason === 'delete', listens: session.listened,
    handshakeFirst: session.kind === 'unknown-session' && !steps.some((s) => s.message.method === 'initialize'),
  };
}

/** Every copy of every session, by start time. */
export function replayCopies(recording: Recording, opts: ReplayOptions = {}): ReplayCopy[] {
  const speed = opts.speed ?? 1;
  const scale = opts.scale ?? 1;
  const varyMs = (opts.varyS ?? 0) * 1000;
  const rng = createRng(opts.seed ?? 1);
  const templates = recording.sessions.map(sessionTemplate).filter((t) => t.steps.length > 0);
  const first = Math.min(...templates.map((t) => t.offsetMs));
  const copies: ReplayCopy[] = [];
  for (let c = 0; c < scale; c++) {
    for (const template of templates) {
      copies.push({ template, startMs: (template.offsetMs - first) / speed + (varyMs > 0 ? rng() * varyMs : 0) });
    }
  }
  return copies.sort((a, b) => a.startMs - b.startMs);
}

/** What a reply looks like, for comparing with the recorded one: `error`, or `result` with isError and content types. */
export function replyShape(reply: { result?: unknown; error?: unknown } | undefined): string {
  if (reply === undefined) return 'none';
  if (reply.error !== undefined) return 'error';
  const result = reply.result as { isError?: unknown; content?: unknown; contents?: unknown; messages?: unknown } | undefined;
  const parts = ['result'];
  if (result?.isError === true) parts.push('isError');
  if (Array.isArray(result?.content)) parts.push(`content=${result.content.map((c: { type?: unknown }) => String(c?.type)).join(',')}`);
  return parts.join(' ');
}

function outcomeShape(outcome: RpcOutcome): string {
  if (outcome.ok) return replyShape({ result: outcome.result });
  // A tool's isError arrives as a `tool` error with the result gone: it is still a result.
  if (outcome.error.kind === 'tool') return 'result isError';
  return 'error';
}

/** A tool's isError reply reaches the scenario without its content: only "result isError" is compared then. */
function sameShape(outcome: RpcOutcome, expected: string): boolean {
  const got = outcomeShape(outcome);
  if (!outcome.ok && outcome.error.kind === 'tool') return expected.startsWith(got);
  return got === expected;
}

/** Strips what differs between the recording and a replayed server's question (its ids, the related task). */
function questionKey(method: string, params: unknown): string {
  const { _meta: _ignored, ...rest } = (params ?? {}) as Record<string, unknown>;
  return `${method} ${JSON.stringify(rest)}`;
}

/** Answers to the server's questions from the recording: the reply given to the same question, else the first one of that kind. */
export function recordedReplies(recording: Recording): ServerRequestReplies {
  const exact = new Map<string, object>();
  const first = new Map<string, object>();
  const keep = (method: unknown, params: unknown, result: unknown) => {
    if (typeof method !== 'string' || typeof result !== 'object' || result === null) return;
    exact.set(questionKey(method, params), result);
    if (!first.has(method)) first.set(method, result);
  };
  for (const session of recording.sessions) {
    // A question as a request of the server's, answered by a response of the client's.
    const questions = new Map<string, JsonRpcMessage>();
    // 2026-07-28: questions inside an input_required result, answered in the request's next round.
    let inputRequests: Record<string, { method?: unknown; params?: unknown }> = {};
    for (const { direction, message } of session.messages) {
      if (direction === 'server->client') {
        if (isRequest(message)) questions.set(JSON.stringify(message.id), message);
        const asked = (message.result as { resultType?: unknown; inputRequests?: unknown } | undefined);
        if (asked?.resultType === 'input_required' && typeof asked.inputRequests === 'object' && asked.inputRequests !== null) {
          inputRequests = asked.inputRequests as typeof inputRequests;
        }
        continue;
      }
      if (isResponse(message)) {
        const question = questions.get(JSON.stringify(message.id));
        if (question !== undefined) keep(question.method, question.params, message.result);
      } else if (isInputRound(message)) {
        for (const [key, answer] of Object.entries((message.params as { inputResponses: Record<string, unknown> }).inputResponses)) {
          const question = inputRequests[key];
          if (question !== undefined) keep(question.method, question.params, answer);
        }
      }
    }
  }
  const answer = (method: string) => (params: unknown): object => structuredClone(exact.get(questionKey(method, params)) ?? first.get(method)!);
  const replies: ServerRequestReplies = {};
  if (first.has('sampling/createMessage')) replies.sampling = answer('sampling/createMessage');
  if (first.has('elicitation/create')) replies.elicitation = answer('elicitation/create');
  if (first.has('roots/list')) replies.roots = () => structuredClone(first.get('roots/list')!);
  return replies;
}

/** The replay's counts: copies started and finished, and replies whose shape differed from the recording. */
export class ReplayTally implements ScenarioFigures {
  started = 0;
  finished = 0;
  mismatches = 0;
  constructor(readonly copies: number, readonly sessions: number) {}
  read(): Record<string, number> {
    return { replayCopiesStarted: this.started, replayCopiesFinished: this.finished, replyShapeMismatches: this.mismatches };
  }
  adopt(merged: Readonly<Record<string, number>>): void {
    this.started = merged.replayCopiesStarted ?? 0;
    this.finished = merged.replayCopiesFinished ?? 0;
    this.mismatches = merged.replyShapeMismatches ?? 0;
  }
  describe(): string {
    const copies = `replay: ${this.sessions} recorded session(s), ${this.copies} cop${this.copies === 1 ? 'y' : 'ies'}`;
    // Before the run: what will be played; after it: what was.
    if (this.started === 0 && this.finished === 0) return `${copies}, each started at its recorded time`;
    return `${copies}; ` +
      `${this.started} started, ${this.finished} finished; ${this.mismatches} repl${this.mismatches === 1 ? 'y' : 'ies'} shaped unlike the recording`;
  }
}

function send(user: VirtualUser, message: JsonRpcMessage, opts: RpcOptions): Promise<RpcOutcome> {
  const method = message.method as string;
  const params = (message.params ?? undefined) as Record<string, any> | undefined;
  switch (method) {
    case 'tools/call': {
      const progress = params?._meta?.progressToken !== undefined;
      return user.mcp.callTool(String(params?.name), params?.arguments as Record<string, unknown> | undefined, { ...opts, progress });
    }
    case 'resources/read':
      return user.mcp.readResource(String(params?.uri), opts);
    case 'prompts/get':
      return user.mcp.getPrompt(String(params?.name), params?.arguments as Record<string, string> | undefined, opts);
    default:
      return user.mcp.request(method, params, opts);
  }
}

/** Opens a copy's GET stream with the session's headers (Streamable HTTP only); kept in `user.data` to be closed. */
async function listen(user: VirtualUser, env: ScenarioEnv, replies: ServerRequestReplies): Promise<void> {
  const sessionId = user.mcp.sessionId;
  if (env.mcpConnector !== undefined || sessionId === undefined) return;
  const stream = new ServerStream({
    dispatcher: env.dispatcher, url: env.mcpUrl, recorder: user.recorder, replies, timeoutMs: env.timeoutMs,
    headers: {
      ...env.headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': user.mcp.negotiatedProtocolVersion,
      ...(user.mcp.authorization !== undefined ? { authorization: user.mcp.authorization } : {}),
    },
  });
  user.data.replayStream = stream;
  await stream.open();
}

async function stopListening(user: VirtualUser): Promise<void> {
  const stream = user.data.replayStream as ServerStream | undefined;
  user.data.replayStream = undefined;
  await stream?.close();
}

/** Where a copy is played: the run's target and the recorded answers to the server's questions. */
export interface ReplayContext {
  env: ScenarioEnv;
  replies: ServerRequestReplies;
  speed: number;
  tally: ReplayTally;
}

/** Plays one copy of a session on `user`'s client; false when it was cut (stop, failed handshake). */
export async function playSession(user: VirtualUser, template: SessionTemplate, ctx: ReplayContext): Promise<boolean> {
  const { speed, tally } = ctx;
  if (template.handshakeFirst) {
    if (!(await user.mcp.initialize())) return false;
    if (template.listens) await listen(user, ctx.env, ctx.replies);
  }
  for (const step of template.steps) {
    if (step.thinkMs > 0 && !(await abortableSleep(step.thinkMs / speed, user.signal))) return false;
    if (user.signal.aborted) return false;
    const m = step.message;
    if (m.method === 'initialize') {
      if (!(await user.mcp.initialize())) return false;
      if (template.listens) await listen(user, ctx.env, ctx.replies);
      continue;
    }
    // initialize() sent it already, as part of the handshake.
    if (m.method === 'notifications/initialized') continue;
    if (isNotification(m)) {
      await user.mcp.notify(m.method as string, (m.params ?? undefined) as object | undefined);
      continue;
    }
    const expected = step.reply === undefined ? undefined : replyShape(step.reply as { result?: unknown; error?: unknown });
    const validate = expected === undefined ? undefined : (result: unknown) => {
      const got = replyShape({ result });
      return got === expected ? undefined : `reply shape ${got}, recorded ${expected}`;
    };
    const outcome = await send(user, m, validate === undefined ? {} : { validate });
    if (expected !== undefined && !user.signal.aborted && !sameShape(outcome, expected)) tally.mismatches++;
  }
  await stopListening(user);
  if (template.deleted) await user.mcp.close();
  return true;
}

/** The replay as a scenario: one user per copy, the run ending once every copy is done. */
export function buildReplayScenario(recording: Recording, env: ScenarioEnv, opts: ReplayOptions = {}): Scenario {
  const speed = opts.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`--replay-speed must be a number > 0, got ${String(opts.speed)}`);
  const scale = opts.scale ?? 1;
  if (!Number.isSafeInteger(scale) || scale < 1) throw new Error(`--replay-scale must be a whole number >= 1, got ${String(opts.scale)}`);
  const varyS = opts.varyS ?? 0;
  if (!(varyS >= 0) || !Number.isFinite(varyS)) throw new Error(`--replay-vary must be a number of seconds >= 0, got ${String(opts.varyS)}`);
  const copies = replayCopies(recording, { ...opts, speed, scale, varyS });
  if (copies.length === 0) throw new Error('the recording holds no session with a client message to replay');
  const tally = new ReplayTally(copies.length, copies.length / scale);
  const replies = recordedReplies(recording);
  const ctx: ReplayContext = { env, replies, speed, tally };
  let next = 0;
  /** Copies whose play is over, finished or cut short (a failed handshake: its row says why). */
  let ended = 0;
  let t0: number | undefined;

  const replayer: UserClass = {
    name: 'Replay',
    tasks: [{
      name: 'replay session',
      async run(user: VirtualUser) {
        const copy = copies[next];
        if (copy === undefined) {
          // Every copy is taken: this user idles until the run ends.
          await new Promise<void>((resolve) => (user.signal.aborted ? resolve() : user.signal.addEventListener('abort', () => resolve(), { once: true })));
          return;
        }
        next++;
        t0 ??= performance.now();
        const wait = t0 + copy.startMs - performance.now();
        if (wait > 0 && !(await abortableSleep(wait, user.signal))) return;
        tally.started++;
        if (await playSession(user, copy.template, ctx)) tally.finished++;
        ended++;
      },
    }],
    onStop: async (user: VirtualUser) => {
      await stopListening(user);
      await user.mcp.close();
    },
  };
  const notes: string[] = [];
  // Printed again after the summary: by then this line holds the counts.
  Object.defineProperty(notes, 0, { get: () => tally.describe(), enumerable: true });
  return {
    name: 'replay',
    description: `replay of ${tally.sessions} recorded session(s) × ${scale}`,
    userClasses: [replayer],
    serverRequests: replies,
    figures: tally,
    notes,
    // One user per copy, all spawned at once; each waits for its own start. The run ends when all are done.
    shape: () => (ended >= copies.length ? null : { users: copies.length, spawnRate: Math.max(copies.length, 100) }),
  };
}

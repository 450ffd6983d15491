/**
 * `run --replay traffic.jsonl`: a recording (src/protocol/recording.ts)
 * becomes the load. Each recorded session is a template; `--replay-scale N`
 * makes N copies of each, and every copy is one virtual user that:
 *
 * - waits for its start: the session's recorded offset divided by
 *   `--replay-speed`, plus a seeded random spread of up to
 *   `--replay-vary` seconds per copy (an open model on recorded times: a
 *   copy starts on its time, whatever the others are doing);
 *   or, with `--replay-rate R`, the sessions are started R per second in
 *   recorded order, round-robin, by the engine's open model (a pool of
 *   `--max-users` users; a start that finds none free is a dropped
 *   iteration) until the run's time is up;
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
 * counted (`replyShapeMismatches`). A reply that is an error where the
 * recording has one too (a JSON-RPC error, or a tool's isError) is the
 * answer the recording expects: a passed check, not a failure, counted on
 * its own (`errorsAsRecorded`). Once every copy is done the run ends.
 */
import { abortableSleep } from '../engine/sleep.js';
import type { RecordedSession, Recording, JsonRpcMessage } from '../protocol/recording.js';
import type { ExpectedError, RpcOutcome, RpcOptions } from '../transports/mcp-client.js';
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
  /** Sessions started per second, in recorded order round-robin, instead of copies on recorded times (not with `scale`/`varyS`). */
  rate?: number;
  /** What is played, for the run's header: the file's name. */
  source?: string;
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
  /** The recorded session's length (ms, at speed 1): its last message's time. */
  durationMs: number;
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
    durationMs: session.messages.at(-1)?.t ?? 0,
  };
}

/** The sessions with a client message to replay, in recorded order. */
export function playableSessions(recording: Recording): SessionTemplate[] {
  return recording.sessions.map(sessionTemplate).filter((t) => t.steps.length > 0).sort((a, b) => a.offsetMs - b.offsetMs);
}

/** How long the copies take, start of the first to the recorded end of the last (ms). */
export function replaySpanMs(copies: readonly ReplayCopy[], speed: number): number {
  return Math.max(0, ...copies.map((c) => c.startMs + c.template.durationMs / speed));
}

/** Every copy of every session, by start time. */
export function replayCopies(recording: Recording, opts: ReplayOptions = {}): ReplayCopy[] {
  const speed = opts.speed ?? 1;
  const scale = opts.scale ?? 1;
  const varyMs = (opts.varyS ?? 0) * 1000;
  const rng = createRng(opts.seed ?? 1);
  const templates = playableSessions(recording);
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

/**
 * The error the recording holds as the answer, if any: a JSON-RPC error,
 * or a tool's isError (tools/call only: other methods have no tool errors).
 */
export function expectedError(method: string, expected: string | undefined): ExpectedError | undefined {
  if (expected === 'error') return 'jsonrpc';
  if (method === 'tools/call' && expected?.startsWith('result isError') === true) return 'tool';
  return undefined;
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

/** How a replay is paced: copies on the recorded start times, or sessions at a rate. */
export type ReplayPace = { kind: 'copies'; copies: number; scale: number } | { kind: 'rate'; rate: number };

/**
 * The replay's counts: sessions started and finished, replies whose shape
 * differed from the recording, and errors that were answered as recorded.
 */
export class ReplayTally implements ScenarioFigures {
  started = 0;
  finished = 0;
  mismatches = 0;
  /** Replies that were errors where the recording has an error too: the expected answer, not a failure. */
  errorsAsRecorded = 0;
  /** Rate mode: sessions due that found no free user (the open model's dropped iterations), known at the stop. */
  dropped: number | undefined;
  constructor(readonly pace: ReplayPace, readonly sessions: number) {}
  read(): Record<string, number> {
    return {
      replayCopiesStarted: this.started, replayCopiesFinished: this.finished, replyShapeMismatches: this.mismatches,
      replyErrorsAsRecorded: this.errorsAsRecorded,
      ...(this.pace.kind === 'rate' ? { replaySessionsNotStarted: this.dropped ?? 0 } : {}),
    };
  }
  adopt(merged: Readonly<Record<string, number>>): void {
    this.started = merged.replayCopiesStarted ?? 0;
    this.finished = merged.replayCopiesFinished ?? 0;
    this.mismatches = merged.replyShapeMismatches ?? 0;
    this.errorsAsRecorded = merged.replyErrorsAsRecorded ?? 0;
    if (merged.replaySessionsNotStarted !== undefined) this.dropped = merged.replaySessionsNotStarted;
  }
  /**
   * Rate mode: sessions started per second over the time they were due. The
   * rate is constant, so the sessions due (started + not started) span
   * due / rate seconds.
   */
  achievedRate(): number | undefined {
    if (this.pace.kind !== 'rate' || this.dropped === undefined) return undefined;
    const due = this.started + this.dropped;
    return due > 0 ? this.pace.rate * this.started / due : undefined;
  }
  describe(): string {
    const pace = this.pace;
    const what = pace.kind === 'copies'
      ? `replay: ${this.sessions} recorded session(s), ${pace.copies} cop${pace.copies === 1 ? 'y' : 'ies'}`
      : `replay: ${this.sessions} recorded session(s) in turn at ${round(pace.rate)} sessions/s (target)`;
    // Before the run: what will be played; after it: what was.
    if (this.started === 0 && this.finished === 0 && this.dropped === undefined) {
      return pace.kind === 'copies' ? `${what}, each started at its recorded time` : what;
    }
    const achieved = this.achievedRate();
    const started = pace.kind === 'copies'
      ? `${this.started} started`
      : `${this.started} started (${achieved === undefined ? 'n/a' : round(achieved)} sessions/s achieved), ` +
        `${this.dropped ?? 0} could not start on time (no free user: see --max-users)`;
    const errors = this.errorsAsRecorded > 0
      ? `; ${this.errorsAsRecorded} repl${this.errorsAsRecorded === 1 ? 'y was an error' : 'ies were errors'} as recorded (expected, not failures)`
      : '';
    return `${what}; ${started}, ${this.finished} finished; ` +
      `${this.mismatches} repl${this.mismatches === 1 ? 'y' : 'ies'} shaped unlike the recording${errors}`;
  }
}

function round(n: number): string {
  return String(Math.round(n * 100) / 100);
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
    const expectError = expectedError(String(m.method), expected);
    const validate = expected === undefined || expectError !== undefined ? undefined : (result: unknown) => {
      const got = replyShape({ result });
      return got === expected ? undefined : `reply shape ${got}, recorded ${expected}`;
    };
    const outcome = await send(user, m, expectError !== undefined ? { expectError } : validate === undefined ? {} : { validate });
    if (expected === undefined || user.signal.aborted) continue;
    if (expectError !== undefined) {
      // The transport judged it: the recorded kind of error is the answer; a result or another error is not.
      if (!outcome.ok && outcome.expected === true) tally.errorsAsRecorded++;
      else tally.mismatches++;
    } else if (!sameShape(outcome, expected)) {
      tally.mismatches++;
    }
  }
  await stopListening(user);
  if (template.deleted) await user.mcp.close();
  return true;
}

/** The wait after a user's copy: longer than any run, and cut short by the stop. */
const IDLE_AFTER_COPY_MS = 2 ** 30;

/** The replay as a scenario: one user per copy, the run ending once every copy is done; or sessions at a rate until the run's end. */
export function buildReplayScenario(recording: Recording, env: ScenarioEnv, opts: ReplayOptions = {}): Scenario {
  const speed = opts.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`--replay-speed must be a number > 0, got ${String(opts.speed)}`);
  const scale = opts.scale ?? 1;
  if (!Number.isSafeInteger(scale) || scale < 1) throw new Error(`--replay-scale must be a whole number >= 1, got ${String(opts.scale)}`);
  const varyS = opts.varyS ?? 0;
  if (!(varyS >= 0) || !Number.isFinite(varyS)) throw new Error(`--replay-vary must be a number of seconds >= 0, got ${String(opts.varyS)}`);
  if (opts.rate !== undefined) {
    if (!(opts.rate > 0) || !Number.isFinite(opts.rate)) throw new Error(`--replay-rate must be a number of sessions per second > 0, got ${String(opts.rate)}`);
    if (scale !== 1) throw new Error('--replay-rate and --replay-scale are two ways to set the load: give one of them');
    if (varyS !== 0) throw new Error('--replay-vary spreads copies around their recorded start times; with --replay-rate the rate sets the starts: leave it out');
  }
  const templates = playableSessions(recording);
  if (templates.length === 0) throw new Error('the recording holds no session with a client message to replay');
  const replies = recordedReplies(recording);
  const source = opts.source ?? 'the recording';
  const sessionsText = `${templates.length} session${templates.length === 1 ? '' : 's'}`;
  const userClass = (run: (user: VirtualUser) => Promise<void>, wait?: () => number): UserClass => ({
    name: 'Replay',
    tasks: [{ name: 'replay session', run }],
    ...(wait !== undefined ? { wait } : {}),
    onStop: async (user: VirtualUser) => {
      await stopListening(user);
      await user.mcp.close();
    },
  });
  const notesOf = (tally: ReplayTally): string[] => {
    const notes: string[] = [];
    // Printed again after the summary: by then this line holds the counts.
    Object.defineProperty(notes, 0, { get: () => tally.describe(), enumerable: true });
    return notes;
  };

  if (opts.rate !== undefined) {
    const rate = opts.rate;
    const tally = new ReplayTally({ kind: 'rate', rate }, templates.length);
    const ctx: ReplayContext = { env, replies, speed, tally };
    let next = 0;
    return {
      name: 'replay',
      description: `replay of ${templates.length} recorded session(s) at ${rate} sessions/s`,
      loadDescription: (maxUsers) => `replay of ${source}: ${sessionsText} in recorded order, round-robin, at ${rate} sessions/s ` +
        `(open model, at most ${maxUsers} at once), speed ${speed}×`,
      userClasses: [userClass(async (user) => {
        const template = templates[next++ % templates.length]!;
        tally.started++;
        if (await playSession(user, template, ctx)) tally.finished++;
      })],
      serverRequests: replies,
      figures: tally,
      notes: notesOf(tally),
      events: {
        testStop: (event) => {
          tally.dropped = event.droppedIterations ?? 0;
        },
      },
      // Every tick asks for the same rate: the engine's open model starts the sessions until the run's time is up.
      shape: () => ({ rate }),
    };
  }

  const copies = replayCopies(recording, { ...opts, speed, scale, varyS });
  const tally = new ReplayTally({ kind: 'copies', copies: copies.length, scale }, templates.length);
  const ctx: ReplayContext = { env, replies, speed, tally };
  let next = 0;
  /** Copies whose play is over, finished or cut short (a failed handshake: its row says why). */
  let ended = 0;
  let t0: number | undefined;
  const spanS = Math.round(replaySpanMs(copies, speed) / 100) / 10;
  return {
    name: 'replay',
    description: `replay of ${templates.length} recorded session(s) × ${scale}`,
    loadDescription: () => `replay of ${source}: ${sessionsText} × ${scale} cop${scale === 1 ? 'y' : 'ies'} on the recorded start times` +
      `${varyS > 0 ? ` (each up to ${varyS} s later)` : ''}, speed ${speed}×, over ~${spanS} s as recorded, ending when every copy is done`,
    userClasses: [userClass(async (user) => {
      const copy = copies[next];
      // Every copy is taken (a user plays one): nothing to do.
      if (copy === undefined) return;
      next++;
      t0 ??= performance.now();
      const wait = t0 + copy.startMs - performance.now();
      if (wait > 0 && !(await abortableSleep(wait, user.signal))) return;
      tally.started++;
      if (await playSession(user, copy.template, ctx)) tally.finished++;
      ended++;
      // After its copy a user idles in the wait between tasks, which the stop ends at once (a task would get --stop-timeout).
    }, () => IDLE_AFTER_COPY_MS)],
    serverRequests: replies,
    figures: tally,
    notes: notesOf(tally),
    // One user per copy, all spawned at once; each waits for its own start. The run ends when all are done.
    shape: () => (ended >= copies.length ? null : { users: copies.length, spawnRate: Math.max(copies.length, 100) }),
  };
}

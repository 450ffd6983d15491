/**
 * `run --replay FILE`: the recording read from disk (one line of error,
 * exit 2, for a missing or malformed file), the scenario built from it, and
 * the protocol version the recorded client spoke, offered again unless
 * --protocol-version says otherwise.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseRecording, type Recording } from '../protocol/recording.js';
import type { Scenario, ScenarioEnv } from '../scenarios/api.js';
import { buildReplayScenario } from '../scenarios/replay.js';
import { RunSetupError } from './run-setup-error.js';

/** What `--replay` and its companions said. */
export interface ReplaySelection {
  file: string;
  speed: number;
  scale: number;
  varyS: number;
  /** --replay-rate: sessions per second, instead of copies on the recorded times. */
  rate?: number;
}

export async function readRecordingFile(file: string): Promise<Recording> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new RunSetupError(`--replay ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  try {
    return parseRecording(text);
  } catch (err) {
    throw new RunSetupError(`--replay ${file}: ${(err as Error).message}`);
  }
}

/** The version in the recording's first handshake, if any. */
export function recordedProtocolVersion(recording: Recording): string | undefined {
  for (const session of recording.sessions) {
    for (const { direction, message } of session.messages) {
      if (direction !== 'client->server' || message.method !== 'initialize') continue;
      const version = (message.params as { protocolVersion?: unknown } | undefined)?.protocolVersion;
      if (typeof version === 'string') return version;
    }
  }
  return undefined;
}

/** The run's options with the recorded protocol version when none was asked for. */
export async function withRecordedProtocol<T extends { replay?: ReplaySelection; protocolVersion?: string }>(opts: T): Promise<T> {
  if (opts.replay === undefined || opts.protocolVersion !== undefined) return opts;
  const version = recordedProtocolVersion(await readRecordingFile(opts.replay.file));
  return version === undefined ? opts : { ...opts, protocolVersion: version };
}

export async function loadReplayScenario(replay: ReplaySelection, env: ScenarioEnv, seed: number | undefined): Promise<Scenario> {
  const recording = await readRecordingFile(replay.file);
  try {
    return buildReplayScenario(recording, env, {
      speed: replay.speed, scale: replay.scale, varyS: replay.varyS, seed, source: path.basename(replay.file), ...(replay.rate !== undefined ? { rate: replay.rate } : {}),
    });
  } catch (err) {
    throw new RunSetupError(`--replay ${replay.file}: ${(err as Error).message}`);
  }
}

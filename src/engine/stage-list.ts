/**
 * The `DURATION:VALUE,...` lists that k6's stages use, read once for both
 * `--stages` (arrival rates) and `--user-stages` (user counts).
 */
import { EngineConfigError } from './distribution.js';

export interface StageListSpec {
  /** The flag, for the empty-list message. */
  flag: string;
  /** What one item is called in messages ("stage", "user stage"). */
  item: string;
  /** What the value counts ("RATE", "USERS"). */
  valueName: string;
  example: string;
  /** Whole numbers only (user counts). */
  whole: boolean;
}

const ITEM = /^\s*(\d+(?:\.\d+)?)(ms|s|m|h)?\s*:\s*(\d+(?:\.\d+)?)\s*$/;
const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Durations take ms/s/m/h (bare numbers are seconds). */
export function parseStageList(text: string, spec: StageListSpec): Array<{ durationS: number; value: number }> {
  const parts = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (parts.length === 0) throw new EngineConfigError(`${spec.flag} is empty (example: "${spec.example}")`);
  return parts.map((part) => {
    const m = ITEM.exec(part);
    const value = Number(m?.[3]);
    if (!m || (spec.whole && !Number.isInteger(value))) {
      const whole = spec.whole ? ` with a whole number of ${spec.valueName.toLowerCase()}` : '';
      throw new EngineConfigError(`${spec.item} "${part}" is not DURATION:${spec.valueName}${whole} (example: "${spec.example}")`);
    }
    const durationS = Number(m[1]) * (UNIT_S[m[2] ?? 's'] ?? 1);
    if (!(durationS > 0)) throw new EngineConfigError(`${spec.item} "${part}" has no duration`);
    if (!Number.isSafeInteger(Math.ceil(value))) throw new EngineConfigError(`${spec.item} "${part}": the number is too large`);
    return { durationS, value };
  });
}

/** Prometheus' view of a run (a TestRun, or a master's merged workers) (reporters/prometheus.ts reads runs through it), for the headless and web UI modes. */
import type { MetricsSource } from '../reporters/prometheus.js';
import type { LiveRun } from './live-run.js';

export function metricsSourceOf(current: () => LiveRun | null): MetricsSource {
  return {
    current: () => {
      const run = current();
      if (!run) return null;
      return {
        state: run.state, userCount: run.userCount, targetUsers: run.targetUsers, thresholds: run.config.thresholds,
        snapshot: (o: { history: false }) => run.snapshot(o),
      };
    },
  };
}

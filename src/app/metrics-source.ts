/** Prometheus' view of a TestRun (reporters/prometheus.ts reads runs through it), for the headless and web UI modes. */
import type { MetricsSource } from '../reporters/prometheus.js';
import type { TestRun } from './test-run.js';

export function metricsSourceOf(current: () => TestRun | null): MetricsSource {
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

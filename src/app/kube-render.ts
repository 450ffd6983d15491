/**
 * `mcpload kube render`: the manifests of a distributed run as
 * multi-document YAML for `kubectl apply -f -`. Reads the scenario file
 * (its bytes go into the ConfigMap unchanged) and makes the master token.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Document } from 'yaml';
import { VERSION } from '../version.js';
import { kubeObjects, type KubeDeployment, type KubeScenario, type KubeSecret } from './kube-manifests.js';
import { RunSetupError } from './run-setup-error.js';

/** The scenario names `mcpload run` knows without a file (src/app/scenario-setup.ts). */
const BUILT_IN_SCENARIOS = ['classic', 'discover', 'churn', 'leak-flood'];
/** The API server refuses a ConfigMap over 1 MiB. */
const CONFIG_MAP_LIMIT = 1024 * 1024;
/** What a ConfigMap key may be; the key is the file's name in the pod. */
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

export interface KubeRenderRequest extends Pick<KubeDeployment, 'name' | 'namespace' | 'image' | 'workers' | 'cpu' | 'memory' | 'masterFlags' | 'reportsClaim'> {
  /** A built-in scenario name or a file path, as given to `run`. */
  scenario?: string;
  /** Use this existing Secret instead of rendering one. */
  tokenSecret?: string;
  /** Target credentials given on the command line, by the variable the pods read them from. */
  credentials: Readonly<Record<string, string>>;
}

/** The key the scenario file has in the ConfigMap: its own name when Kubernetes allows it, else `scenario.<ext>`. */
function configMapKey(file: string): string {
  const base = path.basename(file);
  if (CONFIG_MAP_KEY.test(base) && base !== '.' && base !== '..') return base;
  const ext = path.extname(base);
  return `scenario${CONFIG_MAP_KEY.test(ext) ? ext : ''}`;
}

function scenarioFor(scenario: string | undefined): KubeScenario | undefined {
  if (scenario === undefined) return undefined;
  if (BUILT_IN_SCENARIOS.includes(scenario)) return { kind: 'builtin', name: scenario };
  let size: number;
  try {
    const stat = statSync(scenario);
    if (!stat.isFile()) throw new RunSetupError(`scenario ${scenario} is not a file`);
    size = stat.size;
  } catch (err) {
    if (err instanceof RunSetupError) throw err;
    throw new RunSetupError(`scenario file ${scenario} not found (built-in scenarios: ${BUILT_IN_SCENARIOS.join(', ')})`);
  }
  if (size > CONFIG_MAP_LIMIT) throw new RunSetupError(`scenario file ${scenario} is ${size} bytes; a ConfigMap holds at most ${CONFIG_MAP_LIMIT}`);
  return { kind: 'file', key: configMapKey(scenario), bytes: readFileSync(scenario) };
}

function secretFor(req: KubeRenderRequest): KubeSecret {
  if (req.tokenSecret === undefined) {
    // 32 random bytes: the workers' only proof that they belong to this run.
    return { kind: 'generated', masterToken: randomBytes(32).toString('base64url'), credentials: req.credentials };
  }
  const given = Object.keys(req.credentials);
  if (given.length > 0) {
    throw new RunSetupError(`with --token-secret ${req.tokenSecret}, put the credentials in that Secret (keys ${given.join(', ')}), not on the command line`);
  }
  return { kind: 'referenced', name: req.tokenSecret };
}

export function kubeDeploymentFor(req: KubeRenderRequest): KubeDeployment {
  const scenario = scenarioFor(req.scenario);
  return {
    name: req.name, image: req.image, workers: req.workers, cpu: req.cpu, memory: req.memory, masterFlags: req.masterFlags,
    secret: secretFor(req),
    ...(req.namespace === undefined ? {} : { namespace: req.namespace }),
    ...(scenario === undefined ? {} : { scenario }),
    ...(req.reportsClaim === undefined ? {} : { reportsClaim: req.reportsClaim }),
  };
}

/**
 * The objects as YAML documents. Written as YAML 1.1, the YAML kubectl reads:
 * there `yes`, `on`, `no` are booleans and `10:30` a number, so a string
 * like them (`--tags no`) is quoted. No line folding: each arg on one line.
 */
export function kubeYaml(deployment: KubeDeployment): string {
  const header = `# mcpload ${VERSION}: a master Job, its Service and ${deployment.workers} workers (Indexed Job).\n`
    + '# Apply with: kubectl apply -f -   Result: kubectl logs -f job/' + `${deployment.name}-master\n`;
  return header + kubeObjects(deployment).map((object) => new Document(object, { version: '1.1' }).toString({ lineWidth: 0 })).join('---\n');
}

export function renderKube(req: KubeRenderRequest): string {
  return kubeYaml(kubeDeploymentFor(req));
}

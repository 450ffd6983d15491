/**
 * The Kubernetes objects of a distributed run, as plain objects: the master
 * as a Job behind a Service, the workers as an Indexed Job (each pod gets
 * JOB_COMPLETION_INDEX, its share of the load), the scenario in a
 * ConfigMap, the master token and target credentials in a Secret. No I/O:
 * kube-render.ts reads the scenario and writes the YAML.
 */

/** The port the master listens on for its workers (Locust's 5557). */
export const MASTER_PORT = 5557;
/** Where the scenario ConfigMap is mounted in every pod. */
export const SCENARIO_DIR = '/scenario';
/** The working folder of every pod: relative report paths (--csv out/run) land in this volume. */
export const REPORTS_DIR = '/reports';
/** The uid:gid of the image's user (the node image's `node`); numeric, so the kubelet can check runAsNonRoot. */
export const RUN_AS_USER = 1000;
/** The env variable the master and its workers read the shared token from. */
export const MASTER_TOKEN_ENV = 'MCPLOAD_MASTER_TOKEN';

export type KubeObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels: Record<string, string> } };

/** The scenario the pods run: a file (its bytes go into the ConfigMap) or a built-in name. */
export type KubeScenario =
  | { kind: 'file'; key: string; bytes: Uint8Array }
  | { kind: 'builtin'; name: string };

/** The Secret: rendered with a token made now (and any credentials given), or one the user made. */
export type KubeSecret =
  | { kind: 'generated'; masterToken: string; credentials: Readonly<Record<string, string>> }
  | { kind: 'referenced'; name: string };

export interface KubeDeployment {
  /** Prefix of every object's name. */
  name: string;
  namespace?: string;
  image: string;
  workers: number;
  cpu: string;
  memory: string;
  /** `mcpload run` flags for the master (load, verdict, reports...), without the scenario and the master flags. */
  masterFlags: readonly string[];
  scenario?: KubeScenario;
  secret: KubeSecret;
  /** A PersistentVolumeClaim for the master's reports; an emptyDir (gone with the pod) when absent. */
  reportsClaim?: string;
}

function labels(d: KubeDeployment, component?: 'master' | 'worker'): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'mcpload',
    'app.kubernetes.io/instance': d.name,
    ...(component === undefined ? {} : { 'app.kubernetes.io/component': component }),
  };
}

function metadata(d: KubeDeployment, name: string, component?: 'master' | 'worker'): KubeObject['metadata'] {
  return { name, ...(d.namespace === undefined ? {} : { namespace: d.namespace }), labels: labels(d, component) };
}

export function secretName(d: KubeDeployment): string {
  return d.secret.kind === 'referenced' ? d.secret.name : `${d.name}-secret`;
}

export function masterServiceName(d: KubeDeployment): string {
  return `${d.name}-master`;
}

function scenarioConfigMapName(d: KubeDeployment): string {
  return `${d.name}-scenario`;
}

/** The scenario as `mcpload run` names it inside the pod. */
function scenarioArgs(d: KubeDeployment): string[] {
  if (d.scenario === undefined) return [];
  return [d.scenario.kind === 'file' ? `${SCENARIO_DIR}/${d.scenario.key}` : d.scenario.name];
}

export function masterArgs(d: KubeDeployment): string[] {
  return [
    'run', '--master', '--expect-workers', String(d.workers),
    '--master-bind-host', '0.0.0.0', '--master-bind-port', String(MASTER_PORT), '--headless',
    ...d.masterFlags, ...scenarioArgs(d),
  ];
}

/** Workers take the load settings from the master; they need where it is and the scenario (its hash is checked). */
export function workerArgs(d: KubeDeployment): string[] {
  return ['run', '--worker', '--master-host', masterServiceName(d), '--master-port', String(MASTER_PORT), ...scenarioArgs(d)];
}

function container(d: KubeDeployment, args: string[], withScenario: boolean): Record<string, unknown> {
  return {
    name: 'mcpload',
    image: d.image,
    imagePullPolicy: 'IfNotPresent',
    args,
    workingDir: REPORTS_DIR,
    env: [
      { name: MASTER_TOKEN_ENV, valueFrom: { secretKeyRef: { name: secretName(d), key: MASTER_TOKEN_ENV } } },
      // tsx and npm write their caches under HOME; the root filesystem is read-only.
      { name: 'HOME', value: '/tmp' },
    ],
    // Target credentials (MCPLOAD_AUTH_TOKEN, MCPLOAD_HEADER...) are read as the run's settings from the environment.
    envFrom: [{ secretRef: { name: secretName(d) } }],
    resources: {
      requests: { cpu: d.cpu, memory: d.memory },
      // Limits equal to requests: the pod's CPU is guaranteed, so its latencies measure the target, not a squeezed generator.
      limits: { cpu: d.cpu, memory: d.memory },
    },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: RUN_AS_USER,
      runAsGroup: RUN_AS_USER,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'reports', mountPath: REPORTS_DIR },
      ...(withScenario ? [{ name: 'scenario', mountPath: SCENARIO_DIR, readOnly: true }] : []),
    ],
  };
}

/** Workers spread over the nodes where they can be: two generators on one node share its CPU and network. */
function spreadOverNodes(d: KubeDeployment): Record<string, unknown> {
  return { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels(d, 'worker') } };
}

function podTemplate(d: KubeDeployment, component: 'master' | 'worker', args: string[]): Record<string, unknown> {
  const withScenario = d.scenario?.kind === 'file';
  const reports = component === 'master' && d.reportsClaim !== undefined
    ? { name: 'reports', persistentVolumeClaim: { claimName: d.reportsClaim } }
    : { name: 'reports', emptyDir: {} };
  return {
    metadata: { labels: labels(d, component) },
    spec: {
      restartPolicy: 'Never',
      // Service links would put MCPLOAD_MASTER_PORT=tcp://... (from a Service named mcpload-master)
      // into the environment, where mcpload reads it as --master-port.
      enableServiceLinks: false,
      automountServiceAccountToken: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: RUN_AS_USER,
        runAsGroup: RUN_AS_USER,
        fsGroup: RUN_AS_USER,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      ...(component === 'worker' ? { topologySpreadConstraints: [spreadOverNodes(d)] } : {}),
      containers: [container(d, args, withScenario)],
      volumes: [
        { name: 'tmp', emptyDir: {} },
        reports,
        ...(withScenario ? [{ name: 'scenario', configMap: { name: scenarioConfigMapName(d) } }] : []),
      ],
    },
  };
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function secretObject(d: KubeDeployment): KubeObject | undefined {
  if (d.secret.kind !== 'generated') return undefined;
  const data: Record<string, string> = { [MASTER_TOKEN_ENV]: base64(d.secret.masterToken) };
  for (const [name, value] of Object.entries(d.secret.credentials)) data[name] = base64(value);
  return { apiVersion: 'v1', kind: 'Secret', metadata: metadata(d, secretName(d)), type: 'Opaque', data };
}

/** UTF-8 text goes to `data` (readable in the YAML); any other bytes to `binaryData`, unchanged either way. */
function scenarioObject(d: KubeDeployment): KubeObject | undefined {
  if (d.scenario?.kind !== 'file') return undefined;
  const { key, bytes } = d.scenario;
  let text: string | undefined;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    text = undefined;
  }
  const content = text === undefined ? { binaryData: { [key]: Buffer.from(bytes).toString('base64') } } : { data: { [key]: text } };
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(d, scenarioConfigMapName(d)), ...content };
}

/** Every object, in the order `kubectl apply` should meet them (what the pods reference first). */
export function kubeObjects(d: KubeDeployment): KubeObject[] {
  const service: KubeObject = {
    apiVersion: 'v1', kind: 'Service', metadata: metadata(d, masterServiceName(d), 'master'),
    spec: { selector: labels(d, 'master'), ports: [{ name: 'master', port: MASTER_PORT, targetPort: MASTER_PORT, protocol: 'TCP' }] },
  };
  const master: KubeObject = {
    apiVersion: 'batch/v1', kind: 'Job', metadata: metadata(d, `${d.name}-master`, 'master'),
    spec: {
      // A master restarted mid-run is out of scope: one attempt.
      backoffLimit: 0,
      // Kept a day, so `kubectl logs job/...` still shows the summary.
      ttlSecondsAfterFinished: 86_400,
      template: podTemplate(d, 'master', masterArgs(d)),
    },
  };
  const workers: KubeObject = {
    apiVersion: 'batch/v1', kind: 'Job', metadata: metadata(d, `${d.name}-workers`, 'worker'),
    spec: {
      completionMode: 'Indexed',
      completions: d.workers,
      parallelism: d.workers,
      // A worker that started before the master's Service answered may fail once; this lets each be retried about once.
      backoffLimit: d.workers,
      ttlSecondsAfterFinished: 86_400,
      template: podTemplate(d, 'worker', workerArgs(d)),
    },
  };
  return [secretObject(d), scenarioObject(d), service, master, workers].filter((o): o is KubeObject => o !== undefined);
}

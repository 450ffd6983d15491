/**
 * The `mcpload kube` command: `kube render` prints the Kubernetes manifests
 * of a distributed run (a master Job and Service, an Indexed Job of
 * workers, the scenario's ConfigMap, the token's Secret). Options and help
 * only; the manifests are made in src/app/kube-render.ts, loaded when it runs.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { parsePositiveInt } from './load-values.js';

const RENDER_HELP_AFTER = `
Every other flag is a flag of 'mcpload run' (see run --help) and goes to the master's args (long names);
the workers get only the master's address and the scenario. A scenario file is put in a ConfigMap,
byte for byte; a built-in name (classic, discover, churn, leak-flood) is passed as it is.
Secrets never go into args: --auth-token, --header, --oauth-client-secret... go into the Secret, read
by the pods as MCPLOAD_AUTH_TOKEN, MCPLOAD_HEADER...; the master token is made here (random) unless
--token-secret names a Secret of yours (keys MCPLOAD_MASTER_TOKEN and any credentials).

Example:
  mcpload kube render --workers 20 --image example/mcpload:1 --host https://my-server.example \\
    -u 20000 -r 200 -t 10m examples/classic-suite.ts | kubectl apply -f -
  kubectl logs -f job/mcpload-master`;

/** A DNS-1035 label short enough for the "-workers" suffix: Service and Job names derive from it. */
function parseNamePrefix(text: string): string {
  if (!/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/.test(text)) throw new InvalidArgumentError(`"${text}" is not a name prefix: lowercase letters, digits and '-', starting with a letter, at most 40 characters`);
  return text;
}

/** A DNS-1123 label (namespaces, claims) or subdomain (Secrets). */
function parseObjectName(text: string): string {
  if (!/^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$/.test(text)) throw new InvalidArgumentError(`"${text}" is not a Kubernetes name: lowercase letters, digits, '-' and '.'`);
  return text;
}

function parseNamespace(text: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(text)) throw new InvalidArgumentError(`"${text}" is not a namespace: lowercase letters, digits and '-', at most 63 characters`);
  return text;
}

/** A resource quantity: 500m, 2, 1.5, 512Mi, 2Gi. */
function parseQuantity(text: string): string {
  if (!/^\d+(\.\d+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.test(text)) throw new InvalidArgumentError(`"${text}" is not a Kubernetes quantity (e.g. 500m, 2, 512Mi, 2Gi)`);
  return text;
}

function parseImage(text: string): string {
  if (text.trim() === '' || /\s/.test(text)) throw new InvalidArgumentError(`"${text}" is not an image reference`);
  return text;
}

function addRenderCommand(kube: Command): Command {
  const render = kube
    .command('render')
    .description('print the manifests of a distributed run (master Job and Service, Indexed Job of workers, ConfigMap, Secret) for kubectl apply -f -')
    .argument('[run-flags...]', "'mcpload run' flags and the scenario, passed to the master")
    .allowUnknownOption()
    .requiredOption('--workers <n>', 'number of worker pods (the Indexed Job\'s parallelism and completions)', parsePositiveInt)
    .requiredOption('--image <image>', 'the mcpload image (built from the Containerfile)', parseImage)
    .option('--name <prefix>', 'prefix of every object\'s name', parseNamePrefix, 'mcpload')
    .option('--namespace <namespace>', 'namespace of every object (default: kubectl\'s current one)', parseNamespace)
    .option('--cpu <quantity>', 'CPU of each pod, requested and its limit', parseQuantity, '1')
    .option('--memory <quantity>', 'memory of each pod, requested and its limit', parseQuantity, '1Gi')
    .option('--token-secret <name>', 'use this existing Secret (key MCPLOAD_MASTER_TOKEN) instead of rendering one with a new token', parseObjectName)
    .option('--reports-pvc <claim>', 'mount this PersistentVolumeClaim as the master\'s report folder (default: an emptyDir, gone with the pod)', parseObjectName)
    .addHelpText('after', RENDER_HELP_AFTER);
  return render.action(async (runTokens: string[], o) => {
    const { runFlagsForKube } = await import('./kube-run-flags.js');
    const flags = await runFlagsForKube(runTokens);
    const { renderKube } = await import('../app/kube-render.js');
    process.stdout.write(renderKube({
      name: o.name as string, image: o.image as string, workers: o.workers as number, cpu: o.cpu as string, memory: o.memory as string,
      masterFlags: flags.masterFlags, credentials: flags.credentials,
      ...(o.namespace === undefined ? {} : { namespace: o.namespace as string }),
      ...(flags.scenario === undefined ? {} : { scenario: flags.scenario }),
      ...(o.tokenSecret === undefined ? {} : { tokenSecret: o.tokenSecret as string }),
      ...(o.reportsPvc === undefined ? {} : { reportsClaim: o.reportsPvc as string }),
    }));
  });
}

/** Adds `kube` (and its `render`) to `program`. */
export function addKubeCommand(program: Command): Command {
  const kube = program
    .command('kube')
    .description('run mcpload on Kubernetes: print the manifests of a master and N workers (docs/kubernetes.md)');
  addRenderCommand(kube);
  return kube;
}

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadAll } from 'js-yaml';
import { Deployment, IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { IJob, Job } from 'kubernetes-models/batch/v1/Job';
import { IPodDisruptionBudget, PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap, IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { ISecret, Secret } from 'kubernetes-models/v1/Secret';
import { IService, Service } from 'kubernetes-models/v1/Service';
import { API_PREFIX } from '../src/common/http/http-constants';

/**
 * Validates deploy/kubernetes against the Kubernetes OpenAPI schemas (through kubernetes-models) and pins
 * the properties a later edit must not drop: the hardened security context, secrets read from files, the probes.
 */
const FOLDER = path.join(__dirname, '..', 'deploy', 'kubernetes');
const KUSTOMIZATION = 'kustomization.yaml';
const SECRET_EXAMPLE = 'secret.example.yaml';

interface Manifest {
  readonly file: string;
  readonly document: { apiVersion?: string; kind?: string; [field: string]: unknown };
}

const MODELS: Record<string, new (document: object) => { validate(): void }> = {
  'apps/v1 Deployment': Deployment,
  'batch/v1 Job': Job,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
  'v1 ConfigMap': ConfigMap,
  'v1 Secret': Secret,
  'v1 Service': Service,
};

const files = readdirSync(FOLDER)
  .filter((file) => file.endsWith('.yaml'))
  .sort();
const manifests: Manifest[] = files.flatMap((file) =>
  loadAll(readFileSync(path.join(FOLDER, file), 'utf8')).map((document) => ({
    file,
    document: document as Manifest['document'],
  })),
);
const objects = manifests.filter(({ file }) => file !== KUSTOMIZATION);

function only<T>(kind: string): T {
  const found = objects.filter(({ document }) => document.kind === kind);
  expect(found).toHaveLength(1);
  return found[0].document as T;
}

const deployment = only<IDeployment>('Deployment');
const job = only<IJob>('Job');
const service = only<IService>('Service');
const pdb = only<IPodDisruptionBudget>('PodDisruptionBudget');
const secret = only<ISecret>('Secret');
const podSpecs: [string, IPodSpec][] = [
  ['Deployment', deployment.spec!.template.spec!],
  ['Job', job.spec!.template.spec!],
];
const podLabels = deployment.spec!.template.metadata!.labels!;
const containerPorts = deployment.spec!.template.spec!.containers.flatMap((container) => container.ports ?? []);
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  it('holds one object per file, each file opening with a comment', () => {
    for (const file of files) {
      expect({ file, count: manifests.filter((manifest) => manifest.file === file).length }).toEqual({
        file,
        count: 1,
      });
      expect({ file, start: readFileSync(path.join(FOLDER, file), 'utf8').slice(0, 2) }).toEqual({ file, start: '# ' });
    }
  });

  it.each(objects.map(({ file, document }) => [file, document] as const))(
    '%s is valid against the Kubernetes schema',
    (file, document) => {
      const model = MODELS[`${document.apiVersion} ${document.kind}`];
      expect({ file, known: model !== undefined }).toEqual({ file, known: true });
      expect(() => new model(document).validate()).not.toThrow();
    },
  );

  it('fails validation when a field has the wrong type, so the check above can fail', () => {
    const broken = { ...deployment, spec: { ...deployment.spec!, replicas: 'two' as unknown as number } };
    expect(() => new Deployment(broken).validate()).toThrow();
  });

  it('lists every object file in kustomization.yaml except the example Secret', () => {
    const kustomization = manifests.find(({ file }) => file === KUSTOMIZATION)!.document;
    expect(kustomization.kind).toBe('Kustomization');
    expect([...(kustomization.resources as string[])].sort()).toEqual(
      files.filter((file) => file !== KUSTOMIZATION && file !== SECRET_EXAMPLE),
    );
  });

  it('ships only placeholder secret values', () => {
    expect(secret.data).toBeUndefined();
    for (const value of Object.values(secret.stringData!)) expect(value).toBe('REPLACE_ME');
  });

  it.each(podSpecs)('runs the %s unprivileged, on a read-only root filesystem', (_kind, pod) => {
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
    for (const container of pod.containers) {
      const context = container.securityContext ?? {};
      expect({
        container: container.name,
        readOnlyRootFilesystem: context.readOnlyRootFilesystem,
        runAsNonRoot: context.runAsNonRoot ?? pod.securityContext?.runAsNonRoot,
        allowPrivilegeEscalation: context.allowPrivilegeEscalation,
        dropsAll: context.capabilities?.drop?.includes('ALL'),
      }).toEqual({
        container: container.name,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        dropsAll: true,
      });
      // A read-only root leaves nothing writable but this in-memory /tmp.
      const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
      expect(pod.volumes?.find((volume) => volume.name === tmp?.name)?.emptyDir?.medium).toBe('Memory');
    }
  });

  it.each(podSpecs)('points every *_FILE variable of the %s at a key of the mounted Secret', (_kind, pod) => {
    const keys = Object.keys(secret.stringData!);
    for (const container of pod.containers) {
      const fileVariables = (container.env ?? []).filter(({ name }) => name.endsWith('_FILE'));
      expect(fileVariables.length).toBeGreaterThan(0);
      for (const { name, value } of fileVariables) {
        const mount = container.volumeMounts?.find((candidate) => value?.startsWith(`${candidate.mountPath}/`));
        const volume = pod.volumes?.find((candidate) => candidate.name === mount?.name);
        const file = path.posix.relative(mount?.mountPath ?? '/', value ?? '');
        // A volume with items maps file paths to keys; without, each key is a file of its own name.
        const key = volume?.secret?.items ? volume.secret.items.find((item) => item.path === file)?.key : file;
        expect({
          name,
          secret: volume?.secret?.secretName,
          readOnly: mount?.readOnly,
          known: keys.includes(key!),
        }).toEqual({
          name,
          secret: secret.metadata!.name,
          readOnly: true,
          known: true,
        });
      }
    }
  });

  it('gives the server every secret as a file, and no secret as a plain variable', () => {
    const [container] = deployment.spec!.template.spec!.containers;
    const names = (container.env ?? []).map(({ name }) => name);
    for (const variable of [
      'DATABASE_URL',
      'REDIS_URL',
      'JWT_ACCESS_SECRET',
      'PASSWORD_PEPPER',
      'MFA_ENCRYPTION_KEY',
    ]) {
      expect(names).toContain(`${variable}_FILE`);
      expect(names).not.toContain(variable);
      expect(Object.keys(only<IConfigMap>('ConfigMap').data ?? {})).not.toContain(variable);
    }
  });

  it('runs the migrator in the Job and leaves the server on the image default command', () => {
    const [migrate] = job.spec!.template.spec!.containers;
    expect(migrate.command).toEqual(['node', 'scripts/db/migrate.mjs']);
    expect(job.spec!.template.spec!.restartPolicy).toBe('Never');
    for (const container of deployment.spec!.template.spec!.containers) {
      expect(container.command).toBeUndefined();
      expect(container.args).toBeUndefined();
    }
  });

  it("probes the service's liveness and readiness routes on a named container port", () => {
    const [container] = deployment.spec!.template.spec!.containers;
    const liveness = `/${API_PREFIX}/health`;
    const readiness = `/${API_PREFIX}/health/ready`;
    expect(container.livenessProbe?.httpGet?.path).toBe(liveness);
    expect(container.readinessProbe?.httpGet?.path).toBe(readiness);
    expect(container.startupProbe?.httpGet?.path).toBe(readiness);
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
      expect(containerPorts.map(({ name }) => name)).toContain(probe?.httpGet?.port);
    }
  });

  it("selects the server's pods, and not the migration Job's, from the Service and the PodDisruptionBudget", () => {
    const jobLabels = job.spec!.template.metadata!.labels!;
    const selectors = [
      service.spec!.selector!,
      pdb.spec!.selector!.matchLabels!,
      deployment.spec!.selector.matchLabels!,
    ];
    for (const selector of selectors) {
      expect(matches(selector, podLabels)).toBe(true);
      expect(matches(selector, jobLabels)).toBe(false);
    }
  });

  it("routes the Service to a named port of the server's containers", () => {
    for (const port of service.spec!.ports!) {
      expect(typeof port.targetPort).toBe('string');
      expect(containerPorts.map(({ name }) => name)).toContain(port.targetPort);
    }
  });
});

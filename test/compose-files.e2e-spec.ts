import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { VARIABLES } from '../src/config/config-variables';

/** The parts of a compose service these checks read. */
interface ComposeService {
  readonly image?: string;
  readonly restart?: string;
  readonly command?: readonly string[];
  readonly ports?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly secrets?: readonly string[];
  readonly read_only?: boolean;
  readonly cap_drop?: readonly string[];
  readonly depends_on?: Readonly<Record<string, { readonly condition: string }>>;
}

interface ComposeFile {
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly secrets?: Readonly<Record<string, { readonly file: string }>>;
}

const ROOT = path.join(__dirname, '..');
const read = (file: string) => load(readFileSync(path.join(ROOT, file), 'utf8')) as ComposeFile;
const SECRET_NAMES = new Set<string>(
  Object.values(VARIABLES)
    .filter(({ secret }) => secret)
    .map(({ name }) => name),
);

describe.each(['docker-compose.yml', 'docker-compose.production.yml'])('%s', (file) => {
  const compose = read(file);
  const services = Object.entries(compose.services);

  it('publishes ports on localhost only', () => {
    const open = services.flatMap(([name, service]) =>
      (service.ports ?? []).filter((port) => !port.startsWith('127.0.0.1:')).map((port) => `${name}: ${port}`),
    );
    expect(open).toEqual([]);
  });

  it('pins every image to a tag, never latest', () => {
    const unpinned = services
      .filter(([, service]) => service.image && !/:(?!latest$)[\w.${}:-]+$/.test(service.image))
      .map(([name, service]) => `${name}: ${service.image}`);
    expect(unpinned).toEqual([]);
  });

  it('migrates in a one-shot service the app waits for; the app only serves', () => {
    expect(compose.services.migrate.command).toEqual(['node', 'scripts/db/migrate.mjs']);
    expect(compose.services.app.command).toBeUndefined();
    expect(compose.services.app.depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
  });
});

describe('docker-compose.production.yml', () => {
  const compose = read('docker-compose.production.yml');
  const services = Object.entries(compose.services);

  it('restarts every long-running service, and never the migration', () => {
    const without = services
      .filter(([name, service]) => name !== 'migrate' && !['unless-stopped', 'always'].includes(service.restart ?? ''))
      .map(([name]) => name);
    expect(without).toEqual([]);
    expect(compose.services.migrate.restart).toBe('no');
  });

  it('sets no credential inline: every secret comes from a mounted file the service is given', () => {
    for (const [name, service] of services) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (SECRET_NAMES.has(variable)) {
          // A secret variable may be inline only when it holds no credential (REDIS_URL on the private network).
          expect({ service: name, variable, password: new URL(value).password }).toEqual({
            service: name,
            variable,
            password: '',
          });
        }
        const secretFile = /_FILE$/.test(variable) ? /^\/run\/secrets\/(\w+)$/.exec(value)?.[1] : undefined;
        if (/_FILE$/.test(variable)) {
          expect({
            service: name,
            variable,
            mounted: secretFile !== undefined && service.secrets?.includes(secretFile),
          }).toEqual({
            service: name,
            variable,
            mounted: true,
          });
        }
        expect(value).not.toMatch(/:\/\/[^/:@\s]+:[^@\s]+@/);
      }
    }
    for (const { file } of Object.values(compose.secrets ?? {})) expect(file).toMatch(/^\.\/secrets\//);
    expect(readFileSync(path.join(ROOT, '.gitignore'), 'utf8')).toMatch(/^secrets\/$/m);
    expect(readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')).toMatch(/^secrets$/m);
  });

  it('runs the service and its migration read-only with no capabilities, in production mode', () => {
    for (const name of ['app', 'migrate']) {
      expect(compose.services[name]).toMatchObject({ read_only: true, cap_drop: ['ALL'] });
    }
    expect(compose.services.app.environment?.NODE_ENV).toBe('production');
    expect(compose.services.app.ports).toEqual(['127.0.0.1:3000:3000']);
  });
});

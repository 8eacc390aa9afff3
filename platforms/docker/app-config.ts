/**
 * What an App asks of its containers, read from its fields: the command (`App.command`, split like a shell
 * would), the environment (`App.configs` of kind `envVarsYaml`), the extra containers (`App.deployment_manifest`)
 * and the ports (`App.access_ports` with the AppInst's `mapped_ports`). Pure; bad input throws INVALID_ARGUMENT
 * naming the App field. See README.md in this folder for the formats.
 */
import { parse as parseYaml } from 'yaml';
import { invalidArgument } from '../../src/core/errors.js';
import type { ConfigFile } from '../../src/gen/edgeproto/app.js';
import { LProto, type AppPort } from '../../src/gen/dme/appcommon.js';

/** The `App.configs` kind whose config is a YAML list of `{name, value}` environment variables. */
export const ENV_CONFIG_KIND = 'envVarsYaml';

/** One extra container of `App.deployment_manifest`. */
export interface ExtraContainer {
  /** Name: 1 to 63 of a-z, 0-9, `_`, `.`, `-`, starting with a letter or digit; not `main`. */
  readonly name: string;
  /** Image; undefined: the App's image. */
  readonly image: string | undefined;
  /** argv; undefined: the image's default command. */
  readonly command: readonly string[] | undefined;
  /** `NAME=value` entries added to the App's environment. */
  readonly env: readonly string[];
}

/** A port to publish: the protocol Docker knows, the container port, and the host port (0: Docker picks one). */
export interface PublishedPort {
  readonly proto: 'tcp' | 'udp';
  readonly internal: number;
  readonly public: number;
}

const CONTAINER_NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
const ENV_NAME = /^[^=\0]+$/;

/**
 * Splits a command line into argv like a POSIX shell does with quotes and nothing else: words are separated by
 * unquoted blanks; `'...'` is literal; inside `"..."` a backslash escapes only `"`, `\`, `$` and `` ` ``;
 * outside quotes a backslash escapes the next character (a backslash-newline disappears); `''` or `""` is an empty
 * word. No expansion, globbing or operators (`;`, `|`, `&&` are ordinary characters): use `sh -c '...'` for
 * those. An unterminated quote or a trailing backslash throws INVALID_ARGUMENT on `field`.
 */
export function splitCommand(command: string, field = 'app.command'): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const n = command.length;
  while (i < n) {
    const c = command[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw invalidArgument(field, `unterminated single quote at offset ${i} of ${JSON.stringify(command)}`);
      word += command.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      inWord = true;
      for (;;) {
        if (i >= n) throw invalidArgument(field, `unterminated double quote in ${JSON.stringify(command)}`);
        const d = command[i]!;
        if (d === '"') break;
        const next = command[i + 1];
        if (d === '\\' && next !== undefined && '"\\$`'.includes(next)) {
          word += next;
          i += 2;
        } else if (d === '\\' && next === '\n') {
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      i++;
    } else if (c === '\\') {
      const next = command[i + 1];
      if (next === undefined) throw invalidArgument(field, `trailing backslash in ${JSON.stringify(command)}`);
      if (next !== '\n') {
        word += next;
        inWord = true;
      }
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function yaml(text: string, field: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch (e) {
    throw invalidArgument(field, `is not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, e);
  }
}

function scalar(value: unknown, field: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  throw invalidArgument(field, 'must be a string, number or boolean');
}

/** A YAML list of `{name, value}` (Kubernetes env, `value` only) as `NAME=value` entries. */
function envList(value: unknown, field: string): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw invalidArgument(field, 'must be a YAML list of {name, value}');
  return value.map((item: unknown, i) => {
    const at = `${field}[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalidArgument(at, 'must be {name, value}');
    const e = item as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (key !== 'name' && key !== 'value') throw invalidArgument(`${at}.${key}`, 'unsupported (only name and value; valueFrom is not available on docker)');
    }
    if (typeof e.name !== 'string' || !ENV_NAME.test(e.name)) throw invalidArgument(`${at}.name`, 'must be a non-empty name without "="');
    return `${e.name}=${scalar(e.value, `${at}.value`)}`;
  });
}

/**
 * The environment of the App's containers: every `App.configs` entry of kind `envVarsYaml`, in order, each a YAML
 * list of `{name, value}` (later entries win for a repeated name, as in Docker). Other kinds are ignored.
 */
export function appEnvironment(configs: readonly ConfigFile[]): string[] {
  const env: string[] = [];
  configs.forEach((config, i) => {
    if (config.kind !== ENV_CONFIG_KIND) return;
    const field = `app.configs[${i}].config`;
    env.push(...envList(yaml(config.config, field), field));
  });
  return env;
}

/**
 * The extra containers of `App.deployment_manifest`: empty for an empty manifest; otherwise a YAML list of
 * `{name, image?, command?, env?}` (`command` a string split by {@link splitCommand}, or a list of strings; `env`
 * as in envVarsYaml). Names are unique and not `main`.
 */
export function extraContainers(manifest: string): ExtraContainer[] {
  const field = 'app.deployment_manifest';
  if (manifest.trim() === '') return [];
  const list = yaml(manifest, field);
  if (!Array.isArray(list)) throw invalidArgument(field, 'must be a YAML list of extra containers {name, image?, command?, env?}');
  const names = new Set<string>();
  return list.map((raw: unknown, i) => {
    const at = `${field}[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidArgument(at, 'must be {name, image?, command?, env?}');
    const c = raw as Record<string, unknown>;
    for (const key of Object.keys(c)) {
      if (!['name', 'image', 'command', 'env'].includes(key)) throw invalidArgument(`${at}.${key}`, 'unknown field (known: name, image, command, env)');
    }
    if (typeof c.name !== 'string' || !CONTAINER_NAME.test(c.name) || c.name === 'main') {
      throw invalidArgument(`${at}.name`, 'must be 1 to 63 of a-z, 0-9, "_", ".", "-", starting with a letter or digit, and not "main"');
    }
    if (names.has(c.name)) throw invalidArgument(`${at}.name`, `duplicate container "${c.name}"`);
    names.add(c.name);
    let image: string | undefined;
    if (c.image !== undefined && c.image !== null) {
      if (typeof c.image !== 'string' || c.image.trim() === '' || /\s/.test(c.image)) throw invalidArgument(`${at}.image`, 'must be an image name without whitespace');
      image = c.image;
    }
    let command: string[] | undefined;
    if (typeof c.command === 'string') command = splitCommand(c.command, `${at}.command`);
    else if (Array.isArray(c.command)) command = c.command.map((w: unknown, j) => scalar(w, `${at}.command[${j}]`));
    else if (c.command !== undefined && c.command !== null) throw invalidArgument(`${at}.command`, 'must be a string or a list of strings');
    return { name: c.name, image, command: command?.length ? command : undefined, env: envList(c.env, `${at}.env`) };
  });
}

/**
 * The ports to publish: every `App.access_ports` item (`tcp:80,udp:10002,http:8080`; http is TCP) and every
 * `mapped_ports` entry, once per protocol and container port. The host port is the mapped `public_port` of the
 * same protocol and container port, else 0 (Docker picks a free one).
 */
export function publishedPorts(accessPorts: string, mapped: readonly AppPort[]): PublishedPort[] {
  const field = 'app.access_ports';
  const out = new Map<string, PublishedPort>();
  const publicOf = new Map<string, number>();
  const family = (proto: LProto): 'tcp' | 'udp' | undefined =>
    proto === LProto.L_PROTO_UDP ? 'udp' : proto === LProto.L_PROTO_TCP || proto === LProto.L_PROTO_HTTP ? 'tcp' : undefined;
  for (const m of mapped) {
    const proto = family(m.proto);
    if (!proto || !(m.internal_port >= 1 && m.internal_port <= 65535)) continue;
    const id = `${proto}/${m.internal_port}`;
    if (m.public_port >= 1 && m.public_port <= 65535) publicOf.set(id, m.public_port);
    out.set(id, { proto, internal: m.internal_port, public: 0 });
  }
  if (accessPorts.trim() !== '') {
    for (const raw of accessPorts.split(',')) {
      const item = raw.trim();
      const match = /^(tcp|udp|http)\s*:\s*(\d{1,5})$/i.exec(item);
      const port = match ? Number(match[2]) : NaN;
      if (!match || !(port >= 1 && port <= 65535)) throw invalidArgument(field, `"${item}" is not protocol:port such as tcp:80 (protocols tcp, udp, http)`);
      const proto = match[1]!.toLowerCase() === 'udp' ? 'udp' : 'tcp';
      out.set(`${proto}/${port}`, { proto, internal: port, public: 0 });
    }
  }
  return [...out.entries()].map(([id, p]) => ({ ...p, public: publicOf.get(id) ?? 0 }));
}

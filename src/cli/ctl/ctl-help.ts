/**
 * The `--help` texts of `cloudletd ctl`: of the command, of one verb, and of one verb on one kind (with the kind's
 * aliases, key fields and every settable field path with its type, from the generated field table). Pure.
 */
import { CTL_DEFAULTS_TEXT, CTL_ENV, CTL_VERBS, verbsOf, type CtlVerb } from './ctl-args.js';
import { settablePaths } from './field-paths.js';
import { ALL_KINDS, type CtlKind } from './kinds.js';

const VERB_SUMMARY: Readonly<Record<CtlVerb, string>> = {
  create: 'create an object from path=value arguments and/or -f FILE',
  update: 'change the fields given; the key fields pick the object',
  delete: 'delete an object; without a kind, delete -f FILE deletes every object of a data file',
  show: 'list objects as a table, JSON or YAML; path=value arguments filter',
  apply: 'create or update every object of a data file (apply -f FILE)',
};

const VERB_USAGE: Readonly<Record<CtlVerb, string[]>> = {
  create: ['cloudletd ctl create <kind> path=value ... [-f FILE]'],
  update: ['cloudletd ctl update <kind> <key fields> path=value ... [-f FILE]'],
  delete: ['cloudletd ctl delete <kind> <key fields> [-f FILE]', 'cloudletd ctl delete -f DATAFILE'],
  show: ['cloudletd ctl show <kind> [path=value ...] [-o table|json|yaml]'],
  apply: ['cloudletd ctl apply -f DATAFILE'],
};

const VERB_EXAMPLES: Readonly<Record<CtlVerb, string[]>> = {
  create: [
    'cloudletd ctl create flavor name=x1.small ram=1024 vcpus=1 disk=10',
    'cloudletd ctl create cloudlet operator=TDG name=berlin location.latitude=52.52 location.longitude=13.40 num_dynamic_ips=10',
    'cloudletd ctl create app developer=Acme appname=game appvers=1.0 image_type=docker image_path=registry.example.com/game:1.0 access_ports=tcp:7777',
    'cloudletd ctl create clusterinst cluster=c1 operator=TDG cloudlet=berlin developer=Acme flavor=x1.small num_nodes=2',
    'cloudletd ctl create appinst developer=Acme appname=game appvers=1.0 cluster=c1 operator=TDG cloudlet=berlin',
  ],
  update: ['cloudletd ctl update flavor name=x1.small ram=2048', 'cloudletd ctl update cloudlet operator=TDG name=berlin num_dynamic_ips=20'],
  delete: ['cloudletd ctl delete appinst developer=Acme appname=game appvers=1.0 cluster=c1 operator=TDG cloudlet=berlin', 'cloudletd ctl delete -f demo.yaml'],
  show: ['cloudletd ctl show cloudlet', 'cloudletd ctl show appinst cloudlet=berlin -o yaml > berlin.yaml', 'cloudletd ctl show clusterinst state=CREATE_ERROR'],
  apply: ['cloudletd ctl apply -f demo.yaml'],
};

function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

const FLAGS = (): string[] => table([
  ['--addr HOST:PORT', CTL_ENV.addr, `controller API address (default ${CTL_DEFAULTS_TEXT.addr})`],
  ['--timeout DUR', CTL_ENV.timeout, `deadline of each call and show (default ${CTL_DEFAULTS_TEXT.timeout})`],
  ['--wait-timeout DUR', CTL_ENV.waitTimeout, `deadline of a streamed change plus its wait until READY or deleted (default ${CTL_DEFAULTS_TEXT.waitTimeout})`],
  ['-f, --file FILE', '', 'YAML or JSON: one object (proto field names); path=value arguments override it'],
  ['-o, --output FORMAT', '', 'show output: table (default), json or yaml ({"<plural>": [...]}, read back by apply -f)'],
  ['-h, --help', '', 'help: ctl --help, ctl <verb> --help, ctl <verb> <kind> --help'],
]);

const FIELD_RULES = [
  'field arguments (path=value):',
  '  path   a dotted proto field path (key.developer_key.name, location.latitude; JSON names work too)',
  '         or one of the kind\'s aliases (developer=, appname=, appvers=, cluster=, cloudlet=, operator=, flavor=, name=)',
  '  value  read by the field\'s type: text, a number, true/false, an enum value by name (IMAGE_TYPE_DOCKER, or',
  '         just docker when one name ends so) or number; messages, maps and lists of messages as JSON',
  '  lists  one element per argument: repeat it (errors=a errors=b); values are never split at commas',
  '  update sends the paths given (except the key) as its fields; show sends the arguments as a filter',
];

const EXIT_CODES = [
  'exit codes:',
  '  0  done',
  '  1  the controller refused (error: NOT_FOUND: ... on stderr), an object ended in *_ERROR, a deadline passed, or',
  '     ctl was interrupted (SIGINT/SIGTERM)',
  '  2  usage error: unknown verb, kind, flag or field, or a bad value',
];

/** The help of `cloudletd ctl`: verbs, kinds, flags and their environment variables, field rules, exit codes, examples. */
export function ctlHelp(): string {
  const kindRows = ALL_KINDS.map((k) => [k.name, verbsOf(k).join(' '), k.tracked ? `${k.plural} (waits until READY)` : verbsOf(k).length > 1 ? k.plural : '']);
  return [
    'usage: cloudletd ctl [flags] <verb> <kind> [path=value ...] [-f FILE] [-o table|json|yaml]',
    '       cloudletd ctl [flags] apply -f DATAFILE',
    '       cloudletd ctl [flags] delete -f DATAFILE',
    '',
    'Client of the controller\'s gRPC API: create, update, delete and show objects, apply or delete data files.',
    'Streamed changes (cloudlet, clusterinst, appinst) show their progress on stderr; clusterinst and appinst wait',
    'until the object is READY (or deleted). The outcome is one line on stdout, errors one line on stderr.',
    '',
    'verbs:',
    ...table(CTL_VERBS.map((v) => [v, VERB_SUMMARY[v]])),
    '',
    'kinds (verbs; name in data files):',
    ...table(kindRows),
    '',
    'flags (before or after the verb):',
    ...FLAGS(),
    '',
    ...FIELD_RULES,
    '',
    ...EXIT_CODES,
    '',
    'examples:',
    ...[...VERB_EXAMPLES.create.slice(0, 2), VERB_EXAMPLES.update[0] ?? '', VERB_EXAMPLES.show[1] ?? '', VERB_EXAMPLES.delete[0] ?? '', VERB_EXAMPLES.apply[0] ?? '']
      .map((e) => `  ${e}`),
    '',
    'Run `cloudletd ctl <verb> --help` for a verb, `cloudletd ctl <verb> <kind> --help` for the fields of a kind.',
  ].join('\n');
}

/** The help of one verb: its usage, the kinds it works on, flags and examples. */
export function verbHelp(verb: CtlVerb): string {
  const kinds = ALL_KINDS.filter((k) => verbsOf(k).includes(verb)).map((k) => k.name);
  return [
    ...VERB_USAGE[verb].map((u, i) => `${i === 0 ? 'usage: ' : '       '}${u}`),
    '',
    `${VERB_SUMMARY[verb][0]?.toUpperCase() ?? ''}${VERB_SUMMARY[verb].slice(1)}.`,
    ...(verb === 'apply' ? [] : ['', `kinds: ${kinds.join(', ')}`]),
    '',
    'flags:',
    ...FLAGS(),
    ...(verb === 'apply' ? [] : ['', ...FIELD_RULES]),
    '',
    'examples:',
    ...VERB_EXAMPLES[verb].map((e) => `  ${e}`),
    ...(verb === 'apply' ? [] : ['', `Run \`cloudletd ctl ${verb} <kind> --help\` for the fields of a kind.`]),
  ].join('\n');
}

/** The help of `verb` on `kind`: aliases, key fields and every field path with its type. */
export function kindHelp(verb: CtlVerb, kind: CtlKind): string {
  const aliasRows = Object.entries(kind.aliases).map(([alias, path]) => [`${alias}=`, path]);
  const verbs = verbsOf(kind);
  const note = verbs.includes(verb) ? [] : ['', `note: ${kind.name} supports ${verbs.length === 1 ? 'show only' : verbs.join(', ')}.`];
  return [
    `usage: cloudletd ctl ${verb} ${kind.name} ${verb === 'create' ? 'path=value ...' : verb === 'show' ? '[path=value ...] [-o table|json|yaml]' : '<key fields> path=value ...'} [-f FILE]`,
    '',
    `${kind.title} (${kind.message}); in data files: ${kind.plural}.${kind.tracked ? ' Changes wait until the object is READY (or deleted).' : ''}`,
    ...note,
    '',
    'key fields:',
    ...kind.keyPaths.map((p) => `  ${p}`),
    '',
    'aliases:',
    ...table(aliasRows),
    '',
    'fields:',
    ...table(settablePaths(kind.message).map((f) => [f.path, f.type])),
    '',
    'Lists: repeat the argument per element. Messages, maps and lists of messages: JSON (a JSON object adds one element).',
  ].join('\n');
}

import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseDataFile, readDataText } from '../../../../src/cli/ctl/data-file.js';
import { Code } from '../../../../src/core/errors.js';
import type { Flavor } from '../../../../src/gen/edgeproto/flavor.js';
import type { ClusterInst } from '../../../../src/gen/edgeproto/clusterinst.js';

function failure(text: string): { code: string; message: string } {
  try {
    parseDataFile(text, 'd.yaml');
  } catch (err) {
    const { code, message } = err as { code: string; message: string };
    return { code, message };
  }
  throw new Error('expected the file to be refused');
}

describe('parseDataFile', () => {
  it('groups objects by kind in dependency order whatever the file order, with titles and paths', () => {
    const file = parseDataFile([
      'appinsts:',
      '  - key: {app_key: {developer_key: {name: Acme}, name: game, version: "1.0"}, cluster_inst_key: {cluster_key: {name: c1}, cloudlet_key: {operator_key: {name: TDG}, name: berlin}}}',
      'flavors:',
      '  - key: {name: x1.small}',
      '    ram: 1024',
      '  - {key: {name: x1.big}, ram: "18446744073709551615"}',
      'operators: []',
      'clusters:',
    ].join('\n'), 'd.yaml');
    expect(file.count).toBe(3);
    expect(file.groups.map((g) => g.kind.plural)).toEqual(['flavors', 'appinsts']);
    const [small, big] = file.groups[0]?.objects ?? [];
    expect(small).toMatchObject({ path: 'flavors[0]', title: 'Flavor x1.small', json: { key: { name: 'x1.small' }, ram: 1024 } });
    expect((small?.message as Flavor).ram).toBe(1024n);
    expect((big?.message as Flavor).ram).toBe(18446744073709551615n);
    expect(file.groups[1]?.objects[0]?.title).toBe('AppInst Acme/game/1.0 on TDG/berlin');
  });

  it('keeps 64-bit integers YAML writes bare exact', () => {
    const file = parseDataFile('flavors:\n  - key: {name: huge}\n    ram: 18446744073709551615\n', 'd.yaml');
    expect((file.groups[0]?.objects[0]?.message as Flavor).ram).toBe(18446744073709551615n);
  });

  it('reads JSON (YAML is a superset), JSON field names and enum numbers, and several documents', () => {
    const json = parseDataFile(JSON.stringify({ clusterinsts: [{ key: { clusterKey: { name: 'c1' } }, ipAccess: 3, numNodes: '2' }] }), 'd.json');
    const ci = json.groups[0]?.objects[0]?.message as ClusterInst;
    expect(ci).toMatchObject({ key: { cluster_key: { name: 'c1' } }, ip_access: 3, num_nodes: 2 });
    const two = parseDataFile('flavors: [{key: {name: a}}]\n---\nflavors: [{key: {name: b}}]\noperators: [{key: {name: TDG}}]\n', 'd.yaml');
    expect(two.groups.map((g) => g.objects.map((o) => o.title))).toEqual([['Flavor a', 'Flavor b'], ['Operator TDG']]);
  });

  it.each([
    ['flavours:\n  - key: {name: a}\n', 'd.yaml: unknown top-level key "flavours"; allowed: flavors, operators, developers, cloudlets, clusters, apps, clusterinsts, appinsts'],
    ['- key: {name: a}\n', 'd.yaml: the top level must map kinds to lists'],
    ['flavors: {key: {name: a}}\n', 'd.yaml: invalid flavors: must be a list of objects, not object'],
    ['flavors: [{key: {name: a}, rам: 1}]\n', 'd.yaml: invalid flavors[0].rам: unknown field of edgeproto.Flavor'],
    ['flavors: [{key: {name: a}}, {key: {name: b}, ram: -1}]\n', 'd.yaml: invalid flavors[1].ram: must be within 0..18446744073709551615, not -1'],
    ['clusterinsts: [{key: {cluster_key: {name: c}}, ip_access: SHARED}]\n', 'd.yaml: invalid clusterinsts[0].ip_access: must be one of IP_ACCESS_UNKNOWN, IP_ACCESS_DEDICATED, IP_ACCESS_DEDICATED_OR_SHARED, IP_ACCESS_SHARED (or its number), not string "SHARED"'],
    ['apps: [{key: {developer_key: {name: Acme}, name: game, version: 1.0}}]\n', 'd.yaml: invalid apps[0].key.version: must be a string, not number 1'],
    ['flavors: [{key: {name: a}}, {key: {name: a}}]\n', 'd.yaml: invalid flavors[1].key: Flavor a is given twice (also as flavors[0])'],
    ['flavors: [{ram: 1}]\n', 'd.yaml: invalid flavors[0].key: is required: it names the Flavor'],
    ['flavors: [{key: {name: a}]\n', 'd.yaml:1:'],
    ['flavors:\n  - key: {name: a}\nflavors: []\n', 'd.yaml:3:1: Map keys must be unique'],
    ['', 'd.yaml holds no objects; expected lists under flavors, operators'],
    ['flavors: []\n', 'd.yaml holds no objects'],
  ])('refuses %j: %s', (text, message) => {
    const error = failure(text);
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.message).not.toContain('\n');
  });
});

describe('readDataText', () => {
  it('reads standard input for "-"', async () => {
    const stdin = Readable.from(['flavors:\n', '  - key: {name: a}\n']);
    expect(await readDataText('-', new AbortController().signal, stdin)).toBe('flavors:\n  - key: {name: a}\n');
  });

  it('names a file it cannot read and why', async () => {
    await expect(readDataText('/nonexistent/d.yaml', new AbortController().signal)).rejects.toMatchObject({
      code: Code.INVALID_ARGUMENT, message: 'cannot read /nonexistent/d.yaml: no such file',
    });
    await expect(readDataText('/', new AbortController().signal)).rejects.toMatchObject({ message: 'cannot read /: it is a directory' });
  });
});

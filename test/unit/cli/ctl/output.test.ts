import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findKind, type CtlKind } from '../../../../src/cli/ctl/kinds.js';
import { bodyFromText, requestObject } from '../../../../src/cli/ctl/object-body.js';
import { objectLabel } from '../../../../src/cli/ctl/object-label.js';
import { documentOf, formatDocument } from '../../../../src/cli/ctl/output-documents.js';
import { cellText, renderTable } from '../../../../src/cli/ctl/output-table.js';
import { ProgressLine } from '../../../../src/cli/ctl/progress.js';
import { App, ImageType } from '../../../../src/gen/edgeproto/app.js';
import { ClusterInst } from '../../../../src/gen/edgeproto/clusterinst.js';
import { TrackedState } from '../../../../src/gen/edgeproto/common.js';
import { Flavor } from '../../../../src/gen/edgeproto/flavor.js';

const kind = <T>(name: string): CtlKind<T> => findKind(name) as CtlKind<T>;

const apps = [
  App.fromPartial({
    key: { developer_key: { name: 'Acme' }, name: 'game', version: '1.0' }, image_type: ImageType.IMAGE_TYPE_DOCKER,
    image_path: 'registry.example.com/acme/game:1.0', access_ports: 'tcp:7777,udp:7778', default_flavor: { name: 'x1.small' },
    configs: [{ kind: 'envVarsYaml', config: 'A: 1\nB: 2\n' }], fields: ['2'],
  }),
  App.fromPartial({ key: { developer_key: { name: 'Acme' }, name: 'face', version: '10.2' } }),
];
const ci = ClusterInst.fromPartial({
  key: { cluster_key: { name: 'c1' }, cloudlet_key: { operator_key: { name: 'TDG' }, name: 'berlin' }, developer: 'Acme' },
  flavor: { name: 'x1.small' }, num_nodes: 2, state: TrackedState.CREATE_ERROR, errors: ['no capacity', 'retry later'],
});

describe('show -o table', () => {
  it('aligns the kind\'s columns under a header; enums by name, lists joined, objects by name', () => {
    expect(renderTable(kind<App>('app'), apps)).toBe([
      `DEVELOPER  NAME  VERSION  ${'IMAGE'.padEnd(34)}  DEPLOYMENT  ${'PORTS'.padEnd(17)}  FLAVOR`,
      `Acme       game  1.0      registry.example.com/acme/game:1.0  ${''.padEnd(10)}  tcp:7777,udp:7778  x1.small`,
      'Acme       face  10.2',
      '',
    ].join('\n'));
    const table = renderTable(kind<ClusterInst>('clusterinst'), [ci]).split('\n');
    expect(table[0]).toMatch(/^CLUSTER +OPERATOR +CLOUDLET +DEVELOPER +FLAVOR +NODES +STATE +ERRORS$/);
    expect(table[1]).toMatch(/^c1 +TDG +berlin +Acme +x1.small +2 +CREATE_ERROR +no capacity,retry later$/);
    expect(renderTable(kind('flavor'), [])).toBe('No flavors found.\n');
    expect(cellText({ latitude: 1 })).toBe('{"latitude":1}');
    expect(cellText('a\n b')).toBe('a b');
  });
});

describe('show -o json / -o yaml', () => {
  it('is the data-file document {"<plural>": [...]} without defaults or fields, and reads back into the same objects', () => {
    const doc = documentOf(kind<App>('app'), apps);
    expect(Object.keys(doc)).toEqual(['apps']);
    expect(doc.apps?.[1]).toEqual({ key: { developer_key: { name: 'Acme' }, name: 'face', version: '10.2' } });
    expect(doc.apps?.[0]).not.toHaveProperty('fields');
    const flavors = [Flavor.fromPartial({ key: { name: 'x' }, ram: 18446744073709551615n, vcpus: 2n })];
    for (const format of ['json', 'yaml'] as const) {
      const text = formatDocument(documentOf(kind<App>('app'), apps), format);
      expect(format === 'json' ? JSON.parse(text) : parse(text)).toEqual(doc);
      const back = (parse(text) as { apps: unknown[] }).apps.map((a) => requestObject<App>(kind('app'), [], bodyFromText(kind('app'), JSON.stringify(a), 'x')).message);
      expect(back).toEqual(apps.map((a) => ({ ...a, fields: [] })));
      const flavorText = formatDocument(documentOf(kind<Flavor>('flavor'), flavors), format);
      expect(requestObject(kind('flavor'), [], bodyFromText(kind('flavor'), flavorText, 'f')).message).toEqual(flavors[0]);
    }
    expect(formatDocument(documentOf(kind('flavor'), []), 'json')).toBe('{\n  "flavors": []\n}\n');
    expect(formatDocument(documentOf(kind<App>('app'), apps), 'yaml')).toContain('  - key:\n      developer_key:\n        name: Acme\n');
  });
});

describe('object labels', () => {
  it('name each kind as people write it', () => {
    expect(objectLabel(kind('flavor'), { key: { name: 'x1.small' } })).toBe('Flavor x1.small');
    expect(objectLabel(kind('app'), { key: { developer_key: { name: 'Acme' }, name: 'game', version: '1.0' } })).toBe('App Acme/game/1.0');
    expect(objectLabel(kind('cloudlet'), { key: { operator_key: { name: 'TDG' }, name: 'berlin' } })).toBe('Cloudlet TDG/berlin');
    expect(objectLabel(kind('clusterinst'), { key: { cluster_key: { name: 'c1' }, cloudlet_key: { operator_key: { name: 'TDG' }, name: 'b' } } })).toBe('ClusterInst c1 on TDG/b');
    expect(objectLabel(kind('appinst'), {
      key: { app_key: { developer_key: { name: 'acme' }, name: 'game', version: '1.0' }, cluster_inst_key: { cloudlet_key: { operator_key: { name: 'TDG' }, name: 'berlin' } } },
    })).toBe('AppInst acme/game/1.0 on TDG/berlin');
  });
});

describe('progress lines', () => {
  const capture = (): { stream: NodeJS.WritableStream & { columns?: number }; text: () => string } => {
    let text = '';
    const stream = { write: (chunk: string) => ((text += chunk), true), columns: 40 } as unknown as NodeJS.WritableStream & { columns?: number };
    return { stream, text: () => text };
  };

  it('are plain lines off a terminal, one line rewritten in place (cut to the width) and cleared on one', () => {
    const plain = capture();
    const p = new ProgressLine(plain.stream, false, 'AppInst a/b/1 on T/c');
    p.update('Creating');
    p.update('  ');
    p.update('Ready\nnow');
    p.done();
    expect(plain.text()).toBe('AppInst a/b/1 on T/c: Creating\nAppInst a/b/1 on T/c: Ready now\n');
    const tty = capture();
    const live = new ProgressLine(tty.stream, true, 'ClusterInst c1 on TDG/berlin');
    live.update('Creating');
    live.update('a rather long message that does not fit');
    live.done();
    live.done();
    expect(tty.text()).toBe('\r\x1b[2KClusterInst c1 on TDG/berlin: Creating\r\x1b[2KClusterInst c1 on TDG/berlin: a rather…\r\x1b[2K');
  });
});

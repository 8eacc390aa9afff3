import { describe, expect, it } from 'vitest';
import { isCodedError } from '../../../../src/core/errors.js';
import { enumValue, fieldArgsToJson, mergeJson, protoNames } from '../../../../src/cli/ctl/field-args.js';
import { findKind, type CtlKind } from '../../../../src/cli/ctl/kinds.js';
import { bodyFromText, requestObject, updateFields } from '../../../../src/cli/ctl/object-body.js';
import { settablePaths } from '../../../../src/cli/ctl/field-paths.js';
import type { App} from '../../../../src/gen/edgeproto/app.js';
import { ImageType } from '../../../../src/gen/edgeproto/app.js';
import type { AppInst } from '../../../../src/gen/edgeproto/app_inst.js';
import type { Cloudlet } from '../../../../src/gen/edgeproto/cloudlet.js';
import type { ClusterInst } from '../../../../src/gen/edgeproto/clusterinst.js';
import { CRMOverride, IpSupport } from '../../../../src/gen/edgeproto/common.js';

const kind = (name: string): CtlKind => findKind(name)!;

function invalid(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isCodedError(err) && err.code).toBe('INVALID_ARGUMENT');
    return (err as Error).message;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('field arguments', () => {
  it('resolve aliases and dotted paths (proto or JSON names) into nested objects', () => {
    const json = fieldArgsToJson(kind('appinst'), [
      'developer=Acme', 'appname=game', 'key.app_key.version=1.0', 'cluster=c1', 'operator=TDG', 'cloudlet=berlin',
      'key.clusterInstKey.developer=Acme', 'flavor=x1.small',
    ]);
    expect(json).toEqual({
      key: {
        app_key: { developer_key: { name: 'Acme' }, name: 'game', version: '1.0' },
        cluster_inst_key: { cluster_key: { name: 'c1' }, cloudlet_key: { operator_key: { name: 'TDG' }, name: 'berlin' }, developer: 'Acme' },
      },
      flavor: { name: 'x1.small' },
    });
    const message = requestObject<AppInst>(kind('appinst'), ['developer=Acme', 'appname=game']).message;
    expect(message.key?.app_key).toEqual({ developer_key: { name: 'Acme' }, name: 'game', version: '' });
  });

  it('convert values by the field type: numbers, int64, bools, enums by name, suffix or number', () => {
    const cloudlet = requestObject<Cloudlet>(kind('cloudlet'), ['operator=TDG', 'name=b', 'location.latitude=52.5', 'location.longitude=-13.25',
      'num_dynamic_ips=10', 'ip_support=dynamic']).message;
    expect(cloudlet.location).toMatchObject({ latitude: 52.5, longitude: -13.25 });
    expect(cloudlet.num_dynamic_ips).toBe(10);
    expect(cloudlet.ip_support).toBe(IpSupport.IP_SUPPORT_DYNAMIC);
    const flavor = requestObject<{ ram: bigint }>(kind('flavor'), ['name=x', 'ram=18446744073709551615']).message;
    expect(flavor.ram).toBe(18446744073709551615n);
    const app = requestObject<App>(kind('app'), ['image_type=IMAGE_TYPE_DOCKER', 'permits_platform_apps=true', 'access_ports=tcp:80,udp:90']).message;
    expect(app).toMatchObject({ image_type: ImageType.IMAGE_TYPE_DOCKER, permits_platform_apps: true, access_ports: 'tcp:80,udp:90' });
    expect(requestObject<ClusterInst>(kind('clusterinst'), ['crm_override=ignore_crm']).message.crm_override).toBe(CRMOverride.IGNORE_CRM);
    expect(requestObject<ClusterInst>(kind('clusterinst'), ['crm_override=2']).message.crm_override).toBe(CRMOverride.IGNORE_CRM);
    expect(enumValue('edgeproto.TrackedState', 'ready')).toBe('READY');
    expect(enumValue('edgeproto.TrackedState', 'error')).toBe('error'); // ambiguous suffix: left for strict reading to refuse
  });

  it('repeat an argument to add list elements; lists of messages take JSON', () => {
    const ci = requestObject<ClusterInst>(kind('clusterinst'), ['errors=a, b', 'errors=c']).message;
    expect(ci.errors).toEqual(['a, b', 'c']);
    const app = requestObject<App>(kind('app'), ['configs={"kind":"k1","config":"c1"}', 'configs={"kind":"k2"}']).message;
    expect(app.configs).toEqual([{ kind: 'k1', config: 'c1' }, { kind: 'k2', config: '' }]);
    expect(requestObject<App>(kind('app'), ['configs=[{"kind":"a"},{"kind":"b"}]']).message.configs.map((c) => c.kind)).toEqual(['a', 'b']);
    expect(requestObject<Cloudlet>(kind('cloudlet'), ['location={"latitude":1.5}']).message.location?.latitude).toBe(1.5);
  });

  it('name the dotted field of an unknown field, a bad value, bad JSON or a field given twice', () => {
    expect(invalid(() => requestObject(kind('app'), ['key.nme=x']))).toBe('invalid key.nme: unknown field of edgeproto.AppKey');
    expect(invalid(() => requestObject(kind('flavor'), ['colour=red']))).toBe('invalid colour: unknown field of edgeproto.Flavor');
    expect(invalid(() => requestObject(kind('flavor'), ['ram=lots']))).toMatch(/^invalid ram: must be an integer/);
    expect(invalid(() => requestObject(kind('cloudlet'), ['location.latitude=north']))).toMatch(/^invalid location.latitude: must be a number/);
    expect(invalid(() => requestObject(kind('app'), ['permits_platform_apps=yes']))).toMatch(/^invalid permits_platform_apps: must be true or false/);
    expect(invalid(() => requestObject(kind('app'), ['image_type=vm']))).toMatch(/^invalid image_type: must be one of IMAGE_TYPE_UNKNOWN, IMAGE_TYPE_DOCKER/);
    expect(invalid(() => requestObject(kind('cloudlet'), ['num_dynamic_ips=99999999999']))).toMatch(/^invalid num_dynamic_ips: must be within/);
    expect(invalid(() => requestObject(kind('flavor'), ['ram.x=1']))).toBe('invalid ram: has no sub-fields');
    expect(invalid(() => requestObject(kind('app'), ['configs.kind=1']))).toMatch(/^invalid configs: is a list or map/);
    expect(invalid(() => requestObject(kind('app'), ['configs={nope']))).toMatch(/^invalid configs: is not valid JSON/);
    expect(invalid(() => requestObject(kind('app'), ['developer=a', 'key.developer_key.name=b']))).toMatch(/^invalid key.developer_key.name: given twice \(developer and key.developer_key.name\)/);
    expect(invalid(() => requestObject(kind('cloudlet'), ['location={}', 'location.latitude=1']))).toMatch(/given twice/);
    expect(invalid(() => requestObject(kind('flavor'), ['fields=1']))).toMatch(/^invalid fields: is set by update/);
    expect(invalid(() => requestObject(kind('flavor'), ['ram']))).toMatch(/^invalid ram: is not a field argument path=value/);
  });

  it('update fields are the field-number paths given, without the key; nothing to update is an error', () => {
    const { json } = requestObject(kind('cloudlet'), ['operator=TDG', 'name=b', 'location.latitude=1', 'num_dynamic_ips=0']);
    expect(updateFields(kind('cloudlet'), json)).toEqual(['5.1', '8']);
    expect(invalid(() => updateFields(kind('flavor'), { key: { name: 'x' } }))).toMatch(/^nothing to update/);
  });
});

describe('-f bodies', () => {
  it('read one object (YAML or JSON, JSON names too) or a one-object data file; arguments override it', () => {
    const yaml = 'key:\n  operatorKey:\n    name: TDG\n  name: berlin\nnumDynamicIps: 4\nlocation:\n  latitude: 52\n  longitude: 13\n';
    const body = bodyFromText(kind('cloudlet'), yaml, 'c.yaml');
    expect(body).toEqual({ key: { operator_key: { name: 'TDG' }, name: 'berlin' }, num_dynamic_ips: 4, location: { latitude: 52, longitude: 13 } });
    const merged = requestObject<Cloudlet>(kind('cloudlet'), ['location.latitude=50'], body).message;
    expect(merged.location).toMatchObject({ latitude: 50, longitude: 13 });
    expect(merged.num_dynamic_ips).toBe(4);
    const doc = bodyFromText(kind('flavor'), '{"flavors": [{"key": {"name": "x"}, "ram": "1"}]}', 'f.json');
    expect(doc).toEqual({ key: { name: 'x' }, ram: '1' });
    expect(invalid(() => bodyFromText(kind('flavor'), 'flavors: [{}, {}]', 'f.yaml'))).toMatch(/^invalid -f f.yaml: holds 2 flavors/);
    expect(invalid(() => bodyFromText(kind('flavor'), '- a', 'f.yaml'))).toMatch(/must hold one Flavor object/);
    expect(invalid(() => bodyFromText(kind('flavor'), 'a: [', 'f.yaml'))).toMatch(/is not YAML or JSON/);
    expect(invalid(() => requestObject(kind('flavor'), [], { key: { nme: 'x' } }))).toBe('invalid key.nme: unknown field of edgeproto.FlavorKey');
  });

  it('protoNames and mergeJson keep what they do not know and replace lists', () => {
    expect(protoNames('edgeproto.Flavor', { key: { name: 'a' }, odd: 1 })).toEqual({ key: { name: 'a' }, odd: 1 });
    expect(mergeJson({ a: { b: 1, c: [1] } }, { a: { c: [2] } })).toEqual({ a: { b: 1, c: [2] } });
  });

  it('every settable path of every kind resolves', () => {
    for (const name of ['flavor', 'cloudlet', 'app', 'clusterinst', 'appinst', 'node']) {
      const k = kind(name);
      for (const { path } of settablePaths(k.message)) expect(() => fieldArgsToJson(k, [`${path}=`]), path).not.toThrow(/unknown field/);
    }
  });
});

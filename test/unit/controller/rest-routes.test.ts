import { describe, expect, it } from 'vitest';
import { REST_ROUTES, ROUTES_BY_PATH } from '../../../src/controller/rest/routes.js';
import { readReferenceTable } from '../../conformance/reference-data.js';

const rows = readReferenceTable('edgeproto-services.tsv').filter((r) => r.package === 'edgeproto' && r.http_path !== '');

describe('REST route table', () => {
  it('serves every edgeproto rpc with an http_path of the reference at that path, with its types and streaming', () => {
    expect(rows.length).toBe(40);
    for (const row of rows) {
      expect(row.http_method, row.rpc).toBe('POST');
      const route = ROUTES_BY_PATH.get(row.http_path ?? '');
      expect(route, row.http_path).toBeDefined();
      expect({
        grpcPath: route?.grpcPath, rpc: route?.rpc, streaming: route?.streaming, request: route?.request.fullName, response: route?.response.fullName,
      }).toEqual({
        grpcPath: row.grpc_method_path, rpc: row.rpc, streaming: row.server_streaming === 'yes', request: row.request_type, response: row.response_type,
      });
    }
  });

  it('serves nothing else but the corrected spelling /delete/cloudlet next to the original /delete/cloudet', () => {
    const extra = REST_ROUTES.filter((r) => !rows.some((row) => row.http_path === r.path));
    expect(extra.map((r) => [r.path, r.grpcPath])).toEqual([['/delete/cloudlet', '/edgeproto.CloudletApi/DeleteCloudlet']]);
    expect(ROUTES_BY_PATH.get('/delete/cloudet')?.grpcPath).toBe('/edgeproto.CloudletApi/DeleteCloudlet');
    expect(new Set(REST_ROUTES.map((r) => r.path)).size).toBe(REST_ROUTES.length);
  });

  it('leaves out the rpcs the original gateway does not serve', () => {
    const served = new Set(REST_ROUTES.map((r) => r.grpcPath));
    for (const path of ['/edgeproto.CloudletInfoApi/InjectCloudletInfo', '/edgeproto.CloudletInfoApi/EvictCloudletInfo', '/edgeproto.ExecApi/RunCommand',
      '/edgeproto.NotifyApi/StreamNotice', '/edgeproto.CloudletRefsApi/ShowCloudletRefs', '/edgeproto.ClusterRefsApi/ShowClusterRefs']) {
      expect(served.has(path), path).toBe(false);
    }
  });
});

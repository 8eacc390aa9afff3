import { describe, expect, it } from 'vitest';
import {
  applyAppInstInfo, applyClusterInstInfo, applyInfo, CRM_TRANSITIONS, goneOnInfoDelete, overrideFlags, stateName,
} from '../../../src/controller/state/transitions.js';
import { AppInst, AppInstInfo } from '../../../src/gen/edgeproto/app_inst.js';
import { ClusterInst, ClusterInstInfo } from '../../../src/gen/edgeproto/clusterinst.js';
import { TrackedState as S, type CRMOverride } from '../../../src/gen/edgeproto/common.js';

const ALL: S[] = Object.values(S).filter((v) => typeof v === 'number').map((v) => v as S).filter((v) => v !== S.UNRECOGNIZED);

/** notify-protocol §10, as a literal table: object state → accepted info states. */
const EXPECTED: Record<number, S[]> = {
  [S.CREATE_REQUESTED]: [S.CREATING, S.READY, S.CREATE_ERROR],
  [S.CREATING]: [S.READY, S.CREATE_ERROR],
  [S.UPDATE_REQUESTED]: [S.UPDATING, S.READY, S.UPDATE_ERROR],
  [S.UPDATING]: [S.READY, S.UPDATE_ERROR],
  [S.DELETE_REQUESTED]: [S.DELETING, S.NOT_PRESENT, S.DELETE_ERROR],
  [S.DELETING]: [S.NOT_PRESENT, S.DELETE_ERROR],
};

describe('the TrackedState transition table', () => {
  it('accepts exactly the transitions of the original, and repeats as "same"', () => {
    for (const from of ALL) {
      for (const to of ALL) {
        const t = applyInfo(from, to);
        if (from === to) expect(t).toEqual({ accepted: true, state: to, same: true });
        else expect(t.accepted, `${S[from]} → ${S[to]}`).toBe((EXPECTED[from] ?? []).includes(to));
      }
    }
    expect(CRM_TRANSITIONS.size).toBe(6);
  });

  it('names states as the original streams them', () => {
    expect(ALL.map(stateName)).toEqual([
      'TrackedStateUnknown', 'NotPresent', 'CreateRequested', 'Creating', 'CreateError', 'Ready', 'UpdateRequested', 'Updating',
      'UpdateError', 'DeleteRequested', 'Deleting', 'DeleteError', 'DeletePrepare',
    ]);
  });

  it('ClusterInst: *_ERROR takes the info errors, other states clear them, NOT_PRESENT means gone', () => {
    const ci = ClusterInst.fromPartial({ state: S.CREATING, errors: ['old'] });
    expect(applyClusterInstInfo(ci, ClusterInstInfo.fromPartial({ state: S.CREATE_ERROR, errors: ['boom'] })))
      .toEqual({ effect: 'changed', object: { ...ci, state: S.CREATE_ERROR, errors: ['boom'] } });
    expect(applyClusterInstInfo(ci, ClusterInstInfo.fromPartial({ state: S.READY, errors: ['ignored'] })))
      .toEqual({ effect: 'changed', object: { ...ci, state: S.READY, errors: [] } });
    expect(applyClusterInstInfo({ ...ci, state: S.DELETING }, ClusterInstInfo.fromPartial({ state: S.NOT_PRESENT }))).toEqual({ effect: 'gone' });
    expect(applyClusterInstInfo({ ...ci, state: S.READY }, ClusterInstInfo.fromPartial({ state: S.DELETE_ERROR })).effect).toBe('ignored');
  });

  it('AppInst: errors replaced on *_ERROR only, runtime_info always copied, refreshed when both READY', () => {
    const ai = AppInst.fromPartial({ state: S.CREATING, errors: ['old'] });
    const runtime = { container_ids: ['c-0'] };
    expect(applyAppInstInfo(ai, AppInstInfo.fromPartial({ state: S.READY, runtime_info: runtime })))
      .toEqual({ effect: 'changed', object: { ...ai, state: S.READY, runtime_info: runtime } });
    expect(applyAppInstInfo(ai, AppInstInfo.fromPartial({ state: S.CREATE_ERROR, errors: ['boom'] })))
      .toMatchObject({ effect: 'changed', object: { state: S.CREATE_ERROR, errors: ['boom'] } });
    const ready = { ...ai, state: S.READY, runtime_info: runtime, errors: [] };
    expect(applyAppInstInfo(ready, AppInstInfo.fromPartial({ state: S.READY, runtime_info: runtime })).effect).toBe('ignored');
    expect(applyAppInstInfo(ready, AppInstInfo.fromPartial({ state: S.READY, runtime_info: { container_ids: ['c-1'] } })))
      .toEqual({ effect: 'changed', object: { ...ready, runtime_info: { container_ids: ['c-1'] } } });
  });

  it('AppInst: a READY info refreshes the errors (health) of a READY AppInst, and clears them', () => {
    const runtime = { container_ids: ['c-0'] };
    const ready = AppInst.fromPartial({ state: S.READY, runtime_info: runtime });
    const sick = applyAppInstInfo(ready, AppInstInfo.fromPartial({ state: S.READY, runtime_info: runtime, errors: ['AppInst unhealthy: exited 137'] }));
    expect(sick).toEqual({ effect: 'changed', object: { ...ready, errors: ['AppInst unhealthy: exited 137'] } });
    const healed = applyAppInstInfo({ ...ready, errors: ['AppInst unhealthy: exited 137'] }, AppInstInfo.fromPartial({ state: S.READY, runtime_info: runtime }));
    expect(healed).toEqual({ effect: 'changed', object: { ...ready, errors: [] } });
    // Not while an operation runs: errors of a CREATING AppInst change only with an *_ERROR.
    const creating = AppInst.fromPartial({ state: S.CREATING });
    expect(applyAppInstInfo(creating, AppInstInfo.fromPartial({ state: S.CREATING, errors: ['x'] })).effect).toBe('ignored');
  });

  it('an info DELETE removes the object only in DELETE_REQUESTED or DELETING', () => {
    expect(ALL.filter(goneOnInfoDelete)).toEqual([S.DELETE_REQUESTED, S.DELETING]);
  });

  it('splits every CRMOverride into its flags', () => {
    expect([0, 1, 2, 3, 4].map((o) => overrideFlags(o as CRMOverride))).toEqual([
      { ignoreCrmErrors: false, ignoreCrm: false, ignoreTransient: false },
      { ignoreCrmErrors: true, ignoreCrm: false, ignoreTransient: false },
      { ignoreCrmErrors: false, ignoreCrm: true, ignoreTransient: false },
      { ignoreCrmErrors: false, ignoreCrm: false, ignoreTransient: true },
      { ignoreCrmErrors: false, ignoreCrm: true, ignoreTransient: true },
    ]);
  });
});
